// VS Code's workspace watcher on Linux (parcel, over inotify, which watches one folder at a time) watches a
// folder made while it runs, but not the folders made inside it at once: a pull or a checkout bringing
// `deploy/prod/app.env.enc` is reported as `deploy` alone, and nothing under it, then or later, for the
// rest of the session (parcel-bundler/watcher#97, microsoft/vscode#142694, closed there as upstream). An
// encrypted file a pull brings would go unannounced, and a teammate's later version of it too. So, on
// Linux, each folder the workspace watcher reports as new is watched inside by us: one `fs.watch` per
// folder of its tree, each started before the folder is listed, so files made before it are reported as
// well. Folders that existed at start-up stay VS Code's. One set of watches, shared by every subscriber.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { folderIdentity } from './folder-identity';

/** Never looked into: they are large, and hold no file of the workspace's own. */
const SKIPPED = new Set(['node_modules', '.git']);
/** inotify watches are a per-user budget VS Code also draws on: a huge new tree (a build) is watched only this far. */
const MAX_FOLDERS = 1000;

type Listener = (uri: vscode.Uri) => void;

let shared: NewFolderTrees | undefined;

/**
 * Calls `onFile` with each file created, changed or deleted inside a folder tree that appeared in the
 * workspace after start-up, where VS Code's watcher is blind (see above); nothing elsewhere, nor off Linux.
 */
export function watchNewFolderTrees(onFile: Listener): vscode.Disposable {
  if (process.platform !== 'linux') return new vscode.Disposable(() => undefined);
  shared ??= new NewFolderTrees();
  const trees = shared;
  trees.listeners.add(onFile);
  return new vscode.Disposable(() => {
    trees.listeners.delete(onFile);
    if (trees.listeners.size > 0) return;
    trees.dispose();
    if (shared === trees) shared = undefined;
  });
}

class NewFolderTrees {
  readonly listeners = new Set<Listener>();
  /**
   * By folder, with its identity (folderIdentity: a folder deleted and made again, a checkout, needs a new
   * watch) and its inode number alone (what an event checks: see onEvent).
   */
  private readonly watchers = new Map<string, { watcher: fs.FSWatcher; id: string; ino: number }>();
  private readonly created: vscode.FileSystemWatcher;
  private disposed = false;

  constructor() {
    // Folders only: files VS Code reports, it reports to the subscribers' own watchers too.
    this.created = vscode.workspace.createFileSystemWatcher('**/*', false, true, true);
    this.created.onDidCreate((uri) => {
      if (uri.scheme === 'file') void this.watchIfFolder(uri.fsPath);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.created.dispose();
    for (const w of this.watchers.values()) w.watcher.close();
    this.watchers.clear();
  }

  private emit(file: string): void {
    const uri = vscode.Uri.file(file);
    for (const listener of [...this.listeners]) listener(uri);
  }

  private async watchIfFolder(p: string): Promise<void> {
    const stat = await fs.promises.lstat(p).catch(() => undefined);
    if (stat?.isDirectory()) await this.watchTree(p, stat);
  }

  /** Watches `dir` and the folders in it, then reports the files already there. */
  private async watchTree(dir: string, stat: fs.Stats): Promise<void> {
    const id = folderIdentity(stat);
    if (this.disposed || SKIPPED.has(path.basename(dir))) return;
    const known = this.watchers.get(dir);
    if (known?.id === id) return;
    if (known) this.forget(dir);
    if (this.watchers.size >= MAX_FOLDERS) return;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, { persistent: false }, (_event, name) => void this.onEvent(dir, name ? String(name) : undefined));
    } catch {
      return; // gone already, or no watch left: VS Code's watcher is all there is
    }
    watcher.on('error', () => this.forget(dir));
    this.watchers.set(dir, { watcher, id, ino: stat.ino });
    const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await this.watchIfFolder(p);
      else this.emit(p);
    }
  }

  private async onEvent(dir: string, name: string | undefined): Promise<void> {
    const self = await fs.promises.lstat(dir).catch(() => undefined);
    // The inode number alone: where a file system has no birth time, Node may give the change time, which
    // every file added changes; a folder made again with the same number is re-watched when it is reported.
    if (!self?.isDirectory() || self.ino !== this.watchers.get(dir)?.ino) {
      this.forget(dir); // deleted (or replaced): the folder above, or VS Code's watcher, reports it
      return;
    }
    if (name === undefined) return;
    const p = path.join(dir, name);
    const stat = await fs.promises.lstat(p).catch(() => undefined);
    if (stat?.isDirectory()) await this.watchTree(p, stat);
    else {
      if (!stat) this.forget(p);
      this.emit(p);
    }
  }

  /** Stops watching `dir` and every folder under it. */
  private forget(dir: string): void {
    for (const [d, w] of this.watchers) {
      if (d !== dir && !d.startsWith(dir + path.sep)) continue;
      w.watcher.close();
      this.watchers.delete(d);
    }
  }
}
