// The real git in temporary repositories, for the tests of the git drivers (git.test.ts,
// git-values.test.ts): git isolated from the user's and the system's config, a repository with a roster
// and a clone of it, both set up, and a search for plaintext in a repository, its .git and its objects.
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, run, type TestKey } from './helpers';

export interface Git {
  (args: readonly string[], input?: string | Uint8Array): SpawnSyncReturns<Buffer> & { out: string; err: string };
}

/** git in `repo`, isolated from the user's and the system's git config, with `env` added. */
export function gitIn(repo: string, env: Record<string, string | undefined> = {}): Git {
  return (args, input) => {
    const r = spawnSync('git', ['-C', repo, '-c', 'commit.gpgsign=false', ...args], {
      input: input ?? '',
      env: cleanEnv({
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'T',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 'T',
        GIT_COMMITTER_EMAIL: 't@example.com',
        GIT_PAGER: 'cat',
        ...env,
      }),
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return Object.assign(r, { out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') });
  };
}

export function ok(r: { status: number | null; stderr: Buffer | string }): void {
  assert.equal(r.status, 0, String(r.stderr));
}

/**
 * A repository at `a` with `roster` (file name → key) in .custodian/team, its files written by `fill`,
 * `custodian git setup` run and all committed; then a clone of it at `b`, set up too. Returns what the
 * first setup printed on standard error.
 */
export function teamRepoAndClone(a: string, b: string, roster: Readonly<Record<string, TestKey>>, fill: (repo: string) => void): string {
  ok(spawnSync('git', ['init', '-q', '-b', 'main', a]));
  fs.mkdirSync(path.join(a, '.custodian/team'), { recursive: true });
  for (const [name, key] of Object.entries(roster)) fs.copyFileSync(key.sshPubPath, path.join(a, `.custodian/team/${name}.pub`));
  fill(a);
  const setup = run(['git', 'setup'], { cwd: a });
  assert.equal(setup.code, 0, setup.stderr);
  const git = gitIn(a);
  ok(git(['add', '-A']));
  ok(git(['commit', '-q', '-m', 'secrets']));
  ok(spawnSync('git', ['clone', '-q', a, b]));
  const cloned = run(['git', 'setup'], { cwd: b });
  assert.equal(cloned.code, 0, cloned.stderr);
  return setup.stderr;
}

/** Every file under `repo` (including .git), and every object in its repository, decompressed. */
export function assertNoPlaintext(repo: string, marker: string): void {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.readFileSync(p).includes(marker)) hits.push(path.relative(repo, p));
    }
  };
  walk(repo);
  const objects = spawnSync('git', ['-C', repo, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 256 * 1024 * 1024 });
  if (objects.stdout.includes(marker)) hits.push('(a git object)');
  assert.deepEqual(hits, [], `plaintext found in ${repo}`);
}
