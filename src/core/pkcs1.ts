// RSA key structures of PKCS#1 (RFC 8017 Appendix A.1) and the checks every imported RSA key passes.
// Every RSA integer read from a file (DER here, SSH wire format in openssh.ts) becomes a bigint only
// through rsaPublicParams / rsaPrivateParams below, which bound its size first.
import { MAX_RSA_BITS, MIN_RSA_BITS } from './crypto-backend';
import {
  bigIntToBytes,
  bitLength,
  bytesToBigInt,
  derSequence,
  derUnsignedInteger,
  magnitudeBitLength,
  parseDer,
  readSmallInteger,
  readUnsignedIntegerBytes,
  sequence,
} from './der';
import { KeyFormatError, OversizedKeyError, UnsupportedKeyError, WeakKeyError } from './errors';
import { checkModulusFactorable } from './weak-modulus';

/**
 * Largest public exponent accepted. Real keys use 65537 (17 bits) or 3; OpenSSL refuses exponents
 * over 64 bits for moduli above 3072 bits, so a larger one could never be used anyway.
 */
const MAX_RSA_EXPONENT_BITS = 64;

export interface RsaPublicParams {
  readonly n: bigint;
  readonly e: bigint;
}

export interface RsaPrivateParams extends RsaPublicParams {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  /** d mod (p − 1). */
  readonly dP: bigint;
  /** d mod (q − 1). */
  readonly dQ: bigint;
  /** q⁻¹ mod p. */
  readonly qInv: bigint;
}

// The size checks run twice: on the bytes before conversion (rsaPublicParams) and on the key object
// (checkRsaPublicParams, for parameters that did not come from bytes); one implementation serves both.

/** Refuses a modulus size outside MIN_RSA_BITS..MAX_RSA_BITS. */
function checkModulusBits(bits: number): void {
  if (bits < MIN_RSA_BITS) {
    throw new WeakKeyError(`RSA key is ${bits} bits; Custodian requires at least ${MIN_RSA_BITS} bits`, {
      hint: 'generate a new key of 3072 or 4096 bits',
    });
  }
  if (bits > MAX_RSA_BITS) {
    throw new OversizedKeyError(`RSA key of ${bits} bits is larger than the ${MAX_RSA_BITS} bits Custodian accepts`, {
      hint: 'no real key is this large: the file is corrupt or was crafted; use a key of 3072 or 4096 bits',
    });
  }
}

function checkExponentBits(bits: number): void {
  if (bits > MAX_RSA_EXPONENT_BITS) {
    throw new OversizedKeyError(`RSA public exponent of ${bits} bits is larger than the ${MAX_RSA_EXPONENT_BITS} bits Custodian accepts`);
  }
}

/**
 * The integers of an RSA public key from their unsigned big-endian magnitudes. Sizes are checked on
 * the bytes, before any conversion: a hostile file may hold a modulus of megabits.
 */
export function rsaPublicParams(n: Uint8Array, e: Uint8Array): RsaPublicParams {
  checkModulusBits(magnitudeBitLength(n));
  checkExponentBits(magnitudeBitLength(e));
  return { n: bytesToBigInt(n), e: bytesToBigInt(e) };
}

/** RFC 8017 §A.1.1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
export function decodeRsaPublicKey(der: Uint8Array): RsaPublicParams {
  const [n, e] = sequence(parseDer(der), 'RSAPublicKey', 2, 2);
  return rsaPublicParams(readUnsignedIntegerBytes(n, 'modulus'), readUnsignedIntegerBytes(e, 'publicExponent'));
}

export function encodeRsaPublicKey(key: RsaPublicParams): Uint8Array {
  return derSequence(derUnsignedInteger(key.n), derUnsignedInteger(key.e));
}

/**
 * Refuses keys Custodian must not use: modulus outside MIN_RSA_BITS..MAX_RSA_BITS, a public exponent
 * that is even or below 3 (no valid RSA key has one; e = 1 makes "encryption" the identity), or a
 * modulus anyone can factor (weak-modulus.ts).
 * Returns the modulus size in bits.
 */
export function checkRsaPublicParams(key: RsaPublicParams): number {
  const bits = bitLength(key.n);
  checkModulusBits(bits);
  if ((key.n & 1n) === 0n) throw new KeyFormatError('RSA modulus is even: not a valid RSA key');
  if (key.e < 3n || (key.e & 1n) === 0n) throw new WeakKeyError(`RSA public exponent ${key.e} is not usable (must be odd and at least 3)`);
  if (key.e >= key.n) throw new KeyFormatError('RSA public exponent is not smaller than the modulus');
  checkExponentBits(bitLength(key.e));
  checkModulusFactorable(key.n);
  return bits;
}

/** Magnitudes of a private key's integers; OpenSSH files carry no dP and dQ (they are derived). */
export interface RsaPrivateMagnitudes {
  readonly n: Uint8Array;
  readonly e: Uint8Array;
  readonly d: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
  readonly dP?: Uint8Array;
  readonly dQ?: Uint8Array;
  readonly qInv: Uint8Array;
}

function inconsistent(what: string): KeyFormatError {
  return new KeyFormatError(`RSA private key is inconsistent (${what})`, {
    hint: 'the key file is corrupt or was edited by hand; export the key again from where it was made',
  });
}

/**
 * The integers of an RSA private key, bounded before conversion and checked for full consistency
 * (RFC 8017 §3.2): p·q = n, e·d ≡ 1 mod (p − 1) and mod (q − 1), dP and dQ the reductions of d,
 * q·qInv ≡ 1 mod p. A key that fails any of these decrypts or signs wrongly (a signed file whose
 * signature never verifies), so it is refused on import rather than discovered later.
 */
export function rsaPrivateParams(m: RsaPrivateMagnitudes): RsaPrivateParams {
  const { n, e } = rsaPublicParams(m.n, m.e);
  const limit = magnitudeBitLength(m.n);
  const parts = { d: m.d, p: m.p, q: m.q, dP: m.dP, dQ: m.dQ, qInv: m.qInv };
  for (const [name, bytes] of Object.entries(parts)) {
    if (bytes !== undefined && magnitudeBitLength(bytes) > limit) throw inconsistent(`${name} is larger than the modulus`);
  }
  const d = bytesToBigInt(m.d);
  const p = bytesToBigInt(m.p);
  const q = bytesToBigInt(m.q);
  const qInv = bytesToBigInt(m.qInv);
  // Before any "mod (p − 1)": p = 1 would divide by zero, and p = 1, q = n passes p·q = n.
  if (p <= 1n || q <= 1n) throw inconsistent('a prime factor is not greater than 1');
  if (p * q !== n) throw inconsistent('p·q ≠ n');
  if (p === q) throw inconsistent('p = q');
  const p1 = p - 1n;
  const q1 = q - 1n;
  if (d <= 0n || d >= n) throw inconsistent('d is out of range');
  if ((e * d) % p1 !== 1n || (e * d) % q1 !== 1n) throw inconsistent('e·d ≢ 1 mod (p − 1) or mod (q − 1)');
  const dP = m.dP === undefined ? d % p1 : bytesToBigInt(m.dP);
  const dQ = m.dQ === undefined ? d % q1 : bytesToBigInt(m.dQ);
  if (dP !== d % p1) throw inconsistent('dP ≠ d mod (p − 1)');
  if (dQ !== d % q1) throw inconsistent('dQ ≠ d mod (q − 1)');
  if (qInv <= 0n || qInv >= p || (q * qInv) % p !== 1n) throw inconsistent('qInv is not q⁻¹ mod p');
  return { n, e, d, p, q, dP, dQ, qInv };
}

const PRIVATE_FIELDS = ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'] as const;

/**
 * RFC 8017 §A.1.2 RSAPrivateKey (two-prime, version 0), checked by rsaPrivateParams so corrupt or
 * mis-decrypted keys never reach WebCrypto. Returns the public half.
 */
export function decodeRsaPrivateKey(der: Uint8Array): RsaPublicParams {
  const fields = sequence(parseDer(der), 'RSAPrivateKey', 9, 10);
  const version = readSmallInteger(fields[0], 'RSAPrivateKey version');
  if (version !== 0 || fields.length !== 9) throw new UnsupportedKeyError('multi-prime RSA keys are not supported');
  const [n, e, d, p, q, dP, dQ, qInv] = PRIVATE_FIELDS.map((name, i) => readUnsignedIntegerBytes(fields[1 + i], name));
  const key = rsaPrivateParams({ n, e, d, p, q, dP, dQ, qInv });
  return { n: key.n, e: key.e };
}

/** Encodes RSAPrivateKey (RFC 8017 §A.1.2) from parameters rsaPrivateParams checked. */
export function encodeRsaPrivateKey(key: RsaPrivateParams): Uint8Array {
  return derSequence(
    derUnsignedInteger(0),
    ...[key.n, key.e, key.d, key.p, key.q, key.dP, key.dQ, key.qInv].map((v) => derUnsignedInteger(bigIntToBytes(v))),
  );
}
