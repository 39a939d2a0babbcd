// custodian rekey, played by the careless lead and by the attacker: after a teammate leaves, the new
// versions of .enc and value-encrypted files are not for them, nothing plaintext touches the disk, and
// a file that is tampered with, not mine to open, of chosen recipients, or of unknown origin is left as
// it was (re-keying must not launder content under my signature). Real files, real openssl keys.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encryptBytes } from '../../src/core/envelope';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { privateKeyFromPem, publicKeyFromPem } from '../core/envelope-fixtures';
import { listDir, makeOpensslKey, removeDir, run, tempDir, type RunResult, type TestKey } from './helpers';

describe('cli: custodian rekey', function () {
  this.timeout(120_000);
  let keys: string;
  let alice: TestKey;
  let bob: TestKey;
  let dana: TestKey;
  let mallory: TestKey;
  let repo: string;
  let config: string;
  const SECRET = 'db-secret-Rk7q';

  const cli = (args: string[]): RunResult => run(args, { cwd: repo, env: { XDG_CONFIG_HOME: config } });
  const ok = (r: RunResult): RunResult => (assert.equal(r.code, 0, r.stderr), r);
  const fingerprints = (file: string): string[] => {
    const out = ok(cli(['inspect', '--json', ...(file.endsWith('.enc') ? [] : ['--values']), file])).out;
    return (JSON.parse(out).recipients as { fingerprint: string }[]).map((r) => r.fingerprint).sort();
  };
  const opens = (key: TestKey, file: string): boolean => cli(['decrypt', '-i', key.privatePath, ...(file.endsWith('.enc') ? [] : ['--values']), file]).code === 0;

  before(() => {
    keys = tempDir();
    alice = makeOpensslKey(keys, 'alice');
    bob = makeOpensslKey(keys, 'bob');
    dana = makeOpensslKey(keys, 'dana');
    mallory = makeOpensslKey(keys, 'mallory');
  });
  after(() => removeDir(keys));

  beforeEach(() => {
    repo = tempDir('custodian-rekey-repo-');
    config = tempDir('custodian-rekey-config-');
    fs.mkdirSync(path.join(repo, '.git'));
    const team = path.join(repo, '.custodian', 'team');
    fs.mkdirSync(team, { recursive: true });
    for (const k of [alice, bob, dana]) fs.copyFileSync(k.sshPubPath, path.join(team, `${path.basename(k.sshPubPath, '.pub')}.pub`));
    const plain = path.join(keys, 'plain.env');
    fs.writeFileSync(plain, `DB_PASSWORD=${SECRET}\nAPP_NAME_PUBLIC=shop\n`);
    ok(cli(['encrypt', '-R', team, '-s', alice.privatePath, '-o', 'app.env.enc', plain]));
    ok(cli(['encrypt', '--values', '--unencrypted-suffix', '_PUBLIC', '-R', team, '-s', alice.privatePath, '-o', '.env', plain]));
    fs.rmSync(plain);
  });
  afterEach(() => {
    removeDir(repo);
    removeDir(config);
  });

  function removeDana(): void {
    fs.rmSync(path.join(repo, '.custodian', 'team', `${path.basename(dana.sshPubPath, '.pub')}.pub`));
  }

  it('after a teammate left: the roster of the repository by default, from a subfolder; she cannot open the new versions; no plaintext written', () => {
    removeDana();
    const before = listDir(repo);
    fs.mkdirSync(path.join(repo, 'sub'));
    const r = run(['rekey', '-i', alice.privatePath, '../app.env.enc', '../.env'], { cwd: path.join(repo, 'sub'), env: { XDG_CONFIG_HOME: config } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /app\.env\.enc: re-encrypted for the team \(.*\.custodian\/team: 2 keys\), signed by SHA256:/);
    assert.doesNotMatch(r.stderr, /already encrypted/, 'a re-encrypted file is not also said to be left as it is');
    fs.rmdirSync(path.join(repo, 'sub'));
    assert.deepEqual(listDir(repo), before, 'no file added or left behind');
    const team = [alice.fingerprint, bob.fingerprint].sort();
    for (const file of ['app.env.enc', '.env']) {
      assert.deepEqual(fingerprints(path.join(repo, file)), team, file);
      assert.ok(!opens(dana, file), `dana cannot open the new ${file}`);
      assert.ok(opens(bob, file), `bob still opens ${file}`);
      assert.ok(!fs.readFileSync(path.join(repo, file), 'utf8').includes(SECRET), `${file} holds no plaintext`);
    }
    const values = fs.readFileSync(path.join(repo, '.env'), 'utf8');
    assert.match(values, /^APP_NAME_PUBLIC=shop$/m, 'the rule of values left readable is kept');
    assert.match(values, /^#custodian:encrypt=unencrypted-suffix:_PUBLIC$/m);
    const decrypted = ok(cli(['decrypt', '-i', bob.privatePath, 'app.env.enc']));
    assert.match(decrypted.stderr, new RegExp(`signed by ${alice.fingerprint.replace(/[+/]/g, '\\$&')}`));
    assert.equal(decrypted.out, `DB_PASSWORD=${SECRET}\nAPP_NAME_PUBLIC=shop\n`);
  });

  it('a file already for the team is left byte for byte', () => {
    const enc = fs.readFileSync(path.join(repo, 'app.env.enc'));
    const values = fs.readFileSync(path.join(repo, '.env'));
    const r = ok(cli(['rekey', '-i', alice.privatePath, 'app.env.enc', '.env']));
    assert.match(r.stderr, /app\.env\.enc: already encrypted for the team .*left as it is/);
    assert.ok(fs.readFileSync(path.join(repo, 'app.env.enc')).equals(enc));
    assert.ok(fs.readFileSync(path.join(repo, '.env')).equals(values));
  });

  it('a tampered file, and one none of my keys opens: left as they were, the others re-keyed, exit 1', () => {
    removeDana();
    const enc = path.join(repo, 'app.env.enc');
    const bytes = fs.readFileSync(enc);
    bytes[bytes.length - 20] ^= 1;
    fs.writeFileSync(enc, bytes);
    const r = cli(['rekey', '-i', mallory.privatePath, '-i', alice.privatePath, 'app.env.enc', '.env']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /app\.env\.enc: not re-encrypted \(left as it was\)/);
    assert.match(r.stderr, /1 of 2 files not re-encrypted/);
    assert.ok(fs.readFileSync(enc).equals(bytes), 'the tampered file is as it was');
    assert.deepEqual(fingerprints(path.join(repo, '.env')), [alice.fingerprint, bob.fingerprint].sort(), 'the other file was re-keyed');
    assert.deepEqual(listDir(repo).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    const notMine = cli(['rekey', '-i', mallory.privatePath, '.env']);
    assert.equal(notMine.code, 1);
    assert.match(notMine.stderr, /\.env: not re-encrypted .*no identity matched/);
  });

  it('a value-encrypted file that does not parse is reported by what is wrong with it (as get does), not as "not encrypted by Custodian"', () => {
    const plain = path.join(keys, 'plain.json');
    fs.writeFileSync(plain, `{\n  "db": {"password": "${SECRET}"},\n  "port": "5432"\n}\n`);
    ok(cli(['encrypt', '--values', '-R', '.custodian/team', '-s', alice.privatePath, '-o', 'config.json', plain]));
    fs.rmSync(plain);
    removeDana();
    const sealed = fs.readFileSync(path.join(repo, 'config.json'), 'utf8');
    const cases: [string, string, RegExp][] = [
      ['config.json', sealed.replace(/("port": "[^"]*")/, '$1, "port": "1"'), /not valid JSON: duplicate member name at line 3/],
      ['config.json', `${sealed}trailing\n`, /not valid JSON: data after the top-level object at line \d+/],
      ['.env', `${fs.readFileSync(path.join(repo, '.env'), 'utf8')}EXTRA=1\n`, /malformed metadata: line \d+ of the block at the end of the file/],
    ];
    for (const [file, text, expected] of cases) {
      fs.writeFileSync(path.join(repo, file), text);
      const r = cli(['rekey', '-i', alice.privatePath, file]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${file.replace('.', '\\.')}: not re-encrypted \\(left as it was\\): ${expected.source}`));
      assert.doesNotMatch(r.stderr, /not encrypted by Custodian/);
      assert.equal(fs.readFileSync(path.join(repo, file), 'utf8'), text, 'left as it was');
    }
    fs.writeFileSync(path.join(repo, 'plain.json'), '{"a": "b"}\n');
    assert.match(cli(['rekey', '-i', alice.privatePath, 'plain.json']).stderr, /plain\.json is not encrypted by Custodian/);
  });

  it('content of unknown origin is not signed as mine unasked: unsigned, or signed by someone outside the team', async () => {
    const backend = createNodeCryptoBackend();
    const team = [alice, bob, dana, mallory].map((k) => publicKeyFromPem(fs.readFileSync(k.publicPemPath, 'utf8')));
    const malloryKey = privateKeyFromPem(fs.readFileSync(mallory.privatePath, 'utf8'));
    const planted = path.join(repo, 'planted.env.enc');
    fs.writeFileSync(planted, await encryptBytes(new TextEncoder().encode('DB_PASSWORD=mallorys\n'), { recipients: team, signer: malloryKey, backend }));
    const unsigned = path.join(repo, 'unsigned.env.enc');
    fs.writeFileSync(unsigned, await encryptBytes(new TextEncoder().encode('X=1\n'), { recipients: team, backend }));
    const plantedBytes = fs.readFileSync(planted);
    const r = cli(['rekey', '-i', alice.privatePath, 'planted.env.enc', 'unsigned.env.enc']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`planted\\.env\\.enc is signed by ${mallory.fingerprint.replace(/[+/]/g, '\\$&')}, who is not among the new recipients`));
    assert.match(r.stderr, /unsigned\.env\.enc is not signed: re-encrypting signs its content as you/);
    assert.ok(fs.readFileSync(planted).equals(plantedBytes));
    ok(cli(['rekey', '-i', alice.privatePath, '--sign-unverified', 'unsigned.env.enc']));
    assert.match(ok(cli(['decrypt', '-i', bob.privatePath, 'unsigned.env.enc'])).stderr, /signed by/);
  });

  it('encrypt records why its recipients are who they are: -R alone is the team, any -r is chosen, so rekey never widens it', () => {
    const policy = (file: string): string | null => JSON.parse(ok(cli(['inspect', '--json', ...(file.endsWith('.enc') ? [] : ['--values']), file])).out).recipientPolicy;
    const plain = path.join(repo, 'policy-plain.txt');
    fs.writeFileSync(plain, 'P=1\n');
    try {
      ok(cli(['encrypt', '-R', '.custodian/team', '-o', 'policy-team.enc', plain]));
      ok(cli(['encrypt', '-r', alice.sshPubPath, '-o', 'policy-one.enc', plain]));
      ok(cli(['encrypt', '-R', '.custodian/team', '-r', mallory.sshPubPath, '-o', 'policy-both.enc', plain]));
      fs.writeFileSync(path.join(repo, 'policy.plain.env'), 'P=1\n');
      ok(cli(['encrypt', '--values', '-r', alice.sshPubPath, '-o', 'policy.env', 'policy.plain.env']));
      assert.deepEqual(['policy-team.enc', 'policy-one.enc', 'policy-both.enc', 'policy.env'].map(policy), ['team', 'chosen', 'chosen', 'chosen']);
      // The file for alice alone stays hers: re-keying for the team refuses it.
      const r = cli(['rekey', '-i', alice.privatePath, 'policy-one.enc']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /keeps its recipients: its recipients were chosen/);
      assert.deepEqual(fingerprints(path.join(repo, 'policy-one.enc')), [alice.fingerprint]);
    } finally {
      for (const f of ['policy-plain.txt', 'policy-team.enc', 'policy-one.enc', 'policy-both.enc', 'policy.plain.env', 'policy.env']) fs.rmSync(path.join(repo, f), { force: true });
    }
  });

  it('a Shamir share or an MFA seed written before the policy field keeps its recipients by its location: no roster widens either, a share goes to one key that holds no other share of its set, and a seed named one by one says who is new', async () => {
    // The attacker: bob holds one share of a 2-of-3 set; re-keyed to the team, carol could recover alone.
    const backend = createNodeCryptoBackend();
    const bobKey = privateKeyFromPem(fs.readFileSync(bob.privatePath, 'utf8'));
    const shares = path.join(repo, '.custodian', 'shares', 'db-root');
    const mfa = path.join(repo, '.custodian', 'mfa');
    fs.mkdirSync(shares, { recursive: true });
    fs.mkdirSync(mfa, { recursive: true });
    const share = path.join(shares, 'bob.share.enc');
    const seed = path.join(mfa, 'github.enc');
    // No recipientPolicy field: what a writer before the field wrote.
    fs.writeFileSync(share, await encryptBytes(new TextEncoder().encode('share'), { recipients: [bobKey.publicKey], signer: bobKey, backend }));
    fs.writeFileSync(seed, await encryptBytes(new TextEncoder().encode('seed'), { recipients: [bobKey.publicKey], signer: bobKey, backend }));
    const shareBytes = fs.readFileSync(share);
    const seedBytes = fs.readFileSync(seed);
    assert.equal(JSON.parse(ok(cli(['inspect', '--json', share])).out).recipientPolicy, null, 'no field');

    // The documented sweep, by the roster of the repository: both are left as they were.
    const sweep = cli(['rekey', '-i', bob.privatePath, share, seed, 'app.env.enc']);
    assert.equal(sweep.code, 1, sweep.stderr);
    assert.match(sweep.stderr, /bob\.share\.enc keeps its recipients: a Shamir share stays sealed to its custodian only/);
    assert.match(sweep.stderr, /github\.enc keeps its recipients: an MFA seed keeps the recipients it was shared with/);
    assert.ok(fs.readFileSync(share).equals(shareBytes) && fs.readFileSync(seed).equals(seedBytes), 'neither re-keyed');
    // A roster named with -R widens neither: a roster is a team, which a seed for some is not (the
    // refusal's hint once said "-r (or -R)", and a red-team trial's -R gave the seed to the whole team).
    const named = cli(['rekey', '-i', bob.privatePath, '-R', '.custodian/team', share, seed]);
    assert.equal(named.code, 1, named.stderr);
    assert.match(named.stderr, /bob\.share\.enc keeps its recipients: .*only for recipients named one by one with -r, never for a roster/);
    assert.match(named.stderr, /github\.enc keeps its recipients: an MFA seed keeps the recipients it was shared with; .*never for a roster/);
    assert.doesNotMatch(named.stderr, /or -R/);
    assert.ok(fs.readFileSync(share).equals(shareBytes) && fs.readFileSync(seed).equals(seedBytes), 'neither widened to the roster');
    // Named one by one with -r, the seed goes to them, and the run says who could not read it before.
    const seedFor = cli(['rekey', '-i', bob.privatePath, '-r', bob.sshPubPath, '-r', dana.sshPubPath, seed]);
    assert.equal(seedFor.code, 0, seedFor.stderr);
    assert.match(seedFor.stderr, /github\.enc: now also for .*, who could not read it before \(its recipients were chosen/);
    assert.deepEqual(fingerprints(seed), [bob.fingerprint, dana.fingerprint].sort());
    // A share goes to one key, never several (each holder could then recover with one share fewer)…
    const several = cli(['rekey', '-i', bob.privatePath, '-r', bob.sshPubPath, '-r', dana.sshPubPath, share]);
    assert.equal(several.code, 1);
    assert.match(several.stderr, /bob\.share\.enc is a Shamir share, sealed to one custodian: it cannot be re-encrypted for 2 recipients/);
    assert.ok(fs.readFileSync(share).equals(shareBytes));
    // …nor to a custodian who holds another share of the set: one person would count twice.
    const danaKey = privateKeyFromPem(fs.readFileSync(dana.privatePath, 'utf8'));
    const danas = path.join(shares, 'dana.share.enc');
    fs.writeFileSync(danas, await encryptBytes(new TextEncoder().encode('share 2'), { recipients: [danaKey.publicKey], signer: danaKey, backend }));
    const twice = cli(['rekey', '-i', bob.privatePath, '-r', dana.sshPubPath, share]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already holds dana\.share\.enc, another share of the same set/);
    assert.ok(fs.readFileSync(share).equals(shareBytes));
    fs.rmSync(danas);
    // Its one custodian's key, named with -r, is how a share is re-sealed (bob's new key).
    ok(cli(['rekey', '-i', bob.privatePath, '-r', dana.sshPubPath, share]));
    assert.deepEqual(fingerprints(share), [dana.fingerprint]);
  });

  it('refuses a roster reached through a symbolic link, and a second roster nested inside the repository', () => {
    const team = path.join(repo, '.custodian', 'team');
    ok(cli(['rekey', '-i', alice.privatePath, 'app.env.enc'])); // pins the roster
    const enc = fs.readFileSync(path.join(repo, 'app.env.enc'));
    // The attacker's commit: .custodian/team becomes a link to a folder with the same keys and mallory's.
    const other = path.join(repo, '.custodian', 'keys');
    fs.renameSync(team, other);
    fs.copyFileSync(mallory.sshPubPath, path.join(other, 'mallory.pub'));
    fs.symlinkSync('keys', team);
    for (const args of [['app.env.enc'], ['-R', '.custodian/team', 'app.env.enc']]) {
      const r = cli(['rekey', '-i', alice.privatePath, ...args]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /the roster .*team is reached through a symbolic link/);
    }
    const encrypt = cli(['encrypt', '-R', '.custodian/team', '-o', 'new.enc', 'app.env.enc']);
    assert.notEqual(encrypt.code, 0);
    assert.ok(!fs.existsSync(path.join(repo, 'new.enc')), 'nothing encrypted to the linked roster');
    assert.ok(fs.readFileSync(path.join(repo, 'app.env.enc')).equals(enc), 'not re-keyed to mallory');
    fs.rmSync(team);
    fs.rmSync(path.join(other, 'mallory.pub'));
    fs.renameSync(other, team);

    // A roster committed below the repository's: a file under it would be re-keyed to its keys on first use.
    const nested = path.join(repo, 'config', '.custodian', 'team');
    fs.mkdirSync(nested, { recursive: true });
    for (const k of [alice, bob, mallory]) fs.copyFileSync(k.sshPubPath, path.join(nested, `${path.basename(k.sshPubPath, '.pub')}.pub`));
    fs.copyFileSync(path.join(repo, 'app.env.enc'), path.join(repo, 'config', 'prod.enc'));
    const prod = fs.readFileSync(path.join(repo, 'config', 'prod.enc'));
    const r = cli(['rekey', '-i', alice.privatePath, 'config/prod.enc']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /two team rosters claim config: config\/\.custodian\/team inside the repository whose roster is \.custodian\/team/);
    assert.ok(fs.readFileSync(path.join(repo, 'config', 'prod.enc')).equals(prod), 'not re-keyed to the nested roster');
  });

  it('never re-keys through a symbolic link: a committed link to another project\'s secret (file or folder) is refused, named with its target, and the target stays for its own team', () => {
    // The victim's other project, beside this one: encrypted for alice and bob only.
    const infra = tempDir('custodian-rekey-infra-');
    try {
      const plain = path.join(infra, 'plain.env');
      fs.writeFileSync(plain, `PROD_DB_PASSWORD=${SECRET}\n`);
      ok(cli(['encrypt', '-r', alice.sshPubPath, '-r', bob.sshPubPath, '-s', alice.privatePath, '-o', path.join(infra, 'prod.env.enc'), plain]));
      ok(cli(['encrypt', '--values', '-r', alice.sshPubPath, '-r', bob.sshPubPath, '-s', alice.privatePath, '-o', path.join(infra, 'prod.env'), plain]));
      fs.rmSync(plain);
      const targets = ['prod.env.enc', 'prod.env'].map((f) => [f, fs.readFileSync(path.join(infra, f))] as const);
      // The attacker's commit: links named like the team's secrets, a linked folder, and mallory in the roster.
      fs.mkdirSync(path.join(repo, 'config'));
      fs.symlinkSync(path.join(infra, 'prod.env.enc'), path.join(repo, 'config', 'prod.env.enc'));
      fs.symlinkSync(path.join(infra, 'prod.env'), path.join(repo, 'config', 'prod.env'));
      fs.symlinkSync(infra, path.join(repo, 'shared'));
      fs.copyFileSync(mallory.sshPubPath, path.join(repo, '.custodian', 'team', 'mallory.pub'));
      ok(cli(['roster', 'trust', '-R', '.custodian/team', 'mallory'])); // the victim was fooled into trusting mallory's key

      const r = cli(['rekey', '-i', alice.privatePath, '--sign-unverified', 'config/prod.env.enc', 'config/prod.env', 'shared/prod.env.enc', 'app.env.enc']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`config/prod\\.env\\.enc: not re-encrypted \\(left as it was\\): config/prod\\.env\\.enc is a symbolic link to ${infra.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/prod\\.env\\.enc: Custodian never re-encrypts through a link`));
      assert.match(r.stderr, /config\/prod\.env: not re-encrypted \(left as it was\): config\/prod\.env is a symbolic link/);
      assert.match(r.stderr, /shared\/prod\.env\.enc: not re-encrypted .*shared\/prod\.env\.enc is reached through a symbolic link \(the folder shared leads to /);
      assert.match(r.stderr, /hint: re-encrypt the file where it lives, for its own team; if the link does not belong in this repository, remove it \(git log -- config\/prod\.env\.enc/);
      assert.match(r.stderr, /3 of 4 files not re-encrypted/);
      assert.ok(fs.lstatSync(path.join(repo, 'config', 'prod.env.enc')).isSymbolicLink(), 'the link is still a link');
      assert.ok(fs.lstatSync(path.join(repo, 'config', 'prod.env')).isSymbolicLink(), 'the link is still a link');
      for (const [f, bytes] of targets) assert.ok(fs.readFileSync(path.join(infra, f)).equals(bytes), `${f} of the other project is as it was`);
      assert.ok(!opens(mallory, path.join(infra, 'prod.env.enc')), 'mallory cannot open the other project\'s secret');
      assert.ok(opens(mallory, 'app.env.enc'), 'the repository\'s own file was re-keyed for the team, mallory included');
      assert.deepEqual(listDir(repo).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');

      // Links alone: refused before any key is asked for.
      const only = cli(['rekey', 'config/prod.env.enc']);
      assert.equal(only.code, 1, only.stderr);
      assert.match(only.stderr, /is a symbolic link/);
      assert.doesNotMatch(only.stderr, /identity|passphrase|no key/i);
      assert.match(only.stderr, /1 of 1 file not re-encrypted/);
    } finally {
      removeDir(infra);
    }
  });

  it('chosen recipients are not widened to the team unless named; a swapped roster key stops everything', async () => {
    const backend = createNodeCryptoBackend();
    const aliceKey = privateKeyFromPem(fs.readFileSync(alice.privatePath, 'utf8'));
    const share = path.join(repo, 'share-1.enc');
    fs.writeFileSync(share, await encryptBytes(new TextEncoder().encode('share'), { recipients: [aliceKey.publicKey], signer: aliceKey, backend, recipientPolicy: 'chosen' }));
    const r = cli(['rekey', '-i', alice.privatePath, 'share-1.enc']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /keeps its recipients: its recipients were chosen/);
    ok(cli(['rekey', '-i', alice.privatePath, '-r', alice.sshPubPath, '-r', bob.sshPubPath, 'share-1.enc']));
    assert.deepEqual(fingerprints(share), [alice.fingerprint, bob.fingerprint].sort());
    assert.equal(JSON.parse(ok(cli(['inspect', '--json', share])).out).recipientPolicy, 'chosen', 'still chosen');

    // The roster was pinned by the first run; a key swapped in the working tree is refused before any file changes.
    ok(cli(['rekey', '-i', alice.privatePath, 'app.env.enc']));
    const enc = fs.readFileSync(path.join(repo, 'app.env.enc'));
    fs.copyFileSync(mallory.sshPubPath, path.join(repo, '.custodian', 'team', `${path.basename(bob.sshPubPath, '.pub')}.pub`));
    const swapped = cli(['rekey', '-i', alice.privatePath, 'app.env.enc', '.env']);
    assert.notEqual(swapped.code, 0);
    assert.match(swapped.stderr, /changed|new in the roster|pinned/);
    assert.ok(fs.readFileSync(path.join(repo, 'app.env.enc')).equals(enc), 'nothing re-keyed to the swapped key');
  });
});
