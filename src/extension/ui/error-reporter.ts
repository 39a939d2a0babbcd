// The one place command failures are shown. Convention for every command: it catches its errors,
// shows them here (message + hint, never key material), logs them, and resolves to `undefined`;
// tests read `onDidReport` (or the returned `undefined` and the unchanged state) instead of a rejection.
// The notification says what happened and what to do (error-text.ts); the precise technical message
// goes to the output channel.
import * as vscode from 'vscode';
import { CustodianError, describeError } from '../../core/errors';
import { explainError, nameFingerprints, type ErrorContext } from './error-text';
import { messageWithHint, sentence } from './messages';

export interface ReportedError {
  /** Error class name: KeyFormatError, WeakKeyError, PassphraseError, SecretStorageError, … */
  name: string;
  /** What the notification says. */
  message: string;
  hint?: string;
  /** The error's own (technical) message when the notification says something else; it is logged. */
  detail?: string;
  /** The command that failed. */
  command?: string;
}


/** A button of an error notification that runs a command: the way out, one click away. */
export interface ErrorAction {
  readonly title: string;
  readonly command: string;
  /** What the command is run with (a target such as the file at hand; never an answer, caller-arguments.ts). */
  readonly args?: readonly unknown[];
}

/** An error whose notification offers commands that fix it (no key yet: Generate Key, Import Private Key). */
export class ActionableError extends CustodianError {
  constructor(
    message: string,
    options: { hint?: string; cause?: unknown },
    readonly actions: readonly ErrorAction[],
  ) {
    super(message, options);
    // Reported and logged as the error it is (a core error it adds buttons to, or a CustodianError);
    // the buttons are the only difference.
    this.name = options.cause instanceof Error ? options.cause.name : 'CustodianError';
  }
}

export class ErrorReporter implements vscode.Disposable {
  private readonly reportEmitter = new vscode.EventEmitter<ReportedError>();
  readonly onDidReport = this.reportEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  dispose(): void {
    this.reportEmitter.dispose();
  }

  /** `context` names the file and people involved, when the caller knows them (see error-context.ts). */
  report(err: unknown, command?: string, context: ErrorContext = {}): ReportedError {
    const technical = describeError(err);
    const explained = explainError(err, context);
    const hint = explained ? explained.hint : err instanceof CustodianError ? err.hint : undefined;
    const reported: ReportedError = {
      name: err instanceof Error ? err.name : 'Error',
      message: nameFingerprints(explained?.message ?? technical, context.names),
      hint: hint === undefined ? undefined : nameFingerprints(hint, context.names),
      detail: explained ? technical : undefined,
      command,
    };
    // Only the name and our own message are logged: causes from libraries could quote input.
    const about = context.file ? ` (${context.file})` : '';
    this.log.error(`${command ?? 'custodian'}: ${reported.name}: ${technical}${about}`);
    this.reportEmitter.fire(reported);
    // A long hint (the keychain one) goes behind a button into a modal, so the toast stays readable.
    const HOW_TO_FIX = vscode.l10n.t('How to Fix');
    const longHint = reported.hint !== undefined && reported.hint.length > 160;
    const text = longHint ? sentence(reported.message) : messageWithHint(reported.message, reported.hint);
    const actions = err instanceof ActionableError ? err.actions : [];
    void vscode.window.showErrorMessage(text, ...actions.map((a) => a.title), ...(longHint ? [HOW_TO_FIX] : [])).then((choice) => {
      if (choice === HOW_TO_FIX) {
        void vscode.window.showInformationMessage(sentence(reported.message), { modal: true, detail: reported.hint });
      }
      const action = actions.find((a) => a.title === choice);
      if (action) void vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    });
    return reported;
  }
}
