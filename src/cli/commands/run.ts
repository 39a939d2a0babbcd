// custodian run: a command with the variables of env files (decrypted in memory) added to its
// environment. Every file is read, decrypted, checked and parsed before the command starts, so a
// tampered file or a wrong key means the command never runs. Nothing is written to disk.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEnv, mergeEnvLayers, plainOverrides, type EnvLayer } from '../../core/env-layers';
import type { RsaPrivateKey } from '../../core/keys';
import { loaderVariablesPassedOn, type LoaderVariables } from '../../core/loader-variables';
import { PROJECT_CONFIG_PATH } from '../../core/project-config';
import { isInside, resolvedPath } from '../../node/path-inside';
import { readProjectConfig } from '../../node/project-config';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command, type CommandContext } from '../command';
import { commandMain } from '../command-main';
import { loadEnvFile, type EnvFileKeys } from '../env-files';
import { IDENTITY_ENV, IDENTITY_HELP, KEY_ENV, resolveIdentities, type RemoteKey } from '../identities';
import { REQUIRE_SIGNER_OPTION, loadRequiredSigners } from '../required-signer';
import { CliError, formatError, UsageError } from '../output';
import { PASSPHRASE_ENV, type PassphraseSource } from '../passphrase';
import { findRepositoryRoot, findRoster } from '../repository';

/** Signals a terminal or a supervisor sends to stop or reload a program: they must reach the command. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
/**
 * Typed at a terminal (Ctrl-C, Ctrl-\), these reach every process of the foreground group: the command
 * has its own. Sent again, a program that reads a second Ctrl-C as "force quit" would do so.
 */
const KEYBOARD_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

/** Whether this process has a controlling terminal (whose keyboard signals then reach the command too). */
function hasControllingTerminal(): boolean {
  try {
    fs.closeSync(fs.openSync('/dev/tty', 'r'));
    return true;
  } catch {
    return false;
  }
}

/** An env file sets a variable that decides which code runs (core/loader-variables.ts), and the person did not allow it. */
export class LoaderVariableError extends CliError {
  constructor(readonly found: readonly LoaderVariables[]) {
    const names = [...new Set(found.flatMap((f) => f.names))];
    super(`${found.map((f) => `${f.source} sets ${f.names.join(', ')}`).join('; ')}: ${names.length === 1 ? 'it decides' : 'these decide'} which code programs load or which commands run, so run takes ${names.length === 1 ? 'it' : 'them'} from an env file only when you name ${names.length === 1 ? 'it' : 'them'}; nothing was run`, {
      hint: `an encrypted file's values are not reviewed, and anyone who can push can commit one; if you mean ${names.length === 1 ? 'it' : 'them'}, pass ${names.map((n) => `--allow-env ${n}`).join(' ')}, or remove ${names.length === 1 ? 'it' : 'them'} from the file`,
    });
  }
}

/**
 * The file `command` names on `searchPath` (the PATH the person had, never an env file's: a file that
 * put a folder of the repository first would choose what "npm" runs), as execvp finds it; `command`
 * itself when it holds a slash; undefined when no folder has it.
 */
function findCommand(command: string, searchPath: string | undefined, cwd: string): string | undefined {
  const windows = process.platform === 'win32';
  if (command.includes('/') || (windows && command.includes('\\'))) return command;
  const extensions = windows ? ['', ...(process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of (searchPath ?? '/usr/bin:/bin').split(path.delimiter)) {
    for (const ext of extensions) {
      const file = path.resolve(cwd, dir, command + ext);
      try {
        if (fs.statSync(file).isFile()) {
          fs.accessSync(file, windows ? fs.constants.F_OK : fs.constants.X_OK);
          return file;
        }
      } catch {
        // Not there, or not executable: the next folder, as execvp does.
      }
    }
  }
  return undefined;
}

/** Shells' statuses for a command that cannot be run. */
const EXIT_NOT_FOUND = 127;
const EXIT_NOT_EXECUTABLE = 126;

/** The files to read: the -e flags, else the repository's configured ones (relative to its root). */
async function envFilesFor(given: readonly string[]): Promise<string[]> {
  if (given.length > 0) return [...given];
  const root = findRepositoryRoot(process.cwd());
  const configured = root === undefined ? [] : (await readProjectConfig(root)).run.envFiles;
  if (configured.length === 0) {
    throw new UsageError('no env files to read', {
      hint: `pass -e FILE (repeatable), or list them in ${PROJECT_CONFIG_PATH} as run.envFiles: {"run": {"envFiles": [".env.enc"]}}`,
    });
  }
  // The config travels with the repository: whoever can push writes it. A file outside the repository
  // (a path up, a link out) could be another project's secrets, opened with the person's key.
  const realRoot = await resolvedPath(root as string);
  const files: string[] = [];
  for (const f of configured) {
    const file = path.resolve(root as string, f);
    if (!isInside(await resolvedPath(file), realRoot)) {
      throw new CliError(`${PROJECT_CONFIG_PATH}: run.envFiles names ${JSON.stringify(f)}, which is outside the repository: a file there is read only when given with -e`, {
        hint: `anyone who can push can change ${PROJECT_CONFIG_PATH}; pass the file with -e if you mean it`,
      });
    }
    files.push(file);
  }
  return files;
}

/** Whether git tracks `file` in its repository (false outside one, or without git). */
async function committed(file: string): Promise<boolean> {
  // Loaded only when a file overrides another: run's own start stays small (docs/PERFORMANCE.md).
  const { runGit } = await import('../../node/git');
  // --literal-pathspecs: a file named ":(top)x.env" is that file, not a pathspec that matches nothing.
  const r = await runGit(path.dirname(path.resolve(file)), ['--literal-pathspecs', 'ls-files', '--error-unmatch', '--', path.basename(file)]).catch(() => undefined);
  return r?.status === 0;
}

async function loadLayers(files: readonly string[], keys: EnvFileKeys): Promise<EnvLayer[]> {
  const layers: EnvLayer[] = [];
  for (const file of files) layers.push(await loadEnvFile(file, keys));
  return layers;
}

function errorLines(err: unknown): string {
  return formatError(err).lines.join('\n') + '\n';
}

/**
 * Runs the command with `env`, forwarding signals to it; resolves with its status (128+N when signal
 * N killed it), or with the status a shell gives when it cannot start. `started` runs once it has.
 */
function runChild(command: string, args: readonly string[], env: Record<string, string>, searchPath: string | undefined, stderr: NodeJS.WritableStream, started: () => void): Promise<number> {
  return new Promise((resolve) => {
    const file = findCommand(command, searchPath, process.cwd());
    if (file === undefined) {
      stderr.write(errorLines(new CliError(`command not found: ${command}`, { hint: 'check its name, or give its path' })));
      resolve(EXIT_NOT_FOUND);
      return;
    }
    // No shell: the arguments reach the command exactly as given, never parsed again. argv0: the
    // program sees the name it was called by, as from a shell.
    const child = spawn(file, args, { stdio: 'inherit', env, shell: false, argv0: command });
    // Registered at once (the process exists when spawn returns), so no signal falls in a gap. Each
    // listener also keeps custodian alive until the command ends, whatever it does with the signal.
    const fromKeyboard = hasControllingTerminal() ? KEYBOARD_SIGNALS : [];
    const forward = (signal: NodeJS.Signals): void => {
      if (!fromKeyboard.includes(signal)) child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = (status: number): void => {
      for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, forward);
      resolve(status);
    };
    child.once('spawn', started);
    child.once('exit', (code, signal) => done(signal ? 128 + (os.constants.signals[signal] ?? 0) : (code ?? 1)));
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        stderr.write(errorLines(new CliError(`command not found: ${command}`, { hint: 'check its name, or give its path' })));
        done(EXIT_NOT_FOUND);
      } else if (err.code === 'EACCES') {
        stderr.write(errorLines(new CliError(`${command}: permission denied (not executable)`)));
        done(EXIT_NOT_EXECUTABLE);
      } else if (child.pid === undefined) {
        stderr.write(errorLines(err));
        done(EXIT_NOT_FOUND);
      }
    });
  });
}

/** What names the key run decrypts with: never inherited by the command. */
const KEY_VARIABLES = [KEY_ENV, IDENTITY_ENV, PASSPHRASE_ENV];

/** Whether `file`'s repository has one roster to name its signer with (two are not guessed between). */
function hasRoster(file: string): boolean {
  try {
    return findRoster(path.dirname(path.resolve(file))) !== undefined;
  } catch {
    return false;
  }
}

export const runCommand: Command = {
  name: 'run',
  options: {
    'env-file': { type: 'string', short: 'e', multiple: true },
    override: { type: 'boolean' },
    'allow-env': { type: 'string', multiple: true },
    'print-names': { type: 'boolean' },
    identity: { type: 'string', short: 'i', multiple: true },
    ...REQUIRE_SIGNER_OPTION,
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian run [-e FILE]… [--override] [--allow-env NAME]… [--require-signer PUB]…
                     [-i KEY]… [--passphrase-file FILE] -- COMMAND [ARGS…]
       custodian run [-e FILE]… --print-names

Decrypts each env FILE in memory (a .enc file holding NAME=value lines, or a value-encrypted
.env, docs/VALUES.md; plain .env files are read as they are, for layering), and runs COMMAND
with those variables added to the current environment. Nothing is written to disk. Every file is
decrypted, authenticated and parsed before COMMAND starts: a tampered file, a wrong key or a bad
line stops it from running.

Later files win over earlier ones. A variable already set in the environment keeps its value
(as dotenv does) unless --override. COMMAND is run directly, not through a shell; its standard
streams are the terminal's. SIGTERM, SIGHUP, SIGUSR2, SIGINT and SIGQUIT sent to custodian are
passed to it (in a terminal, Ctrl-C and Ctrl-\\ reach it directly, once). custodian exits with
its status (128+N when signal N killed it; 127 when it does not exist). Without -e, the files
listed in .custodian/config ("run": {"envFiles": […]}) of the repository are read, relative to
its root. The env file format: docs/DOTENV.md.

Variables that decide which code programs load or which commands run (PATH, IFS, NODE_OPTIONS,
NODE_PATH, LD_*, DYLD_*, BASH_ENV, ENV, PROMPT_COMMAND, PYTHONPATH, PERL5OPT, RUBYOPT,
JAVA_TOOL_OPTIONS, GIT_*, npm_config_* and others: docs/CLI.md) are taken from a file only when
named with --allow-env: otherwise a file that would set one stops the run, naming it. COMMAND is
looked up on the PATH of the current environment, never on a file's.

COMMAND's environment can be read by other processes of the same user (/proc/PID/environ on
Linux) and by anything COMMAND starts: run keeps secrets off the disk, not away from COMMAND.
The key that opened the files is not passed on: CUSTODIAN_KEY, CUSTODIAN_IDENTITY and
CUSTODIAN_PASSPHRASE are removed from COMMAND's environment (an env file may still set them).

Flags:
  -e, --env-file FILE     an env file (.enc, .enc.asc, value-encrypted or plain); repeatable,
                          later files win
      --override          the files' values win over variables already set in the environment
      --allow-env NAME    take NAME from the files although it decides which code runs
                          (NODE_OPTIONS, PATH, …); repeatable
      --print-names       print the names the files set (never the values) and run nothing
  -i, --identity KEY      private key file for the .enc files; repeatable
${IDENTITY_HELP}
      --require-signer PUB  fail unless every file is encrypted and signed by this key; repeatable:
                          signed by any one of them. A roster directory (.custodian/team): by a
                          verified member of it, never a deploy key (what CI should pass)
${PASSPHRASE_HELP}

Examples:
  custodian run -e .env.enc -- npm start
  custodian run -e .env.enc -e .env.local -- node server.js --port 3000
  custodian run -e .env.enc --override -- ./deploy.sh
  custodian run -e .env.enc --print-names
  custodian run -- pytest     # the files of .custodian/config run.envFiles
`,
  async run(args, ctx: CommandContext) {
    const printNames = args.flag('print-names');
    if (args.positionalsBeforeTerminator > 0) {
      throw args.usageError(`put the command after --: custodian run -e FILE -- ${args.positionals[0]} …`);
    }
    const [command, ...commandArgs] = args.positionals;
    if (printNames && command !== undefined) throw args.usageError('--print-names runs no command: leave out the command');
    if (!printNames && command === undefined) throw args.usageError('missing the command to run (after --)');
    if (printNames && args.flag('override')) throw args.usageError('--override has no effect with --print-names');
    const allowed = new Set(args.strings('allow-env'));
    if (printNames && allowed.size > 0) throw args.usageError('--allow-env has no effect with --print-names');
    for (const name of allowed) if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw args.usageError(`--allow-env takes a variable's name (NODE_OPTIONS), not ${JSON.stringify(name)}`);

    const files = await envFilesFor(args.strings('env-file'));
    // Made on first use: an unencrypted key needs no passphrase, and standard input stays the command's.
    let passphraseSource: PassphraseSource | undefined;
    const passphrases = (): PassphraseSource => (passphraseSource ??= ctx.passphrases(args));
    const requiredSigners = await loadRequiredSigners(args, passphrases, ctx.backend());
    let identities: Promise<readonly (RsaPrivateKey | RemoteKey)[]> | undefined;
    const keys: EnvFileKeys = {
      backend: ctx.backend(),
      requiredSigners,
      // A file a deploy key, a key outside the roster or no one signed is worth a warning (a leaked CI
      // key, a removed teammate who can still push); the roster code loads only where there is a roster.
      signed: async (file, signer) => {
        if (!hasRoster(file)) return;
        const { describeTeamSigner, NOT_SIGNED } = await import('../team-signers');
        if (!signer) {
          ctx.warn(`${file}: ${NOT_SIGNED}`);
          return;
        }
        const team = await describeTeamSigner(signer.fingerprint, file, ctx.backend());
        if (team?.warning) ctx.warn(`${file}: ${team.warning}`);
      },
      identities: () => {
        identities ??= resolveIdentities({ files: args.strings('identity'), env: ctx.io.env, passphrases: passphrases(), agent: ctx.agent(), file: files.join(', ') }).then((r) => r.map((i) => i.key));
        return identities;
      },
    };
    const layers = await loadLayers(files, keys);
    for (const o of plainOverrides(layers)) {
      // A file of your own (a git-ignored .env.local) overriding is what layering is for; a committed one
      // could come from anyone who can push.
      if (await committed(o.plain)) {
        ctx.warn(`${o.plain} is committed and not encrypted, and sets ${o.names.join(', ')} over ${o.encrypted}: anyone who can push could have written it; check the values, or list it before ${o.encrypted}`);
      }
    }
    const merged = mergeEnvLayers(layers);
    if (printNames) {
      for (const name of merged.keys()) ctx.print(name);
      return;
    }
    // The files' secrets are the command's; the key that opened them is not (a deploy script must not
    // get the CI key, and with it every past and future version of the files).
    const inherited = { ...ctx.io.env };
    for (const name of KEY_VARIABLES) delete inherited[name];
    const override = args.flag('override');
    // Only what the command would get from a file counts: a PATH the environment keeps is not the file's.
    const refused = loaderVariablesPassedOn(layers, (name) => !allowed.has(name) && (override || inherited[name] === undefined));
    if (refused.length > 0) {
      merged.clear();
      throw new LoaderVariableError(refused);
    }
    const env = applyEnv(inherited, merged, override);
    merged.clear();
    return runChild(command as string, commandArgs, env, ctx.io.env.PATH, ctx.io.stderr, () => {
      // The child has its own copy now; drop ours (strings cannot be wiped, only unreferenced).
      for (const name of Object.keys(env)) delete env[name];
    });
  },
};

export const main = commandMain(runCommand);
