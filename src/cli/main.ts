// custodian: the command-line companion of the VS Code extension, on the same core. Lists the commands
// and dispatches to one module per command under commands/, each its own bundle (dist/cli/NAME.js) that
// is required only when its command is named. Every failure ends as `custodian: error: …` and an exit
// status (0 ok, 1 failure, 2 usage) set on process.exitCode, so buffered output is flushed before exit.
import * as path from 'node:path';
import { version } from '../../package.json';
import { LAUNCHER_ENV } from '../node/cli-launcher';
import type { CliIo, CommandEntry, CommandMain } from './command';
import { ExitCode, PROGRAM, reportError, UsageError } from './output';

/**
 * Every command, as `custodian --help` lists it. A command's module (its flags, help and code) is loaded
 * only when it is named: a start compiles and runs the code of one command, not of all (docs/PERFORMANCE.md).
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'keygen', summary: 'generate an RSA key pair (encrypted private key, OpenSSH public key)' },
  { name: 'pubkey', summary: 'print the public key of a key file, or of your own key (OpenSSH line or PEM)' },
  { name: 'fingerprint', summary: 'print the SHA256 fingerprint of keys, as ssh-keygen -lf does' },
  { name: 'encrypt', summary: 'encrypt a file to recipients\' public keys (.enc), optionally signed' },
  { name: 'decrypt', summary: 'decrypt a .enc file (binary or armored) with your private key' },
  { name: 'set', summary: 'change one value of a value-encrypted file (value read from standard input)' },
  { name: 'get', summary: 'print one value of a value-encrypted .env, JSON or YAML file' },
  { name: 'identities', summary: 'show where your private keys come from, in the order commands use them' },
  { name: 'rekey', summary: 're-encrypt files in place for the team after someone joined or left' },
  { name: 'inspect', summary: 'show a .enc file\'s recipients, signer and sizes (no key needed)' },
  { name: 'roster', summary: 'verify, trust and sign the team roster (.custodian/team)' },
  { name: 'split', summary: 'split a secret into N Shamir shares, any T of which recover it' },
  { name: 'combine', summary: 'recover a secret from Shamir shares (text, or sealed share files of a set)' },
  { name: 'release', summary: 'release your Shamir share to the person recovering (VS Code\'s "Release My Share…")' },
  { name: 'totp', summary: 'print the TOTP code for an otpauth:// URI or a base32 secret' },
  { name: 'genpass', summary: 'generate a random password, passphrase or token' },
  { name: 'run', summary: 'run a command with the variables of encrypted env files, never written to disk' },
  { name: 'git', summary: 'decrypted diffs and encrypted merges in git (setup, and the drivers git runs)' },
  { name: 'guard', summary: 'refuse a commit that holds a secret in the clear (the pre-commit hook; --all for CI)' },
];

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
2 usage error (unknown command or flag, missing argument, no private key).
Private keys: -i FILE, else $CUSTODIAN_IDENTITY, else $CUSTODIAN_KEY, else, in a terminal of VS
Code, the keys you keep in VS Code (its agent asks you each time): see "custodian identities".
Passphrases: --passphrase-file FILE, else $CUSTODIAN_PASSPHRASE, else a prompt without echo.
Messages are in English on purpose (like git, age and sops: scripts and bug reports match them);
the VS Code extension follows VS Code's display language (English, Spanish).
`;
}

function closestCommand(name: string): string | undefined {
  return COMMANDS.find((c) => c.name.startsWith(name) || name.startsWith(c.name))?.name;
}

/**
 * The entry point of a command's bundle, dist/cli/NAME.js beside this one (scripts/lib/build-cli.js builds
 * both). A bundle holds its command whole, error types included, and reports its own errors.
 */
function loadCommand(name: string): CommandMain {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(__dirname, 'cli', `${name}.js`)) as { main: CommandMain }).main;
}

/** Runs one invocation; returns the exit status. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
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
      if (!target) {
        io.stdout.write(mainHelp());
        return ExitCode.Ok;
      }
      return await loadCommand(target.name)(['--help'], io);
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (!command) {
      if (first.startsWith('-')) throw new UsageError(`unknown flag ${first}`, { hint: `flags go after the command; run '${PROGRAM} --help'` });
      const guess = closestCommand(first);
      throw new UsageError(`unknown command "${first}"`, { hint: guess ? `did you mean '${PROGRAM} ${guess}'?` : `run '${PROGRAM} --help' for the list` });
    }
    return await loadCommand(command.name)(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

function reportRss(io: CliIo): void {
  if (io.env[REPORT_RSS_ENV] !== '1') return;
  // maxRSS is in KiB on every platform Node supports.
  io.stderr.write(`${PROGRAM}: debug: maxrss_kib=${process.resourceUsage().maxRSS}\n`);
}

if (require.main === module) {
  // Started by the VS Code extension's launcher: what it set to run this file is not passed on (cli-launcher.ts).
  const launcher = process.env[LAUNCHER_ENV];
  if (launcher !== undefined) {
    delete process.env[LAUNCHER_ENV];
    delete process.env.ELECTRON_RUN_AS_NODE;
  }
  // stdin on first use: most commands never read it, and making the stream costs every start.
  const io: CliIo = {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    launcher: launcher !== undefined && path.isAbsolute(launcher) ? launcher : undefined,
  };
  // A closed stdout (e.g. `| head`) is reported by the write that fails; keep it from crashing the process.
  process.stdout.on('error', () => undefined);
  void runCli(process.argv.slice(2), io).then((code) => {
    reportRss(io);
    process.exitCode = code;
  });
}
