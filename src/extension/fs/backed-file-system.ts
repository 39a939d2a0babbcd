// What the file systems that show another file share (custodian-enc: a `.enc` as its plaintext,
// custodian-values: a value-encrypted file decrypted): a shown URI is always one file, stat'ed and
// watched through the file on disk behind it, and never created, deleted or renamed through the view
// (those act on the file on disk, in the Explorer). Subclasses read and write.
import * as vscode from 'vscode';
import { basename } from './enc-uri';

function notSavedElsewhere(): vscode.FileSystemError {
  return vscode.FileSystemError.NoPermissions(
    vscode.l10n.t('A decrypted file is saved only into its own encrypted file, never under another name. To keep a decrypted copy on disk, use "Decrypt to File…" or "Decrypt Values to New File…".'),
  );
}

export abstract class BackedFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  /** One watcher per backing file however many editors watch it, disposed with the last of them. */
  private readonly watchers = new Map<string, { watcher: vscode.FileSystemWatcher; refs: number }>();

  constructor(
    /** The file on disk behind a URI of the provider's scheme. */
    protected readonly backingFile: (shown: vscode.Uri) => vscode.Uri,
    /** Which changes of the backing file are reported on the shown URI. */
    private readonly reportedChanges: readonly vscode.FileChangeType[],
    /** True for the URIs the provider shows its backing file under (any other path keeps the query, not the file). */
    private readonly isShownUri: (uri: vscode.Uri) => boolean,
  ) {}

  /**
   * Refuses a URI that names another path with a shown file's query: what "Save As…" makes of a decrypted
   * document. Its backing file is still the original, so writing it would re-encrypt the original under
   * a tab named like a new file the user believes is a copy; reading or stat'ing it would say that file
   * exists.
   */
  protected checkShown(uri: vscode.Uri, writing: boolean): void {
    if (this.isShownUri(uri)) return;
    if (!writing) throw vscode.FileSystemError.FileNotFound(uri);
    throw notSavedElsewhere();
  }

  abstract readFile(uri: vscode.Uri): Promise<Uint8Array>;
  abstract writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void>;

  watch(uri: vscode.Uri): vscode.Disposable {
    const k = uri.toString();
    let w = this.watchers.get(k);
    if (!w) {
      const file = this.backingFile(uri);
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(file, '..'), basename(file.path)));
      const fire = (type: vscode.FileChangeType) => () => this.emitter.fire([{ type, uri }]);
      const events = { [vscode.FileChangeType.Changed]: watcher.onDidChange, [vscode.FileChangeType.Created]: watcher.onDidCreate, [vscode.FileChangeType.Deleted]: watcher.onDidDelete };
      for (const type of this.reportedChanges) events[type](fire(type));
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

  /** Tells VS Code the shown file changed (its open, unmodified documents reload), e.g. after a write it must not miss. */
  announceChange(uri: vscode.Uri): void {
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    this.checkShown(uri, false);
    const s = await this.statBackingFile(uri);
    if (s.type & vscode.FileType.Directory) throw vscode.FileSystemError.FileIsADirectory(uri);
    return { type: vscode.FileType.File, ctime: s.ctime, mtime: s.mtime, size: s.size, permissions: s.permissions };
  }

  /** The backing file's stat; a missing file is reported as the shown URI not found. */
  protected async statBackingFile(shown: vscode.Uri): Promise<vscode.FileStat> {
    try {
      return await vscode.workspace.fs.stat(this.backingFile(shown));
    } catch {
      throw vscode.FileSystemError.FileNotFound(shown);
    }
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    throw vscode.FileSystemError.FileNotADirectory(uri);
  }

  /**
   * Asked for only when a save finds no file at the URI and creates its folders first: Save As to another
   * path, or a save of a document whose file was moved, renamed or deleted since it was opened (the
   * folder's URI keeps the file's query). Neither writes: the second is said as it is.
   */
  async createDirectory(uri: vscode.Uri): Promise<void> {
    let file: vscode.Uri | undefined;
    try {
      file = uri.query ? this.backingFile(uri) : undefined;
    } catch {
      file = undefined;
    }
    const gone = file !== undefined && file.scheme === 'file' && !(await vscode.workspace.fs.stat(file).then(() => true, () => false));
    if (!gone) throw notSavedElsewhere();
    throw movedSinceOpened(file!);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(oldUri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(oldUri);
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.watcher.dispose();
    this.watchers.clear();
    this.emitter.dispose();
  }
}

/** A save of a document whose file was moved, renamed or deleted since it was opened: written nowhere. */
export function movedSinceOpened(file: vscode.Uri): vscode.FileSystemError {
  return vscode.FileSystemError.FileNotFound(
    vscode.l10n.t('{0} is no longer where it was opened (moved, renamed or deleted since): nothing was saved. Move it back to save this edit into it, or open it where it is now.', vscode.workspace.asRelativePath(file)),
  );
}
