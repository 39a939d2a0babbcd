// Hostile inputs to the envelope reader: memory stays bounded before the armor, the source is always
// closed when reading stops, and random binary input gets the "not a Custodian file" message.
import { strict as assert } from 'node:assert';
import { armor, dearmorIfArmored } from '../../src/core/armor';
import { concatBytes, utf8Encode } from '../../src/core/bytes';
import { decryptStream, encryptBytes, inspectEnvelope } from '../../src/core/envelope';
import { parseHeader } from '../../src/core/envelope-header';
import { CustodianError, FormatError } from '../../src/core/errors';
import { bytesToStream, collectStream } from '../../src/core/stream';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';
import { recordingSource } from '../helpers/recording-source';

const node = createNodeCryptoBackend();
const alice = loadKey('alice');
const bob = loadKey('bob');

/** `count` pieces of `size` bytes of `fill`, all in ONE reused buffer (as a file reader may do), then `tail`. */
async function* repeated(fill: number, size: number, count: number, tail = new Uint8Array(0)): AsyncIterable<Uint8Array> {
  const buffer = new Uint8Array(size).fill(fill);
  for (let i = 0; i < count; i++) yield buffer;
  if (tail.length > 0) yield tail;
}

/**
 * Peak growth of ArrayBuffer memory over the lowest level seen so far (so garbage that an earlier test
 * left and a GC frees meanwhile cannot hide growth). The sources reuse one buffer, so a reader that
 * keeps nothing allocates nothing: the figure stays near zero, while one that keeps the input grows
 * by the input's size.
 */
function growthMeter(): { sample(): void; readonly peak: number } {
  let low = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let n = 0;
  return {
    sample() {
      if (n++ % 32 !== 0) return;
      const now = process.memoryUsage().arrayBuffers;
      low = Math.min(low, now);
      peak = Math.max(peak, now - low);
    },
    get peak() {
      return peak;
    },
  };
}

async function consume(stream: AsyncIterable<Uint8Array>, identities = [alice]): Promise<unknown> {
  try {
    const d = await decryptStream(stream, { identities, backend: node });
    await collectStream(d.plaintext);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('hostile inputs', () => {
  let file: Uint8Array;
  let signed: Uint8Array;
  before(async () => {
    file = await encryptBytes(utf8Encode('x'.repeat(5000)), { recipients: [alice.publicKey], backend: node, chunkSize: 1024 });
    signed = await encryptBytes(utf8Encode('y'.repeat(5000)), { recipients: [alice.publicKey], signer: bob, backend: node, chunkSize: 1024 });
  });

  describe('leading blank lines before armor', () => {
    it('64 MiB of newlines before an armored file are not kept in memory', async function () {
      this.timeout(20000);
      const growth = growthMeter();
      async function* source(): AsyncIterable<Uint8Array> {
        for await (const piece of repeated(0x0a, 65536, 1024)) {
          growth.sample();
          yield piece;
        }
        yield utf8Encode(armor(file));
      }
      const d = await decryptStream(source(), { identities: [alice], backend: node });
      assert.equal(new TextDecoder().decode(await collectStream(d.plaintext)), 'x'.repeat(5000));
      assert.ok(growth.peak < 8 * 1024 * 1024, `buffered ${growth.peak} bytes of blank lines`);
    });
    it('64 MiB of spaces on one line are not kept in memory either, and the armor after them is refused', async function () {
      this.timeout(20000);
      const growth = growthMeter();
      async function* source(): AsyncIterable<Uint8Array> {
        for await (const piece of repeated(0x20, 65536, 1024)) {
          growth.sample();
          yield piece;
        }
        yield utf8Encode(armor(file)); // on the same line as the spaces: not a BEGIN line
      }
      const err = await consume(source());
      assert.ok(err instanceof FormatError, String(err));
      assert.ok(growth.peak < 8 * 1024 * 1024, `buffered ${growth.peak} bytes of spaces`);
    });
    it('blank lines and CRLF before the armor still decrypt, split anywhere; whitespace before binary is refused', async () => {
      const text = utf8Encode('\r\n \t\n\n' + armor(file));
      for (const piece of [1, 2, 3, 7, 41, 4096]) {
        assert.deepEqual(await collectStream(dearmorIfArmored(bytesToStream(text, piece))), file, `pieces of ${piece}`);
      }
      const err = await consume(bytesToStream(concatBytes(utf8Encode('\n'), file), 3));
      assert.ok(err instanceof FormatError && /not a Custodian encrypted file/.test(err.message), String(err));
      const spaced = await consume(bytesToStream(utf8Encode('  ' + armor(file)), 1));
      assert.ok(spaced instanceof FormatError, String(spaced));
    });
  });

  describe('random binary input', () => {
    it('is "not a Custodian encrypted file" even when it starts with "-" or is invalid UTF-8', async () => {
      const inputs = [
        Uint8Array.of(0x2d, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28),
        concatBytes(utf8Encode('\n\n-'), Uint8Array.of(0xff, 0xc0, 0x80)),
        concatBytes(utf8Encode('-----BEGIN PGP MESSAGE-----\n'), Uint8Array.of(0xff)),
        Uint8Array.of(0xff, 0xfe, 0xfd),
        utf8Encode('-----BEGIN CUSTODIAN'),
      ];
      for (const input of inputs) {
        for (const piece of [1, 3, 1000]) {
          const err = await consume(bytesToStream(input, piece));
          assert.ok(err instanceof FormatError, String(err));
          assert.match(err.message, /not a Custodian encrypted file \(no \.enc magic and no armor\)/);
          assert.ok(err.hint && /custodian encrypt|armor/i.test(err.hint), err.hint);
        }
      }
    });
  });

  describe('the source is closed on every path', () => {
    const cases: [string, () => Uint8Array][] = [
      ['bad magic', () => concatBytes(utf8Encode('NOTCUSTOD'), file.subarray(9))],
      ['unsupported version', () => { const f = file.slice(); f[9] = 2; return f; }],
      ['oversized header', () => { const f = file.slice(); new DataView(f.buffer).setUint32(10, 2 << 20); return f; }],
      ['truncated header', () => file.subarray(0, 200)],
      ['header MAC', () => { const f = file.slice(); f[parseHeader(file).bytes.length - 1] ^= 1; return f; }],
      ['no identity', () => file],
      ['payload chunk', () => { const f = file.slice(); f[parseHeader(file).bytes.length + 10] ^= 1; return f; }],
      ['truncated payload', () => file.subarray(0, parseHeader(file).bytes.length + 1040)],
      ['bad signature', () => { const f = signed.slice(); f[f.length - 1] ^= 1; return f; }],
      ['armor damaged mid-way', () => utf8Encode(armor(file).replace(/\n[A-Za-z0-9+/]{64}\n/, '\n!!!\n'))],
      ['success', () => file],
    ];
    for (const [name, make] of cases) {
      for (const piece of [7, 1000]) {
        it(`${name} (pieces of ${piece})`, async () => {
          const { source, state } = recordingSource(make(), piece);
          const err = await consume(source, name === 'no identity' ? [bob] : [alice]);
          if (name === 'success') assert.equal(err, undefined);
          else assert.ok(err instanceof CustodianError, String(err));
          // Closed: told to stop (return) or read to its end; never both, never twice.
          assert.equal(state.returned + (state.ended ? 1 : 0), 1, `return() called ${state.returned} times, ended: ${state.ended}`);
        });
      }
    }
    it('a consumer that stops reading early closes the source', async () => {
      const { source, state } = recordingSource(file, 100);
      const d = await decryptStream(source, { identities: [alice], backend: node });
      for await (const chunk of d.plaintext) {
        assert.ok(chunk.length > 0);
        break;
      }
      assert.equal(state.returned, 1);
      assert.ok(!state.ended);
    });
    it('a caller that gives up after the header closes the source with close()', async () => {
      const { source, state } = recordingSource(file, 100);
      const d = await decryptStream(source, { identities: [alice], backend: node });
      await d.close();
      await d.close();
      assert.equal(state.returned, 1);
    });
    it('inspectEnvelope closes the source when the header is bad', async () => {
      const { source, state } = recordingSource(concatBytes(utf8Encode('NOTCUSTOD'), file.subarray(9)), 50);
      await assert.rejects(inspectEnvelope(source), FormatError);
      assert.equal(state.returned, 1);
    });
  });
});
