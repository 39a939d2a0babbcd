// Inputs and outputs named on the command line: a path, or `-` / nothing for stdin and stdout.
// Inputs stream in 1 MiB pieces (files) or as the pipe delivers; file outputs are atomic, written in
// 1 MiB batches, and never replace a file without --force.
import * as fs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { assertWritable, openAtomicFile } from '../node/atomic-file';
import { readAllBytes, readableChunks, readFileReusingBuffers, readSmallFile, STREAM_READ_SIZE, writeChunks } from '../node/node-streams';
import type { CliIo } from './command';
import { utf8Decode, utf8DecodeKeepingBom } from '../core/bytes';
import { CliError } from './output';

export function isStdio(arg: string | undefined): boolean {
  return arg === undefined || arg === '-';
}

export interface Input {
  /** For messages: the path, or "standard input". */
  readonly name: string;
  /**
   * The input's pieces. A file's pieces live in reused buffers: each is valid only until the next is
   * requested, which suits the core's stream functions; collect with readSmallInput instead.
   */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** A file's size when opened; undefined for standard input. */
  readonly size?: number;
}

/**
 * Opens an input for streaming; a missing or unreadable file fails here, before any prompt or other
 * work. Files are read in pieces of `pieceSize` (default STREAM_READ_SIZE).
 */
export async function openInput(arg: string | undefined, io: CliIo, what = 'input file', pieceSize = STREAM_READ_SIZE): Promise<Input> {
  if (isStdio(arg)) return { name: 'standard input', chunks: readableChunks(io.stdin) };
  const file = arg as string;
  const size = await checkInputFile(file, what);
  return { name: file, chunks: readFileReusingBuffers(file, pieceSize), size };
}

/** Fails with a message naming the file unless `arg` is stdin or a file that can be opened for reading. */
export async function checkInput(arg: string | undefined, what = 'input file'): Promise<void> {
  if (!isStdio(arg)) await checkInputFile(arg as string, what);
}

/** Fails with a message naming the file unless it can be opened for reading; returns its size. */
async function checkInputFile(file: string, what: string): Promise<number> {
  try {
    const handle = await fs.open(file, 'r');
    const stat = await handle.stat();
    await handle.close();
    if (stat.isDirectory()) throw new CliError(`${what} ${file} is a directory`);
    return stat.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${what} ${file} does not exist`, { cause: err });
    if (code === 'EACCES') throw new CliError(`${what} ${file} is not readable (permission denied)`, { cause: err });
    if (code === 'EISDIR') throw new CliError(`${what} ${file} is a directory`, { cause: err });
    throw err;
  }
}

export interface OutputOptions {
  force?: boolean;
  /** File mode for a new output file (0o600 for plaintext and private keys). */
  mode?: number;
}

/** Fails early when the output file exists and --force was not given. */
export async function checkOutput(arg: string | undefined, options: OutputOptions): Promise<void> {
  if (!isStdio(arg)) await assertWritable(arg as string, options);
}

/**
 * Writes a stream to a file atomically (nothing appears unless the whole stream succeeded) or to
 * stdout (with backpressure; what was written before a failure stays written, hence the exit status).
 */
export async function writeOutput(arg: string | undefined, source: AsyncIterable<Uint8Array>, io: CliIo, options: OutputOptions): Promise<void> {
  if (isStdio(arg)) {
    await writeChunks(source, io.stdout);
    return;
  }
  // Ctrl-C or a kill while writing must not leave the temporary file behind. The handler is in place
  // before the temporary file exists: a signal between its creation and a later handler would kill
  // the process with the file still there.
  let tempPath: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (tempPath) rmSync(tempPath, { force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const file = await openAtomicFile(arg as string, { force: options.force, mode: options.mode, onTempPath: (p) => (tempPath = p) });
    try {
      for await (const chunk of source) await file.write(chunk);
      await file.commit();
    } catch (err) {
      await file.abort();
      throw err;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Reads a whole small input (a secret, shares, a URI) into memory, refusing more than `maxBytes`. */
export async function readSmallInput(arg: string | undefined, io: CliIo, maxBytes: number, what = 'input file'): Promise<Uint8Array> {
  if (isStdio(arg)) return readAllBytes(readableChunks(io.stdin), maxBytes, 'standard input');
  const file = arg as string;
  await checkInputFile(file, what);
  return readSmallFile(file, maxBytes, file);
}

/** Decodes UTF-8 text, naming the input when it is not text. */
export function decodeText(bytes: Uint8Array, name: string, options: { keepBom?: boolean } = {}): string {
  try {
    return options.keepBom === true ? utf8DecodeKeepingBom(bytes) : utf8Decode(bytes);
  } catch {
    throw new CliError(`${name} is not UTF-8 text`);
  }
}
