// Base32 (RFC 4648 §6), the encoding of TOTP/HOTP secrets in otpauth:// URIs and authenticator apps.
import { InvalidArgumentError } from './errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const REVERSE: Int8Array = (() => {
  const rev = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) rev[ALPHABET.charCodeAt(i)] = i;
  return rev;
})();
/** RFC 4648 §6: 5 bytes become 8 characters; a final group is padded with '=' to 8. */
const GROUP_CHARS = 8;
/** Characters left in a final partial group that encode whole bytes (1–4 bytes → 2, 4, 5, 7 characters). */
const VALID_TAIL_CHARS = new Set([0, 2, 4, 5, 7]);

export interface Base32EncodeOptions {
  /** Pad with '=' to a multiple of 8 characters (RFC 4648). Default true; otpauth:// secrets are written without. */
  padding?: boolean;
}

export function base32Encode(bytes: Uint8Array, options: Base32EncodeOptions = {}): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"bytes" expected Uint8Array, got ${typeof bytes}`);
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]) & 0xfff; // at most 4 + 8 bits are pending
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  if (options.padding ?? true) out += '='.repeat((GROUP_CHARS - (out.length % GROUP_CHARS)) % GROUP_CHARS);
  return out;
}

export interface Base32DecodeOptions {
  /**
   * Accept what people paste from authenticator setup pages: lowercase, spaces, missing or partial padding,
   * and non-zero unused bits in the last character (some services draw secrets as random base32 characters).
   * Default false: strict RFC 4648, uppercase, canonical, padding either absent or complete.
   */
  loose?: boolean;
}

/** Decodes base32. Errors name the position of a bad character, never the text itself (it may be a secret). */
export function base32Decode(text: string, options: Base32DecodeOptions = {}): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const loose = options.loose ?? false;
  // Only ASCII letters are upper-cased: JavaScript's Unicode mapping turns "ı" into "I" and "ſ" into "S",
  // which would decode a pasted look-alike to another secret, silently (a red-team trial).
  let body = loose ? text.replace(/[ \t\r\n]/g, '').replace(/[a-z]/g, (c) => c.toUpperCase()) : text;
  const firstPad = body.indexOf('=');
  if (firstPad >= 0) {
    const padding = body.slice(firstPad);
    if (!/^=+$/.test(padding)) throw new InvalidArgumentError('base32: padding "=" may only appear at the end');
    body = body.slice(0, firstPad);
    if (!loose && (body.length + padding.length) % GROUP_CHARS !== 0) {
      throw new InvalidArgumentError('base32: padded length is not a multiple of 8');
    }
    if (padding.length >= GROUP_CHARS) throw new InvalidArgumentError('base32: too much padding');
  }
  if (!VALID_TAIL_CHARS.has(body.length % GROUP_CHARS)) throw new InvalidArgumentError('base32: impossible length');

  const out = new Uint8Array(Math.floor((body.length * 5) / 8));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? REVERSE[c] : -1;
    if (v < 0) throw new InvalidArgumentError(`base32: invalid character at position ${i}`);
    acc = ((acc << 5) | v) & 0xfff; // at most 7 + 5 bits are pending
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (!loose && bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new InvalidArgumentError('base32: non-canonical encoding (unused bits are not zero)');
  }
  return out;
}
