// Keyed digests of secrets this window has seen, to recognise the same text again without keeping it:
// a saved `.enc` or value file unchanged since it was read, a committed version, a recovered secret saved
// again. Keyed with a random key per instance, so a digest of a low-entropy secret says nothing to
// whoever reads this process's memory without the key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class KeyedDigest {
  private readonly key = randomBytes(32);

  /** HMAC-SHA-256 of `data` (a string as UTF-8). */
  of(data: Uint8Array | string): Uint8Array {
    return createHmac('sha256', this.key).update(data).digest();
  }

  /** Whether two digests are equal, in constant time. */
  same(a: Uint8Array, b: Uint8Array): boolean {
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
