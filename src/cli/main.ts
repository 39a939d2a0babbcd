// custodian: the command-line companion of the VS Code extension, on the same core. Dispatches to one
// module per command under commands/; every failure ends as `custodian: error: …` and an exit status
// (0 ok, 1 failure, 2 usage) set on process.exitCode, so buffered output is flushed before exit.
import { version } from '../../package.json';
import { agentFromEnv } from '../node/agent-client';
import { createNodeCryptoBackend } from '../node/node-crypto-backend';
import { parseCommandArgs } from './args';
import { CommandContext, type CliIo, type Command } from './command';
import { combineCommand } from './commands/combine';
import { decryptCommand } from './commands/decrypt';
import { encryptCommand } from './commands/encrypt';
import { fingerprintCommand } from './commands/fingerprint';
import { genpassCommand } from './commands/genpass';
import { gitCommand } from './commands/git';
import { guardCommand } from './commands/guard';
import { getCommand } from './commands/get';
import { identitiesCommand } from './commands/identities';
import { inspectCommand } from './commands/inspect';
import { keygenCommand } from './commands/keygen';
import { pubkeyCommand } from './commands/pubkey';
import { rosterCommand } from './commands/roster';
import { setCommand } from './commands/set';
import { runCommand } from './commands/run';
import { splitCommand } from './commands/split';
import { totpCommand } from './commands/totp';
import { ExitCode, formatError, PROGRAM, UsageError } from './output';

export const COMMANDS: readonly Command[] = [
  keygenCommand,
  pubkeyCommand,
  fingerprintCommand,
  encryptCommand,
  decryptCommand,
  setCommand,
  getCommand,
  identitiesCommand,
  inspectCommand,
  rosterCommand,
  splitCommand,
  combineCommand,
  totpCommand,
  genpassCommand,
  runCommand,
  gitCommand,
  guardCommand,
];

/** Set to 1 to print stack traces with errors. */
export const DEBUG_ENV = 'CUSTODIAN_DEBUG';
/** Set to 1 to print the process's peak resident set size on exit (used by the streaming test). */
export const REPORT_RSS_ENV = 'CUSTODIAN_REPORT_RSS';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: custodian COMMAND [FLAGS] [ARGS]

Share secrets with your team: RSA keys, encrypted .enc files, Shamir shares, TOTP codes.
Files written here open in the Custodian VS Code extension, and the other way round.

Commands:
${list}

Run "custodian COMMAND --help" for a command's flags and examples.

Global flags:
  -h, --help       show help
  -V, --version    print the version

Exit status: 0 success, 1 failure (bad key, wrong passphrase, tampered file, I/O error),
2 usage error (unknown command or flag, missing argument).
Passphrases: --passphrase-file FILE, else $CUSTODIAN_PASSPHRASE, else a prompt without echo.
Messages are in English on purpose (like git, age and sops: scripts and bug reports match them);
the VS Code extension follows VS Code's display language (English, Spanish).
`;
}

function closestCommand(name: string): string | undefined {
  return COMMANDS.find((c) => c.name.startsWith(name) || name.startsWith(c.name))?.name;
}

/** Runs one invocation; returns the exit status. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = io.env[DEBUG_ENV] === '1';
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help') {
      (first === undefined ? io.stderr : io.stdout).write(mainHelp());
      return first === undefined ? ExitCode.Usage : ExitCode.Ok;
    }
    if (first === '-V' || first === '--version') {
      io.stdout.write(`${PROGRAM} ${version}\n`);
      return ExitCode.Ok;
    }
    if (first === 'help') {
      const target = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && !target) throw new UsageError(`unknown command "${rest[0]}"`, { hint: `run '${PROGRAM} --help' for the list` });
      io.stdout.write(target ? target.help : mainHelp());
      return ExitCode.Ok;
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (!command) {
      if (first.startsWith('-')) throw new UsageError(`unknown flag ${first}`, { hint: `flags go after the command; run '${PROGRAM} --help'` });
      const guess = closestCommand(first);
      throw new UsageError(`unknown command "${first}"`, { hint: guess ? `did you mean '${PROGRAM} ${guess}'?` : `run '${PROGRAM} --help' for the list` });
    }
    const args = parseCommandArgs(command.name, rest, command.options);
    if (args.flag('help')) {
      io.stdout.write(command.help);
      return ExitCode.Ok;
    }
    const status = await command.run(args, new CommandContext(io, () => createNodeCryptoBackend(), () => agentFromEnv(io.env)));
    return typeof status === 'number' ? status : ExitCode.Ok;
  } catch (err) {
    const { lines, exitCode } = formatError(err, { debug });
    io.stderr.write(lines.join('\n') + '\n');
    return exitCode;
  }
}

function reportRss(io: CliIo): void {
  if (io.env[REPORT_RSS_ENV] !== '1') return;
  // maxRSS is in KiB on every platform Node supports.
  io.stderr.write(`${PROGRAM}: debug: maxrss_kib=${process.resourceUsage().maxRSS}\n`);
}

if (require.main === module) {
  // stdin on first use: most commands never read it, and making the stream costs every start.
  const io: CliIo = {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
  // A closed stdout (e.g. `| head`) is reported by the write that fails; keep it from crashing the process.
  process.stdout.on('error', () => undefined);
  void runCli(process.argv.slice(2), io).then((code) => {
    reportRss(io);
    process.exitCode = code;
  });
}
