// The team roster a workspace commits: `.custodian/team/<name>.pub`, one public key per teammate
// (an OpenSSH `ssh-rsa` line whose comment is the identity, a PEM public key, or a certificate).
// Files that do not parse, or hold weak or non-RSA keys, are reported as problems (tree + Problems
// panel), never skipped silently: a teammate who silently drops out of the recipients is a real risk.
import * as vscode from 'vscode';
import { CustodianError, InvalidArgumentError, describeError } from '../../core/errors';
import type { RsaPublicKey } from '../../core/keys';
import { errorMessageWithHint } from '../ui/messages';
import { stripExtension, validateEntryName } from './entry-names';
import { entryNameProblem } from '../ui/name-rules';
import { Debouncer, WATCH_DEBOUNCE_MS, exists, readDirectoryIfExists, targetFolder, watchFiles, workspaceFolders, writeFileAtomic } from './workspace-files';
import { lazyCore } from '../lazy-core';

export const ROSTER_DIR = ['.custodian', 'team'] as const;
export const ROSTER_EXT = '.pub';
/** Roster files larger than this are not keys (a 16384-bit certificate chain is far smaller). */
const MAX_ROSTER_FILE_BYTES = 64 * 1024;

interface RosterEntryBase {
  /** File name without `.pub`. */
  name: string;
  uri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
}

export interface RosterMember extends RosterEntryBase {
  kind: 'member';
  key: RsaPublicKey;
  /** The key's comment (OpenSSH) or, without one, the file name. */
  identity: string;
}

export interface RosterProblem extends RosterEntryBase {
  kind: 'invalid';
  /** Safe to show: the typed error's message (and hint). */
  problem: string;
  /** The error class name (KeyFormatError, WeakKeyError, …), for tests and icons. */
  errorName: string;
}

export type RosterEntry = RosterMember | RosterProblem;

/** `Alice Smith <alice@example.com>` / `alice@example.com` / `Alice Smith` → `alice`, `alice-smith`. */
export function suggestRosterName(identity: string | undefined): string | undefined {
  if (!identity) return undefined;
  const email = /([A-Za-z0-9._+-]+)@[A-Za-z0-9.-]+/.exec(identity);
  const base = email ? email[1] : identity;
  const slug = base.toLowerCase().replace(/[^a-z0-9._+-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '').slice(0, 64);
  return slug && !validateEntryName(slug) ? slug : undefined;
}

export function normalizeRosterName(name: string): string {
  return stripExtension(name, ROSTER_EXT);
}

interface CacheEntry {
  mtime: number;
  size: number;
  entry: RosterEntry;
}

export class Roster implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when a roster file changes on disk (debounced) or through this class. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];
  private readonly cache = new Map<string, CacheEntry>();
  private readonly debounce = new Debouncer(WATCH_DEBOUNCE_MS, () => this.changeEmitter.fire());

  constructor(private readonly diagnostics: vscode.DiagnosticCollection) {
    this.subscriptions.push(
      watchFiles(`**/${ROSTER_DIR.join('/')}/*`, (uri) => {
        this.cache.delete(uri.toString());
        this.debounce.schedule();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.debounce.schedule()),
      this.debounce,
    );
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  teamDir(folder: vscode.WorkspaceFolder): vscode.Uri {
    return vscode.Uri.joinPath(folder.uri, ...ROSTER_DIR);
  }

  /** Every roster file in every workspace folder, problems included; updates the Problems panel. */
  async list(): Promise<RosterEntry[]> {
    const entries: RosterEntry[] = [];
    for (const folder of workspaceFolders()) entries.push(...(await this.listFolder(folder)));
    this.publishDiagnostics(entries);
    return entries;
  }

  async members(): Promise<RosterMember[]> {
    return (await this.list()).filter((e): e is RosterMember => e.kind === 'member');
  }

  async find(name: string, folderUri?: vscode.Uri): Promise<RosterEntry | undefined> {
    const folder = targetFolder(folderUri);
    const wanted = normalizeRosterName(name);
    return (await this.list()).find((e) => e.folder.index === folder.index && e.name === wanted);
  }

  /** Writes `<name>.pub` (atomically); refuses to replace an existing file unless `overwrite`. */
  async write(name: string, text: string, options: { folderUri?: vscode.Uri; overwrite?: boolean } = {}): Promise<vscode.Uri> {
    const clean = normalizeRosterName(name);
    const invalid = entryNameProblem(clean);
    if (invalid) throw new InvalidArgumentError(vscode.l10n.t('"{0}" cannot be a roster file name. {1}', clean, invalid));
    const folder = targetFolder(options.folderUri);
    const dir = this.teamDir(folder);
    const uri = vscode.Uri.joinPath(dir, clean + ROSTER_EXT);
    if (!options.overwrite && (await exists(uri))) {
      throw new CustodianError(vscode.l10n.t('The roster already has {0}/{1}{2}.', ROSTER_DIR.join('/'), clean, ROSTER_EXT), {
        hint: vscode.l10n.t('Choose another name, or remove that teammate first.'),
      });
    }
    await vscode.workspace.fs.createDirectory(dir);
    await writeFileAtomic(uri, new TextEncoder().encode(text.endsWith('\n') ? text : text + '\n'), { overwrite: options.overwrite === true });
    this.cache.delete(uri.toString());
    this.changeEmitter.fire();
    return uri;
  }

  async remove(uri: vscode.Uri): Promise<void> {
    await vscode.workspace.fs.delete(uri, { useTrash: false });
    this.cache.delete(uri.toString());
    this.diagnostics.delete(uri);
    this.changeEmitter.fire();
  }

  private async listFolder(folder: vscode.WorkspaceFolder): Promise<RosterEntry[]> {
    const dir = this.teamDir(folder);
    const names = await readDirectoryIfExists(dir);
    const files = names
      .filter(([n, type]) => type === vscode.FileType.File && n.toLowerCase().endsWith(ROSTER_EXT))
      .map(([n]) => n)
      .sort((a, b) => a.localeCompare(b));
    const entries: RosterEntry[] = [];
    const seen = new Map<string, string>();
    for (const file of files) {
      let entry = await this.readEntry(folder, vscode.Uri.joinPath(dir, file), file.slice(0, -ROSTER_EXT.length));
      if (entry.kind === 'member') {
        const first = seen.get(entry.key.fingerprint);
        if (first) {
          const problem = vscode.l10n.t('Same key as {0}: one person, two roster files.', `${first}${ROSTER_EXT}`);
          entry = { name: entry.name, uri: entry.uri, folder, kind: 'invalid', problem, errorName: 'DuplicateKey' };
        } else {
          seen.set(entry.key.fingerprint, entry.name);
        }
      }
      entries.push(entry);
    }
    return entries;
  }

  private async readEntry(folder: vscode.WorkspaceFolder, uri: vscode.Uri, name: string): Promise<RosterEntry> {
    const base = { name, uri, folder };
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      const cached = this.cache.get(uri.toString());
      if (cached && cached.mtime === stat.mtime && cached.size === stat.size) return { ...cached.entry, folder };
      let entry: RosterEntry;
      if (stat.size > MAX_ROSTER_FILE_BYTES) {
        entry = { ...base, kind: 'invalid', problem: vscode.l10n.t('Too large to be a public key ({0} bytes).', stat.size), errorName: 'KeyFormatError' };
      } else {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        entry = await parseEntry(base, text);
      }
      this.cache.set(uri.toString(), { mtime: stat.mtime, size: stat.size, entry });
      return entry;
    } catch (err) {
      return { ...base, kind: 'invalid', problem: vscode.l10n.t('Cannot read the file: {0}', describeError(err)), errorName: 'FileSystemError' };
    }
  }

  private publishDiagnostics(entries: readonly RosterEntry[]): void {
    this.diagnostics.clear();
    for (const e of entries) {
      if (e.kind !== 'invalid') continue;
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, Number.MAX_SAFE_INTEGER), e.problem, vscode.DiagnosticSeverity.Error);
      d.source = 'Custodian';
      d.code = e.errorName;
      this.diagnostics.set(e.uri, [d]);
    }
  }
}

async function parseEntry(base: RosterEntryBase, text: string): Promise<RosterEntry> {
  const { parsePublicKey } = await lazyCore.keys();
  try {
    const key = parsePublicKey(text);
    return { ...base, kind: 'member', key, identity: key.comment?.trim() || base.name };
  } catch (err) {
    return { ...base, kind: 'invalid', problem: errorMessageWithHint(err), errorName: err instanceof Error ? err.name : 'Error' };
  }
}
