import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fsp from 'node:fs/promises';
import { assertWritable, FileExistsError, NotARegularFileError, openAtomicFile, OutputDirectoryError, writeFileAtomic, type AtomicFileSystem } from '../../src/node/atomic-file';

const MiB = 1024 * 1024;
/** Sizes around the 1 MiB write batch. */
const SIZES = [0, 1, 4097, MiB - 1, MiB, MiB + 1, 3 * MiB + 4101];

/** Writes `data` in odd-sized pieces through an atomic file and commits. */
async function writeInPieces(target: string, data: Uint8Array, files?: AtomicFileSystem): Promise<void> {
  const file = await openAtomicFile(target, {}, files);
  try {
    for (let offset = 0; offset < data.length; offset += 300_007) await file.write(data.subarray(offset, Math.min(data.length, offset + 300_007)));
    await file.commit();
  } catch (err) {
    await file.abort();
    throw err;
  }
}

describe('node/atomic-file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes bytes and chunk streams; the file appears only at commit', async () => {
    const target = path.join(dir, 'out.bin');
    await writeFileAtomic(target, Uint8Array.of(1, 2, 3));
    assert.deepEqual([...fs.readFileSync(target)], [1, 2, 3]);

    const streamed = path.join(dir, 'streamed.bin');
    const file = await openAtomicFile(streamed);
    await file.write(Uint8Array.of(4, 5));
    assert.equal(fs.existsSync(streamed), false, 'not visible before commit');
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 1, 'a temporary file in the same directory');
    await file.write(Uint8Array.of(6));
    await file.commit();
    assert.deepEqual([...fs.readFileSync(streamed)], [4, 5, 6]);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['out.bin', 'streamed.bin']);
  });

  it('batches writes: several MiB in odd-sized pieces arrive intact, and a caller may reuse its buffer', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 777);
    const target = path.join(dir, 'big.bin');
    const file = await openAtomicFile(target);
    const scratch = new Uint8Array(65_552);
    for (let offset = 0; offset < data.length; offset += scratch.length) {
      const n = Math.min(scratch.length, data.length - offset);
      scratch.set(data.subarray(offset, offset + n));
      await file.write(scratch.subarray(0, n));
      scratch.fill(0xee); // write() may not keep a reference to its argument
    }
    await file.commit();
    assert.ok(fs.readFileSync(target).equals(data));
  });

  it('refuses to overwrite without force (FileExistsError with a hint), replaces with force', async () => {
    const target = path.join(dir, 'existing.txt');
    fs.writeFileSync(target, 'old');
    await assert.rejects(writeFileAtomic(target, Uint8Array.of(1)), (err: unknown) => {
      assert.ok(err instanceof FileExistsError);
      assert.match(err.message, /existing\.txt already exists/);
      assert.equal(err.hint, 'pass --force to overwrite it');
      return true;
    });
    await assert.rejects(assertWritable(target), FileExistsError);
    await assertWritable(target, { force: true });
    assert.equal(fs.readFileSync(target, 'utf8'), 'old');
    await writeFileAtomic(target, new TextEncoder().encode('new'), { force: true });
    assert.equal(fs.readFileSync(target, 'utf8'), 'new');
    assert.deepEqual(fs.readdirSync(dir), ['existing.txt']);
  });

  it('refuses a target that is not a regular file, even with force (renaming would replace /dev/null)', async function () {
    if (process.platform === 'win32') this.skip();
    // A FIFO stands in for /dev/null (testing on the real device would risk replacing it).
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const target of [fifo, dir]) {
      for (const force of [false, true]) {
        await assert.rejects(writeFileAtomic(target, Uint8Array.of(1), { force }), (err: unknown) => {
          assert.ok(err instanceof NotARegularFileError, String(err));
          assert.match(err.message, /is not a regular file/);
          return true;
        });
      }
    }
    assert.ok(fs.statSync(fifo).isFIFO(), 'the FIFO is still there');
    const link = path.join(dir, 'dangling');
    fs.symlinkSync(path.join(dir, 'nowhere'), link);
    await assert.rejects(assertWritable(link), FileExistsError);
  });

  it('refuses at commit when the target appeared meanwhile (no clobbering race), leaving no temp file', async () => {
    const target = path.join(dir, 'raced.txt');
    const file = await openAtomicFile(target);
    await file.write(Uint8Array.of(1));
    fs.writeFileSync(target, 'someone else');
    await assert.rejects(file.commit(), FileExistsError);
    assert.equal(fs.readFileSync(target, 'utf8'), 'someone else');
    assert.deepEqual(fs.readdirSync(dir), ['raced.txt']);
  });

  it('a failing source removes the temporary file and leaves the target untouched', async () => {
    const target = path.join(dir, 'failed.bin');
    async function* failing(): AsyncIterable<Uint8Array> {
      yield Uint8Array.of(1, 2, 3);
      throw new Error('authentication failed');
    }
    await assert.rejects(writeFileAtomic(target, failing()), /authentication failed/);
    assert.deepEqual(fs.readdirSync(dir), []);

    fs.writeFileSync(target, 'previous');
    await assert.rejects(writeFileAtomic(target, failing(), { force: true }), /authentication failed/);
    assert.equal(fs.readFileSync(target, 'utf8'), 'previous');
    assert.deepEqual(fs.readdirSync(dir), ['failed.bin']);
  });

  it('abort is idempotent and removes the temp file; writing after abort throws', async () => {
    const file = await openAtomicFile(path.join(dir, 'aborted.bin'));
    await file.write(Uint8Array.of(1));
    await file.abort();
    await file.abort();
    assert.deepEqual(fs.readdirSync(dir), []);
    await assert.rejects(file.write(Uint8Array.of(2)));
  });

  it('applies the requested mode (0600 for secrets)', async function () {
    if (process.platform === 'win32') this.skip();
    const target = path.join(dir, 'secret.pem');
    await writeFileAtomic(target, Uint8Array.of(1), { mode: 0o600 });
    assert.equal(fs.statSync(target).mode & 0o777, 0o600);
  });

  it('writes every size around the batch boundaries exactly', async () => {
    for (const size of SIZES) {
      const data = randomBytes(size);
      const target = path.join(dir, `size-${size}.bin`);
      await writeInPieces(target, data);
      assert.ok(fs.readFileSync(target).equals(data), `content at ${size} bytes`);
    }
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
  });

  it('a write the OS refuses midway (e.g. ENOSPC) fails the commit and leaves no file behind', async () => {
    for (const failAt of [0, 2]) {
      let writes = 0;
      const full: AtomicFileSystem = {
        async open(p, flags, mode) {
          const handle = await fsp.open(p, flags, mode);
          const write = handle.write.bind(handle) as (...args: unknown[]) => Promise<unknown>;
          (handle as unknown as { write: unknown }).write = async (...args: unknown[]) => {
            if (writes++ === failAt) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            return write(...args);
          };
          return handle;
        },
      };
      await assert.rejects(writeInPieces(path.join(dir, `full-${failAt}.bin`), randomBytes(3 * MiB + 4101), full), /ENOSPC/);
      assert.deepEqual(fs.readdirSync(dir), [], `nothing left after a failure at write ${failAt}`);
    }
  });

  it('a large output is flushed while it is written; a failed flush (EIO) fails the commit and leaves nothing', async function () {
    this.timeout(30000);
    const data = randomBytes(70 * MiB);
    for (const fail of [false, true]) {
      let flushes = 0;
      const disk: AtomicFileSystem = {
        async open(p, flags, mode) {
          const handle = await fsp.open(p, flags, mode);
          const datasync = handle.datasync.bind(handle);
          handle.datasync = async () => {
            flushes++;
            if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
            return datasync();
          };
          return handle;
        },
      };
      const target = path.join(dir, `big-${fail}.bin`);
      if (fail) {
        await assert.rejects(writeInPieces(target, data, disk), /EIO/);
        assert.deepEqual(fs.readdirSync(dir), [], 'nothing left after a failed flush');
      } else {
        await writeInPieces(target, data, disk);
        assert.ok(fs.readFileSync(target).equals(data));
        fs.rmSync(target);
      }
      assert.ok(flushes >= 1, `flushed ${flushes} times before commit`);
    }
  });

  it('fails cleanly when the directory does not exist, or is a file: the error names that directory, never the temporary file', async () => {
    const missing = path.join(dir, 'missing', 'x.bin');
    await assert.rejects(writeFileAtomic(missing, Uint8Array.of(1)), (err: Error) => {
      assert.ok(err instanceof OutputDirectoryError, String(err));
      assert.equal(err.message, `cannot write ${missing}: directory ${path.dirname(missing)} does not exist`);
      assert.match(err.hint ?? '', /^create it first/);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
    fs.writeFileSync(path.join(dir, 'plain'), 'x');
    const underFile = path.join(dir, 'plain', 'x.bin');
    await assert.rejects(writeFileAtomic(underFile, Uint8Array.of(1)), (err: Error) => err instanceof OutputDirectoryError && err.message === `cannot write ${underFile}: ${path.join(dir, 'plain')} is not a directory`);
    assert.deepEqual(fs.readdirSync(dir), ['plain']);
  });
});
