// A strict DER (ITU-T X.690 §10) reader and writer for the few ASN.1 structures keys and certificates
// need. Strict on purpose: definite minimal lengths only, minimal INTEGERs, no trailing bytes, so one
// key has exactly one encoding and a parser differential cannot smuggle data past us.
import { concatBytes } from './bytes';
import { KeyFormatError } from './errors';

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag `[n]`: constructed (EXPLICIT or IMPLICIT SEQUENCE) or primitive (IMPLICIT). */
export function contextTag(n: number, constructed: boolean): number {
  return (constructed ? 0xa0 : 0x80) | n;
}

export interface DerElement {
  readonly tag: number;
  /** The content octets (a view into the input, not a copy). */
  readonly value: Uint8Array;
}

function fail(what: string): never {
  throw new KeyFormatError(`malformed DER: ${what}`);
}

function readOne(bytes: Uint8Array, offset: number): { element: DerElement; next: number } {
  if (offset + 2 > bytes.length) fail('truncated element');
  const tag = bytes[offset];
  // Multi-byte tags (low bits 0x1f) never occur in the structures we read.
  if ((tag & 0x1f) === 0x1f) fail('high tag numbers are not supported');
  let length = bytes[offset + 1];
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) fail('indefinite length (BER, not DER)');
    if (count > 4) fail('length too large');
    if (pos + count > bytes.length) fail('truncated length');
    if (bytes[pos] === 0) fail('non-minimal length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos + i];
    if (length < 0x80) fail('non-minimal length');
    pos += count;
  }
  if (pos + length > bytes.length) fail('element longer than its input');
  return { element: { tag, value: bytes.subarray(pos, pos + length) }, next: pos + length };
}

/** Parses the element `bytes` starts with; what follows it is left alone (a scan for keys in any text). */
export function parseDerPrefix(bytes: Uint8Array): DerElement {
  return readOne(bytes, 0).element;
}

/** Parses exactly one element spanning all of `bytes`. */
export function parseDer(bytes: Uint8Array): DerElement {
  const { element, next } = readOne(bytes, 0);
  if (next !== bytes.length) fail('trailing bytes after the element');
  return element;
}

/** The elements inside a constructed element (SEQUENCE, SET, EXPLICIT tag). */
export function children(element: DerElement): DerElement[] {
  if (!(element.tag & 0x20)) fail(`tag 0x${element.tag.toString(16)} is not constructed`);
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < element.value.length) {
    const { element: child, next } = readOne(element.value, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element === undefined) fail(`missing ${what}`);
  if (element.tag !== tag) fail(`${what}: expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`);
  return element;
}

/** A SEQUENCE's children, checking the tag and (optionally) the number of children. */
export function sequence(element: DerElement | undefined, what: string, min = 0, max = Infinity): DerElement[] {
  const items = children(expectTag(element, Tag.SEQUENCE, what));
  if (items.length < min || items.length > max) fail(`${what}: unexpected number of fields (${items.length})`);
  return items;
}

/** The magnitude bytes of a non-negative INTEGER, without the DER sign octet. */
export function readUnsignedIntegerBytes(element: DerElement | undefined, what: string): Uint8Array {
  const v = expectTag(element, Tag.INTEGER, what).value;
  if (v.length === 0) fail(`${what}: empty INTEGER`);
  if (v[0] & 0x80) fail(`${what}: negative INTEGER`);
  if (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) fail(`${what}: non-minimal INTEGER`);
  return v[0] === 0 && v.length > 1 ? v.subarray(1) : v;
}

export function readUnsignedInteger(element: DerElement | undefined, what: string): bigint {
  return bytesToBigInt(readUnsignedIntegerBytes(element, what));
}

export function readSmallInteger(element: DerElement | undefined, what: string): number {
  // Length first: a hostile megabyte INTEGER must not be converted just to be found too large.
  const bytes = readUnsignedIntegerBytes(element, what);
  if (bytes.length > 7) fail(`${what}: INTEGER too large`);
  const n = bytesToBigInt(bytes);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what}: INTEGER too large`);
  return Number(n);
}

export function readOid(element: DerElement | undefined, what: string): string {
  const v = expectTag(element, Tag.OID, what).value;
  if (v.length === 0) fail(`${what}: empty OID`);
  const arcs: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    if (acc === 0 && v[i] === 0x80) fail(`${what}: non-minimal OID arc`);
    acc = acc * 128 + (v[i] & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER) fail(`${what}: OID arc too large`);
    if (!(v[i] & 0x80)) {
      if (arcs.length === 0) arcs.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80);
      else arcs.push(acc);
      acc = 0;
    } else if (i === v.length - 1) fail(`${what}: truncated OID`);
  }
  return arcs.join('.');
}

/** BIT STRING content with zero unused bits (keys and signatures are whole bytes). */
export function readBitStringBytes(element: DerElement | undefined, what: string): Uint8Array {
  const v = expectTag(element, Tag.BIT_STRING, what).value;
  if (v.length === 0 || v[0] !== 0) fail(`${what}: expected a BIT STRING of whole bytes`);
  return v.subarray(1);
}

export function readOctetString(element: DerElement | undefined, what: string): Uint8Array {
  return expectTag(element, Tag.OCTET_STRING, what).value;
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Unsigned big-endian bytes to a bigint. Through a hex string because BigInt parses a power-of-two
 * radix in linear time, where shifting in one byte at a time is quadratic in the length.
 */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = '0x';
  for (let i = 0; i < bytes.length; i++) hex += HEX_BYTE[bytes[i]];
  return BigInt(hex);
}

/** The bit length of unsigned big-endian bytes (leading zero bytes allowed), without converting them. */
export function magnitudeBitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

/** Minimal unsigned big-endian bytes (a single 0x00 for zero). */
export function bigIntToBytes(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError('"n" expected a non-negative integer');
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

// ---- writer ----

export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  const len = value.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else {
    const lenBytes: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) lenBytes.unshift(l & 0xff);
    header = [tag, 0x80 | lenBytes.length, ...lenBytes];
  }
  return concatBytes(Uint8Array.from(header), value);
}

export function derSequence(...items: Uint8Array[]): Uint8Array {
  return encodeTlv(Tag.SEQUENCE, concatBytes(...items));
}

export function derSet(...items: Uint8Array[]): Uint8Array {
  return encodeTlv(Tag.SET, concatBytes(...items));
}

/** INTEGER from unsigned big-endian magnitude bytes (leading zeros stripped, sign octet added). */
export function derUnsignedInteger(magnitude: Uint8Array | bigint | number): Uint8Array {
  let m = typeof magnitude === 'object' ? magnitude : bigIntToBytes(BigInt(magnitude));
  let start = 0;
  while (start < m.length - 1 && m[start] === 0) start++;
  m = m.subarray(start);
  if (m.length === 0) m = new Uint8Array(1);
  return encodeTlv(Tag.INTEGER, m[0] & 0x80 ? concatBytes(new Uint8Array(1), m) : m);
}

export function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`"oid" malformed: ${oid}`);
  const out: number[] = [];
  const push = (arc: number): void => {
    const groups: number[] = [arc & 0x7f];
    for (let a = Math.floor(arc / 128); a > 0; a = Math.floor(a / 128)) groups.unshift((a & 0x7f) | 0x80);
    out.push(...groups);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const arc of arcs.slice(2)) push(arc);
  return encodeTlv(Tag.OID, Uint8Array.from(out));
}

export function derNull(): Uint8Array {
  return Uint8Array.of(Tag.NULL, 0);
}

export function derBoolean(value: boolean): Uint8Array {
  return Uint8Array.of(Tag.BOOLEAN, 1, value ? 0xff : 0);
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return encodeTlv(Tag.OCTET_STRING, bytes);
}

export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return encodeTlv(Tag.BIT_STRING, concatBytes(Uint8Array.of(unusedBits), bytes));
}

/** EXPLICIT `[n]` wrapper. */
export function derExplicit(n: number, inner: Uint8Array): Uint8Array {
  return encodeTlv(contextTag(n, true), inner);
}
