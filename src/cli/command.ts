// The shape every command has, and what it gets to run: the process's streams and environment, a
// lazily created crypto backend, and the passphrase sources chosen by its flags.
import type { CryptoBackend } from '../core/crypto-backend';
import type { Args, OptionSpecs } from './args';
import type { AgentConnection } from './identities';
import { PassphraseSource } from './passphrase';
import { PROGRAM } from './output';

export interface CliIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** The VS Code extension's launcher that started this process (src/node/cli-launcher.ts), if one did. */
  launcher?: string;
}

/** A command as main.ts lists it: its name and one line for `custodian --help`; the rest is in its module. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
}

/** A command's entry point (command-main.ts): runs it with these arguments; resolves to the exit status, never rejects. */
export type CommandMain = (argv: readonly string[], io: CliIo) => Promise<number>;

export interface Command {
  readonly name: string;
  /** The full `custodian NAME --help` text: usage, description, flags, examples. */
  readonly help: string;
  readonly options: OptionSpecs;
  /** Resolves to an exit status when success is not 0 (run: the child's; git's merge driver: the number of conflicts). */
  run(args: Args, ctx: CommandContext): Promise<void | number>;
}

export class CommandContext {
  private cachedBackend?: CryptoBackend;

  constructor(
    readonly io: CliIo,
    private readonly createBackend: () => CryptoBackend,
    private readonly findAgent: () => AgentConnection | undefined = () => undefined,
  ) {}

  /** The VS Code agent named by the environment, or undefined (the last source of identities.ts). */
  agent(): AgentConnection | undefined {
    return this.findAgent();
  }

  backend(): CryptoBackend {
    this.cachedBackend ??= this.createBackend();
    return this.cachedBackend;
  }

  passphrases(args: Args): PassphraseSource {
    const io = this.io;
    // stdin is reached only if a prompt needs it (making the stream costs every start; run's command owns it).
    return new PassphraseSource({
      passphraseFile: args.string('passphrase-file'),
      env: io.env,
      get stdin() {
        return io.stdin;
      },
      stderr: io.stderr,
    });
  }

  /** A status line on stderr, `custodian: …` (stdout stays clean for data). */
  info(message: string): void {
    this.io.stderr.write(`${PROGRAM}: ${message}\n`);
  }

  warn(message: string): void {
    this.io.stderr.write(`${PROGRAM}: warning: ${message}\n`);
  }

  /** A line of text output on stdout. */
  print(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }
}

/** Flags several commands share, spelled the same everywhere. */
export const PASSPHRASE_FILE_OPTION = { 'passphrase-file': { type: 'string' } } as const satisfies OptionSpecs;
export const FORCE_OPTION = { force: { type: 'boolean', short: 'f' } } as const satisfies OptionSpecs;

export const PASSPHRASE_HELP = `  --passphrase-file FILE  read the key's passphrase from the first line of FILE
                          (otherwise $CUSTODIAN_PASSPHRASE, otherwise a prompt on the terminal)`;
export const FORCE_HELP = `  -f, --force             overwrite the output file if it exists`;
