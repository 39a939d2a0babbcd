// Decrypt's two passes over one input: a file through one descriptor (refused when written in place
// between the passes), standard input spooled to an unlinked temporary file.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/command';
import { openTwoPassInput } from '../../src/cli/two-pass-input';
import { SignatureError } from '../../src/core/errors';
import { removeDir, tempDir } from './helpers';

/** The pieces live in reused buffers: copy each before the next is read. */
async function collectStream(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of source) parts.push(Buffer.from(piece));
  return Buffer.concat(parts);
}

/** Reads `source` until at least `limit` bytes came, then stops (as an early-stopping first pass does). */
async function readSome(source: AsyncIterable<Uint8Array>, limit: number): Promise<number> {
  let total = 0;
  for await (const piece of source) {
    total += piece.length;
    if (total >= limit) break;
  }
  return total;
}

function io(stdin: Readable): CliIo {
  return { stdin: stdin as unknown as NodeJS.ReadStream, stdout: process.stdout, stderr: process.stderr, env: {} };
}

describe('cli/two-pass-input', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('custodian-two-pass-');
  });
  afterEach(() => removeDir(dir));

  it('a file: the second pass reads it again from its start through the same descriptor, even after a rename', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const file = path.join(dir, 'in.enc');
    fs.writeFileSync(file, data);
    const input = await openTwoPassInput(file, io(Readable.from([])));
    try {
      assert.ok(Buffer.from(await collectStream(input.first())).equals(data));
      fs.renameSync(file, path.join(dir, 'moved.enc'));
      fs.writeFileSync(file, randomBytes(100)); // another file at the path: not what is read
      assert.ok(Buffer.from(await collectStream(await input.second())).equals(data));
    } finally {
      await input.close();
    }
  });

  it('a file written in place between the passes is refused before the second pass reads anything', async () => {
    const file = path.join(dir, 'in.enc');
    fs.writeFileSync(file, randomBytes(100_000));
    const input = await openTwoPassInput(file, io(Readable.from([])));
    try {
      await collectStream(input.first());
      await new Promise((resolve) => setTimeout(resolve, 20)); // a later mtime on coarse clocks
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from('forged'), 0, 6, 500);
      fs.closeSync(fd);
      await assert.rejects(input.second(), (err: unknown) => err instanceof SignatureError && /changed while it was being read/.test(err.message));
    } finally {
      await input.close();
    }
  });

  it('standard input: a first pass that stops early, then the whole input, spooled in an unlinked temporary file', async () => {
    const pieces = Array.from({ length: 40 }, () => randomBytes(10_000));
    const before = new Set(fs.readdirSync(os.tmpdir()));
    const input = await openTwoPassInput(undefined, io(Readable.from(pieces)));
    try {
      const read = await readSome(input.first(), 55_000);
      assert.ok(read >= 55_000 && read < 400_000);
      const spooled = fs.readdirSync(os.tmpdir()).filter((n) => !before.has(n) && n.startsWith('custodian-spool-'));
      assert.deepEqual(spooled, [], 'the spool file has no name');
      assert.ok(Buffer.from(await collectStream(await input.second())).equals(Buffer.concat(pieces)));
    } finally {
      await input.close();
    }
  });
});
