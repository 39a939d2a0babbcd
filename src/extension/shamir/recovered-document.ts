// Where a recovered secret is shown. Not an untitled document: VS Code backs dirty untitled editors
// up to disk in the clear (hot exit, `User/Backups/…/untitled/…`) within seconds, which the Recover
// command promises never to do. A read-only document from a content provider is never dirty, so it
// is never backed up; its text lives in this object and is dropped when the editor closes.
import * as vscode from 'vscode';

export const RECOVERED_SCHEME = 'custodian-recovered';

export class RecoveredDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(RECOVERED_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === RECOVERED_SCHEME) this.contents.delete(doc.uri.toString());
      }),
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.contents.clear();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Opens `text` in a read-only editor titled `title` (a file name, e.g. `db-root.txt`). */
  async show(title: string, text: string): Promise<vscode.TextEditor> {
    const id = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
    const uri = vscode.Uri.from({ scheme: RECOVERED_SCHEME, path: `/${id}/${title}` });
    this.contents.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: false });
  }
}
