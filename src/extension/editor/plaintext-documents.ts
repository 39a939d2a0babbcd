// Plaintext shown in read-only documents served from memory: decrypted armored blocks (`custodian-peek:`)
// and secrets recovered from a share set (`custodian-recovered:`). Not untitled documents: VS Code backs
// dirty untitled editors up to disk in the clear (hot exit, `User/Backups/…`) within seconds. A document
// from a content provider is read-only, so never dirty, so never backed up. Its text lives only here and
// is dropped when the document closes (or after a while, if it is never opened).
import * as vscode from 'vscode';
import { hexEncode } from '../../core/bytes';

export const PEEK_SCHEME = 'custodian-peek';
export const RECOVERED_SCHEME = 'custodian-recovered';
const UNOPENED_TTL_MS = 60_000;

interface Content {
  text: string;
  /** Set until the document is opened. */
  timer?: ReturnType<typeof setTimeout>;
}

export class PlaintextDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, Content>();
  private readonly subscriptions: vscode.Disposable[];

  /** @param expiredText what a URI shows once its text was dropped (e.g. an editor restored after a reload). */
  constructor(
    private readonly scheme: string,
    private readonly expiredText: string,
  ) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(scheme, this),
      vscode.workspace.onDidOpenTextDocument((d) => {
        const content = this.contents.get(d.uri.toString());
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
    for (const c of this.contents.values()) clearTimeout(c.timer);
    this.contents.clear();
    for (const d of this.subscriptions) d.dispose();
  }

  /** Registers `text` under a fresh, unguessable URI whose file name is `title`. */
  add(title: string, text: string): vscode.Uri {
    const id = hexEncode(globalThis.crypto.getRandomValues(new Uint8Array(8)));
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${title}`, query: id });
    const content: Content = { text };
    content.timer = setTimeout(() => {
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) this.forget(uri);
    }, UNOPENED_TTL_MS);
    this.contents.set(uri.toString(), content);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString())?.text ?? this.expiredText;
  }

  /** How many documents hold plaintext (tests). */
  get size(): number {
    return this.contents.size;
  }

  private forget(uri: vscode.Uri): void {
    clearTimeout(this.contents.get(uri.toString())?.timer);
    this.contents.delete(uri.toString());
  }
}
