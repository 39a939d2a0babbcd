// VS Code's Local History keeps a copy of each saved version of a file under <user-data>/User/History/
// (one folder per file: the copies, and an entries.json naming the file's URI). After a file is
// encrypted and its original deleted, those copies are plaintext left behind. There is no API to
// remove them, so when the user-data dir is on this machine's disk (globalStorageUri lies inside it)
// the folders are deleted directly; elsewhere (a web host keeps it in the browser) the caller tells
// the user where they are.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface HistoryCleanup {
  /** Local History folders removed for the file. */
  removed: number;
  /** The History folder could not be reached from here; the user has to clear it. */
  unreachable?: boolean;
}

export class LocalHistory {
  constructor(private readonly globalStorageUri: vscode.Uri) {}

  /** `<user-data>/User/History` on this machine's disk, or undefined when the user-data dir is not reachable. */
  folder(): string | undefined {
    if (this.globalStorageUri.scheme !== 'file') return undefined;
    // globalStorage sits in User/ (default profile) or User/profiles/<id>/; History is always in User/.
    let dir = path.dirname(this.globalStorageUri.fsPath);
    for (let i = 0; i < 4 && path.basename(dir) !== 'User'; i++) dir = path.dirname(dir);
    return path.basename(dir) === 'User' ? path.join(dir, 'History') : undefined;
  }

  /** Deletes every Local History folder that belongs to `file` (on disk: a `file:` URI). */
  async remove(file: vscode.Uri): Promise<HistoryCleanup> {
    const home = this.folder();
    if (!home) return { removed: 0, unreachable: true };
    let names: string[];
    try {
      names = await fs.readdir(home);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { removed: 0 };
      return { removed: 0, unreachable: true };
    }
    // entries.json may not be written yet (desktop VS Code flushes it later), so the folder VS Code
    // derives from the URI counts too, unless its entries.json names another file (a hash collision).
    const derived = historyFolderName(file);
    let removed = 0;
    for (const name of names) {
      const dir = path.join(home, name);
      const owner = await ownerOf(dir, file);
      if (owner !== 'this' && !(name === derived && owner === 'unknown')) continue;
      await fs.rm(dir, { recursive: true, force: true });
      removed++;
    }
    return { removed };
  }
}

/** Says where plaintext copies of `names` may remain that Custodian could not remove (a web host). */
export function warnHistoryUnreachable(names: readonly string[]): void {
  if (names.length === 0) return;
  const clear = vscode.l10n.t('Delete All Local History…');
  void vscode.window
    .showWarningMessage(
      vscode.l10n.t(
        'VS Code\'s Local History may still hold copies of {0} from before encryption, in the History folder of VS Code\'s user data (in the browser\'s storage on a web host). Custodian cannot reach it from here. Open the file\'s Timeline to see them, or delete all Local History.',
        names.join(', '),
      ),
      clear,
    )
    .then((choice) => (choice === clear ? vscode.commands.executeCommand('workbench.action.localHistory.deleteAll') : undefined));
}

/**
 * Whose history `dir` holds, by its entries.json: 'this' when it names `file` (as a `file:` URI, or a
 * `vscode-remote:` one, the workbench's view of a remote host's file), 'unknown' without a readable one.
 */
async function ownerOf(dir: string, file: vscode.Uri): Promise<'this' | 'other' | 'unknown'> {
  let uri: vscode.Uri;
  try {
    const resource = (JSON.parse(await fs.readFile(path.join(dir, 'entries.json'), 'utf8')) as { resource?: unknown }).resource;
    if (typeof resource !== 'string') return 'unknown';
    uri = vscode.Uri.parse(resource, true);
  } catch {
    return 'unknown';
  }
  if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return 'other';
  const same = process.platform === 'win32' || process.platform === 'darwin' ? uri.path.toLowerCase() === file.path.toLowerCase() : uri.path === file.path;
  return same ? 'this' : 'other';
}

/** The folder name VS Code gives a file's history: its string hash of `uri.toString()` in hex (vs/base/common/hash.ts). */
export function historyFolderName(uri: vscode.Uri): string {
  return stringHash(uri.toString()).toString(16);
}

function stringHash(s: string): number {
  let h = numberHash(149417, 0);
  for (let i = 0; i < s.length; i++) h = numberHash(s.charCodeAt(i), h);
  return h;
}

function numberHash(val: number, initial: number): number {
  return ((initial << 5) - initial + val) | 0;
}
