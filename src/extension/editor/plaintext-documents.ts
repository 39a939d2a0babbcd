// Plaintext shown in read-only documents served from memory: decrypted armored blocks (`custodian-peek:`)
// and secrets recovered from a share set (`custodian-recovered:`). Not untitled documents: VS Code backs
// dirty untitled editors up to disk in the clear (hot exit, `User/Backups/…`) within seconds. Not a text
// document content provider either: VS Code saves a document no file system serves with *Save As*, so
// Ctrl+S and Enter wrote the secret into the workspace. A read-only file system: its documents are never
// dirty (never backed up) and Save does nothing. Their text lives only here and is dropped when the
// document closes (or after a while, if it is never opened).
import * as vscode from 'vscode';
import { hexEncode } from '../../core/bytes';
import { KeyedDigest } from '../keyed-digest';
import { LocalHistory } from '../storage/local-history';

export const PEEK_SCHEME = 'custodian-peek';
export const RECOVERED_SCHEME = 'custodian-recovered';
const UNOPENED_TTL_MS = 60_000;

interface Content {
  readonly bytes: Uint8Array;
  readonly mtime: number;
  /** Set until the document is opened. */
  timer?: ReturnType<typeof setTimeout>;
}

export class PlaintextDocuments implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly contents = new Map<string, Content>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly expired: Uint8Array;
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  /** Never fires: the text of a URI never changes. */
  readonly onDidChangeFile = this.changes.event;

  /**
   * Keyed digests of every text shown this session: File › Save As can still write one to a path the
   * person types (VS Code offers extensions no hook before it writes), so a save of a file whose text is
   * one of them is caught afterwards and deleting it, with its Local History copies, is offered.
   */
  private readonly shown: { length: number; digest: Uint8Array }[] = [];
  private readonly digests = new KeyedDigest();

  /**
   * @param expiredText what a URI shows once its text was dropped (e.g. an editor restored after a reload).
   * @param what how the text is named when a copy of it was saved ("the recovered secret").
   * @param globalStorageUri where VS Code's user data is, for its Local History copies.
   */
  constructor(
    private readonly scheme: string,
    expiredText: string,
    private readonly what: string,
    private readonly globalStorageUri: vscode.Uri,
  ) {
    this.expired = new TextEncoder().encode(expiredText);
    this.subscriptions = [
      this.changes,
      vscode.workspace.onDidSaveTextDocument((d) => void this.checkSaved(d)),
      vscode.workspace.registerFileSystemProvider(scheme, this, {
        isCaseSensitive: true,
        isReadonly: new vscode.MarkdownString(vscode.l10n.t('Held in memory only: Custodian never saves this text to disk.')),
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        const content = this.contents.get(keyOf(d.uri));
        if (content) {
          clearTimeout(content.timer);
          content.timer = undefined;
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === scheme) this.forget(d.uri);
      }),
    ];
  }

  dispose(): void {
    for (const c of this.contents.values()) {
      clearTimeout(c.timer);
      c.bytes.fill(0);
    }
    this.contents.clear();
    for (const d of this.subscriptions) d.dispose();
  }

  /** Registers `text` under a fresh, unguessable URI whose file name is `title`. */
  add(title: string, text: string): vscode.Uri {
    const id = hexEncode(globalThis.crypto.getRandomValues(new Uint8Array(8)));
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${title}`, query: id });
    const content: Content = { bytes: new TextEncoder().encode(text), mtime: Date.now() };
    content.timer = setTimeout(() => {
      if (!vscode.workspace.textDocuments.some((d) => keyOf(d.uri) === keyOf(uri))) this.forget(uri);
    }, UNOPENED_TTL_MS);
    this.contents.set(keyOf(uri), content);
    this.shown.push({ length: text.length, digest: this.digests.of(text) });
    return uri;
  }

  /** A file saved with exactly a text shown here: offers to delete it and its Local History copies. */
  private async checkSaved(document: vscode.TextDocument): Promise<void> {
    if (document.uri.scheme !== 'file' || !this.shown.some((s) => s.length === document.getText().length)) return;
    const digest = this.digests.of(document.getText());
    if (!this.shown.some((s) => this.digests.same(s.digest, digest))) return;
    const file = document.uri;
    const name = vscode.workspace.asRelativePath(file);
    const remove = vscode.l10n.t('Delete the File');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} now holds {1} in the clear. Delete it?', name, this.what),
      {
        modal: true,
        detail: vscode.l10n.t('It is deleted from the disk (not moved to the trash), with the copies VS Code keeps in its Local History. Keep it only outside every repository, and protect it yourself.'),
      },
      remove,
      vscode.l10n.t('Keep It'),
    );
    if (answer !== remove) return;
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file.toString());
    await vscode.window.tabGroups.close(tabs);
    await vscode.workspace.fs.delete(file, { useTrash: false });
    const history = new LocalHistory(this.globalStorageUri);
    // VS Code may still be writing the save's copy: looked for again a moment later.
    await history.remove(file);
    await new Promise((r) => setTimeout(r, 1500));
    await history.remove(file);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const content = this.contents.get(keyOf(uri));
    if (!content && uri.path === '/') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const bytes = content?.bytes ?? this.expired;
    return { type: vscode.FileType.File, ctime: content?.mtime ?? 0, mtime: content?.mtime ?? 0, size: bytes.length, permissions: vscode.FilePermission.Readonly };
  }

  readFile(uri: vscode.Uri): Uint8Array {
    return (this.contents.get(keyOf(uri))?.bytes ?? this.expired).slice();
  }

  readDirectory(): [string, vscode.FileType][] {
    return []; // nothing to list: each document is reached by its own unguessable URI
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined); // the text of a URI never changes
  }

  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  /** How many documents hold plaintext (tests). */
  get size(): number {
    return this.contents.size;
  }

  private forget(uri: vscode.Uri): void {
    const key = keyOf(uri);
    const content = this.contents.get(key);
    if (!content) return;
    clearTimeout(content.timer);
    content.bytes.fill(0);
    this.contents.delete(key);
  }
}

/**
 * What Ctrl+S and Save As do in such a document (package.json binds them there): say why nothing is
 * written, rather than nothing at all, or a Save As dialog that puts the plaintext in the workspace.
 */
export function explainInMemoryDocument(): string {
  const scheme = vscode.window.activeTextEditor?.document.uri.scheme;
  const message =
    scheme === RECOVERED_SCHEME
      ? vscode.l10n.t('The recovered secret is held in memory only and never saved to disk. To keep it, run Recover Secret again and choose Save Encrypted, or copy it into your password manager.')
      : vscode.l10n.t('This decrypted text is held in memory only and never saved to disk; the block stays encrypted in its file.');
  void vscode.window.showInformationMessage(message);
  return message;
}

/** The URI as this provider names it: scheme, path and the id in the query (a fragment is not ours). */
function keyOf(uri: vscode.Uri): string {
  return `${uri.scheme}:${uri.path}?${uri.query}`;
}
