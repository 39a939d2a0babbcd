// Plaintext shown in read-only documents served from memory: decrypted armored blocks (`custodian-peek:`)
// and secrets recovered from a share set (`custodian-recovered:`). Not untitled documents: VS Code backs
// dirty untitled editors up to disk in the clear (hot exit, `User/Backups/…`) within seconds. Not a text
// document content provider either: VS Code saves a document no file system serves with *Save As*, so
// Ctrl+S and Enter wrote the secret into the workspace. A read-only file system: its documents are never
// dirty (never backed up) and Save does nothing. Their text lives only here and is dropped when the
// document closes (or after a while, if it is never opened).
import * as vscode from 'vscode';
import { hexEncode } from '../../core/bytes';

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

  /** @param expiredText what a URI shows once its text was dropped (e.g. an editor restored after a reload). */
  constructor(
    private readonly scheme: string,
    expiredText: string,
  ) {
    this.expired = new TextEncoder().encode(expiredText);
    this.subscriptions = [
      this.changes,
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
    return uri;
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
