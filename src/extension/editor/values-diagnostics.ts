// Problems in a decrypted value-encrypted document (custodian-values:) as it is edited: what saving would
// refuse (a line that is not NAME=value, JSON or YAML that does not parse, a key twice, an alias copying an
// encrypted value, a value a slip of syntax would write readable: `pass: &Sup3r!`), marked on its
// line in the editor and in the Problems view, so the save is not the first to say it. It also lets
// VS Code's `files.autoSaveWhenNoErrors` hold auto-save back until the document parses, instead of each
// pause in typing ending in a failed save (docs/VALUES.md §11).
import * as vscode from 'vscode';
import { CONFLICT_START } from '../../core/conflict-markers';
import { fromValuesUri, VALUES_SCHEME } from '../fs/values-uri';
import type { EditContext } from '../fs/values-file-system';
import { lazyCore } from '../lazy-core';
import { messageWithHint } from '../ui/messages';

/**
 * After the last keystroke: well before VS Code's auto-save (1 s by default) looks for errors; a large
 * YAML file, which takes tens of milliseconds to parse, waits for a longer pause.
 */
const CHECK_DELAY_MS = 100;
const LARGE_CHECK_DELAY_MS = 400;
const LARGE_DOCUMENT_CHARS = 256 * 1024;

export class ValuesDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('custodian-values');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];

  /** `contextOf`: the open file's rule and slips (ValuesFileSystem.editContextOf), for what a save checks beyond the text. */
  constructor(private readonly contextOf: (uri: vscode.Uri) => EditContext | undefined) {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 'opened')),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 'edited')),
      vscode.workspace.onDidCloseTextDocument((d) => {
        clearTimeout(this.timers.get(d.uri.toString()));
        this.timers.delete(d.uri.toString());
        this.collection.delete(d.uri);
      }),
    ];
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 'opened');
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
  }

  private schedule(document: vscode.TextDocument, why: 'opened' | 'edited'): void {
    if (document.uri.scheme !== VALUES_SCHEME) return;
    // The length from the last line's end: getText() would copy the whole document at every keystroke.
    const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
    const delay = why === 'opened' ? 0 : length > LARGE_DOCUMENT_CHARS ? LARGE_CHECK_DELAY_MS : CHECK_DELAY_MS;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(document);
      }, delay),
    );
  }

  /**
   * With auto-save on (and `files.autoSaveWhenNoErrors` off), a save refused for a problem leaves the
   * document in VS Code's error state, which auto-save skips until a save by hand: a newcomer's fixed value
   * sat unsaved, with nothing to say so. Once the problem marked is fixed, the document is saved as
   * auto-save would have, after its delay.
   */
  private saveOnceFixed(document: vscode.TextDocument): void {
    const files = vscode.workspace.getConfiguration('files', document.uri);
    if (files.get('autoSave') !== 'afterDelay' || files.get('autoSaveWhenNoErrors') === true) return;
    setTimeout(() => {
      if (!document.isClosed && document.isDirty && !this.collection.has(document.uri)) void document.save();
    }, files.get<number>('autoSaveDelay') ?? 1000);
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    const { valuesDocumentProblem, valuesSaveProblem, valuesFormatForFileName } = await lazyCore.values();
    if (document.isClosed) return;
    const format = valuesFormatForFileName(fromValuesUri(document.uri).path);
    if (!format) return;
    const text = document.getText();
    // A merge the driver left in conflict: its markers are what to fix, not a syntax error on their line.
    const marker = CONFLICT_START.exec(text);
    if (marker) {
      const at = document.positionAt(marker.index);
      const diagnostic = new vscode.Diagnostic(
        document.lineAt(at.line).range,
        vscode.l10n.t('A merge conflict: keep the version you want between the markers (or "Resolve in Merge Editor"); the file saves once no marker is left.'),
        vscode.DiagnosticSeverity.Error,
      );
      diagnostic.source = 'Custodian';
      this.collection.set(document.uri, [diagnostic]);
      return;
    }
    let problem: ReturnType<typeof valuesDocumentProblem>;
    try {
      const context = this.contextOf(document.uri);
      problem = context ? valuesSaveProblem(text, format, context.rule, context.slips) : valuesDocumentProblem(text, format);
    } catch {
      return; // Not a syntax problem (a document too large, say): the save reports it.
    }
    if (!problem) {
      const marked = this.collection.has(document.uri);
      this.collection.delete(document.uri);
      if (marked) this.saveOnceFixed(document);
      return;
    }
    const line = Math.min(Math.max((problem.line ?? 1) - 1, 0), document.lineCount - 1);
    const diagnostic = new vscode.Diagnostic(document.lineAt(line).range, messageWithHint(problem.message, problem.hint), vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Custodian';
    this.collection.set(document.uri, [diagnostic]);
  }
}
