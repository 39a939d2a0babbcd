import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ChunkReader, bytesToStream, collectStream } from '../../src/core/stream';

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

/**
 * Yields `bytes` in pieces of the given sizes, all in ONE buffer that is overwritten (with 0xee) as
 * soon as the next piece is requested: the contract readFileReusingBuffers gives its consumers.
 */
async function* reusingSource(bytes: Uint8Array, sizes: number[]): AsyncIterable<Uint8Array> {
  const buffer = new Uint8Array(Math.max(1, ...sizes));
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const n = Math.min(sizes[i % sizes.length], bytes.length - offset);
    buffer.fill(0xee);
    buffer.set(bytes.subarray(offset, offset + n));
    offset += n;
    yield buffer.subarray(0, n);
  }
  buffer.fill(0xee);
}

describe('core/stream', () => {
  it('ChunkReader hands out exact reads across pieces of any size, even when the source reuses its buffer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 5 }),
        async (length, pieceSizes, readSizes) => {
          const data = pattern(length);
          const reader = new ChunkReader(reusingSource(data, pieceSizes));
          let offset = 0;
          for (let i = 0; offset < length; i++) {
            const want = readSizes[i % readSizes.length];
            const got = await reader.ensure(want);
            assert.ok(got >= Math.min(want, length - offset), `ensure(${want}) buffered only ${got}`);
            const n = Math.min(want, got);
            assert.deepEqual(reader.peek(n), data.subarray(offset, offset + n));
            assert.deepEqual(reader.read(n), data.subarray(offset, offset + n));
            offset += n;
          }
          assert.equal(await reader.ensure(1), 0);
          assert.equal(reader.ended, true);
        },
      ),
    );
  });

  it('a read that spans two pieces is assembled in the reader\'s one spill buffer, not a fresh copy each time', async () => {
    // Decrypt's sealed chunks (256 KiB + 16) straddle the 1 MiB input pieces: a fresh array per
    // straddling read is garbage that V8 collects late, and peak memory grows with the input.
    const data = pattern(39_900);
    const reader = new ChunkReader(reusingSource(data, [1000]));
    const copies = new Set<ArrayBufferLike>();
    let spans = 0;
    for (let offset = 0; offset < data.length; offset += 300) {
      await reader.ensure(300);
      const got = reader.read(300);
      assert.deepEqual(got, data.subarray(offset, offset + 300));
      if (Math.floor(offset / 1000) !== Math.floor((offset + 299) / 1000)) {
        spans++;
        copies.add(got.buffer);
      }
    }
    assert.ok(spans > 20, `${spans} spanning reads`);
    assert.equal(copies.size, 1, `${copies.size} distinct buffers for ${spans} spanning reads`);
  });

  it('ensure stops at the end of the source; read refuses more than is buffered; drain counts the rest', async () => {
    const reader = new ChunkReader(reusingSource(pattern(100), [30]));
    assert.equal(await reader.ensure(10), 30);
    assert.equal(reader.ended, false);
    assert.throws(() => reader.read(31), RangeError);
    assert.deepEqual(reader.read(5), pattern(5));
    assert.equal(await reader.ensure(1000), 95);
    assert.equal(reader.ended, true);
    const other = new ChunkReader(reusingSource(pattern(100), [30]));
    await other.ensure(40);
    other.read(10);
    assert.equal(await other.drain(), 90);
  });

  it('bytesToStream yields views of at most the piece size; collectStream joins them', async () => {
    const data = pattern(5000);
    const pieces: Uint8Array[] = [];
    for await (const p of bytesToStream(data, 1024)) pieces.push(p);
    assert.deepEqual(
      pieces.map((p) => p.length),
      [1024, 1024, 1024, 1024, 904],
    );
    assert.equal(pieces[0].buffer, data.buffer, 'views, not copies');
    assert.deepEqual(await collectStream(bytesToStream(data, 1024)), data);
  });
});
