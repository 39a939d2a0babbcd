// Names of removed teammates from git history, with real git: a roster file added and deleted in
// commits (never in the working tree) is found by its key's fingerprint; other paths are not.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePublicKey } from '../../src/core/keys';
import { rosterNamesFromGit } from '../../src/extension/storage/roster-history';

const ROSTER = { dir: '.custodian/team', ext: '.pub' };

function fingerprintOf(text: string): string | undefined {
  try {
    return parsePublicKey(text).fingerprint;
  } catch {
    return undefined;
  }
}

describe('roster-history', function () {
  this.timeout(30_000);
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });
  const addAndRemove = (path: string, text: string) => {
    const blob = execFileSync('git', ['-C', repo, 'hash-object', '-w', '--stdin'], { input: text, encoding: 'utf8' }).trim();
    git('update-index', '--add', '--cacheinfo', `100644,${blob},${path}`);
    git('commit', '-q', '-m', `add ${path}`);
    git('rm', '-q', '--cached', path);
    git('commit', '-q', '-m', `remove ${path}`);
  };
  const publicPem = () =>
    execFileSync('openssl', ['pkey', '-pubout'], {
      input: execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { stdio: ['ignore', 'pipe', 'ignore'] }),
      encoding: 'utf8',
    });

  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'custodian-roster-git-'));
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('is undefined outside a git repository', async () => {
    assert.equal(await rosterNamesFromGit(repo, ROSTER, fingerprintOf), undefined);
  });

  it('names each deleted roster file by its fingerprint, and ignores other deleted files', async () => {
    git('init', '-q');
    const carol = publicPem();
    const dave = publicPem();
    addAndRemove('.custodian/team/carol.pub', carol);
    addAndRemove('.custodian/team/sub/dave.pub', dave);
    addAndRemove('elsewhere/dave.pub', dave);
    const names = await rosterNamesFromGit(repo, ROSTER, fingerprintOf);
    assert.deepEqual([...(names ?? new Map()).entries()], [[fingerprintOf(carol), 'carol']]);
  });

  it('leaves out a deleted file whose name the roster would refuse (Markdown, spaces): no name rather than one written to mislead', async () => {
    const eve = publicPem();
    addAndRemove('.custodian/team/![Verify your key](https:127.0.0.1:8443).pub', eve);
    addAndRemove('.custodian/team/Alice (you).pub', eve);
    const names = await rosterNamesFromGit(repo, ROSTER, fingerprintOf);
    assert.equal(names?.get(fingerprintOf(eve)!), undefined);
  });
});
