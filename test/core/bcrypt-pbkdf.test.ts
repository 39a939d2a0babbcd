// bcrypt-pbkdf.ts runs OpenBSD's outer loop itself so it can give way; the library's own synchronous
// pbkdf() is the oracle (every key length OpenSSH uses and odd ones, random passwords and salts), and
// ssh-keygen is the end-to-end one (keys.test.ts imports its bcrypt-encrypted keys).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pbkdf as libraryPbkdf } from 'bcrypt-pbkdf';
import { bcryptPbkdf, KeyDerivationCancelledError } from '../../src/core/bcrypt-pbkdf';
import { parsePrivateKey } from '../../src/core/keys';

function seeded(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0;
  return (n) => Uint8Array.from({ length: n }, () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 24));
}

describe('core/bcrypt-pbkdf', function () {
  this.timeout(120_000);

  it('equals the library pbkdf() for random passwords, salts, key lengths and rounds', async () => {
    const rand = seeded(7);
    for (let i = 0; i < 40; i++) {
      const pass = rand(1 + (rand(1)[0] % 40));
      const salt = rand(1 + (rand(1)[0] % 24));
      const keyLength = [1, 16, 31, 32, 33, 44, 48, 64, 65, 100][i % 10];
      const rounds = 1 + (i % 4);
      const expected = new Uint8Array(keyLength);
      assert.equal(libraryPbkdf(pass, pass.length, salt, salt.length, expected, keyLength, rounds), 0);
      assert.deepEqual(await bcryptPbkdf(pass, salt, keyLength, rounds), expected, `case ${i}: ${keyLength} bytes, ${rounds} rounds`);
    }
  });

  it('opens a key ssh-keygen encrypted with -a 64 (aes256-ctr, 48 bytes of key and IV)', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-bcrypt-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-a', '64', '-N', 'correct horse', '-C', 'a64', '-f', join(dir, 'k')]);
      const key = await parsePrivateKey(readFileSync(join(dir, 'k'), 'utf8'), 'correct horse');
      const expected = execFileSync('ssh-keygen', ['-lf', join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
      assert.equal(key.publicKey.fingerprint, expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives way to the event loop between rounds, so a host stays responsive', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      await bcryptPbkdf(new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6]), 48, 32);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 10, `timers ran ${ticks} times during 64 rounds`);
  });

  it('stops at the next round when its signal is aborted', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const work = bcryptPbkdf(new Uint8Array([1]), new Uint8Array([2]), 48, 1024, { signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await assert.rejects(work, KeyDerivationCancelledError);
    // 1024 rounds x 2 blocks run ~40 s; a stop "at the next round" ends within a few rounds.
    assert.ok(Date.now() - started < 10_000, `stopped after ${Date.now() - started} ms`);
  });

  it('validates its arguments', async () => {
    await assert.rejects(bcryptPbkdf(new Uint8Array(0), new Uint8Array(1), 32, 1), RangeError);
    await assert.rejects(bcryptPbkdf(new Uint8Array(1), new Uint8Array(1), 0, 1), RangeError);
    await assert.rejects(bcryptPbkdf(new Uint8Array(1), new Uint8Array(1), 32, 0), /rounds/);
    await assert.rejects(bcryptPbkdf('x' as unknown as Uint8Array, new Uint8Array(1), 32, 1), TypeError);
  });
});
