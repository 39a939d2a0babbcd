import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startOffThreadSha256, TranscriptHashError, type OffThreadSha256 } from '../../src/node/off-thread-sha256';

const SLOT = 512 << 10; // the ring's slot size

async function started(options?: Parameters<typeof startOffThreadSha256>[0]): Promise<OffThreadSha256> {
  const hasher = await startOffThreadSha256(options);
  assert.ok(hasher, 'a worker thread starts here');
  return hasher;
}

/** Feeds `data` in pieces of the given sizes (cycled), as the envelope does with header, chunks and tags. */
function feed(hasher: OffThreadSha256, data: Uint8Array, pieceSizes: readonly number[]): void {
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const n = Math.min(pieceSizes[i % pieceSizes.length], data.length - offset);
    hasher.update(data.subarray(offset, offset + n));
    offset += n;
  }
}

describe('node/off-thread-sha256', () => {
  it('digests like SHA-256 at every size around the slot and ring boundaries', async () => {
    for (const size of [0, 1, 55, 64, SLOT - 1, SLOT, SLOT + 1, 4 * SLOT - 1, 4 * SLOT, 4 * SLOT + 1, 9 * SLOT + 12_345]) {
      const data = randomBytes(size);
      const hasher = await started();
      feed(hasher, data, [size || 1]);
      assert.equal(Buffer.from(hasher.digest()).toString('hex'), createHash('sha256').update(data).digest('hex'), `size ${size}`);
    }
  });

  it('digests pieces of odd sizes and alignments (a header, then chunks and tags)', async () => {
    const data = randomBytes(5 * SLOT + 777);
    const hasher = await started();
    feed(hasher, data, [1003, 262_144, 16, 262_144, 16, 1, 3, 100_000]);
    assert.deepEqual(Buffer.from(hasher.digest()), createHash('sha256').update(data).digest());
  });

  it('keeps the caller’s buffers: a piece may be reused as soon as update returns', async () => {
    const expected = createHash('sha256');
    const hasher = await started();
    const piece = new Uint8Array(300_000);
    for (let i = 0; i < 20; i++) {
      piece.fill(i);
      expected.update(piece);
      hasher.update(piece);
    }
    assert.deepEqual(Buffer.from(hasher.digest()), expected.digest());
  });

  it('runs several hashers at once, each with its own worker', async () => {
    const inputs = [randomBytes(3 * SLOT + 5), randomBytes(SLOT / 2), randomBytes(7 * SLOT)];
    const hashers = await Promise.all(inputs.map(() => started()));
    inputs.forEach((data, i) => feed(hashers[i], data, [65_536 + i]));
    hashers.forEach((hasher, i) => assert.deepEqual(Buffer.from(hasher.digest()), createHash('sha256').update(inputs[i]).digest()));
  });

  it('is used once: update or digest after digest or dispose throw', async () => {
    const done = await started();
    done.update(new Uint8Array(10));
    done.digest();
    assert.throws(() => done.update(new Uint8Array(1)), /finished/);
    assert.throws(() => done.digest(), /finished/);
    done.dispose();
    const disposed = await started();
    disposed.update(new Uint8Array(SLOT + 1));
    disposed.dispose();
    disposed.dispose();
    assert.throws(() => disposed.update(new Uint8Array(1)), /disposed/);
  });

  it('a worker that fails while hashing is reported, not waited for', async () => {
    const failing = `
      const { parentPort, workerData: w } = require('node:worker_threads');
      const words = new Int32Array(w.control);
      parentPort.postMessage('ready');
      Atomics.wait(words, 0, 0);
      Atomics.store(words, w.status, w.failed);
      for (let i = 0; i <= w.status; i++) Atomics.notify(words, i);
    `;
    const failed = (err: unknown): boolean => err instanceof TranscriptHashError && /failed/.test(err.message);
    // Past the ring's four slots, update waits for the worker to free the first.
    const whileFeeding = await started({ workerSource: failing });
    assert.throws(() => feed(whileFeeding, new Uint8Array(6 * SLOT), [SLOT]), failed);
    const atDigest = await started({ workerSource: failing });
    atDigest.update(new Uint8Array(100));
    assert.throws(() => atDigest.digest(), failed);
  });

  it('a worker that stops answering fails after the stall timeout', async () => {
    const stuck = `require('node:worker_threads').parentPort.postMessage('ready'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`;
    const hasher = await started({ workerSource: stuck, stallTimeoutMs: 100 });
    const t0 = Date.now();
    assert.throws(() => feed(hasher, new Uint8Array(6 * SLOT), [SLOT]), (err: unknown) => err instanceof TranscriptHashError && /did not answer for 100 ms/.test(err.message));
    assert.ok(Date.now() - t0 < 5000);
  });

  it('resolves to undefined when the worker cannot start (the caller then hashes inline)', async () => {
    assert.equal(await startOffThreadSha256({ workerSource: 'throw new Error("no")' }), undefined);
    assert.equal(await startOffThreadSha256({ workerSource: 'this is not JavaScript' }), undefined);
  });
});
