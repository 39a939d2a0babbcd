import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { armor } from '../../src/core/armor';
import { base64Decode, concatBytes, hexEncode, utf8Encode } from '../../src/core/bytes';
import type { CryptoBackend } from '../../src/core/crypto-backend';
import {
  decryptBytes,
  decryptStream,
  describeSigner,
  encryptBytes,
  encryptStream,
  inspectEnvelope,
  type DecryptedBytes,
} from '../../src/core/envelope';
import { DEFAULT_CHUNK_SIZE, OAEP_LABEL, SIGNATURE_CONTEXT, TAG_LENGTH, computeHeaderMac, encodeHeaderBody, parseHeader } from '../../src/core/envelope-header';
import {
  FormatError,
  HeaderAuthError,
  InvalidArgumentError,
  NoIdentityMatchedError,
  PayloadAuthError,
  SignatureError,
  TruncatedError,
  UnsupportedVersionError,
  WeakKeyError,
} from '../../src/core/errors';
import { publicKeyFromSpkiDer } from '../../src/core/keys';
import { createNobleBackend } from '../helpers/noble-backend';
import { withInjectedRandomness } from '../helpers/seeded-rsa';
import { bytesToStream, collectStream } from '../../src/core/stream';
import { createWebCryptoBackend } from '../../src/core/webcrypto-backend';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { VECTOR_DIR, deterministicRandom, keyPem, loadKey, patternBytes, type KeyName } from './envelope-fixtures';

const node = createNodeCryptoBackend();
const alice = loadKey('alice');
const bob = loadKey('bob');
const carol = loadKey('carol');

interface Vector {
  name: string;
  description: string;
  expect: string;
  identities: KeyName[];
  file?: string;
  armored?: string;
  plaintext?: { hex?: string; pattern_length?: number };
  plaintext_sha256?: string;
  signer?: string;
  recipient_policy?: 'team' | 'chosen';
  encrypt?: { seed: string; recipients: KeyName[]; signer?: KeyName; chunk_size?: number; recipient_policy?: 'team' | 'chosen' };
}

const vectors: Vector[] = readdirSync(VECTOR_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')) as Vector);

const EXPECTED_ERROR: Record<string, (err: unknown) => boolean> = {
  'header failure': (e) => e instanceof HeaderAuthError,
  'payload failure': (e) => e instanceof PayloadAuthError && !(e instanceof TruncatedError),
  truncated: (e) => e instanceof TruncatedError,
  'no match': (e) => e instanceof NoIdentityMatchedError,
  'bad signature': (e) => e instanceof SignatureError,
  'unsupported version': (e) => e instanceof UnsupportedVersionError,
  'trailing data': (e) => e instanceof FormatError && /trailing data/.test(e.message),
  'format error': (e) => e instanceof FormatError && !(e instanceof UnsupportedVersionError),
  'weak key': (e) => e instanceof WeakKeyError,
};

function vectorInput(v: Vector): Uint8Array | string {
  return v.armored ?? base64Decode(v.file!);
}

function seeded(seed: string): CryptoBackend[] {
  return [
    withInjectedRandomness(createNodeCryptoBackend(), deterministicRandom(seed)),
    withInjectedRandomness(createWebCryptoBackend(), deterministicRandom(seed)),
    withInjectedRandomness(createNobleBackend(), deterministicRandom(seed)),
  ];
}

async function roundTrip(plaintext: Uint8Array, opts: { recipients?: KeyName[]; signer?: KeyName; chunkSize?: number; pieces?: number[] }): Promise<DecryptedBytes> {
  const recipients = (opts.recipients ?? ['alice']).map((k) => loadKey(k).publicKey);
  const ct = await encryptBytes(plaintext, { recipients, signer: opts.signer ? loadKey(opts.signer) : undefined, backend: node, chunkSize: opts.chunkSize });
  return decryptBytes(ct, { identities: [loadKey((opts.recipients ?? ['alice'])[0])], backend: node });
}

async function expectReject(file: Uint8Array, identities = [alice], backend: CryptoBackend = node, pieceSize = 7): Promise<unknown> {
  try {
    const d = await decryptStream(bytesToStream(file, pieceSize), { identities, backend });
    await collectStream(d.plaintext);
  } catch (err) {
    return err;
  }
  assert.fail('expected the file to be rejected');
}

describe('envelope', () => {
  describe('known-answer vectors', () => {
    it('has vectors for every expectation', () => {
      for (const kind of ['success', ...Object.keys(EXPECTED_ERROR)]) assert.ok(vectors.some((v) => v.expect === kind), kind);
    });
    for (const v of vectors) {
      it(`${v.name}: ${v.expect} (${v.description})`, async () => {
        const identities = v.identities.map(loadKey);
        if (v.expect === 'success') {
          const out = await decryptBytes(vectorInput(v), { identities, backend: node });
          assert.equal(hexEncode(sha256(out.plaintext)), v.plaintext_sha256);
          assert.equal(out.signature.kind === 'signed' ? out.signature.signer.fingerprint : 'unsigned', v.signer);
          assert.equal(out.header.recipientPolicy, v.recipient_policy, 'recipient policy (§3.4)');
          return;
        }
        const check = EXPECTED_ERROR[v.expect];
        assert.ok(check, `unknown expectation ${v.expect}`);
        let caught: unknown;
        try {
          await decryptBytes(vectorInput(v), { identities, backend: node });
        } catch (err) {
          caught = err;
        }
        assert.ok(check(caught), `expected ${v.expect}, got ${String(caught)}`);
      });
    }
    it('messages: a header-only file "ends after its header"; a 1024-bit signer is named as too weak, not as "not an RSA key"', async () => {
      const byName = (n: string): Vector => vectors.find((v) => v.name === n)!;
      const headerOnly = await decryptBytes(vectorInput(byName('truncated-no-payload')), { identities: [alice], backend: node }).catch((e: unknown) => e);
      assert.ok(headerOnly instanceof TruncatedError);
      assert.match(headerOnly.message, /ends after its header, before any payload/);
      assert.doesNotMatch(headerOnly.message, /-1/);
      const weak = await decryptBytes(vectorInput(byName('signer-weak-1024')), { identities: [alice], backend: node }).catch((e: unknown) => e);
      assert.ok(weak instanceof WeakKeyError);
      assert.match(weak.message, /1024 bits/);
      assert.match(weak.hint ?? '', /at least 2048 bits/);
      await assert.rejects(inspectEnvelope(vectorInput(byName('signer-weak-1024'))), WeakKeyError);
      await assert.rejects(inspectEnvelope(vectorInput(byName('signer-parameters-absent'))), /NULL parameters/);
    });
    it('every backend reproduces the positive vectors byte for byte from the same randomness', async function () {
      this.timeout(30000);
      for (const v of vectors.filter((x) => x.encrypt)) {
        const e = v.encrypt!;
        const plaintext = v.plaintext!.hex !== undefined ? Uint8Array.from(Buffer.from(v.plaintext!.hex, 'hex')) : patternBytes(v.plaintext!.pattern_length!);
        for (const backend of seeded(e.seed)) {
          const out = await encryptBytes(plaintext, {
            recipients: e.recipients.map((r) => loadKey(r).publicKey),
            signer: e.signer ? loadKey(e.signer) : undefined,
            backend,
            chunkSize: e.chunk_size,
            recipientPolicy: e.recipient_policy,
          });
          assert.equal(Buffer.from(out).toString('base64'), v.file, `${v.name} with ${backend.name}`);
        }
      }
    });
  });

  describe('backends', () => {
    it('every backend pair: encrypt with A, decrypt with B, identical bytes', async () => {
      const plaintext = patternBytes(3 * 64 + 5);
      const outputs: Uint8Array[] = [];
      for (const a of seeded('pairs')) {
        const ct = await encryptBytes(plaintext, { recipients: [alice.publicKey, bob.publicKey], signer: carol, backend: a, chunkSize: 64 });
        outputs.push(ct);
        for (const b of [createNodeCryptoBackend(), createWebCryptoBackend(), createNobleBackend()]) {
          const out = await decryptBytes(ct, { identities: [bob], backend: b });
          assert.deepEqual(out.plaintext, plaintext, `${a.name} -> ${b.name}`);
          assert.equal(out.signature.kind, 'signed');
        }
      }
      assert.deepEqual(outputs[1], outputs[0]);
      assert.deepEqual(outputs[2], outputs[0]);
    });
  });

  describe('round trips', () => {
    for (const size of [0, 1, 63, 64, 65, 128, 1000]) {
      it(`size ${size} with 64-byte chunks`, async () => {
        const p = patternBytes(size);
        assert.deepEqual((await roundTrip(p, { chunkSize: 64 })).plaintext, p);
      });
    }
    for (const size of [0, 1, DEFAULT_CHUNK_SIZE - 1, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE + 1, 3 * DEFAULT_CHUNK_SIZE + 17]) {
      it(`size ${size} with the default 256 KiB chunks`, async () => {
        const p = patternBytes(size);
        const out = await roundTrip(p, { signer: 'bob' });
        assert.deepEqual(out.plaintext, p);
        assert.equal(out.header.chunkSize, 262144);
      });
    }
    it('several MiB, streamed in odd-sized pieces', async () => {
      const p = patternBytes(5 * 1024 * 1024 + 3);
      const ct = await collectStream(encryptStream(bytesToStream(p, 100_003), { recipients: [alice.publicKey], signer: bob, backend: node }));
      const d = await decryptStream(bytesToStream(ct, 77_777), { identities: [alice], backend: node });
      assert.throws(() => d.signature(), InvalidArgumentError);
      const out = await collectStream(d.plaintext);
      assert.deepEqual(out, p);
      assert.equal(d.signature().kind, 'signed');
    });
    it('property: random sizes, recipients, chunking and piece sizes', async function () {
      this.timeout(60000);
      const names: KeyName[] = ['alice', 'bob', 'carol'];
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 600 }),
          fc.integer({ min: 16, max: 100 }),
          fc.integer({ min: 1, max: 10 }),
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 1, max: 300 }),
          fc.boolean(),
          async (p, chunkSize, nRecipients, inPiece, outPiece, sign) => {
            // 1-10 recipients: the three fixed keys plus the same keys' fingerprints are deduplicated,
            // so mix in copies to exercise deduplication.
            const recipients = Array.from({ length: nRecipients }, (_, i) => loadKey(names[i % 3]).publicKey);
            const ct = await collectStream(encryptStream(bytesToStream(p, inPiece), { recipients, signer: sign ? carol : undefined, backend: node, chunkSize }));
            const who = loadKey(names[(nRecipients - 1) % 3]);
            const d = await decryptStream(bytesToStream(ct, outPiece), { identities: [who], backend: node });
            assert.deepEqual(await collectStream(d.plaintext), p);
            assert.equal(d.header.recipients.length, Math.min(nRecipients, 3));
            assert.equal(d.signature().kind, sign ? 'signed' : 'unsigned');
          },
        ),
        { numRuns: 40 },
      );
    });
    it('deduplicates recipients and accepts up to ten distinct ones', async function () {
      this.timeout(30000);
      const extra = await Promise.all(Array.from({ length: 7 }, () => node.generateRsaKeyPair(2048)));
      const keys = [alice, bob, carol, ...extra.map((k) => ({ pkcs8Der: k.pkcs8Der, publicKey: publicKeyFromSpkiDer(k.spkiDer) }))];
      const ct = await encryptBytes(utf8Encode('ten'), { recipients: [...keys.map((k) => k.publicKey), alice.publicKey], backend: node });
      const info = await inspectEnvelope(ct);
      assert.equal(info.recipients.length, 10);
      for (const k of keys) assert.equal(new TextDecoder().decode((await decryptBytes(ct, { identities: [k], backend: node })).plaintext), 'ten');
    });
  });

  describe('tampering', () => {
    let small: Uint8Array;
    before(async () => {
      // Two small chunks, signed: covers header, payload and trailer.
      small = await encryptBytes(patternBytes(20), { recipients: [alice.publicKey], signer: bob, backend: node, chunkSize: 16 });
    });
    it('rejects every single-bit flip', async function () {
      this.timeout(60000);
      const header = parseHeader(small);
      const wrappedStart = 14 + 26 + 6 + 32;
      const signerStart = wrappedStart + 256 + 6;
      const rsaBlob = (i: number): boolean =>
        (i >= wrappedStart && i < wrappedStart + 256) || (i >= signerStart && i < header.bytes.length - 32) || i >= small.length - 256;
      for (let i = 0; i < small.length; i++) {
        // Inside RSA blobs (wrapped key, signer SPKI, signature) one bit per byte keeps the test fast;
        // every bit of every structural, MAC and payload byte is flipped.
        const bits = rsaBlob(i) ? [i % 8] : [0, 1, 2, 3, 4, 5, 6, 7];
        for (const bit of bits) {
          const err = await expectReject(Uint8Array.from(small, (b, j) => (j === i ? b ^ (1 << bit) : b)), [alice], node, 64);
          // A flip in the signer's modulus may leave one with a small factor: refused as weak (WeakKeyError).
          assert.ok(err instanceof FormatError || err instanceof HeaderAuthError || err instanceof PayloadAuthError || err instanceof SignatureError || err instanceof NoIdentityMatchedError || err instanceof WeakKeyError, `byte ${i} bit ${bit}: ${String(err)}`);
        }
      }
      assert.ok(header.bytes.length < small.length);
    });
    it('rejects every truncation', async function () {
      this.timeout(30000);
      for (let n = 0; n < small.length; n++) await expectReject(small.subarray(0, n));
    });
    it('rejects any appended data', async () => {
      for (const extra of [1, 15, 16, 17, 300]) await expectReject(concatBytes(small, new Uint8Array(extra)));
    });
    it('a recipient cannot re-address a signed file to carol', async () => {
      // Alice knows the file key; she re-wraps it for carol with a valid MAC. The signature breaks.
      const rand = deterministicRandom('readdress');
      const backend = withInjectedRandomness(createNodeCryptoBackend(), rand);
      const signed = await encryptBytes(patternBytes(40), { recipients: [alice.publicKey], signer: bob, backend, chunkSize: 16 });
      const fileKey = deterministicRandom('readdress')(32);
      const h = parseHeader(signed);
      const wrapped = await node.rsaOaepEncrypt(carol.publicKey.spkiDer, fileKey, OAEP_LABEL);
      const body = encodeHeaderBody({ ...h, stanzas: [{ fingerprint: carol.publicKey.fingerprintBytes, wrappedKey: wrapped }] });
      const forged = concatBytes(body, computeHeaderMac(fileKey, body), signed.subarray(h.bytes.length));
      assert.ok((await expectReject(forged, [carol])) instanceof SignatureError);
    });
    it('a signed file whose signature does not verify releases no byte of its final chunk: one chunk, nothing at all; several, every chunk but the last', async () => {
      // The final chunk is released only after the signature verified (SECURITY.md: "no unauthenticated
      // plaintext"): a consumer that acts on bytes as they come (a pipe into a shell) must never get the
      // whole of a forged file. A signature byte flipped leaves every GCM tag valid.
      for (const { length, chunkSize } of [{ length: 40, chunkSize: undefined }, { length: 40, chunkSize: 16 }]) {
        const signed = await encryptBytes(patternBytes(length), { recipients: [alice.publicKey], signer: bob, backend: node, chunkSize });
        const forged = signed.slice();
        forged[forged.length - 1] ^= 0x01;
        const released: Uint8Array[] = [];
        let error: unknown;
        try {
          const d = await decryptStream(bytesToStream(forged, 7), { identities: [alice], backend: node });
          for await (const piece of d.plaintext) released.push(piece.slice());
        } catch (err) {
          error = err;
        }
        assert.ok(error instanceof SignatureError, `chunk size ${chunkSize ?? 'default'}: ${String(error)}`);
        const out = concatBytes(...released);
        const lastChunk = chunkSize === undefined ? length : length % chunkSize || chunkSize;
        assert.deepEqual(out, patternBytes(length).subarray(0, length - lastChunk), `chunk size ${chunkSize ?? 'default'}: released ${out.length} bytes`);
      }
    });
  });

  describe('keys and identities', () => {
    // Keys below 2048 bits never become key objects (test/core/keys.test.ts "the 2048-bit floor").
    it('refuses an empty recipient list', async () => {
      await assert.rejects(encryptBytes(utf8Encode('x'), { recipients: [], backend: node }), InvalidArgumentError);
    });
    it('no identity matched lists recipients and per-identity failures', async () => {
      const ct = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey, bob.publicKey], backend: node });
      const err = (await expectReject(ct, [carol])) as NoIdentityMatchedError;
      assert.ok(err instanceof NoIdentityMatchedError);
      assert.deepEqual(err.recipientFingerprints, [alice.publicKey.fingerprint, bob.publicKey.fingerprint]);
      assert.equal(err.failures.length, 0);
      const wrappedStart = 14 + 26 + 6 + 32;
      const bad = Uint8Array.from(ct, (b, j) => (j === wrappedStart + 5 ? b ^ 1 : b));
      const err2 = (await expectReject(bad, [carol, alice])) as NoIdentityMatchedError;
      assert.deepEqual(err2.failures.map((f) => f.fingerprint), [alice.publicKey.fingerprint]);
      // With bob's key as well, the file still opens (his stanza is intact) — but the header MAC covers
      // alice's edited stanza, so bob sees a header failure.
      assert.ok((await expectReject(bad, [alice, bob])) instanceof HeaderAuthError);
    });
    it('fingerprints agree with src/core/keys.ts', () => {
      for (const k of [alice, bob, carol]) assert.equal(publicKeyFromSpkiDer(k.publicKey.spkiDer).fingerprint, k.publicKey.fingerprint);
    });
    it('describeSigner classifies by fingerprint', async () => {
      const out = await decryptBytes(await encryptBytes(utf8Encode('s'), { recipients: [alice.publicKey], signer: bob, backend: node }), { identities: [alice], backend: node });
      assert.deepEqual(describeSigner(out.signature, [alice.publicKey, bob.publicKey]), { kind: 'known', key: bob.publicKey });
      assert.deepEqual(describeSigner(out.signature, [alice.publicKey]), { kind: 'unknown', fingerprint: bob.publicKey.fingerprint });
      assert.deepEqual(describeSigner({ kind: 'unsigned' }, [alice.publicKey]), { kind: 'unsigned' });
    });
  });

  describe('inspectEnvelope', () => {
    it('reports header facts and sizes without a key', async () => {
      const ct = await encryptBytes(patternBytes(1000), { recipients: [alice.publicKey, bob.publicKey], signer: carol, backend: node, chunkSize: 64 });
      for (const input of [ct, bytesToStream(ct, 33), armor(ct)]) {
        const info = await inspectEnvelope(input);
        assert.deepEqual(info.recipients, [alice.publicKey.fingerprint, bob.publicKey.fingerprint]);
        assert.equal(info.signer?.fingerprint, carol.publicKey.fingerprint);
        assert.deepEqual(info.signer?.spkiDer, carol.publicKey.spkiDer);
        assert.equal(info.chunkSize, 64);
        assert.equal(info.version, 1);
        assert.equal(info.plaintextSize, 1000);
        assert.equal(info.payloadSize, 1000 + 16 * TAG_LENGTH);
        assert.equal(info.headerSize + info.payloadSize! + 256, ct.length);
      }
      const empty = await inspectEnvelope(await encryptBytes(new Uint8Array(0), { recipients: [alice.publicKey], backend: node }));
      assert.equal(empty.plaintextSize, 0);
    });
  });

  describe('interop with openssl', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'custodian-envelope-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('openssl pkeyutl unwraps our stanza to the file key', async () => {
      const rand = deterministicRandom('openssl-oaep');
      const ct = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend: withInjectedRandomness(createNodeCryptoBackend(), rand) });
      const fileKey = deterministicRandom('openssl-oaep')(32);
      writeFileSync(join(dir, 'alice.pem'), keyPem('alice'));
      writeFileSync(join(dir, 'wrapped'), parseHeader(ct).stanzas[0].wrappedKey);
      const out = execFileSync('openssl', ['pkeyutl', '-decrypt', '-inkey', join(dir, 'alice.pem'), '-in', join(dir, 'wrapped'),
        '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256',
        '-pkeyopt', `rsa_oaep_label:${hexEncode(OAEP_LABEL)}`]);
      assert.equal(out.toString('hex'), hexEncode(fileKey));
    });

    it('openssl dgst verifies our RSA-PSS signature over the transcript', async () => {
      const ct = await encryptBytes(patternBytes(300), { recipients: [alice.publicKey], signer: bob, backend: node, chunkSize: 64 });
      const body = ct.subarray(0, ct.length - 256);
      const message = concatBytes(SIGNATURE_CONTEXT, sha256(body));
      writeFileSync(join(dir, 'message'), message);
      writeFileSync(join(dir, 'sig'), ct.subarray(ct.length - 256));
      writeFileSync(join(dir, 'bob.pub'), execFileSync('openssl', ['pkey', '-pubout'], { input: keyPem('bob') }));
      const verify = (file: string): string =>
        execFileSync('openssl', ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sigopt', 'rsa_mgf1_md:sha256',
          '-verify', join(dir, 'bob.pub'), '-signature', join(dir, 'sig'), file]).toString();
      assert.match(verify(join(dir, 'message')), /Verified OK/);
      writeFileSync(join(dir, 'other'), concatBytes(SIGNATURE_CONTEXT, sha256(utf8Encode('other'))));
      assert.throws(() => verify(join(dir, 'other')));
    });
  });

  describe('error hygiene', () => {
    it('no error message or stack contains the plaintext or key material', async () => {
      const secret = 'TOP-SECRET-PLAINTEXT-0123456789';
      const plaintext = utf8Encode(secret.repeat(10));
      const rand = deterministicRandom('hygiene');
      const ct = await encryptBytes(plaintext, { recipients: [alice.publicKey], signer: bob, backend: withInjectedRandomness(createNodeCryptoBackend(), rand), chunkSize: 64 });
      const fileKey = deterministicRandom('hygiene')(32);
      const forbidden = [secret, hexEncode(fileKey), Buffer.from(fileKey).toString('base64'), Buffer.from(alice.pkcs8Der).toString('base64').slice(40, 80)];
      const h = parseHeader(ct).bytes.length;
      const broken = [
        Uint8Array.from(ct, (b, j) => (j === h + 3 ? b ^ 1 : b)),
        ct.subarray(0, ct.length - 1),
        ct.subarray(0, ct.length - 256),
        concatBytes(ct, utf8Encode(secret)),
        Uint8Array.from(ct, (b, j) => (j === 20 ? b ^ 1 : b)),
        Uint8Array.from(ct, (b, j) => (j === 9 ? 7 : b)),
      ];
      for (const file of broken) {
        for (const ids of [[alice], [carol]]) {
          const err = await expectReject(file, ids);
          const text = `${(err as Error).message}\n${(err as Error).stack}\n${JSON.stringify(err)}`;
          for (const f of forbidden) assert.ok(!text.includes(f), `error leaks secret material: ${(err as Error).message}`);
        }
      }
    });
  });
});
