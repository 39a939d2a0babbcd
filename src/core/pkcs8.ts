// PKCS#8 PrivateKeyInfo (RFC 5208 §5) and EncryptedPrivateKeyInfo (RFC 5208 §6) with PBES2
// (RFC 8018 §6.2): PBKDF2 + AES-CBC, run natively through WebCrypto.
import { toBufferSource as bs, utf8Encode, zeroize } from './bytes';
import {
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derUnsignedInteger,
  expectTag,
  parseDer,
  readOctetString,
  readOid,
  readSmallInteger,
  sequence,
  Tag,
} from './der';
import { InvalidArgumentError, KeyFormatError, PassphraseError } from './errors';
import { expectRsaAlgorithm, rsaAlgorithmIdentifier } from './spki';

/** The RSAPrivateKey (PKCS#1) DER inside a PrivateKeyInfo (a view into `pkcs8Der`). */
export function unwrapPkcs8(pkcs8Der: Uint8Array): Uint8Array {
  // OneAsymmetricKey (RFC 5958) adds version 1, attributes [0] and publicKey [1]; we ignore the extras.
  const fields = sequence(parseDer(pkcs8Der), 'PrivateKeyInfo', 3, 5);
  const version = readSmallInteger(fields[0], 'PrivateKeyInfo version');
  if (version > 1) throw new KeyFormatError(`unknown PrivateKeyInfo version ${version}`);
  expectRsaAlgorithm(fields[1], 'PrivateKeyInfo');
  return readOctetString(fields[2], 'privateKey');
}

/** Canonical PrivateKeyInfo: version 0, rsaEncryption with NULL parameters, no attributes. */
export function wrapPkcs8(rsaPrivateKeyDer: Uint8Array): Uint8Array {
  return derSequence(derUnsignedInteger(0), rsaAlgorithmIdentifier(), derOctetString(rsaPrivateKeyDer));
}

// ---- PBES2 ----

/** RFC 8018 §A.4 id-PBES2 and §A.2 id-PBKDF2. */
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
/** RFC 8018 §B.1.1 / §B.1.2 PRFs; hmacWithSHA1 is the DEFAULT when the field is absent. */
const PRF_BY_OID: Readonly<Record<string, 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'>> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512',
};
const OID_HMAC_WITH_SHA256 = '1.2.840.113549.2.9';
/** RFC 8018 §B.2.5 AES-CBC-Pad, key size in bytes by OID (NIST CSOR aes128-CBC … aes256-CBC). */
const AES_CBC_KEY_BYTES: Readonly<Record<string, number>> = {
  '2.16.840.1.101.3.4.1.2': 16,
  '2.16.840.1.101.3.4.1.22': 24,
  '2.16.840.1.101.3.4.1.42': 32,
};
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';
const AES_BLOCK_BYTES = 16;

/** OWASP 2023 guidance for PBKDF2-HMAC-SHA256; also our minimum for keys we write. */
const PBKDF2_DEFAULT_ITERATIONS = 600_000;
/** Upper bound for keys we read, so a hostile file cannot make us spin for minutes. */
const PBKDF2_MAX_ITERATIONS = 10_000_000;
const PBES2_SALT_BYTES = 16;

export interface EncryptPkcs8Options {
  iterations?: number;
  /**
   * Tests only: allows fewer than PBKDF2_DEFAULT_ITERATIONS so suites stay fast. Never set this in
   * product code; the name is meant to stand out in review.
   */
  insecureAllowLowIterationsForTests?: boolean;
}

async function pbkdf2(passphrase: string, salt: Uint8Array, iterations: number, hash: string, keyBytes: number): Promise<Uint8Array> {
  const pass = utf8Encode(passphrase);
  try {
    const base = await globalThis.crypto.subtle.importKey('raw', bs(pass), 'PBKDF2', false, ['deriveBits']);
    const bits = await globalThis.crypto.subtle.deriveBits({ name: 'PBKDF2', salt: bs(salt), iterations, hash }, base, keyBytes * 8);
    return new Uint8Array(bits);
  } finally {
    zeroize(pass);
  }
}

async function aesCbc(mode: 'encrypt' | 'decrypt', keyBytes: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const key = await globalThis.crypto.subtle.importKey('raw', bs(keyBytes), 'AES-CBC', false, [mode]);
  const out = mode === 'encrypt'
    ? await globalThis.crypto.subtle.encrypt({ name: 'AES-CBC', iv: bs(iv) }, key, bs(data))
    : await globalThis.crypto.subtle.decrypt({ name: 'AES-CBC', iv: bs(iv) }, key, bs(data));
  return new Uint8Array(out);
}

/**
 * Decrypts an EncryptedPrivateKeyInfo and returns the PrivateKeyInfo DER it holds (caller zeroizes).
 * A wrong passphrase shows up as a CBC padding failure or as garbage DER: both become PassphraseError.
 */
export async function decryptPkcs8(der: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const [algorithm, encrypted] = sequence(parseDer(der), 'EncryptedPrivateKeyInfo', 2, 2);
  const [schemeOid, schemeParams] = sequence(algorithm, 'encryptionAlgorithm', 1, 2);
  const scheme = readOid(schemeOid, 'encryptionAlgorithm');
  if (scheme !== OID_PBES2) {
    throw new KeyFormatError(`unsupported private-key encryption (OID ${scheme}); only PBES2 is supported`, {
      hint: 're-encrypt it with: openssl pkcs8 -topk8 -v2 aes256 -in key.pem -out key-aes.pem',
    });
  }
  const [kdf, enc] = sequence(schemeParams, 'PBES2-params', 2, 2);
  const [kdfOid, kdfParams] = sequence(kdf, 'keyDerivationFunc', 2, 2);
  if (readOid(kdfOid, 'keyDerivationFunc') !== OID_PBKDF2) throw new KeyFormatError('unsupported PBES2 key derivation; only PBKDF2 is supported');
  const kdfFields = sequence(kdfParams, 'PBKDF2-params', 2, 4);
  const salt = readOctetString(kdfFields[0], 'PBKDF2 salt');
  const iterations = readSmallInteger(kdfFields[1], 'PBKDF2 iterationCount');
  if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) throw new KeyFormatError(`PBKDF2 iteration count ${iterations} is out of range`);
  let rest = kdfFields.slice(2);
  let keyLength: number | undefined;
  if (rest[0]?.tag === Tag.INTEGER) {
    keyLength = readSmallInteger(rest[0], 'PBKDF2 keyLength');
    rest = rest.slice(1);
  }
  let hash: string = 'SHA-1';
  if (rest.length === 1) {
    const [prfOid] = sequence(rest[0], 'PBKDF2 prf', 1, 2);
    const prf = readOid(prfOid, 'PBKDF2 prf');
    const h = PRF_BY_OID[prf];
    if (!h) throw new KeyFormatError(`unsupported PBKDF2 PRF (OID ${prf})`);
    hash = h;
  } else if (rest.length > 1) throw new KeyFormatError('malformed PBKDF2-params');
  const [encOid, ivElement] = sequence(enc, 'encryptionScheme', 2, 2);
  const cipher = readOid(encOid, 'encryptionScheme');
  const keyBytes = AES_CBC_KEY_BYTES[cipher];
  if (!keyBytes) throw new KeyFormatError(`unsupported PBES2 cipher (OID ${cipher}); AES-128/192/256-CBC are supported`);
  if (keyLength !== undefined && keyLength !== keyBytes) throw new KeyFormatError('PBKDF2 keyLength does not match the cipher');
  const iv = readOctetString(ivElement, 'AES-CBC IV');
  if (iv.length !== AES_BLOCK_BYTES) throw new KeyFormatError('AES-CBC IV must be 16 bytes');
  const ciphertext = readOctetString(encrypted, 'encryptedData');
  if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK_BYTES !== 0) throw new KeyFormatError('encrypted private key has a bad length');

  const key = await pbkdf2(passphrase, salt, iterations, hash, keyBytes);
  let plain: Uint8Array;
  try {
    plain = await aesCbc('decrypt', key, iv, ciphertext);
  } catch (cause) {
    throw new PassphraseError('wrong passphrase for this private key', { cause });
  } finally {
    zeroize(key);
  }
  // 1 in 256 wrong passphrases still yields valid padding: then the DER check catches it.
  try {
    expectTag(parseDer(plain), Tag.SEQUENCE, 'PrivateKeyInfo');
  } catch (cause) {
    zeroize(plain);
    throw new PassphraseError('wrong passphrase for this private key', { cause });
  }
  return plain;
}

/** PBES2 EncryptedPrivateKeyInfo: PBKDF2-HMAC-SHA256, AES-256-CBC, random 16-byte salt and IV. */
export async function encryptPkcs8(pkcs8Der: Uint8Array, passphrase: string, options: EncryptPkcs8Options = {}): Promise<Uint8Array> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new InvalidArgumentError('"passphrase" must be a non-empty string');
  const iterations = options.iterations ?? PBKDF2_DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    throw new InvalidArgumentError(`"iterations" must be an integer between 1 and ${PBKDF2_MAX_ITERATIONS}`);
  }
  if (iterations < PBKDF2_DEFAULT_ITERATIONS && !options.insecureAllowLowIterationsForTests) {
    throw new InvalidArgumentError(`"iterations" must be at least ${PBKDF2_DEFAULT_ITERATIONS}`);
  }
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(PBES2_SALT_BYTES));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(AES_BLOCK_BYTES));
  const key = await pbkdf2(passphrase, salt, iterations, 'SHA-256', 32);
  let ciphertext: Uint8Array;
  try {
    ciphertext = await aesCbc('encrypt', key, iv, pkcs8Der);
  } finally {
    zeroize(key);
  }
  const algorithm = derSequence(
    derOid(OID_PBES2),
    derSequence(
      derSequence(
        derOid(OID_PBKDF2),
        derSequence(derOctetString(salt), derUnsignedInteger(iterations), derSequence(derOid(OID_HMAC_WITH_SHA256), derNull())),
      ),
      derSequence(derOid(OID_AES256_CBC), derOctetString(iv)),
    ),
  );
  return derSequence(algorithm, derOctetString(ciphertext));
}
