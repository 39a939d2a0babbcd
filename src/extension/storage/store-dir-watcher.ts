// Watches a store's directory (`.custodian/team`, …) in every workspace folder so that no change is missed
// for the rest of a session. VS Code's workspace watcher is recursive and, on Linux, built on inotify
// (parcel): a folder tree made at once — a first pull or checkout bringing `.custodian/team/`, or "Add
// Myself to Team" — was seen as `.custodian` appearing and nothing under it, ever again (the watch on the
// new folder starts after `team` was made inside it; one time in three in our tests). VS Code's own
// non-recursive watchers do not help inside a workspace: they report only what the workspace watcher
// excludes. So, on local disks, one `fs.watch` per folder on the way down (the workspace folder,
// `.custodian`, the store, and for a tree the folders in it). The way down is looked at first and the
// watches started after, so each new watch on the way brings one more look: a folder made in it between
// the look and the watch (`mkdir -p` makes `.custodian`, then `team`) made no event. A folder made with
// files in it is listed once it is watched.
// Only on Linux, where watches are per folder (inotify); macOS and Windows watch a tree natively, and keep
// VS Code's watcher, as do other file systems and a disk where `fs.watch` fails (out of inotify watches).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { folderIdentity } from './folder-identity';
import { watchFiles, workspaceFolders } from './workspace-files';

export interface StoreDirOptions {
  /** The directory under each workspace folder, e.g. `['.custodian', 'team']`. */
  readonly dir: readonly string[];
  /** Files directly in the directory, or also those in its folders (the roster's records, share sets). */
  readonly depth: 'files' | 'tree';
}

/** Calls `onFile` with each file or folder in the store's directory that changed, and with the directory when it appears. */
export function watchStoreDir(options: StoreDirOptions, onFile: (uri: vscode.Uri) => void): vscode.Disposable {
  const pattern = `${options.dir.join('/')}/${options.depth === 'tree' ? '**' : '*'}`;
  const byVsCode = (folder: vscode.WorkspaceFolder): vscode.Disposable => watchFiles(new vscode.RelativePattern(folder, pattern), onFile);
  let watchers: vscode.Disposable[] = [];
  const watchFolders = (): void => {
    for (const w of watchers) w.dispose();
    watchers = workspaceFolders().map((folder, i) => {
      if (folder.uri.scheme !== 'file' || process.platform !== 'linux') return byVsCode(folder);
      return new FolderChainWatcher(folder.uri.fsPath, options, (p) => onFile(vscode.Uri.file(p)), () => {
        watchers[i]?.dispose();
        watchers[i] = byVsCode(folder);
        onFile(vscode.Uri.joinPath(folder.uri, ...options.dir));
      });
    });
  };
  watchFolders();
  return vscode.Disposable.from(vscode.workspace.onDidChangeWorkspaceFolders(watchFolders), { dispose: () => watchers.forEach((w) => w.dispose()) });
}

/** The `fs.watch`es of one workspace folder's way down to a store's directory. */
class FolderChainWatcher {
  /** Workspace folder, `.custodian`, …, the store's directory. */
  private readonly chain: string[];
  /** By folder, with its identity (folderIdentity): one deleted and made again (a checkout) needs a new watch. */
  private readonly watchers = new Map<string, { watcher: fs.FSWatcher; id: string }>();
  private looking: Promise<void> | undefined;
  private lookAgain = false;
  private disposed = false;
  /** The first look finds what the store will list anyway: only folders that appear later are news. */
  private started = false;

  constructor(
    root: string,
    private readonly options: StoreDirOptions,
    private readonly onChange: (file: string) => void,
    /** `fs.watch` refused a folder that exists: VS Code's watcher takes over. */
    private readonly onUnwatchable: () => void,
  ) {
    this.chain = [root];
    for (const segment of options.dir) this.chain.push(path.join(this.chain[this.chain.length - 1], segment));
    this.look();
  }

  dispose(): void {
    this.disposed = true;
    for (const w of this.watchers.values()) w.watcher.close();
    this.watchers.clear();
  }

  private get storeDir(): string {
    return this.chain[this.chain.length - 1];
  }

  /** Watches what exists of the way down (and the store's folders), and stops watching what went; one look at a time. */
  private look(): void {
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = this.watchWhatExists().finally(() => {
      this.looking = undefined;
      this.started = true;
      if (this.lookAgain && !this.disposed) {
        this.lookAgain = false;
        this.look();
      }
    });
  }

  private async watchWhatExists(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const dir of this.chain) {
      const id = await directoryId(dir);
      if (id === undefined) break;
      wanted.set(dir, id);
    }
    if (wanted.has(this.storeDir) && this.options.depth === 'tree') {
      const entries = await fs.promises.readdir(this.storeDir, { withFileTypes: true }).catch(() => []);
      for (const e of entries.filter((e) => e.isDirectory())) {
        const dir = path.join(this.storeDir, e.name);
        const id = await directoryId(dir);
        if (id !== undefined) wanted.set(dir, id);
      }
    }
    if (this.disposed) return;
    for (const [dir, w] of this.watchers) {
      if (wanted.get(dir) !== w.id) {
        w.watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const [dir, id] of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = fs.watch(dir, { persistent: false }, (_event, name) => this.onEvent(dir, name ? String(name) : undefined));
        watcher.on('error', () => {
          watcher.close();
          if (this.watchers.get(dir)?.watcher === watcher) this.watchers.delete(dir);
          this.look();
        });
        this.watchers.set(dir, { watcher, id });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue; // gone since: the event of the folder above brings another look
        this.dispose();
        this.onUnwatchable();
        return;
      }
      // Whatever was made in it before the watch started: the store lists the folder again.
      if (this.started && (dir === this.storeDir || path.dirname(dir) === this.storeDir)) this.onChange(dir);
      // A folder made in it after this look found none there, but before the watch (`mkdir -p` makes
      // `.custodian`, then `team`), made no event: look again, now that it is watched.
      if (this.chain.includes(dir) && (dir !== this.storeDir || this.options.depth === 'tree')) this.lookAgain = true;
    }
  }

  private onEvent(dir: string, name: string | undefined): void {
    const depth = this.chain.indexOf(dir);
    if (depth >= 0 && depth < this.chain.length - 1) {
      // Above the store: only the next folder on the way matters (the workspace folder's top changes often).
      if (name === undefined || name === path.basename(this.chain[depth + 1])) this.look();
      return;
    }
    this.onChange(name === undefined ? dir : path.join(dir, name));
    if (dir === this.storeDir && this.options.depth === 'tree') this.look();
  }
}

/** A folder's identity (folderIdentity), or undefined when it is no folder. */
async function directoryId(p: string): Promise<string | undefined> {
  return fs.promises.stat(p).then(
    (s) => (s.isDirectory() ? folderIdentity(s) : undefined),
    () => undefined,
  );
}
