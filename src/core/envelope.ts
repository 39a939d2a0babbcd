// The `.enc` envelope: hybrid RSA-OAEP + AES-256-GCM STREAM, header MAC, optional RSA-PSS sender
// signature trailer. The byte format is specified in docs/FORMAT.md; section numbers below refer to it.
import { dearmorIfArmored, isArmored, dearmor } from './armor';
import { concatBytes, constantTimeEqual, zeroize } from './bytes';
import { MIN_RSA_BITS, type AesGcm, type CryptoBackend } from './crypto-backend';
import {
  CryptoUnavailableError,
  FormatError,
  HeaderAuthError,
  InvalidArgumentError,
  NoIdentityMatchedError,
  OversizedKeyError,
  PayloadAuthError,
  SignatureError,
  TruncatedError,
  WeakKeyError,
  type IdentityFailure,
} from './errors';
import {
  DEFAULT_CHUNK_SIZE,
  FILE_KEY_LENGTH,
  HEADER_PREFIX_LENGTH,
  MAX_CHUNK_SIZE,
  MAX_RECIPIENTS,
  MIN_CHUNK_SIZE,
  OAEP_LABEL,
  PAYLOAD_NONCE_LENGTH,
  SIGNATURE_CONTEXT,
  TAG_LENGTH,
  chunkNonce,
  computeHeaderMac,
  derivePayloadKey,
  encodeHeaderBody,
  fingerprintToString,
  headerLengthFromPrefix,
  parseHeader,
  verifyHeaderMac,
  type ParsedHeader,
  type RecipientStanza,
  type RecipientPolicy,
} from './envelope-header';
import { isPrivateKey, modulusBytes, publicKeyFromSpkiDer, type RsaPrivateKey, type RsaPublicKey } from './keys';
import { unwrapSpki, wrapSpki } from './spki';
import { ChunkReader, bytesToStream, collectStream } from './stream';

/** The payload's AES-256-GCM (FORMAT.md §4): the derived key is zeroed as soon as the cipher holds it. */
async function createPayloadCipher(backend: CryptoBackend, fileKey: Uint8Array, payloadNonce: Uint8Array): Promise<AesGcm> {
  const payloadKey = derivePayloadKey(fileKey, payloadNonce);
  try {
    return await backend.createAesGcm(payloadKey);
  } finally {
    zeroize(payloadKey);
  }
}

export { DEFAULT_CHUNK_SIZE } from './envelope-header';

/** What a file's header says, readable without a key. */
export interface EnvelopeInfo {
  readonly version: number;
  /** Recipient fingerprints, `SHA256:…`, in header order. */
  readonly recipients: readonly string[];
  /** The signer named in the header (MAC-covered; whether the signature verifies is separate). */
  readonly signer?: { readonly fingerprint: string; readonly spkiDer: Uint8Array };
  /** §3.4: how the writer chose the recipients; absent in older files. */
  readonly recipientPolicy?: RecipientPolicy;
  readonly chunkSize: number;
  readonly headerSize: number;
  /** Bytes of payload chunks; known only when the whole file was read. */
  readonly payloadSize?: number;
  /** Plaintext length implied by the payload size; known only when the whole file was read. */
  readonly plaintextSize?: number;
}

export type SignatureStatus = { readonly kind: 'unsigned' } | { readonly kind: 'signed'; readonly signer: RsaPublicKey };

export type SignerDescription =
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'known'; readonly key: RsaPublicKey }
  | { readonly kind: 'unknown'; readonly fingerprint: string };

/**
 * Unwraps a file key without handing out its private key (age's *identity*): a key held by another
 * process, such as the VS Code agent. Given a whole header (§3), it finds its own recipient stanza,
 * unwraps the file key and verifies the header MAC with it. Throws HeaderAuthError when the MAC does
 * not verify and NoIdentityMatchedError when it holds no key for the header; any other error (the
 * holder refused, or cannot be reached) ends the decryption.
 */
export interface Identity {
  readonly publicKey: RsaPublicKey;
  unwrapFileKey(header: Uint8Array): Promise<Uint8Array>;
}

/** Signs a transcript digest (§5) with a private key held elsewhere: the message is SIGNATURE_CONTEXT || digest. */
export interface Signer {
  readonly publicKey: RsaPublicKey;
  signTranscript(digest: Uint8Array): Promise<Uint8Array>;
}

/** A key to decrypt with: one held here, or an `Identity` that holds it elsewhere. */
export type DecryptionIdentity = RsaPrivateKey | Identity;
/** A key to sign with: one held here, or a `Signer` that holds it elsewhere. */
export type SigningKey = RsaPrivateKey | Signer;


export interface EncryptOptions {
  recipients: readonly RsaPublicKey[];
  signer?: SigningKey;
  backend: CryptoBackend;
  /** Plaintext bytes per chunk (§4). Default 256 KiB. */
  chunkSize?: number;
  /** §3.4: written as a non-critical field; omitted when undefined (as older writers did). */
  recipientPolicy?: RecipientPolicy;
}

export interface DecryptOptions {
  identities: readonly DecryptionIdentity[];
  backend: CryptoBackend;
  /**
   * What `verifyEnvelopeSignature` found in a first pass over the same file. The header must then
   * name the same signer (checked before any plaintext is released) and the transcript must match.
   */
  firstPass?: VerifiedSignature;
}

export interface VerifySignatureOptions {
  backend: CryptoBackend;
  /**
   * Called with the signer the header claims (unverified), before the rest of the file is read: a
   * host that requires a signer can refuse a wrong claim without reading the whole file. May throw.
   */
  checkClaim?: (claimed: RsaPublicKey | undefined) => void;
}

/** A file's signature, verified in a pass that needs no private key (`verifyEnvelopeSignature`). */
export interface VerifiedSignature {
  readonly status: SignatureStatus;
  /** SHA-256 of the transcript (§5) when signed: a second pass must read exactly these bytes. */
  readonly transcript?: Uint8Array;
}

export interface DecryptedStream {
  readonly header: EnvelopeInfo;
  /**
   * Authenticated plaintext chunks. Iteration completes normally only after the final chunk, the
   * signature (if any) and the absence of trailing data were verified; otherwise it throws. Treat the
   * output as valid only once iteration completed. Iterate once.
   */
  readonly plaintext: AsyncIterable<Uint8Array>;
  /** The sender signature status; throws until `plaintext` was read to the end. */
  signature(): SignatureStatus;
  /**
   * Closes the input (a file's descriptor) for a caller that will not read `plaintext` after all,
   * e.g. when its output cannot be opened. Reading `plaintext` closes it by itself, however it ends.
   */
  close(): Promise<void>;
}

export interface DecryptedBytes {
  plaintext: Uint8Array;
  signature: SignatureStatus;
  header: EnvelopeInfo;
}


/**
 * Encrypts a plaintext stream (§3–§5). Output pieces are: the header, each chunk (as one piece, or as
 * ciphertext and tag when the backend seals detached), then the signature if signing. An input piece
 * is not used after the next one is requested, so a source may reuse its buffers.
 */
export async function* encryptStream(plaintext: AsyncIterable<Uint8Array>, opts: EncryptOptions): AsyncIterable<Uint8Array> {
  const { backend, signer } = opts;
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new InvalidArgumentError(`"chunkSize" expected an integer in ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}, got ${chunkSize}`);
  }
  const recipients = dedupeRecipients(opts.recipients);
  if (recipients.length === 0) throw new InvalidArgumentError('no recipients: add at least one public key');
  if (recipients.length > MAX_RECIPIENTS) throw new InvalidArgumentError(`too many recipients: ${recipients.length}, the limit is ${MAX_RECIPIENTS}`);

  const fileKey = backend.randomBytes(FILE_KEY_LENGTH);
  const payloadNonce = backend.randomBytes(PAYLOAD_NONCE_LENGTH);
  let header: Uint8Array;
  let aes: AesGcm;
  try {
    const stanzas: RecipientStanza[] = [];
    for (const r of recipients) {
      stanzas.push({ fingerprint: r.fingerprintBytes, wrappedKey: await backend.rsaOaepEncrypt(r.spkiDer, fileKey, OAEP_LABEL) });
    }
    const body = encodeHeaderBody({ chunkSize, payloadNonce, stanzas, signerSpki: signer?.publicKey.spkiDer, recipientPolicy: opts.recipientPolicy });
    header = concatBytes(body, computeHeaderMac(fileKey, body));
    aes = await createPayloadCipher(backend, fileKey, payloadNonce);
  } finally {
    zeroize(fileKey);
  }

  const transcript = signer ? backend.createSha256() : undefined;
  transcript?.update(header);
  yield header;

  // Hold back up to one chunk: a chunk is non-final only once we know more plaintext follows (§4).
  const buffer = new Uint8Array(chunkSize);
  let fill = 0;
  let counter = 0;
  const seal = async (data: Uint8Array, last: boolean): Promise<readonly Uint8Array[]> => {
    const nonce = chunkNonce(counter++, last);
    const pieces = aes.sealDetached ? await aes.sealDetached(nonce, data) : [await aes.seal(nonce, data)];
    for (const p of pieces) transcript?.update(p);
    return pieces;
  };
  for await (const piece of plaintext) {
    if (!(piece instanceof Uint8Array)) throw new TypeError(`plaintext stream expected Uint8Array pieces, got ${typeof piece}`);
    let offset = 0;
    while (offset < piece.length) {
      if (fill === chunkSize) {
        yield* await seal(buffer, false);
        fill = 0;
      }
      // Fast path: seal straight from the input when a whole chunk and more are available.
      if (fill === 0 && piece.length - offset > chunkSize) {
        yield* await seal(piece.subarray(offset, offset + chunkSize), false);
        offset += chunkSize;
        continue;
      }
      const n = Math.min(chunkSize - fill, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + n), fill);
      fill += n;
      offset += n;
    }
  }
  yield* await seal(buffer.subarray(0, fill), true);
  zeroize(buffer);

  if (signer && transcript) yield await signWith(signer, transcript.digest(), backend);
}

const TRANSCRIPT_DIGEST_LENGTH = 32;

/** §5: the RSA-PSS signature over SIGNATURE_CONTEXT || digest, for a holder of the key (the agent). */
export async function signTranscriptDigest(key: RsaPrivateKey, digest: Uint8Array, backend: CryptoBackend): Promise<Uint8Array> {
  if (!(digest instanceof Uint8Array)) throw new TypeError(`"digest" expected Uint8Array, got ${typeof digest}`);
  if (digest.length !== TRANSCRIPT_DIGEST_LENGTH) throw new RangeError(`"digest" expected ${TRANSCRIPT_DIGEST_LENGTH} bytes, got ${digest.length}`);
  return backend.rsaPssSign(key.pkcs8Der, concatBytes(SIGNATURE_CONTEXT, digest));
}

/**
 * A remote signature is checked before it is written: a signer that answers with another key's
 * signature (or garbage) must fail here, not at every reader.
 */
async function signWith(signer: SigningKey, digest: Uint8Array, backend: CryptoBackend): Promise<Uint8Array> {
  if (isPrivateKey(signer)) return signTranscriptDigest(signer, digest, backend);
  const signature = await signer.signTranscript(digest);
  const ok = await backend.rsaPssVerify(signer.publicKey.spkiDer, concatBytes(SIGNATURE_CONTEXT, digest), signature).catch(() => false);
  if (!ok) throw new SignatureError(`the signature returned for ${signer.publicKey.fingerprint} does not verify with that key`, { hint: 'check which key the signer holds' });
  return signature;
}

function dedupeRecipients(recipients: readonly RsaPublicKey[]): RsaPublicKey[] {
  const seen = new Set<string>();
  const out: RsaPublicKey[] = [];
  for (const r of recipients) {
    if (seen.has(r.fingerprint)) continue;
    seen.add(r.fingerprint);
    out.push(r);
  }
  return out;
}

/** `signer` is the header's signer field as `signerFromHeader` parsed it (parsed once, validated there). */
function infoFromHeader(header: ParsedHeader, signer: RsaPublicKey | undefined, payloadSize?: number, plaintextSize?: number): EnvelopeInfo {
  return {
    version: header.version,
    recipients: header.stanzas.map((s) => fingerprintToString(s.fingerprint)),
    signer: signer && { fingerprint: signer.fingerprint, spkiDer: signer.spkiDer },
    recipientPolicy: header.recipientPolicy,
    chunkSize: header.chunkSize,
    headerSize: header.bytes.length,
    payloadSize,
    plaintextSize,
  };
}

/** Runs `work`; if it fails, closes the reader's source first (no descriptor left open per bad file). */
async function closeOnError<T>(reader: ChunkReader, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await reader.close();
    throw err;
  }
}

/** Reads and parses the header from the front of `reader` (§3). */
async function readHeader(reader: ChunkReader): Promise<ParsedHeader> {
  const got = await reader.ensure(HEADER_PREFIX_LENGTH);
  if (got === 0) throw new FormatError('empty input: not a Custodian encrypted file');
  const total = headerLengthFromPrefix(reader.peek(Math.min(got, HEADER_PREFIX_LENGTH)));
  if ((await reader.ensure(total)) < total) throw new FormatError('file ends inside the header');
  return parseHeader(reader.read(total));
}

/**
 * Parses the signer field into a key (§3.1): an RSA key below the floor (or with an unusable exponent)
 * is a WeakKeyError as everywhere else; anything that is not an RSA SPKI in the one DER form writers
 * emit (rsaEncryption with NULL parameters) is a FormatError, so a signer has one encoding.
 */
function signerFromHeader(header: ParsedHeader): RsaPublicKey | undefined {
  if (!header.signerSpki) return undefined;
  let key: RsaPublicKey;
  try {
    key = publicKeyFromSpkiDer(header.signerSpki);
  } catch (err) {
    if (err instanceof WeakKeyError) {
      throw new WeakKeyError(`the file is signed with a key Custodian refuses: ${err.message}`, { cause: err, hint: `ask the sender to sign with an RSA key of at least ${MIN_RSA_BITS} bits` });
    }
    if (err instanceof OversizedKeyError) {
      throw new FormatError(`malformed header: the signer field: ${err.message}`, { cause: err });
    }
    throw new FormatError('malformed header: the signer field is not an RSA public key', { cause: err });
  }
  // Re-encoding gives the canonical form; the comparison is of public bytes (any equality would do).
  if (!constantTimeEqual(wrapSpki(unwrapSpki(header.signerSpki)), header.signerSpki)) {
    throw new FormatError('malformed header: the signer key is not in the DER form writers emit (rsaEncryption with NULL parameters)');
  }
  return key;
}

type UnwrapResult = { readonly fileKey: Uint8Array } | { readonly failure: IdentityFailure; readonly macFailed?: boolean };

/** One private key against its stanza (§3.2) and the header MAC (§3.3). */
async function unwrapWithKey(header: ParsedHeader, key: RsaPrivateKey, stanza: RecipientStanza, backend: CryptoBackend): Promise<UnwrapResult> {
  const fingerprint = key.publicKey.fingerprint;
  // RFC 8017 §7.1.2 step 1: OpenSSL would also take a ciphertext with its leading zero byte dropped.
  if (stanza.wrappedKey.length !== modulusBytes(key.publicKey)) {
    return { failure: { fingerprint, reason: `the wrapped file key has ${stanza.wrappedKey.length} bytes, not this key's ${modulusBytes(key.publicKey)}` } };
  }
  let fileKey: Uint8Array;
  try {
    fileKey = await backend.rsaOaepDecrypt(key.pkcs8Der, stanza.wrappedKey, OAEP_LABEL);
  } catch (err) {
    if (err instanceof CryptoUnavailableError) throw err;
    return { failure: { fingerprint, reason: 'the wrapped file key does not decrypt with this key (stanza modified, or a different key with the same fingerprint)' } };
  }
  return checkFileKey(header, fingerprint, fileKey);
}

function checkFileKey(header: ParsedHeader, fingerprint: string, fileKey: Uint8Array): UnwrapResult {
  if (fileKey.length !== FILE_KEY_LENGTH) {
    zeroize(fileKey);
    return { failure: { fingerprint, reason: `the unwrapped file key has ${fileKey.length} bytes, expected ${FILE_KEY_LENGTH}` } };
  }
  if (!verifyHeaderMac(fileKey, header)) {
    zeroize(fileKey);
    return { failure: { fingerprint, reason: 'the header MAC does not verify' }, macFailed: true };
  }
  return { fileKey };
}

/** An identity held elsewhere: its answer is checked here too (length and MAC), as a local key's is. */
async function unwrapWithIdentity(header: ParsedHeader, identity: Identity): Promise<UnwrapResult> {
  const fingerprint = identity.publicKey.fingerprint;
  let fileKey: Uint8Array;
  try {
    fileKey = await identity.unwrapFileKey(header.bytes);
  } catch (err) {
    if (err instanceof HeaderAuthError) return { failure: { fingerprint, reason: 'the header MAC does not verify' }, macFailed: true };
    if (err instanceof NoIdentityMatchedError) return { failure: { fingerprint, reason: err.message } };
    throw err;
  }
  return checkFileKey(header, fingerprint, fileKey);
}

/** Finds the file key with the first identity that unwraps it and verifies the header MAC (§3.2). */
async function unwrapFileKey(header: ParsedHeader, identities: readonly DecryptionIdentity[], backend: CryptoBackend): Promise<Uint8Array> {
  const failures: IdentityFailure[] = [];
  let macFailed = false;
  for (const identity of identities) {
    const fingerprint = identity.publicKey.fingerprint;
    const stanza = header.stanzas.find((s) => fingerprintToString(s.fingerprint) === fingerprint);
    if (!stanza) continue;
    const result = isPrivateKey(identity) ? await unwrapWithKey(header, identity, stanza, backend) : await unwrapWithIdentity(header, identity);
    if ('fileKey' in result) return result.fileKey;
    failures.push(result.failure);
    macFailed ||= result.macFailed === true;
  }
  if (macFailed) {
    throw new HeaderAuthError('the file header was modified (its MAC does not verify): a recipient, the signer or another header field was changed', {
      hint: 'ask the sender for a fresh copy',
    });
  }
  const recipients = header.stanzas.map((s) => fingerprintToString(s.fingerprint));
  const detail = failures.length > 0 ? `; ${failures.map((f) => `${f.fingerprint}: ${f.reason}`).join('; ')}` : '';
  throw new NoIdentityMatchedError(`no identity matched: the file is encrypted to ${recipients.join(', ')}${detail}`, recipients, failures, {
    hint: identities.length === 0 ? 'no private keys are available' : 'ask the sender to add one of your public keys as a recipient',
  });
}

/**
 * The file key of a whole header (§3), for a holder of private keys that answers others (the agent):
 * the header is parsed strictly, the MAC verified, and only that file's key is returned.
 */
export async function unwrapHeaderFileKey(header: Uint8Array, keys: readonly RsaPrivateKey[], backend: CryptoBackend): Promise<Uint8Array> {
  if (!(header instanceof Uint8Array)) throw new TypeError(`"header" expected Uint8Array, got ${typeof header}`);
  const parsed = parseHeader(header);
  if (parsed.bytes.length !== header.length) throw new FormatError(`"header" has ${header.length - parsed.bytes.length} bytes after the header MAC`);
  return unwrapFileKey(parsed, keys, backend);
}

async function opens(aes: AesGcm, nonce: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return await aes.open(nonce, sealed);
  } catch (err) {
    if (err instanceof CryptoUnavailableError) throw err;
    return undefined;
  }
}

/**
 * Opens a ciphertext stream (binary or ASCII-armored). Resolves once the header is authenticated
 * (§3.3); the payload is authenticated as `plaintext` is iterated (§6). An input piece is not used
 * after the next one is requested, so a source may reuse its buffers.
 */
export async function decryptStream(ciphertext: AsyncIterable<Uint8Array>, opts: DecryptOptions): Promise<DecryptedStream> {
  const { backend } = opts;
  const reader = new ChunkReader(dearmorIfArmored(ciphertext));
  const { header, signer, aes } = await closeOnError(reader, async () => {
    const header = await readHeader(reader);
    const signer = signerFromHeader(header);
    if (opts.firstPass) checkSameSigner(opts.firstPass.status, signer);
    const fileKey = await unwrapFileKey(header, opts.identities, backend);
    try {
      return { header, signer, aes: await createPayloadCipher(backend, fileKey, header.payloadNonce) };
    } finally {
      zeroize(fileKey);
    }
  });
  const info = infoFromHeader(header, signer);

  let status: SignatureStatus | undefined;
  let started = false;
  const transcript = signer ? backend.createSha256() : undefined;
  transcript?.update(header.bytes);

  async function* payload(): AsyncGenerator<Uint8Array> {
    if (started) throw new InvalidArgumentError('the plaintext stream can be read only once');
    started = true;
    // However iteration stops (end, failure, a consumer that breaks early), the source is closed.
    try {
      yield* payloadChunks();
    } finally {
      await reader.close();
    }
  }

  async function* payloadChunks(): AsyncGenerator<Uint8Array> {
    const sealedSize = header.chunkSize + TAG_LENGTH;
    const trailer = signer ? modulusBytes(signer) : 0;
    for (let counter = 0; ; counter++) {
      if (counter > Number.MAX_SAFE_INTEGER - 1) throw new FormatError('too many chunks');
      const available = await reader.ensure(sealedSize + trailer + 1);
      if (available > sealedSize + trailer) {
        const sealed = reader.read(sealedSize);
        const plain = await opens(aes, chunkNonce(counter, false), sealed);
        if (!plain) {
          if (await opens(aes, chunkNonce(counter, true), sealed)) {
            throw new FormatError(`trailing data after the final chunk (chunk ${counter}): the file has extra bytes appended`);
          }
          throw new PayloadAuthError(`payload chunk ${counter} failed authentication: the file was modified or its chunks reordered`);
        }
        transcript?.update(sealed);
        yield plain;
        continue;
      }
      const tail = reader.read(available);
      const finalSize = available - trailer;
      const plain = finalSize >= TAG_LENGTH && finalSize <= sealedSize ? await opens(aes, chunkNonce(counter, true), tail.subarray(0, finalSize)) : undefined;
      if (!plain) await diagnoseFinal(aes, tail, counter, sealedSize, trailer);
      if (plain!.length === 0 && counter > 0) throw new PayloadAuthError('empty final chunk after other chunks: the file was modified');
      if (signer && transcript) {
        transcript.update(tail.subarray(0, finalSize));
        const digest = transcript.digest();
        const ok = await backend.rsaPssVerify(signer.spkiDer, concatBytes(SIGNATURE_CONTEXT, digest), tail.subarray(finalSize)).catch(() => false);
        if (!ok) throw badSignature(signer);
        if (opts.firstPass?.transcript && !equalBytes(digest, opts.firstPass.transcript)) throw changedBetweenPasses();
        status = { kind: 'signed', signer };
      } else {
        status = { kind: 'unsigned' };
      }
      if (plain!.length > 0) yield plain!;
      return;
    }
  }

  return {
    header: info,
    plaintext: { [Symbol.asyncIterator]: () => payload() },
    signature(): SignatureStatus {
      if (!status) throw new InvalidArgumentError('the signature status is known only after the plaintext was read to the end');
      return status;
    },
    close: () => reader.close(),
  };
}

function badSignature(signer: RsaPublicKey): SignatureError {
  return new SignatureError(`the file claims to be signed by ${signer.fingerprint}, but that signature does not verify: the file was forged or modified after signing`, {
    hint: 'do not use this file; ask the sender for a fresh copy',
  });
}

function changedBetweenPasses(): SignatureError {
  return new SignatureError('the file changed while it was being read: it is not the file whose signature was verified', {
    hint: 'make sure nothing writes to the file while it is decrypted, then try again',
  });
}

/** The header's signer against a first pass's: the file must not have been swapped in between. */
function checkSameSigner(first: SignatureStatus, signer: RsaPublicKey | undefined): void {
  const firstFingerprint = first.kind === 'signed' ? first.signer.fingerprint : undefined;
  if (firstFingerprint !== signer?.fingerprint) throw changedBetweenPasses();
}

/** Public values (digests): no need for constant time. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Verifies a file's sender signature (§5) with no private key: the transcript covers the ciphertext,
 * so a host that must not release unverified plaintext (a stream to stdout) checks it in a first pass
 * and decrypts in a second, passing the result as `firstPass`. Stops after the header when the file is
 * unsigned. Neither the header MAC nor the chunks are checked here; `decryptStream` checks them.
 */
export async function verifyEnvelopeSignature(ciphertext: AsyncIterable<Uint8Array>, opts: VerifySignatureOptions): Promise<VerifiedSignature> {
  const { backend } = opts;
  const reader = new ChunkReader(dearmorIfArmored(ciphertext));
  const header = await readHeader(reader);
  const signer = signerFromHeader(header);
  opts.checkClaim?.(signer);
  if (!signer) return { status: { kind: 'unsigned' } };
  const trailer = modulusBytes(signer);
  const transcript = backend.createSha256();
  transcript.update(header.bytes);
  // Everything but the last `trailer` bytes is transcript. The reader keeps those bytes in its spill
  // buffer between pulls; reading them apart from the fresh piece hashes both without copying it.
  for (;;) {
    const available = await reader.ensure(trailer + 1);
    if (available <= trailer) break;
    const n = available - trailer;
    const first = Math.min(n, trailer);
    transcript.update(reader.read(first));
    if (n > first) transcript.update(reader.read(n - first));
  }
  const signature = reader.read(reader.available);
  if (signature.length < trailer) {
    throw new SignatureError(`the file claims to be signed by ${signer.fingerprint}, but it is too short to hold a signature (truncated, or the signature was stripped)`);
  }
  const digest = transcript.digest();
  const ok = await backend.rsaPssVerify(signer.spkiDer, concatBytes(SIGNATURE_CONTEXT, digest), signature).catch(() => false);
  if (!ok) throw badSignature(signer);
  return { status: { kind: 'signed', signer }, transcript: digest };
}

/**
 * Explains why the end of the file did not open (§6 step 2). Always throws. The tail is at most one
 * chunk plus the trailer, so re-reading it as unsigned chunks costs little.
 */
async function diagnoseFinal(aes: AesGcm, tail: Uint8Array, counter: number, sealedSize: number, trailer: number): Promise<never> {
  let offset = 0;
  let i = counter;
  while (tail.length - offset > sealedSize && (await opens(aes, chunkNonce(i, false), tail.subarray(offset, offset + sealedSize)))) {
    offset += sealedSize;
    i++;
  }
  const rest = tail.subarray(offset);
  if (trailer > 0 && rest.length >= TAG_LENGTH && rest.length <= sealedSize && (await opens(aes, chunkNonce(i, true), rest))) {
    throw new SignatureError('the file is marked as signed but its signature is missing (stripped)');
  }
  if (rest.length === 0 && i === 0) throw new TruncatedError('the file is truncated: it ends after its header, before any payload');
  if (rest.length === 0 || (rest.length === sealedSize && (await opens(aes, chunkNonce(i, false), rest)))) {
    throw new TruncatedError(`the file is truncated: it ends after chunk ${rest.length === 0 ? i - 1 : i} without a final chunk`);
  }
  throw new PayloadAuthError(`the final payload chunk (${i}) failed authentication: the file was modified, truncated or has data appended`);
}

/** In-memory input as a single piece: the envelope then seals and opens straight from it, copying nothing. */
function onePiece(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return bytesToStream(bytes, Math.max(1, bytes.length));
}

/** Encrypts bytes in memory. */
export async function encryptBytes(plaintext: Uint8Array, opts: EncryptOptions): Promise<Uint8Array> {
  return collectStream(encryptStream(onePiece(plaintext), opts));
}

/** Decrypts a whole file held in memory (binary bytes, or armored text as a string or bytes). */
export async function decryptBytes(ciphertext: Uint8Array | string, opts: DecryptOptions): Promise<DecryptedBytes> {
  const binary = typeof ciphertext === 'string' ? dearmor(ciphertext) : ciphertext;
  const stream = await decryptStream(onePiece(binary), opts);
  const plaintext = await collectStream(stream.plaintext);
  return { plaintext, signature: stream.signature(), header: stream.header };
}

/**
 * Reads a file's header without any key (§3). Given the whole file (bytes, or a stream read to its end),
 * also reports payload and plaintext sizes; those are unauthenticated.
 */
export async function inspectEnvelope(input: AsyncIterable<Uint8Array> | Uint8Array | string): Promise<EnvelopeInfo> {
  let source: AsyncIterable<Uint8Array>;
  if (typeof input === 'string') source = bytesToStream(dearmor(input));
  else if (input instanceof Uint8Array) source = bytesToStream(isArmored(input) ? dearmor(new TextDecoder().decode(input)) : input);
  else source = dearmorIfArmored(input);
  const reader = new ChunkReader(source);
  const { header, signer } = await closeOnError(reader, async () => {
    const header = await readHeader(reader);
    return { header, signer: signerFromHeader(header) };
  });
  const rest = await closeOnError(reader, () => reader.drain());
  const payloadSize = rest - (signer ? modulusBytes(signer) : 0);
  const sealedSize = header.chunkSize + TAG_LENGTH;
  const chunks = Math.max(1, Math.ceil(payloadSize / sealedSize));
  const plaintextSize = payloadSize - chunks * TAG_LENGTH;
  if (payloadSize < TAG_LENGTH || plaintextSize < 0) return infoFromHeader(header, signer);
  return infoFromHeader(header, signer, payloadSize, plaintextSize);
}

/** Classifies a verified signature against the caller's known keys by fingerprint. */
export function describeSigner(status: SignatureStatus, knownKeys: readonly RsaPublicKey[]): SignerDescription {
  if (status.kind === 'unsigned') return { kind: 'unsigned' };
  const known = knownKeys.find((k) => k.fingerprint === status.signer.fingerprint);
  return known ? { kind: 'known', key: known } : { kind: 'unknown', fingerprint: status.signer.fingerprint };
}
