// What the stores of workspace files (team roster, shared MFA seeds, share sets, `.enc` files) share:
// which workspace folder a file belongs to, listing a folder that may not exist, atomic writes, and file
// watchers whose bursts of events make one change.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { hexEncode } from '../../core/bytes';
import { CustodianError } from '../../core/errors';
import { lazyCore } from '../lazy-core';
import { watchNewFolderTrees } from './new-folder-watcher';

/** How long the stores wait for a burst of file events (a git checkout, a copied folder) to settle. */
export const WATCH_DEBOUNCE_MS = 150;

export function workspaceFolders(): readonly vscode.WorkspaceFolder[] {
  return vscode.workspace.workspaceFolders ?? [];
}

/** Where new files go: the workspace folder holding `folderUri`, else the first workspace folder. */
export function targetFolder(folderUri?: vscode.Uri): vscode.WorkspaceFolder {
  const folder = folderUri ? vscode.workspace.getWorkspaceFolder(folderUri) : workspaceFolders()[0];
  if (!folder) {
    throw new CustodianError(vscode.l10n.t('The team roster lives in a workspace folder, and none is open.'), {
      hint: vscode.l10n.t('Open the repository folder first.'),
    });
  }
  return folder;
}

/**
 * For lookups by name that may be limited to one folder (multi-root): whether an entry's folder is the
 * one holding `folderUri`. Without a `folderUri` (or one outside every folder), every folder matches.
 */
export function inFolder(folderUri: vscode.Uri | undefined): (folder: vscode.WorkspaceFolder) => boolean {
  const wanted = folderUri ? vscode.workspace.getWorkspaceFolder(folderUri) : undefined;
  return (folder) => !wanted || folder.index === wanted.index;
}

/**
 * The directory's entries, or none when it does not exist. Stat first: VS Code logs every failing
 * readDirectory with a stack trace, and a missing `.custodian/<kind>` folder is the normal case.
 */
export async function readDirectoryIfExists(dir: vscode.Uri): Promise<[string, vscode.FileType][]> {
  try {
    if ((await vscode.workspace.fs.stat(dir)).type !== vscode.FileType.Directory) return [];
    return await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
}

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** A hidden, unique name beside `uri` (`.<name>.<random>.tmp`), for writing before a rename. */
export function tempSibling(uri: vscode.Uri): vscode.Uri {
  const name = uri.path.split('/').pop() || 'file';
  const random = hexEncode(globalThis.crypto.getRandomValues(new Uint8Array(6)));
  return vscode.Uri.joinPath(uri, '..', `.${name}.${random}.tmp`);
}

/**
 * Writes through a hidden temporary file beside `uri` and a rename, so a reader (or git) never sees half
 * a file. Refuses to replace an existing file (FileSystemError FileExists) unless `overwrite`; a file it
 * replaces keeps its permissions. Files on disk go through the same module as the CLI's writes
 * (node/atomic-file: fsync before the rename, no-clobber by link); other schemes through workspace.fs.
 */
export async function writeFileAtomic(uri: vscode.Uri, bytes: Uint8Array, options: { overwrite: boolean; /** A new local file's permission bits (0o600 for plaintext secrets); a replaced file keeps its own. */ mode?: number }): Promise<void> {
  if (uri.scheme === 'file') {
    const atomic = await lazyCore.atomicFile();
    const mode = options.overwrite ? await fs.stat(uri.fsPath).then((s) => s.mode & 0o777, () => options.mode) : options.mode;
    try {
      await atomic.writeFileAtomic(uri.fsPath, bytes, { force: options.overwrite, mode });
    } catch (err) {
      if (err instanceof atomic.FileExistsError) throw vscode.FileSystemError.FileExists(uri);
      throw err;
    }
    return;
  }
  const temp = tempSibling(uri);
  try {
    await vscode.workspace.fs.writeFile(temp, bytes);
    await vscode.workspace.fs.rename(temp, uri, { overwrite: options.overwrite });
  } catch (err) {
    await vscode.workspace.fs.delete(temp, { useTrash: false }).then(undefined, () => undefined);
    throw err;
  }
}

/** Calls `fire` once, `delayMs` after the last of a burst of `schedule()` calls. */
export class Debouncer implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly fire: () => void,
  ) {}

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.fire, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Calls `look` once a burst of changes has settled: after any event of `changes` (file watchers, stores),
 * and when the window regains focus, since a pull in a terminal outside VS Code may reach no file watcher.
 * `schedule()` asks for a look too.
 */
export function lookWhenSettled(changes: readonly ((listener: () => void) => vscode.Disposable)[], look: () => void, delayMs: number): vscode.Disposable & { schedule(): void } {
  const debounce = new Debouncer(delayMs, look);
  const schedule = (): void => debounce.schedule();
  const subscription = vscode.Disposable.from(
    ...changes.map((subscribe) => subscribe(schedule)),
    vscode.window.onDidChangeWindowState((state) => state.focused && schedule()),
    debounce,
  );
  return { schedule, dispose: () => subscription.dispose() };
}

/**
 * Watches `glob` in every workspace folder; `onFile` gets each file created, changed or deleted. `named`,
 * when given, tells the files `glob` means by their names: those in a folder tree that appears while VS
 * Code runs are reported too, which VS Code's watcher misses on Linux (new-folder-watcher.ts).
 */
export function watchFiles(glob: vscode.GlobPattern, onFile: (uri: vscode.Uri) => void, named?: (uri: vscode.Uri) => boolean): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher(glob);
  const inNewFolders = named ? [watchNewFolderTrees((uri) => named(uri) && onFile(uri))] : [];
  return vscode.Disposable.from(watcher, watcher.onDidCreate(onFile), watcher.onDidChange(onFile), watcher.onDidDelete(onFile), ...inNewFolders);
}
