// The `.enc` header: constants, encoding, parsing and the header MAC. Spec: docs/FORMAT.md §2–§3.
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64EncodeUnpadded, concatBytes, constantTimeEqual, utf8Encode, zeroize } from './bytes';
import { FormatError, UnsupportedVersionError } from './errors';

// §2: magic "CUSTODIAN" and version 1.
const MAGIC = utf8Encode('CUSTODIAN');
const VERSION = 1;
// §2: label binding the OAEP wrap to this format and version (RFC 8017 §7.1 label).
export const OAEP_LABEL = utf8Encode('custodian/v1/rsa-oaep-sha256');
// §3.3 and §4: HKDF info strings.
const HEADER_INFO = utf8Encode('custodian/v1 header');
const PAYLOAD_INFO = utf8Encode('custodian/v1 payload');
// §5: signed message = SIGNATURE_CONTEXT || SHA-256 transcript.
export const SIGNATURE_CONTEXT = utf8Encode('custodian/v1 signature\0');
// §2 limits.
export const MAX_HEADER_SIZE = 1 << 20;
export const MAX_RECIPIENTS = 256;
// 256 KiB: per-chunk costs (a GCM context, a tag, an output buffer, a hand-off to the writer) are
// paid 4x less often than at age's 64 KiB, measurably faster for large files (docs/PERFORMANCE.md),
// and a reader still holds only one sealed chunk. Readers accept any size in range.
export const DEFAULT_CHUNK_SIZE = 1 << 18;
export const MIN_CHUNK_SIZE = 16;
export const MAX_CHUNK_SIZE = 1 << 24;
export const FILE_KEY_LENGTH = 32;
export const PAYLOAD_NONCE_LENGTH = 16;
const FINGERPRINT_LENGTH = 32;
const MAC_LENGTH = 32;
// AES-GCM tag (SP 800-38D, 128-bit tag).
export const TAG_LENGTH = 16;
// §3.1 wrapped key bounds: 2048-bit to 16384-bit moduli.
const MIN_WRAPPED_KEY_LENGTH = 256;
const MAX_WRAPPED_KEY_LENGTH = 2048;
/** magic (9) || version (1) || fields_len (4). */
export const HEADER_PREFIX_LENGTH = MAGIC.length + 1 + 4;

// §3.1 field types; bit 15 is the critical bit.
const CRITICAL_BIT = 0x8000;
const FIELD_PAYLOAD = 0x8001;
export const FIELD_RECIPIENT = 0x8002;
export const FIELD_SIGNER = 0x8003;
// §3.4 non-critical: how the writer chose the recipients (old readers skip it; the MAC covers it).
export const FIELD_RECIPIENT_POLICY = 0x0001;
const RECIPIENT_POLICY_TEAM = 0x01;
const RECIPIENT_POLICY_CHOSEN = 0x02;
const FIELD_HEADER_LENGTH = 6;
const PAYLOAD_FIELD_LENGTH = 4 + PAYLOAD_NONCE_LENGTH;

export interface RecipientStanza {
  readonly fingerprint: Uint8Array;
  readonly wrappedKey: Uint8Array;
}

export interface HeaderFields {
  readonly chunkSize: number;
  readonly payloadNonce: Uint8Array;
  readonly stanzas: readonly RecipientStanza[];
  readonly signerSpki?: Uint8Array;
  /**
   * §3.4: 'team' when the writer encrypted to exactly its team, 'chosen' when the recipients were picked
   * (a share, a subset, contacts); absent in files written before the field. Unknown values read as 'chosen'.
   */
  readonly recipientPolicy?: RecipientPolicy;
}

export type RecipientPolicy = 'team' | 'chosen';

export interface ParsedHeader extends HeaderFields {
  readonly version: number;
  /** The whole header, magic through MAC. */
  readonly bytes: Uint8Array;
  /** The MAC-covered part: magic through the last field. */
  readonly macInput: Uint8Array;
  readonly mac: Uint8Array;
}

/** OpenSSH-style display form of a 32-byte SHA-256 fingerprint. */
export function fingerprintToString(fingerprint: Uint8Array): string {
  return `SHA256:${base64EncodeUnpadded(fingerprint)}`;
}

/** True when `bytes` starts with the binary magic (a cheap sniff, not a validation). */
export function hasEnvelopeMagic(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}

function writeField(out: Uint8Array, offset: number, type: number, value: Uint8Array): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint16(offset, type);
  view.setUint32(offset + 2, value.length);
  out.set(value, offset + FIELD_HEADER_LENGTH);
  return offset + FIELD_HEADER_LENGTH + value.length;
}

/** Encodes magic || version || fields_len || fields (the MAC-covered part, §3). */
export function encodeHeaderBody(fields: HeaderFields): Uint8Array {
  const payloadValue = new Uint8Array(PAYLOAD_FIELD_LENGTH);
  new DataView(payloadValue.buffer).setUint32(0, fields.chunkSize);
  payloadValue.set(fields.payloadNonce, 4);
  const records: { type: number; value: Uint8Array }[] = [{ type: FIELD_PAYLOAD, value: payloadValue }];
  if (fields.recipientPolicy) {
    records.push({ type: FIELD_RECIPIENT_POLICY, value: Uint8Array.of(fields.recipientPolicy === 'team' ? RECIPIENT_POLICY_TEAM : RECIPIENT_POLICY_CHOSEN) });
  }
  for (const s of fields.stanzas) records.push({ type: FIELD_RECIPIENT, value: concatBytes(s.fingerprint, s.wrappedKey) });
  if (fields.signerSpki) records.push({ type: FIELD_SIGNER, value: fields.signerSpki });
  records.sort((a, b) => a.type - b.type); // stable: recipients keep their order
  let fieldsLength = 0;
  for (const r of records) fieldsLength += FIELD_HEADER_LENGTH + r.value.length;
  const out = new Uint8Array(HEADER_PREFIX_LENGTH + fieldsLength);
  out.set(MAGIC, 0);
  out[MAGIC.length] = VERSION;
  new DataView(out.buffer).setUint32(MAGIC.length + 1, fieldsLength);
  let offset = HEADER_PREFIX_LENGTH;
  for (const r of records) offset = writeField(out, offset, r.type, r.value);
  return out;
}

/**
 * Validates the 14-byte prefix (magic, version, size limit) and returns the whole header's length.
 * Throws FormatError / UnsupportedVersionError.
 */
export function headerLengthFromPrefix(prefix: Uint8Array): number {
  if (!hasEnvelopeMagic(prefix)) {
    throw new FormatError('not a Custodian encrypted file (no .enc magic and no armor)', {
      hint: 'a Custodian file starts with the bytes "CUSTODIAN" (binary .enc) or the line "-----BEGIN CUSTODIAN ENCRYPTED FILE-----" (armored); check that you chose the encrypted file and not its plaintext',
    });
  }
  if (prefix.length < HEADER_PREFIX_LENGTH) throw new FormatError('file ends inside the header');
  const version = prefix[MAGIC.length];
  if (version !== VERSION) {
    throw new UnsupportedVersionError(`unsupported file format version ${version} (this Custodian reads version ${VERSION})`, { hint: 'update Custodian to open this file' });
  }
  const fieldsLength = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(MAGIC.length + 1);
  const total = HEADER_PREFIX_LENGTH + fieldsLength + MAC_LENGTH;
  if (total > MAX_HEADER_SIZE) throw new FormatError(`header too large: ${total} bytes, the limit is ${MAX_HEADER_SIZE}`);
  return total;
}

/** Parses and structurally validates a complete header (MAC not verified here: see verifyHeaderMac). */
export function parseHeader(bytes: Uint8Array): ParsedHeader {
  const total = headerLengthFromPrefix(bytes.subarray(0, HEADER_PREFIX_LENGTH));
  if (bytes.length < total) throw new FormatError('file ends inside the header');
  const macStart = total - MAC_LENGTH;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = HEADER_PREFIX_LENGTH;
  let lastType = 0;
  let chunkSize: number | undefined;
  let payloadNonce: Uint8Array | undefined;
  let signerSpki: Uint8Array | undefined;
  let recipientPolicy: RecipientPolicy | undefined;
  const stanzas: RecipientStanza[] = [];
  const seen = new Set<string>();
  while (offset < macStart) {
    if (macStart - offset < FIELD_HEADER_LENGTH) throw new FormatError('malformed header: truncated field');
    const type = view.getUint16(offset);
    const length = view.getUint32(offset + 2);
    const start = offset + FIELD_HEADER_LENGTH;
    if (length > macStart - start) throw new FormatError(`malformed header: field 0x${type.toString(16)} runs past the end of the header`);
    const value = bytes.subarray(start, start + length);
    offset = start + length;
    if (type < lastType) throw new FormatError('malformed header: fields out of order');
    const repeated = type === lastType;
    lastType = type;
    switch (type) {
      case FIELD_PAYLOAD:
        if (repeated) throw new FormatError('malformed header: more than one payload field');
        if (length !== PAYLOAD_FIELD_LENGTH) throw new FormatError(`malformed header: payload field has ${length} bytes, expected ${PAYLOAD_FIELD_LENGTH}`);
        chunkSize = view.getUint32(start);
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
          throw new FormatError(`malformed header: chunk size ${chunkSize} outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
        }
        payloadNonce = value.slice(4);
        break;
      case FIELD_RECIPIENT: {
        if (stanzas.length === MAX_RECIPIENTS) throw new FormatError(`too many recipients: the limit is ${MAX_RECIPIENTS}`);
        const wrappedLength = length - FINGERPRINT_LENGTH;
        if (wrappedLength < MIN_WRAPPED_KEY_LENGTH || wrappedLength > MAX_WRAPPED_KEY_LENGTH) {
          throw new FormatError(`malformed header: recipient stanza with a ${wrappedLength}-byte wrapped key`);
        }
        const fingerprint = value.slice(0, FINGERPRINT_LENGTH);
        const key = fingerprintToString(fingerprint);
        if (seen.has(key)) throw new FormatError(`malformed header: recipient ${key} appears twice`);
        seen.add(key);
        stanzas.push({ fingerprint, wrappedKey: value.slice(FINGERPRINT_LENGTH) });
        break;
      }
      case FIELD_SIGNER:
        if (repeated) throw new FormatError('malformed header: more than one signer field');
        if (length === 0) throw new FormatError('malformed header: empty signer field');
        signerSpki = value.slice();
        break;
      case FIELD_RECIPIENT_POLICY:
        if (repeated) throw new FormatError('malformed header: more than one recipient-policy field');
        if (length !== 1) throw new FormatError(`malformed header: recipient-policy field has ${length} bytes, expected 1`);
        // §3.4: a value this reader does not know is read as "chosen" (never re-keyed to a team).
        recipientPolicy = value[0] === RECIPIENT_POLICY_TEAM ? 'team' : 'chosen';
        break;
      default:
        if (type & CRITICAL_BIT) {
          throw new UnsupportedVersionError(`file uses critical header field 0x${type.toString(16)}, unknown to this version of Custodian`, { hint: 'update Custodian to open this file' });
        }
    }
  }
  if (chunkSize === undefined || payloadNonce === undefined) throw new FormatError('malformed header: no payload field');
  if (stanzas.length === 0) throw new FormatError('malformed header: no recipients');
  const copy = bytes.slice(0, total);
  return {
    version: VERSION,
    chunkSize,
    payloadNonce,
    stanzas,
    signerSpki,
    recipientPolicy,
    bytes: copy,
    macInput: copy.subarray(0, macStart),
    mac: copy.subarray(macStart),
  };
}

/** §3.3 header_mac = HMAC-SHA-256(HKDF(file_key, "", HEADER_INFO), magic..last field). */
export function computeHeaderMac(fileKey: Uint8Array, macInput: Uint8Array): Uint8Array {
  const headerKey = hkdf(sha256, fileKey, new Uint8Array(0), HEADER_INFO, 32);
  try {
    return hmac(sha256, headerKey, macInput);
  } finally {
    zeroize(headerKey);
  }
}

export function verifyHeaderMac(fileKey: Uint8Array, header: ParsedHeader): boolean {
  return constantTimeEqual(computeHeaderMac(fileKey, header.macInput), header.mac);
}

/** §4 payload_key = HKDF-SHA-256(file_key, payload_nonce, PAYLOAD_INFO). */
export function derivePayloadKey(fileKey: Uint8Array, payloadNonce: Uint8Array): Uint8Array {
  return hkdf(sha256, fileKey, payloadNonce, PAYLOAD_INFO, 32);
}

/** §4 nonce_i = 11-byte big-endian counter || last flag. */
export function chunkNonce(counter: number, last: boolean): Uint8Array {
  const nonce = new Uint8Array(12);
  // counter < 2^53: the top 3 bytes stay zero.
  const high = Math.floor(counter / 0x100000000);
  const view = new DataView(nonce.buffer);
  view.setUint32(3, high);
  view.setUint32(7, counter >>> 0);
  nonce[11] = last ? 1 : 0;
  return nonce;
}
