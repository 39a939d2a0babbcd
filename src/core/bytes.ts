// Byte helpers used across the core. Encodings only: nothing here is cryptography.
import { InvalidArgumentError } from './errors';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const bomKeepingDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The UTF-8 bytes of each text, all in one buffer (`bytes`; `each[i]` is a view of it): a file's values
 * are many short texts, and a buffer apiece cost more than encoding them. ASCII is copied directly.
 */
export function utf8EncodeEach(texts: readonly string[]): { bytes: Uint8Array; each: Uint8Array[] } {
  let most = 0;
  for (const t of texts) most += t.length * 3;
  const bytes = new Uint8Array(most);
  const ends: number[] = [];
  let o = 0;
  for (const text of texts) {
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[o++] = c;
    }
    if (i < text.length) o += encoder.encodeInto(text.slice(i), bytes.subarray(o)).written;
    ends.push(o);
  }
  return { bytes, each: ends.map((end, k) => bytes.subarray(k === 0 ? 0 : ends[k - 1], end)) };
}

/** Decodes UTF-8, throwing on invalid sequences instead of inserting U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/**
 * As utf8Decode, but a leading byte order mark stays in the text (TextDecoder drops it by default): text
 * whose every character is authenticated needs it, as a value-encrypted file's first covered line holds
 * it (VALUES.md §3) and its MAC verifies only with it.
 */
export function utf8DecodeKeepingBom(bytes: Uint8Array): string {
  return bomKeepingDecoder.decode(bytes);
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Compares two byte arrays in time that depends only on their lengths, never on where they differ,
 * so comparing a MAC or a secret does not leak how much of it matched.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Overwrites a buffer that held secret material. Best effort: JS engines may keep copies. */
export function zeroize(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

export function assertBytes(name: string, value: unknown, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${name}" expected Uint8Array, got ${typeof value}`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${name}" expected ${length} bytes, got ${value.length}`);
  }
}

// ---- base64 (RFC 4648), strict: canonical padding, no whitespace, no other alphabet ----

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function makeReverse(alphabet: string): Int16Array {
  const rev = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) rev[alphabet.charCodeAt(i)] = i;
  return rev;
}
const B64_REV = makeReverse(B64);
const B64URL_REV = makeReverse(B64URL);
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const B64URL_CODES = Uint8Array.from(B64URL, (c) => c.charCodeAt(0));

// ASCII codes are written into a byte buffer and turned into a string in slices: building the string
// four characters at a time ran at ~5 MB/s, which made large armored shares take minutes.
const ENCODE_SLICE = 1 << 15;
const SHORT_TEXT = 1024;
const LATIN1 = new TextDecoder('latin1');

function encodedLength(byteLength: number, pad: boolean): number {
  const rest = byteLength % 3;
  return ((byteLength - rest) / 3) * 4 + (rest === 0 ? 0 : pad ? 4 : rest + 1);
}

/** Writes the encoding of `bytes` into `out` at `o`; returns the index after it. */
function encodeInto(bytes: Uint8Array, codes: Uint8Array, pad: boolean, out: Uint8Array, o: number): number {
  const full = Math.floor(bytes.length / 3) * 3;
  const rest = bytes.length - full;
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = codes[n >> 18];
    out[o++] = codes[(n >> 12) & 63];
    out[o++] = codes[(n >> 6) & 63];
    out[o++] = codes[n & 63];
  }
  if (rest > 0) {
    const n = (bytes[full] << 16) | (rest === 2 ? bytes[full + 1] << 8 : 0);
    out[o++] = codes[n >> 18];
    out[o++] = codes[(n >> 12) & 63];
    if (rest === 2) out[o++] = codes[(n >> 6) & 63];
    else if (pad) out[o++] = 0x3d; // '='
    if (pad) out[o++] = 0x3d;
  }
  return o;
}

function asciiText(codes: Uint8Array): string {
  // A short text (a key line) in one call: a decoder call costs more than the encoding.
  if (codes.length <= SHORT_TEXT) return String.fromCharCode.apply(null, codes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += ENCODE_SLICE) parts.push(LATIN1.decode(codes.subarray(i, i + ENCODE_SLICE)));
  return parts.join('');
}

function encodeWith(bytes: Uint8Array, codes: Uint8Array, pad: boolean): string {
  const out = new Uint8Array(encodedLength(bytes.length, pad));
  encodeInto(bytes, codes, pad, out, 0);
  return asciiText(out);
}

function decodeWith(text: string, rev: Int16Array, padded: boolean, what: string): Uint8Array {
  let body = text;
  if (padded) {
    if (text.length % 4 !== 0) throw new InvalidArgumentError(`${what}: length is not a multiple of 4`);
    if (body.endsWith('==')) body = body.slice(0, -2);
    else if (body.endsWith('=')) body = body.slice(0, -1);
  }
  if (body.length % 4 === 1) throw new InvalidArgumentError(`${what}: impossible length`);
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? rev[c] : -1;
    if (v < 0) throw new InvalidArgumentError(`${what}: invalid character at position ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Canonical encoding: the unused low bits of the last character must be zero.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new InvalidArgumentError(`${what}: non-canonical encoding`);
  return out;
}

export function base64Encode(bytes: Uint8Array): string {
  return encodeWith(bytes, B64_CODES, true);
}
export function base64Decode(text: string): Uint8Array {
  return decodeWith(text, B64_REV, true, 'base64');
}
/** Unpadded standard base64, as in OpenSSH `SHA256:` fingerprints. */
export function base64EncodeUnpadded(bytes: Uint8Array): string {
  return encodeWith(bytes, B64_CODES, false);
}
export function base64UrlEncode(bytes: Uint8Array): string {
  return encodeWith(bytes, B64URL_CODES, false);
}
/** base64url of each of many small arrays at once (a file's value tokens): one text is built, each result is a slice of it. */
export function base64UrlEncodeEach(items: readonly Uint8Array[]): string[] {
  let total = 0;
  for (const bytes of items) total += encodedLength(bytes.length, false);
  const out = new Uint8Array(total);
  const ends: number[] = [];
  let o = 0;
  for (const bytes of items) {
    o = encodeInto(bytes, B64URL_CODES, false, out, o);
    ends.push(o);
  }
  const text = asciiText(out);
  return ends.map((end, k) => text.slice(k === 0 ? 0 : ends[k - 1], end));
}
export function base64UrlDecode(text: string): Uint8Array {
  return decodeWith(text, B64URL_REV, false, 'base64url');
}

export function hexEncode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}
export function hexDecode(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new InvalidArgumentError('hex: expected an even number of hex digits');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Narrows a Uint8Array to the `Uint8Array<ArrayBuffer>` WebCrypto's `BufferSource` type wants
 * (TypeScript ≥ 5.7). Our buffers are never SharedArrayBuffer-backed; those are copied anyway.
 */
export function toBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
