// What the encrypt/decrypt/re-key commands share; built once in registerEncryptionCommands.
import type { SecretClipboard } from '../../clipboard';
import type { CryptoSession } from '../../crypto-session';
import type { PeekDocuments } from '../../editor/peek-documents';
import type { EncryptedFileSystem } from '../../fs/encrypted-file-system';
import type { Services } from '../../services';
import type { DriftScanner } from '../rekey/drift';

export interface EncDeps {
  services: Services;
  session: CryptoSession;
  fs: EncryptedFileSystem;
  clipboard: SecretClipboard;
  peek: PeekDocuments;
  drift: DriftScanner;
}
