// How commands are registered: each feature (keys/, team/, mfa/, password/, shamir/, encrypt/) registers its
// own through registerHandlers with the dependencies it is given.
// Convention: every command takes one optional argument object (or the tree node it was invoked on, or
// the explorer's `(uri, uris[])`), resolves to a result for callers and tests, and on failure shows the
// error through ErrorReporter and resolves to undefined (it never rejects).
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import type { ErrorContext } from '../ui/error-text';
import type { ErrorReporter } from '../ui/error-reporter';
import { withoutAnswers } from './caller-arguments';
import { CommandId } from './ids';
import { explainInMemoryDocument } from '../editor/plaintext-documents';
import { showVersion } from './show-version';

/** A command: its feature's dependencies, then the arguments VS Code (or a caller) passed. */
export type Handler<D> = (deps: D, first: unknown, second: unknown) => Promise<unknown>;
export type Handlers<D> = ReadonlyArray<readonly [CommandId, Handler<D>]>;

/** What running any command needs besides its feature's dependencies. */
export interface CommandHost {
  errors: ErrorReporter;
  /** What a report of a failure may say about the command's target (ui/error-context.ts). */
  errorContext: (arg: unknown) => Promise<ErrorContext>;
  /** Redraws the sidebar. */
  refresh: () => void;
}

/** The commands that belong to no feature. */
export function registerCommands(context: vscode.ExtensionContext, host: CommandHost): void {
  registerHandlers(context, host, host, [
    [CommandId.ShowVersion, () => showVersion(context)],
    [CommandId.Refresh, async (h) => h.refresh()],
    [CommandId.SaveInMemoryDocument, async () => explainInMemoryDocument()],
    [CommandId.RunPageAction, async (_, command, file) => runPageAction(command, file)],
  ]);
}

/**
 * A page button's command with its file. The page names the file as a string: a URI object in a webview's
 * command link is rewritten on its way through a browser workbench (code-server), where the extension
 * host's file:///… came back as vscode-local:/… and named no file. Only Custodian's commands run.
 */
async function runPageAction(command: unknown, file: unknown): Promise<unknown> {
  if (typeof command !== 'string' || !command.startsWith('custodian.') || command === CommandId.RunPageAction) {
    throw new CustodianError(vscode.l10n.t('This button names no Custodian command.'));
  }
  const uri = typeof file === 'string' ? vscode.Uri.parse(file, true) : undefined;
  return uri ? vscode.commands.executeCommand(command, uri) : vscode.commands.executeCommand(command);
}

/** Registers `handlers` with `deps`; failures go to ErrorReporter, and the tree refreshes after every run. */
export function registerHandlers<D>(context: vscode.ExtensionContext, host: CommandHost, deps: D, handlers: Handlers<D>): void {
  // Answers in argument objects are for the test harness only (caller-arguments.ts says why).
  const parse = context.extensionMode === vscode.ExtensionMode.Test ? (arg: unknown) => arg : withoutAnswers;
  for (const [id, handler] of handlers) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (rawFirst?: unknown, rawSecond?: unknown) => {
        const first = parse(rawFirst, id);
        const second = parse(rawSecond, id);
        try {
          return await handler(deps, first, second);
        } catch (err) {
          host.errors.report(err, id, await host.errorContext(first).catch(() => undefined));
          return undefined;
        } finally {
          host.refresh();
        }
      }),
    );
  }
}
