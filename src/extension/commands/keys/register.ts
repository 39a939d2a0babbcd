// The Keys feature: my key pairs in SecretStorage (generate, import, export, rename, default, delete).
import type * as vscode from 'vscode';
import type { CryptoBackend } from '../../../core/crypto-backend';
import type { CustodianConfig } from '../../config';
import type { ActiveKeyStore } from '../../storage/active-key-store';
import { CommandId } from '../ids';
import { registerHandlers, type CommandHost, type Handlers } from '../register';
import { exportPrivateKey } from './export-private-key';
import { exportPublicKey } from './export-public-key';
import { generateKey } from './generate-key';
import { importPrivateKey } from './import-private-key';
import { copyFingerprint, deleteKey, renameKey, setDefaultKey } from './manage-key';

export interface KeysDeps {
  keys: ActiveKeyStore;
  backend: () => Promise<CryptoBackend>;
  config: (scope?: vscode.ConfigurationScope) => CustodianConfig;
  /**
   * The workspace's encrypted files that my key `fingerprint` opens and none of `otherKeys` does
   * (`alone`: no one else at all); undefined when the workspace is not searched (untrusted).
   */
  filesOpenedOnlyWith: (fingerprint: string, otherKeys: ReadonlySet<string>) => Promise<{ uri: vscode.Uri; alone: boolean }[] | undefined>;
  /** The names a public key has in the workspace's team rosters (none when it is in none). */
  rosterNames: (fingerprint: string) => Promise<string[]>;
}

const HANDLERS: Handlers<KeysDeps> = [
  [CommandId.GenerateKey, generateKey],
  [CommandId.ImportPrivateKey, importPrivateKey],
  [CommandId.ExportPublicKey, exportPublicKey],
  [CommandId.ExportPrivateKey, exportPrivateKey],
  [CommandId.RenameKey, renameKey],
  [CommandId.SetDefaultKey, setDefaultKey],
  [CommandId.CopyFingerprint, copyFingerprint],
  [CommandId.DeleteKey, deleteKey],
];

export function registerKeysCommands(context: vscode.ExtensionContext, host: CommandHost, deps: KeysDeps): void {
  registerHandlers(context, host, deps, HANDLERS);
}
