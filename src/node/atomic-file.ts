// Atomic file output for Node hosts: data goes to a temporary file in the target's directory, is
// fsynced, and only then takes the target's name. A reader never sees a half-written file, a failed
// write (e.g. a decrypt that fails authentication halfway) leaves nothing behind, and an existing file
// is replaced only when the caller asks for it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CustodianError } from '../core/errors';

/** The target exists and the caller did not allow replacing it. */
export class FileExistsError extends CustodianError {}

export interface AtomicWriteOptions {
  /** Replace an existing file. Default: refuse with FileExistsError. */
  force?: boolean;
  /** Permission bits of the new file (before umask). Default 0o666; use 0o600 for secrets. */
  mode?: number;
}

/** An output file being written; nothing is visible at `path` until `commit()` succeeds. */
export interface AtomicFile {
  readonly path: string;
  /** The temporary file being written (for synchronous cleanup from a signal handler). */
  readonly tempPath: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes, fsyncs and renames the temporary file onto `path`. */
  commit(): Promise<void>;
  /** Removes the temporary file. Safe to call more than once and after a failed commit. */
  abort(): Promise<void>;
}

function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function existsError(target: string): FileExistsError {
  return new FileExistsError(`${target} already exists`, { hint: 'pass --force to overwrite it' });
}

/** Fails early (before any expensive work) when `target` exists and `force` is not set. */
export async function assertWritable(target: string, options: AtomicWriteOptions = {}): Promise<void> {
  if (!options.force && (await exists(target))) throw existsError(target);
}

async function fsyncDirectory(dir: string): Promise<void> {
  // Makes the rename durable on POSIX; directories cannot be opened for fsync on Windows.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Moves `temp` onto `target` without ever replacing an existing file (link fails with EEXIST). */
async function placeWithoutClobber(temp: string, target: string): Promise<void> {
  try {
    await fs.link(temp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existsError(target);
    // File systems without hard links: check, then rename (a small race, but still never partial).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'ENOSYS') {
      if (await exists(target)) throw existsError(target);
      await fs.rename(temp, target);
      return;
    }
    throw err;
  }
  await fs.unlink(temp);
}

export async function openAtomicFile(target: string, options: AtomicWriteOptions = {}): Promise<AtomicFile> {
  await assertWritable(target, options);
  const temp = tempNameFor(target);
  const handle = await fs.open(temp, 'wx', options.mode ?? 0o666);
  let state: 'open' | 'committed' | 'aborted' = 'open';
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const abort = async (): Promise<void> => {
    if (state === 'committed' || state === 'aborted') return;
    state = 'aborted';
    await close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
  };
  return {
    path: target,
    tempPath: temp,
    abort,
    async write(chunk) {
      if (state !== 'open') throw new Error('atomic file is no longer open');
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
    },
    async commit() {
      if (state !== 'open') throw new Error('atomic file is no longer open');
      try {
        await handle.sync();
        await close();
        if (options.force) await fs.rename(temp, target);
        else await placeWithoutClobber(temp, target);
        state = 'committed';
      } catch (err) {
        await abort();
        throw err;
      }
      await fsyncDirectory(path.dirname(target));
    },
  };
}

/**
 * Writes `data` (bytes, or chunks as they arrive) to `target` atomically. If the iterable throws, the
 * temporary file is removed and `target` is left as it was.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const file = await openAtomicFile(target, options);
  try {
    if (data instanceof Uint8Array) await file.write(data);
    else for await (const chunk of data) await file.write(chunk);
    await file.commit();
  } catch (err) {
    await file.abort();
    throw err;
  }
}
