// custodian guard: the pre-commit check (and, with --all, a CI check) that no secret is committed in
// the clear. Everything is read from git's index, so what is checked is what the commit will hold,
// whatever the working tree says.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isArmored } from '../../core/armor';
import { checkStagedFiles, type GuardFinding } from '../../core/commit-guard';
import { displayText } from '../../core/display-text';
import { parsePublicKey, type RsaPublicKey } from '../../core/keys';
import { PathPatterns } from '../../core/path-patterns';
import { DEFAULT_PROJECT_CONFIG, parseProjectConfig, PROJECT_CONFIG_PATH } from '../../core/project-config';
import { headBlobIds, readBlobs, readIndex, repositoryRoot, runGit, stagedPaths, submodulesIn } from '../../node/git';
import { convertingAttributes } from '../../node/git-setup';
import { readRegularFile } from '../../node/regular-files';
import { type Command } from '../command';
import { commandMain } from '../command-main';
import { CliError } from '../output';
import { submodulesNotChecked } from '../submodules';
import { shellQuote } from '../../core/shell-quote';
import { valuesFormatForFileName } from '../../core/values';

/** Staged files larger than this are checked by path only (a key block in a 64 MiB blob is not a key file). */
const MAX_SCANNED_BYTES = 64 * 1024 * 1024;
const ROSTER_DIR = '.custodian/team/';

function format(f: GuardFinding): string[] {
  const label = f.severity === 'error' ? 'error' : 'warning';
  return [`custodian: ${label}: [${f.rule}] ${f.message}`, `custodian: hint: ${f.fix}`];
}

/**
 * Staged binary `.enc` files that git stored with other bytes than the working file's (`*.enc text
 * eol=crlf`, `core.autocrlf` with `text`, a filter…), each with the attributes that convert it: the
 * commit would hold a file that no longer decrypts, often the only copy of a new secret. An armored
 * `.enc` is ASCII and survives line-ending conversion; a working file changed since it was staged (and
 * stored as it is) is no finding.
 */
async function convertedEncFiles(root: string, staged: ReadonlyMap<string, { oid: string; content: Uint8Array | undefined }>): Promise<Map<string, string>> {
  const candidates: string[] = [];
  for (const [p, { content }] of staged) {
    if (!p.endsWith('.enc') || content === undefined || isArmored(content.subarray(0, 256))) continue;
    // Only a regular file is read: the working tree's may be a link since (to /dev/zero).
    const stat = await fs.lstat(path.join(root, p)).catch(() => undefined);
    if (stat?.isFile() && stat.size <= MAX_SCANNED_BYTES) candidates.push(p);
  }
  if (candidates.length === 0) return new Map();
  const raw = await runGit(root, ['hash-object', '--no-filters', '--', ...candidates]);
  if (raw.status !== 0) return new Map();
  const rawIds = raw.stdout.toString('utf8').split('\n');
  const converted: string[] = [];
  for (const [k, p] of candidates.entries()) {
    const oid = staged.get(p)!.oid;
    if (rawIds[k] === oid) continue;
    // What git stores for the working file now; a failure (core.safecrlf=true) is a conversion too.
    const stored = await runGit(root, ['hash-object', '--', p]);
    if (stored.status !== 0 || stored.stdout.toString('utf8').trim() !== rawIds[k] || (await stagedWithLfOnly(root, p, oid))) converted.push(p);
  }
  const attributes = await convertingAttributes(root, converted);
  return new Map(converted.map((p) => [p, attributes.get(p)?.attributes ?? 'its line endings, when it was staged']));
}

/**
 * Whether the staged blob is the working file with each CR LF made LF: converted when it was added, under
 * attributes that may have changed since (a "*.enc -text" added after, with the file's stat unchanged, so
 * that "git add" kept the converted blob), which what git would store now does not show.
 */
async function stagedWithLfOnly(root: string, file: string, oid: string): Promise<boolean> {
  const bytes = await fs.readFile(path.join(root, file)).catch(() => undefined);
  if (bytes === undefined || !bytes.includes('\r\n')) return false;
  const lf = Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  const id = await runGit(root, ['hash-object', '--no-filters', '--stdin'], lf);
  return id.status === 0 && id.stdout.toString('utf8').trim() === oid;
}

/** Findings about plaintext that `git add` has already written into the object store. */
const PLAINTEXT_RULES = new Set(['plaintext-path', 'plaintext-twin', 'private-key']);

export const guardCommand: Command = {
  name: 'guard',
  options: {
    all: { type: 'boolean' },
  },
  help: `Usage: custodian guard [--all]

Checks the files staged for the next commit, as they are in git's index (not the working tree),
and fails (exit status 1) when one should not be committed:
  plaintext-path   its path matches guard.plaintextPaths in .custodian/config (defaults: .env,
                   .env.*, *.env, *.pem, *.key, secrets/** … see docs/CONFIG.md); *.enc files
                   never match
  private-key      it holds a private key block (-----BEGIN … PRIVATE KEY-----)
  plaintext-twin   it is the plaintext of a .enc file beside it (.env next to .env.enc); a
                   value-encrypted .env there is only a warning (two encrypted copies)
  corrupt-enc      it is a .enc file that is not a valid Custodian file
  corrupt-values   it is a value-encrypted file that does not parse (two metadata blocks
                   spliced by a merge that is not Custodian's, an edited block)
  converted-enc    it is a binary .enc file that git stores with other bytes than the file's
                   (.gitattributes text, eol, filter… or core.autocrlf convert it): the commit
                   would hold a file that no longer decrypts
  unresolved-conflict  it is a value-encrypted file still holding both sides of a merge conflict
It warns, without failing, when a .enc file's recipients differ from the roster
(.custodian/team/*.pub), unless the file's recipients were chosen by hand, and when a
value-encrypted file's unencrypted-regex rule leaves a value in the clear that the last commit
did not (--all: every such value).
Each message names the file, the rule and the fix. "custodian git setup" installs this as the
pre-commit and pre-merge-commit hooks; "git commit --no-verify" skips it, and cherry-pick,
rebase and am run neither (--all in CI catches what they bring). The rules and the roster are
read from the index too. No key is needed. A submodule is a repository of its own: its files are
not checked (a warning names it); run "git submodule foreach --recursive custodian guard --all".

Flags:
      --all               check every tracked file instead of the staged changes (for CI)

Examples:
  custodian guard
  custodian guard --all      # in CI, after checkout
`,
  async run(args, ctx) {
    args.expectPositionals(0, 0, '');
    const root = await repositoryRoot(process.cwd());
    const index = await readIndex(root);
    const paths = args.flag('all') ? [...index.keys()] : await stagedPaths(root);
    // Regular files only: a symlink's blob is its target, a submodule has no blob here.
    const checked = paths.filter((p) => index.get(p)?.mode.startsWith('100'));
    const configEntry = index.get(PROJECT_CONFIG_PATH);
    const rosterEntries = [...index.entries()].filter(([p]) => p.startsWith(ROSTER_DIR) && p.endsWith('.pub') && !p.slice(ROSTER_DIR.length).includes('/'));
    const oids = [...new Set([...checked.map((p) => index.get(p)!.oid), ...(configEntry ? [configEntry.oid] : []), ...rosterEntries.map(([, e]) => e.oid)])];
    // The last commit's version of staged files that may be value-encrypted: a value a regex rule left
    // in the clear is named once, when it first is, not on every later commit of the file.
    const committedIds = args.flag('all') ? new Map<string, string>() : await headBlobIds(root, checked.filter((p) => valuesFormatForFileName(p) !== undefined));
    // Plain twins of staged .enc files, staged or not: a value-encrypted one holds no plaintext.
    const twinPaths = checked.filter((p) => p.endsWith('.enc') && index.has(p.slice(0, -'.enc'.length))).map((p) => p.slice(0, -'.enc'.length));
    const twinIds = new Map(twinPaths.map((p) => [p, index.get(p)!.oid]));
    const blobs = await readBlobs(root, [...new Set([...oids, ...committedIds.values(), ...twinIds.values()])], MAX_SCANNED_BYTES);
    /** path → blob id, as path → bytes (blobs too large to scan left out). */
    const contents = (ids: ReadonlyMap<string, string>): Map<string, Uint8Array> =>
      new Map([...ids].flatMap(([p, oid]) => {
        const bytes = blobs.get(oid);
        return bytes ? [[p, bytes] as const] : [];
      }));
    const twins = contents(twinIds);
    const committed = contents(committedIds);
    const configBytes = configEntry && blobs.get(configEntry.oid);
    const config = configBytes ? parseProjectConfig(new TextDecoder().decode(configBytes)) : DEFAULT_PROJECT_CONFIG;
    const roster: { name: string; key: RsaPublicKey }[] = [];
    for (const [p, e] of rosterEntries) {
      try {
        roster.push({ name: p.slice(ROSTER_DIR.length, -'.pub'.length), key: parsePublicKey(new TextDecoder().decode(blobs.get(e.oid))) });
      } catch {
        ctx.warn(`${displayText(p)} is not a public key; the roster check ignores it`);
      }
    }
    // Staged files refused by path, as they are now in the working tree: one whose values were encrypted
    // since it was staged only needs staging again (the message says so instead of repeating itself).
    const workingTree = new Map<string, Uint8Array>();
    if (!args.flag('all')) {
      const patterns = new PathPatterns(config.guard.plaintextPaths);
      for (const p of checked.filter((f) => valuesFormatForFileName(f) !== undefined && patterns.match(f) !== undefined)) {
        // Staged as a regular file, but the working tree's may be a link since (to /dev/zero): not read.
        const bytes = await readRegularFile(path.join(root, p), MAX_SCANNED_BYTES).catch(() => undefined);
        if (bytes) workingTree.set(p, bytes);
      }
    }
    const converted = args.flag('all') ? new Map<string, string>() : await convertedEncFiles(root, new Map(checked.map((p) => [p, { oid: index.get(p)!.oid, content: blobs.get(index.get(p)!.oid) }])));
    const findings = await checkStagedFiles({
      converted,
      files: checked.map((p) => ({ path: p, content: blobs.get(index.get(p)!.oid) })),
      committed,
      twins,
      workingTree,
      indexPaths: new Set(index.keys()),
      plaintextPaths: config.guard.plaintextPaths,
      roster,
      quote: shellQuote,
      show: (s) => displayText(s),
    });
    const errors = findings.filter((f) => f.severity === 'error').length;
    if (errors > 0 && !args.flag('all')) {
      // VS Code's dialog for a refused commit shows the hook's first line only (the rest is behind Show
      // Command Output): that line leads with the fix, and the full findings follow.
      const first = findings.find((f) => f.severity === 'error')!;
      const more = errors > 1 ? ` (and ${errors - 1} more problem(s) below)` : '';
      ctx.io.stderr.write(`custodian: error: commit refused: ${first.brief ?? first.message}${more}\n`);
    }
    for (const f of findings) ctx.io.stderr.write(format(f).join('\n') + '\n');
    // Every submodule with --all; a staged one (a bump) before a commit. Said after the findings: VS Code
    // shows a refused commit's first line.
    const staged = new Set(paths);
    const submodules = submodulesIn(index).filter((p) => staged.has(p));
    if (submodules.length > 0) ctx.warn(submodulesNotChecked(submodules));
    if (errors > 0 && args.flag('all')) {
      // --all checks what is committed already (CI): nothing is refused, and what was pushed is in the history.
      throw new CliError(`${errors} problem(s) in tracked files`, {
        hint: 'these files are committed: a secret among them is in the history of every clone, so rotate it; then encrypt or remove each file and commit',
      });
    }
    if (findings.some((f) => f.severity === 'error' && PLAINTEXT_RULES.has(f.rule))) {
      // git add already stored the staged plaintext as an object; refusing the commit does not remove it.
      ctx.warn('git add has already stored the staged plaintext in .git/objects (on this machine only; a push sends only committed objects): once it is unstaged, "git gc --prune=now" deletes it');
    }
    if (errors > 0) {
      throw new CliError(`${errors} problem(s): nothing was committed`, { hint: 'fix the files above and commit again ("git commit --no-verify" skips this check)' });
    }
  },
};

export const main = commandMain(guardCommand);
