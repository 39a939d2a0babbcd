// RSA keys: the one entry point for importing, exporting and generating them. Each format lives in
// its own module (pem, pkcs1, spki, pkcs8, openssh, x509); this file dispatches and enforces policy
// (RSA only, MIN_RSA_BITS..MAX_RSA_BITS, usable exponent, consistent private keys: the checks live in
// pkcs1.ts). The formats and parameters are in docs/KEYS.md.
import { constantTimeEqual, zeroize } from './bytes';
import type { CryptoBackend, RsaKeySize } from './crypto-backend';
import { InvalidArgumentError, KeyFormatError, PassphraseError, UnsupportedKeyError } from './errors';
import { fingerprintSshBlob } from './fingerprint';
import { decodeOpenSshPrivateKey, encodeSshRsaBlob, formatSshPublicLine, isEncryptedOpenSsh, isSshKeyType, OPENSSH_PRIVATE_LABEL, parseSshPublicLine } from './openssh';
import { decodePemBlocks, encodePem, looksLikePem, type PemBlock } from './pem';
import { checkRsaPublicParams, decodeRsaPrivateKey, decodeRsaPublicKey, encodeRsaPublicKey } from './pkcs1';
import { decryptPkcs8, encryptPkcs8, unwrapPkcs8, wrapPkcs8, type EncryptPkcs8Options } from './pkcs8';
import { unwrapSpki, wrapSpki } from './spki';
import { CERTIFICATE_LABEL, createSelfSignedCertificateDer, parseCertificate } from './x509';

export { shortFingerprint } from './fingerprint';

export interface RsaPublicKey {
  /** SubjectPublicKeyInfo DER (rsaEncryption). */
  readonly spkiDer: Uint8Array;
  /** Modulus size in bits. */
  readonly bits: number;
  /** "SHA256:" + unpadded base64 of SHA-256(ssh-rsa wire blob): the same string `ssh-keygen -lf` prints. */
  readonly fingerprint: string;
  /** The 32 raw bytes of that SHA-256. */
  readonly fingerprintBytes: Uint8Array;
  /** OpenSSH line comment, or certificate subject CN / email, if any. */
  readonly comment?: string;
}

export interface RsaPrivateKey {
  /** Unencrypted PKCS#8 PrivateKeyInfo DER: lives only in memory or SecretStorage. */
  readonly pkcs8Der: Uint8Array;
  readonly publicKey: RsaPublicKey;
}

/** Whether a key is held here (its PKCS#8 bytes in this process), not by a holder elsewhere such as the agent. */
export function isPrivateKey(key: object): key is RsaPrivateKey {
  return (key as Partial<RsaPrivateKey>).pkcs8Der instanceof Uint8Array;
}

const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', CERTIFICATE_LABEL]);
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', OPENSSH_PRIVATE_LABEL]);
const OTHER_PRIVATE_LABELS: Readonly<Record<string, string>> = {
  'EC PRIVATE KEY': 'EC',
  'DSA PRIVATE KEY': 'DSA',
  'EC PUBLIC KEY': 'EC',
  'DSA PUBLIC KEY': 'DSA',
};
const GENERATED_SIZES: readonly number[] = [2048, 3072, 4096];
const DEFAULT_GENERATED_BITS: RsaKeySize = 3072;

const EXPECTED_PUBLIC =
  'expected an RSA public key: a PEM "PUBLIC KEY", "RSA PUBLIC KEY" or "CERTIFICATE" block, or an OpenSSH "ssh-rsa AAAA…" line';
const EXPECTED_PRIVATE =
  'expected an RSA private key: a PEM "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY" or "OPENSSH PRIVATE KEY" block';

function publicKeyFromRsaDer(rsaPublicKeyDer: Uint8Array, spkiDer: Uint8Array, comment?: string): RsaPublicKey {
  const params = decodeRsaPublicKey(rsaPublicKeyDer);
  const bits = checkRsaPublicParams(params);
  const fp = fingerprintSshBlob(encodeSshRsaBlob(params));
  const c = comment?.trim();
  return { spkiDer, bits, fingerprint: fp.text, fingerprintBytes: fp.bytes, ...(c ? { comment: c } : {}) };
}

export function publicKeyFromSpkiDer(spkiDer: Uint8Array, comment?: string): RsaPublicKey {
  if (!(spkiDer instanceof Uint8Array)) throw new TypeError(`"spkiDer" expected Uint8Array, got ${typeof spkiDer}`);
  const copy = spkiDer.slice();
  return publicKeyFromRsaDer(unwrapSpki(copy), copy, comment);
}

function firstBlock(blocks: PemBlock[], wanted: Set<string>, expected: string, wrongKind: Set<string>, wrongKindMessage: string): PemBlock {
  const block = blocks.find((b) => wanted.has(b.label));
  if (block) return block;
  const other = blocks.find((b) => b.label in OTHER_PRIVATE_LABELS);
  if (other) throw new UnsupportedKeyError(`unsupported key type ${OTHER_PRIVATE_LABELS[other.label]}: Custodian only supports RSA keys`);
  if (blocks.some((b) => wrongKind.has(b.label))) throw new KeyFormatError(wrongKindMessage);
  if (blocks.length > 0) throw new KeyFormatError(`unexpected PEM block "${blocks[0].label}": ${expected}`);
  throw new KeyFormatError(expected);
}

/**
 * A public-key file names one key: with a second (another PEM block, an ssh-rsa line beside the block)
 * a reader may take the file for the key they see while the first one is used. Certificate chains are
 * refused too: nothing here verifies one, and its first certificate would be taken on trust alike.
 * Other text around the block (`openssl x509 -text`, bag attributes) stays allowed.
 */
function checkOneKey(text: string, blocks: readonly PemBlock[]): void {
  if (blocks.length > 1) {
    throw new KeyFormatError(`the file holds ${blocks.length} PEM blocks (${blocks.map((b) => `"${b.label}"`).join(', ')}): one key per file`, {
      hint: 'keep only the block of the key meant (for a certificate chain, the holder\'s certificate: openssl x509 -in FILE keeps the first one)',
    });
  }
  if (text.split('\n').some((line) => isSshKeyType(line.trim().split(/\s+/)[0]))) {
    throw new KeyFormatError('the file holds a PEM block and an OpenSSH key line: one key per file', { hint: 'keep only the PEM block or only the ssh-rsa line' });
  }
}

/** Reads an RSA public key from SPKI PEM, PKCS#1 "RSA PUBLIC KEY" PEM, an X.509 certificate or an ssh-rsa line. */
export function parsePublicKey(text: string): RsaPublicKey {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  if (looksLikePem(text)) {
    const blocks = decodePemBlocks(text);
    const block = firstBlock(blocks, PUBLIC_LABELS, EXPECTED_PUBLIC, PRIVATE_LABELS, 'this is a private key; expected a public key (never share a private key)');
    checkOneKey(text, blocks);
    switch (block.label) {
      case 'PUBLIC KEY':
        return publicKeyFromSpkiDer(block.der);
      case 'RSA PUBLIC KEY':
        return publicKeyFromRsaDer(block.der, wrapSpki(block.der));
      default: {
        const cert = parseCertificate(block.der);
        const comment = cert.commonName && cert.email ? `${cert.commonName} <${cert.email}>` : (cert.commonName ?? cert.email);
        return publicKeyFromSpkiDer(cert.spkiDer, comment);
      }
    }
  }
  const line = text.trim();
  if (isSshKeyType(line.split(/\s+/)[0])) {
    if (line.includes('\n')) throw new KeyFormatError('expected a single OpenSSH public key line');
    const ssh = parseSshPublicLine(line);
    const rsaDer = encodeRsaPublicKey(ssh);
    return publicKeyFromRsaDer(rsaDer, wrapSpki(rsaDer), ssh.comment);
  }
  throw new KeyFormatError(EXPECTED_PUBLIC);
}

/** Builds a private key from PKCS#8 DER, checking it is a consistent RSA key Custodian accepts. */
export function privateKeyFromPkcs8Der(pkcs8Der: Uint8Array): RsaPrivateKey {
  if (!(pkcs8Der instanceof Uint8Array)) throw new TypeError(`"pkcs8Der" expected Uint8Array, got ${typeof pkcs8Der}`);
  return privateKeyFromPkcs1Der(unwrapPkcs8(pkcs8Der));
}

function privateKeyFromPkcs1Der(pkcs1Der: Uint8Array, comment?: string): RsaPrivateKey {
  const params = decodeRsaPrivateKey(pkcs1Der);
  const rsaPublicDer = encodeRsaPublicKey(params);
  const publicKey = publicKeyFromRsaDer(rsaPublicDer, wrapSpki(rsaPublicDer), comment);
  return { pkcs8Der: wrapPkcs8(pkcs1Der), publicKey };
}

function isProcTypeEncrypted(block: PemBlock): boolean {
  return /^4,\s*ENCRYPTED$/i.test(block.headers.get('Proc-Type') ?? '');
}

/** True for encrypted PKCS#8, legacy "Proc-Type: 4,ENCRYPTED" PEM and passphrase-protected OpenSSH keys. */
export function isEncryptedPrivateKey(text: string): boolean {
  try {
    const block = decodePemBlocks(text).find((b) => PRIVATE_LABELS.has(b.label));
    if (!block) return false;
    if (block.label === 'ENCRYPTED PRIVATE KEY' || isProcTypeEncrypted(block)) return true;
    return block.label === OPENSSH_PRIVATE_LABEL && isEncryptedOpenSsh(block.der);
  } catch {
    return false;
  }
}

/**
 * Reads an RSA private key: PKCS#1, PKCS#8, encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA1/SHA-256 +
 * AES-CBC) or an OpenSSH private key (unencrypted, or bcrypt + AES-CTR).
 */
export async function parsePrivateKey(text: string, passphrase?: string, options: { signal?: AbortSignal } = {}): Promise<RsaPrivateKey> {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  if (passphrase !== undefined && typeof passphrase !== 'string') throw new TypeError(`"passphrase" expected string, got ${typeof passphrase}`);
  if (!looksLikePem(text)) {
    if (isSshKeyType(text.trim().split(/\s+/)[0])) throw new KeyFormatError('this is an OpenSSH public key; expected a private key');
    throw new KeyFormatError(EXPECTED_PRIVATE);
  }
  const block = firstBlock(decodePemBlocks(text), PRIVATE_LABELS, EXPECTED_PRIVATE, PUBLIC_LABELS, 'this is a public key or certificate; expected a private key');
  switch (block.label) {
    case 'PRIVATE KEY':
      return privateKeyFromPkcs8Der(block.der);
    case 'RSA PRIVATE KEY':
      if (isProcTypeEncrypted(block)) {
        throw new KeyFormatError('legacy encrypted PEM ("Proc-Type: 4,ENCRYPTED") is not supported', {
          hint: 'convert it with: openssl pkcs8 -topk8 -v2 aes256 -in key.pem -out key-pkcs8.pem',
        });
      }
      return privateKeyFromPkcs1Der(block.der);
    case 'ENCRYPTED PRIVATE KEY': {
      if (!passphrase) throw new PassphraseError('this key is encrypted: a passphrase is needed');
      const pkcs8 = await decryptPkcs8(block.der, passphrase);
      try {
        return privateKeyFromPkcs8Der(pkcs8);
      } catch (cause) {
        // Valid-looking DER that is not a key is still most likely a wrong passphrase.
        if (!(cause instanceof KeyFormatError)) throw cause;
        throw new PassphraseError('wrong passphrase for this private key', { cause });
      } finally {
        zeroize(pkcs8);
      }
    }
    default: {
      const ssh = await decodeOpenSshPrivateKey(block.der, passphrase, options);
      try {
        return privateKeyFromPkcs1Der(ssh.pkcs1Der, ssh.comment);
      } finally {
        zeroize(ssh.pkcs1Der);
      }
    }
  }
}

/** The length in bytes of the key's modulus: of every RSA-OAEP ciphertext and RSA-PSS signature it makes. */
export function modulusBytes(key: Pick<RsaPublicKey, 'bits'>): number {
  return Math.ceil(key.bits / 8);
}

/** Generates a key pair with the host's native backend. */
export async function generateRsaKeyPair(backend: CryptoBackend, bits: RsaKeySize = DEFAULT_GENERATED_BITS): Promise<RsaPrivateKey> {
  if (!GENERATED_SIZES.includes(bits)) throw new InvalidArgumentError(`"bits" must be one of ${GENERATED_SIZES.join(', ')}, got ${bits}`);
  const pair = await backend.generateRsaKeyPair(bits);
  const key = privateKeyFromPkcs8Der(pair.pkcs8Der);
  zeroize(pair.pkcs8Der);
  if (key.publicKey.bits !== bits) throw new KeyFormatError(`backend "${backend.name}" generated a ${key.publicKey.bits}-bit key instead of ${bits}`);
  if (!constantTimeEqual(key.publicKey.spkiDer, pair.spkiDer)) throw new KeyFormatError(`backend "${backend.name}" returned a public key that does not match its private key`);
  return key;
}

export function exportPublicKeyPem(key: RsaPublicKey): string {
  return encodePem('PUBLIC KEY', key.spkiDer);
}

export function exportPublicKeyOpenSsh(key: RsaPublicKey, comment?: string): string {
  return formatSshPublicLine(decodeRsaPublicKey(unwrapSpki(key.spkiDer)), comment);
}

/**
 * "ENCRYPTED PRIVATE KEY" PEM: PBES2 with PBKDF2-HMAC-SHA256 (at least 600 000 iterations),
 * AES-256-CBC, random 16-byte salt and IV. `openssl pkey -passin pass:…` reads it.
 */
export async function exportPrivateKeyEncrypted(key: RsaPrivateKey, passphrase: string, options?: EncryptPkcs8Options): Promise<string> {
  return encodePem('ENCRYPTED PRIVATE KEY', await encryptPkcs8(key.pkcs8Der, passphrase, options));
}

/** A self-signed X.509 certificate (PEM) for the key, signed natively with RSASSA-PKCS1-v1_5 / SHA-256. */
export async function createSelfSignedCertificate(
  key: RsaPrivateKey,
  options: { commonName: string; email?: string; validDays?: number },
): Promise<string> {
  return encodePem(CERTIFICATE_LABEL, await createSelfSignedCertificateDer(key.pkcs8Der, key.publicKey.spkiDer, options));
}
