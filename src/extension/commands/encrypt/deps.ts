// What the encrypt/decrypt/re-key commands share; built once in registerEncryptionCommands.
import type { CryptoSession } from '../../crypto-session';
import type { PlaintextDocuments } from '../../editor/plaintext-documents';
import type { EncryptedFileSystem } from '../../fs/encrypted-file-system';
import type { Services } from '../../services';
import type { DriftScanner } from '../rekey/drift';

export interface EncDeps {
  services: Services;
  session: CryptoSession;
  fs: EncryptedFileSystem;
  /** Read-only previews of decrypted armored blocks (`custodian-peek:`). */
  peek: PlaintextDocuments;
  drift: DriftScanner;
}
