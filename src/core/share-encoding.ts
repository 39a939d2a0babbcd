// Text forms of shares (docs/SHAMIR.md §4–§5) and HashiCorp Vault's raw share layout (§8).
import { sha256 } from '@noble/hashes/sha2.js';
import {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
  concatBytes,
  constantTimeEqual,
  hexDecode,
  hexEncode,
} from './bytes';
import { displayText } from './display-text';
import { ShareFormatError } from './errors';
import { assertShare, combineSharesRaw, type RawShare, type Share, MAX_SHARES, MIN_SHARE_VALUE_BYTES, SET_ID_BYTES, TOO_MANY_SHARES } from './shamir';

/** SHAMIR.md §5: prefix of the one-line form. */
export const SHARE_TEXT_PREFIX = 'custodian-share1:';
/** SHAMIR.md §5: armor markers. */
const SHARE_ARMOR_BEGIN = '-----BEGIN CUSTODIAN SHARE-----';
const SHARE_ARMOR_END = '-----END CUSTODIAN SHARE-----';
/** SHAMIR.md §5: armored body width. */
const ARMOR_COLUMNS = 64;
/** SHAMIR.md §4: version, set id, threshold, total, index. */
const HEADER_BYTES = 1 + SET_ID_BYTES + 3;
/** SHAMIR.md §4: first 4 bytes of SHA-256(payload), a typo check. */
const CHECKSUM_BYTES = 4;

/** SHAMIR.md §5: armor header values, exactly as writers emit them (decimal without leading zeros). */
const VERSION_VALUE = /^[1-9][0-9]{0,2}$/;
const SET_VALUE = /^[0-9a-fA-F]{16}$/;
const SHARE_VALUE = /^([1-9][0-9]{0,2}) of ([1-9][0-9]{0,2}), threshold ([1-9][0-9]{0,2})$/;
const HEADER_SYNTAX: Record<string, { pattern: RegExp; form: string }> = {
  Version: { pattern: VERSION_VALUE, form: 'Version: 1' },
  Set: { pattern: SET_VALUE, form: 'Set: <16 hex digits>' },
  Share: { pattern: SHARE_VALUE, form: 'Share: <k> of <N>, threshold <T>, decimal numbers without leading zeros, single spaces' },
};
/** SHAMIR.md §5: a line that continues a wrapped one-line share holds only base64url characters. */
const CONTINUATION_LINE = /^[A-Za-z0-9_-]+$/;

const NOT_A_SHARE_HINT = `A Custodian share is one line starting with "${SHARE_TEXT_PREFIX}" or a block starting with "${SHARE_ARMOR_BEGIN}".`;

function checksum(payload: Uint8Array): Uint8Array {
  return sha256(payload).subarray(0, CHECKSUM_BYTES);
}

/** payload || checksum (SHAMIR.md §4). */
function encodeShareBytes(share: Share): Uint8Array {
  assertShare(share, 'share');
  const payload = concatBytes(Uint8Array.of(share.version), share.setId, Uint8Array.of(share.threshold, share.total, share.index), share.value);
  return concatBytes(payload, checksum(payload));
}

function decodeShareBytes(bytes: Uint8Array, where: string): Share {
  if (bytes.length < HEADER_BYTES + MIN_SHARE_VALUE_BYTES + CHECKSUM_BYTES) {
    throw new ShareFormatError(`${where}: too short to be a share (cut off while copying?)`);
  }
  const payload = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  if (!constantTimeEqual(checksum(payload), bytes.subarray(payload.length))) {
    throw new ShareFormatError(`${where}: checksum mismatch: the share was mistyped or damaged while copying`, {
      hint: 'Copy the share again from its original.',
    });
  }
  const share: Share = {
    version: payload[0],
    setId: payload.slice(1, 1 + SET_ID_BYTES),
    threshold: payload[HEADER_BYTES - 3],
    total: payload[HEADER_BYTES - 2],
    index: payload[HEADER_BYTES - 1],
    value: payload.slice(HEADER_BYTES),
  };
  assertShare(share, where);
  return share;
}

/** The one-line form `custodian-share1:<base64url>` (SHAMIR.md §5). */
export function encodeShareText(share: Share): string {
  return SHARE_TEXT_PREFIX + base64UrlEncode(encodeShareBytes(share));
}

/** The armored form with human-readable headers (SHAMIR.md §5), ending in a newline. */
export function encodeShareArmored(share: Share): string {
  const body = base64Encode(encodeShareBytes(share));
  const lines = [
    SHARE_ARMOR_BEGIN,
    `Version: ${share.version}`,
    `Set: ${hexEncode(share.setId)}`,
    `Share: ${share.index} of ${share.total}, threshold ${share.threshold}`,
    '',
  ];
  for (let i = 0; i < body.length; i += ARMOR_COLUMNS) lines.push(body.slice(i, i + ARMOR_COLUMNS));
  lines.push(SHARE_ARMOR_END, '');
  return lines.join('\n');
}

function parseTextForm(text: string, where: string): Share {
  const encoded = text.slice(SHARE_TEXT_PREFIX.length).replace(/\s+/g, '');
  let bytes: Uint8Array;
  try {
    bytes = base64UrlDecode(encoded);
  } catch (cause) {
    throw new ShareFormatError(`${where}: the text after "${SHARE_TEXT_PREFIX}" is not valid base64url (mistyped?)`, { cause });
  }
  return decodeShareBytes(bytes, where);
}

/**
 * The one-line share at `lines[start]` (SHAMIR.md §5). A mail client may have wrapped it: when that line
 * does not parse on its own, the lines after it that hold only base64url characters are appended. (A
 * complete share passes its checksum alone, so a word on the next line is not taken as part of it.)
 * Returns the share and the index of its last line.
 */
function parseWrappedText(lines: readonly string[], start: number, where: string): { share: Share; last: number } {
  let last = start;
  while (last + 1 < lines.length && CONTINUATION_LINE.test(lines[last + 1])) last++;
  if (last > start) {
    try {
      return { share: parseTextForm(lines[start], where), last: start };
    } catch {
      return { share: parseTextForm(lines.slice(start, last + 1).join(''), where), last };
    }
  }
  return { share: parseTextForm(lines[start], where), last };
}

/** `lines` are the trimmed lines strictly between the BEGIN and END markers. */
function parseArmorBody(lines: readonly string[], where: string): Share {
  const headers = new Map<string, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) break; // base64 has no colon: the body starts here.
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (name === 'Comment') continue;
    const syntax = HEADER_SYNTAX[name];
    if (name !== name.trimEnd()) throw new ShareFormatError(`${where}: armor header "${displayText(name)}" has a space before its colon`);
    if (!Object.hasOwn(HEADER_SYNTAX, name)) throw new ShareFormatError(`${where}: unknown armor header "${displayText(name)}"`);
    if (headers.has(name)) throw new ShareFormatError(`${where}: armor header "${name}" appears twice`);
    if (!syntax.pattern.test(value)) {
      throw new ShareFormatError(`${where}: malformed armor header "${name}": "${displayText(value)}" is not of the form "${syntax.form}"`, {
        hint: 'The headers were edited; restore them as the share was written, or re-export the share.',
      });
    }
    headers.set(name, value);
  }
  for (const name of ['Version', 'Set', 'Share']) {
    if (!headers.has(name)) throw new ShareFormatError(`${where}: armor header "${name}" is missing`);
  }
  const body = lines.slice(i).join('');
  if (body === '') throw new ShareFormatError(`${where}: the armored block has no body`);
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(body);
  } catch (cause) {
    throw new ShareFormatError(`${where}: the armored body is not valid base64 (mistyped or cut off?)`, { cause });
  }
  const share = decodeShareBytes(bytes, where);
  const described = `${share.index} of ${share.total}, threshold ${share.threshold}`;
  if (headers.get('Version') !== String(share.version) || headers.get('Set')?.toLowerCase() !== hexEncode(share.setId) || headers.get('Share') !== described) {
    throw new ShareFormatError(
      `${where}: the armor headers do not match the encoded share (set ${hexEncode(share.setId)}, share ${described})`,
      { hint: 'The headers were edited; the encoded body is authoritative. Restore the headers or re-export the share.' },
    );
  }
  return share;
}

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((line) => line.trim());
}

/** Parses one share in either form; surrounding whitespace and CRLF line ends are accepted. */
export function parseShare(text: string): Share {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const trimmed = text.trim();
  if (trimmed.startsWith(SHARE_TEXT_PREFIX)) return parseTextForm(trimmed, 'share');
  if (trimmed.startsWith(SHARE_ARMOR_BEGIN)) {
    const lines = splitLines(trimmed);
    if (lines[0] !== SHARE_ARMOR_BEGIN) throw new ShareFormatError('share: text after the BEGIN marker on the same line');
    if (lines[lines.length - 1] !== SHARE_ARMOR_END) throw new ShareFormatError(`share: the armored block does not end with "${SHARE_ARMOR_END}"`);
    if (lines.indexOf(SHARE_ARMOR_END) !== lines.length - 1) throw new ShareFormatError('share: more than one armored block; read a list of shares instead');
    return parseArmorBody(lines.slice(1, -1), 'share');
  }
  throw new ShareFormatError('not a Custodian share', { hint: NOT_A_SHARE_HINT });
}

/** Parses a list: one-line shares one per line and/or armored blocks, blank lines ignored (SHAMIR.md §5). */
export function parseShares(text: string): Share[] {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const lines = splitLines(text);
  const shares: Share[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const where = `share ${shares.length + 1} (line ${i + 1})`;
    if (shares.length === MAX_SHARES && (line.startsWith(SHARE_TEXT_PREFIX) || line === SHARE_ARMOR_BEGIN)) {
      throw new ShareFormatError(`${where}: ${TOO_MANY_SHARES.message}`, { hint: TOO_MANY_SHARES.hint });
    }
    if (line.startsWith(SHARE_TEXT_PREFIX)) {
      const { share, last } = parseWrappedText(lines, i, where);
      shares.push(share);
      i = last;
    } else if (line === SHARE_ARMOR_BEGIN) {
      const end = lines.indexOf(SHARE_ARMOR_END, i + 1);
      const nextBegin = lines.indexOf(SHARE_ARMOR_BEGIN, i + 1);
      if (end < 0 || (nextBegin >= 0 && nextBegin < end)) throw new ShareFormatError(`${where}: the armored block has no "${SHARE_ARMOR_END}" line`);
      shares.push(parseArmorBody(lines.slice(i + 1, end), where));
      i = end;
    } else if (line.startsWith('>')) {
      throw new ShareFormatError(`line ${i + 1}: quoted text is not read as a share`, { hint: 'Remove the "> " quote marks at the start of the lines, then try again.' });
    } else {
      throw new ShareFormatError(`line ${i + 1}: not part of a Custodian share`, { hint: NOT_A_SHARE_HINT });
    }
  }
  if (shares.length === 0) throw new ShareFormatError('no shares found in the input', { hint: NOT_A_SHARE_HINT });
  return shares;
}

// ---- HashiCorp Vault raw layout (SHAMIR.md §8): y-bytes || x, no metadata, no integrity ----

/** Vault shows unseal keys as base64 (`unseal_keys_b64`) or hex (`unseal_keys_hex`). */
export type VaultShareEncoding = 'base64' | 'hex';

export function encodeVaultShare(share: RawShare, encoding: VaultShareEncoding = 'base64'): string {
  if (!Number.isInteger(share.x) || share.x < 1 || share.x > 255) throw new ShareFormatError(`share: x-coordinate must be 1..255, got ${share.x}`);
  if (!(share.y instanceof Uint8Array) || share.y.length === 0) throw new ShareFormatError('share: empty or missing value');
  const bytes = concatBytes(share.y, Uint8Array.of(share.x));
  return encoding === 'hex' ? hexEncode(bytes) : base64Encode(bytes);
}

function parseVaultAt(text: string, encoding: VaultShareEncoding, where: string): RawShare {
  let bytes: Uint8Array;
  try {
    bytes = encoding === 'hex' ? hexDecode(text.trim()) : base64Decode(text.trim());
  } catch (cause) {
    throw new ShareFormatError(`${where}: not a Vault share in ${encoding} (mistyped?)`, { cause });
  }
  if (bytes.length < 2) throw new ShareFormatError(`${where}: too short to be a Vault share`);
  const x = bytes[bytes.length - 1];
  if (x === 0) throw new ShareFormatError(`${where}: x-coordinate 0 is not a valid share`);
  return { x, y: bytes.slice(0, -1) };
}

/** Parses one Vault share: `base64(y || x)` (or hex). Carries no integrity: a typo is not detected here. */
export function parseVaultShare(text: string, encoding: VaultShareEncoding = 'base64'): RawShare {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  return parseVaultAt(text, encoding, 'share');
}

/** Parses Vault shares one per line, blank lines ignored. */
export function parseVaultShares(text: string, encoding: VaultShareEncoding = 'base64'): RawShare[] {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const shares: RawShare[] = [];
  splitLines(text).forEach((line, i) => {
    if (line === '') return;
    const where = `share ${shares.length + 1} (line ${i + 1})`;
    // Vault's x-coordinates are non-zero bytes too (§8).
    if (shares.length === MAX_SHARES) throw new ShareFormatError(`${where}: ${TOO_MANY_SHARES.message}`, { hint: TOO_MANY_SHARES.hint });
    shares.push(parseVaultAt(line, encoding, where));
  });
  if (shares.length === 0) throw new ShareFormatError('no Vault shares found in the input');
  return shares;
}

/**
 * Combines Vault-layout shares. Vault shares have no integrity and no threshold: wrong, damaged or too
 * few shares return wrong bytes, not an error (SHAMIR.md §8). The bytes are returned as interpolated.
 */
export function combineVaultShares(shares: readonly RawShare[]): Uint8Array {
  return combineSharesRaw(shares);
}
