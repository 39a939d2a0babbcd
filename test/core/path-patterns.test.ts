import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../src/core/errors';
import { PathPatterns } from '../../src/core/path-patterns';
import { DEFAULT_GUARD_PLAINTEXT_PATHS } from '../../src/core/project-config';

/** The paths git itself would ignore with `patterns` as a .gitignore: the oracle. */
function gitIgnored(patterns: readonly string[], paths: readonly string[]): Set<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-patterns-'));
  try {
    spawnSync('git', ['init', '-q', dir]);
    fs.writeFileSync(path.join(dir, '.gitignore'), patterns.join('\n') + '\n');
    const r = spawnSync('git', ['-C', dir, 'check-ignore', '--no-index', '--stdin', '-z'], { input: paths.join('\0') + '\0' });
    return new Set(r.stdout.toString('utf8').split('\0').filter((p) => p !== ''));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Names tools read secrets from (curl and git's .netrc, psql's .pgpass, git's credential store, the AWS CLI) and key files. */
const CREDENTIAL_FILES = ['.netrc', 'home/me/.netrc', '_netrc', '.pgpass', 'ops/.pgpass', '.git-credentials', '.aws/credentials', 'deploy/.aws/credentials', 'k.ppk', 'x/id_ecdsa', 'id_dsa'];

const PATTERNS = [...DEFAULT_GUARD_PLAINTEXT_PATHS, 'private/', '/rootonly.txt', 'a/**/b.key', 'conf/*.json', 'k?y.txt', 'data[0-9].csv', '**/deep/*.txt'];

describe('path-patterns: gitignore rules, with git check-ignore as the oracle', () => {
  it('the default rules and a mix of anchored, folder-only, ** and class patterns decide as git does', () => {
    const paths = [
      '.env', 'app/.env', '.env.local', '.env.example', 'x/.env.example', '.env.sample', 'env', 'my.env', 'k.pem', 'a/b/k.pem', 'id_rsa', 'x/id_rsa.pub',
      'secrets/x', 'secrets/a/b', 'x/secrets/y', 'private/z', 'q/private/z', 'private', 'rootonly.txt', 'sub/rootonly.txt', 'a/b.key', 'a/x/y/b.key',
      'conf/a.json', 'conf/x/a.json', 'x/conf/a.json', 'key.txt', 'kay.txt', 'kyy/x', 'data1.csv', 'dataX.csv', 'deep/a.txt', 'x/deep/a.txt', 'x/deep/y/a.txt',
      ...CREDENTIAL_FILES, '.netrc.example', 'aws/credentials', 'credentials', 'x/.aws/config', 'k.ppk.pub',
    ];
    const ignored = gitIgnored(PATTERNS, paths);
    const patterns = new PathPatterns(PATTERNS);
    for (const p of paths) assert.equal(patterns.match(p) !== undefined, ignored.has(p), p);
  });

  it('the default rules refuse credential files and more private key names, at the root and below', () => {
    const patterns = new PathPatterns(DEFAULT_GUARD_PLAINTEXT_PATHS);
    for (const p of CREDENTIAL_FILES) assert.notEqual(patterns.match(p), undefined, p);
  });

  it('random paths: the same decision as git', () => {
    const segment = fc.constantFrom('.env', '.env.prod', '.env.example', 'secrets', 'private', 'a', 'b.key', 'conf', 'x.json', 'k.pem', 'deep', 'n.txt', 'data7.csv');
    const samples = fc.sample(fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')), { numRuns: 400, seed: 19 });
    const paths = [...new Set(samples)];
    const ignored = gitIgnored(PATTERNS, paths);
    const patterns = new PathPatterns(PATTERNS);
    for (const p of paths) assert.equal(patterns.match(p) !== undefined, ignored.has(p), p);
  });

  it('names the pattern that decided, and refuses empty patterns and paths', () => {
    assert.equal(new PathPatterns(['*.pem', 'secrets/**']).match('secrets/a.pem'), 'secrets/**');
    assert.throws(() => new PathPatterns(['!']), InvalidArgumentError);
    assert.throws(() => new PathPatterns(['x']).match(''), InvalidArgumentError);
  });
});
