// HOTP: HMAC-based one-time passwords (RFC 4226), with the SHA-256/SHA-512 variants of RFC 6238 §1.2.
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { assertBytes, zeroize } from './bytes';
import { InvalidArgumentError } from './errors';

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export const OTP_ALGORITHMS: readonly OtpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
const HASHES = { SHA1: sha1, SHA256: sha256, SHA512: sha512 } as const;

/** RFC 4226 §5.3: at least 6 digits. 8 is the most authenticator apps accept (and what RFC 6238 Appendix B uses). */
export const MIN_DIGITS = 6;
export const MAX_DIGITS = 8;
export const DEFAULT_DIGITS = 6;
export const DEFAULT_ALGORITHM: OtpAlgorithm = 'SHA1';
/**
 * RFC 4226 §4 R6 requires a shared secret of at least 128 bits and recommends 160; many services still issue
 * 80-bit secrets, so 80 bits is the floor we accept. {@link RECOMMENDED_SECRET_BYTES} is what we generate.
 */
export const MIN_SECRET_BYTES = 10;
const RECOMMENDED_SECRET_BYTES = 20;
/** RFC 4226 §5.2: the counter is an 8-byte big-endian integer. */
const COUNTER_BYTES = 8;
const MAX_COUNTER = (1n << 64n) - 1n;

export interface HotpOptions {
  algorithm?: OtpAlgorithm;
  digits?: number;
}

export function assertAlgorithm(algorithm: unknown): asserts algorithm is OtpAlgorithm {
  if (typeof algorithm !== 'string' || !(OTP_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new InvalidArgumentError(`"algorithm" must be one of ${OTP_ALGORITHMS.join(', ')}`);
  }
}

export function assertDigits(digits: unknown): asserts digits is number {
  if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < MIN_DIGITS || digits > MAX_DIGITS) {
    throw new InvalidArgumentError(`"digits" must be an integer from ${MIN_DIGITS} to ${MAX_DIGITS}`);
  }
}

export function assertSecret(secret: unknown): asserts secret is Uint8Array {
  assertBytes('secret', secret);
  if (secret.length < MIN_SECRET_BYTES) {
    throw new InvalidArgumentError(`"secret" must be at least ${MIN_SECRET_BYTES * 8} bits, got ${secret.length * 8}`, {
      hint: `RFC 4226 recommends ${RECOMMENDED_SECRET_BYTES * 8}-bit secrets`,
    });
  }
}

function counterBytes(counter: number | bigint): Uint8Array {
  let c: bigint;
  if (typeof counter === 'bigint') c = counter;
  else if (Number.isSafeInteger(counter)) c = BigInt(counter);
  else throw new InvalidArgumentError('"counter" must be a safe integer or a bigint');
  if (c < 0n || c > MAX_COUNTER) throw new InvalidArgumentError('"counter" must be in [0, 2^64)');
  const out = new Uint8Array(COUNTER_BYTES);
  new DataView(out.buffer).setBigUint64(0, c, false);
  return out;
}

/** The RFC 4226 HOTP value for `counter`, as a zero-padded decimal string of `digits` digits. */
export function hotp(secret: Uint8Array, counter: number | bigint, options: HotpOptions = {}): string {
  const algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  const digits = options.digits ?? DEFAULT_DIGITS;
  assertSecret(secret);
  assertAlgorithm(algorithm);
  assertDigits(digits);
  const mac = hmac(HASHES[algorithm], secret, counterBytes(counter));
  // RFC 4226 §5.3 dynamic truncation: 31 bits at the offset named by the low nibble of the last byte.
  const offset = mac[mac.length - 1] & 0x0f;
  const binary =
    ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  zeroize(mac);
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}
