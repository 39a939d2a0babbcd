// Arithmetic in GF(2^8), the field Shamir sharing works in (docs/SHAMIR.md §1). Addition is XOR.
// Lookups are indexed by secret-dependent bytes: a cache-timing trade-off accepted in SHAMIR.md §1.
import { InvalidArgumentError } from './errors';

/** The AES reduction polynomial x^8 + x^4 + x^3 + x + 1 (FIPS 197 §4.2), also used by Vault. */
export const GF256_POLY = 0x11b;
// Log/exp tables to the generator 0x03 (0x02 does not generate this field's multiplicative group).
// EXP has 510 entries so that EXP[LOG[a] + LOG[b]] needs no reduction mod 255. Filled once, never mutated.
const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let v = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = v;
    EXP[i + 255] = v;
    LOG[v] = i;
    // v *= 0x03, i.e. (v·x) ^ v, with v·x reduced by the polynomial.
    let doubled = v << 1;
    if (doubled & 0x100) doubled ^= GF256_POLY;
    v = doubled ^ v;
  }
}

function assertElement(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new InvalidArgumentError(`"${name}" expected a field element 0..255, got ${value}`);
  }
}

export function gfMul(a: number, b: number): number {
  assertElement('a', a);
  assertElement('b', b);
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a] + LOG[b]];
}

export function gfInv(a: number): number {
  assertElement('a', a);
  if (a === 0) throw new InvalidArgumentError('gf256: 0 has no inverse');
  return EXP[255 - LOG[a]];
}

export function gfDiv(a: number, b: number): number {
  assertElement('a', a);
  assertElement('b', b);
  if (b === 0) throw new InvalidArgumentError('gf256: division by 0');
  if (a === 0) return 0;
  return EXP[LOG[a] + 255 - LOG[b]];
}

/** The 256-entry row `v -> c·v`, so bulk code multiplies a whole buffer by `c` with one lookup per byte. */
export function gfMulRow(c: number): Uint8Array {
  assertElement('c', c);
  const row = new Uint8Array(256);
  if (c === 0) return row;
  const logC = LOG[c];
  for (let v = 1; v < 256; v++) row[v] = EXP[LOG[v] + logC];
  return row;
}
