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
import { WorkspaceFileStore } from './workspace-file-store';
import { exists, targetFolder, workspaceFolders, writeFileAtomic } from './workspace-files';
import { lazyCore } from '../lazy-core';
import { displayText } from '../../core/display-text';
import { confusableGroups, rosterNameProblem } from '../../core/roster-names';

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

/** An entry as read from its file, before the list says which workspace folder it is in. */
type ReadEntry = RosterEntry extends infer E ? (E extends unknown ? Omit<E, 'folder'> : never) : never;

export class Roster implements vscode.Disposable {
  /**
   * Entries are read once per version of their file (the folder is set on each list: it can be
   * renumbered). The whole tree is watched: signed records (docs/ROSTER.md §5) under `records/`
   * change what the Team view shows, not the keys.
   */
  private readonly files = new WorkspaceFileStore<ReadEntry>({ dir: ROSTER_DIR, depth: 'tree', read: readEntry });
  /** Fires when a roster file changes on disk (debounced) or through this class. */
  readonly onDidChange = this.files.onDidChange;

  constructor(private readonly diagnostics: vscode.DiagnosticCollection) {}

  dispose(): void {
    this.files.dispose();
  }

  teamDir(folder: vscode.WorkspaceFolder): vscode.Uri {
    return this.files.dir(folder);
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
    const invalid = entryNameProblem(clean) ?? rosterNameProblem(clean);
    if (invalid) throw new InvalidArgumentError(vscode.l10n.t('"{0}" cannot be a roster file name. {1}', clean, invalid));
    const folder = targetFolder(options.folderUri);
    const dir = this.teamDir(folder);
    const uri = vscode.Uri.joinPath(dir, clean + ROSTER_EXT);
    const others = (await this.listFolder(folder)).map((e) => e.name).filter((n) => n !== clean);
    const like = confusableGroups([...others, clean]).find((g) => g.includes(clean));
    if (like) {
      throw new InvalidArgumentError(vscode.l10n.t('"{0}" looks like {1} in the roster: choose a name nobody can mistake for a teammate.', clean, like.filter((n) => n !== clean).join(', ')));
    }
    if (!options.overwrite && (await exists(uri))) {
      throw new CustodianError(vscode.l10n.t('The roster already has {0}/{1}{2}.', ROSTER_DIR.join('/'), clean, ROSTER_EXT), {
        hint: vscode.l10n.t('Choose another name, or remove that teammate first.'),
      });
    }
    await vscode.workspace.fs.createDirectory(dir);
    await writeFileAtomic(uri, new TextEncoder().encode(text.endsWith('\n') ? text : text + '\n'), { overwrite: options.overwrite === true });
    this.files.changed(uri);
    return uri;
  }

  /** After a file under the team directory was written elsewhere in this window (a signed record): lists read it now. */
  wroteUnderTeamDir(uri: vscode.Uri): void {
    this.files.changed(uri);
  }

  async remove(uri: vscode.Uri): Promise<void> {
    await vscode.workspace.fs.delete(uri, { useTrash: false });
    this.diagnostics.delete(uri);
    this.files.changed(uri);
  }

  private async listFolder(folder: vscode.WorkspaceFolder): Promise<RosterEntry[]> {
    const dir = this.teamDir(folder);
    const names = await this.files.entries(folder);
    const files = names
      .filter(([n, type]) => type === vscode.FileType.File && n.toLowerCase().endsWith(ROSTER_EXT))
      .map(([n]) => n)
      .sort((a, b) => a.localeCompare(b));
    const entries: RosterEntry[] = [];
    const seen = new Map<string, string>();
    // Names are shown as "who" (docs/ROSTER.md §2): checked on every read, whoever wrote the file.
    const lookalikes = new Map<string, string[]>();
    for (const group of confusableGroups(files.map((f) => f.slice(0, -ROSTER_EXT.length)))) for (const n of group) lookalikes.set(n, group.filter((x) => x !== n));
    for (const file of files) {
      const name = file.slice(0, -ROSTER_EXT.length);
      const uri = vscode.Uri.joinPath(dir, file);
      const badName = rosterNameProblem(name);
      if (badName) {
        entries.push({ name, uri, folder, kind: 'invalid', problem: vscode.l10n.t('"{0}" is not a valid roster name. {1}', displayText(name), badName), errorName: 'InvalidName' });
        continue;
      }
      const like = lookalikes.get(name);
      if (like) {
        const problem = vscode.l10n.t('"{0}" looks like {1}: one of them may impersonate the other. Remove the file that does not belong (check its git history).', name, like.join(', '));
        entries.push({ name, uri, folder, kind: 'invalid', problem, errorName: 'ConfusableName' });
        continue;
      }
      let entry = await this.readEntry(folder, uri, name);
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
    try {
      return { ...(await this.files.read(uri)).value, folder };
    } catch (err) {
      return { name, uri, folder, kind: 'invalid', problem: vscode.l10n.t('Cannot read the file: {0}', describeError(err)), errorName: 'FileSystemError' };
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

/** One version of a roster file (its `folder` is set by the caller). */
async function readEntry(uri: vscode.Uri, stat: vscode.FileStat): Promise<ReadEntry> {
  const file = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  const base = { name: file.slice(0, -ROSTER_EXT.length), uri };
  if (stat.size > MAX_ROSTER_FILE_BYTES) return { ...base, kind: 'invalid', problem: vscode.l10n.t('Too large to be a public key ({0} bytes).', stat.size), errorName: 'KeyFormatError' };
  return parseEntry(base, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
}

async function parseEntry(base: Omit<RosterEntryBase, 'folder'>, text: string): Promise<ReadEntry> {
  const { parsePublicKey } = await lazyCore.keys();
  try {
    const key = parsePublicKey(text);
    return { ...base, kind: 'member', key, identity: key.comment?.trim() || base.name };
  } catch (err) {
    return { ...base, kind: 'invalid', problem: errorMessageWithHint(err), errorName: err instanceof Error ? err.name : 'Error' };
  }
}
