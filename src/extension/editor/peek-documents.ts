// Read-only previews of decrypted armored blocks (`custodian-peek:`), served from memory. Being
// read-only they are never modified, so VS Code never backs them up; the plaintext is dropped when
// the preview closes (or after a while, if it is never opened).
import * as vscode from 'vscode';

export const PEEK_SCHEME = 'custodian-peek';
const UNOPENED_TTL_MS = 60_000;
const EXPIRED_TEXT = '(This preview has expired. Run "Decrypt" on the block again.)\n';

export class PeekDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, { text: string; timer?: ReturnType<typeof setTimeout> }>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];
  private counter = 0;

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        const entry = this.contents.get(d.uri.toString());
        if (entry?.timer) clearTimeout(entry.timer);
        if (entry) entry.timer = undefined;
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === PEEK_SCHEME) this.forget(d.uri);
      }),
    );
  }

  dispose(): void {
    for (const e of this.contents.values()) clearTimeout(e.timer);
    this.contents.clear();
    for (const d of this.subscriptions) d.dispose();
  }

  /** Registers plaintext under a fresh URI named after its source. */
  add(source: vscode.Uri, label: string, text: string): vscode.Uri {
    const name = source.path.slice(source.path.lastIndexOf('/') + 1) || 'untitled';
    const uri = vscode.Uri.from({ scheme: PEEK_SCHEME, path: `/${name} (${label})`, query: `n=${++this.counter}` });
    const entry: { text: string; timer?: ReturnType<typeof setTimeout> } = { text };
    entry.timer = setTimeout(() => {
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) this.forget(uri);
    }, UNOPENED_TTL_MS);
    this.contents.set(uri.toString(), entry);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString())?.text ?? EXPIRED_TEXT;
  }

  /** How many previews hold plaintext (tests). */
  get size(): number {
    return this.contents.size;
  }

  private forget(uri: vscode.Uri): void {
    const entry = this.contents.get(uri.toString());
    if (entry) clearTimeout(entry.timer);
    this.contents.delete(uri.toString());
  }
}
