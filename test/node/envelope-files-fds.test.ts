// The extension host lives long: a decrypt or re-encrypt that fails after the header was read (the
// output cannot be opened, the file changed since it was checked) must close the input's descriptor.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encryptBytes } from '../../src/core/envelope';
import { CustodianError } from '../../src/core/errors';
import { decryptFile, reencryptFile } from '../../src/node/envelope-files';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from '../core/envelope-fixtures';


const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
/** A leak is one descriptor per call (30 here); other tests' stray handles may add one or two. */
const assertNoLeak = (before: number): void => {
  const grown = openFds() - before;
  assert.ok(grown < 5, `open descriptors grew by ${grown} over 30 calls`);
};

describe('node/envelope-files: no descriptor left open when the output side fails', function () {
  this.timeout(60000);
  const backend = createNodeCryptoBackend();
  const alice = loadKey('alice');
  let dir: string;
  let enc: string;
  before(async function () {
    if (!fs.existsSync('/proc/self/fd')) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-ef-fds-'));
    enc = path.join(dir, 'big.enc');
    // Larger than one read, so the reader has not reached the end (and closed) by itself.
    fs.writeFileSync(enc, await encryptBytes(new Uint8Array(3 << 20).fill(1), { recipients: [alice.publicKey], backend }));
    fs.writeFileSync(path.join(dir, 'exists.txt'), 'already here');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('Decrypt to File onto an existing file (no overwrite) refuses 30 times without a leak', async () => {
    // Warm-up: the first call loads the core lazily (its own, lasting descriptors are not a leak).
    await decryptFile(enc, path.join(dir, 'warm.out'), { identities: [alice], backend, overwrite: false });
    const before = openFds();
    for (let i = 0; i < 30; i++) {
      await assert.rejects(
        decryptFile(enc, path.join(dir, 'exists.txt'), { identities: [alice], backend, overwrite: false }),
        (err: unknown) => err instanceof CustodianError && /exists/.test(err.message),
      );
    }
    assertNoLeak(before);
    assert.equal(fs.readFileSync(path.join(dir, 'exists.txt'), 'utf8'), 'already here');
  });

  it('a re-encrypt whose file changed since it was checked writes nothing and leaks nothing', async () => {
    const original = fs.readFileSync(enc);
    const before = openFds();
    for (let i = 0; i < 30; i++) {
      await assert.rejects(
        reencryptFile(enc, { identities: [alice], recipients: [alice.publicKey], signer: alice, backend, expect: () => false }),
        (err: unknown) => err instanceof CustodianError && /changed since it was checked/.test(err.message),
      );
    }
    assertNoLeak(before);
    assert.deepEqual(fs.readFileSync(enc), original);
  });
});
