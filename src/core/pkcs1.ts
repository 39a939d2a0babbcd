// RSA key structures of PKCS#1 (RFC 8017 Appendix A.1) and the checks every imported RSA key passes.
import { MIN_RSA_BITS } from './crypto-backend';
import {
  bigIntToBytes,
  bitLength,
  derSequence,
  derUnsignedInteger,
  parseDer,
  readSmallInteger,
  readUnsignedInteger,
  readUnsignedIntegerBytes,
  sequence,
} from './der';
import { KeyFormatError, UnsupportedKeyError, WeakKeyError } from './errors';

export interface RsaPublicParams {
  readonly n: bigint;
  readonly e: bigint;
}

/** RFC 8017 §A.1.1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
export function decodeRsaPublicKey(der: Uint8Array): RsaPublicParams {
  const [n, e] = sequence(parseDer(der), 'RSAPublicKey', 2, 2);
  return { n: readUnsignedInteger(n, 'modulus'), e: readUnsignedInteger(e, 'publicExponent') };
}

export function encodeRsaPublicKey(key: RsaPublicParams): Uint8Array {
  return derSequence(derUnsignedInteger(key.n), derUnsignedInteger(key.e));
}

/**
 * Refuses keys Custodian must not use: modulus below MIN_RSA_BITS, or a public exponent that is
 * even or below 3 (no valid RSA key has one; e = 1 makes "encryption" the identity).
 * Returns the modulus size in bits.
 */
export function checkRsaPublicParams(key: RsaPublicParams): number {
  const bits = bitLength(key.n);
  if (bits < MIN_RSA_BITS) {
    throw new WeakKeyError(`RSA key is ${bits} bits; Custodian requires at least ${MIN_RSA_BITS} bits`, {
      hint: 'generate a new key of 3072 or 4096 bits',
    });
  }
  if ((key.n & 1n) === 0n) throw new KeyFormatError('RSA modulus is even: not a valid RSA key');
  if (key.e < 3n || (key.e & 1n) === 0n) throw new WeakKeyError(`RSA public exponent ${key.e} is not usable (must be odd and at least 3)`);
  if (key.e >= key.n) throw new KeyFormatError('RSA public exponent is not smaller than the modulus');
  return bits;
}

/**
 * RFC 8017 §A.1.2 RSAPrivateKey (two-prime, version 0). Validates the structure and that p·q = n,
 * which catches corrupt or mis-decrypted keys before they reach WebCrypto. Returns the public half.
 */
export function decodeRsaPrivateKey(der: Uint8Array): RsaPublicParams {
  const fields = sequence(parseDer(der), 'RSAPrivateKey', 9, 10);
  const version = readSmallInteger(fields[0], 'RSAPrivateKey version');
  if (version !== 0 || fields.length !== 9) throw new UnsupportedKeyError('multi-prime RSA keys are not supported');
  const n = readUnsignedInteger(fields[1], 'modulus');
  const e = readUnsignedInteger(fields[2], 'publicExponent');
  const names = ['privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'];
  for (let i = 0; i < names.length; i++) readUnsignedIntegerBytes(fields[3 + i], names[i]);
  const p = readUnsignedInteger(fields[4], 'prime1');
  const q = readUnsignedInteger(fields[5], 'prime2');
  if (p * q !== n) throw new KeyFormatError('RSA private key is inconsistent (p·q ≠ n)');
  return { n, e };
}

export interface RsaPrivateParams extends RsaPublicParams {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  /** q⁻¹ mod p. */
  readonly qInv: bigint;
}

/** Encodes RSAPrivateKey from the parameters OpenSSH stores, deriving dP and dQ (RFC 8017 §3.2). */
export function encodeRsaPrivateKey(key: RsaPrivateParams): Uint8Array {
  if (key.p * key.q !== key.n) throw new KeyFormatError('RSA private key is inconsistent (p·q ≠ n)');
  if ((key.q * key.qInv) % key.p !== 1n) throw new KeyFormatError('RSA private key is inconsistent (bad coefficient)');
  const dp = key.d % (key.p - 1n);
  const dq = key.d % (key.q - 1n);
  return derSequence(
    derUnsignedInteger(0),
    ...[key.n, key.e, key.d, key.p, key.q, dp, dq, key.qInv].map((v) => derUnsignedInteger(bigIntToBytes(v))),
  );
}
