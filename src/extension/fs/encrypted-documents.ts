// What a decrypted document is and how it is saved: its recipients and signer (shown in the status
// bar), the recipient policy a save follows (recipient-policy.ts: a save keeps the file's own
// recipients, a share or a chosen file is never re-keyed to "the team"), and the consent to sign
// content Custodian cannot vouch for. The custodian-enc file system calls it for every read and write.
import * as vscode from 'vscode';
import { isValidUtf8 } from '../../core/bytes';
import { sameFingerprints } from '../../core/fingerprint-set';
import { CustodianError, describeError } from '../../core/errors';
import type { DecryptedBytes, EnvelopeInfo, SignatureStatus } from '../../core/envelope';
import type { RecipientPolicy } from '../../core/envelope-header';
import type { EncryptionServices } from '../commands/encrypt/deps';
import { signerVouched, unreadableDescription, type CryptoSession, type EnvelopeDescription, type KnownKey } from '../crypto-session';
import { policyForNewFile, policyForSave } from '../../core/recipient-policy';
import { writeFileAtomic } from '../storage/workspace-files';
import { formatBytes } from '../../node/envelope-files';
import { lazyCore, type CoreModule } from '../lazy-core';
import { basename, toDecryptedUri, toEncryptedUri } from './enc-uri';
import { CommittedVersions } from '../git/committed-versions';
import { KeyedDigest } from '../keyed-digest';
import type { Rollback } from '../git/git-blobs';
import { GIT_SCHEME, readGitBlob } from '../git/git-blobs';
import { confirmEmptySave, isBlank } from './empty-save';
import { FormerRecipientsConsent } from './former-recipients';
import { SigningConsent } from './signing-consent';

/** Larger `.enc` files are not opened in an editor (Decrypt to File streams them instead). */
export const MAX_INLINE_BYTES = 32 * 1024 * 1024;

export interface DecryptedDocument {
  plaintext: Uint8Array;
  /** Not UTF-8 text, or has NUL bytes: not for a text editor. */
  binary: boolean;
  description: EnvelopeDescription;
  /** Recipient fingerprints of the file, in header order: a save encrypts to exactly these. */
  recipients: readonly string[];
  armored: boolean;
}

interface Entry {
  description: EnvelopeDescription;
  recipients: readonly string[];
  armored: boolean;
  /** FORMAT.md §3.4, as the file had it. */
  recipientPolicy?: RecipientPolicy;
  /** The plaintext the `.enc` holds (a keyed digest) and the `.enc` as it was then: a save of the same text is skipped. */
  saved?: SavedState;
}

interface SavedState {
  digest: Uint8Array;
  mtime: number;
  size: number;
  /** The plaintext was blank: emptying it again asks nothing. */
  blank: boolean;
}

/** A committed `.enc` as a save compares it: a keyed digest of its text, its header and signature. */
interface CommittedEnc {
  digest: Uint8Array;
  header: EnvelopeInfo;
  signature: SignatureStatus;
  armored: boolean;
}

/** Decryption failed in a way the user should read as-is (not a recipient, tampered, …). */
class DecryptError extends CustodianError {}

export class EncryptedDocuments implements vscode.Disposable {
  private readonly infoEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with a decrypted URI whose recipients/signer description changed (opened, saved, reloaded). */
  readonly onDidChangeInfo = this.infoEmitter.event;
  private readonly entries = new Map<string, Entry>();
  private readonly signing: SigningConsent;
  private readonly former: FormerRecipientsConsent;
  private readonly committed: CommittedVersions<CommittedEnc>;
  /** Digests of saved and committed plaintexts: compared, never a plaintext copy kept. */
  private readonly digests = new KeyedDigest();

  constructor(
    private readonly services: EncryptionServices,
    private readonly session: CryptoSession,
    /** When a file is an older version back (git-blobs.ts): a save signing it anew asks first. */
    rollbackOf?: (file: vscode.Uri) => Promise<Rollback | undefined>,
  ) {
    this.committed = new CommittedVersions(() => services.trust.isTrusted, (bytes, file) => this.learnCommitted(bytes, file));
    this.former = new FormerRecipientsConsent(session);
    this.signing = new SigningConsent(rollbackOf);
  }

  dispose(): void {
    this.infoEmitter.dispose();
  }

  /** Recipients and signer of an open decrypted document (undefined until it was read). */
  describe(uri: vscode.Uri): EnvelopeDescription | undefined {
    return this.entries.get(key(uri))?.description;
  }

  /** The document was read from its `.enc` on disk (so a save finding no file there means it was moved or deleted). */
  readFromDisk(uri: vscode.Uri): boolean {
    return this.entries.get(key(uri))?.saved !== undefined;
  }

  /** The file of an open document changed on disk and could not be opened again: the status bar says so. */
  markUnreadable(uri: vscode.Uri, reason: string): void {
    const entry = this.entries.get(key(uri));
    if (!entry) return;
    entry.description = unreadableDescription(entry.description, basename(toEncryptedUri(uri).path), reason);
    this.infoEmitter.fire(uri);
  }

  /** Reads and decrypts a `.enc` file in memory, and remembers what its header says. */
  async open(encrypted: vscode.Uri): Promise<DecryptedDocument> {
    const what = basename(encrypted.path);
    // Stat before reading: should the file change in between, the recorded state is the older one and a save writes.
    // (A git blob is never saved to: it has no state to record.)
    const before = encrypted.scheme === GIT_SCHEME ? undefined : await vscode.workspace.fs.stat(encrypted);
    const { result, armored } = await this.decrypt(await readLimited(encrypted, what), what);
    const known = await this.session.knownKeys();
    const description = this.session.describe(result.header, result.signature, known);
    const binary = !isValidUtf8(result.plaintext) || result.plaintext.includes(0);
    const uri = toDecryptedUri(encrypted);
    this.signing.forget(uri);
    this.former.forget(uri);
    const saved = binary || !before ? undefined : { digest: this.digests.of(result.plaintext), mtime: before.mtime, size: before.size, blank: isBlank(result.plaintext) };
    this.entries.set(key(uri), { description, recipients: result.header.recipients, armored, recipientPolicy: result.header.recipientPolicy, saved });
    this.infoEmitter.fire(uri);
    return { plaintext: result.plaintext, binary, description, recipients: result.header.recipients, armored };
  }

  /**
   * Encrypts `content` as the new `.enc` at `encrypted`: to the file's own recipients (a new file: the
   * team's), with the policy it had, signed by my default key, replacing it atomically.
   */
  async save(uri: vscode.Uri, encrypted: vscode.Uri, content: Uint8Array, exists: boolean): Promise<void> {
    const what = basename(encrypted.path);
    let entry = this.entries.get(key(uri));
    if (!entry && exists) {
      const header = await readHeader(encrypted);
      entry = {
        recipients: header.recipients,
        armored: header.armored,
        recipientPolicy: header.recipientPolicy,
        description: this.session.describe(header, undefined, await this.session.knownKeys()),
      };
    }
    const known = await this.session.knownKeys();
    let recipientFps = entry?.recipients;
    let recipientPolicy: RecipientPolicy | undefined;
    let narrowed: readonly string[] = [];
    if (entry && exists && entry.saved && recipientFps && !(await this.sameFileOnDisk(encrypted, entry.saved))) {
      // The .enc changed on disk since this text was read (a pull, a re-key, another window) and the
      // user saves over it: this older text goes only to the recipients both versions have, so it never
      // brings back someone the newer version was re-keyed without (nor adds one it was given).
      const now = await readHeader(encrypted).catch(() => undefined);
      if (now) {
        const both = recipientFps.filter((fp) => now.recipients.includes(fp));
        if (both.length === 0) {
          throw new CustodianError(vscode.l10n.t('Not saved: {0} changed on disk since you opened it, and is now for none of the people your version was for.', what), {
            hint: vscode.l10n.t('Copy your changes, close the editor without saving, and open the file again.'),
          });
        }
        narrowed = recipientFps.filter((fp) => !both.includes(fp));
        recipientFps = both;
      }
    }
    // A .enc reached through a symbolic link (another project's file, say) stays open to edit: a save keeps
    // the recipients it has, or narrows them (above), so it gives no one a secret they could not read
    // already. Only re-keying for the team widens them, and that refuses links (node/regular-files.ts).
    // (The atomic rename writes a regular file, for those recipients, in the link's place.)
    if (recipientFps) {
      // A "chosen" written by someone I do not vouch for counts for nothing, and is not signed again as mine.
      recipientPolicy = policyForSave(encrypted.path, entry?.recipientPolicy, signerVouched(entry?.description));
    } else {
      recipientFps = (await this.session.teamRecipients(encrypted)).map((k) => k.fingerprint);
      recipientPolicy = policyForNewFile(encrypted.path, recipientFps, await this.session.teamFingerprints(encrypted));
    }
    // Auto-save and Save on an unchanged document: the same plaintext gets no new ciphertext (a new file
    // key and nonce would change every byte of the .enc, and git would see a change that is none). Only
    // when the .enc is still the one that text came from (a file changed on disk meanwhile is written)
    // and its header would not change (a save that marks a share or seed "chosen" is written).
    if (exists && entry?.saved && recipientPolicy === entry.recipientPolicy && (await this.unchanged(encrypted, entry.saved, content))) {
      this.services.log.info(`save ${what}: content unchanged, not re-encrypted`);
      return;
    }
    // Someone who left the team since is asked about before their key is looked for (it may be gone).
    if (entry && exists) recipientFps = await this.former.recipientsForSave(uri, encrypted, what, recipientFps, known);
    const byFp = new Map(known.map((k) => [k.fingerprint, k]));
    const missing = recipientFps.filter((fp) => !byFp.has(fp));
    if (missing.length > 0) {
      throw new CustodianError(
        vscode.l10n.t('Cannot save {0}: it must be re-encrypted to the same recipients, and no public key is known for {1}.', what, missing.join(', ')),
        { hint: vscode.l10n.t('Add that key to the team roster or your contacts, or run "Re-encrypt for Team" to re-key the file to the current team.') },
      );
    }
    if (recipientFps.length === 0) throw new CustodianError(vscode.l10n.t('Cannot save {0}: it has no recipients.', what), { hint: vscode.l10n.t('Add yourself to the team first.') });
    if (exists && entry?.saved?.blank === false && isBlank(content)) await confirmEmptySave(what);
    if (exists && (await this.restoreCommitted(uri, encrypted, content, recipientFps, recipientPolicy, known))) return;
    if (entry && exists) {
      // The recipients named are those of this save (someone left out by a question before is not among them).
      const savedFor = recipientFps;
      await this.signing.confirm(uri, encrypted, what, entry.description, (summary) =>
        vscode.l10n.t(
          'Now: {0}.\n\nSaving re-encrypts it for {1} and signs the whole content with your key, including what you did not write: teammates will then read it as written by you. Save only if you trust where it came from.',
          summary,
          this.session.parties(savedFor, known).map((p) => p.name).join(', '),
        ),
      );
    }
    const [{ encryptBytes }, { armor }, backend] = await Promise.all([lazyCore.envelope(), lazyCore.armor(), this.services.backend()]);
    const signer = await this.session.signer();
    let sealed: Uint8Array;
    try {
      sealed = await encryptBytes(content, { recipients: recipientFps.map((fp) => byFp.get(fp)!.key), signer, backend, recipientPolicy });
    } finally {
      this.session.release(signer);
    }
    const armored = entry?.armored ?? false;
    await writeFileAtomic(encrypted, armored ? new TextEncoder().encode(armor(sealed)) : sealed, { overwrite: true });
    const written = await vscode.workspace.fs.stat(encrypted);
    const { inspectEnvelope } = await lazyCore.envelope();
    const header = await inspectEnvelope(sealed);
    const me = this.services.keyStore.getDefault()!;
    const signerKey = await this.services.keyStore.getPublicKey(me.id);
    this.entries.set(key(uri), {
      recipients: header.recipients,
      armored,
      recipientPolicy: header.recipientPolicy,
      description: this.session.describe(header, { kind: 'signed', signer: signerKey }, known),
      saved: { digest: this.digests.of(content), mtime: written.mtime, size: written.size, blank: isBlank(content) },
    });
    this.infoEmitter.fire(uri);
    if (narrowed.length > 0) {
      const names = this.session.parties(narrowed, known).map((p) => p.name);
      const others = this.session.parties(header.recipients, known).map((p) => p.name).join(', ');
      const mine = this.session.canDecrypt(header.recipients);
      void vscode.window.showWarningMessage(
        mine
          ? vscode.l10n.t('{0} had changed on disk since you opened it, and is no longer for {1}: your version was saved without them.', what, names.join(', '))
          : vscode.l10n.t('{0} had changed on disk since you opened it and is no longer for you: your version was saved for {1} only, so you cannot open it again.', what, others),
      );
    }
  }

  /** The `.enc` is still the one read or written last (same modification time and size). */
  private async sameFileOnDisk(encrypted: vscode.Uri, saved: SavedState): Promise<boolean> {
    const now = await vscode.workspace.fs.stat(encrypted);
    return now.mtime === saved.mtime && now.size === saved.size;
  }

  /**
   * The text is what the last commit holds, for the same recipients and policy: the committed bytes go
   * back (signed by whoever committed them, which the description then says), and git sees no change.
   */
  private async restoreCommitted(
    uri: vscode.Uri,
    encrypted: vscode.Uri,
    content: Uint8Array,
    recipients: readonly string[],
    recipientPolicy: RecipientPolicy | undefined,
    known: readonly KnownKey[],
  ): Promise<boolean> {
    const version = await this.committed.head(encrypted);
    const c = version?.facts;
    if (!version || !c || c.header.recipientPolicy !== recipientPolicy || !sameFingerprints(c.header.recipients, recipients)) return false;
    if (!this.digests.same(c.digest, this.digests.of(content))) return false;
    const bytes = await this.committed.bytes(encrypted, version.id);
    if (!bytes) return false;
    await writeFileAtomic(encrypted, bytes, { overwrite: true });
    const written = await vscode.workspace.fs.stat(encrypted);
    this.entries.set(key(uri), {
      recipients: c.header.recipients,
      armored: c.armored,
      recipientPolicy: c.header.recipientPolicy,
      description: this.session.describe(c.header, c.signature, known),
      saved: { digest: c.digest, mtime: written.mtime, size: written.size, blank: isBlank(content) },
    });
    this.infoEmitter.fire(uri);
    this.services.log.info(`save ${basename(encrypted.path)}: the committed text, written back as committed`);
    return true;
  }

  /** What a committed version holds (CommittedVersions' `learn`): only a keyed digest of its text is kept. */
  private async learnCommitted(bytes: Uint8Array, file: vscode.Uri): Promise<CommittedEnc> {
    const { result, armored } = await this.decrypt(bytes, basename(file.path));
    const digest = this.digests.of(result.plaintext);
    result.plaintext.fill(0);
    return { digest, header: result.header, signature: result.signature, armored };
  }

  /** Decrypts a `.enc`'s bytes (binary or armored) with my keys that are among its recipients. */
  private async decrypt(bytes: Uint8Array, what: string): Promise<{ result: DecryptedBytes; armored: boolean }> {
    const [{ decryptBytes, inspectEnvelope }, { isArmored }, backend] = await Promise.all([lazyCore.envelope(), lazyCore.armor(), this.services.backend()]);
    const armored = isArmored(bytes);
    const ciphertext = armored ? new TextDecoder().decode(bytes) : bytes;
    const header = await inspectEnvelope(ciphertext);
    const identities = await this.session.identitiesFor(header.recipients, what, header.recipientPolicy);
    try {
      return { result: await decryptBytes(ciphertext, { identities, backend }), armored };
    } catch (err) {
      throw err instanceof CustodianError ? err : new DecryptError(vscode.l10n.t('Cannot decrypt {0}: {1}', what, describeError(err)));
    } finally {
      this.session.release(...identities);
    }
  }

  private async unchanged(encrypted: vscode.Uri, saved: SavedState, content: Uint8Array): Promise<boolean> {
    return (await this.sameFileOnDisk(encrypted, saved)) && this.digests.same(this.digests.of(content), saved.digest);
  }
}

function key(uri: vscode.Uri): string {
  // The ciphertext URI, not the decrypted URI's display path (which follows the workspace folders).
  return toEncryptedUri(uri).toString();
}

async function readLimited(uri: vscode.Uri, what: string): Promise<Uint8Array> {
  if (uri.scheme === GIT_SCHEME) return readGitBlob(uri, MAX_INLINE_BYTES);
  const s = await vscode.workspace.fs.stat(uri);
  if (s.size > MAX_INLINE_BYTES) {
    throw new CustodianError(vscode.l10n.t('{0} is too large to open in an editor ({1}; the limit is {2}).', what, formatBytes(s.size), formatBytes(MAX_INLINE_BYTES)), {
      hint: vscode.l10n.t('Use "Decrypt to File" instead.'),
    });
  }
  return vscode.workspace.fs.readFile(uri);
}

async function readHeader(uri: vscode.Uri): Promise<Awaited<ReturnType<CoreModule<'envelopeFiles'>['readEnvelopeHeader']>>> {
  if (uri.scheme === 'file') return (await lazyCore.envelopeFiles()).readEnvelopeHeader(uri.fsPath);
  const { inspectEnvelope } = await lazyCore.envelope();
  const { isArmored } = await lazyCore.armor();
  const bytes = await readLimited(uri, basename(uri.path));
  return { ...(await inspectEnvelope(bytes)), armored: isArmored(bytes) };
}
