// encrypt, decrypt, inspect: round trips through pipes and files, armor, recipients, rosters,
// signatures, --force, and failures that must leave nothing behind.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listDir, makeOpensslKey, removeDir, run, sh, tempDir, type TestKey } from './helpers';

const PASS = 'pass phrase for bob';

describe('cli: encrypt, decrypt, inspect', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestKey;
  let bob: TestKey; // openssl genpkey -aes256
  let carol: TestKey;
  let plaintext: Buffer;
  let plainFile: string;
  const bobEnv = { CUSTODIAN_PASSPHRASE: PASS };

  before(() => {
    dir = tempDir();
    alice = makeOpensslKey(dir, 'alice');
    bob = makeOpensslKey(dir, 'bob', 2048, PASS);
    carol = makeOpensslKey(dir, 'carol', 3072);
    plaintext = randomBytes(600_000); // two full 256 KiB chunks plus a short final one
    plainFile = path.join(dir, 'plain.bin');
    fs.writeFileSync(plainFile, plaintext);
  });
  after(() => removeDir(dir));

  function out(name: string): string {
    return path.join(dir, name);
  }

  it('round-trips through pipes, binary and armored', () => {
    for (const armor of [[], ['-a']]) {
      const r = sh(`$CUSTODIAN encrypt -r ${alice.sshPubPath} ${armor.join(' ')} | $CUSTODIAN decrypt -i ${alice.privatePath}`, { input: plaintext });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.equals(plaintext));
      assert.match(r.stderr, /^custodian: warning: not signed/);
    }
  });

  it('round-trips through files; armored output is text with the BEGIN marker; 0600 plaintext', () => {
    const enc = out('rt.enc.asc');
    const e = run(['encrypt', '-r', alice.publicPemPath, '-a', '-o', enc, plainFile]);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(e.out, '');
    assert.match(fs.readFileSync(enc, 'utf8'), /^-----BEGIN CUSTODIAN ENCRYPTED FILE-----\n/);
    const dec = out('rt.out');
    const d = run(['decrypt', '-i', alice.privatePath, '-o', dec, enc]);
    assert.equal(d.code, 0, d.stderr);
    assert.ok(fs.readFileSync(dec).equals(plaintext));
    assert.equal(fs.statSync(dec).mode & 0o777, 0o600);
    // '-' means stdin / stdout.
    const dash = run(['decrypt', '-i', alice.privatePath, '-o', '-', '-'], { input: fs.readFileSync(enc) });
    assert.ok(dash.stdout.equals(plaintext));
    // Armored output seals 64 KiB chunks (less string churn); binary output the 256 KiB default.
    assert.match(run(['inspect', enc]).out, /chunk size 65536 bytes/);
  });

  it('an empty input round-trips', () => {
    const r = sh(`$CUSTODIAN encrypt -r ${alice.sshPubPath} -a | $CUSTODIAN decrypt -i ${alice.privatePath}`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.length, 0);
  });

  it('multi-recipient: each recipient (openssl plain, openssl -aes256, 3072-bit, literal ssh-rsa line) can decrypt', () => {
    const enc = out('multi.enc');
    const line = fs.readFileSync(carol.sshPubPath, 'utf8').trim();
    const e = run(['encrypt', '-r', alice.sshPubPath, '-r', bob.sshPubPath, '-r', line, '-o', enc, plainFile]);
    assert.equal(e.code, 0, e.stderr);
    for (const key of [alice, bob, carol]) {
      const d = run(['decrypt', '-i', key.privatePath, enc], { env: bobEnv });
      assert.equal(d.code, 0, d.stderr);
      assert.ok(d.stdout.equals(plaintext));
    }
    const i = run(['inspect', enc]);
    assert.equal(i.code, 0, i.stderr);
    for (const key of [alice, bob, carol]) assert.ok(i.out.includes(key.fingerprint), i.out);
    assert.match(i.out, /recipients \(3\):/);
    assert.match(i.out, /signer: none/);
    assert.match(i.out, /chunk size 262144 bytes/);
    assert.match(i.out, new RegExp(`plaintext: ${plaintext.length} bytes`));
  });

  it('-R takes every *.pub in a roster directory; inspect -R names them; duplicates are dropped', () => {
    const roster = out('team');
    fs.mkdirSync(roster);
    fs.copyFileSync(alice.sshPubPath, path.join(roster, 'alice.pub'));
    fs.copyFileSync(carol.sshPubPath, path.join(roster, 'carol.pub'));
    fs.writeFileSync(path.join(roster, 'README.md'), 'not a key');
    const enc = out('roster.enc');
    const e = run(['encrypt', '-R', roster, '-r', alice.sshPubPath, '-o', enc, plainFile]);
    assert.equal(e.code, 0, e.stderr);
    const j = run(['inspect', '--json', '-R', roster, enc]);
    const info = JSON.parse(j.out) as { recipients: { fingerprint: string; name?: string }[]; signer: unknown };
    assert.deepEqual(
      info.recipients.map((r) => r.fingerprint).sort(),
      [alice.fingerprint, carol.fingerprint].sort(),
    );
    assert.ok(info.recipients.some((r) => r.name === 'alice (alice@example.com)'));
    assert.equal(info.signer, null);
    assert.equal(run(['decrypt', '-i', carol.privatePath, '-o', out('roster.out'), enc]).code, 0);
    assert.equal(run(['decrypt', '-i', bob.privatePath, enc], { env: bobEnv }).code, 1);

    const empty = out('empty-team');
    fs.mkdirSync(empty);
    const r = run(['encrypt', '-R', empty], { input: 'x' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /holds no \.pub files/);
  });

  it('signing: decrypt reports the signer; --require-signer passes for the right key and fails for a wrong one before writing', () => {
    const enc = out('signed.enc');
    const e = run(['encrypt', '-r', alice.sshPubPath, '-s', bob.privatePath, '-o', enc, plainFile], { env: bobEnv });
    assert.equal(e.code, 0, e.stderr);
    const d = run(['decrypt', '-i', alice.privatePath, enc]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stderr, `custodian: signed by ${bob.fingerprint}\n`);
    const ok = run(['decrypt', '-i', alice.privatePath, '--require-signer', bob.sshPubPath, '-o', out('signed.out'), enc]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr, `custodian: signed by ${bob.fingerprint} (bob@example.com)\n`);
    assert.ok(fs.readFileSync(out('signed.out')).equals(plaintext));

    const wrong = run(['decrypt', '-i', alice.privatePath, '--require-signer', carol.sshPubPath, enc]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`custodian: error: the file claims to be signed by ${escape(bob.fingerprint)}, not by the required signer ${escape(carol.fingerprint)}`));
    assert.equal(wrong.stdout.length, 0, 'no plaintext before the signer check');

    const unsigned = out('unsigned.enc');
    run(['encrypt', '-r', alice.sshPubPath, '-o', unsigned, plainFile]);
    const u = run(['decrypt', '-i', alice.privatePath, '--require-signer', bob.sshPubPath, '-o', out('unsigned.out'), unsigned]);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /the file is not signed, but --require-signer asks for/);
    assert.ok(!fs.existsSync(out('unsigned.out')));

    const i = run(['inspect', enc]);
    assert.match(i.out, new RegExp(`signer: ${escape(bob.fingerprint)}`));
  });

  it('never overwrites without --force; with --force replaces atomically', () => {
    const enc = out('force.enc');
    fs.writeFileSync(enc, 'existing');
    const e = run(['encrypt', '-r', alice.sshPubPath, '-o', enc, plainFile]);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /force\.enc already exists\ncustodian: hint: pass --force to overwrite it\n$/);
    assert.equal(fs.readFileSync(enc, 'utf8'), 'existing');
    assert.equal(run(['encrypt', '-r', alice.sshPubPath, '-o', enc, '--force', plainFile]).code, 0);
    const dec = out('force.out');
    fs.writeFileSync(dec, 'old plaintext');
    assert.equal(run(['decrypt', '-i', alice.privatePath, '-o', dec, enc]).code, 1);
    assert.equal(fs.readFileSync(dec, 'utf8'), 'old plaintext');
    assert.equal(run(['decrypt', '-i', alice.privatePath, '-o', dec, '-f', enc]).code, 0);
    assert.ok(fs.readFileSync(dec).equals(plaintext));
    assert.ok(!listDir(dir).some((n) => n.endsWith('.tmp')));
  });

  it('-o in a directory that does not exist: every command that writes a file names that directory (never its temporary file) and creates nothing', () => {
    const enc = out('to-missing.enc');
    assert.equal(run(['encrypt', '-r', alice.sshPubPath, '-o', enc, plainFile]).code, 0);
    const env = out('to-missing.env');
    fs.writeFileSync(env, 'A=1\n');
    const sealedEnv = out('to-missing-sealed.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.sshPubPath, '-o', sealedEnv, env]).code, 0);
    const shares = run(['split', '-t', '2', '-n', '2'], { input: 'secret' }).out;
    const missing = out('no-such-dir/sub');
    const commands: [string, string[], string?][] = [
      ['encrypt', ['encrypt', '-r', alice.sshPubPath, '-o', path.join(missing, 'x.enc'), plainFile]],
      ['encrypt -a', ['encrypt', '-a', '-r', alice.sshPubPath, '-o', path.join(missing, 'x.enc.asc'), plainFile]],
      ['decrypt', ['decrypt', '-i', alice.privatePath, '-o', path.join(missing, 'x.bin'), enc]],
      ['encrypt --values', ['encrypt', '--values', '-r', alice.sshPubPath, '-o', path.join(missing, 'x.env'), env]],
      ['decrypt --values', ['decrypt', '--values', '-i', alice.privatePath, '-o', path.join(missing, 'y.env'), sealedEnv]],
      ['combine', ['combine', '-o', path.join(missing, 'secret.txt')], shares],
      ['keygen', ['keygen', '-b', '2048', '-o', path.join(missing, 'key.pem')]],
    ];
    const before = listDir(dir);
    for (const [what, args, input] of commands) {
      const r = run(args, { input, env: { CUSTODIAN_PASSPHRASE: 'a passphrase for keygen' } });
      assert.equal(r.code, 1, `${what}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^custodian: error: cannot write .*: directory ${escape(missing)} does not exist\ncustodian: hint: create it first \\(mkdir -p ${escape(missing)}\\)`), what);
      assert.doesNotMatch(r.stderr, /\.tmp\b/, `${what}: the temporary file is not named`);
    }
    assert.deepEqual(listDir(dir), before, 'nothing created');
  });

  it('a tampered file fails with exit 1 and leaves no output file and no temporary file', () => {
    const enc = out('tamper.enc');
    run(['encrypt', '-r', alice.sshPubPath, '-s', alice.privatePath, '-o', enc, plainFile]);
    const bytes = fs.readFileSync(enc);
    const cases: [string, Buffer, RegExp][] = [
      ['payload byte', flip(bytes, bytes.length - 2000), /failed authentication|signature/],
      ['header byte', flip(bytes, 40), /modified|MAC|no identity|format|header/i],
      ['truncated', bytes.subarray(0, bytes.length - 70_000), /truncated|failed authentication|signature/],
      ['signature', flip(bytes, bytes.length - 1), /signature/],
    ];
    for (const [what, data, message] of cases) {
      const bad = out(`tamper-${what.replace(' ', '-')}.enc`);
      fs.writeFileSync(bad, data);
      const target = out(`tamper-${what.replace(' ', '-')}.out`);
      const before = listDir(dir);
      const d = run(['decrypt', '-i', alice.privatePath, '-o', target, bad]);
      assert.equal(d.code, 1, `${what}: ${d.stderr}`);
      assert.match(d.stderr, /^custodian: error: /);
      assert.match(d.stderr, message, what);
      assert.deepEqual(listDir(dir), before, `${what}: nothing written`);
    }
  });

  it('wrong key: "no identity matched" names the recipients (exit 1)', () => {
    const enc = out('nomatch.enc');
    run(['encrypt', '-r', alice.sshPubPath, '-o', enc, plainFile]);
    const d = run(['decrypt', '-i', carol.privatePath, '-o', out('nomatch.out'), enc]);
    assert.equal(d.code, 1);
    assert.match(d.stderr, new RegExp(`no identity matched: the file is encrypted to ${escape(alice.fingerprint)}`));
    assert.match(d.stderr, /custodian: hint: /);
    assert.ok(!fs.existsSync(out('nomatch.out')));
    // Several identities: the matching one is used.
    const two = run(['decrypt', '-i', carol.privatePath, '-i', alice.privatePath, enc]);
    assert.equal(two.code, 0, two.stderr);
  });

  it('wrong passphrase, missing key file, missing input file, not an envelope: exit 1, clear messages', () => {
    const enc = out('pass.enc');
    run(['encrypt', '-r', bob.sshPubPath, '-o', enc, plainFile]);
    const wrong = run(['decrypt', '-i', bob.privatePath, '-o', out('pass.out'), enc], { env: { CUSTODIAN_PASSPHRASE: 'nope' } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /bob\.pem: wrong passphrase/);
    assert.ok(!fs.existsSync(out('pass.out')));
    const passFile = out('bob-pass.txt');
    fs.writeFileSync(passFile, `${PASS}\n`);
    assert.equal(run(['decrypt', '-i', bob.privatePath, '--passphrase-file', passFile, enc]).code, 0);

    const missingKey = run(['decrypt', '-i', out('missing.pem'), enc]);
    assert.equal(missingKey.code, 1);
    assert.match(missingKey.stderr, /custodian: error: private key file .*missing\.pem does not exist/);
    const missingIn = run(['encrypt', '-r', alice.sshPubPath, out('missing.txt')]);
    assert.equal(missingIn.code, 1);
    assert.match(missingIn.stderr, /custodian: error: input file .*missing\.txt does not exist/);
    // Random bytes, and binary junk that starts with "-" and is not valid UTF-8 (it once read as
    // broken armor, so the random case failed 1 time in ~256): the same message and a hint.
    const dashJunk = out('dash-junk.bin');
    fs.writeFileSync(dashJunk, Buffer.concat([Buffer.from('\n-'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), randomBytes(1000)]));
    for (const input of [plainFile, dashJunk]) {
      const notEnc = run(['decrypt', '-i', alice.privatePath, input]);
      assert.equal(notEnc.code, 1);
      assert.match(notEnc.stderr, /custodian: error: .*not a Custodian encrypted file \(no \.enc magic and no armor\)/);
      assert.match(notEnc.stderr, /custodian: hint: .*CUSTODIAN/);
    }
    const piped = run(['decrypt', '-i', alice.privatePath], { input: fs.readFileSync(dashJunk) });
    assert.match(piped.stderr, /not a Custodian encrypted file \(no \.enc magic and no armor\)/);
    const inspectJunk = run(['inspect', plainFile]);
    assert.equal(inspectJunk.code, 1);
  });

  it('usage errors exit 2: no recipients, no identity, unknown flag, extra argument', () => {
    const noRecipients = run(['encrypt'], { input: 'x' });
    assert.equal(noRecipients.code, 2);
    assert.match(noRecipients.stderr, /no recipients: pass -r KEY or -R ROSTER-DIR/);
    assert.equal(run(['decrypt'], { input: 'x' }).code, 2);
    const unknown = run(['encrypt', '-r', alice.sshPubPath, '--armour']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^custodian: error: unknown flag --armour\ncustodian: hint: run 'custodian encrypt --help' for usage\n$/);
    assert.equal(run(['encrypt', '-r', alice.sshPubPath, plainFile, plainFile]).code, 2);
  });
});

function flip(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] ^= 0x01;
  return copy;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
