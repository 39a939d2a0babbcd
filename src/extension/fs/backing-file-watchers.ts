// A file system provider that shows another file (a `.enc` as its plaintext, a value-encrypted file
// decrypted) learns of changes through a watcher on that backing file: one per file however many
// editors watch it, disposed with the last of them, its events reported on the shown URI.
import * as vscode from 'vscode';
import { basename } from './enc-uri';

export class BackingFileWatchers implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly watchers = new Map<string, { watcher: vscode.FileSystemWatcher; refs: number }>();

  constructor(
    /** The file on disk behind a URI of the provider's scheme. */
    private readonly backingFile: (shown: vscode.Uri) => vscode.Uri,
    /** Which changes of the backing file are reported. */
    private readonly types: readonly vscode.FileChangeType[],
  ) {}

  /** FileSystemProvider.watch: starts (or shares) the backing file's watcher. */
  watch(uri: vscode.Uri): vscode.Disposable {
    const k = uri.toString();
    let w = this.watchers.get(k);
    if (!w) {
      const file = this.backingFile(uri);
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(file, '..'), basename(file.path)));
      const fire = (type: vscode.FileChangeType) => () => this.emitter.fire([{ type, uri }]);
      const events = { [vscode.FileChangeType.Changed]: watcher.onDidChange, [vscode.FileChangeType.Created]: watcher.onDidCreate, [vscode.FileChangeType.Deleted]: watcher.onDidDelete };
      for (const type of this.types) events[type](fire(type));
      w = { watcher, refs: 0 };
      this.watchers.set(k, w);
    }
    w.refs++;
    return new vscode.Disposable(() => {
      const current = this.watchers.get(k);
      if (!current || --current.refs > 0) return;
      current.watcher.dispose();
      this.watchers.delete(k);
    });
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.watcher.dispose();
    this.watchers.clear();
    this.emitter.dispose();
  }
}
