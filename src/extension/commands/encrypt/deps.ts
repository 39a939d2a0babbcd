// What the encrypt/decrypt/re-key commands share; built once in registerEncryptionCommands.
import type * as vscode from 'vscode';
import type { CryptoBackend } from '../../../core/crypto-backend';
import type { SecretClipboard } from '../../clipboard';
import type { CustodianConfig } from '../../config';
import type { CryptoSession } from '../../crypto-session';
import type { PlaintextDocuments } from '../../editor/plaintext-documents';
import type { EncryptedFileSystem } from '../../fs/encrypted-file-system';
import type { ValuesFileSystem } from '../../fs/values-file-system';
import type { KeyStore } from '../../storage/key-store';
import type { Roster } from '../../storage/roster';
import type { ErrorReporter } from '../../ui/error-reporter';
import type { SidebarViews } from '../../views/tree';
import type { WorkspaceTrust } from '../../workspace-trust';
import type { DriftScanner } from '../rekey/drift';

/** The extension objects the encryption feature uses, handed to it by activate(). */
export interface EncryptionServices {
  /** The key store in use (read on each access: tests may put another under it). */
  readonly keyStore: KeyStore;
  readonly roster: Roster;
  readonly session: CryptoSession;
  readonly backend: () => Promise<CryptoBackend>;
  readonly log: vscode.LogOutputChannel;
  readonly errors: ErrorReporter;
  readonly clipboard: SecretClipboard;
  readonly trust: WorkspaceTrust;
  readonly views: SidebarViews;
  readonly onDidChangeKeys: vscode.Event<void>;
  readonly extensionMode: vscode.ExtensionMode;
  /** Where Encrypt File keeps what it needs across restarts (Local History clean-up). */
  readonly globalStorageUri: vscode.Uri;
  config(scope?: vscode.ConfigurationScope): CustodianConfig;
}

export interface EncDeps {
  services: EncryptionServices;
  session: CryptoSession;
  fs: EncryptedFileSystem;
  /** Value-encrypted files decrypted (`custodian-values:`): a merge of one in the merge editor. */
  valuesFs: ValuesFileSystem;
  /** Read-only previews of decrypted armored blocks (`custodian-peek:`). */
  peek: PlaintextDocuments;
  drift: DriftScanner;
}
