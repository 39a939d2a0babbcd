// The one order in which commands find private keys: -i → $CUSTODIAN_IDENTITY → $CUSTODIAN_KEY →
// the agent (src/cli/identities.ts), through the real CLI.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeOpensslKey, removeDir, run, tempDir, type TestKey } from './helpers';

const PASS = 'ci pass phrase';

describe('cli: where private keys come from', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestKey;
  let bob: TestKey; // encrypted with PASS
  let carol: TestKey;
  let toAlice: string;
  let toBob: string;

  before(() => {
    dir = tempDir();
    alice = makeOpensslKey(dir, 'alice');
    bob = makeOpensslKey(dir, 'bob', 2048, PASS);
    carol = makeOpensslKey(dir, 'carol');
    const plain = path.join(dir, 'plain.txt');
    fs.writeFileSync(plain, 'the secret\n');
    toAlice = path.join(dir, 'alice.enc');
    toBob = path.join(dir, 'bob.enc');
    assert.equal(run(['encrypt', '-r', alice.sshPubPath, '-o', toAlice, plain]).code, 0);
    assert.equal(run(['encrypt', '-r', bob.sshPubPath, '-o', toBob, plain]).code, 0);
  });
  after(() => removeDir(dir));

  const text = (k: TestKey): string => fs.readFileSync(k.privatePath, 'utf8');

  it('CUSTODIAN_IDENTITY: one path, or several separated by the OS path separator', () => {
    const one = run(['decrypt', toAlice], { env: { CUSTODIAN_IDENTITY: alice.privatePath } });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.out, 'the secret\n');
    const two = run(['decrypt', toAlice], { env: { CUSTODIAN_IDENTITY: [carol.privatePath, '', alice.privatePath].join(path.delimiter) } });
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.out, 'the secret\n');
  });

  it('-i wins: with -i, the environment is not consulted', () => {
    const r = run(['decrypt', '-i', carol.privatePath, toAlice], { env: { CUSTODIAN_IDENTITY: alice.privatePath, CUSTODIAN_KEY: text(alice) } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no identity matched/);
    assert.equal(r.out, '');
  });

  it('CUSTODIAN_KEY: the key text itself; an encrypted one takes CUSTODIAN_PASSPHRASE or --passphrase-file', () => {
    const plain = run(['decrypt', toAlice], { env: { CUSTODIAN_KEY: text(alice) } });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.out, 'the secret\n');
    const withEnv = run(['decrypt', toBob], { env: { CUSTODIAN_KEY: text(bob), CUSTODIAN_PASSPHRASE: PASS } });
    assert.equal(withEnv.code, 0, withEnv.stderr);
    const passFile = path.join(dir, 'pass.txt');
    fs.writeFileSync(passFile, `${PASS}\n`);
    const withFile = run(['decrypt', '--passphrase-file', passFile, toBob], { env: { CUSTODIAN_KEY: text(bob) } });
    assert.equal(withFile.code, 0, withFile.stderr);
    assert.equal(withFile.out, 'the secret\n');
  });

  it('CUSTODIAN_IDENTITY comes before CUSTODIAN_KEY', () => {
    const r = run(['decrypt', toAlice], { env: { CUSTODIAN_IDENTITY: carol.privatePath, CUSTODIAN_KEY: text(alice) } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no identity matched/);
  });

  it('a careless CUSTODIAN_KEY (a path, a broken key, a wrong passphrase) fails clearly and never echoes the value', () => {
    const asPath = run(['decrypt', toAlice], { env: { CUSTODIAN_KEY: alice.privatePath } });
    assert.equal(asPath.code, 1);
    assert.match(asPath.stderr, /CUSTODIAN_KEY does not hold a PEM or OpenSSH private key/);
    assert.match(asPath.stderr, /hint: .*CUSTODIAN_IDENTITY/);
    assert.ok(!asPath.stderr.includes(alice.privatePath));
    const lines = text(alice).split('\n');
    const broken = [...lines.slice(0, 5), ...lines.slice(8)].join('\n');
    const b = run(['decrypt', toAlice], { env: { CUSTODIAN_KEY: broken } });
    assert.equal(b.code, 1);
    assert.match(b.stderr, /^custodian: error: CUSTODIAN_KEY: /);
    for (const line of lines.slice(1, -2)) assert.ok(!b.stderr.includes(line), 'no line of the key appears in the error');
    const wrong = run(['decrypt', toBob], { env: { CUSTODIAN_KEY: text(bob), CUSTODIAN_PASSPHRASE: 'not it' } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /CUSTODIAN_KEY: wrong passphrase/);
    assert.ok(!wrong.stderr.includes(text(bob).split('\n')[1]));
  });

  it('CUSTODIAN_KEY holding a key\'s base64 body without its PEM lines: refused, and no 4 characters of it in the output', () => {
    // A body pasted without its BEGIN/END lines is still the key: an error quoting even its start
    // ("it starts MIIEvQIBADAN…") puts part of it in CI logs. A fixed vector, so the check is deterministic.
    const pem = fs.readFileSync(path.join(__dirname, '..', 'vectors', 'keys', 'rsa2048-pkcs8.pem'), 'utf8');
    const body = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
    for (const args of [['decrypt', toAlice], ['encrypt', '-r', alice.sshPubPath, '-S', path.join(dir, 'plain.txt')]]) {
      const r = run(args, { env: { CUSTODIAN_KEY: body } });
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /CUSTODIAN_KEY does not hold a PEM or OpenSSH private key/);
      const output = r.stderr + r.out;
      for (let i = 0; i + 4 <= body.length; i++) assert.ok(!output.includes(body.slice(i, i + 4)), `${args[0]}: "${body.slice(i, i + 4)}" (at ${i}) of the key is in the output`);
    }
  });

  it('no source at all: a usage error that names every source', () => {
    const r = run(['decrypt', toAlice]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^custodian: error: no private key\ncustodian: hint: pass -i KEY, set CUSTODIAN_IDENTITY=FILE or CUSTODIAN_KEY, or run .* VS Code/);
  });

  it('no source at all: docs/CLI.md and --help give the exit status the CLI returns', () => {
    const { code } = run(['decrypt', toAlice]);
    const docs = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'CLI.md'), 'utf8');
    const rows = [...docs.matchAll(/^\| (\d+) \| (.*) \|$/gm)].filter(([, , meaning]) => meaning.includes('no private key'));
    assert.deepEqual(rows.map(([, status]) => Number(status)), [code], 'one row of the exit status table lists "no private key", with this status');
    // Every sentence of the prose that says what "no private key" exits with says the same.
    const sentences = docs.replace(/^\|.*$/gm, '').split(/\.\s/).filter((s) => s.includes('no private key'));
    const stated = sentences.flatMap((s) => [...s.matchAll(/(?:exit|status)\W+(?:status\W+)?(\d+)/g)].map((m) => Number(m[1])));
    assert.ok(stated.length >= 3, `the identities, rekey and roster sections say it: ${sentences.join(' / ')}`);
    assert.deepEqual([...new Set(stated)], [code], sentences.join('\n'));
    assert.match(run(['--help']).out, new RegExp(`\\n${code} usage error \\([^)]*no private key`));
  });

  it('encrypt -S signs with the resolved key; -s SHA256:… picks one of them; -s FILE as before', () => {
    const plain = path.join(dir, 'plain.txt');
    const signed = path.join(dir, 'signed-S.enc');
    const s = run(['encrypt', '-r', alice.sshPubPath, '-S', '-o', signed, plain], { env: { CUSTODIAN_KEY: text(carol) } });
    assert.equal(s.code, 0, s.stderr);
    const d = run(['decrypt', '-i', alice.privatePath, '--require-signer', carol.sshPubPath, signed]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, new RegExp(`signed by ${carol.fingerprint.replace(/[+/]/g, '\\$&')}`));

    const both = [carol.privatePath, alice.privatePath].join(path.delimiter);
    const picked = path.join(dir, 'signed-fp.enc');
    const p = run(['encrypt', '-r', alice.sshPubPath, '-s', alice.fingerprint, '-o', picked, plain], { env: { CUSTODIAN_IDENTITY: both } });
    assert.equal(p.code, 0, p.stderr);
    assert.equal(run(['decrypt', '-i', alice.privatePath, '--require-signer', alice.sshPubPath, picked]).code, 0);

    const unknown = run(['encrypt', '-r', alice.sshPubPath, '-s', bob.fingerprint, '-o', path.join(dir, 'x.enc'), plain], { env: { CUSTODIAN_IDENTITY: both } });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no key SHA256:\S+ among the keys of CUSTODIAN_IDENTITY/);
    assert.ok(!fs.existsSync(path.join(dir, 'x.enc')));

    assert.equal(run(['encrypt', '-r', alice.sshPubPath, '-s', alice.privatePath, '-S', plain]).code, 2);
    const noKey = run(['encrypt', '-r', alice.sshPubPath, '-S', '-a', plain]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no private key/);
  });

  it('custodian identities lists every source with fingerprints and marks the one used', () => {
    const r = run(['identities'], { env: { CUSTODIAN_IDENTITY: alice.privatePath, CUSTODIAN_KEY: text(carol) } });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.out.split('\n');
    assert.equal(lines[0], '-i: not given');
    assert.equal(lines[1], 'CUSTODIAN_IDENTITY: (used)');
    assert.ok(lines[2].startsWith(`  ${alice.fingerprint}`) && lines[2].endsWith(alice.privatePath), lines[2]);
    assert.equal(lines[3], 'CUSTODIAN_KEY:');
    assert.ok(lines[4].startsWith(`  ${carol.fingerprint}`), lines[4]);
    assert.match(lines[5], /^VS Code agent: not found/);
    assert.ok(!r.out.includes(text(carol).split('\n')[1]));

    const withI = run(['identities', '-i', bob.privatePath], { env: { CUSTODIAN_PASSPHRASE: PASS } });
    assert.match(withI.out, /^-i: \(used\)\n {2}SHA256:/);
    const none = run(['identities']);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /warning: no source of private keys/);
  });
});
