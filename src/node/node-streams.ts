// Bridges between Node streams and the core's AsyncIterable<Uint8Array> streams. Reads are bounded
// (64 KiB, or 1 MiB into reused buffers for bulk streams) and writes wait for 'drain', so memory stays
// constant however large the input is.
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { CustodianError } from '../core/errors';

const openAsync = promisify(fs.open);
const readAsync = promisify(fs.read);
const closeAsync = promisify(fs.close);
const fstatAsync = promisify(fs.fstat);

/** Read size for files and pipes: the envelope's chunk size, so each read feeds about one chunk. */
export const READ_CHUNK_SIZE = 64 * 1024;

/**
 * Read size for bulk streams (the CLI's encrypt/decrypt input): 4 envelope chunks per read, so the
 * envelope seals 3 of 4 chunks straight from the input (it holds back, by copying, only a chunk that
 * might be the last) and a 256 MiB file takes 256 reads, not 4096.
 */
export const STREAM_READ_SIZE = 1024 * 1024;

/** Chunks of a file, read ~64 KiB at a time. Opening errors (ENOENT, EACCES) surface on first iteration. */
export async function* readFileChunks(path: string, chunkSize = READ_CHUNK_SIZE): AsyncIterable<Uint8Array> {
  const stream = fs.createReadStream(path, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } finally {
    stream.destroy();
  }
}

/**
 * Chunks of a file read into two buffers that are used again and again: while the consumer works on
 * one piece, the next is read into the other. So a long stream allocates nothing per read (no page
 * faults on fresh memory, no garbage for V8 to collect). A piece is valid only until the consumer
 * asks for the next one: only for consumers that keep nothing (the core's encryptStream and
 * decryptStream), never for readAllBytes. Opening errors surface on first iteration.
 */
export async function* readFileReusingBuffers(path: string, pieceSize = STREAM_READ_SIZE): AsyncIterable<Uint8Array> {
  // A plain descriptor, not a FileHandle: a consumer that fails midway abandons this generator, and a
  // FileHandle collected unclosed prints a warning on stderr.
  const fd = await openAsync(path, 'r');
  try {
    yield* readFdReusingBuffers(fd, { pieceSize });
  } finally {
    await closeAsync(fd);
  }
}

export interface FdReadOptions {
  /** Bytes per read (default STREAM_READ_SIZE). */
  pieceSize?: number;
  /** First byte to read (default 0). */
  start?: number;
  /** Stop before this offset (default: the end of the file). */
  end?: number;
}

/**
 * As readFileReusingBuffers, from an open descriptor that the caller keeps and closes, with positioned
 * reads: the same descriptor can be read again from its start (decrypt's two passes).
 */
export async function* readFdReusingBuffers(fd: number, options: FdReadOptions = {}): AsyncIterable<Uint8Array> {
  const pieceSize = options.pieceSize ?? STREAM_READ_SIZE;
  const end = options.end ?? Infinity;
  let position = options.start ?? 0;
  const buffers = [new Uint8Array(pieceSize), new Uint8Array(pieceSize)];
  let index = 0;
  const readInto = (buffer: Uint8Array): Promise<number> => {
    const length = Math.min(pieceSize, end - position);
    const pending = length <= 0 ? Promise.resolve(0) : readAsync(fd, buffer, 0, length, position).then((r) => r.bytesRead);
    pending.catch(() => undefined); // a consumer that stops early never awaits its prefetch
    return pending;
  };
  let next = readInto(buffers[index]);
  try {
    for (;;) {
      const length = await next;
      if (length === 0) return;
      position += length;
      const piece = buffers[index].subarray(0, length);
      index ^= 1;
      next = readInto(buffers[index]);
      yield piece;
    }
  } finally {
    await next.catch(() => undefined);
  }
}

/** Chunks of an already open readable (e.g. `process.stdin`). Strings are UTF-8 encoded. */
export async function* readableChunks(readable: NodeJS.ReadableStream): AsyncIterable<Uint8Array> {
  for await (const chunk of readable) {
    yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
  }
}

/** The input is larger than a caller's limit for inputs read whole (keys, shares, secrets). */
export class InputTooLargeError extends CustodianError {}

/**
 * Reads a whole small file (a key, a passphrase, a secret) with plain reads into one buffer sized from
 * the file's size: no stream machinery, which every key file would pay at start-up. Pipes and other
 * files of unknown size (`<(…)`, /dev/stdin) grow the buffer as they deliver. Refuses more than
 * `maxBytes`; buffers outgrown are zeroed, as the contents may be secret.
 */
export async function readSmallFile(path: string, maxBytes: number, what = path): Promise<Uint8Array> {
  const fd = await openAsync(path, 'r');
  try {
    const { size } = await fstatAsync(fd);
    // One byte more than expected, so the read that finds the end needs no second buffer.
    let buffer = new Uint8Array(Math.min(size > 0 ? size + 1 : UNKNOWN_SIZE_START, maxBytes + 1));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        const grown = new Uint8Array(Math.min(buffer.length * 2, maxBytes + 1));
        grown.set(buffer);
        buffer.fill(0);
        buffer = grown;
      }
      const { bytesRead } = await readAsync(fd, buffer, total, buffer.length - total, null);
      if (bytesRead === 0) return buffer.subarray(0, total);
      total += bytesRead;
      if (total > maxBytes) {
        buffer.fill(0);
        throw new InputTooLargeError(`${what} is larger than ${maxBytes} bytes`);
      }
    }
  } finally {
    await closeAsync(fd);
  }
}

/** First buffer for a file whose size the OS does not tell (pipes, character devices). */
const UNKNOWN_SIZE_START = 64 * 1024;

/** Reads a whole (small) input into memory, refusing more than `maxBytes`. */
export async function readAllBytes(source: AsyncIterable<Uint8Array>, maxBytes: number, what = 'input'): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) throw new InputTooLargeError(`${what} is larger than ${maxBytes} bytes`);
    parts.push(chunk);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function waitForDrain(writable: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      writable.removeListener('error', onError);
      resolve();
    };
    const onError = (err: unknown): void => {
      writable.removeListener('drain', onDrain);
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    writable.once('drain', onDrain);
    writable.once('error', onError);
  });
}

/**
 * Writes every chunk of `source` to `writable`, waiting for 'drain' whenever the writable's buffer is
 * full (backpressure). Does not end the writable (stdout must stay open); resolves once the last chunk
 * has been handed to the OS or an error occurs.
 */
export async function writeChunks(source: AsyncIterable<Uint8Array>, writable: NodeJS.WritableStream): Promise<void> {
  let failure: Error | undefined;
  const onError = (err: Error): void => {
    failure ??= err;
  };
  writable.on('error', onError);
  try {
    for await (const chunk of source) {
      if (failure) throw failure;
      if (chunk.length === 0) continue;
      if (!writable.write(chunk)) await waitForDrain(writable);
    }
    if (failure) throw failure;
    // Wait for everything buffered so far to be flushed (the callback of an empty write runs after it).
    await new Promise<void>((resolve, reject) => {
      writable.write(new Uint8Array(0), (err) => (err ? reject(err) : resolve()));
    });
    if (failure) throw failure;
  } finally {
    writable.removeListener('error', onError);
  }
}
