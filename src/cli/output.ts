// How the CLI reports: exit codes, `custodian: error: …` / `custodian: hint: …` lines, and the
// CLI's own error types. Messages never include key material, passphrases or plaintext.
import { CustodianError, NoIdentityMatchedError, type CustodianErrorOptions } from '../core/errors';

export const PROGRAM = 'custodian';

export const ExitCode = {
  Ok: 0,
  /** Anything that went wrong at run time: bad key, wrong passphrase, tampered file, I/O error. */
  Failure: 1,
  /** The command line itself is wrong: unknown command or flag, missing or extra argument. */
  Usage: 2,
  /** Interrupted at a prompt (Ctrl-C), as shells report SIGINT. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A malformed command line; exits with status 2. */
export class UsageError extends CustodianError {}

/** A run-time failure that belongs to the CLI (unreadable file, missing passphrase source …). */
export class CliError extends CustodianError {}

/** The user pressed Ctrl-C at a prompt. */
export class InterruptedError extends CustodianError {}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof UsageError) return ExitCode.Usage;
  if (err instanceof InterruptedError) return ExitCode.Interrupted;
  return ExitCode.Failure;
}

const FS_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EEXIST: 'file already exists',
  EPIPE: 'output closed before all data was written',
};

/** A Node file-system error, rephrased without Node's syscall jargon (keeps the path, which is not secret). */
function describeNodeError(err: NodeJS.ErrnoException): string | undefined {
  if (typeof err.code !== 'string' || !(err.code in FS_MESSAGES)) return undefined;
  return err.path ? `${err.path}: ${FS_MESSAGES[err.code]}` : FS_MESSAGES[err.code];
}

export interface FormattedError {
  lines: string[];
  exitCode: ExitCode;
}

/** The stderr lines for an error, each prefixed `custodian: error:`, `custodian:` or `custodian: hint:`. */
export function formatError(err: unknown, options: { debug?: boolean } = {}): FormattedError {
  const lines: string[] = [];
  let hint: string | undefined;
  if (err instanceof CustodianError) {
    lines.push(`${PROGRAM}: error: ${err.message}`);
    if (err instanceof NoIdentityMatchedError) {
      // Listed only when the core's message does not already name them.
      const missing = err.recipientFingerprints.filter((fp) => !err.message.includes(fp));
      if (missing.length > 0) {
        lines.push(`${PROGRAM}: the file is encrypted to:`);
        for (const fp of err.recipientFingerprints) lines.push(`${PROGRAM}:   ${fp}`);
      }
      for (const f of err.failures) if (!err.message.includes(f.reason)) lines.push(`${PROGRAM}: key ${f.fingerprint}: ${f.reason}`);
    }
    hint = err.hint;
  } else if (err instanceof Error) {
    const nodeMessage = describeNodeError(err as NodeJS.ErrnoException);
    lines.push(`${PROGRAM}: error: ${nodeMessage ?? err.message}`);
  } else {
    lines.push(`${PROGRAM}: error: ${String(err)}`);
  }
  if (hint) lines.push(`${PROGRAM}: hint: ${hint}`);
  if (options.debug && err instanceof Error && err.stack) {
    lines.push(...err.stack.split('\n').map((l) => `${PROGRAM}: debug: ${l}`));
    let cause = err.cause;
    while (cause instanceof Error) {
      lines.push(`${PROGRAM}: debug: caused by: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
    }
  }
  return { lines, exitCode: exitCodeFor(err) };
}

/** Set to 1 to print stack traces with errors. */
export const DEBUG_ENV = 'CUSTODIAN_DEBUG';

/** Writes the error's `custodian: error: …` lines to stderr; returns its exit status. */
export function reportError(err: unknown, io: { readonly stderr: NodeJS.WritableStream; readonly env: NodeJS.ProcessEnv }): ExitCode {
  const { lines, exitCode } = formatError(err, { debug: io.env[DEBUG_ENV] === '1' });
  io.stderr.write(lines.join('\n') + '\n');
  return exitCode;
}

export function usageError(message: string, options: CustodianErrorOptions = {}): UsageError {
  return new UsageError(message, options);
}
