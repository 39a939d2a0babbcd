// Test fixtures for the envelope: fixed RSA keys from test/vectors/envelope/*.pem turned into key
// objects with node:crypto (independently of src/core/keys.ts, so the fingerprint is cross-checked),
// and a deterministic randomness source for reproducible vectors.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RsaPrivateKey, RsaPublicKey } from '../../src/core/keys';

export const VECTOR_DIR = join(__dirname, '..', 'vectors', 'envelope');
export type KeyName = 'alice' | 'bob' | 'carol' | 'dave3072' | 'weak1024';

function sshString(bytes: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** RFC 4251 §5 mpint from an unsigned big-endian magnitude. */
function mpint(magnitude: Buffer): Buffer {
  let m = magnitude;
  while (m.length > 0 && m[0] === 0) m = m.subarray(1);
  if (m.length > 0 && m[0] & 0x80) m = Buffer.concat([Buffer.from([0]), m]);
  return sshString(m);
}

export function publicKeyFromPem(pem: string): RsaPublicKey {
  const key = createPublicKey(pem);
  const jwk = key.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]);
  const fingerprintBytes = new Uint8Array(createHash('sha256').update(blob).digest());
  return {
    spkiDer: new Uint8Array(key.export({ format: 'der', type: 'spki' })),
    bits: key.asymmetricKeyDetails!.modulusLength!,
    fingerprint: `SHA256:${Buffer.from(fingerprintBytes).toString('base64').replace(/=+$/, '')}`,
    fingerprintBytes,
  };
}

export function privateKeyFromPem(pem: string): RsaPrivateKey {
  const key = createPrivateKey(pem);
  return {
    pkcs8Der: new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })),
    publicKey: publicKeyFromPem(createPublicKey(key).export({ format: 'pem', type: 'spki' }) as string),
  };
}

export function keyPem(name: KeyName): string {
  return readFileSync(join(VECTOR_DIR, `${name}.pem`), 'utf8');
}

export function loadKey(name: KeyName): RsaPrivateKey {
  return privateKeyFromPem(keyPem(name));
}

/** Deterministic byte source: SHA-256(seed || u32 counter) blocks. For vectors only. */
export function deterministicRandom(seed: string): (length: number) => Uint8Array {
  const seedBytes = new TextEncoder().encode(seed);
  let counter = 0;
  let pool = new Uint8Array(0);
  return (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    let o = 0;
    while (o < length) {
      if (pool.length === 0) {
        const block = new Uint8Array(seedBytes.length + 4);
        block.set(seedBytes);
        new DataView(block.buffer).setUint32(seedBytes.length, counter++);
        pool = sha256(block);
      }
      const n = Math.min(pool.length, length - o);
      out.set(pool.subarray(0, n), o);
      pool = pool.subarray(n);
      o += n;
    }
    return out;
  };
}

/** Plaintext pattern used by large vectors: byte i = i mod 251. */
export function patternBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = i % 251;
  return out;
}
