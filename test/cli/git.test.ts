// custodian git setup / textconv / merge and custodian guard, with the real git in temporary
// repositories: two clones, a roster of people, and checks that no plaintext reaches a file.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { armor } from '../../src/core/armor';
import { shortFingerprint } from '../../src/core/keys';
import { assertNoPlaintext, gitIn, ok, teamRepoAndClone, type Git } from './git-helpers';
import { cliPath, makeOpensslKey, removeDir, run, tempDir, type TestKey } from './helpers';

/** A string that appears in every plaintext of these tests: found anywhere on disk, plaintext leaked. */
const MARKER = 'PLAINTEXT-MARKER-7f3a9c';

function lines(n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, k) => `KEY_${k}=${MARKER}-${tag}-${k}\n`);
}

describe('cli: git setup, textconv, merge driver (real git)', function () {
  this.timeout(180_000);
  let dir: string;
  let keys: { alice: TestKey; bob: TestKey; carol: TestKey };
  let cli: string;

  before(() => {
    dir = tempDir('custodian-git-test-');
    const keyDir = path.join(dir, 'keys');
    fs.mkdirSync(keyDir);
    keys = { alice: makeOpensslKey(keyDir, 'alice'), bob: makeOpensslKey(keyDir, 'bob'), carol: makeOpensslKey(keyDir, 'carol') };
    cli = `${process.execPath} ${cliPath()}`;
  });
  after(() => removeDir(dir));

  const asUser = (who: TestKey) => ({ CUSTODIAN_IDENTITY: who.privatePath });

  /** custodian in `cwd`, as `who`. */
  function custodian(cwd: string, args: string[], who?: TestKey, input?: string | Uint8Array) {
    return run(args, { cwd, env: who ? asUser(who) : {}, input });
  }

  function encryptInto(repo: string, file: string, text: string, who: TestKey, recipients: string[] = ['-R', '.custodian/team']): void {
    const r = custodian(repo, ['encrypt', ...recipients, '-s', who.privatePath, '-f', `--out=${file}`], undefined, text);
    assert.equal(r.code, 0, r.stderr);
  }

  function decryptFrom(repo: string, file: string, who: TestKey): { text: string; stderr: string } {
    const r = custodian(repo, ['decrypt', '-i', who.privatePath, '--', file]);
    assert.equal(r.code, 0, r.stderr);
    return { text: r.out, stderr: r.stderr };
  }

  /** A repository with a roster, set up, holding .env.enc; and a clone of it, set up too. */
  function twoClones(name: string, team: (keyof typeof keys)[], base: string): { a: string; b: string } {
    const a = path.join(dir, `${name}-a`);
    const b = path.join(dir, `${name}-b`);
    teamRepoAndClone(a, b, Object.fromEntries(team.map((who) => [who, keys[who]])), (repo) => encryptInto(repo, '.env.enc', base, keys.alice));
    return { a, b };
  }

  it('two clones edit different lines: the merge is clean, equals git merge-file on the plaintexts, signed, readable by both', () => {
    const base = lines(20, 'base');
    const { a, b } = twoClones('clean', ['alice', 'bob'], base.join(''));
    const ours = [...base];
    ours[15] = `KEY_15=${MARKER}-bob\n`;
    const theirs = [...base];
    theirs[2] = `KEY_2=${MARKER}-alice\n`;
    encryptInto(a, '.env.enc', theirs.join(''), keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice edits']));
    encryptInto(b, '.env.enc', ours.join(''), keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.equal(merge.status, 0, merge.err);

    const oracleDir = path.join(dir, 'oracle');
    fs.mkdirSync(oracleDir, { recursive: true });
    fs.writeFileSync(path.join(oracleDir, 'base'), base.join(''));
    fs.writeFileSync(path.join(oracleDir, 'ours'), ours.join(''));
    fs.writeFileSync(path.join(oracleDir, 'theirs'), theirs.join(''));
    const expected = spawnSync('git', ['merge-file', '-p', 'ours', 'base', 'theirs'], { cwd: oracleDir }).stdout.toString();
    removeDir(oracleDir);
    for (const who of [keys.alice, keys.bob]) {
      const d = decryptFrom(b, '.env.enc', who);
      assert.equal(d.text, expected);
      assert.match(d.stderr, new RegExp(`signed by ${keys.bob.fingerprint.replace(/[+/]/g, '.')}`), 'signed with the merging user\'s key');
    }
    assertNoPlaintext(a, MARKER);
    assertNoPlaintext(b, MARKER);
  });

  it('the same line edited on both sides: a conflict, markers inside the encrypted file, no plaintext on disk; resolved and committed', () => {
    const base = lines(8, 'base');
    const { a, b } = twoClones('conflict', ['alice', 'bob'], base.join(''));
    const theirs = [...base];
    theirs[4] = `KEY_4=${MARKER}-alice\n`;
    const ours = [...base];
    ours[4] = `KEY_4=${MARKER}-bob\n`;
    encryptInto(a, '.env.enc', theirs.join(''), keys.alice);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice edits']));
    encryptInto(b, '.env.enc', ours.join(''), keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0, 'git reports the conflict');
    assert.match(merge.out + merge.err, /CONFLICT \(content\): Merge conflict in \.env\.enc/);
    assert.match(merge.err, /markers are inside the encrypted file/);
    const d = decryptFrom(b, '.env.enc', keys.alice);
    assert.equal(d.text, [...base.slice(0, 4), '<<<<<<< ours\n', ours[4], '=======\n', theirs[4], '>>>>>>> theirs\n', ...base.slice(5)].join(''));
    assertNoPlaintext(b, MARKER);

    // Resolve (the extension's part is in test/integration/git-merge.test.ts), then commit through the guard.
    encryptInto(b, '.env.enc', [...base.slice(0, 4), ours[4], ...base.slice(5)].join(''), keys.bob);
    ok(gb(['add', '.env.enc']));
    ok(gb(['commit', '-q', '--no-edit']));
    assertNoPlaintext(b, MARKER);
  });

  it('a side this user cannot decrypt: the driver fails with a clear message and leaves ours as it was', () => {
    const base = lines(6, 'base');
    const { a, b } = twoClones('unreadable', ['alice', 'bob'], base.join(''));
    const theirs = [...base];
    theirs[1] = `KEY_1=${MARKER}-alice-only\n`;
    encryptInto(a, '.env.enc', theirs.join(''), keys.alice, ['-r', keys.alice.sshPubPath]);
    ok(gitIn(a)(['commit', '-q', '-am', 'alice only']));
    const ours = [...base];
    ours[4] = `KEY_4=${MARKER}-bob\n`;
    encryptInto(b, '.env.enc', ours.join(''), keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    const oursBytes = fs.readFileSync(path.join(b, '.env.enc'));
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0);
    assert.match(merge.err, /the theirs version cannot be opened \(none of your keys is a recipient\); the file is left as it was on your side/);
    assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(oursBytes), 'ours untouched');
    assertNoPlaintext(b, MARKER);
  });

  it('recipients of the merge: both sides\' recipients, minus one removed from the roster on a side', () => {
    const base = lines(12, 'base');
    const { a, b } = twoClones('roster', ['alice', 'bob', 'carol'], base.join(''));
    const ga = gitIn(a);
    ok(ga(['rm', '-q', '.custodian/team/carol.pub']));
    const theirs = [...base];
    theirs[1] = `KEY_1=${MARKER}-alice\n`;
    encryptInto(a, '.env.enc', theirs.join(''), keys.alice);
    ok(ga(['commit', '-q', '-am', 'carol leaves']));
    const ours = [...base];
    ours[9] = `KEY_9=${MARKER}-bob\n`;
    encryptInto(b, '.env.enc', ours.join(''), keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    ok(gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']));
    const info = JSON.parse(custodian(b, ['inspect', '--json', '.env.enc']).out) as { recipients: { fingerprint: string }[] };
    assert.deepEqual(info.recipients.map((r) => r.fingerprint).sort(), [keys.alice.fingerprint, keys.bob.fingerprint].sort());
    assert.equal(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).code, 1, 'carol can no longer read the merged file');
  });

  it('a file for chosen people copied over the team\'s file (a byte copy: no key needed) is not merged into it: what only alice could read is sealed for no one else, in a merge or a rebase; a file for the same chosen people on both sides merges', () => {
    const base = lines(6, 'base');
    const { a, b } = twoClones('chosen-copy', ['alice', 'bob'], base.join(''));
    const ga = gitIn(a);
    encryptInto(a, 'admin.env.enc', [...base, `ROOT_PASSWORD=${MARKER}-admin-only\n`].join(''), keys.alice, ['-r', keys.alice.sshPubPath]);
    encryptInto(a, 'pair.env.enc', base.join(''), keys.alice, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath]);
    ok(ga(['add', 'admin.env.enc', 'pair.env.enc']));
    ok(ga(['commit', '-q', '-m', 'admin env for alice only, pair env for alice and bob']));
    // bob's commit: the admin file's bytes over the team's file; alice's signature on them is genuine.
    fs.copyFileSync(path.join(a, 'admin.env.enc'), path.join(a, '.env.enc'));
    const pair = [...base];
    pair[1] = `KEY_1=${MARKER}-pair-upstream\n`;
    encryptInto(a, 'pair.env.enc', pair.join(''), keys.bob, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath]);
    ok(ga(['commit', '-q', '-am', 'tidy up env files']));

    const gb = gitIn(b, asUser(keys.alice));
    const mine = [...base];
    mine[4] = `KEY_4=${MARKER}-alice-rotated\n`;
    encryptInto(b, '.env.enc', mine.join(''), keys.alice);
    ok(gb(['commit', '-q', '-am', 'rotate KEY_4']));
    const oursBytes = fs.readFileSync(path.join(b, '.env.enc'));
    const escaped = (text: string) => text.replace(/[+/]/g, '\\$&');
    const refusal = (version: string) =>
      new RegExp(`cannot merge \\.env\\.enc: ${version} is encrypted for chosen people \\(alice \\(${escaped(shortFingerprint(keys.alice.fingerprint))}\\)\\), and the merge would also be read by bob \\(${escaped(shortFingerprint(keys.bob.fingerprint))}\\), who could not read what it changed`);
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0, 'the merge stops');
    assert.match(merge.err, refusal('their version'));
    assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(oursBytes), 'ours left as it was');
    ok(gb(['merge', '--abort']));
    // A rebase swaps git's sides: upstream's copy is "ours" there.
    const rebase = gb(['pull', '-q', '--rebase', 'origin', 'main']);
    assert.notEqual(rebase.status, 0, 'the rebase stops');
    assert.match(rebase.err, refusal('our version'));
    assert.equal(custodian(b, ['decrypt', '-i', keys.bob.privatePath, '.env.enc']).code, 1, 'what the rebase left is the upstream copy, which bob cannot read');
    ok(gb(['rebase', '--abort']));
    assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(oursBytes));
    assertNoPlaintext(b, MARKER);

    // The same chosen people on both sides: nothing widens, the merge goes through and stays "chosen".
    ok(gb(['checkout', '-q', '-b', 'pair', 'origin/main~1']));
    const pairMine = [...base];
    pairMine[4] = `KEY_4=${MARKER}-pair-alice\n`;
    encryptInto(b, 'pair.env.enc', pairMine.join(''), keys.alice, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath]);
    ok(gb(['commit', '-q', '-am', 'pair edit']));
    ok(gb(['merge', '-q', '--no-edit', 'origin/main']));
    const info = JSON.parse(custodian(b, ['inspect', '--json', 'pair.env.enc']).out) as { recipients: { fingerprint: string }[]; recipientPolicy?: string };
    assert.deepEqual(info.recipients.map((r) => r.fingerprint).sort(), [keys.alice.fingerprint, keys.bob.fingerprint].sort());
    assert.equal(info.recipientPolicy, 'chosen');
    assert.equal(decryptFrom(b, 'pair.env.enc', keys.bob).text, [base[0], pair[1], ...base.slice(2, 4), pairMine[4], base[5]].join(''));
  });

  it('a branch cannot give the merge a new reader: an outsider\'s version is refused, a recipient outside the roster is left out', () => {
    // carol is on no roster. The attacker's branch: the file re-encrypted for alice, bob and carol.
    const base = lines(12, 'base');
    const recipientsOf = (repo: string): string[] =>
      (JSON.parse(custodian(repo, ['inspect', '--json', '.env.enc']).out) as { recipients: { fingerprint: string }[] }).recipients.map((r) => r.fingerprint).sort();
    const everyone = ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath];
    const team = [keys.alice.fingerprint, keys.bob.fingerprint].sort();
    for (const signer of ['carol', 'alice'] as const) {
      const { a, b } = twoClones(`outsider-${signer}`, ['alice', 'bob'], base.join(''));
      const theirs = [...base];
      theirs[1] = `KEY_1=${MARKER}-theirs\n`;
      encryptInto(a, '.env.enc', theirs.join(''), keys[signer], everyone);
      ok(gitIn(a)(['commit', '-q', '-am', 'for carol too']));
      const ours = [...base];
      ours[9] = `KEY_9=${MARKER}-bob\n`;
      encryptInto(b, '.env.enc', ours.join(''), keys.bob);
      const gb = gitIn(b, asUser(keys.bob));
      ok(gb(['commit', '-q', '-am', 'bob edits']));
      const oursBytes = fs.readFileSync(path.join(b, '.env.enc'));
      const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
      if (signer === 'carol') {
        // Signed by someone outside the roster: merging would sign carol's change as bob. Refused, ours kept.
        assert.notEqual(merge.status, 0);
        assert.match(merge.err, new RegExp(`their version is signed by ${keys.carol.fingerprint.replace(/[+/]/g, '.')}, who is not in your roster`));
        assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(oursBytes), 'ours left as it was');
      } else {
        // Signed by alice, but for carol too: merged cleanly, carol left out, and bob is told.
        assert.equal(merge.status, 0, merge.err);
        assert.ok(merge.err.includes(`.env.enc: left out ${keys.carol.fingerprint}: a recipient of their version only, not in your roster (.custodian/team at HEAD)`), merge.err);
        assert.match(merge.err, /run "custodian rekey \.env\.enc"/);
        assert.match(decryptFrom(b, '.env.enc', keys.bob).text, new RegExp(`KEY_1=${MARKER}-theirs`));
      }
      assert.deepEqual(recipientsOf(b), team, signer);
      assert.equal(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).code, 1, 'carol cannot read what bob has');
    }
  });

  it('their version of a .enc is unsigned (encrypt without -s): the merge stops naming it as not signed, ours is kept byte for byte, and the reader it added gets nothing', () => {
    // Anyone can write an unsigned .enc for the team's keys: no key of theirs is needed. Merging it would
    // sign its changes as bob, and an unsigned side is not one he vouches for.
    const base = lines(10, 'base');
    const { a, b } = twoClones('unsigned-theirs', ['alice', 'bob'], base.join(''));
    const theirs = [...base];
    theirs[1] = `KEY_1=${MARKER}-unsigned\n`;
    const unsigned = custodian(a, ['encrypt', '-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath, '-f', '--out=.env.enc'], undefined, theirs.join(''));
    assert.equal(unsigned.code, 0, unsigned.stderr);
    assert.match(custodian(a, ['inspect', '.env.enc']).out, /not signed|unsigned/i, 'the branch\'s version carries no signature');
    ok(gitIn(a)(['commit', '-q', '-am', 'unsigned edit']));
    const ours = [...base];
    ours[8] = `KEY_8=${MARKER}-bob-new\n`;
    encryptInto(b, '.env.enc', ours.join(''), keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    const oursBytes = fs.readFileSync(path.join(b, '.env.enc'));
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0, 'the merge stops');
    assert.match(merge.err, /cannot merge \.env\.enc: their version is not signed, and merging would sign its changes as you/);
    assert.match(gb(['status', '--porcelain']).out, /^UU \.env\.enc$/m);
    assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(oursBytes), 'ours left as it was');
    assert.equal(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).code, 1, 'carol, whom the unsigned side added, reads nothing');
    assert.doesNotMatch(decryptFrom(b, '.env.enc', keys.bob).text, /unsigned/, 'nothing of theirs was merged');
  });

  it('a key planted in the roster at HEAD that this user never checked is no teammate to the merge: its signature is refused, and as a recipient it is left out (the driver trusted every .pub at HEAD)', () => {
    // carol commits her key to the roster on main; bob, who had used the roster (alice and bob pinned
    // for him), merges that commit, then her branch of .env.enc.
    const base = lines(8, 'base');
    const everyone = ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath];
    const team = [keys.alice.fingerprint, keys.bob.fingerprint].sort();
    const recipientsOf = (repo: string): string[] =>
      (JSON.parse(custodian(repo, ['inspect', '--json', '.env.enc']).out) as { recipients: { fingerprint: string }[] }).recipients.map((r) => r.fingerprint).sort();
    for (const signer of ['carol', 'alice'] as const) {
      const { a, b } = twoClones(`planted-${signer}`, ['alice', 'bob'], base.join(''));
      const ga = gitIn(a);
      fs.copyFileSync(keys.carol.sshPubPath, path.join(a, '.custodian/team/carol.pub'));
      ok(ga(['add', '.custodian/team/carol.pub']));
      ok(ga(['commit', '-q', '-m', 'add carol']));
      const ours = [...base];
      ours[6] = `KEY_6=${MARKER}-bob\n`;
      encryptInto(b, '.env.enc', ours.join(''), keys.bob);
      const gb = gitIn(b, asUser(keys.bob));
      ok(gb(['commit', '-q', '-am', 'bob edits']));
      ok(gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']));
      assert.ok(fs.existsSync(path.join(b, '.custodian/team/carol.pub')), 'carol is in the roster at HEAD');
      const theirs = [...base];
      theirs[1] = `KEY_1=${MARKER}-theirs\n`;
      encryptInto(a, '.env.enc', theirs.join(''), keys[signer], everyone);
      ok(ga(['commit', '-q', '-am', 'for carol too']));
      const oursBytes = fs.readFileSync(path.join(b, '.env.enc'));
      const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
      if (signer === 'carol') {
        assert.notEqual(merge.status, 0);
        assert.match(merge.err, new RegExp(`their version is signed by ${keys.carol.fingerprint.replace(/[+/]/g, '.')}, who is not in your roster \\(\\.custodian/team at HEAD\\), or was added or changed there without your checking it`));
        assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(oursBytes), 'ours left as it was');
      } else {
        assert.equal(merge.status, 0, merge.err);
        assert.ok(merge.err.includes(`.env.enc: left out carol (${shortFingerprint(keys.carol.fingerprint)}): a recipient of their version only, not in your roster (.custodian/team at HEAD) or not checked by you since it changed`), merge.err);
        assert.match(decryptFrom(b, '.env.enc', keys.bob).text, new RegExp(`KEY_1=${MARKER}-theirs`));
      }
      assert.deepEqual(recipientsOf(b), team, signer);
      assert.equal(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).code, 1, 'carol cannot read what bob has');
    }
  });

  it('a merge in a clone whose roster was never pinned pins it (first use once, as encrypt -R does): a key planted after that is no teammate to the next merge', () => {
    const base = lines(8, 'base');
    const { a, b } = twoClones('first-use', ['alice', 'bob'], base.join(''));
    const ga = gitIn(a);
    const gb = gitIn(b, asUser(keys.bob));
    const theirs = [...base];
    theirs[2] = `KEY_2=${MARKER}-alice\n`;
    encryptInto(a, '.env.enc', theirs.join(''), keys.alice);
    ok(ga(['commit', '-q', '-am', 'alice edits']));
    const ours = [...base];
    ours[6] = `KEY_6=${MARKER}-bob\n`;
    encryptInto(b, '.env.enc', ours.join(''), keys.bob, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath]);
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    const first = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.equal(first.status, 0, first.err);
    assert.match(first.err, /custodian: pinned alice, bob for \.custodian\/team \(.*roster-pins\.json\): the roster as this merge found it/);
    // Then carol's key is committed to the roster, and a version for her too arrives.
    fs.copyFileSync(keys.carol.sshPubPath, path.join(a, '.custodian/team/carol.pub'));
    ok(ga(['add', '.custodian/team/carol.pub']));
    const next = [...theirs];
    next[3] = `KEY_3=${MARKER}-alice-2\n`;
    encryptInto(a, '.env.enc', next.join(''), keys.alice, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath]);
    ok(ga(['commit', '-q', '-am', 'carol joins, unchecked']));
    const mine = decryptFrom(b, '.env.enc', keys.bob).text.replace(`KEY_7=${MARKER}-base-7`, `KEY_7=${MARKER}-bob-2`);
    encryptInto(b, '.env.enc', mine, keys.bob, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath]);
    ok(gb(['commit', '-q', '-am', 'bob edits again']));
    const second = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.equal(second.status, 0, second.err);
    assert.ok(second.err.includes(`.env.enc: left out ${keys.carol.fingerprint}`) || second.err.includes(`.env.enc: left out carol (`), second.err);
    assert.equal(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).code, 1, 'carol cannot read what bob has');
  });

  it('a stash pop (or a pull with --autostash) over an outsider\'s commit: our side is checked as theirs is, refused, nothing sealed to the outsider or signed as mine (the driver trusted git\'s ours)', () => {
    // carol, on no roster, can push: the file for alice, bob and herself, signed by her, a value changed.
    // Bob has an uncommitted change; git's ours is then carol's commit, theirs bob's own change.
    const base = lines(8, 'base');
    const carolsWay = ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath];
    for (const flow of ['stash', 'autostash'] as const) {
      const { a, b } = twoClones(`stash-${flow}`, ['alice', 'bob'], base.join(''));
      const theirs = [...base];
      theirs[0] = `KEY_0=${MARKER}-attacker-host\n`;
      encryptInto(a, '.env.enc', theirs.join(''), keys.carol, carolsWay);
      ok(gitIn(a)(['commit', '-q', '-am', 'chore: refresh']));
      const gb = gitIn(b, asUser(keys.bob));
      encryptInto(b, '.env.enc', [...base, `NEW_SECRET=${MARKER}-bob-fresh\n`].join(''), keys.bob);
      let merge;
      if (flow === 'stash') {
        ok(gb(['stash', '-q']));
        ok(gb(['pull', '-q', '--ff-only']));
        merge = gb(['stash', 'pop']);
        assert.notEqual(merge.status, 0);
      } else {
        // Exits 0 whether its stash applied or not, and keeps the driver's message to itself.
        merge = gb(['pull', '--autostash', '--no-rebase']);
        assert.match(merge.err, /Applying autostash resulted in conflicts/);
      }
      assert.match(gb(['stash', 'list']).out, /stash@\{0\}/, 'bob\'s change is still in the stash');
      assert.match(gb(['status', '--porcelain']).out, /^UU \.env\.enc$/m, flow);
      if (flow === 'stash') assert.match(merge.err, new RegExp(`cannot merge \\.env\\.enc: our version \\(git's "ours": .*\\) is signed by ${keys.carol.fingerprint.replace(/[+/]/g, '.')}, who is not in your roster`), merge.err);
      assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(gb(['cat-file', 'blob', 'HEAD:.env.enc']).stdout), 'the file is left as ours, carol\'s commit');
      assert.doesNotMatch(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).out, /bob-fresh/, 'carol cannot read bob\'s new secret');
    }
  });

  it('git merge main on an outsider\'s branch (updating their pull request): their version is ours there, and it is refused as it is when main merges their branch', () => {
    const base = lines(8, 'base');
    const { a, b } = twoClones('pr-branch', ['alice', 'bob'], base.join(''));
    const ga = gitIn(a);
    ok(ga(['checkout', '-q', '-b', 'feature']));
    const feature = [...base];
    feature[7] = `KEY_7=${MARKER}-feature-on\n`;
    encryptInto(a, '.env.enc', feature.join(''), keys.carol, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath]);
    ok(ga(['commit', '-q', '-am', 'feature flag']));
    ok(ga(['checkout', '-q', 'main']));
    const rotated = [...base];
    rotated[1] = `KEY_1=${MARKER}-rotated\n`;
    encryptInto(a, '.env.enc', rotated.join(''), keys.alice);
    ok(ga(['commit', '-q', '-am', 'rotate KEY_1']));
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['fetch', '-q', 'origin']));
    ok(gb(['checkout', '-q', '-b', 'feature', 'origin/feature']));
    const oursBytes = fs.readFileSync(path.join(b, '.env.enc'));
    const merge = gb(['merge', '--no-edit', 'origin/main']);
    assert.notEqual(merge.status, 0);
    assert.match(merge.err, new RegExp(`cannot merge \\.env\\.enc: our version \\(git's "ours": .*\\) is signed by ${keys.carol.fingerprint.replace(/[+/]/g, '.')}`));
    assert.ok(fs.readFileSync(path.join(b, '.env.enc')).equals(oursBytes), 'ours left as it was');
    assert.doesNotMatch(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).out, /rotated/, 'carol cannot read the rotated value');
    ok(gb(['merge', '--abort']));
    // The same two versions the other way round (main merges the branch): refused, theirs named.
    ok(gb(['checkout', '-q', 'main']));
    ok(gb(['pull', '-q', '--ff-only']));
    const control = gb(['merge', '--no-edit', 'feature']);
    assert.notEqual(control.status, 0);
    assert.match(control.err, /cannot merge \.env\.enc: their version is signed by /);
  });

  it('an outsider\'s commit that only re-encrypts the file for themselves, "chosen": a stash pop over it merges, but the outsider is left out by name and the merge is not "chosen" (recipients and policy came from git\'s ours)', () => {
    const base = lines(8, 'base');
    const { a, b } = twoClones('stash-recipients', ['alice', 'bob'], base.join(''));
    encryptInto(a, '.env.enc', base.join(''), keys.carol, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath]);
    ok(gitIn(a)(['commit', '-q', '-am', 'chore: refresh']));
    const gb = gitIn(b, asUser(keys.bob));
    encryptInto(b, '.env.enc', [...base, `NEW_SECRET=${MARKER}-bob-fresh\n`].join(''), keys.bob);
    ok(gb(['stash', '-q']));
    ok(gb(['pull', '-q', '--ff-only']));
    const pop = gb(['stash', 'pop']);
    assert.equal(pop.status, 0, pop.err);
    assert.ok(pop.err.includes(`.env.enc: left out ${keys.carol.fingerprint}: added as a recipient by our version only, signed by ${keys.carol.fingerprint}, whom you do not vouch for`), pop.err);
    const info = JSON.parse(custodian(b, ['inspect', '--json', '.env.enc']).out) as { recipients: { fingerprint: string }[]; recipientPolicy?: string };
    assert.deepEqual(info.recipients.map((r) => r.fingerprint).sort(), [keys.alice.fingerprint, keys.bob.fingerprint].sort());
    assert.notEqual(info.recipientPolicy, 'chosen');
    assert.equal(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).code, 1, 'carol cannot read bob\'s new secret');
    assert.match(decryptFrom(b, '.env.enc', keys.bob).text, /NEW_SECRET=.*-bob-fresh/);
  });

  /**
   * alice rotates KEY_1 and bob pulls; `putBack` (in alice's clone, given the first commit) brings the
   * version before the rotation back and commits it; bob edits KEY_4 and pulls. The pull, bob's clone and
   * that first commit.
   */
  function pullAfterPutBack(name: string, putBack: (a: string, ga: ReturnType<typeof gitIn>, original: string) => void) {
    const base = lines(6, 'base');
    const { a, b } = twoClones(name, ['alice', 'bob'], base.join(''));
    const ga = gitIn(a);
    const gb = gitIn(b, asUser(keys.bob));
    const rotated = [...base];
    rotated[1] = `KEY_1=${MARKER}-rotated\n`;
    encryptInto(a, '.env.enc', rotated.join(''), keys.alice);
    ok(ga(['commit', '-q', '-am', 'rotate KEY_1']));
    ok(gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']));
    const original = ga(['rev-list', '--max-parents=0', 'HEAD']).out.trim();
    putBack(a, ga, original);
    const mine = [...rotated];
    mine[4] = `KEY_4=${MARKER}-bob\n`;
    encryptInto(b, '.env.enc', mine.join(''), keys.bob);
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    return { merge: gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']), b, original };
  }

  it('an older version of a .enc put back is merged with a warning naming the commit it is from (a replay passes every signature check)', () => {
    const { merge, original } = pullAfterPutBack('put-back', (_a, ga) => {
      ok(ga(['checkout', 'HEAD~1', '--', '.env.enc']));
      ok(ga(['commit', '-q', '-m', 'fix formatting']));
    });
    assert.equal(merge.status, 0, merge.err);
    assert.ok(merge.err.includes(`.env.enc: the version merged in is the one committed in ${original.slice(0, 12)} (`), merge.err);
  });

  it('an older version of a .enc put back in ASCII armor (other bytes, the same signed envelope) is still named as put back: versions compare by what their signature covers', () => {
    const { merge, b, original } = pullAfterPutBack('put-back-armor', (a, ga, first) => {
      fs.writeFileSync(path.join(a, '.env.enc'), armor(ga(['cat-file', 'blob', `${first}:.env.enc`]).stdout));
      ok(ga(['commit', '-q', '-am', 'armor it']));
    });
    assert.equal(merge.status, 0, merge.err);
    assert.ok(merge.err.includes(`.env.enc: the version merged in is the one committed in ${original.slice(0, 12)} (`), merge.err);
    assert.match(decryptFrom(b, '.env.enc', keys.bob).text, new RegExp(`KEY_1=${MARKER}-base-1`), 'what the warning is about');
  });

  it('an older version put back through a merge commit (an old branch merges main, keeping its copy of the file) is named as put back: the rotation on the other parent counts', () => {
    // mallory (outside the roster, push access) kept a branch from before the rotation; she merges main
    // into it keeping her copy, and pushes the merge as main. git's default log follows the merge's
    // parent that has the same file (hers) and never lists the rotation.
    const { merge, b, original } = pullAfterPutBack('put-back-merge', (a, ga, first) => {
      ok(ga(['checkout', '-q', '-b', 'old', first]));
      fs.writeFileSync(path.join(a, 'NOTES'), 'notes\n');
      ok(ga(['add', 'NOTES']));
      ok(ga(['commit', '-q', '-m', 'notes']));
      ok(ga(['merge', '-q', '--no-commit', 'main']));
      ok(ga(['checkout', 'HEAD', '--', '.env.enc']));
      ok(ga(['commit', '-q', '-m', 'Merge branch main']));
      ok(ga(['checkout', '-q', 'main']));
      ok(ga(['merge', '-q', '--ff-only', 'old']));
    });
    assert.equal(merge.status, 0, merge.err);
    assert.ok(merge.err.includes(`.env.enc: the version merged in is the one committed in ${original.slice(0, 12)} (`), merge.err);
    assert.match(decryptFrom(b, '.env.enc', keys.bob).text, new RegExp(`KEY_1=${MARKER}-base-1`), 'what the warning is about');
  });

  it('an older version put back on the branch being updated (git merge main on it) is named too: the check looks at both sides', () => {
    const base = lines(6, 'base');
    const { a, b } = twoClones('put-back-ours', ['alice', 'bob'], base.join(''));
    const ga = gitIn(a);
    const rotated = [...base];
    rotated[1] = `KEY_1=${MARKER}-rotated\n`;
    encryptInto(a, '.env.enc', rotated.join(''), keys.alice);
    ok(ga(['commit', '-q', '-am', 'rotate KEY_1']));
    const original = ga(['rev-list', '--max-parents=0', 'HEAD']).out.trim();
    ok(ga(['checkout', '-q', '-b', 'feature']));
    ok(ga(['checkout', original, '--', '.env.enc']));
    ok(ga(['commit', '-q', '-m', 'fix formatting']));
    ok(ga(['checkout', '-q', 'main']));
    const next = [...rotated];
    next[4] = `KEY_4=${MARKER}-alice\n`;
    encryptInto(a, '.env.enc', next.join(''), keys.alice);
    ok(ga(['commit', '-q', '-am', 'alice edits']));
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['fetch', '-q', 'origin']));
    ok(gb(['checkout', '-q', '-b', 'feature', 'origin/feature']));
    const merge = gb(['merge', '--no-edit', 'origin/main']);
    assert.equal(merge.status, 0, merge.err);
    assert.ok(merge.err.includes(`.env.enc: the version on your side is the one committed in ${original.slice(0, 12)} (`), merge.err);
  });

  it('git pull --rebase: upstream\'s version is the one checked, as theirs is in a merge (a rebase swaps git\'s sides): a recipient it added outside the roster is left out of my rebased commit', () => {
    const base = lines(8, 'base');
    const { a, b } = twoClones('rebase', ['alice', 'bob'], base.join(''));
    const upstream = [...base];
    upstream[7] = `KEY_7=${MARKER}-alice\n`;
    encryptInto(a, '.env.enc', upstream.join(''), keys.alice, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath, '-r', keys.carol.sshPubPath]);
    ok(gitIn(a)(['commit', '-q', '-am', 'for carol too']));
    const mine = [...base];
    mine[1] = `KEY_1=${MARKER}-bob-rotated\n`;
    encryptInto(b, '.env.enc', mine.join(''), keys.bob);
    const gb = gitIn(b, asUser(keys.bob));
    ok(gb(['commit', '-q', '-am', 'bob rotates KEY_1']));
    const rebase = gb(['pull', '-q', '--rebase', 'origin', 'main']);
    assert.equal(rebase.status, 0, rebase.err);
    assert.ok(rebase.err.includes(`.env.enc: left out ${keys.carol.fingerprint}`), rebase.err);
    const text = decryptFrom(b, '.env.enc', keys.bob).text;
    assert.match(text, new RegExp(`KEY_1=${MARKER}-bob-rotated`));
    assert.match(text, new RegExp(`KEY_7=${MARKER}-alice`));
    assert.equal(custodian(b, ['decrypt', '-i', keys.carol.privatePath, '.env.enc']).code, 1, 'carol cannot read bob\'s rotated value');
  });

  it('git diff, git log -p and git show print the plaintext changes, recipient and signer lines; without a key a summary, exit 0', () => {
    const base = lines(20, 'base');
    const { a } = twoClones('diff', ['alice', 'bob'], base.join(''));
    const next = [...base];
    next[10] = `KEY_10=${MARKER}-changed\n`;
    encryptInto(a, '.env.enc', next.join(''), keys.alice);
    const ga = gitIn(a, asUser(keys.alice));
    const who = (k: TestKey, name: string) => `${name} (${shortFingerprint(k.fingerprint)})`;
    const header = `[custodian] recipients: ${who(keys.alice, 'alice')}, ${who(keys.bob, 'bob')}\n[custodian] signed by ${who(keys.alice, 'alice')}\n`;
    // The oracle: git's diff of the two texts textconv should produce (header lines, then plaintext).
    const oracleDir = tempDir();
    fs.writeFileSync(path.join(oracleDir, 'old'), header + base.join(''));
    fs.writeFileSync(path.join(oracleDir, 'new'), header + next.join(''));
    const expected = spawnSync('git', ['diff', '--no-index', 'old', 'new'], { cwd: oracleDir }).stdout.toString();
    removeDir(oracleDir);
    const hunks = (s: string) => s.slice(s.indexOf('\n@@'));
    const diff = ga(['diff', '--', '.env.enc']);
    ok(diff);
    assert.equal(hunks(diff.out), hunks(expected));
    ok(ga(['commit', '-q', '-am', 'change']));
    assert.equal(hunks(ga(['log', '-p', '-1', '--format=', '--', '.env.enc']).out), hunks(expected));
    assert.equal(hunks(ga(['show', '--format=', 'HEAD', '--', '.env.enc']).out), hunks(expected));

    // Re-encrypted for alice only: the recipient change is a line of the diff.
    encryptInto(a, '.env.enc', next.join(''), keys.alice, ['-r', keys.alice.sshPubPath]);
    const recipients = ga(['diff', '--', '.env.enc']).out;
    assert.match(recipients, new RegExp(`^-\\[custodian\\] recipients: .*bob`, 'm'));
    assert.match(recipients, new RegExp(`^\\+\\[custodian\\] recipients: alice \\(${shortFingerprint(keys.alice.fingerprint).replace(/[+/]/g, '.')}\\)$`, 'm'));
    ok(ga(['checkout', '--', '.env.enc']));

    // Carol (not a recipient) and someone with no key at all: a one-line summary, exit 0.
    for (const env of [asUser(keys.carol), {}]) {
      const r = gitIn(a, env)(['log', '-p', '-1', '--format=', '--', '.env.enc']);
      ok(r);
      assert.match(r.out, /^[-+]\[custodian\] cannot decrypt \((none of your keys is a recipient|no private key(?:: .*)?)\); encrypted for alice \(.*\), bob \(.*\); signed by alice \(.*\) \(claimed, not verified\); \d+ bytes, sha256 [0-9a-f]{12}$/m);
      assert.doesNotMatch(r.out, /no private key: no private key/, 'the reason is said once');
      assert.doesNotMatch(r.out, new RegExp(MARKER));
    }
    assertNoPlaintext(a, MARKER);
  });

  it('a .enc named -prod.enc and a value-encrypted -app.env: git diff shows the decrypted change and a merge of both merges (git appends the path to the driver\'s command, which read it as a flag); an older set-up is reported and rewritten', () => {
    const base = lines(8, 'base');
    const a = path.join(dir, 'dash-a');
    const b = path.join(dir, 'dash-b');
    teamRepoAndClone(a, b, { alice: keys.alice, bob: keys.bob }, (repo) => {
      encryptInto(repo, '-prod.enc', base.join(''), keys.alice);
      const values = custodian(repo, ['encrypt', '--values', '--format', 'dotenv', '-R', '.custodian/team', '-s', keys.alice.privatePath, '--out=-app.env', '-'], undefined, base.join(''));
      assert.equal(values.code, 0, values.stderr);
    });
    const ga = gitIn(a, asUser(keys.alice));
    const gb = gitIn(b, asUser(keys.bob));
    // A clone set up before the commands ended their options: --check says so, setup rewrites them.
    ok(gb(['config', 'diff.custodian.textconv', `${cli} git textconv`]));
    ok(gb(['config', 'merge.custodian.driver', `${cli} git merge %O %A %B %L %P`]));
    const check = custodian(b, ['git', 'setup', '--check']);
    assert.match(check.out, /^differs +diff driver: .* setup would write ".* git textconv --"$/m);
    assert.match(check.out, /^differs +merge driver: .* setup would write ".* git merge -- %O %A %B %L %P"$/m);
    assert.equal(custodian(b, ['git', 'setup']).code, 0);
    assert.equal(gb(['config', 'merge.custodian.driver']).out.trim(), `${cli} git merge -- %O %A %B %L %P`);

    const theirs = [...base];
    theirs[1] = `KEY_1=${MARKER}-alice\n`;
    encryptInto(a, '-prod.enc', theirs.join(''), keys.alice);
    const diff = ga(['diff']);
    ok(diff);
    assert.match(diff.out, new RegExp(`^-KEY_1=${MARKER}-base-1\n\\+KEY_1=${MARKER}-alice$`, 'm'));
    const set = (repo: string, name: string, who: TestKey) => {
      const r = custodian(repo, ['set', '--', '-app.env', name], who, `${MARKER}-${name}`);
      assert.equal(r.code, 0, r.stderr);
    };
    set(a, 'KEY_1', keys.alice);
    ok(ga(['commit', '-q', '-am', 'alice edits']));
    const ours = [...base];
    ours[6] = `KEY_6=${MARKER}-bob\n`;
    encryptInto(b, '-prod.enc', ours.join(''), keys.bob);
    set(b, 'KEY_6', keys.bob);
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    const merge = gb(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.equal(merge.status, 0, merge.err);
    const expected = [...base];
    expected[1] = theirs[1];
    expected[6] = ours[6];
    assert.equal(decryptFrom(b, '-prod.enc', keys.alice).text, expected.join(''));
    const values = custodian(b, ['decrypt', '--values', '-i', keys.alice.privatePath, '--', '-app.env']);
    assert.equal(values.code, 0, values.stderr);
    assert.match(values.out, new RegExp(`^KEY_1=${MARKER}-KEY_1\nKEY_2=`, 'm'));
    assert.match(values.out, new RegExp(`^KEY_6=${MARKER}-KEY_6\nKEY_7=`, 'm'));
    assertNoPlaintext(b, MARKER);
  });

  it('a teammate\'s "*.enc text eol=crlf" line: a new binary .enc is refused at commit (git would store other bytes than Custodian wrote, the only copy of the secret lost), setup --check names the attribute, and a checked-out file that no longer decrypts says why in its hint', () => {
    const { a, b } = twoClones('crlf', ['alice', 'bob'], lines(4, 'base').join(''));
    const ga = gitIn(a, asUser(keys.alice));
    const gb = gitIn(b, asUser(keys.bob));
    // About 1 MiB of text: its ciphertext holds LF bytes and CR LF pairs (about 16 expected).
    const big = () => crypto.randomBytes(786432).toString('base64');
    encryptInto(a, 'big.enc', big(), keys.alice);
    ok(ga(['add', 'big.enc']));
    ok(ga(['commit', '-q', '-m', 'big']));
    fs.appendFileSync(path.join(a, '.gitattributes'), '*.enc text eol=crlf\n');
    // Normalizing line endings as git's documentation says (git add --renormalize) stages big.enc again
    // through the conversion: the committed .enc would be damaged. (A plain "commit -a" re-reads the file
    // only when its index entry is racily clean, which depends on timing.)
    ok(ga(['add', '--renormalize', '.']));
    const normalize = ga(['commit', '-q', '-m', 'normalize line endings']);
    assert.notEqual(normalize.status, 0);
    assert.match(normalize.err, /\[converted-enc\] big\.enc is staged with other bytes/);
    ok(ga(['reset', '-q']));
    ok(ga(['commit', '-q', '-m', 'normalize line endings', '--', '.gitattributes']));
    ok(gb(['pull', '-q', '--no-rebase', 'origin', 'main']));

    const check = custodian(b, ['git', 'setup', '--check']);
    assert.match(check.out, /^differs +line endings of \.enc files: git converts the bytes of 2 tracked \.enc file\(s\): 2 with "text eol=crlf" \(\.env\.enc, …\); .*Add "\*\.enc -text" to \.gitattributes after the line that sets it/m);

    // An armored .enc is ASCII: the conversion leaves it as it is, and it commits.
    const armored = custodian(b, ['encrypt', '-a', '-R', '.custodian/team', '-s', keys.bob.privatePath, '-o', 'note.enc'], undefined, big());
    assert.equal(armored.code, 0, armored.stderr);
    ok(gb(['add', 'note.enc']));
    ok(gb(['commit', '-q', '-m', 'armored']));

    const secret = big();
    encryptInto(b, 'prod.key.enc', secret, keys.bob);
    const written = fs.readFileSync(path.join(b, 'prod.key.enc'));
    assert.ok(written.includes('\r\n'), 'the ciphertext holds CR LF');
    // An hour old: the index entry is not "racily clean", so a later git add trusts its stat and keeps the blob.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(b, 'prod.key.enc'), anHourAgo, anHourAgo);
    ok(gb(['add', 'prod.key.enc']));
    assert.ok(!gb(['cat-file', 'blob', ':prod.key.enc']).stdout.equals(written), 'git add stored other bytes');
    const refused = gb(['commit', '-q', '-m', 'add prod key']);
    assert.notEqual(refused.status, 0, 'the commit is refused');
    assert.match(refused.err, /^custodian: error: \[converted-enc\] prod\.key\.enc is staged with other bytes than the file Custodian wrote: git converts it \(text eol=crlf\), and the committed file would not decrypt\ncustodian: hint: add "\*\.enc -text" to \.gitattributes after the line that sets text eol=crlf .*then "git add --renormalize prod\.key\.enc"/m);
    // The fix the hint gives: the staged blob is then the file's bytes, and it commits.
    fs.appendFileSync(path.join(b, '.gitattributes'), '*.enc -text\n');
    ok(gb(['add', '.gitattributes', 'prod.key.enc']));
    // A plain git add may keep the converted blob (the file's stat is unchanged, so git does not read it
    // again): the guard still sees it, by the staged blob being the file with its CR LF made LF.
    assert.ok(!gb(['cat-file', 'blob', ':prod.key.enc']).stdout.equals(written), 'git add kept the converted blob');
    const stale = gb(['commit', '-q', '-m', 'add prod key']);
    assert.notEqual(stale.status, 0, 'a stale converted blob is refused too');
    assert.match(stale.err, /\[converted-enc\] prod\.key\.enc is staged with other bytes .*\(its line endings, when it was staged\)/);
    ok(gb(['add', '--renormalize', 'prod.key.enc']));
    assert.ok(gb(['cat-file', 'blob', ':prod.key.enc']).stdout.equals(written), 'renormalized: the file\'s bytes');
    ok(gb(['commit', '-q', '-m', 'add prod key']));
    assert.ok(gb(['cat-file', 'blob', 'HEAD:prod.key.enc']).stdout.equals(written));

    // Checked out under the line, big.enc's LF bytes became CR LF: the error stands, the hint says why.
    ok(ga(['pull', '-q', '--no-rebase', b, 'main']));
    fs.writeFileSync(path.join(a, '.gitattributes'), fs.readFileSync(path.join(a, '.gitattributes'), 'utf8').replace('*.enc -text\n', ''));
    fs.rmSync(path.join(a, 'big.enc'));
    ok(ga(['checkout', '--', 'big.enc']));
    const damaged = custodian(a, ['decrypt', '-i', keys.alice.privatePath, 'big.enc']);
    assert.equal(damaged.code, 1);
    assert.match(damaged.stderr, /^custodian: error: .*(malformed|does not verify|authentic)/m);
    assert.match(damaged.stderr, /^custodian: hint: its bytes hold CR LF pairs: git may have converted its line endings .*"git check-attr -a big\.enc" shows its attributes/m);
    assert.equal(damaged.out, '');
  });

  it('a repository set up before the *.enc line had -text: --check finds it in place, setup leaves it, --undo removes it', () => {
    const repo = path.join(dir, 'legacy-line');
    ok(spawnSync('git', ['init', '-q', '-b', 'main', repo]));
    assert.equal(custodian(repo, ['git', 'setup']).code, 0);
    const file = path.join(repo, '.gitattributes');
    assert.match(fs.readFileSync(file, 'utf8'), /^\*\.enc diff=custodian merge=custodian -text$/m);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(' -text', ''));
    const legacy = fs.readFileSync(file);
    const check = custodian(repo, ['git', 'setup', '--check']);
    assert.equal(check.code, 0, check.out);
    assert.match(custodian(repo, ['git', 'setup']).stderr, /already set up: nothing changed/);
    assert.ok(fs.readFileSync(file).equals(legacy));
    const undo = custodian(repo, ['git', 'setup', '--undo']);
    assert.match(undo.stderr, /\.gitattributes: removed "\*\.enc diff=custodian merge=custodian"/);
    assert.ok(!fs.existsSync(file), 'the file setup created is gone');
  });

  it('a committed "*.env merge=union" / "*.enc merge=union" line: setup --check names it, and the merge git makes with it (two mac= lines, spliced armor) is stopped by the pre-merge-commit guard as malformed encrypted files, not as plaintext', () => {
    const a = path.join(dir, 'union-a');
    const b = path.join(dir, 'union-b');
    const base = lines(6, 'base');
    teamRepoAndClone(a, b, { alice: keys.alice, bob: keys.bob }, (repo) => {
      const values = custodian(repo, ['encrypt', '--values', '--format', 'dotenv', '-R', '.custodian/team', '-s', keys.alice.privatePath, '-o', 'app.env', '-'], undefined, base.join(''));
      assert.equal(values.code, 0, values.stderr);
      encryptInto(repo, 'arm.env.enc', base.join(''), keys.alice, ['-a', '-R', '.custodian/team']);
    });
    const ga = gitIn(a, asUser(keys.alice));
    const gb = gitIn(b, asUser(keys.bob));
    fs.appendFileSync(path.join(a, '.gitattributes'), '*.env merge=union\n*.enc merge=union\n');
    ok(ga(['commit', '-q', '-am', 'avoid .env conflicts']));
    ok(gb(['pull', '-q', '--no-rebase', 'origin', 'main']));
    const check = custodian(b, ['git', 'setup', '--check']);
    assert.equal(check.code, 1);
    assert.match(check.out, /^missing +drivers of encrypted files: a \.gitattributes line gives 2 encrypted file\(s\) another driver than custodian: app\.env merge=union, arm\.env\.enc merge=union; /m);

    const edit = (repo: string, who: TestKey, k: number) => {
      const r = custodian(repo, ['set', 'app.env', `KEY_${k}`], who, `${MARKER}-${k}`);
      assert.equal(r.code, 0, r.stderr);
      const next = [...base];
      next[k] = `KEY_${k}=${MARKER}-${k}\n`;
      encryptInto(repo, 'arm.env.enc', next.join(''), who, ['-a', '-R', '.custodian/team']);
    };
    edit(a, keys.alice, 1);
    ok(ga(['commit', '-q', '-am', 'alice edits']));
    edit(b, keys.bob, 4);
    ok(gb(['commit', '-q', '-am', 'bob edits']));
    const head = gb(['rev-parse', 'HEAD']).out;
    const merge = gb(['pull', '--no-rebase', '--no-edit', 'origin', 'main']);
    assert.notEqual(merge.status, 0, 'the merge commit is refused');
    assert.equal(gb(['rev-parse', 'HEAD']).out, head, 'no merge commit');
    assert.match(merge.err, /^custodian: error: \[corrupt-values\] app\.env is a malformed value-encrypted file \(2 metadata blocks: two versions spliced together, as a merge by git's own driver \(a \.gitattributes merge=union\) leaves them\): it would open for no one$/m);
    assert.match(merge.err, /^custodian: error: \[corrupt-enc\] arm\.env\.enc is not a valid Custodian encrypted file/m);
    assert.doesNotMatch(merge.err, /plaintext-path|in the clear|already stored the staged plaintext/);
    assertNoPlaintext(b, MARKER);
  });

  it('git merge of a branch a teammate without the hook committed a plaintext .env to, beside .env.enc: the merge commit is refused by the pre-merge-commit guard', () => {
    const { a } = twoClones('merge-plaintext', ['alice', 'bob'], lines(3, 'base').join(''));
    const ga = gitIn(a, asUser(keys.alice));
    ok(ga(['checkout', '-q', '-b', 'feature']));
    fs.writeFileSync(path.join(a, '.env'), decryptFrom(a, '.env.enc', keys.alice).text);
    ok(ga(['add', '.env']));
    ok(ga(['commit', '-q', '--no-verify', '-m', 'wip'])); // as from a clone without the hook
    ok(ga(['checkout', '-q', 'main']));
    fs.writeFileSync(path.join(a, 'notes.txt'), 'a\n');
    ok(ga(['add', 'notes.txt']));
    ok(ga(['commit', '-q', '-m', 'notes']));
    const head = ga(['rev-parse', 'HEAD']).out;
    const merge = ga(['merge', '--no-edit', 'feature']);
    assert.notEqual(merge.status, 0, 'the merge commit is refused');
    assert.equal(ga(['rev-parse', 'HEAD']).out, head);
    assert.match(merge.err, /\[plaintext-path\] \.env matches "\.env" in guard\.plaintextPaths/);
    assert.match(merge.err, /\[plaintext-twin\] \.env is the plaintext of \.env\.enc/);
    ok(ga(['merge', '--abort']));
  });

  it('textconv names a signer only as the roster does: a key committed as "bob (laptop).pub", under a lookalike name, or planted as bob.pub since I pinned the roster is shown by fingerprint alone', () => {
    // carol (the attacker: she can push, she is not on the team) commits her key where a name is read
    // from, then a version of .env.enc she signed; alice, who pinned alice and bob, looks at the history.
    const base = lines(4, 'base');
    const { a } = twoClones('names', ['alice', 'bob'], base.join(''));
    const ga = gitIn(a, asUser(keys.alice));
    const bobsFile = path.join(a, '.custodian/team/bob.pub');
    const bobsKey = fs.readFileSync(bobsFile);
    const carol = shortFingerprint(keys.carol.fingerprint);
    const plants: [string, () => void][] = [
      ['bob (laptop).pub', () => fs.copyFileSync(keys.carol.sshPubPath, path.join(a, '.custodian/team/bob (laptop).pub'))],
      ['b0b.pub', () => fs.copyFileSync(keys.carol.sshPubPath, path.join(a, '.custodian/team/b0b.pub'))],
      ['bob.pub, its key replaced', () => fs.copyFileSync(keys.carol.sshPubPath, bobsFile)],
    ];
    for (const [i, [what, plant]] of plants.entries()) {
      ok(ga(['rm', '-q', '--ignore-unmatch', '--', '.custodian/team/b0b.pub', '.custodian/team/bob (laptop).pub']));
      fs.writeFileSync(bobsFile, bobsKey);
      plant();
      const next = [...base];
      next[1] = `KEY_1=${MARKER}-carol-${i}\n`;
      encryptInto(a, '.env.enc', next.join(''), keys.carol, ['-r', keys.alice.sshPubPath, '-r', keys.bob.sshPubPath]);
      ok(ga(['add', '-A']));
      ok(ga(['commit', '-q', '-m', `chore ${i}`]));
      const shown = ga(['show', '--format=', 'HEAD', '--', '.env.enc']);
      ok(shown);
      assert.ok(new RegExp(`^[ +]\\[custodian\\] signed by ${keys.carol.fingerprint.replace(/[+/]/g, '.')}$`, 'm').test(shown.out), `${what}:\n${shown.out}`);
      assert.doesNotMatch(shown.out, new RegExp(`^\\+\\[custodian\\] signed by .*\\(${carol.replace(/[+/]/g, '.')}\\)`, 'm'), `${what}: no name beside carol's key`);
    }
    // The roster as the team had it: their own names show again.
    fs.writeFileSync(bobsFile, bobsKey);
    const first = ga(['show', '--format=', 'HEAD~3', '--', '.env.enc']).out;
    const named = (k: TestKey, name: string) => `${name} \\(${shortFingerprint(k.fingerprint).replace(/[+/]/g, '.')}\\)`;
    assert.match(first, new RegExp(`^\\+\\[custodian\\] recipients: ${named(keys.alice, 'alice')}, ${named(keys.bob, 'bob')}\n\\+\\[custodian\\] signed by ${named(keys.alice, 'alice')}$`, 'm'));
  });

  it('a version over 256 MiB (a sparse file) is one summary line in git diff, with its size and how to read it; exit 0, and the diff of the next file goes on', () => {
    const base = lines(4, 'base');
    const { a } = twoClones('big', ['alice', 'bob'], base.join(''));
    const ga = gitIn(a, asUser(keys.alice));
    const size = 256 * 1024 * 1024 + 4096;
    const fd = fs.openSync(path.join(a, '.a-big.enc'), 'w');
    fs.ftruncateSync(fd, size);
    fs.closeSync(fd);
    ok(ga(['add', '-N', '.a-big.enc']));
    const next = [...base];
    next[2] = `KEY_2=${MARKER}-after-big\n`;
    encryptInto(a, '.env.enc', next.join(''), keys.alice);
    const diff = ga(['diff']);
    ok(diff);
    assert.match(diff.out, new RegExp(`^\\+\\[custodian\\] too large to show in a diff \\(${size} bytes; versions are read up to 268435456 bytes\\); to read it: git show COMMIT:PATH \\| custodian decrypt -o FILE; sha256 [0-9a-f]{12}$`, 'm'));
    assert.match(diff.out, new RegExp(`^\\+KEY_2=${MARKER}-after-big$`, 'm'), 'the diff went on to .env.enc');
    assert.equal(diff.err, '');
  });

  it('setup is idempotent, keeps what was there, chains an existing hook; --undo restores every file byte for byte', () => {
    const repo = path.join(dir, 'setup');
    ok(spawnSync('git', ['init', '-q', '-b', 'main', repo]));
    const g = gitIn(repo);
    fs.writeFileSync(path.join(repo, '.gitattributes'), '*.png binary'); // no final newline
    const hook = path.join(repo, '.git/hooks/pre-commit');
    fs.writeFileSync(hook, '#!/bin/sh\necho existing hook ran > "$(git rev-parse --git-dir)/hook-ran"\nexit 0\n', { mode: 0o755 });
    const mergeHook = path.join(repo, '.git/hooks/pre-merge-commit');
    fs.writeFileSync(mergeHook, '#!/bin/sh\nexit 0\n', { mode: 0o700 });
    const snapshot = () => ({
      attributes: fs.readFileSync(path.join(repo, '.gitattributes')),
      hook: fs.readFileSync(hook),
      hookMode: fs.statSync(hook).mode,
      mergeHook: fs.readFileSync(mergeHook),
      mergeHookMode: fs.statSync(mergeHook).mode,
      config: fs.readFileSync(path.join(repo, '.git/config')),
    });
    const before = snapshot();
    assert.equal(custodian(repo, ['git', 'setup', '--check']).code, 1, '--check fails before setup');
    const first = custodian(repo, ['git', 'setup']);
    assert.equal(first.code, 0, first.stderr);
    const once = snapshot();
    assert.equal(once.attributes.toString(), '*.png binary\n# Custodian: decrypted diffs and encrypted three-way merges of .enc files (docs/GIT.md)\n*.enc diff=custodian merge=custodian -text\n');
    assert.match(once.hook.toString(), /^#!\/bin\/sh\n# >>> custodian guard .*\n.* guard \|\| exit \$\?\n# <<< custodian guard\necho existing hook ran/);
    assert.equal(g(['config', 'diff.custodian.textconv']).out.trim(), `${cli} git textconv --`);
    assert.match(once.mergeHook.toString(), /^#!\/bin\/sh\n# >>> custodian guard .*\n.* guard \|\| exit \$\?\n# <<< custodian guard\nexit 0\n$/);
    const second = custodian(repo, ['git', 'setup']);
    assert.match(second.stderr, /already set up: nothing changed/);
    assert.deepEqual(snapshot(), once, 'running setup again changes nothing');
    const check = custodian(repo, ['git', 'setup', '--check']);
    assert.equal(check.code, 0, check.out + check.stderr);

    // Both the guard and the existing hook run at a commit.
    fs.writeFileSync(path.join(repo, 'README'), 'hello\n');
    ok(g(['add', 'README']));
    ok(g(['commit', '-q', '-m', 'readme']));
    assert.ok(fs.existsSync(path.join(repo, '.git/hook-ran')), 'the existing hook still runs');
    fs.writeFileSync(path.join(repo, '.env'), 'TOKEN=x\n');
    ok(g(['add', '.env']));
    const blocked = g(['commit', '-q', '-m', 'oops']);
    assert.notEqual(blocked.status, 0, 'the guard runs first and blocks');
    ok(g(['rm', '-q', '--cached', '.env']));

    const undo = custodian(repo, ['git', 'setup', '--undo']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.deepEqual(snapshot(), before, 'undo restores .gitattributes, the hook (and its mode) and .git/config byte for byte');
  });

  it('setup with another command (a build that moved, an extension that updated) rewrites the commands it wrote, in the hook too; the rest of the hook and --undo are unaffected', () => {
    const repo = path.join(dir, 'moved');
    ok(spawnSync('git', ['init', '-q', '-b', 'main', repo]));
    const g = gitIn(repo);
    const hook = path.join(repo, '.git/hooks/pre-commit');
    const existing = '#!/bin/sh\necho existing hook ran > "$(git rev-parse --git-dir)/hook-ran"\n';
    fs.writeFileSync(hook, existing, { mode: 0o755 });
    const old = `/gone/node /gone/extension-0.1.0/dist/cli.js`;
    assert.equal(custodian(repo, ['git', 'setup', '--command', old]).code, 0);
    assert.match(fs.readFileSync(hook, 'utf8'), /\/gone\/node .* guard \|\| exit/);
    const check = custodian(repo, ['git', 'setup', '--check']);
    assert.match(check.out, /^differs +pre-commit guard: .* runs another command than ".* guard"$/m);
    assert.match(check.out, /^differs +diff driver: /m);

    const again = custodian(repo, ['git', 'setup']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /pre-commit guard: now runs ".* guard"/);
    const text = fs.readFileSync(hook, 'utf8');
    assert.ok(!text.includes('/gone/'), text);
    assert.ok(text.includes(`${cli} guard || exit $?`), text);
    assert.ok(text.endsWith(existing.slice('#!/bin/sh\n'.length)), 'the rest of the hook is as it was');
    assert.equal(fs.statSync(hook).mode & 0o777, 0o755);
    assert.equal(g(['config', 'diff.custodian.textconv']).out.trim(), `${cli} git textconv --`);
    assert.equal(custodian(repo, ['git', 'setup', '--check']).code, 0);
    // A commit runs the guard with the new command, then the existing hook.
    fs.writeFileSync(path.join(repo, 'README'), 'hello\n');
    ok(g(['add', 'README']));
    ok(g(['commit', '-q', '-m', 'readme']));
    assert.ok(fs.existsSync(path.join(repo, '.git/hook-ran')));
    assert.equal(custodian(repo, ['git', 'setup', '--undo']).code, 0);
    assert.equal(fs.readFileSync(hook, 'utf8'), existing);
  });

  it('setup respects core.hooksPath, creates what is missing, and undo deletes only what it created', () => {
    const repo = path.join(dir, 'hookspath');
    ok(spawnSync('git', ['init', '-q', '-b', 'main', repo]));
    const g = gitIn(repo);
    ok(g(['config', 'core.hooksPath', '.githooks']));
    const config = fs.readFileSync(path.join(repo, '.git/config'));
    assert.equal(custodian(repo, ['git', 'setup']).code, 0);
    const hook = path.join(repo, '.githooks/pre-commit');
    assert.ok(fs.statSync(hook).mode & 0o100, 'the new hook is executable');
    const mergeHook = path.join(repo, '.githooks/pre-merge-commit');
    assert.match(fs.readFileSync(mergeHook, 'utf8'), /^#!\/bin\/sh\n# >>> custodian guard .*\n.* guard \|\| exit \$\?\n# <<< custodian guard\n$/);
    assert.ok(fs.statSync(mergeHook).mode & 0o100, 'the merge hook is executable');
    assert.ok(fs.existsSync(path.join(repo, '.gitattributes')));
    assert.ok(!fs.existsSync(path.join(repo, '.git/hooks/pre-commit')));
    assert.equal(custodian(repo, ['git', 'setup', '--undo']).code, 0);
    assert.ok(!fs.existsSync(hook) && !fs.existsSync(mergeHook) && !fs.existsSync(path.join(repo, '.gitattributes')));
    assert.ok(fs.readFileSync(path.join(repo, '.git/config')).equals(config));
  });

  it('setup after an --undo that deleted a committed .gitattributes brings the committed file back, and diffs are decrypted again', () => {
    const { a } = twoClones('undo-redo', ['alice'], lines(3, 'x').join(''));
    const g = gitIn(a, asUser(keys.alice));
    const committed = fs.readFileSync(path.join(a, '.gitattributes'));
    assert.equal(custodian(a, ['git', 'setup', '--undo']).code, 0);
    assert.equal(g(['status', '--porcelain']).out, ' D .gitattributes\n', 'undo deletes the file setup created, committed or not');
    // git still finds the attributes in the index, but diffs read them from the working tree only.
    assert.match(g(['show', '--format=', 'HEAD', '--', '.env.enc']).out, /^Binary files /m);
    const again = custodian(a, ['git', 'setup']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /\.gitattributes: restored from the index/);
    assert.ok(fs.readFileSync(path.join(a, '.gitattributes')).equals(committed), 'the committed file, byte for byte');
    assert.equal(g(['status', '--porcelain']).out, '');
    assert.match(g(['show', '--format=', 'HEAD', '--', '.env.enc']).out, /^\+KEY_0=/m);
    assert.equal(custodian(a, ['git', 'setup', '--check']).code, 0);
  });

  it('a clone of a set-up repository: .gitattributes arrives with it, the drivers do not; setup says there is nothing to commit; its undo leaves the committed lines', () => {
    const { b } = twoClones('teammate', ['alice'], lines(2, 'x').join(''));
    const attributes = fs.readFileSync(path.join(b, '.gitattributes'));
    assert.equal(custodian(b, ['git', 'setup', '--undo']).code, 0);
    assert.ok(fs.readFileSync(path.join(b, '.gitattributes')).equals(attributes), 'committed lines are not this clone\'s to remove');
    assert.equal(gitIn(b)(['config', '--get', 'merge.custodian.driver']).status, 1);
    // Set up again: the drivers come back; .gitattributes came with the clone, so there is nothing to commit.
    const setup = custodian(b, ['git', 'setup']);
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(setup.stderr, /\.gitattributes is already committed/);
    assert.doesNotMatch(setup.stderr, /commit \.gitattributes/);
  });
});

describe('cli: guard (real git)', function () {
  this.timeout(120_000);
  let dir: string;
  let repo: string;
  let g: Git;
  let alice: TestKey;
  let bob: TestKey;

  before(() => {
    dir = tempDir('custodian-guard-test-');
    alice = makeOpensslKey(dir, 'alice');
    bob = makeOpensslKey(dir, 'bob');
    repo = path.join(dir, 'repo');
    ok(spawnSync('git', ['init', '-q', '-b', 'main', repo]));
    g = gitIn(repo);
    fs.mkdirSync(path.join(repo, '.custodian/team'), { recursive: true });
    fs.copyFileSync(alice.sshPubPath, path.join(repo, '.custodian/team/alice.pub'));
    fs.copyFileSync(bob.sshPubPath, path.join(repo, '.custodian/team/bob.pub'));
    assert.equal(run(['git', 'setup'], { cwd: repo }).code, 0);
    ok(g(['add', '-A']));
    ok(g(['commit', '-q', '-m', 'roster']));
  });
  after(() => removeDir(dir));

  function write(file: string, content: string | Uint8Array): void {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), content);
  }

  /** Stages `files`, tries to commit, and unstages them again; returns the commit's result. */
  function tryCommit(files: string[]) {
    ok(g(['add', '--', ...files]));
    const r = g(['commit', '-q', '-m', 'try']);
    if (r.status !== 0) ok(g(['reset', '-q', '--', ...files]));
    return r;
  }

  // The last regex is the first line, all VS Code's dialog shows of a refused commit: the fix leads.
  const cases: [string, () => string[], RegExp, RegExp][] = [
    ['a path in guard.plaintextPaths (.env)', () => (write('app/.env', 'TOKEN=1\n'), ['app/.env']), /\[plaintext-path\] app\/\.env matches "\.env".*\n.*hint: encrypt its values in place .*; or the whole file: custodian encrypt -R \.custodian\/team -o app\/\.env\.enc app\/\.env && git rm --cached app\/\.env/, /^custodian: error: commit refused: encrypt app\/\.env, or unstage it \(git rm --cached app\/\.env\): it matches "\.env" in guard\.plaintextPaths$/],
    // What a new user committed freely before *.env was a default: a dotenv file named like the service.
    ['a dotenv file named NAME.env (prod.env)', () => (write('deploy/prod.env', 'AWS_SECRET_ACCESS_KEY=x\n'), ['deploy/prod.env']), /\[plaintext-path\] deploy\/prod\.env matches "\*\.env"/, /^custodian: error: commit refused: encrypt deploy\/prod\.env, or unstage it/],
    ['a private key block in any file', () => (write('notes/deploy.txt', `see below\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn\n`), ['notes/deploy.txt']), /\[private-key\] notes\/deploy\.txt holds a private key block\n.*hint: git rm --cached notes\/deploy\.txt/, /^custodian: error: commit refused: unstage notes\/deploy\.txt \(git rm --cached notes\/deploy\.txt\): it holds a private key$/],
    [
      'a plaintext twin of an encrypted file',
      () => {
        write('config.json', '{"a":1}\n');
        const e = run(['encrypt', '-R', '.custodian/team', '-o', 'config.json.enc', 'config.json'], { cwd: repo });
        assert.equal(e.code, 0, e.stderr);
        return ['config.json', 'config.json.enc'];
      },
      /\[plaintext-twin\] config\.json is the plaintext of config\.json\.enc.*\n.*hint: git rm --cached config\.json/,
      // What a newcomer saw in VS Code's dialog was only "[plaintext-twin] … is the plaintext of …", without the fix.
      /^custodian: error: commit refused: unstage config\.json \(git rm --cached config\.json\) and add it to \.gitignore: it is the plaintext of config\.json\.enc$/,
    ],
    ['a corrupt .enc file', () => (write('broken.enc', 'not an envelope at all\n'), ['broken.enc']), /\[corrupt-enc\] broken\.enc is not a valid Custodian encrypted file/, /^custodian: error: commit refused: restore broken\.enc \(git restore --staged --worktree --source=HEAD broken\.enc\): it is not a valid Custodian encrypted file$/],
  ];
  for (const [title, stage, message, firstLine] of cases) {
    it(`blocks ${title}, naming the file, the rule and the fix, the fix on the first line`, () => {
      const files = stage();
      const r = tryCommit(files);
      assert.notEqual(r.status, 0, 'the commit is refused');
      assert.match(r.err, message);
      assert.match(r.err.split('\n')[0], firstLine);
      for (const f of files) fs.rmSync(path.join(repo, f));
    });
  }

  it('with no .custodian/config, the default rules refuse .env.production, secrets/db.txt, k.pem, id_rsa and credential files (.netrc, .pgpass, .git-credentials, .aws/credentials), each by the rule that names it; .env.example commits', () => {
    // The defaults are the guard for every repository that never wrote a config: a rule dropped from
    // them lets that file through everywhere. Plain contents, so only the path can refuse them.
    const refused: [string, string][] = [['.env.production', '.env.*'], ['config/.env.staging', '.env.*'], ['secrets/db.txt', 'secrets/**'], ['k.pem', '*.pem'], ['id_rsa', 'id_rsa'],
      ['.netrc', '.netrc'], ['ops/.pgpass', '.pgpass'], ['.git-credentials', '.git-credentials'], ['deploy/.aws/credentials', '**/.aws/credentials']];
    for (const [file, rule] of refused) {
      write(file, 'PASSWORD=x\n');
      const r = tryCommit([file]);
      assert.notEqual(r.status, 0, `${file} is refused`);
      assert.ok(r.err.includes(`[plaintext-path] ${file} matches "${rule}"`), `${file}: ${r.err}`);
      fs.rmSync(path.join(repo, file));
    }
    write('.env.example', 'PASSWORD=\n');
    const template = tryCommit(['.env.example']);
    assert.equal(template.status, 0, template.err);
    ok(g(['rm', '-q', '.env.example']));
    ok(g(['commit', '-q', '-m', 'drop the template']));
  });

  it('says git add already stored the refused plaintext, and what it says removes it', () => {
    write('app/.env', 'TOKEN=objects-marker-Qz8\n');
    ok(g(['add', 'app/.env']));
    const blob = g(['rev-parse', ':app/.env']).out.trim();
    const r = run(['guard'], { cwd: repo });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /git add has already stored the staged plaintext in \.git\/objects .*: once it is unstaged, "git gc --prune=now" deletes it/);
    assert.equal(g(['cat-file', '-e', blob]).status, 0, 'the object is there');
    ok(g(['restore', '--staged', 'app/.env']));
    ok(g(['gc', '-q', '--prune=now']));
    assert.notEqual(g(['cat-file', '-e', blob]).status, 0, 'gone after gc');
    fs.rmSync(path.join(repo, 'app/.env'));
  });

  it('reads the index, not the working tree: a staged key blocks even after the file was emptied', () => {
    write('id_backup.txt', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxu7mnqR6P1q2j8hX0bX9b1a8a3kP9dQ2r7aB1uY4mJ5gXv0gq3zT\n');
    ok(g(['add', 'id_backup.txt']));
    write('id_backup.txt', 'nothing here\n');
    const r = run(['guard'], { cwd: repo });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[private-key\] id_backup\.txt/);
    ok(g(['rm', '-q', '--cached', '-f', 'id_backup.txt']));
    fs.rmSync(path.join(repo, 'id_backup.txt'));
  });

  /** A file written for the team (FORMAT.md §3.4) whose recipients are alice alone: bob joined since. */
  async function teamFileForAliceOnly(file: string): Promise<void> {
    const { encryptBytes } = await import('../../src/core/envelope');
    const { parsePublicKey } = await import('../../src/core/keys');
    const { createNodeCryptoBackend } = await import('../../src/node/node-crypto-backend');
    const key = parsePublicKey(fs.readFileSync(alice.publicPemPath, 'utf8'));
    write(file, await encryptBytes(new TextEncoder().encode('TOKEN=secret\n'), { recipients: [key], backend: createNodeCryptoBackend(), recipientPolicy: 'team' }));
  }

  it('passes a clean commit, and warns (without failing) about recipients that drift from the roster', async () => {
    write('README.md', '# hello\n');
    write('.env.example', 'TOKEN=\n');
    await teamFileForAliceOnly('prod.env.enc');
    // Encrypted with -r for alice alone: chosen recipients, meant to differ from the roster.
    const e = run(['encrypt', '-r', alice.sshPubPath, '-o', 'for-alice.enc', '-'], { cwd: repo, input: 'TOKEN=secret\n' });
    assert.equal(e.code, 0, e.stderr);
    // A value-encrypted file for the team, at a path no guard rule names: its recipients count as a .enc's do.
    const { sealValues } = await import('../../src/core/values');
    const { parsePublicKey } = await import('../../src/core/keys');
    const { createNodeCryptoBackend } = await import('../../src/node/node-crypto-backend');
    const aliceKey = parsePublicKey(fs.readFileSync(alice.publicPemPath, 'utf8'));
    write('config/app.yaml', await sealValues('smtp:\n  password: s3cret\n', { format: 'yaml', recipients: [aliceKey], backend: createNodeCryptoBackend(), recipientPolicy: 'team' }));
    const r = tryCommit(['README.md', '.env.example', 'prod.env.enc', 'for-alice.enc', 'config/app.yaml']);
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /warning: \[recipient-drift\] prod\.env\.enc's recipients differ from the roster \(\.custodian\/team\): not readable by bob/);
    assert.match(r.err, /warning: \[recipient-drift\] config\/app\.yaml's recipients differ from the roster \(\.custodian\/team\): not readable by bob/);
    assert.doesNotMatch(r.err, /for-alice\.enc/);
  });

  it('a refused commit\'s first line is an error\'s fix, never a warning about another file: VS Code shows only that line', async () => {
    await teamFileForAliceOnly('a-drift.enc');
    write('z.env', 'TOKEN=1\n');
    const r = tryCommit(['a-drift.enc', 'z.env']);
    assert.notEqual(r.status, 0);
    assert.match(r.err.split('\n')[0], /^custodian: error: commit refused: encrypt z\.env, or unstage it \(git rm --cached z\.env\): it matches "\*\.env" in guard\.plaintextPaths$/);
    assert.match(r.err, /\ncustodian: error: \[plaintext-path\] z\.env matches/);
    assert.match(r.err, /warning: \[recipient-drift\] a-drift\.enc/);
    for (const f of ['a-drift.enc', 'z.env']) fs.rmSync(path.join(repo, f));
  });

  it('names the values an unencrypted-regex rule leaves in the clear once, in the commit where each first is; --all names them all', () => {
    // What a suffix rule cannot say: PORT and NODE_ENV readable, everything else sealed.
    write('svc/plain.env', 'PORT=8080\nNODE_ENV=production\nTOKEN=tok-first-Q1\n');
    const e = run(['encrypt', '--values', '-R', '.custodian/team', '--unencrypted-regex', '^(PORT|NODE_ENV|LOG_LEVEL)$', '-s', alice.privatePath, '-o', 'svc/.env', 'svc/plain.env'], { cwd: repo });
    assert.equal(e.code, 0, e.stderr);
    fs.rmSync(path.join(repo, 'svc/plain.env'));
    const first = tryCommit(['svc/.env']);
    assert.equal(first.status, 0, first.err);
    assert.match(first.err, /warning: \[plaintext-path\] svc\/\.env leaves PORT, NODE_ENV in the clear under its rule unencrypted-regex:/);
    // A sealed value changes: nothing new in the clear, nothing to review again.
    const set = (name: string, value: string) => assert.equal(run(['set', '-i', alice.privatePath, 'svc/.env', name], { cwd: repo, input: value }).code, 0);
    set('TOKEN', 'tok-second-Q2');
    const second = tryCommit(['svc/.env']);
    assert.equal(second.status, 0, second.err);
    assert.doesNotMatch(second.err, /in the clear/);
    // A new value the rule leaves readable is named, alone.
    set('LOG_LEVEL', 'debug');
    const third = tryCommit(['svc/.env']);
    assert.equal(third.status, 0, third.err);
    assert.match(third.err, /svc\/\.env leaves LOG_LEVEL in the clear under its rule unencrypted-regex:.* \(new since the last commit\)/);
    const all = run(['guard', '--all'], { cwd: repo });
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /svc\/\.env leaves PORT, NODE_ENV, LOG_LEVEL in the clear/);
    // The rule Encrypt Values writes for framework conventions (values every visitor's browser gets anyway): nothing to review.
    write('svc/web-plain.env', 'NEXT_PUBLIC_APP_NAME=shop\nVITE_MODE=prod\nTOKEN=tok-web-Q3\n');
    const w = run(['encrypt', '--values', '-R', '.custodian/team', '--unencrypted-regex', '^NEXT_PUBLIC_|^VITE_', '-s', alice.privatePath, '-o', 'svc/web.env', 'svc/web-plain.env'], { cwd: repo });
    assert.equal(w.code, 0, w.stderr);
    fs.rmSync(path.join(repo, 'svc/web-plain.env'));
    const web = tryCommit(['svc/web.env']);
    assert.equal(web.status, 0, web.err);
    assert.doesNotMatch(web.err, /web\.env leaves/);
    ok(g(['rm', '-q', 'svc/web.env']));
    ok(g(['rm', '-q', 'svc/.env']));
    ok(g(['commit', '-q', '-m', 'drop svc']));
  });

  it('a .env refused in the clear says how to encrypt its values, a command that works as printed; encrypted after staging, the refusal says to stage it again', () => {
    write('svc2/.env', 'TOKEN=staged-plain-1\n');
    ok(g(['add', 'svc2/.env']));
    const first = g(['commit', '-q', '-m', 'try']);
    assert.notEqual(first.status, 0);
    const printed = /hint: encrypt its values in place \(VS Code: "Encrypt Values for Team"; or custodian (encrypt --values -R \.custodian\/team -f -o svc2\/\.env svc2\/\.env)\)/.exec(first.err);
    assert.ok(printed, first.err);
    // Encrypted in the working tree by the command as printed (a newcomer's copy of it failed: "already
    // exists, pass --force"), but the staged copy is still the plain one.
    const sealed = run(printed[1].split(' '), { cwd: repo });
    assert.equal(sealed.code, 0, sealed.stderr);
    const again = g(['commit', '-q', '-m', 'try']);
    assert.notEqual(again.status, 0);
    assert.match(again.err, /error: \[plaintext-path\] svc2\/\.env is staged in the clear; the file in the working tree has its values encrypted since it was staged\n.*hint: stage it again: git add svc2\/\.env/);
    ok(g(['add', 'svc2/.env']));
    const staged = g(['commit', '-q', '-m', 'sealed svc2']);
    assert.equal(staged.status, 0, staged.err);
    ok(g(['rm', '-q', '-r', 'svc2']));
    ok(g(['commit', '-q', '-m', 'drop svc2']));
  });

  it('a value-encrypted .env next to a committed .env.enc (the walkthrough\'s file, then Encrypt Values) commits, with a warning that there are two copies', () => {
    write('plain-twin.env', 'TOKEN=twin-1\n');
    fs.mkdirSync(path.join(repo, 'twin'));
    assert.equal(run(['encrypt', '-R', '.custodian/team', '-o', 'twin/.env.enc', 'plain-twin.env'], { cwd: repo }).code, 0);
    assert.equal(tryCommit(['twin/.env.enc']).status, 0);
    const v = run(['encrypt', '--values', '-R', '.custodian/team', '-o', 'twin/.env', 'plain-twin.env'], { cwd: repo });
    assert.equal(v.code, 0, v.stderr);
    fs.rmSync(path.join(repo, 'plain-twin.env'));
    const r = tryCommit(['twin/.env']);
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /warning: \[plaintext-twin\] twin\/\.env is value-encrypted, and twin\/\.env\.enc beside it is another encrypted copy of it/);
    // Its plaintext in the same place is still refused, whichever of the two is staged.
    write('twin/.env', 'TOKEN=twin-1\n');
    const plain = tryCommit(['twin/.env']);
    assert.notEqual(plain.status, 0);
    assert.match(plain.err, /error: \[plaintext-twin\] twin\/\.env is the plaintext of twin\/\.env\.enc/);
    ok(g(['rm', '-q', '-r', '-f', 'twin']));
    ok(g(['commit', '-q', '-m', 'drop twin']));
  });

  it('follows .custodian/config from the index, and --all checks every tracked file for CI', () => {
    write('.custodian/config', JSON.stringify({ guard: { plaintextPaths: ['*.secret', 'private/'] } }));
    write('.env', 'A=1\n'); // allowed now: the config replaced the defaults
    assert.equal(tryCommit(['.custodian/config', '.env']).status, 0);
    write('deep/x/private/y.txt', 'y\n');
    const r = tryCommit(['deep/x/private/y.txt']);
    assert.match(r.err, /\[plaintext-path\] deep\/x\/private\/y\.txt matches "private\/"/);
    fs.rmSync(path.join(repo, 'deep'), { recursive: true });
    // Committed past the hook, then caught by --all.
    write('k.secret', 'x\n');
    ok(g(['add', 'k.secret']));
    ok(g(['commit', '-q', '--no-verify', '-m', 'skip the hook']));
    assert.equal(run(['guard'], { cwd: repo }).code, 0, 'nothing staged');
    const all = run(['guard', '--all'], { cwd: repo });
    assert.equal(all.code, 1);
    assert.match(all.stderr, /\[plaintext-path\] k\.secret matches "\*\.secret"/);
  });

  it('a submodule is a repository of its own: guard --all, the guard of a submodule bump and git setup name the submodules they do not reach, and the command they give finds the plaintext committed inside one', () => {
    // A red team committed a .env and a private key inside a submodule of a set-up clone: guard --all and
    // setup --check in the outer clone passed in silence.
    const lib = path.join(dir, 'sub-lib');
    const app = path.join(dir, 'sub-app');
    ok(spawnSync('git', ['init', '-q', '-b', 'main', lib]));
    const gl = gitIn(lib);
    fs.writeFileSync(path.join(lib, 'lib.txt'), 'libcode\n');
    ok(gl(['add', '-A']));
    ok(gl(['commit', '-q', '-m', 'lib']));
    ok(spawnSync('git', ['init', '-q', '-b', 'main', app]));
    const ga = gitIn(app);
    fs.writeFileSync(path.join(app, 'README'), 'app\n');
    const setup = run(['git', 'setup'], { cwd: app });
    assert.equal(setup.code, 0, setup.stderr);
    assert.doesNotMatch(setup.stderr, /submodule/, 'no submodule yet, nothing said');
    ok(ga(['add', '-A']));
    ok(ga(['commit', '-q', '-m', 'app']));
    ok(ga(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib, 'lib']));
    ok(ga(['commit', '-q', '-m', 'add lib']));
    const gs = gitIn(path.join(app, 'lib'));
    fs.writeFileSync(path.join(app, 'lib', '.env'), 'AWS_SECRET=x\n');
    fs.writeFileSync(path.join(app, 'lib', 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n');
    ok(gs(['add', '-A']));
    ok(gs(['commit', '-q', '-m', 'config']));
    ok(ga(['add', 'lib']));
    const bump = ga(['commit', '-q', '-m', 'bump lib']);
    ok(bump);
    assert.match(bump.err, /warning: submodule lib not checked: a submodule is a repository of its own/);
    const all = run(['guard', '--all'], { cwd: app });
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /warning: submodule lib not checked: .*"git submodule foreach --recursive custodian guard --all"/);
    for (const args of [['git', 'setup'], ['git', 'setup', '--check']]) {
      const r = run(args, { cwd: app });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: submodule lib not covered: hooks and drivers are per repository, so commits made inside a submodule are not guarded by this set-up/);
    }
    // What the warning says to run finds both files.
    const each = ga(['submodule', 'foreach', '--recursive', `${process.execPath} ${cliPath()} guard --all`]);
    assert.notEqual(each.status, 0);
    assert.match(each.err, /\[plaintext-path\] \.env /);
    assert.match(each.err, /id_rsa/);
    // Said of files committed already (what CI checks), not of a commit being refused.
    assert.match(each.err, /problem\(s\) in tracked files/);
    assert.match(each.err, /hint: these files are committed: a secret among them is in the history of every clone, so rotate it/);
    assert.doesNotMatch(each.err, /nothing was committed|git add has already stored/);
  });
});
