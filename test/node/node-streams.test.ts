import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { armorStream } from '../../src/core/armor';
import { collectStream } from '../../src/core/stream';
import { decryptStream, encryptStream } from '../../src/core/envelope';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from '../core/envelope-fixtures';
import {
  InputTooLargeError,
  READ_CHUNK_SIZE,
  readableChunks,
  readAllBytes,
  readFileChunks,
  readFileReusingBuffers,
  readSmallFile,
  STREAM_READ_SIZE,
  writeChunks,
} from '../../src/node/node-streams';

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of source) parts.push(c);
  return Buffer.concat(parts);
}

describe('node/node-streams', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-streams-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('readFileChunks reads a file in pieces of at most 64 KiB', async () => {
    const data = randomBytes(300_000);
    const file = path.join(dir, 'data.bin');
    fs.writeFileSync(file, data);
    const sizes: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const c of readFileChunks(file)) {
      sizes.push(c.length);
      parts.push(c);
    }
    assert.ok(Buffer.concat(parts).equals(data));
    assert.ok(sizes.every((s) => s <= READ_CHUNK_SIZE));
    assert.equal(sizes.length, Math.ceil(data.length / READ_CHUNK_SIZE));
  });

  it('readFileChunks reports a missing file as ENOENT on first iteration', async () => {
    await assert.rejects(collect(readFileChunks(path.join(dir, 'missing'))), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  });

  it('readFileReusingBuffers reads the whole file in pieces of STREAM_READ_SIZE, alternating two buffers', async () => {
    const data = randomBytes(2 * STREAM_READ_SIZE + 12345);
    const file = path.join(dir, 'reuse.bin');
    fs.writeFileSync(file, data);
    const hash = createHash('sha256');
    const pieces: Uint8Array[] = [];
    for await (const c of readFileReusingBuffers(file)) {
      hash.update(c); // a piece is valid until the next is requested, so use it now
      pieces.push(c);
    }
    assert.equal(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
    assert.deepEqual(
      pieces.map((p) => p.length),
      [STREAM_READ_SIZE, STREAM_READ_SIZE, 12345],
    );
    assert.equal(pieces[2].buffer, pieces[0].buffer, 'the third piece reuses the first one\'s buffer');
    assert.notEqual(pieces[1].buffer, pieces[0].buffer);
    fs.writeFileSync(path.join(dir, 'empty.bin'), '');
    assert.equal((await collect(readFileReusingBuffers(path.join(dir, 'empty.bin')))).length, 0);
  });

  it('readFileReusingBuffers reports a missing file as ENOENT on first iteration', async () => {
    await assert.rejects(collect(readFileReusingBuffers(path.join(dir, 'missing'))), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  });

  it('the envelope streams round-trip over readFileReusingBuffers (binary and armored, small pieces)', async () => {
    const alice = loadKey('alice');
    const backend = createNodeCryptoBackend();
    const data = randomBytes(300_000);
    const plainFile = path.join(dir, 'plain.bin');
    fs.writeFileSync(plainFile, data);
    for (const armored of [false, true]) {
      const sealed = encryptStream(readFileReusingBuffers(plainFile, 10_000), { recipients: [alice.publicKey], signer: alice, backend });
      const encFile = path.join(dir, armored ? 'x.asc' : 'x.enc');
      fs.writeFileSync(encFile, await collectStream(armored ? armorStream(sealed) : sealed));
      const opened = await decryptStream(readFileReusingBuffers(encFile, 7_000), { identities: [alice], backend });
      assert.ok(Buffer.from(await collectStream(opened.plaintext)).equals(data), armored ? 'armored' : 'binary');
      assert.equal(opened.signature().kind, 'signed');
    }
  });

  it('readableChunks passes bytes through and encodes strings', async () => {
    const stream = new PassThrough();
    stream.end(Buffer.from('abc'));
    assert.equal((await collect(readableChunks(stream))).toString(), 'abc');
    const text = new PassThrough({ encoding: 'utf8' });
    text.end('héllo');
    assert.equal((await collect(readableChunks(text))).toString('utf8'), 'héllo');
  });

  it('readAllBytes concatenates and enforces its limit', async () => {
    async function* pieces(): AsyncIterable<Uint8Array> {
      yield Uint8Array.of(1, 2);
      yield Uint8Array.of(3);
    }
    assert.deepEqual([...(await readAllBytes(pieces(), 3))], [1, 2, 3]);
    await assert.rejects(readAllBytes(pieces(), 2, 'key file'), (err: unknown) => err instanceof InputTooLargeError && /key file is larger than 2 bytes/.test(err.message));
  });

  it('readSmallFile reads whole files of any size up to its limit, and refuses one byte more', async () => {
    for (const size of [0, 1, 3000, 65_536, 100_000]) {
      const data = randomBytes(size);
      const file = path.join(dir, `small-${size}.bin`);
      fs.writeFileSync(file, data);
      assert.deepEqual(Buffer.from(await readSmallFile(file, 100_000)), data, `size ${size}`);
    }
    await assert.rejects(readSmallFile(path.join(dir, 'small-100000.bin'), 99_999, 'key file k.pem'), (err: unknown) => {
      assert.ok(err instanceof InputTooLargeError);
      assert.match(err.message, /^key file k\.pem is larger than 99999 bytes$/);
      return true;
    });
  });

  it('readSmallFile reads a pipe, whose size the OS does not tell, growing its buffer', async function () {
    const fifo = path.join(dir, 'key.fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) this.skip();
    const data = randomBytes(200_000); // more than the 64 KiB first buffer: it grows twice
    const writer = fs.promises.writeFile(fifo, data);
    assert.deepEqual(Buffer.from(await readSmallFile(fifo, 1 << 20)), data);
    await writer;
    const tooMuch = fs.promises.writeFile(fifo, data).catch(() => undefined); // EPIPE once the reader gives up
    await assert.rejects(readSmallFile(fifo, 150_000), InputTooLargeError);
    await tooMuch;
  });

  it('readSmallFile reports a missing file as ENOENT', async () => {
    await assert.rejects(readSmallFile(path.join(dir, 'missing.pem'), 10), { code: 'ENOENT' });
  });

  it('writeChunks waits for drain (backpressure): the source is never far ahead of the sink', async () => {
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    const sink = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, cb) {
        setImmediate(() => {
          consumed += chunk.length;
          cb();
        });
      },
    });
    async function* source(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 200; i++) {
        produced += 16 * 1024;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield new Uint8Array(16 * 1024);
      }
    }
    await writeChunks(source(), sink);
    assert.equal(consumed, 200 * 16 * 1024, 'everything flushed when writeChunks resolves');
    assert.ok(maxAhead <= 128 * 1024, `source ran ${maxAhead} bytes ahead`);
  });

  it('writeChunks rejects when the sink fails, and when the source fails', async () => {
    const failingSink = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('EPIPE'), { code: 'EPIPE' }));
      },
    });
    failingSink.on('error', () => undefined);
    async function* many(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 10; i++) yield new Uint8Array(1024);
    }
    await assert.rejects(writeChunks(many(), failingSink), /EPIPE/);

    async function* broken(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(1);
      throw new Error('tampered');
    }
    const sink = new PassThrough();
    sink.resume();
    await assert.rejects(writeChunks(broken(), sink), /tampered/);
  });
});
