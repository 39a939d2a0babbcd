// The one place command failures are shown. Convention for every command: it catches its errors,
// shows them here (message + hint, never key material), logs them, and resolves to `undefined`;
// tests read `onDidReport` (or the returned `undefined` and the unchanged state) instead of a rejection.
import * as vscode from 'vscode';
import { CustodianError, describeError } from '../../core/errors';
import { messageWithHint, sentence } from './messages';

export interface ReportedError {
  /** Error class name: KeyFormatError, WeakKeyError, PassphraseError, SecretStorageError, … */
  name: string;
  message: string;
  hint?: string;
  /** The command that failed. */
  command?: string;
}

const HOW_TO_FIX = 'How to Fix';

export class ErrorReporter implements vscode.Disposable {
  private readonly reportEmitter = new vscode.EventEmitter<ReportedError>();
  readonly onDidReport = this.reportEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  dispose(): void {
    this.reportEmitter.dispose();
  }

  report(err: unknown, command?: string): ReportedError {
    const reported: ReportedError = {
      name: err instanceof Error ? err.name : 'Error',
      message: describeError(err),
      hint: err instanceof CustodianError ? err.hint : undefined,
      command,
    };
    // Only the name and our own message are logged: causes from libraries could quote input.
    this.log.error(`${command ?? 'custodian'}: ${reported.name}: ${reported.message}`);
    this.reportEmitter.fire(reported);
    // A long hint (the keychain one) goes behind a button into a modal, so the toast stays readable.
    const longHint = reported.hint !== undefined && reported.hint.length > 160;
    const text = longHint ? sentence(reported.message) : messageWithHint(reported.message, reported.hint);
    void vscode.window.showErrorMessage(text, ...(longHint ? [HOW_TO_FIX] : [])).then((choice) => {
      if (choice === HOW_TO_FIX) {
        void vscode.window.showInformationMessage(sentence(reported.message), { modal: true, detail: reported.hint });
      }
    });
    return reported;
  }
}
