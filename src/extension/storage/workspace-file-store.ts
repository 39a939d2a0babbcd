// The one store of workspace files that the team roster (`.custodian/team/`), the share sets
// (`.custodian/shares/`) and the shared MFA seeds (`.custodian/mfa/`) are built on: one directory in
// every workspace folder, watched (a burst of events, such as a git checkout, makes one change), with
// what was read from each file cached per version of that file (mtime and size), so a list after a
// change re-reads only what changed, and a fact learnt from one version never describes another.
import * as vscode from 'vscode';
import { watchStoreDir } from './store-dir-watcher';
import { Debouncer, readDirectoryIfExists, WATCH_DEBOUNCE_MS } from './workspace-files';

/** `mtime:size`: what identifies one version of a file. */
export type FileVersion = string;

export function versionOf(stat: vscode.FileStat): FileVersion {
  return `${stat.mtime}:${stat.size}`;
}

export interface WorkspaceFileStoreOptions<T> {
  /** The directory under each workspace folder, e.g. `['.custodian', 'team']`. */
  readonly dir: readonly string[];
  /** Watch files directly in the directory, or also those in its folders (share sets, the roster's records). */
  readonly depth: 'files' | 'tree';
  /** What the store keeps of one version of a file (`read`); failures are the caller's to turn into values. */
  readonly read?: (uri: vscode.Uri, stat: vscode.FileStat) => Promise<T>;
  /** Other events after which a list may differ (my keys changed, …). */
  readonly alsoChangesOn?: readonly vscode.Event<unknown>[];
}

export class WorkspaceFileStore<T> implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires (debounced) when a file under the directory changes on disk, a folder is added or removed, or `changed` is called. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly fileEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires at once with each file that changed or was deleted on disk: anything read from it is stale. */
  readonly onDidChangeFile = this.fileEmitter.event;
  private readonly cache = new Map<string, { version: FileVersion; value: T }>();
  private readonly debounce = new Debouncer(WATCH_DEBOUNCE_MS, () => this.changeEmitter.fire());
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: WorkspaceFileStoreOptions<T>) {
    const changed = () => this.debounce.schedule();
    this.subscriptions = [
      this.changeEmitter,
      this.fileEmitter,
      this.debounce,
      watchStoreDir(options, (uri) => {
        this.cache.delete(uri.toString());
        this.fileEmitter.fire(uri);
        changed();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(changed),
      ...(options.alsoChangesOn ?? []).map((event) => event(changed)),
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  /** The store's directory in `folder`. */
  dir(folder: vscode.WorkspaceFolder): vscode.Uri {
    return vscode.Uri.joinPath(folder.uri, ...this.options.dir);
  }

  /** The directory's entries in `folder` (none when it does not exist). */
  entries(folder: vscode.WorkspaceFolder): Promise<[string, vscode.FileType][]> {
    return readDirectoryIfExists(this.dir(folder));
  }

  /** What `read` made of the file's current version (read again only when the version changed). Throws when the file cannot be stat'ed. */
  async read(uri: vscode.Uri): Promise<{ value: T; version: FileVersion }> {
    const stat = await vscode.workspace.fs.stat(uri);
    const version = versionOf(stat);
    const cached = this.cache.get(uri.toString());
    if (cached?.version === version) return cached;
    if (!this.options.read) throw new Error(`the store of ${this.options.dir.join('/')} keeps nothing per file`);
    const entry = { version, value: await this.options.read(uri, stat) };
    this.cache.set(uri.toString(), entry);
    return entry;
  }

  /** After the store wrote or deleted `uri` itself: forget what was read from it, and fire now (not debounced). */
  changed(uri?: vscode.Uri): void {
    if (uri) {
      this.cache.delete(uri.toString());
      this.fileEmitter.fire(uri);
    }
    this.changeEmitter.fire();
  }
}
