// OpenBSD's bcrypt_pbkdf (the KDF of OpenSSH key files), run so that it can give way. The library's
// pbkdf() is one synchronous loop: 1024 rounds hold the extension host for ~24 s with no way to cancel.
// This is the same outer loop (OpenBSD lib/libutil/bcrypt_pbkdf.c) around the same library's
// bcrypt_hash and noble's SHA-512, yielding to the event loop between rounds and checking `signal`.
// Its output equals the library's pbkdf() for every input (test/core/bcrypt-pbkdf.test.ts).
import { sha512 } from '@noble/hashes/sha2.js';
import { hash as bcryptHash, HASHSIZE } from 'bcrypt-pbkdf';
import { zeroize } from './bytes';
import { CustodianError, InvalidArgumentError } from './errors';

/** The derivation was cancelled through its AbortSignal. */
export class KeyDerivationCancelledError extends CustodianError {
  constructor() {
    super('Key derivation cancelled.');
  }
}

export interface BcryptPbkdfOptions {
  /** Aborting stops the derivation at the next round. */
  readonly signal?: AbortSignal;
  /** Rounds between yields to the event loop (each round is ~20 ms of CPU). */
  readonly roundsPerYield?: number;
}

const giveWay = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function bcryptPbkdf(pass: Uint8Array, salt: Uint8Array, keyLength: number, rounds: number, options: BcryptPbkdfOptions = {}): Promise<Uint8Array> {
  if (!(pass instanceof Uint8Array) || !(salt instanceof Uint8Array)) throw new TypeError('"pass" and "salt" expected Uint8Array');
  if (pass.length === 0 || salt.length === 0 || salt.length > 1 << 20) throw new RangeError(`"pass" and "salt" expected 1… bytes, got ${pass.length} and ${salt.length}`);
  if (!Number.isInteger(keyLength) || keyLength < 1 || keyLength > HASHSIZE * HASHSIZE) throw new RangeError(`"keyLength" expected 1…${HASHSIZE * HASHSIZE}, got ${keyLength}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new InvalidArgumentError(`"rounds" expected a positive integer, got ${rounds}`);
  const perYield = options.roundsPerYield ?? 1;

  const key = new Uint8Array(keyLength);
  const stride = Math.ceil(keyLength / HASHSIZE);
  let amount = Math.ceil(keyLength / stride);
  const countSalt = new Uint8Array(salt.length + 4);
  countSalt.set(salt);
  const sha2pass = sha512(pass);
  const out = new Uint8Array(HASHSIZE);
  const tmp = new Uint8Array(HASHSIZE);
  let sha2salt = new Uint8Array(0);
  let remaining = keyLength;
  try {
    for (let count = 1; remaining > 0; count++) {
      new DataView(countSalt.buffer).setUint32(salt.length, count);
      sha2salt = sha512(countSalt);
      bcryptHash(sha2pass, sha2salt, tmp);
      out.set(tmp);
      for (let round = 1; round < rounds; round++) {
        if (round % perYield === 0) {
          await giveWay();
          if (options.signal?.aborted) throw new KeyDerivationCancelledError();
        }
        zeroize(sha2salt);
        sha2salt = sha512(tmp);
        bcryptHash(sha2pass, sha2salt, tmp);
        for (let j = 0; j < HASHSIZE; j++) out[j] ^= tmp[j];
      }
      // Output bytes are interleaved across the blocks (stride), as OpenBSD does.
      amount = Math.min(amount, remaining);
      let i = 0;
      for (; i < amount; i++) {
        const dest = i * stride + (count - 1);
        if (dest >= keyLength) break;
        key[dest] = out[i];
      }
      remaining -= i;
    }
    return key;
  } catch (err) {
    zeroize(key);
    throw err;
  } finally {
    zeroize(sha2pass, sha2salt, out, tmp, countSalt);
  }
}
