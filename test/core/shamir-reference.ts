// Test-only references for the Shamir tests: GF(2^8) arithmetic by its textbook definition, with no
// tables and nothing shared with src/core/gf256.ts, and replayable vector randomness.
import { hexDecode } from '../../src/core/bytes';

/** Shift-and-add multiply with reduction by 0x11b: the textbook definition (FIPS 197 §4.2.1), no tables. */
export function slowMul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) r ^= a;
    b >>= 1;
    a <<= 1;
    if (a & 0x100) a ^= 0x11b;
  }
  return r;
}

/** Inverse by exhaustive search over slowMul. */
export function slowInv(a: number): number {
  for (let b = 1; b < 256; b++) if (slowMul(a, b) === 1) return b;
  throw new Error(`no inverse of ${a}`);
}

/** Serves recorded random bytes in order (fresh copies, as the RandomBytes contract asks). */
export function replay(hex: string): { randomBytes: (n: number) => Uint8Array; left: () => number } {
  const bytes = hexDecode(hex);
  let offset = 0;
  return {
    randomBytes(n: number): Uint8Array {
      if (offset + n > bytes.length) throw new Error(`vector randomness exhausted: wanted ${n} at ${offset}`);
      const out = bytes.slice(offset, offset + n);
      offset += n;
      return out;
    },
    left: () => bytes.length - offset,
  };
}
