// Inputs and outputs named on the command line: a path, or `-` / nothing for stdin and stdout.
// Inputs stream in ~64 KiB pieces; file outputs are atomic and never replace a file without --force.
import * as fs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { assertWritable, openAtomicFile } from '../node/atomic-file';
import { readAllBytes, readableChunks, readFileChunks, writeChunks } from '../node/node-streams';
import type { CliIo } from './command';
import { CliError } from './output';

export function isStdio(arg: string | undefined): boolean {
  return arg === undefined || arg === '-';
}

export interface Input {
  /** For messages: the path, or "standard input". */
  readonly name: string;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** Opens an input; a missing or unreadable file fails here, before any prompt or other work. */
export async function openInput(arg: string | undefined, io: CliIo, what = 'input file'): Promise<Input> {
  if (isStdio(arg)) return { name: 'standard input', chunks: readableChunks(io.stdin) };
  const file = arg as string;
  try {
    const handle = await fs.open(file, 'r');
    const stat = await handle.stat();
    await handle.close();
    if (stat.isDirectory()) throw new CliError(`${what} ${file} is a directory`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${what} ${file} does not exist`, { cause: err });
    if (code === 'EACCES') throw new CliError(`${what} ${file} is not readable (permission denied)`, { cause: err });
    if (code === 'EISDIR') throw new CliError(`${what} ${file} is a directory`, { cause: err });
    throw err;
  }
  return { name: file, chunks: readFileChunks(file) };
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
export async function writeOutput(arg: string | undefined, chunks: AsyncIterable<Uint8Array>, io: CliIo, options: OutputOptions): Promise<void> {
  if (isStdio(arg)) {
    await writeChunks(chunks, io.stdout);
    return;
  }
  const file = await openAtomicFile(arg as string, options);
  // Ctrl-C or a kill while writing must not leave the temporary file behind.
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(file.tempPath, { force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for await (const chunk of chunks) await file.write(chunk);
    await file.commit();
  } catch (err) {
    await file.abort();
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Reads a whole small input (a secret, shares, a URI) into memory, refusing more than `maxBytes`. */
export async function readSmallInput(arg: string | undefined, io: CliIo, maxBytes: number, what = 'input file'): Promise<Uint8Array> {
  const input = await openInput(arg, io, what);
  return readAllBytes(input.chunks, maxBytes, input.name);
}

/** Decodes UTF-8 text, naming the input when it is not text. */
export function decodeText(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${name} is not UTF-8 text`);
  }
}
