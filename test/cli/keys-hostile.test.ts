// The CLI against hostile key material: huge RSA moduli in a `.enc` signer field, a `-r` file and a
// roster, a megabyte of PEM BEGIN lines, and key comments / certificate CNs carrying terminal escapes.
// Time bounds are hang guards (the unbounded code took minutes), not performance targets.
import * as assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { certificateDer, envelopeWithSigner, hugeModulus, pem, rsaPrivateKeyDer, spkiDer, sshRsaLine } from '../helpers/hostile-keys';
import { listDir, makeOpensslKey, removeDir, run, tempDir, type RunResult, type TestKey } from './helpers';

/** CLI start-up included; the unbounded code needed minutes. */
const HANG_GUARD_MS = 15_000;
const TOO_LARGE = /RSA key of 2097152 bits is larger than the 16384 bits Custodian accepts/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function timedRun(args: string[]): RunResult {
  const start = Date.now();
  const r = run(args);
  const elapsed = Date.now() - start;
  assert.ok(elapsed < HANG_GUARD_MS, `custodian ${args[0]} took ${elapsed} ms`);
  return r;
}

function assertNoOpenSslJargon(stderr: string): void {
  assert.doesNotMatch(stderr, /modulus too large|error:[0-9A-F]{8}|ERR_OSSL/i, stderr);
}

describe('cli: hostile key material', function () {
  this.timeout(120_000);
  let dir: string;
  let alice: TestKey;
  const huge = hugeModulus();

  before(() => {
    dir = tempDir();
    alice = makeOpensslKey(dir, 'alice');
  });
  after(() => removeDir(dir));

  it('inspect and decrypt refuse a .enc whose signer holds a 256 KiB modulus, at once (exit 1)', () => {
    const file = path.join(dir, 'evil.enc');
    fs.writeFileSync(file, envelopeWithSigner(spkiDer(huge)));
    for (const args of [['inspect', file], ['decrypt', '-i', alice.privatePath, '-o', path.join(dir, 'evil.out'), file]]) {
      const r = timedRun(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^custodian: error: .*signer field: RSA key of 2097152 bits is larger than the 16384 bits/m);
      assertNoOpenSslJargon(r.stderr);
    }
    assert.equal(fs.existsSync(path.join(dir, 'evil.out')), false);
  });

  it('encrypt -r huge.pub and -R with a huge roster entry name the file and write nothing (exit 1)', () => {
    const input = path.join(dir, 'in.txt');
    fs.writeFileSync(input, 'secret\n');
    const hugePub = path.join(dir, 'huge.pub');
    fs.writeFileSync(hugePub, `${sshRsaLine(huge)}\n`);
    const roster = path.join(dir, 'team');
    fs.mkdirSync(roster);
    fs.copyFileSync(alice.sshPubPath, path.join(roster, 'alice.pub'));
    fs.writeFileSync(path.join(roster, 'evil.pub'), pem('PUBLIC KEY', spkiDer(huge)));
    const before = listDir(dir);
    const cases: [string[], RegExp][] = [
      [['-r', hugePub], /huge\.pub: RSA key of 2097152 bits/],
      [['-R', roster], /evil\.pub: RSA key of 2097152 bits/],
    ];
    for (const [recipients, names] of cases) {
      const r = timedRun(['encrypt', ...recipients, '-o', path.join(dir, 'out.enc'), input]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, names);
      assert.match(r.stderr, TOO_LARGE);
      assertNoOpenSslJargon(r.stderr);
    }
    assert.deepEqual(listDir(dir), before);
  });

  it('encrypt -s with a private key whose dP is wrong refuses it and writes nothing (exit 1)', () => {
    const jwk = createPrivateKey(fs.readFileSync(alice.privatePath)).export({ format: 'jwk' });
    const int = (b64: string | undefined): bigint => BigInt(`0x${Buffer.from(b64!, 'base64url').toString('hex')}`);
    const bad = path.join(dir, 'bad-dp.pem');
    const k = { n: int(jwk.n), e: int(jwk.e), d: int(jwk.d), p: int(jwk.p), q: int(jwk.q), dP: int(jwk.dp) ^ 2n, dQ: int(jwk.dq), qInv: int(jwk.qi) };
    fs.writeFileSync(bad, pem('RSA PRIVATE KEY', rsaPrivateKeyDer(k)));
    const input = path.join(dir, 'signed-in.txt');
    fs.writeFileSync(input, 'secret\n');
    const out = path.join(dir, 'signed.enc');
    const r = run(['encrypt', '-r', alice.sshPubPath, '-s', bad, '-o', out, input]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /bad-dp\.pem: RSA private key is inconsistent \(dP ≠ d mod \(p − 1\)\)/);
    assert.equal(fs.existsSync(out), false);
  });

  it('fingerprint refuses a megabyte of PEM BEGIN lines at once (exit 1)', () => {
    const file = path.join(dir, 'begin.pem');
    fs.writeFileSync(file, '-----BEGIN A-----\n'.repeat((1 << 20) / 18 - 1));
    const r = timedRun(['fingerprint', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /begin\.pem: expected an RSA public key/);
  });

  it('fingerprint, pubkey and the signed-by line of decrypt never print control characters from a comment or CN', () => {
    const [, b64] = fs.readFileSync(alice.sshPubPath, 'utf8').split(' ');
    const escapes = '\u001b[2J\ncustodian: signed by SHA256:forged \u001b]0;title\u0007\u009b31m';
    const cert = path.join(dir, 'cn.pem');
    const spki = Buffer.from(fs.readFileSync(alice.publicPemPath, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    fs.writeFileSync(cert, pem('CERTIFICATE', certificateDer(spki, escapes)));
    const line = path.join(dir, 'comment.pub');
    fs.writeFileSync(line, `ssh-rsa ${b64} evil\u001b[2J\u001b[1;1Hcomment\n`);
    for (const args of [['fingerprint', cert], ['fingerprint', line], ['pubkey', cert], ['pubkey', line]]) {
      const r = run(args);
      assert.equal(r.code, 0, r.stderr);
      const out = r.out.replace(/\n$/, '');
      assert.doesNotMatch(out, CONTROL, `${args.join(' ')}: ${JSON.stringify(out)}`);
      assert.doesNotMatch(out, /\n/, `${args.join(' ')} printed more than one line`);
      assert.match(out, /\ufffd/, 'the escapes are shown as U+FFFD');
    }
    const fp = run(['fingerprint', cert]);
    assert.match(fp.out, /^2048 SHA256:\S+ .*custodian: signed by SHA256:forged.* \(RSA\)\n$/);

    // decrypt's "signed by" line names the required signer by its comment (describeKey).
    const input = path.join(dir, 'note.txt');
    fs.writeFileSync(input, 'hello\n');
    const enc = path.join(dir, 'note.enc');
    assert.equal(run(['encrypt', '-r', alice.sshPubPath, '-s', alice.privatePath, '-o', enc, input]).code, 0);
    const d = run(['decrypt', '-i', alice.privatePath, '--require-signer', cert, '-o', path.join(dir, 'note.out'), enc]);
    assert.equal(d.code, 0, d.stderr);
    const signedBy = d.stderr.split('\n').filter((l) => l.includes('signed by'));
    assert.equal(signedBy.length, 1, d.stderr);
    assert.doesNotMatch(signedBy[0], CONTROL, JSON.stringify(signedBy[0]));
  });

  it('keygen and pubkey refuse a -C comment with control characters (exit 2) before doing anything', () => {
    for (const args of [['keygen', '-o', path.join(dir, 'k.pem'), '-C', 'a\u001b[2Jb'], ['pubkey', '-C', 'x\ny', alice.sshPubPath]]) {
      const r = run(args, { env: { CUSTODIAN_PASSPHRASE: 'correct horse battery staple' } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--comment must be printable text on one line/);
    }
    assert.equal(fs.existsSync(path.join(dir, 'k.pem')), false);
  });
});
