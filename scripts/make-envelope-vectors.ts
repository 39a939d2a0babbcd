// Regenerates test/vectors/envelope/*.json from the fixed keys in that directory and fixed randomness.
// Run: npx tsx scripts/make-envelope-vectors.ts
// Output is deterministic: the same code and keys give the same files (test/core/envelope.test.ts
// re-encrypts every positive vector with each backend and compares bytes).
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { armor } from '../src/core/armor';
import { base64Encode, concatBytes, hexEncode, utf8Encode } from '../src/core/bytes';
import { encryptBytes } from '../src/core/envelope';
import { SIGNATURE_CONTEXT, TAG_LENGTH, computeHeaderMac, encodeHeaderBody, parseHeader, type HeaderFields, type ParsedHeader, type RecipientPolicy } from '../src/core/envelope-header';
import { createNobleBackend } from '../test/helpers/noble-backend';
import { encodeHeaderBodyWith, type HeaderRecord } from '../test/helpers/header-records';
import { withInjectedRandomness } from '../test/helpers/seeded-rsa';
import { derNull, derOid, derSequence } from '../src/core/der';
import { VECTOR_DIR, deterministicRandom, loadKey, patternBytes, type KeyName } from '../test/core/envelope-fixtures';

type Expect = 'success' | 'header failure' | 'payload failure' | 'truncated' | 'no match' | 'bad signature' | 'unsupported version' | 'trailing data' | 'format error' | 'weak key';

interface Plain {
  hex?: string;
  pattern_length?: number;
}

interface Encrypted {
  name: string;
  seed: string;
  recipients: KeyName[];
  signer?: KeyName;
  chunkSize?: number;
  recipientPolicy?: RecipientPolicy;
  plaintext: Plain;
  bytes: Uint8Array;
  fileKey: Uint8Array;
}

const vectors: Record<string, unknown>[] = [];

function plainBytes(p: Plain): Uint8Array {
  return p.hex !== undefined ? Uint8Array.from(Buffer.from(p.hex, 'hex')) : patternBytes(p.pattern_length!);
}

async function make(name: string, recipients: KeyName[], plaintext: Plain, signer?: KeyName, chunkSize?: number, recipientPolicy?: RecipientPolicy): Promise<Encrypted> {
  const seed = `custodian envelope vector ${name}`;
  const backend = withInjectedRandomness(createNobleBackend(), deterministicRandom(seed));
  const bytes = await encryptBytes(plainBytes(plaintext), {
    recipients: recipients.map((r) => loadKey(r).publicKey),
    signer: signer ? loadKey(signer) : undefined,
    backend,
    chunkSize,
    recipientPolicy,
  });
  // The writer draws the file key first (src/core/envelope.ts), so the generator can re-MAC headers.
  const fileKey = deterministicRandom(seed)(32);
  return { name, seed, recipients, signer, chunkSize, recipientPolicy, plaintext, bytes, fileKey };
}

function emit(name: string, description: string, expect: Expect, identities: KeyName[], file: Uint8Array | string, extra: Record<string, unknown> = {}): void {
  vectors.push({
    name,
    description,
    expect,
    identities,
    ...(typeof file === 'string' ? { armored: file } : { file: base64Encode(file) }),
    ...extra,
  });
}

function success(e: Encrypted, description: string, identities: KeyName[], file: Uint8Array | string = e.bytes, name = e.name, reproducible = true): void {
  const plain = plainBytes(e.plaintext);
  emit(name, description, 'success', identities, file, {
    plaintext: e.plaintext,
    plaintext_sha256: hexEncode(sha256(plain)),
    signer: e.signer ? loadKey(e.signer).publicKey.fingerprint : 'unsigned',
    ...(e.recipientPolicy ? { recipient_policy: e.recipientPolicy } : {}),
    ...(reproducible ? { encrypt: { seed: e.seed, recipients: e.recipients, signer: e.signer, chunk_size: e.chunkSize, recipient_policy: e.recipientPolicy } } : {}),
  });
}

function split(e: Encrypted): { header: ParsedHeader; payload: Uint8Array } {
  const header = parseHeader(e.bytes);
  return { header, payload: e.bytes.subarray(header.bytes.length) };
}

/** Rebuilds a header from edited fields; `remac` uses the real file key (valid MAC), else keeps the old MAC. */
function rebuild(e: Encrypted, edit: (f: HeaderFields) => HeaderFields, remac: boolean, extraFields: HeaderRecord[] = []): Uint8Array {
  const { header, payload } = split(e);
  const body = encodeHeaderBodyWith(edit(header), extraFields);
  return concatBytes(body, remac ? computeHeaderMac(e.fileKey, body) : header.mac, payload);
}

/**
 * Replaces the signer field with `spki` (valid MAC), and the signature with `signer`'s signature over
 * the new transcript (§5), or with `signature` as given.
 */
async function resign(e: Encrypted, spki: Uint8Array, trailerLength: number, signer?: KeyName): Promise<Uint8Array> {
  const { header } = split(e);
  const body = encodeHeaderBody({ ...header, signerSpki: spki });
  const newHeader = concatBytes(body, computeHeaderMac(e.fileKey, body));
  const chunks = e.bytes.subarray(header.bytes.length, e.bytes.length - trailerLength);
  if (!signer) return concatBytes(newHeader, chunks, e.bytes.subarray(e.bytes.length - trailerLength));
  const backend = withInjectedRandomness(createNobleBackend(), deterministicRandom(`${e.seed} re-signed`));
  const signature = await backend.rsaPssSign(loadKey(signer).pkcs8Der, concatBytes(SIGNATURE_CONTEXT, sha256(concatBytes(newHeader, chunks))));
  return concatBytes(newHeader, chunks, signature);
}

/** `spki` re-encoded with its rsaEncryption AlgorithmIdentifier's NULL parameters left out. */
function withoutNullParameters(spki: Uint8Array): Uint8Array {
  const withNull = derSequence(derOid('1.2.840.113549.1.1.1'), derNull());
  const without = derSequence(derOid('1.2.840.113549.1.1.1'));
  const at = Buffer.from(spki).indexOf(Buffer.from(withNull));
  if (at < 0) throw new Error('no rsaEncryption AlgorithmIdentifier found');
  return derSequence(without, spki.subarray(at + withNull.length)); // the BIT STRING follows the AlgorithmIdentifier
}

function flip(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[index] ^= mask;
  return out;
}

async function main(): Promise<void> {
  const empty = await make('empty', ['alice'], { hex: '' }, undefined, 64);
  const short = await make('short', ['alice', 'bob'], { hex: hexEncode(utf8Encode('hello, custodian\n')) }, undefined, 64);
  const exact = await make('two-full-chunks', ['alice', 'bob'], { pattern_length: 128 }, undefined, 64);
  const signed = await make('signed-three-chunks', ['alice', 'bob'], { pattern_length: 150 }, 'carol', 64);
  const big = await make('default-chunk-size-signed', ['bob'], { pattern_length: 300000 }, 'alice');
  const chunks64k = await make('chunk-size-64k-signed', ['bob'], { pattern_length: 70000 }, 'alice', 65536);
  const signedFull = await make('signed-full-final-chunk', ['alice'], { pattern_length: 128 }, 'bob', 64);
  const chosen = await make('recipient-policy-chosen', ['bob'], { hex: hexEncode(utf8Encode('custodian-share1:example\n')) }, 'alice', 64, 'chosen');

  success(empty, 'empty plaintext: one empty final chunk', ['alice']);
  success(short, 'one short final chunk, two recipients; opened by the second', ['bob']);
  success(exact, 'plaintext a multiple of the chunk size: the final chunk is full', ['carol', 'alice']);
  success(signed, 'signed by carol, three chunks, last one short', ['bob']);
  success(big, 'default 256 KiB chunks, signed by alice', ['bob']);
  success(chunks64k, '64 KiB chunks (the writers\' default before 256 KiB; age\'s size), signed by alice', ['bob']);
  success(signedFull, 'signed, final chunk full', ['alice']);
  success(chosen, 'recipient-policy field 0x0001 = 0x02 (chosen, §3.4): decrypts as usual; readers that know the field report "chosen"', ['bob']);
  success(short, 'the same file ASCII-armored', ['alice'], armor(short.bytes), 'short-armored', false);
  success(short, 'an unknown non-critical header field (type 0x0042) is skipped', ['alice'], rebuild(short, (f) => f, true, [{ type: 0x0042, value: utf8Encode('ignore me') }]), 'unknown-noncritical-field', false);

  const sh = split(short).header;
  const H = sh.bytes.length;
  // Offsets into `short`: the fields start at 14; the first stanza after the 26-byte payload field.
  const stanzaOffset = (i: number): number => 14 + 26 + i * (6 + 32 + 256);
  emit('header-edited-stanza', "one byte of bob's wrapped key changed; alice opens", 'header failure', ['alice'], flip(short.bytes, stanzaOffset(1) + 6 + 32 + 100));
  emit('header-edited-fingerprint', "bob's stanza fingerprint changed", 'header failure', ['alice'], flip(short.bytes, stanzaOffset(1) + 6 + 5));
  emit('header-added-stanza', 'a stanza for an extra recipient added (old MAC kept)', 'header failure', ['alice'],
    rebuild(short, (f) => ({ ...f, stanzas: [...f.stanzas, { fingerprint: new Uint8Array(32).fill(7), wrappedKey: new Uint8Array(256).fill(9) }] }), false));
  emit('header-removed-stanza', "bob's stanza removed (old MAC kept)", 'header failure', ['alice'], rebuild(short, (f) => ({ ...f, stanzas: f.stanzas.slice(0, 1) }), false));
  emit('header-chunk-size-edited', 'chunk size changed from 64 to 65', 'header failure', ['alice'], rebuild(exact, (f) => ({ ...f, chunkSize: 65 }), false));
  emit('header-signer-replaced', "signer field replaced by alice's key", 'header failure', ['alice'], rebuild(signed, (f) => ({ ...f, signerSpki: loadKey('alice').publicKey.spkiDer }), false));
  emit('header-mac-edited', 'last byte of the header MAC changed', 'header failure', ['alice'], flip(short.bytes, H - 1));
  emit('no-match', 'carol is not a recipient', 'no match', ['carol'], short.bytes);
  emit('no-match-corrupt-own-stanza', "alice's wrapped key changed: her unwrap fails, recorded per identity", 'no match', ['alice'], flip(short.bytes, stanzaOffset(0) + 6 + 32 + 3));

  const eh = split(exact).header.bytes.length;
  const C = 64 + TAG_LENGTH;
  const chunk = (e: Uint8Array, h: number, i: number): Uint8Array => e.subarray(h + i * C, h + (i + 1) * C);
  emit('payload-bit-flip', 'one bit flipped in chunk 1', 'payload failure', ['alice'], flip(exact.bytes, eh + C + 10, 0x80));
  emit('payload-tag-flip', 'one bit flipped in the tag of chunk 0', 'payload failure', ['alice'], flip(exact.bytes, eh + C - 1));
  emit('truncated-at-chunk-boundary', 'cut after chunk 0 of 2', 'truncated', ['alice'], exact.bytes.subarray(0, eh + C));
  emit('truncated-no-payload', 'header only', 'truncated', ['alice'], empty.bytes.subarray(0, split(empty).header.bytes.length));
  emit('truncated-inside-header', 'cut inside the header', 'format error', ['alice'], short.bytes.subarray(0, 100));
  emit('reordered-chunks', 'chunks 0 and 1 swapped', 'payload failure', ['alice'], concatBytes(exact.bytes.subarray(0, eh), chunk(exact.bytes, eh, 1), chunk(exact.bytes, eh, 0)));
  emit('duplicated-chunk', 'chunk 0 repeated', 'payload failure', ['alice'], concatBytes(exact.bytes.subarray(0, eh), chunk(exact.bytes, eh, 0), chunk(exact.bytes, eh, 0), chunk(exact.bytes, eh, 1)));
  emit('dropped-final-flag', 'chunk 1 of a signed file removed', 'payload failure', ['alice'],
    (() => { const h = split(signed).header.bytes.length; return concatBytes(signed.bytes.subarray(0, h + C), signed.bytes.subarray(h + 2 * C)); })());
  emit('bad-signature', 'last byte of the signature changed', 'bad signature', ['alice'], flip(signed.bytes, signed.bytes.length - 1));
  emit('signature-stripped', 'the signature trailer removed', 'bad signature', ['alice'], signed.bytes.subarray(0, signed.bytes.length - 256));
  emit('signature-stripped-full-chunk', 'the signature trailer removed, final chunk full', 'bad signature', ['alice'], signedFull.bytes.subarray(0, signedFull.bytes.length - 256));
  emit('unsupported-version', 'version byte 2', 'unsupported version', ['alice'], flip(short.bytes, 9, 0x03));
  emit('unknown-critical-field', 'an unknown critical header field 0x8042 (valid MAC)', 'unsupported version', ['alice'], rebuild(short, (f) => f, true, [{ type: 0x8042, value: new Uint8Array(4) }]));
  emit('trailing-data', '5 bytes appended after a full final chunk', 'trailing data', ['alice'], concatBytes(exact.bytes, utf8Encode('extra')));
  emit('trailing-data-after-signature', '5 bytes appended after the signature', 'trailing data', ['alice'], concatBytes(signedFull.bytes, utf8Encode('extra')));
  emit('trailing-data-after-short-chunk', 'bytes appended after a short final chunk (indistinguishable from tampering)', 'payload failure', ['alice'], concatBytes(short.bytes, utf8Encode('extra')));
  const oversized = short.bytes.slice(0, 200);
  new DataView(oversized.buffer).setUint32(10, 2 << 20);
  emit('oversized-header', 'fields_len claims 2 MiB', 'format error', ['alice'], oversized);
  const many = Array.from({ length: 257 }, (_, i) => ({ fingerprint: sha256(utf8Encode(`fake ${i}`)), wrappedKey: new Uint8Array(256).fill(i & 0xff) }));
  emit('too-many-recipients', '257 recipient stanzas (valid MAC)', 'format error', ['alice'], rebuild(short, (f) => ({ ...f, stanzas: [f.stanzas[0], ...many.slice(1)] }), true));
  emit('bad-magic', 'first byte changed', 'format error', ['alice'], flip(short.bytes, 0, 0x20));
  emit('duplicate-recipient', 'the same stanza twice (valid MAC)', 'format error', ['alice'], rebuild(short, (f) => ({ ...f, stanzas: [f.stanzas[0], f.stanzas[0]] }), true));

  // §6 step 2 when the trailer is longer than what remains: the reader first skips the whole
  // non-final chunks it can open, then judges the rest (a literal "first C bytes" reading got these wrong).
  const shortTail = await make('signed-3072-short-final-chunk', ['alice'], { pattern_length: 1034 }, 'dave3072', 1024);
  success(shortTail, 'signed with a 3072-bit key (384-byte signature), 1024-byte chunks, a 26-byte final chunk', ['alice']);
  emit('signature-stripped-short-final-chunk', 'the 384-byte signature removed: what remains (a full chunk and a 26-byte final chunk) is shorter than chunk plus trailer', 'bad signature', ['alice'], shortTail.bytes.subarray(0, shortTail.bytes.length - 384));
  const sg = split(signed).header.bytes.length;
  emit('truncated-inside-chunk-signed', 'signed, 64-byte chunks: cut 40 bytes into chunk 1 (less than the 256-byte trailer remains)', 'payload failure', ['alice'], signed.bytes.subarray(0, sg + C + 40));
  emit('truncated-at-chunk-boundary-signed', 'signed, 64-byte chunks: cut after chunk 1 of 3, signature gone', 'truncated', ['alice'], signed.bytes.subarray(0, sg + 2 * C));
  emit('signature-truncated', 'signed, 64-byte chunks: the last 100 bytes of the signature cut off', 'payload failure', ['alice'], signed.bytes.subarray(0, signed.bytes.length - 100));
  // §3.1 signer rules.
  emit('signer-weak-1024', "the signer field holds a 1024-bit RSA key (valid MAC; the old 256-byte signature kept: a reader refuses before verifying)", 'weak key', ['alice'],
    await resign(signed, loadKey('weak1024').publicKey.spkiDer, 256));
  emit('signer-parameters-absent', "carol's SPKI with the rsaEncryption NULL parameters left out (valid MAC, re-signed by carol over the new header)", 'format error', ['alice'],
    await resign(signed, withoutNullParameters(loadKey('carol').publicKey.spkiDer), 256, 'carol'));

  for (const f of readdirSync(VECTOR_DIR)) if (f.endsWith('.json')) unlinkSync(join(VECTOR_DIR, f));
  for (const v of vectors) writeFileSync(join(VECTOR_DIR, `${v.name as string}.json`), JSON.stringify(v, null, 2) + '\n');
  console.log(`wrote ${vectors.length} vectors to ${VECTOR_DIR}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
