// Atomic file output for Node hosts: data goes to a temporary file in the target's directory, is
// fsynced, and only then takes the target's name. A reader never sees a half-written file, a failed
// write (e.g. a decrypt that fails authentication halfway) leaves nothing behind, and an existing file
// is replaced only when the caller asks for it.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CustodianError } from '../core/errors';

/** The target exists and the caller did not allow replacing it. */
export class FileExistsError extends CustodianError {}

/** The target is a device, FIFO, socket or directory: renaming onto it would replace it (e.g. /dev/null). */
export class NotARegularFileError extends CustodianError {}

/** The target's directory does not exist, is not a directory, or does not let us create a file in it. */
export class OutputDirectoryError extends CustodianError {}

export interface AtomicWriteOptions {
  /** Replace an existing file. Default: refuse with FileExistsError. */
  force?: boolean;
  /** Permission bits of the new file (before umask). Default 0o666; use 0o600 for secrets. */
  mode?: number;
  /**
   * Told the temporary file's path just before it is created, so a signal handler installed earlier
   * can remove it however early the signal comes.
   */
  onTempPath?: (path: string) => void;
}

/** Seams for tests: how the temporary file is opened. */
export interface AtomicFileSystem {
  open(path: string, flags: string | number, mode?: number): Promise<fs.FileHandle>;
}

const NODE_FILE_SYSTEM: AtomicFileSystem = { open: (p, flags, mode) => fs.open(p, flags, mode) };

/** An output file being written; nothing is visible at `path` until `commit()` succeeds. */
export interface AtomicFile {
  readonly path: string;
  /** The temporary file being written (for synchronous cleanup from a signal handler). */
  readonly tempPath: string;
  /**
   * Copies `chunk` into a 1 MiB batch and returns; full batches are written in the background (one at a
   * time). A failed write surfaces from a later `write` or from `commit`.
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Writes what is still batched, fsyncs and renames the temporary file onto `path`. */
  commit(): Promise<void>;
  /** Removes the temporary file. Safe to call more than once and after a failed commit. */
  abort(): Promise<void>;
}

/** Bytes handed to the OS per write: few large writes, from two buffers used again and again. */
const WRITE_BATCH_SIZE = 1 << 20;

/**
 * A large output is flushed to disk in the background every this many bytes (one flush at a time,
 * while writing goes on), so the fsync at commit finds little left to write instead of the whole file.
 */
const WRITEBACK_INTERVAL = 32 << 20;

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

/**
 * A failure to create a file in the target's directory, said of that directory: Node's error names the
 * hidden temporary file, a name the user never chose and cannot find afterwards.
 */
function directoryError(err: unknown, target: string): unknown {
  const dir = path.dirname(target);
  const options = { cause: err };
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new OutputDirectoryError(`cannot write ${target}: directory ${dir} does not exist`, { ...options, hint: `create it first (mkdir -p ${dir}), or name a file in an existing directory` });
    case 'ENOTDIR':
      return new OutputDirectoryError(`cannot write ${target}: ${dir} is not a directory`, { ...options, hint: 'name a file in an existing directory' });
    case 'EACCES':
    case 'EPERM':
      return new OutputDirectoryError(`cannot write ${target}: no permission to create files in ${dir}`, { ...options, hint: 'name a file in a directory you can write to' });
    case 'EROFS':
      return new OutputDirectoryError(`cannot write ${target}: ${dir} is on a read-only file system`, options);
    default:
      return err;
  }
}

/** Fails early (before any expensive work) when `target` exists and `force` is not set. */
export async function assertWritable(target: string, options: AtomicWriteOptions = {}): Promise<void> {
  let stat: Stats;
  try {
    stat = await fs.stat(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return assertNoDanglingLink(target, options);
    if (code === 'ENOTDIR') throw directoryError(err, target);
    throw err;
  }
  if (!stat.isFile()) {
    throw new NotARegularFileError(`${target} is not a regular file; an atomic write would replace it with one`, {
      hint: stat.isDirectory() ? 'name a file inside it' : 'write to standard output instead (omit -o and redirect, e.g. > /dev/null)',
    });
  }
  if (!options.force) throw existsError(target);
}

/** A symlink whose target does not exist still "exists" for the no-clobber rule. */
async function assertNoDanglingLink(target: string, options: AtomicWriteOptions): Promise<void> {
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

export async function openAtomicFile(target: string, options: AtomicWriteOptions = {}, files: AtomicFileSystem = NODE_FILE_SYSTEM): Promise<AtomicFile> {
  await assertWritable(target, options);
  const temp = tempNameFor(target);
  options.onTempPath?.(temp);
  const handle = await files.open(temp, 'wx', options.mode ?? 0o666).catch((err: unknown) => {
    throw directoryError(err, target);
  });
  let state: 'open' | 'committed' | 'aborted' = 'open';
  let closed = false;
  // Double buffering: one batch is written on the thread pool while the caller fills the other, so
  // producing the data overlaps writing it, and `write` keeps no reference to `chunk`.
  let filling = new Uint8Array(WRITE_BATCH_SIZE);
  let spare = new Uint8Array(WRITE_BATCH_SIZE);
  let fill = 0;
  let size = 0;
  let writing: Promise<void> = Promise.resolve();
  let syncing: Promise<void> | undefined;
  let unsynced = 0;
  const writeAll = async (bytes: Uint8Array, position: number): Promise<void> => {
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, position + offset);
      offset += bytesWritten;
    }
  };
  const flush = async (): Promise<void> => {
    await writing; // rethrows the previous batch's failure
    if (fill === 0) return;
    const batch = filling.subarray(0, fill);
    const position = size;
    size += fill;
    [filling, spare] = [spare, filling];
    fill = 0;
    writing = writeAll(batch, position);
    writing.catch(() => undefined); // observed by the next flush or by commit
    unsynced += batch.length;
    if (unsynced >= WRITEBACK_INTERVAL && !syncing) {
      unsynced = 0;
      const started = writing.then(() => handle.datasync());
      syncing = started.then(() => {
        syncing = undefined;
      });
      syncing.catch(() => undefined); // observed by commit (a failed flush fails the commit)
    }
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const abort = async (): Promise<void> => {
    if (state === 'committed' || state === 'aborted') return;
    state = 'aborted';
    await writing.catch(() => undefined);
    await syncing?.catch(() => undefined);
    await close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
  };
  return {
    path: target,
    tempPath: temp,
    abort,
    async write(chunk) {
      if (state !== 'open') throw new Error('atomic file is no longer open');
      for (let offset = 0; offset < chunk.length; ) {
        const n = Math.min(chunk.length - offset, WRITE_BATCH_SIZE - fill);
        filling.set(chunk.subarray(offset, offset + n), fill);
        fill += n;
        offset += n;
        if (fill === WRITE_BATCH_SIZE) await flush();
      }
    },
    async commit() {
      if (state !== 'open') throw new Error('atomic file is no longer open');
      try {
        await flush();
        await writing;
        await syncing;
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
