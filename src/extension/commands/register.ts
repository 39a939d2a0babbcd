// The one place commands are registered. Convention: every command takes one optional argument
// object (or the tree node it was invoked on), resolves to a result for callers and tests, and on
// failure shows the error through ErrorReporter and resolves to undefined (it never rejects).
import * as vscode from 'vscode';
import type { Services } from '../services';
import { addContact, removeContact } from './contacts/contacts';
import { CommandId } from './ids';
import { MFA_HANDLERS } from './mfa/register';
import { PASSWORD_HANDLERS } from './password/register';
import { exportPrivateKey } from './keys/export-private-key';
import { exportPublicKey } from './keys/export-public-key';
import { generateKey } from './keys/generate-key';
import { importPrivateKey } from './keys/import-private-key';
import { copyFingerprint, deleteKey, renameKey, setDefaultKey } from './keys/manage-key';
import { showVersion } from './show-version';
import { addMyselfToTeam, addTeammate } from './team/add-to-team';
import { removeTeammate } from './team/remove-teammate';
import { verifyFingerprint } from './team/verify-fingerprint';

type Handler = (services: Services, arg: unknown) => Promise<unknown>;

const HANDLERS: ReadonlyArray<readonly [CommandId, Handler]> = [
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
  ...PASSWORD_HANDLERS,
  ...MFA_HANDLERS,
];

export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  for (const [id, handler] of HANDLERS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (arg?: unknown) => {
        try {
          return await handler(services, arg);
        } catch (err) {
          services.errors.report(err, id);
          return undefined;
        } finally {
          services.refresh();
        }
      }),
    );
  }
}
