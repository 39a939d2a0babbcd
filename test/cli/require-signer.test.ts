// The attacker with public keys only: a file whose header names alice as its signer, encrypted to
// carol, with a signature alice never made. Every byte of it can be built from public keys, so
// nothing of its plaintext may be released before its signature verified, whatever the chunk size.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectStream, bytesToStream } from '../../src/core/stream';
import { armor } from '../../src/core/armor';
import { encryptStream } from '../../src/core/envelope';
import type { RsaPrivateKey } from '../../src/core/keys';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { privateKeyFromPem, publicKeyFromPem } from '../core/envelope-fixtures';
import { listDir, makeOpensslKey, removeDir, run, sh, tempDir, type TestKey } from './helpers';

const SCRIPT = Buffer.from(`echo PWNED\n${'# padding so that the script spans many chunks\n'.repeat(20)}`);

describe('cli: decrypt --require-signer releases nothing before the signature verified', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestKey;
  let carol: TestKey;
  let mallory: TestKey;
  let forged: string;
  let armored: string;

  /** An envelope to carol in 16-byte chunks: the header names `signer.publicKey`, `signer.pkcs8Der` signs. */
  async function envelope(signer: RsaPrivateKey, plaintext: Uint8Array, chunkSize = 16): Promise<Buffer> {
    const recipients = [publicKeyFromPem(fs.readFileSync(carol.publicPemPath, 'utf8'))];
    const sealed = encryptStream(bytesToStream(plaintext, 7), { recipients, signer, backend: createNodeCryptoBackend(), chunkSize });
    return Buffer.from(await collectStream(sealed));
  }

  before(async () => {
    dir = tempDir();
    alice = makeOpensslKey(dir, 'alice');
    carol = makeOpensslKey(dir, 'carol');
    mallory = makeOpensslKey(dir, 'mallory');
    // Mallory signs with her own key under alice's public key: a signature that cannot verify.
    const malloryKey = privateKeyFromPem(fs.readFileSync(mallory.privatePath, 'utf8'));
    const alicePublic = publicKeyFromPem(fs.readFileSync(alice.publicPemPath, 'utf8'));
    forged = path.join(dir, 'forged.enc');
    fs.writeFileSync(forged, await envelope({ pkcs8Der: malloryKey.pkcs8Der, publicKey: alicePublic }, SCRIPT));
    armored = path.join(dir, 'forged.enc.asc');
    fs.writeFileSync(armored, armor(fs.readFileSync(forged)));
  });
  after(() => removeDir(dir));

  function expectRefused(r: { code: number | null; stdout: Buffer; stderr: string }, what: string): void {
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    assert.equal(r.stdout.length, 0, `${what}: released ${r.stdout.length} bytes: ${JSON.stringify(r.stdout.toString('utf8').slice(0, 40))}`);
    assert.match(r.stderr, new RegExp(`claims to be signed by ${escape(alice.fingerprint)}`), what);
    assert.doesNotMatch(r.stderr, /custodian: signed by/, what);
  }

  it('to standard output, from a file: zero bytes, exit 1, "claims to be signed by"', () => {
    expectRefused(run(['decrypt', '-i', carol.privatePath, '--require-signer', alice.sshPubPath, forged]), 'file → stdout');
  });

  it('to standard output, from standard input (binary and armored): zero bytes, exit 1', () => {
    expectRefused(run(['decrypt', '-i', carol.privatePath, '--require-signer', alice.sshPubPath], { input: fs.readFileSync(forged) }), 'stdin → stdout');
    const asc = sh(`$CUSTODIAN decrypt -i "${carol.privatePath}" --require-signer "${alice.sshPubPath}" < "${armored}"`);
    expectRefused(asc, 'armored stdin → stdout');
  });

  it('piped into sh, the forged script never runs', () => {
    const r = sh(`$CUSTODIAN decrypt -i "${carol.privatePath}" --require-signer "${alice.sshPubPath}" "${forged}" | sh`);
    assert.doesNotMatch(r.out, /PWNED/);
    assert.notEqual(r.code, 0);
  });

  it('without --require-signer, a signed file to standard output is still verified first', () => {
    expectRefused(run(['decrypt', '-i', carol.privatePath, forged]), 'no --require-signer, file → stdout');
    expectRefused(run(['decrypt', '-i', carol.privatePath], { input: fs.readFileSync(forged) }), 'no --require-signer, stdin → stdout');
  });

  it('to a file (-o): no output file, no temporary file, exit 1', () => {
    const before = listDir(dir);
    const target = path.join(dir, 'out.sh');
    const r = run(['decrypt', '-i', carol.privatePath, '--require-signer', alice.sshPubPath, '-o', target, forged]);
    expectRefused(r, 'file → -o');
    const s = run(['decrypt', '-i', carol.privatePath, '--require-signer', alice.sshPubPath, '-o', target], { input: fs.readFileSync(forged) });
    expectRefused(s, 'stdin → -o');
    assert.deepEqual(listDir(dir), before);
  });

  it('a genuine signed file with tiny chunks still decrypts to standard output, from a file and from stdin', async () => {
    const aliceKey = privateKeyFromPem(fs.readFileSync(alice.privatePath, 'utf8'));
    const genuine = path.join(dir, 'genuine.enc');
    fs.writeFileSync(genuine, await envelope(aliceKey, SCRIPT));
    for (const r of [
      run(['decrypt', '-i', carol.privatePath, '--require-signer', alice.sshPubPath, genuine]),
      run(['decrypt', '-i', carol.privatePath, '--require-signer', alice.sshPubPath], { input: fs.readFileSync(genuine) }),
      run(['decrypt', '-i', carol.privatePath], { input: fs.readFileSync(genuine) }),
    ]) {
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.equals(SCRIPT));
      assert.match(r.stderr, new RegExp(`^custodian: signed by ${escape(alice.fingerprint)}`));
    }
    // The wrong required signer: refused on the header's claim, with the claim worded as one.
    const wrong = run(['decrypt', '-i', carol.privatePath, '--require-signer', mallory.sshPubPath, genuine]);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout.length, 0);
    assert.match(wrong.stderr, new RegExp(`the file claims to be signed by ${escape(alice.fingerprint)}, not by the required signer ${escape(mallory.fingerprint)}`));
  });

  it('an unsigned file still streams to standard output without --require-signer (from stdin too)', async () => {
    const e = run(['encrypt', '-r', carol.sshPubPath], { input: SCRIPT });
    assert.equal(e.code, 0, e.stderr);
    const d = run(['decrypt', '-i', carol.privatePath], { input: e.stdout });
    assert.equal(d.code, 0, d.stderr);
    assert.ok(d.stdout.equals(SCRIPT));
    assert.match(d.stderr, /warning: not signed/);
    const required = run(['decrypt', '-i', carol.privatePath, '--require-signer', alice.sshPubPath], { input: e.stdout });
    assert.equal(required.code, 1);
    assert.equal(required.stdout.length, 0);
    assert.match(required.stderr, /the file is not signed, but --require-signer asks for/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
