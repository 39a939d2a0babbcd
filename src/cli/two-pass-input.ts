// Decrypt's input when the plaintext goes to a stream (stdout): a stream cannot take back what it was
// given, and a signature covers the whole file, so the input is read twice, once to verify the
// signature and once to decrypt. A file is read twice through one descriptor, so a rename or a new
// file at its path changes nothing; standard input is spooled to a temporary file as it is read.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { SignatureError } from '../core/errors';
import { readFdReusingBuffers } from '../node/node-streams';
import type { CliIo } from './command';
import { isStdio } from './io';

export interface TwoPassInput {
  /** For messages: the path, or "standard input". */
  readonly name: string;
  /** The first pass. Its reader may stop early (an unsigned file ends the check after its header). */
  first(): AsyncIterable<Uint8Array>;
  /** The whole input again from its first byte; fails when a file was modified since it was opened. */
  second(): Promise<AsyncIterable<Uint8Array>>;
  close(): Promise<void>;
}

/** `arg` as `openInput` would name it; the file must exist (checkInputFile ran). */
export async function openTwoPassInput(arg: string | undefined, io: CliIo): Promise<TwoPassInput> {
  return isStdio(arg) ? spoolStdin(io.stdin) : openFileTwice(arg as string);
}

/** Written to since `a` (not ctime: a rename or chmod changes it, and the path does not matter here). */
function changed(a: Stats, b: Stats): boolean {
  return a.size !== b.size || a.mtimeMs !== b.mtimeMs;
}

async function openFileTwice(file: string): Promise<TwoPassInput> {
  const handle = await fs.open(file, 'r');
  const opened = await handle.stat();
  return {
    name: file,
    first: () => readFdReusingBuffers(handle.fd),
    async second() {
      // Written in place between the passes: the first pass verified other bytes. (A write during
      // the second pass is caught by its transcript, after the fact: see docs/CLI.md.)
      if (changed(opened, await handle.stat())) {
        throw new SignatureError(`${file} changed while it was being read: it is not the file whose signature was verified`, {
          hint: 'make sure nothing writes to the file while it is decrypted, then try again',
        });
      }
      return readFdReusingBuffers(handle.fd);
    },
    close: () => handle.close(),
  };
}

/**
 * Standard input can be read only once: what the first pass reads is also written to a temporary file
 * (mode 0600, removed from its directory as soon as it is created, so no other user can open or
 * replace it), which the second pass reads back, followed by whatever the first pass left unread.
 * It holds the encrypted file exactly as received: ciphertext, never plaintext. A file rather than
 * memory because standard input has no size limit and peak memory must not grow with the input.
 */
async function spoolStdin(stdin: NodeJS.ReadableStream): Promise<TwoPassInput> {
  const spoolPath = path.join(os.tmpdir(), `custodian-spool-${randomBytes(8).toString('hex')}.enc`);
  const spool = await fs.open(spoolPath, 'wx+', 0o600);
  const unlinked = await fs.unlink(spoolPath).then(
    () => true,
    () => false, // e.g. a platform that keeps open files; then it is removed on close
  );
  // One iterator for both passes: the first must not end stdin (its reader may stop early).
  const source = (stdin as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  let spooled = 0;
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    const r = await source.next();
    if (r.done) return { done: true, value: undefined };
    return { done: false, value: typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value };
  };
  return {
    name: 'standard input',
    first: () => ({
      [Symbol.asyncIterator]: () => ({
        async next() {
          const r = await next();
          if (r.done) return r;
          await spool.write(r.value, 0, r.value.length, spooled);
          spooled += r.value.length;
          return r;
        },
      }),
    }),
    async second() {
      const end = spooled;
      async function* again(): AsyncIterable<Uint8Array> {
        yield* readFdReusingBuffers(spool.fd, { end });
        for (let r = await next(); !r.done; r = await next()) yield r.value;
      }
      return again();
    },
    async close() {
      await spool.close();
      if (!unlinked) await fs.rm(spoolPath, { force: true });
    },
  };
}
