// Hostile key material for the "hostile inputs" tests (core, CLI and the real VS Code): RSA public keys
// whose modulus is far larger than any real key, in every container a key can arrive in. Built here
// with a tiny DER/SSH writer of our own, so the tests do not rely on the code they attack.
import { encodeHeaderBody } from '../../src/core/envelope-header';

/** 256 KiB: the size the audit used against the `.enc` signer field (2 097 152 bits). */
export const HUGE_MODULUS_BYTES = 256 * 1024;

/** An odd modulus of `bytes` bytes with its top bit set (not a product of primes: no parser may care). */
export function hugeModulus(bytes: number = HUGE_MODULUS_BYTES): Uint8Array {
  const n = new Uint8Array(bytes).fill(0xa7);
  n[0] = 0xc5;
  n[bytes - 1] |= 1;
  return withoutSmallFactors(n);
}

/**
 * `n` (odd) moved up by steps of 2 until no prime below 752 divides it: a modulus anyone could factor is
 * refused (src/core/weak-modulus.ts) before the checks these keys are made to reach. Sizes that are refused
 * for their size alone are left as they are (converting megabits would be the slow thing refused).
 */
function withoutSmallFactors(n: Uint8Array): Uint8Array {
  if (n.length > 2048 + 1) return n;
  const primes: bigint[] = [];
  for (let k = 3n; k < 752n; k += 2n) if (primes.every((p) => k % p !== 0n)) primes.push(k);
  let value = BigInt(`0x${Buffer.from(n).toString('hex')}`);
  while (primes.some((p) => value % p === 0n)) value += 2n;
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(n.length * 2, '0'), 'hex'));
}

const E_65537 = Uint8Array.of(1, 0, 1);

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes: number[] = [];
  for (let l = length; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Buffer.of(0x80 | bytes.length, ...bytes);
}

function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const value = Buffer.concat(content);
  return Buffer.concat([Buffer.of(tag), derLength(value.length), value]);
}

function derInteger(magnitude: Uint8Array): Buffer {
  return tlv(0x02, magnitude[0] & 0x80 ? Buffer.concat([Buffer.of(0), magnitude]) : magnitude);
}

const RSA_ALGORITHM = tlv(0x30, Buffer.from('06092a864886f70d010101', 'hex'), Buffer.of(0x05, 0x00));

/** RFC 8017 RSAPublicKey DER. */
export function rsaPublicKeyDer(n: Uint8Array, e: Uint8Array = E_65537): Uint8Array {
  return tlv(0x30, derInteger(n), derInteger(e));
}

/** SubjectPublicKeyInfo DER, as the envelope's signer field and contacts hold it. */
export function spkiDer(n: Uint8Array, e: Uint8Array = E_65537): Uint8Array {
  return tlv(0x30, RSA_ALGORITHM, tlv(0x03, Buffer.of(0), rsaPublicKeyDer(n, e)));
}

export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function sshString(bytes: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function sshMpint(magnitude: Uint8Array): Buffer {
  return sshString(magnitude[0] & 0x80 ? Buffer.concat([Buffer.of(0), magnitude]) : magnitude);
}

/** An `ssh-rsa AAAA… comment` line, as a roster `.pub` file or `-r` argument holds it. */
export function sshRsaLine(n: Uint8Array, comment = 'mallory@example.com', e: Uint8Array = E_65537): string {
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(e), sshMpint(n)]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

/** A structurally valid X.509 v3 certificate carrying `spki` (its signature is junk: nobody checks it). */
export function certificateDer(spki: Uint8Array, commonName = 'Mallory'): Uint8Array {
  const sha256WithRsa = tlv(0x30, Buffer.from('06092a864886f70d01010b', 'hex'), Buffer.of(0x05, 0x00));
  const name = tlv(0x30, tlv(0x31, tlv(0x30, Buffer.from('0603550403', 'hex'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const validity = tlv(0x30, tlv(0x17, Buffer.from('250101000000Z')), tlv(0x17, Buffer.from('350101000000Z')));
  const tbs = tlv(0x30, tlv(0xa0, derInteger(Uint8Array.of(2))), derInteger(Uint8Array.of(0x42)), sha256WithRsa, name, validity, name, spki);
  return tlv(0x30, tbs, sha256WithRsa, tlv(0x03, Buffer.of(0), Buffer.alloc(256, 0x5a)));
}

/**
 * A `.enc` file whose header names `signerSpki` as its signer: one recipient stanza (nobody's key), a
 * junk MAC and a little payload. A reader meets the signer field before it can check anything else.
 */
export function envelopeWithSigner(signerSpki: Uint8Array): Uint8Array {
  const body = encodeHeaderBody({
    chunkSize: 1 << 16,
    payloadNonce: new Uint8Array(16).fill(7),
    stanzas: [{ fingerprint: new Uint8Array(32).fill(9), wrappedKey: new Uint8Array(256).fill(0x33) }],
    signerSpki,
  });
  return Buffer.concat([body, Buffer.alloc(32, 0x11), Buffer.alloc(64, 0x22)]);
}

/** The integers of RFC 8017 §A.1.2 RSAPrivateKey, in order. */
export interface RsaPrivateIntegers {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dP: bigint;
  dQ: bigint;
  qInv: bigint;
}

export function bigintBytes(v: bigint): Uint8Array {
  const hex = v.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/** RSAPrivateKey DER (version 0) from its integers, whatever they are: consistency is the reader's job. */
export function rsaPrivateKeyDer(k: RsaPrivateIntegers): Uint8Array {
  const ints = [0n, k.n, k.e, k.d, k.p, k.q, k.dP, k.dQ, k.qInv].map((v) => derInteger(bigintBytes(v)));
  return tlv(0x30, ...ints);
}
