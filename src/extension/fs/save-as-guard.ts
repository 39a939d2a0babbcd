// "Save As…" of a decrypted document writes its text to the file the person names through VS Code's own
// file system, not Custodian's: plaintext on disk, and a copy in Local History. VS Code offers it in
// its "Failed to save" notice too, after Custodian refused a save (conflict markers left, a signer to
// confirm), where it reads as the way out; a trial took it. Save As opens its target as a new document
// and runs save participants on it before writing: this one replaces a text that is exactly an open
// decrypted document's, in a document opened moments before (as Save As opens its target), with a line
// saying why, and says so. "Decrypt to File…" remains the way to a decrypted copy on purpose.
import * as vscode from 'vscode';

/** How recently the target was opened for its save to count as a Save As of another document. */
const SAVE_AS_WINDOW_MS = 10_000;

export class SaveAsGuard implements vscode.Disposable {
  /** When each document that is not a decrypted one was opened (uri → time). */
  private readonly openedAt = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    /** Whether a document is a decrypted view (`custodian-enc:`, `custodian-values:`). */
    private readonly isDecrypted: (uri: vscode.Uri) => boolean,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (!this.isDecrypted(d.uri)) this.openedAt.set(d.uri.toString(), Date.now());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.openedAt.delete(d.uri.toString())),
      vscode.workspace.onWillSaveTextDocument((e) => this.check(e)),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private check(e: vscode.TextDocumentWillSaveEvent): void {
    const target = e.document;
    if (this.isDecrypted(target.uri)) return;
    const opened = this.openedAt.get(target.uri.toString());
    if (opened === undefined || Date.now() - opened > SAVE_AS_WINDOW_MS) return;
    const text = target.getText();
    if (text.trim() === '') return;
    const source = vscode.workspace.textDocuments.find((d) => d !== target && this.isDecrypted(d.uri) && d.getText() === text);
    if (!source) return;
    const notice = vscode.l10n.t('(Custodian did not let VS Code save the decrypted text of {0} here. To keep a decrypted copy on disk on purpose, use "Decrypt to File…".)', source.uri.path.split('/').pop() ?? '');
    const all = new vscode.Range(target.positionAt(0), target.positionAt(text.length));
    e.waitUntil(Promise.resolve([vscode.TextEdit.replace(all, `${notice}\n`)]));
    this.log.warn(`save as: the decrypted text of ${source.uri.path.split('/').pop()} was not written to ${target.uri.scheme}:${target.uri.path.split('/').pop()}`);
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Not written in the clear: {0} would have held the decrypted text of {1}. It holds a note saying so instead. Delete it, or use "Decrypt to File…" to keep a decrypted copy on purpose.', vscode.workspace.asRelativePath(target.uri), source.uri.path.split('/').pop() ?? ''),
    );
  }
}
