// Deterministic mutation fuzzing of the envelope reader: real files (binary and armored, signed and
// unsigned, small and default chunks) mutated by a seeded PRNG, plus headers rebuilt with a valid MAC
// around oversized fields. Every case must end in a CustodianError or in the original plaintext;
// whatever was released before an error must be a prefix of the original without its final chunk (only
// authenticated bytes are released, the last only once the whole file verified), and the source must be closed.
import { strict as assert } from 'node:assert';
import { armor } from '../../src/core/armor';
import { concatBytes, utf8Encode } from '../../src/core/bytes';
import { derSequence, derUnsignedInteger } from '../../src/core/der';
import { decryptStream, encryptBytes } from '../../src/core/envelope';
import {
  FIELD_RECIPIENT,
  FIELD_SIGNER,
  MAX_HEADER_SIZE,
  TAG_LENGTH,
  computeHeaderMac,
  encodeHeaderBody,
  parseHeader,
  type HeaderFields,
} from '../../src/core/envelope-header';
import { CustodianError } from '../../src/core/errors';
import { encodeHeaderBodyWith, type HeaderRecord } from '../helpers/header-records';
import { withInjectedRandomness } from '../helpers/seeded-rsa';
import { wrapSpki } from '../../src/core/spki';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { deterministicRandom, loadKey, type KeyName } from './envelope-fixtures';
import { recordingSource } from '../helpers/recording-source';

const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = 0x5eed_c0de;
const node = createNodeCryptoBackend();
const alice = loadKey('alice');

/** mulberry32: a small, well-mixed 32-bit PRNG; the point is reproducibility, not quality. */
function prng(seed: number): { int(n: number): number; bytes(n: number): Uint8Array; pick<T>(items: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const bytes = (n: number): Uint8Array => {
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) words[i] = next() * 4294967296;
    return new Uint8Array(words.buffer, 0, n);
  };
  return { int, bytes, pick: (items) => items[int(items.length)] };
}
type Rng = ReturnType<typeof prng>;

interface Original {
  name: string;
  plaintext: Uint8Array;
  bytes: Uint8Array;
  fileKey: Uint8Array;
  headerLength: number;
  sealedSize: number;
  trailer: number;
  /** Plaintext bytes in the final chunk. */
  finalLength: number;
}

async function original(name: string, length: number, chunkSize: number | undefined, signer?: KeyName): Promise<Original> {
  const seed = `custodian fuzz ${name}`;
  const plaintext = Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
  const bytes = await encryptBytes(plaintext, {
    recipients: [alice.publicKey, loadKey('bob').publicKey],
    signer: signer ? loadKey(signer) : undefined,
    backend: withInjectedRandomness(createNodeCryptoBackend(), deterministicRandom(seed)),
    chunkSize,
  });
  const header = parseHeader(bytes);
  // The writer draws the file key first (src/core/envelope.ts), so headers can be re-MACed.
  const fileKey = deterministicRandom(seed)(32);
  const o = { name, plaintext, bytes, fileKey, headerLength: header.bytes.length, sealedSize: header.chunkSize + TAG_LENGTH, trailer: signer === 'dave3072' ? 384 : signer ? 256 : 0, finalLength: 0 };
  return { ...o, finalLength: chunksOf(o).at(-1)!.length - TAG_LENGTH };
}

/** The payload chunks (without the signature). */
function chunksOf(o: Original): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = o.headerLength; at < o.bytes.length - o.trailer; at += o.sealedSize) out.push(o.bytes.subarray(at, Math.min(at + o.sealedSize, o.bytes.length - o.trailer)));
  return out;
}

/** Header rebuilt from edited fields plus extra records, with a valid MAC, then the rest of the file. */
function remac(o: Original, edit: (f: HeaderFields) => HeaderFields, extra: HeaderRecord[] = []): Uint8Array {
  const header = parseHeader(o.bytes);
  const body = encodeHeaderBodyWith(edit(header), extra);
  return concatBytes(body, computeHeaderMac(o.fileKey, body), o.bytes.subarray(o.headerLength));
}

/** A header whose fields are given raw (lengths may lie), with a valid MAC over whatever it is. */
function rawHeader(o: Original, records: Uint8Array): Uint8Array {
  const prefix = o.bytes.slice(0, 14);
  new DataView(prefix.buffer).setUint32(10, records.length);
  const body = concatBytes(prefix, records);
  return concatBytes(body, computeHeaderMac(o.fileKey, body), o.bytes.subarray(o.headerLength));
}

function record(type: number, value: Uint8Array, claimedLength = value.length): Uint8Array {
  const head = new Uint8Array(6);
  new DataView(head.buffer).setUint16(0, type);
  new DataView(head.buffer).setUint32(2, claimedLength >>> 0);
  return concatBytes(head, value);
}

/** An RSA SPKI with a random odd modulus of `bytes` bytes (not a real key: its signatures never verify). */
function fakeSpki(rng: Rng, bytes: number): Uint8Array {
  const n = rng.bytes(bytes);
  n[0] |= 0x80;
  n[n.length - 1] |= 1;
  return wrapSpki(derSequence(derUnsignedInteger(n), derUnsignedInteger(65537)));
}

type Mutation = (rng: Rng, o: Original) => { input: Uint8Array | string; what: string };

const mutations: Mutation[] = [
  (rng, o) => {
    const out = o.bytes.slice();
    const flips = 1 + rng.int(3);
    const at: number[] = [];
    for (let i = 0; i < flips; i++) {
      const p = rng.int(out.length);
      at.push(p);
      out[p] ^= 1 << rng.int(8);
    }
    return { input: out, what: `bit flips at ${at.join(',')}` };
  },
  (rng, o) => {
    const n = rng.int(o.bytes.length);
    return { input: o.bytes.subarray(0, n), what: `truncated to ${n}` };
  },
  (rng, o) => {
    const chunks = chunksOf(o);
    const i = rng.int(chunks.length);
    const j = rng.int(chunks.length);
    [chunks[i], chunks[j]] = [chunks[j], chunks[i]];
    return { input: concatBytes(o.bytes.subarray(0, o.headerLength), ...chunks, o.bytes.subarray(o.bytes.length - o.trailer)), what: `chunks ${i} and ${j} swapped` };
  },
  (rng, o) => {
    const chunks = chunksOf(o);
    const i = rng.int(chunks.length);
    const drop = rng.int(2) === 0;
    if (drop) chunks.splice(i, 1);
    else chunks.splice(i, 0, chunks[i]);
    return { input: concatBytes(o.bytes.subarray(0, o.headerLength), ...chunks, o.bytes.subarray(o.bytes.length - o.trailer)), what: `chunk ${i} ${drop ? 'dropped' : 'duplicated'}` };
  },
  (rng, o) => {
    const n = 1 + rng.int(500);
    return { input: concatBytes(o.bytes, rng.bytes(n)), what: `${n} random bytes appended` };
  },
  (rng, o) => {
    const n = o.trailer > 0 ? o.trailer : 1 + rng.int(40);
    return { input: o.bytes.subarray(0, o.bytes.length - n), what: `last ${n} bytes stripped (the signature, when signed)` };
  },
  (rng, o) => {
    const at = rng.int(o.headerLength);
    const out = o.bytes.slice();
    out.set(rng.bytes(Math.min(8, o.headerLength - at)), at);
    return { input: out, what: `header bytes overwritten at ${at}` };
  },
  // Valid MAC, hostile fields: what only a recipient (who knows the file key) could build.
  (rng, o) => {
    const size = rng.pick([0, 1, 255, 2047, 2048, 2049, 65536]);
    return { input: remac(o, (f) => ({ ...f, stanzas: [...f.stanzas, { fingerprint: rng.bytes(32), wrappedKey: rng.bytes(size) }] })), what: `extra stanza with a ${size}-byte wrapped key` };
  },
  (rng, o) => {
    const fp = parseHeader(o.bytes).stanzas[0].fingerprint;
    const size = rng.pick([256, 300, 2048]);
    return { input: remac(o, (f) => ({ ...f, stanzas: [{ fingerprint: fp, wrappedKey: rng.bytes(size) }, ...f.stanzas.slice(1)] })), what: `alice's wrapped key replaced by ${size} random bytes` };
  },
  (rng, o) => {
    const claimed = rng.pick([0xffffffff, MAX_HEADER_SIZE, 1 << 20, 2049 + 32]);
    const header = parseHeader(o.bytes);
    const payload = record(0x8001, concatBytes(Uint8Array.of(0, 0, (header.chunkSize >> 8) & 0xff, header.chunkSize & 0xff), header.payloadNonce));
    return { input: rawHeader(o, concatBytes(payload, record(FIELD_RECIPIENT, rng.bytes(300), claimed))), what: `recipient field claiming ${claimed} bytes` };
  },
  (rng, o) => {
    // Signer SPKIs with big moduli, up to 8 KiB (65 536 bits). Larger moduli are the key parser's
    // concern and are covered by the key tests (test/core/keys.test.ts and the DER tests).
    const bytes = rng.pick([128, 256, 257, 512, 512, 2048, 2048, 8192]);
    return { input: remac(o, (f) => ({ ...f, signerSpki: fakeSpki(rng, bytes) })), what: `signer SPKI with a ${bytes * 8}-bit modulus` };
  },
  (rng, o) => {
    // A signer field that fills the header to the 1 MiB limit, or one byte past it.
    const header = parseHeader(o.bytes);
    const withoutSigner = encodeHeaderBody({ ...header, signerSpki: undefined }).length + 32;
    const over = rng.int(2);
    const size = MAX_HEADER_SIZE - withoutSigner - 6 + over;
    const value = rng.int(2) === 0 ? rng.bytes(size) : concatBytes(Uint8Array.of(0x30, 0x83, (size - 5) >> 16, ((size - 5) >> 8) & 0xff, (size - 5) & 0xff), new Uint8Array(size - 5));
    return { input: remac(o, (f) => ({ ...f, signerSpki: value })), what: `a ${size}-byte signer field (${over ? 'one byte over' : 'at'} the header limit)` };
  },
  (rng, o) => {
    const type = rng.pick([0x0042, 0x7fff, 0x8042, FIELD_SIGNER]);
    const size = rng.pick([0, 1, 1000, 100_000]);
    return { input: remac(o, (f) => f, [{ type, value: rng.bytes(size) }]), what: `extra field 0x${type.toString(16)} of ${size} bytes` };
  },
  (rng, o) => {
    const text = armor(o.bytes);
    const at = rng.int(text.length);
    const edits = ['', ' ', '\n', '\r\n', '=', 'A', '-', '\u00e9', text.slice(at, at + 65)];
    const edit = rng.pick(edits);
    const cut = rng.int(3);
    return { input: text.slice(0, at) + edit + text.slice(at + cut), what: `armor: ${cut} characters at ${at} replaced by ${JSON.stringify(edit.slice(0, 10))}` };
  },
  (rng, o) => {
    const blank = rng.pick(['\n', '\r\n', ' \n', '\t\t\n']).repeat(1 + rng.int(2000));
    return { input: blank + armor(o.bytes) + rng.pick(['', '\n\n', ' \n']), what: 'armor after blank lines (a no-op)' };
  },
];

function isPrefix(prefix: Uint8Array, of: Uint8Array): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

describe('envelope: mutation fuzzing (seeded)', function () {
  // About 10 s of CPU; the generous timeout is for a loaded machine. A hang still fails here.
  this.timeout(120_000);
  let originals: Original[];
  before(async () => {
    originals = [
      await original('small chunks unsigned', 300, 64),
      await original('small chunks signed', 300, 64, 'carol'),
      await original('3072-bit signer, short final chunk', 1034, 1024, 'dave3072'),
      await original('empty', 0, 64),
      await original('default chunks signed', 70_000, undefined, 'bob'),
    ];
  });

  it(`${CASES} mutated files: a CustodianError or the original plaintext, only authenticated bytes released and never the final chunk of a file that fails, the source closed`, async () => {
    const rng = prng(SEED);
    const outcomes = new Map<string, number>();
    const timings: number[] = [];
    for (let i = 0; i < CASES; i++) {
      const o = rng.pick(originals);
      // The 1 MiB header case (index 11) is costly (a MAC and a parse of 1 MiB): one draw in eight.
      let mutation = rng.int(mutations.length);
      if (mutation === 11 && rng.int(8) !== 0) mutation = rng.int(11);
      const { input, what } = mutations[mutation](rng, o);
      const bytes = typeof input === 'string' ? utf8Encode(input) : input;
      // Tiny pieces only for small inputs: a 1 MiB header a byte at a time is slow, not interesting.
      const pieceSize = Math.max(rng.pick([1 + rng.int(64), 1 + rng.int(5000), bytes.length || 1]), bytes.length >> 6);
      const { source: stream, state } = recordingSource(bytes, pieceSize);
      const label = `case ${i} (seed ${SEED}, ${o.name}, mutation ${mutation}: ${what}, pieces of ${pieceSize})`;
      const released: Uint8Array[] = [];
      const caseStart = Date.now();
      let error: unknown;
      try {
        const d = await decryptStream(stream, { identities: [alice], backend: node });
        for await (const piece of d.plaintext) released.push(piece.slice());
      } catch (err) {
        error = err;
      }
      const out = concatBytes(...released);
      if (error === undefined) {
        assert.deepEqual(out, o.plaintext, `${label}: decrypted to something other than the original`);
      } else {
        assert.ok(error instanceof CustodianError, `${label}: threw a non-Custodian error: ${String(error)}\n${(error as Error)?.stack ?? ''}`);
        assert.ok(isPrefix(out, o.plaintext), `${label}: released bytes that are not the original's`);
        // Nor its final chunk: that comes out only after the file (and its signature) verified in full.
        assert.ok(out.length <= o.plaintext.length - o.finalLength, `${label}: released ${out.length} bytes, the final chunk's included, then failed`);
      }
      assert.ok(state.returned <= 1 && (state.returned === 1 || state.ended), `${label}: source not closed (return() ${state.returned}, ended ${state.ended})`);
      if (process.env.FUZZ_PROFILE) timings[mutation] = (timings[mutation] ?? 0) + Date.now() - caseStart;
      const key = error === undefined ? 'success' : (error as Error).constructor.name;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    if (process.env.FUZZ_PROFILE) console.log(timings, [...outcomes]);
    // Every outcome class shows up, so the mutations reach past the header into payload and signature.
    for (const kind of ['success', 'FormatError', 'HeaderAuthError', 'PayloadAuthError', 'TruncatedError', 'SignatureError', 'NoIdentityMatchedError', 'ArmorError', 'WeakKeyError']) {
      assert.ok(outcomes.has(kind), `no case ended in ${kind}: ${JSON.stringify([...outcomes])}`);
    }
  });
});
