// custodian git: makes git show `.enc` files decrypted and merge them and value-encrypted files
// encrypted (docs/GIT.md).
//   setup [--check | --undo]   .gitattributes, the drivers in .git/config, the pre-commit guard
//   textconv -- FILE           what git diff shows for one version (run by git)
//   merge -- %O %A %B %L %P    the merge driver (run by git)
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_MARKER_SIZE } from '../../core/line-merge';
import { readIndex, repositoryRoot, submodulesIn } from '../../node/git';
import { attributesToCommit, checkSetup, driverCommands, setUp, undoSetup } from '../../node/git-setup';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command, type CommandContext } from '../command';
import { commandMain } from '../command-main';
import { mergeDriver, textconv, type DriverKeys } from '../git-drivers';
import { IDENTITY_HELP } from '../identities';
import { valuesMergeDriver } from '../values-merge';
import { CliError } from '../output';
import { submodulesNotSetUp } from '../submodules';
import { shellQuote } from '../../core/shell-quote';
import type { Args } from '../args';

/**
 * How git should start this CLI: the VS Code extension's launcher when it started this process (its path
 * survives updates of the extension; cli-launcher.ts); `custodian` when that name on PATH is this very
 * program (an `npm install -g`); else the absolute paths of node and of this script (a dev build, npx),
 * which keep working whatever PATH the git process has.
 */
async function cliInvocation(env: NodeJS.ProcessEnv, launcher: string | undefined): Promise<string> {
  if (launcher !== undefined && (await fs.stat(launcher).then((s) => s.isFile(), () => false))) return shellQuote(launcher);
  const script = await fs.realpath(process.argv[1]);
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter((d) => d !== '')) {
    try {
      if ((await fs.realpath(path.join(dir, 'custodian'))) === script) return 'custodian';
    } catch {
      // Not there.
    }
  }
  return `${shellQuote(process.execPath)} ${shellQuote(script)}`;
}

async function runSetup(args: Args, ctx: CommandContext): Promise<void> {
  args.expectPositionals(1, 1, '');
  if (args.flag('check') && args.flag('undo')) throw args.usageError('--check and --undo do not go together');
  const root = await repositoryRoot(process.cwd());
  if (args.flag('undo')) {
    const done = await undoSetup(root);
    for (const line of done) ctx.info(line);
    if (done.length === 0) ctx.info('nothing to undo: setup added nothing to this repository');
    return;
  }
  const commands = driverCommands(args.string('command') ?? (await cliInvocation(ctx.io.env, ctx.io.launcher)));
  const submodules = submodulesIn(await readIndex(root));
  if (args.flag('check')) {
    const items = await checkSetup(root, commands);
    for (const item of items) ctx.print(`${item.status.padEnd(7)}  ${item.name}: ${item.detail}`);
    if (submodules.length > 0) ctx.warn(submodulesNotSetUp(submodules, true));
    if (items.some((i) => i.status === 'missing')) throw new CliError('git is not fully set up for Custodian in this clone', { hint: 'run "custodian git setup"' });
    return;
  }
  const done = await setUp(root, commands);
  for (const line of done) ctx.info(line);
  if (done.length === 0) ctx.info('already set up: nothing changed');
  // .gitattributes is shared through git; the drivers and the hook are this clone's own.
  else if (await attributesToCommit(root)) ctx.info('commit .gitattributes so teammates get it; each teammate runs "custodian git setup" once in their clone');
  else ctx.info('.gitattributes is already committed; each teammate runs "custodian git setup" once in their clone');
  if (submodules.length > 0) ctx.warn(submodulesNotSetUp(submodules, false));
}

function driverKeys(args: Args): DriverKeys {
  return { identityFiles: args.strings('identity'), passphraseFile: args.string('passphrase-file') };
}

export const gitCommand: Command = {
  name: 'git',
  options: {
    check: { type: 'boolean' },
    undo: { type: 'boolean' },
    command: { type: 'string' },
    identity: { type: 'string', short: 'i', multiple: true },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian git setup [--check | --undo] [--command CMD]
       custodian git textconv [-i KEY]… [--passphrase-file FILE] [--] FILE
       custodian git merge [-i KEY]… [--passphrase-file FILE] [--] BASE OURS THEIRS [MARKER-SIZE] [PATH]

setup: in the current repository,
  - adds "*.enc diff=custodian merge=custodian -text" to .gitattributes (unless git already applies
    them; the lines there stay), to be committed once for everyone, and "/PATH merge=custodian"
    for each value-encrypted .env, JSON or YAML file it finds (run it again after encrypting one);
  - registers the diff (textconv) and merge drivers in the clone's git config (.git/config), which
    git does not copy when cloning: each teammate runs "custodian git setup" once per clone;
  - installs "custodian guard" as the pre-commit and pre-merge-commit hooks (in core.hooksPath if
    set; the second runs for the commit a merge makes by itself): a new hook, or
    a block at the start of an existing shell hook, which then runs on as before.
  The drivers are started as "custodian" when that name on PATH is this program (npm install -g),
  else by the absolute paths of node and of this script; --command sets it.
  --check lists what is in place (exit 1 when something is missing); --undo removes exactly what
  setup added in this clone (recorded in git config custodian.setup.*).

textconv: prints FILE's recipients and verified signer, then its plaintext, for git diff, git log -p
  and git show; a version you cannot open prints one summary line (recipients, claimed signer).
  Always exits 0, so a diff never fails on a file you cannot read.

merge: git's merge driver. Decrypts the three versions in memory, merges them as git merge-file
  does and writes the result over OURS, encrypted for the recipients of either side minus anyone
  removed from the roster (.custodian/team) on either side, signed with your default key. Exit 0
  when clean; with conflicts the markers are inside the encrypted file and the exit status is the
  number of conflicts. If a version cannot be decrypted OURS is left untouched (exit 1).
  A value-encrypted .env/JSON/YAML file: its decrypted documents are merged and sealed again
  (unchanged values keep OURS' tokens); a conflict is written as two sealed sides between markers,
  which "custodian decrypt --values" and VS Code show decrypted (docs/VALUES.md §12). A file that
  is not value-encrypted is merged by "git merge-file" itself, and its exit status returned.

Flags:
      --check             report what is set up and what is missing
      --undo              remove what setup added
      --command CMD       the shell words that start this CLI in the driver and hook lines
  -i, --identity KEY      private key file for textconv and merge; repeatable
${IDENTITY_HELP}
${PASSPHRASE_HELP}

Examples:
  custodian git setup && git add .gitattributes && git commit -m "Custodian diffs and merges"
  custodian git setup --check
  git diff HEAD~1 -- .env.enc        # decrypted, once set up
  CUSTODIAN_IDENTITY=~/.custodian/me.pem git merge feature
`,
  async run(args, ctx) {
    const sub = args.positionals[0];
    switch (sub) {
      case 'setup':
        return runSetup(args, ctx);
      case 'textconv':
        args.expectPositionals(2, 2, 'FILE');
        return textconv(args.positionals[1], driverKeys(args), ctx);
      case 'merge': {
        args.expectPositionals(4, 6, 'BASE OURS THEIRS');
        const [, base, ours, theirs, marker, repoPath] = args.positionals;
        const markerSize = marker === undefined ? DEFAULT_MARKER_SIZE : Number(marker);
        if (!Number.isSafeInteger(markerSize) || markerSize < 1 || markerSize > 1024) throw args.usageError(`MARKER-SIZE must be a whole number from 1 to 1024, got "${marker}"`);
        const files = { base, ours, theirs, markerSize, repoPath: repoPath ?? ours };
        // A .enc file is a whole-file envelope; anything else git gives the driver is a value-encrypted
        // .env/JSON/YAML file, or a plain file merged exactly as git merge-file would.
        const isEnc = /\.enc$/i.test(files.repoPath);
        const status = isEnc ? await mergeDriver(files, driverKeys(args), ctx) : await valuesMergeDriver(files, driverKeys(args), ctx);
        return isEnc ? Math.min(status, 127) : status;
      }
      case undefined:
        throw args.usageError('missing subcommand: setup, textconv or merge');
      default:
        throw args.usageError(`unknown subcommand "${sub}" (setup, textconv or merge)`);
    }
  },
};

export const main = commandMain(gitCommand);
