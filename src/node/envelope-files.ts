// `.enc` files on disk for Node hosts (the CLI and the extension host), streamed: headers read without
// a key, whole-file encrypt/decrypt/re-encrypt through an atomic temp file (./atomic-file.ts), so a
// failure or a cancel leaves nothing behind and the target is only replaced by a complete,
// authenticated result.
import * as fs from 'node:fs/promises';
import { constantTimeEqual } from '../core/bytes';
import type { CryptoBackend, Sha256Hasher } from '../core/crypto-backend';
import type { DecryptionIdentity, EnvelopeInfo, SignatureStatus, SigningKey } from '../core/envelope';
import type { RecipientPolicy } from '../core/envelope-header';
import { CustodianError, FormatError } from '../core/errors';
import type { RsaPublicKey } from '../core/keys';
import { openAtomicFile } from './atomic-file';
import { readFileChunks } from './node-streams';
import { refuseLinkedFile } from './regular-files';

/** The operation was cancelled (progress notification or a test token); nothing was written. */
export class CancelledError extends CustodianError {
  constructor() {
    super('Cancelled.');
  }
}

export interface Cancellation {
  readonly isCancellationRequested: boolean;
}

export interface StreamProgress {
  /** Called with the number of plaintext (or input) bytes processed so far. */
  (bytesDone: number): void;
}

const MAGIC_LENGTH = 9;
const PREFIX_LENGTH = 14;
/** Armored inputs larger than this are not read whole just to show their header. */
const MAX_ARMORED_HEADER_READ = 64 * 1024 * 1024;

/** Whether the file starts like an armored envelope (after blank lines). */
export async function isArmoredFile(path: string): Promise<boolean> {
  const { isArmored } = await import('../core/armor');
  const head = await readHead(path, 256);
  return isArmored(head);
}

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await fs.open(path, 'r');
  try {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(buf, got, length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** The header of a `.enc` file (no key needed). Binary files: only the header bytes are read. */
export async function readEnvelopeHeader(path: string): Promise<EnvelopeInfo & { armored: boolean }> {
  const { inspectEnvelope } = await import('../core/envelope');
  const { headerLengthFromPrefix } = await import('../core/envelope-header');
  const prefix = await readHead(path, PREFIX_LENGTH);
  if (prefix.length >= MAGIC_LENGTH && new TextDecoder().decode(prefix.subarray(0, MAGIC_LENGTH)) === 'CUSTODIAN') {
    const length = headerLengthFromPrefix(prefix);
    const header = await readHead(path, length);
    if (header.length < length) throw new FormatError('the file ends inside the header (truncated)');
    return { ...(await inspectEnvelope(header)), armored: false };
  }
  if (!(await isArmoredFile(path))) {
    throw new FormatError('not a Custodian encrypted file (bad magic bytes)', { hint: 'Is this file encrypted with Custodian?' });
  }
  const stat = await fs.stat(path);
  if (stat.size > MAX_ARMORED_HEADER_READ) throw new FormatError('the armored file is too large to inspect');
  return { ...(await inspectEnvelope(readFileChunks(path))), armored: true };
}

async function* tap(source: AsyncIterable<Uint8Array>, hasher: Sha256Hasher | undefined, token: Cancellation | undefined, progress: StreamProgress | undefined): AsyncIterable<Uint8Array> {
  let done = 0;
  for await (const chunk of source) {
    if (token?.isCancellationRequested) throw new CancelledError();
    hasher?.update(chunk);
    done += chunk.length;
    progress?.(done);
    yield chunk;
  }
}

export interface EncryptFileOptions {
  recipients: readonly RsaPublicKey[];
  signer: SigningKey;
  backend: CryptoBackend;
  /** Replace an existing target. */
  overwrite: boolean;
  armor?: boolean;
  token?: Cancellation;
  progress?: StreamProgress;
  /** FORMAT.md §3.4: "team" or "chosen" (recipient-policy.ts policyForNewFile). */
  recipientPolicy?: RecipientPolicy;
}

/** Encrypts `source` to `target` (streamed, atomic). Resolves to the SHA-256 of the plaintext read. */
export async function encryptFile(source: string, target: string, opts: EncryptFileOptions): Promise<Uint8Array> {
  const { encryptStream } = await import('../core/envelope');
  const { armorStream } = await import('../core/armor');
  const hasher = opts.backend.createSha256();
  const out = await openAtomicFile(target, { force: opts.overwrite });
  try {
    const sealed = encryptStream(tap(readFileChunks(source), hasher, opts.token, opts.progress), {
      recipients: opts.recipients,
      signer: opts.signer,
      backend: opts.backend,
      recipientPolicy: opts.recipientPolicy,
    });
    for await (const piece of opts.armor ? armorStream(sealed) : sealed) {
      if (opts.token?.isCancellationRequested) throw new CancelledError();
      await out.write(piece);
    }
    if (opts.token?.isCancellationRequested) throw new CancelledError();
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return hasher.digest();
}

export interface DecryptedFile {
  header: EnvelopeInfo;
  signature: SignatureStatus;
}

/** Decrypts `source` into `target` atomically: the target appears only after the whole file authenticated. */
export async function decryptFile(
  source: string,
  target: string,
  opts: { identities: readonly DecryptionIdentity[]; backend: CryptoBackend; overwrite: boolean; token?: Cancellation; progress?: StreamProgress },
): Promise<DecryptedFile> {
  const { decryptStream } = await import('../core/envelope');
  const stream = await decryptStream(readFileChunks(source), { identities: opts.identities, backend: opts.backend });
  // Plaintext on disk is what the user asked for here; keep it private to the user.
  const out = await openAtomicFile(target, { force: opts.overwrite, mode: 0o600 }).catch(async (err: unknown) => {
    await stream.close(); // the plaintext is never read: close the source here (no descriptor left open)
    throw err;
  });
  try {
    for await (const piece of tap(stream.plaintext, undefined, opts.token, opts.progress)) await out.write(piece);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return { header: stream.header, signature: stream.signature() };
}

/** Decrypts `source` and checks the plaintext's SHA-256 (nothing is written). */
export async function verifyFile(source: string, expectedSha256: Uint8Array, opts: { identities: readonly DecryptionIdentity[]; backend: CryptoBackend }): Promise<boolean> {
  const { decryptStream } = await import('../core/envelope');
  const stream = await decryptStream(readFileChunks(source), opts);
  const hasher = opts.backend.createSha256();
  for await (const piece of stream.plaintext) hasher.update(piece);
  return constantTimeEqual(hasher.digest(), expectedSha256);
}

/**
 * Re-encrypts `path` in place to new recipients, signed by `signer`: decrypt stream → encrypt stream →
 * temp file, renamed over the original only once the old file fully authenticated. `expect` sees the
 * header actually decrypted (the file may have changed since the caller looked): false writes nothing.
 * A symbolic link is refused (LinkedFileError): never re-keyed through.
 */
export async function reencryptFile(
  path: string,
  opts: {
    identities: readonly DecryptionIdentity[];
    recipients: readonly RsaPublicKey[];
    signer: SigningKey;
    backend: CryptoBackend;
    token?: Cancellation;
    recipientPolicy?: RecipientPolicy;
    expect?: (header: EnvelopeInfo) => boolean;
  },
): Promise<DecryptedFile> {
  const { decryptStream, encryptStream } = await import('../core/envelope');
  const { armorStream } = await import('../core/armor');
  // The rename would put what a link leads to in its place, for new recipients (callers also check the folders above).
  await refuseLinkedFile(path);
  const armored = await isArmoredFile(path);
  const stream = await decryptStream(readFileChunks(path), { identities: opts.identities, backend: opts.backend });
  let out: Awaited<ReturnType<typeof openAtomicFile>>;
  try {
    if (opts.expect && !opts.expect(stream.header)) {
      throw new CustodianError('The file changed since it was checked; nothing was re-encrypted.', { hint: 'Run the command again.' });
    }
    const stat = await fs.stat(path);
    out = await openAtomicFile(path, { force: true, mode: stat.mode & 0o777 });
  } catch (err) {
    await stream.close(); // the plaintext is never read: close the source here (no descriptor left open)
    throw err;
  }
  try {
    const sealed = encryptStream(tap(stream.plaintext, undefined, opts.token, undefined), {
      recipients: opts.recipients,
      signer: opts.signer,
      backend: opts.backend,
      recipientPolicy: opts.recipientPolicy,
    });
    for await (const piece of armored ? armorStream(sealed) : sealed) await out.write(piece);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return { header: stream.header, signature: stream.signature() };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
