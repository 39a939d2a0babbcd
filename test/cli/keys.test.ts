// keygen, pubkey, fingerprint: agreement with ssh-keygen and openssl, passphrase sources, errors.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeOpensslKey, removeDir, run, sshFingerprint, tempDir, listDir, type TestKey } from './helpers';

const PASS = 'correct horse battery staple';

describe('cli: keygen, pubkey, fingerprint', function () {
  this.timeout(60_000);
  let dir: string;
  let plain: TestKey;
  let encrypted: TestKey;

  before(() => {
    dir = tempDir();
    plain = makeOpensslKey(dir, 'plain');
    encrypted = makeOpensslKey(dir, 'enc', 2048, PASS);
  });
  after(() => removeDir(dir));

  it('keygen -o writes an encrypted PKCS#8 key (0600) and prints the public line that ssh-keygen agrees with', () => {
    const key = path.join(dir, 'alice.pem');
    const r = run(['keygen', '-b', '2048', '-o', key, '-C', 'alice@example.com'], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(r.code, 0, r.stderr);
    const pem = fs.readFileSync(key, 'utf8');
    assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    assert.equal(fs.statSync(key).mode & 0o777, 0o600);
    assert.match(r.out, /^ssh-rsa AAAA\S+ alice@example\.com\n$/);
    const pub = path.join(dir, 'alice.pub');
    fs.writeFileSync(pub, r.out);
    const fp = sshFingerprint(pub);
    assert.ok(r.stderr.includes(`generated a 2048-bit RSA key ${fp}`), r.stderr);
    assert.ok(!r.stderr.includes(PASS));

    // openssl opens it with the passphrase and derives the same public key.
    const o = spawnSync('openssl', ['pkey', '-in', key, '-passin', `pass:${PASS}`, '-pubout']);
    assert.equal(o.status, 0, o.stderr.toString());
    const pem2 = run(['pubkey', '--pem', pub]);
    assert.equal(pem2.out, o.stdout.toString());

    // pubkey of the private key (asks for the passphrase) = the line keygen printed, minus the comment.
    const p = run(['pubkey', key], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.out, r.out.replace(/ alice@example\.com\n$/, '\n'));
    // -i KEY, as every other command names a key, is the same (a newcomer's `pubkey -i` was an unknown flag).
    const i = run(['pubkey', '-i', key], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(i.code, 0, i.stderr);
    assert.equal(i.out, p.out);
    assert.equal(run(['pubkey', '-i', key, key], { env: { CUSTODIAN_PASSPHRASE: PASS } }).code, 2);
    const f = run(['fingerprint', key, pub], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(f.out, `2048 ${fp} no comment (RSA)\n2048 ${fp} alice@example.com (RSA)\n`);
    // Same line as `ssh-keygen -lf`.
    const s = spawnSync('ssh-keygen', ['-lf', pub]);
    assert.equal(f.out.split('\n')[1] + '\n', s.stdout.toString());
  });

  it('keygen without -o writes the private key to stdout and only the public line to stderr', () => {
    const passFile = path.join(dir, 'pass.txt');
    fs.writeFileSync(passFile, `${PASS}\nignored second line\n`);
    const r = run(['keygen', '--bits', '2048', '--passphrase-file', passFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.out, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n[\s\S]+-----END ENCRYPTED PRIVATE KEY-----\n$/);
    assert.match(r.stderr, /^ssh-rsa AAAA\S+\n$/);
    const key = path.join(dir, 'stdout.pem');
    fs.writeFileSync(key, r.out);
    const p = run(['pubkey', '--passphrase-file', passFile, key]);
    assert.equal(p.out, r.stderr);
  });

  it('keygen refuses an empty or weak passphrase, a bad --bits and an existing file without --force', () => {
    // The floor of the extension's key backup: a passphrase of one letter, or of spaces, protects nothing.
    for (const weak of ['a', '            ', 'hunter2hunter2']) {
      const r = run(['keygen', '-b', '2048', '-o', path.join(dir, 'weak.pem')], { env: { CUSTODIAN_PASSPHRASE: weak } });
      assert.equal(r.code, 1, weak);
      assert.match(r.stderr, /^custodian: error: the passphrase is too weak: /m);
      if (weak === 'hunter2hunter2') assert.ok(!r.stderr.includes(weak), 'the passphrase is not quoted back');
      assert.ok(!fs.existsSync(path.join(dir, 'weak.pem')), 'nothing written');
    }
    const empty = run(['keygen', '-b', '2048'], { env: { CUSTODIAN_PASSPHRASE: '' } });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /custodian: error: the passphrase is empty/);
    assert.equal(empty.out, '');

    const bits = run(['keygen', '-b', '1024'], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(bits.code, 2);
    assert.match(bits.stderr, /--bits must be 2048, 3072 or 4096/);

    const existing = path.join(dir, 'exists.pem');
    fs.writeFileSync(existing, 'keep me');
    const r = run(['keygen', '-b', '2048', '-o', existing], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /custodian: error: .*exists\.pem already exists\ncustodian: hint: pass --force to overwrite it/);
    assert.equal(fs.readFileSync(existing, 'utf8'), 'keep me');
    const forced = run(['keygen', '-b', '2048', '-o', existing, '--force'], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(existing, 'utf8'), /ENCRYPTED PRIVATE KEY/);
    assert.ok(!listDir(dir).some((n) => n.endsWith('.tmp')));
  });

  it('keygen without a passphrase source and without a terminal is a usage error with a hint', () => {
    const r = run(['keygen', '-b', '2048']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no terminal to ask on\ncustodian: hint: pass --passphrase-file FILE or set CUSTODIAN_PASSPHRASE/);
  });

  it('pubkey and fingerprint read openssl keys: plain PKCS#8, -aes256 PKCS#8, SPKI PEM, .pub lines', () => {
    for (const key of [plain, encrypted]) {
      const env = { CUSTODIAN_PASSPHRASE: PASS };
      const fromPriv = run(['fingerprint', key.privatePath], { env });
      assert.equal(fromPriv.code, 0, fromPriv.stderr);
      assert.equal(fromPriv.out, `2048 ${key.fingerprint} no comment (RSA)\n`);
      const fromSpki = run(['fingerprint', key.publicPemPath]);
      assert.equal(fromSpki.out, `2048 ${key.fingerprint} no comment (RSA)\n`);
      const pub = run(['pubkey', key.privatePath], { env });
      assert.equal(pub.out.trim(), fs.readFileSync(key.sshPubPath, 'utf8').trim().split(' ').slice(0, 2).join(' '));
      const literal = run(['fingerprint', fs.readFileSync(key.sshPubPath, 'utf8').trim()]);
      assert.equal(literal.out, `2048 ${key.fingerprint} ${path.basename(key.sshPubPath, '.pub')}@example.com (RSA)\n`);
    }
  });

  it('reads the OpenSSH-format vectors, including an encrypted one', () => {
    const vectors = path.resolve(__dirname, '..', 'vectors', 'keys');
    const expected = JSON.parse(fs.readFileSync(path.join(vectors, 'expected.json'), 'utf8')) as Record<string, { bits: number; fingerprint: string; passphrase?: string }>;
    for (const name of ['rsa3072-openssh', 'rsa3072-openssh-encrypted', 'rsa4096-openssh']) {
      const e = expected[name];
      const r = run(['fingerprint', path.join(vectors, name)], { env: { CUSTODIAN_PASSPHRASE: e.passphrase } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.out, new RegExp(`^${e.bits} ${e.fingerprint.replace(/[+/]/g, '\\$&')} `));
    }
  });

  it('a wrong passphrase fails with exit 1 and never echoes the passphrase', () => {
    const r = run(['pubkey', encrypted.privatePath], { env: { CUSTODIAN_PASSPHRASE: 'not the passphrase' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /custodian: error: .*enc\.pem: wrong passphrase/);
    assert.match(r.stderr, /custodian: hint: /);
    assert.ok(!r.stderr.includes('not the passphrase'));
    assert.equal(r.out, '');
  });

  it('missing and non-key files are clear errors (exit 1); EC keys are refused as unsupported', () => {
    const missing = run(['fingerprint', path.join(dir, 'nope.pub')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /custodian: error: key file .*nope\.pub does not exist/);
    const junk = path.join(dir, 'junk.txt');
    fs.writeFileSync(junk, 'hello\n');
    const j = run(['pubkey', junk]);
    assert.equal(j.code, 1);
    assert.match(j.stderr, /junk\.txt: expected an RSA public key/);
    const ec = run(['fingerprint', path.resolve(__dirname, '..', 'vectors', 'keys', 'ec-p256-spki.pem')]);
    assert.equal(ec.code, 1);
    assert.match(ec.stderr, /RSA/);
    const weak = run(['fingerprint', path.resolve(__dirname, '..', 'vectors', 'keys', 'rsa1024-spki.pem')]);
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /2048/);
  });

  it('pubkey takes one key; without one and without a source of private keys it is a usage error saying where keys come from (exit 2)', () => {
    const none = run(['pubkey']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no private key\ncustodian: hint: pass -i KEY, set CUSTODIAN_IDENTITY=FILE/);
    const fromEnv = run(['pubkey'], { env: { CUSTODIAN_IDENTITY: plain.privatePath } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const typeAndKey = (line: string) => line.trim().split(' ').slice(0, 2).join(' ');
    assert.equal(typeAndKey(fromEnv.out), typeAndKey(fs.readFileSync(plain.sshPubPath, 'utf8')), 'the default key: the first of CUSTODIAN_IDENTITY');
    const two = run(['pubkey', plain.sshPubPath, plain.sshPubPath]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /too many arguments/);
  });
});
