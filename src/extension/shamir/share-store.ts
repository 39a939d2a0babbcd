// Share sets on disk (see share-set.ts for the layout). Writes are atomic: a new set is assembled in a
// hidden temporary directory and renamed into place, and a release file is written to a hidden
// temporary name and renamed, so a reader (or git) never sees half a set or half a share.
import * as vscode from 'vscode';
import { CustodianError, describeError } from '../../core/errors';
import { WorkspaceFileStore } from '../storage/workspace-file-store';
import { exists, inFolder, readDirectoryIfExists, tempSibling, workspaceFolders, writeFileAtomic } from '../storage/workspace-files';
import {
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  SHARES_DIR,
  ShareSetError,
  parseManifest,
  parseShareFileName,
  serializeManifest,
  shareFileProblemText,
  type ManifestCustodian,
  type ShareSetManifest,
} from './share-set';
import { lazyCore } from '../lazy-core';
import type { CryptoBackend } from '../../core/crypto-backend';
import { bytesToStream } from '../../core/stream';

/** A sealed share is a few KiB; a 16 MiB secret makes 16 MiB shares. */
const MAX_SHARE_FILE_BYTES = 64 * 1024 * 1024;

interface SetBase {
  folder: vscode.WorkspaceFolder;
  name: string;
  dir: vscode.Uri;
}

export interface ShareSet extends SetBase {
  kind: 'set';
  manifest: ShareSetManifest;
}

export interface InvalidShareSet extends SetBase {
  kind: 'invalid';
  problem: string;
}

export type ShareSetEntry = ShareSet | InvalidShareSet;

/** One `*.share.enc` file of a set, as far as its header tells without a private key. */
export interface ShareFileInfo {
  file: string;
  uri: vscode.Uri;
  custodian: ManifestCustodian;
  /** File-name part of the recipient, for release files. */
  releasedTo?: string;
  /** Fingerprints the header says the file is sealed to. */
  recipients: readonly string[];
  /** Set when the header is unreadable or disagrees with the manifest (wrong recipient or signer). */
  problem?: string;
}

export interface ShareSetStatus {
  set: ShareSet;
  files: ShareFileInfo[];
  /** Custodians whose `<name>.share.enc` is missing. */
  missing: ManifestCustodian[];
  /** `*.share.enc` files that belong to no custodian of the manifest. */
  strays: string[];
}

/** Progress of the last Recover run, per set (kept in memory only, shown in the tree). */
export interface RecoveryProgress {
  collected: number;
  threshold: number;
  recovered: boolean;
}

export class ShareStore implements vscode.Disposable {
  private readonly files = new WorkspaceFileStore<never>({ dir: SHARES_DIR, depth: 'tree' });

  /** @param backend the crypto that checks each file's signature (public keys only). */
  constructor(private readonly backend: () => Promise<CryptoBackend>) {}

  /** Fires (debounced) when anything under `.custodian/shares/` changes, or progress is recorded. */
  readonly onDidChange = this.files.onDidChange;
  private readonly progress = new Map<string, RecoveryProgress>();

  dispose(): void {
    this.files.dispose();
  }

  sharesDir(folder: vscode.WorkspaceFolder): vscode.Uri {
    return this.files.dir(folder);
  }

  /** Every set in every workspace folder; unreadable manifests are entries too, never skipped. */
  async list(): Promise<ShareSetEntry[]> {
    const out: ShareSetEntry[] = [];
    for (const folder of workspaceFolders()) {
      const names = await this.files.entries(folder);
      const sets = names.filter(([n, t]) => t === vscode.FileType.Directory && !n.startsWith('.')).map(([n]) => n);
      for (const name of sets.sort((a, b) => a.localeCompare(b))) out.push(await this.read(folder, name));
    }
    return out;
  }

  /** The set named `name` (in `folderUri`'s folder when given); throws when missing or invalid. */
  async get(name: string, folderUri?: vscode.Uri): Promise<ShareSet> {
    const wanted = inFolder(folderUri);
    const matches = (await this.list()).filter((s) => s.name === name && wanted(s.folder));
    const entry = matches[0];
    if (!entry) {
      throw new ShareSetError(vscode.l10n.t('There is no share set "{0}" in this workspace.', name), { hint: vscode.l10n.t('Share sets live in {0}/<name>/.', SHARES_DIR.join('/')) });
    }
    if (entry.kind === 'invalid') throw new ShareSetError(entry.problem, { hint: vscode.l10n.t('Restore the set from version control.') });
    return entry;
  }

  async exists(folder: vscode.WorkspaceFolder, name: string): Promise<boolean> {
    return exists(vscode.Uri.joinPath(this.sharesDir(folder), name));
  }

  /**
   * Creates a set: every file goes into a hidden temporary directory, which is then renamed to the
   * set's name (refusing to replace an existing set). On failure nothing is left behind.
   */
  async create(folder: vscode.WorkspaceFolder, manifest: ShareSetManifest, shareFiles: ReadonlyMap<string, Uint8Array>): Promise<ShareSet> {
    const root = this.sharesDir(folder);
    const target = vscode.Uri.joinPath(root, manifest.name);
    if (await exists(target)) throw new ShareSetError(vscode.l10n.t('A share set named "{0}" already exists.', manifest.name), { hint: vscode.l10n.t('Choose another name.') });
    const temp = tempSibling(target);
    try {
      await vscode.workspace.fs.createDirectory(temp);
      await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(temp, MANIFEST_FILE), new TextEncoder().encode(serializeManifest(manifest)));
      for (const [file, bytes] of shareFiles) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(temp, file), bytes);
      await vscode.workspace.fs.rename(temp, target, { overwrite: false });
    } catch (err) {
      await vscode.workspace.fs.delete(temp, { recursive: true, useTrash: false }).then(undefined, () => undefined);
      if (err instanceof vscode.FileSystemError && err.code === 'FileExists') {
        throw new ShareSetError(vscode.l10n.t('A share set named "{0}" already exists.', manifest.name), { hint: vscode.l10n.t('Choose another name.') });
      }
      throw new CustodianError(vscode.l10n.t('Could not write share set "{0}": {1}', manifest.name, describeError(err)), { cause: err });
    }
    this.files.changed();
    return { kind: 'set', folder, name: manifest.name, dir: target, manifest };
  }

  /** Writes one file of a set through a hidden temporary file and a rename. */
  async writeAtomic(uri: vscode.Uri, bytes: Uint8Array, overwrite: boolean): Promise<void> {
    await writeFileAtomic(uri, bytes, { overwrite });
    this.files.changed();
  }

  /** Deletes one file of a set: one unlink, not to the trash (a trashed share is still a share on disk). */
  async deleteFile(uri: vscode.Uri): Promise<void> {
    await vscode.workspace.fs.delete(uri, { useTrash: false });
    this.files.changed();
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_SHARE_FILE_BYTES) throw new ShareSetError(vscode.l10n.t('{0} is too large to be a share.', vscode.workspace.asRelativePath(uri)));
    return vscode.workspace.fs.readFile(uri);
  }

  /**
   * What the set's files say without any private key: who each is sealed to, whether its signature
   * verifies (the signer's key is in its header), what is missing.
   */
  async status(set: ShareSet): Promise<ShareSetStatus> {
    const [{ inspectEnvelope, verifyEnvelopeSignature }, { shareFileHeaderProblem }, backend] = await Promise.all([lazyCore.envelope(), lazyCore.shareFile(), this.backend()]);
    // A set that vanished meanwhile lists nothing: everything is missing.
    const names = await readDirectoryIfExists(set.dir);
    const m = set.manifest;
    const byName = new Map(m.custodians.map((c) => [c.name, c]));
    const files: ShareFileInfo[] = [];
    const strays: string[] = [];
    for (const [file, type] of names.sort(([a], [b]) => a.localeCompare(b))) {
      if (type !== vscode.FileType.File) continue;
      const parsed = parseShareFileName(file);
      if (!parsed) continue;
      const custodian = byName.get(parsed.custodian);
      if (!custodian) {
        strays.push(file);
        continue;
      }
      const uri = vscode.Uri.joinPath(set.dir, file);
      const info: ShareFileInfo = { file, uri, custodian, releasedTo: parsed.releasedTo, recipients: [] };
      try {
        const bytes = await this.readFile(uri);
        const header = await inspectEnvelope(bytes);
        info.recipients = header.recipients;
        // SHAMIR.md §9 step 1, as the CLI checks it (core/share-file.ts).
        const problem = shareFileHeaderProblem(m, info, header);
        if (problem) info.problem = shareFileProblemText(problem, m, info);
        // Signed by the right key in name: the signature must verify too (an edited file fails here,
        // for every custodian to see, not only for the one it is sealed to).
        if (!info.problem) {
          const verified = await verifyEnvelopeSignature(bytesToStream(bytes), { backend }).then(
            () => true,
            () => false,
          );
          if (!verified) info.problem = vscode.l10n.t('its signature does not verify: it was changed after it was signed');
        }
      } catch (err) {
        info.problem = vscode.l10n.t('its envelope header is unreadable ({0})', describeError(err));
      }
      files.push(info);
    }
    const present = new Set(files.filter((f) => f.releasedTo === undefined).map((f) => f.custodian.name));
    const missing = m.custodians.filter((c) => !present.has(c.name));
    return { set, files, missing, strays };
  }

  recordProgress(set: ShareSet, progress: RecoveryProgress): void {
    this.progress.set(set.dir.toString(), progress);
    this.files.changed();
  }

  lastProgress(set: ShareSet): RecoveryProgress | undefined {
    return this.progress.get(set.dir.toString());
  }

  private async read(folder: vscode.WorkspaceFolder, name: string): Promise<ShareSetEntry> {
    const dir = vscode.Uri.joinPath(this.sharesDir(folder), name);
    const base = { folder, name, dir };
    try {
      const uri = vscode.Uri.joinPath(dir, MANIFEST_FILE);
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_MANIFEST_BYTES) throw new ShareSetError(vscode.l10n.t('The manifest of share set "{0}" is too large ({1} bytes).', name, stat.size));
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      return { ...base, kind: 'set', manifest: parseManifest(text, name) };
    } catch (err) {
      const problem =
        err instanceof ShareSetError ? err.message : vscode.l10n.t('Share set "{0}" has no readable {1} ({2}).', name, MANIFEST_FILE, describeError(err));
      return { ...base, kind: 'invalid', problem };
    }
  }
}
