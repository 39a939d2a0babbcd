// "Save As…" of a decrypted document writes its text to the file the person names through VS Code's own
// file system, not Custodian's: plaintext on disk, and a copy in Local History. VS Code offers it in
// its "Failed to save" notice too, after Custodian refused a save (conflict markers left, a signer to
// confirm), where it reads as the way out; a trial took it. Save As gives its target the source's text
// and runs save participants on it before writing: this one replaces a text that is an open decrypted
// document's (up to trailing whitespace, which other participants may trim first) with a line saying
// why, and says so. The target may be a new file or one already open (a second Save As onto the first
// copy), so any save is compared. "Decrypt to File…" remains the way to a decrypted copy on purpose.
import * as vscode from 'vscode';

/** A text as compared: other save participants (trim trailing whitespace, final newline) may run first. */
function comparable(text: string): string {
  return text.replace(/[ \t]+$/gm, '').replace(/\s+$/, '');
}

export class SaveAsGuard implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    /** Whether a document is a decrypted view (`custodian-enc:`, `custodian-values:`). */
    private readonly isDecrypted: (uri: vscode.Uri) => boolean,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = vscode.workspace.onWillSaveTextDocument((e) => this.check(e));
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private check(e: vscode.TextDocumentWillSaveEvent): void {
    const target = e.document;
    if (this.isDecrypted(target.uri)) return;
    // Saves with no decrypted document open, the usual case, cost this filter only.
    const decrypted = vscode.workspace.textDocuments.filter((d) => d !== target && this.isDecrypted(d.uri));
    if (decrypted.length === 0) return;
    const text = comparable(target.getText());
    if (text === '') return;
    const source = decrypted.find((d) => comparable(d.getText()) === text);
    if (!source) return;
    const name = source.uri.path.split('/').pop() ?? '';
    const notice = vscode.l10n.t('(Custodian did not let VS Code save the decrypted text of {0} here. To keep a decrypted copy on disk on purpose, use "Decrypt to File…".)', name);
    const all = new vscode.Range(target.positionAt(0), target.positionAt(target.getText().length));
    e.waitUntil(Promise.resolve([vscode.TextEdit.replace(all, `${notice}\n`)]));
    this.log.warn(`save as: the decrypted text of ${name} was not written to ${target.uri.scheme}:${target.uri.path.split('/').pop()}`);
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Not written in the clear: {0} would have held the decrypted text of {1}. It holds a note saying so instead. Delete it, or use "Decrypt to File…" to keep a decrypted copy on purpose.', vscode.workspace.asRelativePath(target.uri), name),
    );
  }
}
