// Value-encrypted .env, JSON and YAML files in the editor (docs/VALUES.md): the custodian-values file
// system, the problems marked while a decrypted one is edited, the CodeLenses and the commands. Only
// registrations here: the core loads on first use.
import * as vscode from 'vscode';
import { ValuesDiagnostics } from '../../editor/values-diagnostics';
import type { BackupGuard } from '../../fs/backup-guard';
import { ValuesFileSystem } from '../../fs/values-file-system';
import { VALUES_SCHEME } from '../../fs/values-uri';
import type { Rollback } from '../../git/git-blobs';
import type { EncryptionServices } from '../encrypt/deps';
import { CommandId } from '../ids';
import { registerHandlers, type CommandHost, type Handlers } from '../register';
import { decryptValuesToFile } from './decrypt-values-to-file';
import type { ValuesDeps } from './deps';
import { encryptValues, encryptValuesChoosing } from './encrypt-values';
import { openValuesDecrypted } from './open-values';
import { ValuesAutoOpen } from './values-auto-open';
import { ValuesCodeLensProvider } from './values-codelens';

const HANDLERS: Handlers<ValuesDeps> = [
  [CommandId.OpenValuesDecrypted, openValuesDecrypted],
  [CommandId.EncryptValues, encryptValues],
  [CommandId.EncryptValuesChoosing, encryptValuesChoosing],
  [CommandId.DecryptValuesToFile, decryptValuesToFile],
];

export function registerValuesFeature(
  context: vscode.ExtensionContext,
  host: CommandHost,
  services: EncryptionServices,
  guard: BackupGuard,
  /** When a file is an older version back: a save signing it anew asks first. */
  rollbackOf?: (file: vscode.Uri) => Promise<Rollback | undefined>,
): ValuesDeps {
  const fs = new ValuesFileSystem(services, services.session, guard, rollbackOf);
  const deps: ValuesDeps = { services, session: services.session, fs };
  context.subscriptions.push(
    fs,
    vscode.workspace.registerFileSystemProvider(VALUES_SCHEME, fs, { isCaseSensitive: true, isReadonly: guard.readOnlyReason() }),
    new ValuesDiagnostics((uri) => fs.editContextOf(uri)),
    vscode.languages.registerCodeLensProvider([{ scheme: 'file' }], services.trust.codeLensesWhenTrusted(new ValuesCodeLensProvider())),
  );
  registerHandlers(context, host, deps, HANDLERS);
  const autoOpen = new ValuesAutoOpen(deps);
  context.subscriptions.push(autoOpen);
  registerHandlers(context, host, autoOpen, [[CommandId.OpenValuesEncrypted, (open, first) => open.openEncrypted(first)]]);
  return deps;
}
