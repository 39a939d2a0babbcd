// A repository's files as git holds them (src/node/regular-files.ts), played by the committer of links:
// a link to /dev/zero or to a FIFO is never read (nor waited on), a link is found whether it is the file
// or a folder above it, and re-keying one is refused with the link and where it leads.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LinkedFileError, linkOnPath, readRegularFile, refuseLinkedFile } from '../../src/node/regular-files';

describe('regular-files: links and devices in a repository', () => {
  let repo: string;
  let outside: string;

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-regular-repo-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-regular-outside-'));
    fs.writeFileSync(path.join(outside, 'prod.env.enc'), 'theirs');
    fs.writeFileSync(path.join(repo, 'own.env'), 'A=1\n');
  });
  afterEach(() => {
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('readRegularFile reads a small regular file; a link to /dev/zero, a FIFO or a regular file elsewhere, a folder and a large file are not read', async function () {
    if (process.platform === 'win32') this.skip();
    assert.equal(new TextDecoder().decode(await readRegularFile(path.join(repo, 'own.env'), 1024)), 'A=1\n');
    assert.equal(await readRegularFile(path.join(repo, 'own.env'), 3), undefined, 'larger than the bound');
    fs.symlinkSync('/dev/zero', path.join(repo, 'zero.env'));
    execFileSync('mkfifo', [path.join(outside, 'fifo')]);
    fs.symlinkSync(path.join(outside, 'fifo'), path.join(repo, 'fifo.env'));
    fs.symlinkSync(path.join(outside, 'prod.env.enc'), path.join(repo, 'prod.env.enc'));
    const started = Date.now();
    for (const name of ['zero.env', 'fifo.env', 'prod.env.enc']) assert.equal(await readRegularFile(path.join(repo, name), 1024), undefined, name);
    // Following links, what they lead to must still be a regular file: /dev/zero and a FIFO are not.
    assert.equal(await readRegularFile(path.join(repo, 'zero.env'), 1024, { followLinks: true }), undefined);
    assert.equal(await readRegularFile(path.join(repo, 'fifo.env'), 1024, { followLinks: true }), undefined);
    assert.equal(new TextDecoder().decode(await readRegularFile(path.join(repo, 'prod.env.enc'), 1024, { followLinks: true })), 'theirs');
    assert.equal(await readRegularFile(outside, 1024), undefined, 'a folder');
    assert.ok(Date.now() - started < 2000, 'nothing waited for a writer or read a device');
  });

  it('linkOnPath finds the link that is the file or a folder between the root and it, not a link above the root', async () => {
    fs.symlinkSync(path.join(outside, 'prod.env.enc'), path.join(repo, 'prod.env.enc'));
    fs.symlinkSync(outside, path.join(repo, 'shared'));
    assert.deepEqual(await linkOnPath(path.join(repo, 'prod.env.enc'), repo), { link: path.join(repo, 'prod.env.enc'), target: path.join(outside, 'prod.env.enc') });
    assert.deepEqual(await linkOnPath(path.join(repo, 'shared', 'prod.env.enc'), repo), { link: path.join(repo, 'shared'), target: outside });
    assert.equal(await linkOnPath(path.join(repo, 'own.env'), repo), undefined);
    // The root itself (the user's own checkout, however reached) is not checked.
    const viaLink = path.join(outside, 'repo-link');
    fs.symlinkSync(repo, viaLink);
    assert.equal(await linkOnPath(path.join(viaLink, 'own.env'), viaLink), undefined);
    // Without a root, the file alone.
    assert.equal(await linkOnPath(path.join(repo, 'shared', 'prod.env.enc')), undefined);
  });

  it('refuseLinkedFile names the link and its target, and says what to do', async () => {
    fs.symlinkSync('../../infra/prod.env.enc', path.join(repo, 'prod.env.enc'));
    await refuseLinkedFile(path.join(repo, 'own.env'), { root: repo });
    await assert.rejects(refuseLinkedFile(path.join(repo, 'prod.env.enc'), { root: repo, shown: 'prod.env.enc' }), (err: unknown) => {
      assert.ok(err instanceof LinkedFileError);
      assert.equal(err.message, 'prod.env.enc is a symbolic link to ../../infra/prod.env.enc: Custodian never re-encrypts through a link, which would write the file it leads to here, readable by new recipients');
      assert.match(err.hint ?? '', /^re-encrypt the file where it lives, for its own team; if the link does not belong in this repository, remove it \(git log -- prod\.env\.enc shows who added it\)$/);
      assert.equal(err.target, '../../infra/prod.env.enc');
      return true;
    });
  });
});
