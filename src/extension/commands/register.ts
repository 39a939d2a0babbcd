// How commands are registered (here, and by the Shamir and encryption features through registerHandlers).
// Convention: every command takes one optional argument object (or the tree node it was invoked on, or
// the explorer's `(uri, uris[])`), resolves to a result for callers and tests, and on failure shows the
// error through ErrorReporter and resolves to undefined (it never rejects).
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { ErrorContext } from '../ui/error-text';
import type { ErrorReporter } from '../ui/error-reporter';
import { withoutAnswers } from './caller-arguments';
import { addContact, removeContact } from './contacts/contacts';
import { CommandId } from './ids';
import { exportPrivateKey } from './keys/export-private-key';
import { exportPublicKey } from './keys/export-public-key';
import { generateKey } from './keys/generate-key';
import { importPrivateKey } from './keys/import-private-key';
import { copyFingerprint, deleteKey, renameKey, setDefaultKey } from './keys/manage-key';
import { showVersion } from './show-version';
import { addMyselfToTeam, addTeammate } from './team/add-to-team';
import { removeTeammate } from './team/remove-teammate';
import { verifyFingerprint } from './team/verify-fingerprint';

/** A command: its feature's dependencies, then the arguments VS Code (or a caller) passed. */
export type Handler<D> = (deps: D, first: unknown, second: unknown) => Promise<unknown>;
export type Handlers<D> = ReadonlyArray<readonly [CommandId, Handler<D>]>;

const HANDLERS: Handlers<Services> = [
  [CommandId.ShowVersion, (s) => showVersion(s.context)],
  [CommandId.Refresh, async (s) => s.refresh()],
  [CommandId.GenerateKey, generateKey],
  [CommandId.ImportPrivateKey, importPrivateKey],
  [CommandId.ExportPublicKey, exportPublicKey],
  [CommandId.ExportPrivateKey, exportPrivateKey],
  [CommandId.RenameKey, renameKey],
  [CommandId.SetDefaultKey, setDefaultKey],
  [CommandId.CopyFingerprint, copyFingerprint],
  [CommandId.DeleteKey, deleteKey],
  [CommandId.AddMyselfToTeam, addMyselfToTeam],
  [CommandId.AddTeammate, addTeammate],
  [CommandId.RemoveTeammate, removeTeammate],
  [CommandId.VerifyFingerprint, verifyFingerprint],
  [CommandId.AddContact, addContact],
  [CommandId.RemoveContact, removeContact],
];

/** What running any command needs besides its feature's dependencies. */
export interface CommandHost {
  errors: ErrorReporter;
  /** What a report of a failure may say about the command's target (ui/error-context.ts). */
  errorContext: (arg: unknown) => Promise<ErrorContext>;
  /** Redraws the sidebar. */
  refresh: () => void;
}

export function registerCommands(context: vscode.ExtensionContext, host: CommandHost, services: Services): void {
  registerHandlers(context, host, services, HANDLERS);
}

/** Registers `handlers` with `deps`; failures go to ErrorReporter, and the tree refreshes after every run. */
export function registerHandlers<D>(context: vscode.ExtensionContext, host: CommandHost, deps: D, handlers: Handlers<D>): void {
  // Answers in argument objects are for the test harness only (caller-arguments.ts says why).
  const parse = context.extensionMode === vscode.ExtensionMode.Test ? (arg: unknown) => arg : withoutAnswers;
  for (const [id, handler] of handlers) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (rawFirst?: unknown, rawSecond?: unknown) => {
        const first = parse(rawFirst);
        const second = parse(rawSecond);
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
