// The real git in temporary repositories, for the tests of the git drivers (git.test.ts,
// git-values.test.ts): git isolated from the user's and the system's config, and a search for
// plaintext in a repository, its .git and its objects.
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv } from './helpers';

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
