// Running git for the guard and the git drivers: argv only (no shell), output as bytes, and the
// index read through `git cat-file --batch` so staged content never goes through the working tree.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CustodianError } from '../core/errors';

/** git is missing, or a git command failed. */
export class GitError extends CustodianError {}

export interface GitResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly status: number;
}

/**
 * How every git command here runs in `cwd`: as `git -c safe.bareRepository=explicit ARGS`, with the
 * repository named (GIT_DIR, GIT_WORK_TREE) when a `.git` is found at or above `cwd`.
 *
 * git looking for its repository takes any folder holding HEAD, objects/ and refs/ for a bare repository
 * and obeys its `config` — and those are files anyone can commit. Run inside a repository's content (the
 * roster's folder, a file's folder), git found such a folder before the real `.git` and ran whatever its
 * config named (gpg.program for `git log`, core.fsmonitor…). A `.git` cannot be committed (git refuses
 * the path), so the nearest one above is the clone's own; with the repository named, git looks for no
 * other, and `safe.bareRepository=explicit` (command-line configuration, which a repository's config cannot
 * undo; git 2.38+) makes git refuse rather than obey one where no `.git` was found. Relative pathspecs
 * still name paths from `cwd`. A GIT_DIR already set (git running a driver, a user's own layout) is kept.
 */
export function gitInvocation(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): { args: string[]; env: NodeJS.ProcessEnv } {
  const safeArgs = ['-c', 'safe.bareRepository=explicit', ...args];
  if (env.GIT_DIR !== undefined) return { args: safeArgs, env };
  const top = workTreeTop(cwd);
  return { args: safeArgs, env: top === undefined ? env : { ...env, GIT_DIR: path.join(top, '.git'), GIT_WORK_TREE: top } };
}

/** The nearest folder at or above `dir` that holds a `.git` (a folder, or a file in a worktree or submodule). */
export function workTreeTop(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Runs `git ARGS` in `cwd` (see gitInvocation); rejects only when git cannot be started. */
export function runGit(cwd: string, args: readonly string[], input?: Uint8Array): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const run = gitInvocation(cwd, args);
    const child = spawn('git', run.args, { cwd, env: run.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(`cannot run git: ${e.message}`, { cause: e, hint: 'install git and make sure it is on PATH' })));
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), status: code ?? 1 }));
    child.stdin.on('error', () => undefined); // git may exit before reading all of its input
    child.stdin.end(input);
  });
}

/** Runs git and returns stdout; a non-zero status throws GitError with git's own message. */
export async function git(cwd: string, args: readonly string[], input?: Uint8Array): Promise<Buffer> {
  const r = await runGit(cwd, args, input);
  if (r.status !== 0) throw new GitError(`git ${args[0]} failed: ${r.stderr.trim() || `exit status ${r.status}`}`);
  return r.stdout;
}

/** The working tree's top folder; a GitError with a hint outside a repository. */
export async function repositoryRoot(cwd: string): Promise<string> {
  const r = await runGit(cwd, ['rev-parse', '--show-toplevel']);
  if (r.status !== 0) throw new GitError('not inside a git repository (or a bare one)', { hint: 'run this in a clone of the repository' });
  return r.stdout.toString('utf8').replace(/\n$/, '');
}

/**
 * The repository `file` is in and its path there (`/` separators), as git names them: the folder's
 * prefix from git itself, so a symlinked or differently spelled folder still maps to the tracked path.
 */
export async function repositoryPath(file: string): Promise<{ root: string; path: string }> {
  const r = await runGit(path.dirname(file), ['rev-parse', '--show-toplevel', '--show-prefix']);
  if (r.status !== 0) throw new GitError('not inside a git repository (or a bare one)', { hint: 'run this in a clone of the repository' });
  const [root, prefix = ''] = r.stdout.toString('utf8').split('\n');
  return { root, path: `${prefix}${path.basename(file)}` };
}

/** What the last commit holds at `file`'s path; undefined outside a repository, before a first commit, or when it holds none. */
export async function headVersion(file: string): Promise<Buffer | undefined> {
  try {
    const where = await repositoryPath(file);
    const r = await runGit(where.root, ['cat-file', 'blob', `HEAD:${where.path}`]);
    return r.status === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

function splitZ(out: Buffer): string[] {
  return out.toString('utf8').split('\0').filter((s) => s !== '');
}

export interface IndexEntry {
  readonly mode: string;
  readonly oid: string;
}

/** Every stage-0 entry of the index: path → mode and blob id. */
export async function readIndex(root: string): Promise<Map<string, IndexEntry>> {
  const entries = new Map<string, IndexEntry>();
  for (const line of splitZ(await git(root, ['ls-files', '-s', '-z']))) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(line);
    if (m && m[3] === '0') entries.set(m[4], { mode: m[1], oid: m[2] });
  }
  return entries;
}

/**
 * The submodules in the index (gitlinks, mode 160000), sorted: each is a repository of its own, whose
 * files are in its own index and whose commits run its own hooks, out of reach of this one's checks.
 */
export function submodulesIn(index: ReadonlyMap<string, IndexEntry>): string[] {
  return [...index].filter(([, e]) => e.mode === '160000').map(([p]) => p).sort();
}

/** Paths added, copied, modified or renamed in the index relative to HEAD (what a commit would add). */
export async function stagedPaths(root: string): Promise<string[]> {
  return splitZ(await git(root, ['diff', '--cached', '--name-only', '-z', '--no-renames', '--diff-filter=ACMRT']));
}

/** The blob ids of `paths` in the HEAD commit (paths it lacks are absent; empty before the first commit). */
export async function headBlobIds(root: string, paths: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (paths.length === 0) return ids;
  // Literal pathspecs: a file named `*.env` names itself, not a pattern.
  const r = await runGit(root, ['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', 'HEAD', '--', ...paths]);
  if (r.status !== 0) return ids;
  for (const line of splitZ(r.stdout)) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (m) ids.set(m[2], m[1]);
  }
  return ids;
}

/**
 * Blob contents by id, in one `git cat-file --batch`. Blobs larger than `maxBytes` come back as
 * undefined (their size is known, their bytes are skipped).
 */
export async function readBlobs(root: string, oids: readonly string[], maxBytes: number): Promise<Map<string, Uint8Array | undefined>> {
  const result = new Map<string, Uint8Array | undefined>();
  if (oids.length === 0) return result;
  const out = await git(root, ['cat-file', '--batch'], Buffer.from(oids.map((o) => `${o}\n`).join('')));
  let pos = 0;
  for (const oid of oids) {
    const nl = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, nl).toString('utf8');
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    if (!m) throw new GitError(`git cat-file: unexpected answer for ${oid}: ${header.slice(0, 80)}`);
    const size = Number(m[3]);
    const start = nl + 1;
    result.set(oid, size > maxBytes ? undefined : out.subarray(start, start + size));
    pos = start + size + 1;
  }
  return result;
}

/** One commit's version of a path (`pathVersions`): its blob id, "" where the commit deleted the path. */
export interface PathVersion {
  readonly commit: string;
  /** The commit date, YYYY-MM-DD. */
  readonly date: string;
  readonly blob: string;
}

/**
 * The versions of `paths` (from the top of the repository, literal) in the last `max` commits from `rev`
 * that changed any of them, newest first, by path; undefined when git cannot read the history. Every
 * line of history counts: by default git follows only the parent of a merge that has the same file, so
 * a merge keeping an old branch's copy of a file hid the change made on the other parent (a rotation),
 * and a merge shows no diff. Here a merge is listed when it differs from any parent, with its own version.
 * No commit comes before one of its children (--date-order): with two lines of history listed, commit
 * dates alone (equal within a second, or set by whoever commits) could put a version before the one it
 * replaced, and an older version put back would read as never changed.
 */
export async function pathVersions(root: string, rev: string, paths: readonly string[], max: number): Promise<Map<string, PathVersion[]> | undefined> {
  const log = await runGit(root, ['--literal-pathspecs', 'log', '-z', '--no-show-signature', '--format=%x01%H %cs', '--raw', '--no-abbrev', '--no-renames', '--full-history', '--date-order', '--diff-merges=separate', `--max-count=${max}`, rev, '--', ...paths]);
  if (log.status !== 0) return undefined;
  const versions = new Map<string, PathVersion[]>();
  // Each commit: "\x01<hash> <date>\0", then per changed path "\n:<modes> <old> <new> <status>\0<path>\0";
  // a merge comes once per parent it differs from, with the same new blob each time.
  for (const chunk of log.stdout.toString('utf8').split('\x01').slice(1)) {
    const [head, ...fields] = chunk.split('\0');
    const [commit, date = ''] = head.split(' ');
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const blob = fields[i].trim().split(' ')[3] ?? '';
      const changed = fields[i + 1];
      const list = versions.get(changed) ?? [];
      versions.set(changed, list);
      if (list.at(-1)?.commit !== commit) list.push({ commit, date, blob: /^0+$/.test(blob) ? '' : blob });
    }
  }
  return versions;
}

/** One blob at `REV:PATH` (or `:PATH` for the index); undefined when it does not exist. */
export async function readRevisionFile(root: string, spec: string): Promise<Buffer | undefined> {
  const r = await runGit(root, ['cat-file', 'blob', spec]);
  return r.status === 0 ? r.stdout : undefined;
}

/** `git config --get KEY` in the repository, or undefined when unset. */
export async function getConfig(root: string, key: string): Promise<string | undefined> {
  const r = await runGit(root, ['config', '--local', '--get', key]);
  return r.status === 0 ? r.stdout.toString('utf8').replace(/\n$/, '') : undefined;
}
