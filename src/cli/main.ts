// custodian: the command-line companion of the VS Code extension, on the same core. Dispatches to one
// module per command under commands/, imported when the command runs; every failure ends as `custodian: error: …` and an exit status
// (0 ok, 1 failure, 2 usage) set on process.exitCode, so buffered output is flushed before exit.
import { version } from '../../package.json';
import { parseCommandArgs } from './args';
import type { CliIo, CommandContext, CommandEntry } from './command';
import { ExitCode, formatError, PROGRAM, UsageError } from './output';

/**
 * Every command, as `custodian --help` lists it. A command's module (its flags, help and code) is imported
 * only when it is named: a start evaluates the code of one command, not of all (docs/PERFORMANCE.md).
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'keygen',
    summary: 'generate an RSA key pair (encrypted private key, OpenSSH public key)',
    load: () => import('./commands/keygen').then((m) => m.keygenCommand),
  },
  {
    name: 'pubkey',
    summary: 'print the public key of a key file (OpenSSH line or PEM)',
    load: () => import('./commands/pubkey').then((m) => m.pubkeyCommand),
  },
  {
    name: 'fingerprint',
    summary: 'print the SHA256 fingerprint of keys, as ssh-keygen -lf does',
    load: () => import('./commands/fingerprint').then((m) => m.fingerprintCommand),
  },
  {
    name: 'encrypt',
    summary: 'encrypt a file to recipients\' public keys (.enc), optionally signed',
    load: () => import('./commands/encrypt').then((m) => m.encryptCommand),
  },
  {
    name: 'decrypt',
    summary: 'decrypt a .enc file (binary or armored) with your private key',
    load: () => import('./commands/decrypt').then((m) => m.decryptCommand),
  },
  {
    name: 'set',
    summary: 'change one value of a value-encrypted file (value read from standard input)',
    load: () => import('./commands/set').then((m) => m.setCommand),
  },
  {
    name: 'get',
    summary: 'print one value of a value-encrypted .env, JSON or YAML file',
    load: () => import('./commands/get').then((m) => m.getCommand),
  },
  {
    name: 'identities',
    summary: 'show where your private keys come from, in the order commands use them',
    load: () => import('./commands/identities').then((m) => m.identitiesCommand),
  },
  {
    name: 'inspect',
    summary: 'show a .enc file\'s recipients, signer and sizes (no key needed)',
    load: () => import('./commands/inspect').then((m) => m.inspectCommand),
  },
  {
    name: 'roster',
    summary: 'verify, trust and sign the team roster (.custodian/team)',
    load: () => import('./commands/roster').then((m) => m.rosterCommand),
  },
  {
    name: 'split',
    summary: 'split a secret into N Shamir shares, any T of which recover it',
    load: () => import('./commands/split').then((m) => m.splitCommand),
  },
  {
    name: 'combine',
    summary: 'recover a secret from Shamir shares',
    load: () => import('./commands/combine').then((m) => m.combineCommand),
  },
  {
    name: 'totp',
    summary: 'print the TOTP code for an otpauth:// URI or a base32 secret',
    load: () => import('./commands/totp').then((m) => m.totpCommand),
  },
  {
    name: 'genpass',
    summary: 'generate a random password, passphrase or token',
    load: () => import('./commands/genpass').then((m) => m.genpassCommand),
  },
  {
    name: 'run',
    summary: 'run a command with the variables of encrypted env files, never written to disk',
    load: () => import('./commands/run').then((m) => m.runCommand),
  },
  {
    name: 'git',
    summary: 'decrypted diffs and encrypted merges of .enc files in git (setup, and the drivers git runs)',
    load: () => import('./commands/git').then((m) => m.gitCommand),
  },
  {
    name: 'guard',
    summary: 'refuse a commit that holds a secret in the clear (the pre-commit hook; --all for CI)',
    load: () => import('./commands/guard').then((m) => m.guardCommand),
  },
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

/** What a command runs with. Its modules (node:crypto, the agent's client) load here, not at every start. */
async function commandContext(io: CliIo): Promise<CommandContext> {
  const [{ CommandContext }, { createNodeCryptoBackend }, { agentFromEnv }] = await Promise.all([
    import('./command'),
    import('../node/node-crypto-backend'),
    import('../node/agent-client'),
  ]);
  return new CommandContext(io, () => createNodeCryptoBackend(), () => agentFromEnv(io.env));
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
      io.stdout.write(target ? (await target.load()).help : mainHelp());
      return ExitCode.Ok;
    }
    const entry = COMMANDS.find((c) => c.name === first);
    if (!entry) {
      if (first.startsWith('-')) throw new UsageError(`unknown flag ${first}`, { hint: `flags go after the command; run '${PROGRAM} --help'` });
      const guess = closestCommand(first);
      throw new UsageError(`unknown command "${first}"`, { hint: guess ? `did you mean '${PROGRAM} ${guess}'?` : `run '${PROGRAM} --help' for the list` });
    }
    const command = await entry.load();
    const args = parseCommandArgs(command.name, rest, command.options);
    if (args.flag('help')) {
      io.stdout.write(command.help);
      return ExitCode.Ok;
    }
    const status = await command.run(args, await commandContext(io));
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
