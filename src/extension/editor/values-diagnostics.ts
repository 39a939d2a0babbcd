// Problems in a decrypted value-encrypted document (custodian-values:) as it is edited: what saving would
// refuse (a line that is not NAME=value, JSON or YAML that does not parse, a key twice), marked on its
// line in the editor and in the Problems view, so the save is not the first to say it. It also lets
// VS Code's `files.autoSaveWhenNoErrors` hold auto-save back until the document parses, instead of each
// pause in typing ending in a failed save (docs/VALUES.md §11).
import * as vscode from 'vscode';
import { fromValuesUri, VALUES_SCHEME } from '../fs/values-uri';
import { lazyCore } from '../lazy-core';
import { messageWithHint } from '../ui/messages';

/** After the last keystroke: a large YAML file takes tens of milliseconds to parse. */
const CHECK_DELAY_MS = 250;

export class ValuesDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('custodian-values');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, CHECK_DELAY_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        clearTimeout(this.timers.get(d.uri.toString()));
        this.timers.delete(d.uri.toString());
        this.collection.delete(d.uri);
      }),
    ];
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (document.uri.scheme !== VALUES_SCHEME) return;
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

  private async check(document: vscode.TextDocument): Promise<void> {
    const { valuesDocumentProblem, valuesFormatForFileName } = await lazyCore.values();
    if (document.isClosed) return;
    const format = valuesFormatForFileName(fromValuesUri(document.uri).path);
    if (!format) return;
    let problem: ReturnType<typeof valuesDocumentProblem>;
    try {
      problem = valuesDocumentProblem(document.getText(), format);
    } catch {
      return; // Not a syntax problem (a document too large, say): the save reports it.
    }
    if (!problem) {
      this.collection.delete(document.uri);
      return;
    }
    const line = Math.min(Math.max((problem.line ?? 1) - 1, 0), document.lineCount - 1);
    const diagnostic = new vscode.Diagnostic(document.lineAt(line).range, messageWithHint(problem.message, problem.hint), vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Custodian';
    this.collection.set(document.uri, [diagnostic]);
  }
}
