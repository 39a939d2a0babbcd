// "Save As…" of a decrypted document writes its text to the file the person names through VS Code's own
// file system, not Custodian's: plaintext on disk, and a copy in Local History. VS Code offers it in
// its "Failed to save" notice too, after Custodian refused a save (conflict markers left, a signer to
// confirm), where it reads as the way out; a trial took it. Save As gives its target the source's text
// and runs save participants on it before writing: this one replaces a text that is an open decrypted
// document's (up to trailing whitespace, which other participants may trim first) with a line saying
// why, and says so. The target may be a new file or one already open (a second Save As onto the first
// copy), so any save is compared. "Decrypt to File…" ("Decrypt Values to New File…" for a value-encrypted
// file) remains the way to a decrypted copy on purpose.
// Once the target is written, Save As reverts its source: unsaved edits of the decrypted document would
// then be in neither file, so they are put back into it (unsaved, as they were).
// The note replaces the text as an edit of the target, which Undo reverses (a red team's Ctrl+Z, then a
// save, wrote the plaintext): whenever the target's text becomes the replaced text again, the note
// replaces it again at once, before a save or VS Code's backup a second later. The replaced text is
// known by its keyed digest only.
import * as vscode from 'vscode';
import { KeyedDigest } from '../keyed-digest';
import { until } from '../until';
import { VALUES_SCHEME } from './values-uri';

/** How long Save As may take, after the target's participants ran, to revert its source. */
const REVERT_WAIT_MS = 5_000;

/** A text as compared: other save participants (trim trailing whitespace, final newline) may run first. */
function comparable(text: string): string {
  return text.replace(/[ \t]+$/gm, '').replace(/\s+$/, '');
}

export class SaveAsGuard implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private readonly digests = new KeyedDigest();
  /** Targets whose decrypted text was replaced by a note: the text's digest, and the note. */
  private readonly replaced = new Map<string, { digest: Uint8Array; note: string }>();

  constructor(
    /** Whether a document is a decrypted view (`custodian-enc:`, `custodian-values:`). */
    private readonly isDecrypted: (uri: vscode.Uri) => boolean,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onWillSaveTextDocument((e) => this.check(e)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.replaced.size > 0) void this.replaceAgain(e.document);
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.replaced.clear();
  }

  /** A target whose text is the replaced decrypted text again (an undo): the note, at once. */
  private async replaceAgain(target: vscode.TextDocument): Promise<void> {
    const entry = this.replaced.get(target.uri.toString());
    if (!entry || !this.digests.same(this.digests.of(comparable(target.getText())), entry.digest)) return;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(target.uri, new vscode.Range(target.positionAt(0), target.positionAt(target.getText().length)), entry.note);
    if (await vscode.workspace.applyEdit(edit)) this.log.warn(`save as: the decrypted text came back into ${target.uri.path.split('/').pop() ?? ''} (undo?); the note replaces it again`);
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
    if (source.isDirty) void this.keepEdits(source, source.getText());
    // The command that makes a decrypted copy of this kind of file: a value-encrypted one has its own.
    const decryptCommand = source.uri.scheme === VALUES_SCHEME ? vscode.l10n.t('Decrypt Values to New File…') : vscode.l10n.t('Decrypt to File…');
    const notice = vscode.l10n.t('(Custodian did not let VS Code save the decrypted text of {0} here. To keep a decrypted copy on disk on purpose, use "{1}".)', name, decryptCommand);
    const all = new vscode.Range(target.positionAt(0), target.positionAt(target.getText().length));
    this.replaced.set(target.uri.toString(), { digest: this.digests.of(text), note: `${notice}\n` });
    e.waitUntil(Promise.resolve([vscode.TextEdit.replace(all, `${notice}\n`)]));
    this.log.warn(`save as: the decrypted text of ${name} was not written to ${target.uri.scheme}:${target.uri.path.split('/').pop()}`);
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Not written in the clear: {0} would have held the decrypted text of {1}. It holds a note saying so instead. Delete it, or use "{2}" to keep a decrypted copy on purpose.', vscode.workspace.asRelativePath(target.uri), name, decryptCommand),
    );
  }

  /** When Save As reverts `source` (or closes it), its unsaved `text` goes back into it, shown and unsaved. */
  private async keepEdits(source: vscode.TextDocument, text: string): Promise<void> {
    const uri = source.uri;
    const lost = (): boolean => source.isClosed || (!source.isDirty && source.getText() !== text);
    if (!(await until([vscode.workspace.onDidChangeTextDocument, vscode.workspace.onDidCloseTextDocument], lost, REVERT_WAIT_MS))) return;
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      if (doc.getText() === text) return;
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text));
      this.log.info(`save as: the unsaved edits of ${uri.path.split('/').pop() ?? ''} were put back`);
    } catch (err) {
      this.log.warn(`save as: could not put back the unsaved edits: ${err instanceof Error ? err.name : 'Error'}`);
    }
  }
}
