// The git merge driver on value-encrypted .env, JSON and YAML files (docs/VALUES.md §12), with the real
// git in temporary repositories: two clones edit values, git runs the driver, and the checks are the
// decrypted result against `git merge-file` on the plaintexts, the tokens kept, and no plaintext on disk.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoPlaintext, gitIn, ok, teamRepoAndClone } from './git-helpers';
import { cleanEnv, cliPath, makeOpensslKey, removeDir, run, sh, tempDir, type TestKey } from './helpers';

/** In every secret of these tests: found anywhere on disk, plaintext leaked. */
const MARKER = 'VALUE-PLAINTEXT-5c1e8b';

/** `git merge-file` with the driver's labels on three texts: the oracle. */
function gitMergeFile(dir: string, base: string, ours: string, theirs: string): { text: string; status: number | null } {
  const d = fs.mkdtempSync(path.join(dir, 'oracle-'));
  fs.writeFileSync(path.join(d, 'base'), base);
  fs.writeFileSync(path.join(d, 'ours'), ours);
  fs.writeFileSync(path.join(d, 'theirs'), theirs);
  const r = spawnSync('git', ['merge-file', '-p', '-L', 'ours', '-L', 'base', '-L', 'theirs', 'ours', 'base', 'theirs'], { cwd: d, env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }) });
  removeDir(d);
  return { text: r.stdout.toString('utf8'), status: r.status };
}

describe('cli: git merge driver on value-encrypted files (real git)', function () {
  this.timeout(240_000);
  let dir: string;
  let keys: { alice: TestKey; bob: TestKey; carol: TestKey; mallory: TestKey };

  before(() => {
    dir = tempDir('custodian-git-values-');
    const keyDir = path.join(dir, 'keys');
    fs.mkdirSync(keyDir);
    keys = { alice: makeOpensslKey(keyDir, 'alice'), bob: makeOpensslKey(keyDir, 'bob'), carol: makeOpensslKey(keyDir, 'carol'), mallory: makeOpensslKey(keyDir, 'mallory') };
    cliPath();
  });
  after(() => removeDir(dir));

  const asUser = (who: TestKey) => ({ CUSTODIAN_IDENTITY: who.privatePath });

  function custodian(cwd: string, args: string[], who?: TestKey, input?: string) {
    return run(args, { cwd, env: who ? asUser(who) : {}, input });
  }

  function setValue(repo: string, file: string, name: string, value: string, who: TestKey): void {
    const r = custodian(repo, ['set', file, name], who, value);
    assert.equal(r.code, 0, r.stderr);
  }

  function decrypted(repo: string, file: string, who: TestKey): { text: string; stderr: string } {
    const r = custodian(repo, ['decrypt', '--values', '-i', who.privatePath, file]);
    assert.equal(r.code, 0, r.stderr);
    return { text: r.out, stderr: r.stderr };
  }

  /** Bob sets NAME in his clone's .env, commits, and pulls main (git runs the driver): the pull, and ours as it was before it. */
  function bobSetsAndPulls(b: string, name: string, value: string) {
    setValue(b, '.env', name, value, keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', `bob sets ${name}`]));
    const ours = fs.readFileSync(path.join(b, '.env'));
    return { gb, ours, merge: gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']) };
  }

  /** A repository with a roster and `file` value-encrypted for it, set up; and a clone, set up. */
  function twoClones(name: string, file: string, format: string, plaintext: string, team: ('alice' | 'bob' | 'carol')[] = ['alice', 'bob']): { a: string; b: string } {
    const a = path.join(dir, `${name}-a`);
    const b = path.join(dir, `${name}-b`);
    const setup = teamRepoAndClone(a, b, Object.fromEntries(team.map((who) => [who, keys[who]])), (repo) => {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      const enc = custodian(repo, ['encrypt', '--values', '--format', format, '-R', '.custodian/team', '-s', keys.alice.privatePath, '-o', file, '-'], undefined, plaintext);
      assert.equal(enc.code, 0, enc.stderr);
    });
    assert.match(setup, new RegExp(`merge=custodian for the value-encrypted file ${file.replace('.', '\\.')}`));
    return { a, b };
  }

  const envLines = (n: number): string => Array.from({ length: n }, (_, k) => `KEY_${k}=${MARKER}-base-${k}\n`).join('');

  it('two clones edit different values of a .env: clean, equals git merge-file on the plaintexts, unchanged tokens kept, signed, readable by both', () => {
    const base = `# settings\n${envLines(12)}`;
    const { a, b } = twoClones('env-clean', '.env', 'dotenv', base);
    assert.match(fs.readFileSync(path.join(a, '.gitattributes'), 'utf8'), /^\/\.env merge=custodian$/m);
    assert.match(custodian(b, ['git', 'setup', '--check']).out, /present\s+value-encrypted files: 1 file\(s\) use merge=custodian/);
    setValue(a, '.env', 'KEY_2', `${MARKER}-alice`, keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice edits']));
    const { gb, ours, merge } = bobSetsAndPulls(b, 'KEY_9', `${MARKER}-bob`);
    const oursFile = ours.toString('utf8');
    assert.equal(merge.status, 0, merge.err);

    const plain = (who: TestKey, rev: string): string => {
      const text = gb(['show', `${rev}:.env`]).out;
      const r = run(['decrypt', '--values', '--format', 'dotenv', '-i', who.privatePath, '-'], { input: text });
      assert.equal(r.code, 0, r.stderr);
      return r.out;
    };
    const mergeBase = gb(['merge-base', 'HEAD^1', 'HEAD^2']).out.trim();
    const expected = gitMergeFile(dir, plain(keys.bob, mergeBase), plain(keys.bob, 'HEAD^1'), plain(keys.bob, 'HEAD^2'));
    assert.equal(expected.status, 0);
    for (const who of [keys.alice, keys.bob]) {
      const d = decrypted(b, '.env', who);
      assert.equal(d.text, expected.text);
      assert.match(d.stderr, new RegExp(`signed by ${keys.bob.fingerprint.replace(/[+/]/g, '.')}`));
    }
    // Every value the merge did not change keeps ours' token: the diff against ours is KEY_2, mac=, signature=.
    const merged = fs.readFileSync(path.join(b, '.env'), 'utf8').split('\n');
    const before = oursFile.split('\n');
    assert.equal(merged.length, before.length);
    const changed = merged.map((l, k) => (l === before[k] ? undefined : l.split('=')[0])).filter((x) => x !== undefined);
    assert.deepEqual(changed, ['KEY_2', '#custodian:mac', '#custodian:signature']);
    assertNoPlaintext(a, MARKER);
    assertNoPlaintext(b, MARKER);
  });

  it('a .env that starts with a byte order mark merges clean (the mark is part of its first covered line, kept through the driver)', () => {
    const { a, b } = twoClones('env-bom', '.env', 'dotenv', `\uFEFF${envLines(6)}`);
    assert.deepEqual([...fs.readFileSync(path.join(a, '.env')).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    setValue(a, '.env', 'KEY_1', `${MARKER}-alice`, keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice edits']));
    const { merge } = bobSetsAndPulls(b, 'KEY_4', `${MARKER}-bob`);
    assert.equal(merge.status, 0, merge.err);
    const d = decrypted(b, '.env', keys.bob);
    assert.ok(d.text.startsWith(`\uFEFFKEY_0=${MARKER}-base-0\nKEY_1=${MARKER}-alice\n`), JSON.stringify(d.text.slice(0, 80)));
    assert.match(d.text, new RegExp(`^KEY_4=${MARKER}-bob$`, 'm'));
    assertNoPlaintext(b, MARKER);
  });

  it('the same value edited on both sides: a conflict git reports, markers around sealed values, no plaintext under the repository; the markers show decrypted', () => {
    const { a, b } = twoClones('env-conflict', '.env', 'dotenv', envLines(8));
    setValue(a, '.env', 'KEY_4', `${MARKER}-alice`, keys.alice);
    setValue(a, '.env', 'KEY_1', `${MARKER}-alice-1`, keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice edits']));
    const { gb, merge } = bobSetsAndPulls(b, 'KEY_4', `${MARKER}-bob`);
    assert.notEqual(merge.status, 0);
    assert.match(merge.out + merge.err, /CONFLICT \(content\): Merge conflict in \.env/);
    assert.match(merge.err, /1 conflict\(s\); the markers are in the file, around sealed values/);
    assertNoPlaintext(b, MARKER);
    const onDisk = fs.readFileSync(path.join(b, '.env'), 'utf8');
    assert.match(onDisk, /^<<<<<<< ours\nKEY_4=custodian-val1\.[\w-]+\n=======\nKEY_4=custodian-val1\.[\w-]+\n>>>>>>> theirs\n/m, 'the conflict is around the sealed values');

    const expected = [0, 1, 2, 3].map((k) => (k === 1 ? `KEY_1=${MARKER}-alice-1\n` : `KEY_${k}=${MARKER}-base-${k}\n`)).join('') +
      `<<<<<<< ours\nKEY_4=${MARKER}-bob\n=======\nKEY_4=${MARKER}-alice\n>>>>>>> theirs\n` +
      [5, 6, 7].map((k) => `KEY_${k}=${MARKER}-base-${k}\n`).join('');
    for (const who of [keys.alice, keys.bob]) {
      const d = decrypted(b, '.env', who);
      assert.equal(d.text, expected);
      assert.match(d.stderr, /1 merge conflict\(s\)/);
    }
    // Nothing reads a value from one side of a conflict.
    const get = custodian(b, ['get', '.env', 'KEY_0'], keys.bob);
    assert.equal(get.code, 1);
    assert.match(get.stderr, /\.env has unresolved merge conflicts \(git\)/);
    const runIt = custodian(b, ['run', '-e', '.env', '--', 'true'], keys.bob);
    assert.notEqual(runIt.code, 0);
    assert.match(runIt.stderr, /unresolved merge conflicts/);

    // Resolved (here by taking ours, then a set): an ordinary value-encrypted file again.
    ok(gb(['checkout', '--ours', '.env']));
    setValue(b, '.env', 'KEY_1', `${MARKER}-alice-1`, keys.bob);
    ok(gb(['add', '.env']));
    ok(gb(['commit', '-q', '--no-edit']));
    assertNoPlaintext(b, MARKER);
  });

  it('merged in a shell with no key: both versions go into the file between markers, still sealed, so neither is dropped unseen', () => {
    const { a, b } = twoClones('env-nokey', '.env', 'dotenv', envLines(6));
    setValue(a, '.env', 'KEY_2', `${MARKER}-alice`, keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice rotates KEY_2']));
    setValue(b, '.env', 'KEY_4', `${MARKER}-bob`, keys.bob);
    ok(gitIn(b, asUser(keys.bob))(['commit', '-q', '-am', 'bob rotates KEY_4']));
    // The pull runs where no key is at hand (no CUSTODIAN_IDENTITY, no agent).
    const gb = gitIn(b);
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0);
    assert.match(merge.out + merge.err, /CONFLICT \(content\): Merge conflict in \.env/);
    assert.match(merge.err, /no private key here to merge it .*both versions are in the file between conflict markers, each still sealed/);
    const onDisk = fs.readFileSync(path.join(b, '.env'), 'utf8');
    assert.match(onDisk, /^<<<<<<< /m);
    assertNoPlaintext(b, MARKER);
    // Where a key is at hand, both rotations are there to keep: ours (bob's) and theirs (alice's).
    const d = decrypted(b, '.env', keys.bob);
    assert.match(d.text, new RegExp(`KEY_4=${MARKER}-bob`));
    assert.match(d.text, new RegExp(`KEY_2=${MARKER}-alice`));
    assert.match(d.stderr, /merge conflict\(s\)/);
  });

  it('a clean line merge that makes no valid file (both sides added the same name, in different places) writes both versions between markers: theirs was dropped unseen, ours left without markers for a git add to take', () => {
    const { a, b } = twoClones('env-duplicate', '.env', 'dotenv', envLines(6));
    // alice adds SENTRY_DSN (set appends it at the end); bob adds it after the first line.
    setValue(a, '.env', 'SENTRY_DSN', `${MARKER}-alice`, keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice adds SENTRY_DSN']));
    const lines = decrypted(b, '.env', keys.bob).text.split('\n');
    lines.splice(1, 0, `SENTRY_DSN=${MARKER}-bob`);
    const enc = custodian(b, ['encrypt', '--values', '--format', 'dotenv', '-R', '.custodian/team', '-s', keys.bob.privatePath, '-f', '-o', '.env', '-'], undefined, lines.join('\n'));
    assert.equal(enc.code, 0, enc.stderr);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob adds SENTRY_DSN']));
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0, 'not committed by git merge');
    assert.match(merge.out + merge.err, /CONFLICT \(content\): Merge conflict in \.env/);
    assert.match(merge.err, /\.env: merged line by line, the two versions make no valid file \(.*SENTRY_DSN.*\), so both are in the file between conflict markers, around sealed values/);
    assertNoPlaintext(b, MARKER);
    // Both additions are there to choose from, decrypted where a key is at hand.
    const d = decrypted(b, '.env', keys.bob);
    assert.match(d.text, /^<<<<<<< ours\n/m);
    assert.match(d.text, new RegExp(`SENTRY_DSN=${MARKER}-bob`));
    assert.match(d.text, new RegExp(`SENTRY_DSN=${MARKER}-alice`));
    assert.equal(custodian(b, ['get', '.env', 'KEY_0'], keys.bob).code, 1, 'nothing reads a side of a conflict');
  });

  it('JSON: edits to different members merge cleanly; YAML: the same key edited on both sides conflicts, decrypted with markers', () => {
    const json = `{\n  "db": {\n    "user": "app",\n    "password": "${MARKER}-pw"\n  },\n  "api": {\n    "token": "${MARKER}-tok",\n    "retries": 3\n  }\n}\n`;
    const j = twoClones('json', 'config/app.json', 'json', json);
    setValue(j.a, 'config/app.json', 'api.token', `${MARKER}-alice`, keys.alice);
    ok(gitIn(j.a)(['commit', '-q', '-am', 'alice']));
    setValue(j.b, 'config/app.json', 'db.password', `${MARKER}-bob`, keys.bob);
    const gj = gitIn(j.b, asUser(keys.bob));
    ok(gj(['commit', '-q', '-am', 'bob']));
    const mj = gj(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.equal(mj.status, 0, mj.err);
    const dj = decrypted(j.b, 'config/app.json', keys.alice).text;
    assert.equal(dj, json.replace(`"${MARKER}-pw"`, `"${MARKER}-bob"`).replace(`"${MARKER}-tok"`, `"${MARKER}-alice"`));
    assertNoPlaintext(j.b, MARKER);

    const yaml = `db:\n  user: app\n  password: ${MARKER}-pw\nlist:\n  - ${MARKER}-one\n  - two\n`;
    const y = twoClones('yaml', 'values.yaml', 'yaml', yaml);
    setValue(y.a, 'values.yaml', 'db.password', `${MARKER}-alice`, keys.alice);
    ok(gitIn(y.a)(['commit', '-q', '-am', 'alice']));
    setValue(y.b, 'values.yaml', 'db.password', `${MARKER}-bob`, keys.bob);
    const gy = gitIn(y.b, asUser(keys.bob));
    ok(gy(['commit', '-q', '-am', 'bob']));
    const my = gy(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(my.status, 0);
    assert.match(my.out + my.err, /CONFLICT \(content\): Merge conflict in values\.yaml/);
    assertNoPlaintext(y.b, MARKER);
    const dy = decrypted(y.b, 'values.yaml', keys.bob).text;
    // set kept the plain scalars plain (core/values.ts encodeValue).
    assert.equal(dy, `db:\n  user: app\n<<<<<<< ours\n  password: ${MARKER}-bob\n=======\n  password: ${MARKER}-alice\n>>>>>>> theirs\nlist:\n  - ${MARKER}-one\n  - two\n`);
  });

  it('recipients: both sides\' minus one removed from the roster on a side; then a new data key, and the removed person cannot read the merge', () => {
    const { a, b } = twoClones('roster', '.env', 'dotenv', envLines(10), ['alice', 'bob', 'carol']);
    const ga = gitIn(a);
    ok(ga(['rm', '-q', '.custodian/team/carol.pub']));
    // Theirs re-keys for the smaller team (as Re-encrypt for Team does) and edits a value.
    const plain = decrypted(a, '.env', keys.alice).text.replace(`KEY_2=${MARKER}-base-2`, `KEY_2=${MARKER}-alice`);
    const enc = custodian(a, ['encrypt', '--values', '--format', 'dotenv', '-R', '.custodian/team', '-s', keys.alice.privatePath, '-f', '-o', '.env', '-'], undefined, plain);
    assert.equal(enc.code, 0, enc.stderr);
    ok(ga(['commit', '-q', '-am', 'carol leaves']));
    const { ours, merge } = bobSetsAndPulls(b, 'KEY_7', `${MARKER}-bob`);
    const oursTokens = ours.toString('utf8').match(/custodian-val1\.[\w-]+/g)!;
    assert.equal(merge.status, 0, merge.err);
    const expected = envLines(10).replace(`KEY_2=${MARKER}-base-2`, `KEY_2=${MARKER}-alice`).replace(`KEY_7=${MARKER}-base-7`, `KEY_7=${MARKER}-bob`);
    for (const who of [keys.alice, keys.bob]) assert.equal(decrypted(b, '.env', who).text, expected);
    const carol = custodian(b, ['decrypt', '--values', '-i', keys.carol.privatePath, '.env']);
    assert.equal(carol.code, 1);
    assert.match(carol.stderr, /no identity matched/);
    const merged = fs.readFileSync(path.join(b, '.env'), 'utf8');
    assert.ok(oursTokens.every((t) => !merged.includes(t)), 'a new data key: no token carol could open survives');
    assertNoPlaintext(b, MARKER);
  });

  it('a version written by an outsider for themselves too is refused: no clean merge seals bob\'s new value to mallory', () => {
    // Mallory, on no roster, knows the base values (she left, they were never rotated): her branch
    // re-encrypts the file for alice, bob and herself, signed by her own key, and adds a value.
    const { a, b } = twoClones('outsider', '.env', 'dotenv', envLines(6));
    const plain = decrypted(a, '.env', keys.alice).text + `ADDED=${MARKER}-mallory\n`;
    const recipients = ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.mallory.sshPubPath];
    const enc = custodian(a, ['encrypt', '--values', '--format', 'dotenv', ...recipients, '-s', keys.mallory.privatePath, '-f', '-o', '.env', '-'], undefined, plain);
    assert.equal(enc.code, 0, enc.stderr);
    ok(gitIn(a)(['commit', '-q', '-am', 'mallory']));
    const { ours: oursBytes, merge } = bobSetsAndPulls(b, 'KEY_1', `${MARKER}-bob-new-secret`);
    assert.notEqual(merge.status, 0, 'not committed by git merge');
    assert.match(merge.err, /cannot merge \.env: their version is signed by SHA256:\S+, who is not in your roster \(\.custodian\/team at HEAD\), or was added or changed there without your checking it \("custodian roster verify"\), and merging would sign its changes as you/);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(oursBytes), 'ours untouched');
    assert.equal(custodian(b, ['decrypt', '--values', '-i', keys.mallory.privatePath, '.env']).code, 1, 'mallory cannot read bob\'s file');
    assertNoPlaintext(b, MARKER);
  });

  it('a version a deploy key signed (its key leaked) is refused as an outsider\'s: no merge, set or rekey signs its values anew as a teammate\'s, which ended its warning and --require-signer\'s refusal', () => {
    const { a, b } = twoClones('deploy', '.env', 'dotenv', envLines(6));
    const ga = gitIn(a);
    // alice signs the roster and adds carol's key as the CI's deploy key; the file is re-keyed for it.
    for (const args of [['roster', 'sign', '-i', keys.alice.privatePath], ['roster', 'add', '-i', keys.alice.privatePath, '--deploy', 'ci', keys.carol.sshPubPath], ['rekey', '.env']]) {
      const r = custodian(a, args, keys.alice);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    ok(ga(['add', '-A']));
    ok(ga(['commit', '-q', '-m', 'the CI reads the secrets']));
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']));
    // The CI key leaks: its holder changes the database URL (a deploy key may set a value: it reads the file).
    setValue(a, '.env', 'KEY_2', `${MARKER}-attacker`, keys.carol);
    ok(ga(['commit', '-q', '-am', 'ci']));
    const { ours, merge } = bobSetsAndPulls(b, 'KEY_1', `${MARKER}-bob`);
    assert.notEqual(merge.status, 0, 'not committed by git merge');
    assert.match(merge.err, /cannot merge \.env: their version is signed by SHA256:\S+, a deploy key of the roster: no one on the team writes with one, so its changes may be a leaked key's/);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(ours), 'ours untouched');
    ok(gb(['merge', '--abort']));
    // In alice's clone, neither set nor rekey re-signs the CI's version unasked.
    const set = custodian(a, ['set', '.env', 'KEY_3'], keys.alice, 'x');
    assert.equal(set.code, 1, set.stderr);
    assert.match(set.stderr, /\.env is signed by SHA256:\S+, which is a deploy key of the roster: no one on the team writes with one, so its values may be a leaked key's: setting a value signs the whole file as you/);
    assert.equal(custodian(a, ['roster', 'remove', '-i', keys.alice.privatePath, 'bob'], keys.alice).code, 0, 'bob leaves: the file is re-keyed');
    const rekey = custodian(a, ['rekey', '.env'], keys.alice);
    assert.equal(rekey.code, 1, rekey.stderr);
    assert.match(rekey.stderr, /\.env is signed by SHA256:\S+, a deploy key of the roster: no one on the team writes with one, so its content may be a leaked key's: re-encrypting signs its content as you/);
    ok(ga(['checkout', '--', '.']));
    const agreed = custodian(a, ['set', '--sign-unverified', '.env', 'KEY_3'], keys.alice, 'x');
    assert.equal(agreed.code, 0, agreed.stderr);
  });

  it('an emptied version (no metadata, so no signature) is an unsigned change: refused, not merged or written as a conflict that wipes the values', () => {
    // Anyone who can push truncates the file; bob has changed a value meanwhile.
    const { a, b } = twoClones('emptied', '.env', 'dotenv', envLines(6));
    fs.writeFileSync(path.join(a, '.env'), '');
    ok(gitIn(a)(['commit', '-q', '--no-verify', '-am', 'clean up'])); // the guard stops a teammate; an attacker skips it
    const { ours: oursBytes, merge } = bobSetsAndPulls(b, 'KEY_1', `${MARKER}-bob`);
    assert.notEqual(merge.status, 0, 'not committed by git merge');
    assert.match(merge.err, /cannot merge \.env: their version is empty \(not signed\), and merging would sign its changes as you/);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(oursBytes), 'ours untouched');
  });

  it('a former recipient\'s branch that only widens the rule (the base values, unsigned, encrypt=unencrypted-regex:.) is refused: the rotated value is not merged into the clear', () => {
    // Mallory could read the base and still knows it; on main she is removed and KEY_1 is rotated.
    const { a, b } = twoClones('widened-rule', '.env', 'dotenv', envLines(6), ['alice', 'bob', 'carol']);
    const baseDocument = decrypted(a, '.env', keys.carol).text;
    const recipients = ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath];
    const enc = custodian(a, ['encrypt', '--values', '--format', 'dotenv', ...recipients, '--unencrypted-regex', '.', '-f', '-o', '.env', '-'], undefined, baseDocument);
    assert.equal(enc.code, 0, enc.stderr);
    ok(gitIn(a)(['commit', '-q', '-am', 'tidy env']));
    const { ours: oursBytes, merge } = bobSetsAndPulls(b, 'KEY_1', `${MARKER}-rotated`);
    assert.notEqual(merge.status, 0, 'not committed by git merge');
    assert.match(merge.err, /cannot merge \.env: their version is not signed, and merging would sign its changes as you/);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(oursBytes), 'ours untouched');
    // The base values are in the clear in mallory's commit (she wrote them so); the rotated one nowhere.
    assertNoPlaintext(b, `${MARKER}-rotated`);
  });

  it('a teammate\'s rule that leaves a value in the clear merges where that value is as they had it, and is refused where the other side changed it: no value reaches the clear that no version had there', () => {
    const leaveKey1 = (repo: string) => {
      const plain = decrypted(repo, '.env', keys.alice).text;
      const enc = custodian(repo, ['encrypt', '--values', '--format', 'dotenv', '-R', '.custodian/team', '-s', keys.alice.privatePath, '--unencrypted-regex', '^KEY_1$', '-f', '-o', '.env', '-'], undefined, plain);
      assert.equal(enc.code, 0, enc.stderr);
      ok(gitIn(repo)(['commit', '-q', '-am', 'KEY_1 is public']));
    };
    // KEY_1 unchanged on bob's side: alice's rule is taken, KEY_1 in the clear as alice committed it.
    const clean = twoClones('rule-kept', '.env', 'dotenv', envLines(6));
    leaveKey1(clean.a);
    setValue(clean.b, '.env', 'KEY_3', `${MARKER}-bob`, keys.bob);
    const gc = gitIn(clean.b, asUser(keys.bob));
    ok(gc(['commit', '-q', '-am', 'bob edits KEY_3']));
    const merged = gc(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.equal(merged.status, 0, merged.err);
    const text = fs.readFileSync(path.join(clean.b, '.env'), 'utf8');
    assert.match(text, new RegExp(`^KEY_1=${MARKER}-base-1$`, 'm'));
    assert.match(text, /^#custodian:encrypt=unencrypted-regex:\^KEY_1\$$/m);
    assertNoPlaintext(clean.b, `${MARKER}-bob`);

    // KEY_1 rotated on bob's side: the merge would write the new value in the clear. Refused.
    const { a, b } = twoClones('rule-refused', '.env', 'dotenv', envLines(6));
    leaveKey1(a);
    const { ours: oursBytes, merge } = bobSetsAndPulls(b, 'KEY_1', `${MARKER}-rotated`);
    assert.notEqual(merge.status, 0, 'not committed by git merge');
    assert.match(merge.err, /cannot merge \.env: the merged file would hold "KEY_1" in the clear, as no version had it: one side's selection rule \(encrypt=\) leaves it out of encryption, and the other side changed its value/);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(oursBytes), 'ours untouched');
    assertNoPlaintext(b, `${MARKER}-rotated`);
  });

  it('git pull --rebase: upstream\'s version is the one checked (a rebase replays my commit onto it): a recipient it added outside the roster is left out, and cannot read my new value', () => {
    // Alice, on the team, pushes the file re-encrypted for mallory too (on no roster); bob has a local
    // commit and rebases onto it. A rebase swaps git's sides: ours is upstream's, theirs is bob's.
    const { a, b } = twoClones('rebase-recipient', '.env', 'dotenv', envLines(6));
    const plain = decrypted(a, '.env', keys.alice).text.replace(`KEY_5=${MARKER}-base-5`, `KEY_5=${MARKER}-alice`);
    const recipients = ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.mallory.sshPubPath];
    const enc = custodian(a, ['encrypt', '--values', '--format', 'dotenv', ...recipients, '-s', keys.alice.privatePath, '-f', '-o', '.env', '-'], undefined, plain);
    assert.equal(enc.code, 0, enc.stderr);
    ok(gitIn(a)(['commit', '-q', '-am', 'for mallory too']));
    setValue(b, '.env', 'KEY_1', `${MARKER}-bob-rotated`, keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob rotates KEY_1']));
    const rebase = gb(['pull', '-q', '--rebase', 'origin', 'main']);
    assert.equal(rebase.status, 0, rebase.err);
    assert.match(rebase.err, /\.env: left out mallory|\.env: left out SHA256:/);
    const text = decrypted(b, '.env', keys.bob).text;
    assert.match(text, new RegExp(`KEY_1=${MARKER}-bob-rotated`));
    assert.match(text, new RegExp(`KEY_5=${MARKER}-alice`));
    assert.equal(custodian(b, ['decrypt', '--values', '-i', keys.mallory.privatePath, '.env']).code, 1, 'mallory cannot read bob\'s rotated value');
    assertNoPlaintext(b, `${MARKER}-bob-rotated`);
  });

  /** Mallory's commit on main (a): the .env re-sealed by her from `plain`; bob (b) has an uncommitted change of NAME, stashes, pulls and pops. */
  function stashPopOver(name: string, plain: (document: string) => string, recipients: string[], set: [string, string]) {
    const { a, b } = twoClones(name, '.env', 'dotenv', envLines(6));
    const enc = custodian(a, ['encrypt', '--values', '--format', 'dotenv', ...recipients, '-s', keys.mallory.privatePath, '-f', '-o', '.env', '-'], undefined, plain(decrypted(a, '.env', keys.alice).text));
    assert.equal(enc.code, 0, enc.stderr);
    ok(gitIn(a)(['commit', '-q', '-am', 'chore: refresh']));
    setValue(b, '.env', set[0], set[1], keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['stash', '-q']));
    ok(gb(['pull', '-q', '--ff-only']));
    const mallorys = fs.readFileSync(path.join(b, '.env'));
    return { b, gb, mallorys, pop: gb(['stash', 'pop']) };
  }

  it('a stash pop over an outsider\'s commit of a .env (for herself too, a value changed): our side is checked as theirs is, refused; nothing signed as mine or sealed to her (the driver trusted git\'s ours)', () => {
    const everyone = ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.mallory.sshPubPath];
    const { b, gb, mallorys, pop } = stashPopOver('stash-values', (doc) => doc.replace(`KEY_0=${MARKER}-base-0`, 'KEY_0=db.attacker.example'), everyone, ['NEW_SECRET', `${MARKER}-bob-fresh`]);
    assert.notEqual(pop.status, 0);
    assert.match(pop.err, /cannot merge \.env: our version \(git's "ours": .*\) is signed by SHA256:\S+, who is not in your roster \(\.custodian\/team at HEAD\)/);
    assert.match(gb(['status', '--porcelain']).out, /^UU \.env$/m);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(mallorys), 'the file is left as ours, mallory\'s commit');
    assert.doesNotMatch(custodian(b, ['decrypt', '--values', '-i', keys.mallory.privatePath, '.env']).out, /bob-fresh/);
    assert.match(gb(['stash', 'list']).out, /stash@\{0\}/, 'bob\'s change is still in the stash');
  });

  it('a value-encrypted file for chosen people copied over the team\'s .env (no key needed) is not merged into it: its values would be sealed for the whole team, signed by the one merging', () => {
    const { a, b } = twoClones('chosen-copy-values', '.env', 'dotenv', envLines(6));
    const admin = custodian(a, ['encrypt', '--values', '--format', 'dotenv', '-r', keys.alice.sshPubPath, '-s', keys.alice.privatePath, '-o', 'admin.env', '-'], undefined, `${envLines(6)}ROOT_PASSWORD=${MARKER}-admin-only\n`);
    assert.equal(admin.code, 0, admin.stderr);
    ok(gitIn(a)(['add', 'admin.env']));
    ok(gitIn(a)(['commit', '-q', '-m', 'admin values, for alice only']));
    fs.copyFileSync(path.join(a, 'admin.env'), path.join(a, '.env'));
    ok(gitIn(a)(['commit', '-q', '-am', 'tidy up']));
    setValue(b, '.env', 'KEY_4', `${MARKER}-alice-rotated`, keys.alice);
    const gb = gitIn(b, asUser(keys.alice));
    ok(gb(['commit', '-q', '-am', 'alice rotates KEY_4']));
    const ours = fs.readFileSync(path.join(b, '.env'));
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0);
    assert.match(merge.err, /cannot merge \.env: their version is encrypted for chosen people \(alice \([^)]+\)\), and the merge would also be read by bob \([^)]+\), who could not read what it changed/);
    assert.match(gb(['status', '--porcelain']).out, /^UU \.env$/m);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(ours), 'ours left as it was');
    assert.doesNotMatch(custodian(b, ['decrypt', '--values', '-i', keys.bob.privatePath, '.env']).out, /admin-only/);
    assertNoPlaintext(b, MARKER);
  });

  it('a stash pop over an outsider\'s re-seal of the same values for the team: merged, but not under her data key (every token new), so she cannot open the value merged in', () => {
    // Nothing changed that the signer check sees; the data key is hers, though, and ours' is reused for
    // a clean merge that keeps ours' recipients.
    const { b, mallorys, pop } = stashPopOver('stash-data-key', (doc) => doc, ['-R', '.custodian/team'], ['KEY_3', `${MARKER}-bob-fresh`]);
    assert.equal(pop.status, 0, pop.err);
    const merged = fs.readFileSync(path.join(b, '.env'), 'utf8');
    const hers = mallorys.toString('utf8').match(/custodian-val1\.[\w-]+/g)!;
    assert.ok(hers.every((t) => !merged.includes(t)), 'no token under mallory\'s data key');
    assert.match(decrypted(b, '.env', keys.bob).text, new RegExp(`KEY_3=${MARKER}-bob-fresh`));
    assert.match(decrypted(b, '.env', keys.bob).stderr, new RegExp(`signed by ${keys.bob.fingerprint.replace(/[+/]/g, '.')}`));
  });

  it('an older version put back (signed, so every signature check passes) is merged with a warning naming the commit it is from: the merge takes back what changed since, a rotated value', () => {
    const { a, b } = twoClones('put-back', '.env', 'dotenv', envLines(6));
    setValue(a, '.env', 'KEY_1', `${MARKER}-rotated`, keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'rotate KEY_1']));
    ok(gitIn(b, asUser(keys.bob))(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']));
    // Someone who can push (and still knows the old value) commits the first version back.
    const original = gitIn(a)(['rev-list', '--max-parents=0', 'HEAD']).out.trim();
    ok(gitIn(a)(['checkout', 'HEAD~1', '--', '.env']));
    ok(gitIn(a)(['commit', '-q', '-m', 'fix formatting']));
    const { merge } = bobSetsAndPulls(b, 'KEY_4', `${MARKER}-bob`);
    assert.equal(merge.status, 0, merge.err);
    assert.match(merge.err, new RegExp(`\\.env: the version merged in is the one committed in ${original.slice(0, 12)} \\(\\d{4}-\\d{2}-\\d{2}\\) and changed since: an older version put back`));
    assert.match(decrypted(b, '.env', keys.bob).text, new RegExp(`KEY_1=${MARKER}-base-1`), 'what the warning is about');
  });

  it('an older version put back with a full-line comment added (not covered by the MAC, so its signature still verifies) is still named as put back: versions compare by their mac= and signature= lines', () => {
    const { a, b } = twoClones('put-back-comment', '.env', 'dotenv', envLines(6));
    setValue(a, '.env', 'KEY_1', `${MARKER}-rotated`, keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'rotate KEY_1']));
    ok(gitIn(b, asUser(keys.bob))(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']));
    const original = gitIn(a)(['rev-list', '--max-parents=0', 'HEAD']).out.trim();
    fs.writeFileSync(path.join(a, '.env'), `# tidy\n${gitIn(a)(['cat-file', 'blob', `${original}:.env`]).out}`);
    ok(gitIn(a)(['commit', '-q', '-am', 'tidy']));
    const { merge } = bobSetsAndPulls(b, 'KEY_4', `${MARKER}-bob`);
    assert.equal(merge.status, 0, merge.err);
    assert.match(merge.err, new RegExp(`\\.env: the version merged in is the one committed in ${original.slice(0, 12)} \\(\\d{4}-\\d{2}-\\d{2}\\) and changed since: an older version put back`));
    assert.match(decrypted(b, '.env', keys.bob).text, new RegExp(`KEY_1=${MARKER}-base-1`), 'what the warning is about');
  });

  it('a tampered side (a token swapped by someone with write access): refused with a clear message, ours untouched', () => {
    const { a, b } = twoClones('tampered', '.env', 'dotenv', envLines(6));
    // Mallory swaps two sealed values in the committed file: each token alone is genuine.
    const file = path.join(a, '.env');
    const text = fs.readFileSync(file, 'utf8');
    const t1 = /^KEY_1=(.*)$/m.exec(text)![1];
    const t2 = /^KEY_2=(.*)$/m.exec(text)![1];
    fs.writeFileSync(file, text.replace(`KEY_1=${t1}`, 'KEY_1=@').replace(`KEY_2=${t2}`, `KEY_2=${t1}`).replace('KEY_1=@', `KEY_1=${t2}`));
    ok(gitIn(a)(['commit', '-q', '-am', 'mallory']));
    const { ours: oursBytes, merge } = bobSetsAndPulls(b, 'KEY_4', `${MARKER}-bob`);
    assert.notEqual(merge.status, 0);
    assert.match(merge.err, /cannot merge \.env: the theirs version cannot be opened \(.*does not open at that key.*\); the file is left as it was on your side/);
    assert.ok(fs.readFileSync(path.join(b, '.env')).equals(oursBytes), 'ours untouched');
    assertNoPlaintext(b, MARKER);
  });

  it('a file that is not value-encrypted under the attribute: merged exactly as git merge-file merges it, with its exit status', () => {
    const a = path.join(dir, 'plain-a');
    const b = path.join(dir, 'plain-b');
    ok(spawnSync('git', ['init', '-q', '-b', 'main', a]));
    const ga = gitIn(a);
    assert.equal(custodian(a, ['git', 'setup']).code, 0);
    fs.appendFileSync(path.join(a, '.gitattributes'), '*.json merge=custodian\n');
    const base = Array.from({ length: 10 }, (_, k) => `  "k${k}": ${k},\n`).join('');
    const wrap = (body: string): string => `{\n${body}  "end": true\n}\n`;
    fs.writeFileSync(path.join(a, 'p.json'), wrap(base));
    ok(ga(['add', '-A']));
    ok(ga(['commit', '-q', '-m', 'plain']));
    ok(spawnSync('git', ['clone', '-q', a, b]));
    assert.equal(custodian(b, ['git', 'setup']).code, 0);
    const edit = (repo: string, from: string, to: string): void => {
      const f = path.join(repo, 'p.json');
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(from, to));
    };
    edit(a, '"k1": 1', '"k1": 100');
    edit(a, '"k5": 5', '"k5": 500');
    ok(ga(['commit', '-q', '-am', 'a']));
    edit(b, '"k5": 5', '"k5": 5000');
    edit(b, '"k8": 8', '"k8": 800');
    const gb = gitIn(b);
    ok(gb(['commit', '-q', '-am', 'b']));
    const ours = fs.readFileSync(path.join(b, 'p.json'), 'utf8');
    const theirs = fs.readFileSync(path.join(a, 'p.json'), 'utf8');
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0);
    const expected = gitMergeFile(dir, wrap(base), ours, theirs);
    assert.equal(expected.status, 1);
    assert.equal(fs.readFileSync(path.join(b, 'p.json'), 'utf8'), expected.text);
    // The driver itself, run as git runs it, exits with git merge-file's status.
    const d = fs.mkdtempSync(path.join(dir, 'direct-'));
    fs.writeFileSync(path.join(d, 'O'), wrap(base));
    fs.writeFileSync(path.join(d, 'A'), ours);
    fs.writeFileSync(path.join(d, 'B'), theirs);
    const direct = custodian(d, ['git', 'merge', 'O', 'A', 'B', '7', 'p.json']);
    assert.equal(direct.code, 1, direct.stderr);
    assert.equal(fs.readFileSync(path.join(d, 'A'), 'utf8'), expected.text);
  });

  it('encrypt --values into a clone set up for git gives the new file its merge line and says to commit it; after --undo, nothing', () => {
    const { a } = twoClones('new-file', '.env', 'dotenv', envLines(2));
    fs.mkdirSync(path.join(a, 'api'));
    const sealed = custodian(a, ['encrypt', '--values', '-R', '.custodian/team', '-s', keys.alice.privatePath, '-o', 'api/config.yaml', '-'], undefined, 'db:\n  password: p-9\n');
    assert.equal(sealed.code, 0, sealed.stderr);
    assert.match(sealed.stderr, /git merges api\/config\.yaml with Custodian's driver now \(\.gitattributes\): commit \.gitattributes with it/);
    assert.match(spawnSync('git', ['check-attr', 'merge', 'api/config.yaml'], { cwd: a, encoding: 'utf8' }).stdout, /merge: custodian/);
    assert.equal(custodian(a, ['git', 'setup', '--undo']).code, 0);
    const later = custodian(a, ['encrypt', '--values', '-R', '.custodian/team', '-s', keys.alice.privatePath, '-o', 'api/other.yaml', '-'], undefined, 'x: 1\n');
    assert.equal(later.code, 0, later.stderr);
    assert.doesNotMatch(later.stderr, /gitattributes/);
  });

  it('git setup in a clone with committed links named like value files (zero.env -> /dev/zero, in.env -> /dev/stdin): neither is read, setup ends at once, and only the real value file gets the driver', () => {
    const a = path.join(dir, 'devices-a');
    const b = path.join(dir, 'devices-b');
    const ga = gitIn(a);
    ok(spawnSync('git', ['init', '-q', '-b', 'main', a]));
    fs.mkdirSync(path.join(a, '.custodian/team'), { recursive: true });
    fs.copyFileSync(keys.alice.sshPubPath, path.join(a, '.custodian/team/alice.pub'));
    const enc = custodian(a, ['encrypt', '--values', '--format', 'dotenv', '-R', '.custodian/team', '-s', keys.alice.privatePath, '-o', '.env', '-'], undefined, envLines(2));
    assert.equal(enc.code, 0, enc.stderr);
    // The attacker's commit: links git stores as links, named so that a reader of value files opens them.
    fs.symlinkSync('/dev/zero', path.join(a, 'zero.env'));
    fs.symlinkSync('/dev/stdin', path.join(a, 'in.env'));
    ok(ga(['add', '-A']));
    ok(ga(['commit', '-q', '-m', 'configs']));
    ok(spawnSync('git', ['clone', '-q', a, b]));
    // Standard input stays open (a terminal would too): a reader of in.env would wait for it, and of zero.env never finish.
    const started = Date.now();
    const setup = sh('$CUSTODIAN git setup < <(exec sleep 30 2>/dev/null)', { cwd: b, timeoutMs: 20_000 });
    assert.equal(setup.code, 0, setup.stderr);
    assert.ok(Date.now() - started < 10_000, `git setup took ${Date.now() - started} ms`);
    assert.match(setup.stderr, /merge=custodian for the value-encrypted file \.env/);
    const attributes = fs.readFileSync(path.join(b, '.gitattributes'), 'utf8');
    assert.doesNotMatch(attributes, /zero\.env|in\.env/);
  });

  it('setup --undo removes the value-file lines it added, and the .gitattributes it created', () => {
    const { a } = twoClones('undo', 'svc/.env', 'dotenv', envLines(2));
    const undo = custodian(a, ['git', 'setup', '--undo']);
    assert.equal(undo.code, 0, undo.stderr);
    // .gitattributes was committed in this clone: undo restores the file content as before setup (none).
    assert.equal(fs.existsSync(path.join(a, '.gitattributes')), false);
  });
});
