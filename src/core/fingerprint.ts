// OpenSSH-style key fingerprints: "SHA256:" + unpadded base64 of SHA-256 over the key's SSH wire
// blob (RFC 4253 §6.6), exactly what `ssh-keygen -lf` prints, so users can compare keys across tools.
import { sha256 } from '@noble/hashes/sha2.js';
import { base64EncodeUnpadded } from './bytes';
import { InvalidArgumentError } from './errors';

const FINGERPRINT_PREFIX = 'SHA256:';
/** Characters of the base64 part shown in compact UI (48 bits: enough to tell a team's keys apart). */
const SHORT_FINGERPRINT_CHARS = 8;

export interface Fingerprint {
  readonly text: string;
  readonly bytes: Uint8Array;
}

export function fingerprintSshBlob(blob: Uint8Array): Fingerprint {
  const bytes = sha256(blob);
  return { text: FINGERPRINT_PREFIX + base64EncodeUnpadded(bytes), bytes };
}

/** "SHA256:hfz2cTVRP18AAxHZ…" → "hfz2cTVR". */
export function shortFingerprint(fingerprint: string): string {
  if (typeof fingerprint !== 'string' || !fingerprint.startsWith(FINGERPRINT_PREFIX) || fingerprint.length < FINGERPRINT_PREFIX.length + SHORT_FINGERPRINT_CHARS) {
    throw new InvalidArgumentError('"fingerprint" expected an OpenSSH "SHA256:…" fingerprint');
  }
  return fingerprint.slice(FINGERPRINT_PREFIX.length, FINGERPRINT_PREFIX.length + SHORT_FINGERPRINT_CHARS);
}
