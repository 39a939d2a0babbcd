// Roster integrity in the CLI, on real git repositories (docs/ROSTER.md): a commit by someone outside
// the team that swaps a key or adds one stops the next `encrypt -R`; a signed addition by a verified
// member does not; a revert of a signed removal and a forged signature are caught by `roster verify`.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePrivateKey } from '../../src/core/keys';
import { createRecord, rootIdOf } from '../../src/core/roster-records';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { makeOpensslKey, removeDir, run, sh, tempDir, type TestKey } from './helpers';

function git(cwd: string, args: string[], author = 'Alice <alice@example.com>'): string {
  const [name, email] = /^(.*) <(.*)>$/.exec(author)!.slice(1);
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function commitAll(repo: string, message: string, author?: string): void {
  git(repo, ['add', '-A'], author);
  git(repo, ['commit', '-q', '-m', message], author);
}

describe('cli: roster integrity (pins, signed records, names)', function () {
  this.timeout(120_000);
  let keys: string;
  let alice: TestKey;
  let bob: TestKey;
  let carol: TestKey;
  let mallory: TestKey;
  let repo: string;
  let team: string;
  let config: string;
  let plain: string;
  const env = (): Record<string, string> => ({ XDG_CONFIG_HOME: config });

  before(() => {
    keys = tempDir();
    alice = makeOpensslKey(keys, 'alice');
    bob = makeOpensslKey(keys, 'bob');
    carol = makeOpensslKey(keys, 'carol');
    mallory = makeOpensslKey(keys, 'mallory');
    plain = path.join(keys, 'plain.txt');
    fs.writeFileSync(plain, 'DB_PASSWORD=hunter2\n');
  });
  after(() => removeDir(keys));

  beforeEach(() => {
    repo = tempDir('custodian-roster-repo-');
    config = tempDir('custodian-roster-config-');
    team = path.join(repo, '.custodian', 'team');
    fs.mkdirSync(team, { recursive: true });
    git(repo, ['init', '-q']);
    fs.copyFileSync(alice.sshPubPath, path.join(team, 'alice.pub'));
    fs.copyFileSync(bob.sshPubPath, path.join(team, 'bob.pub'));
    commitAll(repo, 'Start the team');
  });
  afterEach(() => {
    removeDir(repo);
    removeDir(config);
  });

  /** alice signs the roster and adds carol (then `meanwhile`), removes her, and mallory reverts the removal. */
  function revertCarolsRemoval(meanwhile?: () => void): void {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', team, '-i', alice.privatePath, 'carol', carol.sshPubPath], { env: env() }).code, 0);
    commitAll(repo, 'Sign, add carol');
    meanwhile?.();
    assert.equal(run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'carol'], { env: env() }).code, 0);
    commitAll(repo, 'Remove carol');
    git(repo, ['revert', '--no-edit', 'HEAD'], 'Mallory <mallory@evil.example>');
  }

  /** alice signs the roster, adds carol (pinned by an encryption to the team), then removes her: each step committed. */
  function pinThenRemoveCarol(): void {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', team, '-i', alice.privatePath, 'carol', carol.sshPubPath], { env: env() }).code, 0);
    commitAll(repo, 'Sign, add carol');
    assert.equal(encrypt().code, 0, 'carol pinned');
    assert.equal(run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'carol'], { env: env() }).code, 0);
    commitAll(repo, 'Remove carol');
  }

  /** carol, removed and back in some way: encrypting to the roster refuses her and writes nothing. */
  function assertEncryptRefusesCarol(name: string): void {
    const out = path.join(repo, name);
    const e = encrypt(out);
    assert.equal(e.code, 1, 'encrypt refuses the re-added carol');
    assert.match(e.stderr, /carol: broken/);
    assert.ok(!fs.existsSync(out));
  }

  function encrypt(out = path.join(repo, 'secret.enc')): ReturnType<typeof run> {
    return run(['encrypt', '-R', team, '-o', out, plain], { env: env() });
  }

  /**
   * Writes a bare repository (HEAD, objects/, refs/, config) into `folder`, whose config names a program
   * for git to run (core.fsmonitor, gpg.program with log.showSignature; its one signed commit deletes a
   * record, so `git log --diff-filter=D` shows it); returns the file the program appends to when run.
   */
  function plantBareRepository(folder: string): string {
    const ran = path.join(keys, 'ran-by-git');
    fs.rmSync(ran, { force: true });
    const program = path.join(keys, 'program.sh');
    fs.writeFileSync(program, `#!/bin/sh\necho "$PWD $*" >> '${ran}'\nexit 1\n`, { mode: 0o755 });
    const bare = tempDir('custodian-embedded-');
    try {
      git(bare, ['init', '-q', '--bare', '.']);
      const object = (args: string[], input: string): string => spawnSync('git', args, { cwd: bare, input, encoding: 'utf8' }).stdout.trim();
      const blob = object(['hash-object', '-w', '--stdin'], '{}\n');
      const records = object(['mktree'], `100644 blob ${blob}\tx.json\n`);
      const withRecord = object(['mktree'], `040000 tree ${records}\trecords\n`);
      const empty = object(['mktree'], '');
      const person = 'm <m@x> 1700000000 +0000';
      const first = object(['hash-object', '-t', 'commit', '-w', '--stdin'], `tree ${withRecord}\nauthor ${person}\ncommitter ${person}\n\none\n`);
      const signed = `tree ${empty}\nparent ${first}\nauthor ${person}\ncommitter ${person}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n x\n -----END PGP SIGNATURE-----\n\ntwo\n`;
      git(bare, ['update-ref', 'refs/heads/master', object(['hash-object', '-t', 'commit', '-w', '--stdin'], signed)]);
      for (const part of ['HEAD', 'objects', 'refs']) fs.cpSync(path.join(bare, part), path.join(folder, part), { recursive: true });
      fs.writeFileSync(path.join(folder, 'config'), `[core]\n\tbare = true\n\tfsmonitor = ${program}\n[log]\n\tshowSignature = true\n[gpg]\n\tprogram = ${program}\n`);
      fs.writeFileSync(path.join(folder, 'refs', 'keep'), '');
    } finally {
      removeDir(bare);
    }
    return ran;
  }

  it('a key swapped by a commit from outside the team stops encrypt -R, naming the entry, the fingerprints, the commit and the fix', () => {
    assert.equal(encrypt().code, 0, 'first use pins the plain roster');
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'bob.pub'));
    commitAll(repo, "Update bob's key", 'Mallory <mallory@evil.example>');
    const out = path.join(repo, 'after-swap.enc');
    const r = encrypt(out);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!fs.existsSync(out), 'nothing was written');
    assert.match(r.stderr, /bob: key changed from /);
    assert.ok(r.stderr.includes(bob.fingerprint) && r.stderr.includes(mallory.fingerprint), r.stderr);
    assert.match(r.stderr, /by Mallory <mallory@evil\.example>/);
    assert.match(r.stderr, /custodian roster trust -R .* bob/);
    // Value-level encryption to the roster is held to the same check.
    const values = path.join(repo, 'after-swap.env');
    const v = run(['encrypt', '--values', '--format', 'dotenv', '-R', team, '-o', values, plain], { env: env() });
    assert.equal(v.code, 1, v.stderr);
    assert.match(v.stderr, /bob: key changed from /);
    assert.ok(!fs.existsSync(values), 'nothing was written');
    // After an out-of-band check, the user confirms and encryption goes on.
    const t = run(['roster', 'trust', '-R', team, 'bob'], { env: env() });
    assert.equal(t.code, 0, t.stderr);
    assert.equal(encrypt(out).code, 0);
  });

  it('a key added by a commit from outside the team stops encrypt -R as a newcomer', () => {
    assert.equal(encrypt().code, 0);
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'mallory.pub'));
    commitAll(repo, 'Add a helper', 'Mallory <mallory@evil.example>');
    const r = encrypt(path.join(repo, 'x.enc'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /mallory: new in the roster, key SHA256:/);
    assert.match(r.stderr, /Mallory <mallory@evil\.example>/);
  });

  it('pins inside the roster\'s own repository are refused: a pins file there, or a pin store there (XDG_CONFIG_HOME), could be written by anyone who can push', () => {
    // What a repository's terminal settings can set: a pins file it committed, listing mallory as a member.
    const committedPins = path.join(repo, '.vscode', 'roster-pins.txt');
    fs.mkdirSync(path.dirname(committedPins), { recursive: true });
    fs.writeFileSync(committedPins, `alice ${alice.fingerprint}\nbob ${bob.fingerprint}\nmallory ${mallory.fingerprint}\n`);
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'mallory.pub'));
    const out = path.join(repo, 'planted.enc');
    const viaFile = run(['encrypt', '-R', team, '-o', out, plain], { env: { ...env(), CUSTODIAN_ROSTER_PINS: committedPins } });
    assert.equal(viaFile.code, 1);
    assert.match(viaFile.stderr, /the pins file .*roster-pins\.txt is inside the repository of the roster .*: anyone who can push could change whom it trusts/);
    const viaStore = run(['encrypt', '-R', team, '-o', out, plain], { env: { ...env(), XDG_CONFIG_HOME: path.join(repo, '.vscode', 'config') } });
    assert.equal(viaStore.code, 1);
    assert.match(viaStore.stderr, /your pin store .* is inside the repository of the roster/);
    assert.ok(!fs.existsSync(out), 'nothing was encrypted');
    assert.ok(!fs.existsSync(path.join(repo, '.vscode', 'config')), 'no store was made there');
  });

  it('"the roster\'s repository" is the git work tree it is in, wherever in it: a roster folder of its own beside a pin store is no repository, and a roster deeper in a repository still protects the whole of it', () => {
    // A roster kept in a folder of the home directory, no git anywhere: the store under ~/.config is fine.
    const home = tempDir('custodian-roster-home-');
    try {
      const own = path.join(home, 'roster');
      fs.mkdirSync(own);
      fs.copyFileSync(alice.sshPubPath, path.join(own, 'alice.pub'));
      const ok = run(['encrypt', '-R', own, '-o', path.join(home, 'x.enc'), plain], { env: { XDG_CONFIG_HOME: path.join(home, '.config') } });
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      removeDir(home);
    }
    // A roster in a subfolder of a repository (not .custodian/team): a store elsewhere in that repository is refused.
    const deep = path.join(repo, 'deploy', 'keys');
    fs.mkdirSync(deep, { recursive: true });
    fs.copyFileSync(alice.sshPubPath, path.join(deep, 'alice.pub'));
    commitAll(repo, 'deploy keys');
    const out = path.join(repo, 'deep.enc');
    const planted = run(['encrypt', '-R', deep, '-o', out, plain], { env: { XDG_CONFIG_HOME: path.join(repo, '.vscode', 'config') } });
    assert.equal(planted.code, 1);
    assert.match(planted.stderr, /your pin store .* is inside the repository of the roster/);
    assert.ok(!fs.existsSync(out), 'nothing was encrypted');
  });

  it('CI pins (--pins FILE) refuse a key that is not pinned, and never write', () => {
    const pins = path.join(keys, `pins-${Date.now()}.txt`);
    fs.writeFileSync(pins, `# team\nalice ${alice.fingerprint}\nbob ${bob.fingerprint}\n`);
    const ok = run(['encrypt', '-R', team, '--pins', pins, '-o', path.join(repo, 'a.enc'), plain], { env: env() });
    assert.equal(ok.code, 0, ok.stderr);
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'bob.pub'));
    const r = run(['encrypt', '-R', team, '-o', path.join(repo, 'b.enc'), plain], { env: { ...env(), CUSTODIAN_ROSTER_PINS: pins } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bob: key changed/);
    const v = run(['encrypt', '--values', '--format', 'dotenv', '-R', team, '--pins', pins, '-o', path.join(repo, 'b.env'), plain], { env: env() });
    assert.equal(v.code, 1);
    assert.match(v.stderr, /bob: key changed/);
    assert.ok(!fs.existsSync(path.join(repo, 'b.env')));
    assert.ok(!fs.existsSync(path.join(config, 'custodian', 'roster-pins.json')), 'a pins file run leaves the store alone');
  });

  it('a signed addition by a verified member is accepted without asking; verify passes', () => {
    const s = run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() });
    assert.equal(s.code, 0, s.stderr);
    commitAll(repo, 'Sign the roster');
    assert.equal(encrypt().code, 0);
    // Bob (verified through the root) adds carol on his own machine: Alice's pins know nothing of carol.
    const bobConfig = tempDir('custodian-roster-bob-');
    try {
      const a = run(['roster', 'add', '-R', team, '-i', bob.privatePath, 'carol', carol.sshPubPath], { env: { XDG_CONFIG_HOME: bobConfig } });
      assert.equal(a.code, 0, a.stderr);
    } finally {
      removeDir(bobConfig);
    }
    commitAll(repo, 'Add carol', 'Bob <bob@example.com>');
    const e = encrypt(path.join(repo, 'with-carol.enc'));
    assert.equal(e.code, 0, e.stderr);
    const v = run(['roster', 'verify', '-R', team, '--json'], { env: env() });
    assert.equal(v.code, 0, v.stderr);
    const j = JSON.parse(v.out) as { ok: boolean; entries: { name: string; status: string; by?: string }[] };
    assert.equal(j.ok, true);
    assert.deepEqual(j.entries.map((x) => [x.name, x.status, x.by ?? null]), [['alice', 'verified', null], ['bob', 'verified', null], ['carol', 'verified', 'bob']]);
  });

  it('in a fresh clone (nothing pinned), signing a newcomer pins the root it was verified through: verify passes and encrypt -R asks about no one', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    commitAll(repo, 'Sign the roster');
    fs.copyFileSync(carol.sshPubPath, path.join(team, 'carol.pub'));
    commitAll(repo, 'Add myself', 'Carol <carol@example.com>');
    // Bob's pin store has never seen this roster (a new clone, a new machine).
    const bobEnv = { XDG_CONFIG_HOME: tempDir('custodian-roster-bob-') };
    try {
      const s = run(['roster', 'sign', '-R', team, '-i', bob.privatePath, 'carol'], { env: bobEnv });
      assert.equal(s.code, 0, s.stderr);
      const v = run(['roster', 'verify', '-R', team], { env: bobEnv });
      assert.equal(v.code, 0, v.out + v.stderr);
      assert.doesNotMatch(v.out, /not the one pinned|not pinned/);
      const e = run(['encrypt', '-R', team, '-o', path.join(repo, 'for-all.enc'), plain], { env: bobEnv });
      assert.equal(e.code, 0, e.stderr);
      // The root is pinned now: a root Mallory puts in its place is refused, not taken on first use.
      const pins = JSON.parse(fs.readFileSync(path.join(bobEnv.XDG_CONFIG_HOME, 'custodian', 'roster-pins.json'), 'utf8')) as { rosters: Record<string, { root?: string; members: Record<string, string> }> };
      const pinned = Object.values(pins.rosters)[0];
      assert.ok(pinned.root?.startsWith('SHA256:'), JSON.stringify(pinned));
      assert.deepEqual(Object.keys(pinned.members).sort(), ['alice', 'bob', 'carol']);
    } finally {
      removeDir(bobEnv.XDG_CONFIG_HOME);
    }
  });

  it('a file signed by a key outside the roster (a removed teammate who can still push), or by no one: run -e and get warn, naming the roster to require', () => {
    fs.rmSync(path.join(team, 'bob.pub'));
    commitAll(repo, 'bob leaves the team');
    // bob can still push: he writes the team's app.env, for alice and himself, and signs it.
    const envFile = path.join(repo, 'app.env');
    fs.writeFileSync(path.join(keys, 'planted.env'), 'WEBHOOK=https://pay.attacker.example/hook\n');
    const planted = run(['encrypt', '--values', '-r', alice.sshPubPath, '-r', bob.sshPubPath, '-s', bob.privatePath, '-o', envFile, path.join(keys, 'planted.env')], { env: env(), cwd: repo });
    assert.equal(planted.code, 0, planted.stderr);
    const probe = ['-e', envFile, '--', process.execPath, '-e', 'process.stdout.write(process.env.WEBHOOK)'];
    const r = run(['run', '-i', alice.privatePath, ...probe], { env: env(), cwd: repo });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /app\.env: the signer is not in the roster \.custodian\/team: someone outside the team \(a removed teammate who can still push\?\) wrote this file; .*'--require-signer \.custodian\/team' refuses such files/);
    const g = run(['get', '-i', alice.privatePath, envFile, 'WEBHOOK'], { env: env(), cwd: repo });
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stderr, /signed by SHA256:\S+ \(not in the roster \.custodian\/team\)\n.*warning: the signer is not in the roster/);
    // Unsigned (anyone with the public keys could have written it): run says so too.
    const unsigned = path.join(repo, 'unsigned.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.sshPubPath, '-o', unsigned, path.join(keys, 'planted.env')], { env: env(), cwd: repo }).code, 0);
    const u = run(['run', '-i', alice.privatePath, '-e', unsigned, '--', process.execPath, '-e', ''], { env: env(), cwd: repo });
    assert.equal(u.code, 0, u.stderr);
    assert.match(u.stderr, /unsigned\.env: not signed: anyone with the recipients' public keys could have written this file/);
    // A teammate's file: no warning.
    const byAlice = path.join(repo, 'alice.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.sshPubPath, '-s', alice.privatePath, '-o', byAlice, path.join(keys, 'planted.env')], { env: env(), cwd: repo }).code, 0);
    const a = run(['run', '-i', alice.privatePath, '-e', byAlice, '--', process.execPath, '-e', ''], { env: env(), cwd: repo });
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stderr, /warning/);
  });

  it('a file signed by a key a commit dropped into the roster since I pinned it (a "ci-bot.pub" of an outsider\'s) is not a teammate\'s file to run or get: both warn (they were silent)', () => {
    assert.equal(encrypt().code, 0, 'alice and bob pinned');
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'ci-bot.pub'));
    commitAll(repo, 'Add the CI bot', 'Mallory <mallory@evil.example>');
    const envFile = path.join(repo, 'override.env');
    fs.writeFileSync(path.join(keys, 'override.env'), 'DATABASE_HOST=mallory.example\n');
    const planted = run(['encrypt', '--values', '-r', alice.sshPubPath, '-s', mallory.privatePath, '-o', envFile, path.join(keys, 'override.env')], { env: env(), cwd: repo });
    assert.equal(planted.code, 0, planted.stderr);
    const r = run(['run', '-i', alice.privatePath, '-e', envFile, '--', process.execPath, '-e', ''], { env: env(), cwd: repo });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /override\.env: the signer ci-bot is in the roster \.custodian\/team, but with a key that is new or changed since you last used the roster: anyone who can push can add a key there/);
    const g = run(['get', '-i', alice.privatePath, envFile, 'DATABASE_HOST'], { env: env(), cwd: repo });
    assert.match(g.stderr, /signed by SHA256:\S+ \(ci-bot, not checked by you\)\n.*warning: the signer ci-bot is in the roster/);
  });

  it('a deploy key (roster add --deploy) is encrypted to without a question, but an addition it signs stops encrypt -R and fails verify', async () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    const d = run(['roster', 'add', '-R', team, '-i', alice.privatePath, '--deploy', 'ci', carol.sshPubPath], { env: env() });
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /as a deploy key/);
    commitAll(repo, 'Sign, add the CI key');
    assert.equal(encrypt().code, 0);
    const v = run(['roster', 'verify', '-R', team, '--json'], { env: env() });
    assert.equal(v.code, 0, v.out);
    const ci = (JSON.parse(v.out) as { entries: { name: string; status: string; by?: string; deploy?: boolean }[] }).entries.find((e) => e.name === 'ci');
    assert.deepEqual([ci?.status, ci?.by, ci?.deploy], ['verified', 'alice', true]);
    // A leaked CI key can re-seal a file it reads: readers are warned, and --require-signer DIR (the team's
    // verified members who can vouch) refuses it.
    const envFile = path.join(repo, 'app.env');
    fs.writeFileSync(path.join(keys, 'app-plain.env'), 'DB_URL=postgres://db.internal/app\nPORT=8080\n');
    assert.equal(run(['encrypt', '--values', '-R', team, '-s', alice.privatePath, '-o', envFile, path.join(keys, 'app-plain.env')], { env: env() }).code, 0);
    const probe = ['-e', envFile, '--', process.execPath, '-e', 'process.stdout.write(process.env.DB_URL)'];
    const byAlice = run(['run', '-i', carol.privatePath, '--require-signer', team, ...probe], { env: env(), cwd: repo });
    assert.equal(byAlice.code, 0, byAlice.stderr);
    assert.equal(byAlice.out, 'postgres://db.internal/app');
    const got = run(['get', '-i', carol.privatePath, envFile, 'PORT'], { env: env(), cwd: repo });
    assert.match(got.stderr, /signed by SHA256:\S+ \(alice\)/, 'the signer by its roster name');
    const reseal = run(['set', '-i', carol.privatePath, envFile, 'DB_URL'], { env: env(), cwd: repo, input: 'postgres://evil.example/app' });
    assert.equal(reseal.code, 0, reseal.stderr);
    assert.match(reseal.stderr, /warning: ci is a deploy key: /);
    const warned = run(['get', '-i', alice.privatePath, envFile, 'DB_URL'], { env: env(), cwd: repo });
    assert.match(warned.stderr, /signed by SHA256:\S+ \(ci, a deploy key\)\n.*warning: ci is a deploy key: .*--require-signer/);
    const refused = run(['run', '-i', carol.privatePath, '--require-signer', team, ...probe], { env: env(), cwd: repo });
    assert.equal(refused.code, 1);
    assert.equal(refused.out, '', 'the command did not run');
    assert.match(refused.stderr, /not by a required signer/);
    const unguarded = run(['run', '-i', carol.privatePath, ...probe], { env: env(), cwd: repo });
    assert.match(unguarded.stderr, /app\.env: ci is a deploy key/, 'run without --require-signer still warns');
    git(repo, ['checkout', '--', '.']);
    fs.rmSync(envFile, { force: true });
    // The CI secret leaks. The CLI will not sign roster changes with a deploy key…
    const leakConfig = tempDir('custodian-roster-leak-');
    try {
      const refused = run(['roster', 'add', '-R', team, '-i', carol.privatePath, 'mallory', mallory.sshPubPath], { env: { XDG_CONFIG_HOME: leakConfig } });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /your key is ci, a deploy key of .*: its signature vouches for no one/);
      assert.ok(!fs.existsSync(path.join(team, 'mallory.pub')), 'nothing written');
      assert.equal(run(['roster', 'remove', '-R', team, '-i', carol.privatePath, 'bob'], { env: { XDG_CONFIG_HOME: leakConfig } }).code, 1);
      assert.ok(fs.existsSync(path.join(team, 'bob.pub')));
    } finally {
      removeDir(leakConfig);
    }
    // …so its holder writes the record with another tool (vector deploy-key-cannot-vouch: and bob out).
    const rootId = await rootIdOf({ file: 'root.json', text: fs.readFileSync(path.join(team, 'records', 'root.json'), 'utf8') }, createNodeCryptoBackend());
    const record = await createRecord({ op: 'add', name: 'mallory', fingerprint: mallory.fingerprint }, await parsePrivateKey(fs.readFileSync(carol.privatePath, 'utf8')), new Date(), createNodeCryptoBackend(), rootId);
    fs.writeFileSync(path.join(team, 'records', '20990101T000000000Z-add-mallory-0000beef.json'), record);
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'mallory.pub'));
    commitAll(repo, 'Add a helper', 'Mallory <mallory@evil.example>');
    const e = encrypt(path.join(repo, 'after-leak.enc'));
    assert.equal(e.code, 1, e.stderr);
    assert.match(e.stderr, /mallory: new in the roster, key .*signed by ci, a deploy key, which cannot vouch for anyone/);
    // On a signed roster the fix the hint names is a member's signature (everyone then sees it), not a local pin alone.
    assert.match(e.stderr, /sign them in as a verified member \('custodian roster sign -R .* -i KEY mallory'\)/);
    assert.ok(!fs.existsSync(path.join(repo, 'after-leak.enc')));
    const after = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(after.code, 1);
    assert.match(after.out, /ci .*verified deploy key \(alice, .*cannot vouch\)/);
    assert.match(after.out, /mallory .*unverified: .*a deploy key/);
    assert.match(after.out, /problem: records\/.*-add-mallory-.* is signed by ci, a deploy key: .*leaked/);
    const misuse = run(['roster', 'sign', '-R', team, '-i', alice.privatePath, '--deploy'], { env: env() });
    assert.equal(misuse.code, 2);
  });

  it('a removed member who signs someone in with a record dated before the removal vouches for nothing: encrypt -R stops and verify names it; whom they had vouched for is signed again by the remover', async () => {
    // A red team: eve, removed, signed mallory in dated between her own addition and her removal.
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', team, '-i', bob.privatePath, 'carol', carol.sshPubPath], { env: env() }).code, 0);
    commitAll(repo, 'Sign, bob adds carol');
    const removed = run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'bob'], { env: env() });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stderr, /signed again carol, vouched for through bob: a removed member's records no longer count/);
    commitAll(repo, 'Remove bob');
    const rootId = await rootIdOf({ file: 'root.json', text: fs.readFileSync(path.join(team, 'records', 'root.json'), 'utf8') }, createNodeCryptoBackend());
    const backdated = await createRecord({ op: 'add', name: 'mallory', fingerprint: mallory.fingerprint }, await parsePrivateKey(fs.readFileSync(bob.privatePath, 'utf8')), new Date(Date.now() - 60_000), createNodeCryptoBackend(), rootId);
    fs.writeFileSync(path.join(team, 'records', '20000101T000000000Z-add-mallory-0000beef.json'), backdated);
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'mallory.pub'));
    commitAll(repo, 'Add a helper', 'Bob <bob@example.com>');
    const verify = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(verify.code, 1, verify.out);
    assert.match(verify.out, /carol .*verified \(alice/);
    assert.match(verify.out, /mallory .*unverified: vouched for through bob, who was signed out of the roster since/);
    const e = encrypt();
    assert.equal(e.code, 1, e.stderr);
    assert.match(e.stderr, /mallory/);
    assert.ok(!fs.existsSync(path.join(repo, 'secret.enc')), 'nothing sealed to mallory');
  });

  it('roster remove names the encrypted selections the removed teammate can still open in text files, which rekey does not reach', () => {
    // A red team's block in config.yaml stayed readable after "No file in this working tree is encrypted to eve".
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    const armored = run(['encrypt', '-a', '-r', bob.sshPubPath, '-r', alice.sshPubPath, plain], { env: env() });
    assert.equal(armored.code, 0, armored.stderr);
    fs.writeFileSync(path.join(repo, 'config.yaml'), `db:\n  password: |\n${armored.out.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}\n`);
    commitAll(repo, 'An encrypted selection');
    const removed = run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'bob'], { env: env(), cwd: repo });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stderr, /bob can still open 1 encrypted selection\(s\) in config\.yaml, which rekey does not reach: decrypt each in place and encrypt it again without bob/);
    assert.doesNotMatch(removed.stderr, /No file in this working tree is encrypted to bob/);
  });

  it('a removal signed by someone no verified member signed in does not count, and encrypt -R says who signed it', async () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'mallory.pub'));
    const rootId = await rootIdOf({ file: 'root.json', text: fs.readFileSync(path.join(team, 'records', 'root.json'), 'utf8') }, createNodeCryptoBackend());
    const removal = await createRecord({ op: 'remove', name: 'bob', fingerprint: bob.fingerprint }, await parsePrivateKey(fs.readFileSync(mallory.privatePath, 'utf8')), new Date(), createNodeCryptoBackend(), rootId);
    fs.writeFileSync(path.join(team, 'records', '20990101T000000000Z-remove-bob-0000beef.json'), removal);
    fs.rmSync(path.join(team, 'bob.pub'));
    commitAll(repo, 'Remove bob', 'Mallory <mallory@evil.example>');
    const out = path.join(repo, 'without-bob.enc');
    const r = encrypt(out);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!fs.existsSync(out), 'nothing was written');
    assert.match(r.stderr, /bob\.pub is gone, and the removal is signed by mallory, who is not a verified member, so it does not count; deleted in commit/);
    const verify = run(['roster', 'verify', '-R', team], { env: env() });
    assert.match(verify.out + verify.stderr, /bob\.pub is missing: mallory signed the removal but is not a verified member, so it counts for nothing/);
  });

  it('a signed member whose .pub is deleted without a signed removal stops encrypt -R (they would be left out unnoticed)', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    commitAll(repo, 'Sign the roster');
    assert.equal(encrypt().code, 0);
    fs.rmSync(path.join(team, 'bob.pub'));
    commitAll(repo, 'Tidy up', 'Mallory <mallory@evil.example>');
    const out = path.join(repo, 'without-bob.enc');
    const r = encrypt(out);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!fs.existsSync(out), 'nothing was written');
    assert.match(r.stderr, /lost signed members; nothing was encrypted:\ncustodian: {3}bob \(SHA256:\S+\): bob\.pub is gone, and no member signed a removal; deleted in commit \w+ by Mallory/);
    assert.match(r.stderr, /hint: restore the file from git .*roster remove/);
    // A signed removal is the way out: restore the file, then a verified member removes bob.
    git(repo, ['checkout', 'HEAD^', '--', '.custodian/team/bob.pub']);
    assert.equal(run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'bob'], { env: env() }).code, 0);
    assert.equal(encrypt(out).code, 0);
  });

  it('roster remove names the files here the removed teammate can still open, with the rekey command that ends it; with none, says so', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['encrypt', '-R', team, '-s', alice.privatePath, '-o', path.join(repo, 'my secrets.enc'), plain], { env: env() }).code, 0);
    const values = run(['encrypt', '--values', '-R', team, '-s', alice.privatePath, '-o', path.join(repo, '.env'), '-'], { env: env(), input: 'TOKEN=t-1\n' });
    assert.equal(values.code, 0, values.stderr);
    assert.equal(run(['encrypt', '-r', alice.sshPubPath, '-o', path.join(repo, 'alice-only.enc'), plain], { env: env() }).code, 0);
    const r = run(['roster', 'remove', '-i', alice.privatePath, 'bob'], { env: env(), cwd: repo });
    assert.equal(r.code, 0, r.stderr);
    const command = /bob can still open 2 file\(s\) here; re-encrypt them without bob: custodian rekey (\.env 'my secrets\.enc')\. Rotate the secrets bob could read/.exec(r.stderr);
    assert.ok(command, r.stderr);
    // The command as printed (run through a shell), and bob can open neither file afterwards.
    const rekey = sh(`$CUSTODIAN rekey -i ${JSON.stringify(alice.privatePath)} ${command[1]}`, { cwd: repo, env: env() });
    assert.equal(rekey.code, 0, rekey.stderr);
    assert.notEqual(run(['decrypt', '-i', bob.privatePath, path.join(repo, 'my secrets.enc')], { env: env() }).code, 0);
    assert.notEqual(run(['get', '-i', bob.privatePath, path.join(repo, '.env'), 'TOKEN'], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', team, '-i', alice.privatePath, 'carol', carol.sshPubPath], { env: env() }).code, 0);
    const none = run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'carol'], { env: env() });
    assert.match(none.stderr, /No file in this working tree is encrypted to carol\. Rotate the secrets carol could read/);
  });

  it('roster remove of a custodian names their Shamir share apart, to be dealt again, and leaves it out of the rekey command (rekey refuses a share)', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['encrypt', '-R', team, '-s', alice.privatePath, '-o', path.join(repo, 'my secrets.enc'), plain], { env: env() }).code, 0);
    const set = path.join(repo, '.custodian', 'shares', 'db-root');
    fs.mkdirSync(set, { recursive: true });
    assert.equal(run(['encrypt', '-r', bob.sshPubPath, '-s', alice.privatePath, '-o', path.join(set, 'bob.share.enc'), plain], { env: env() }).code, 0);
    const r = run(['roster', 'remove', '-i', alice.privatePath, 'bob'], { env: env(), cwd: repo });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /bob can still open 1 file\(s\) here; re-encrypt them without bob: custodian rekey 'my secrets\.enc'\. /);
    assert.match(r.stderr, /bob holds 1 Shamir share\(s\) here \(\.custodian\/shares\/db-root\/bob\.share\.enc\), which still count .*split each secret again without bob/);
  });

  it('--require-signer DIR needs a signed roster: an unsigned one vouches for no one', () => {
    const enc = path.join(repo, 'plain-roster.enc');
    assert.equal(run(['encrypt', '-R', team, '-s', alice.privatePath, '-o', enc, plain], { env: env() }).code, 0);
    const r = run(['decrypt', '-i', bob.privatePath, '--require-signer', team, enc], { env: env() });
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.stderr, /roster .* is not signed: anyone who can commit could add a key to it/);
    assert.equal(run(['decrypt', '-i', bob.privatePath, '--require-signer', alice.sshPubPath, enc], { env: env() }).code, 0, 'a key file still works');
  });

  it('a revert of a signed removal is detected (broken), even though the revert deletes the removal record', () => {
    revertCarolsRemoval(() => assert.equal(encrypt().code, 0));
    assert.ok(fs.existsSync(path.join(team, 'carol.pub')), 'the revert brought carol.pub back');
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /carol .*broken: alice removed carol/);
    assert.match(v.out, /was deleted in commit/);
    const e = encrypt(path.join(repo, 'after-revert.enc'));
    assert.equal(e.code, 1, 'encrypt refuses the re-added carol');
    assert.match(e.stderr, /carol: broken/);
  });

  /**
   * alice signs the roster, adds carol, encrypts (pinning her), removes her; then mallory, who can push,
   * puts carol.pub back and erases the removal's content without a commit that deletes it: rewritten in
   * place (one commit), or deleted and its name committed again with other content (two commits).
   */
  function eraseCarolsRemovalInPlace(how: 'rewritten' | 'deleted and recreated'): void {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', team, '-i', alice.privatePath, 'carol', carol.sshPubPath], { env: env() }).code, 0);
    commitAll(repo, 'Sign, add carol');
    assert.equal(encrypt().code, 0);
    assert.equal(run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'carol'], { env: env() }).code, 0);
    commitAll(repo, 'Remove carol');
    const records = path.join(team, 'records');
    const removal = path.join(records, fs.readdirSync(records).find((f) => f.includes('-remove-carol-'))!);
    // A genuine record of the same roster: the removal's file now says what another record already says.
    const decoy = fs.readFileSync(path.join(records, fs.readdirSync(records).find((f) => f.includes('-add-carol-'))!), 'utf8');
    const mallory = 'Mallory <mallory@evil.example>';
    if (how === 'deleted and recreated') {
      git(repo, ['rm', '-q', removal], mallory);
      git(repo, ['commit', '-q', '-m', 'Drop a stale record'], mallory);
    }
    fs.writeFileSync(removal, decoy);
    fs.copyFileSync(carol.sshPubPath, path.join(team, 'carol.pub'));
    commitAll(repo, 'Tidy the roster', mallory);
  }

  for (const how of ['rewritten', 'deleted and recreated'] as const) {
    it(`a signed removal whose record is ${how} under the same name (the file is there at HEAD) is still seen: verify fails, encrypt -R refuses carol`, () => {
      eraseCarolsRemovalInPlace(how);
      const v = run(['roster', 'verify', '-R', team], { env: env() });
      assert.equal(v.code, 1, v.out);
      assert.match(v.out, /carol .*broken: alice removed carol/);
      assert.match(v.out, how === 'rewritten' ? /was rewritten in commit/ : /was deleted in commit/);
        assertEncryptRefusesCarol('after-erase.enc');
    });
  }

  it('records reformatted in a commit (a formatter, line endings renormalized) say the same: no problem, verify passes', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', team, '-i', alice.privatePath, 'carol', carol.sshPubPath], { env: env() }).code, 0);
    commitAll(repo, 'Sign, add carol');
    const records = path.join(team, 'records');
    for (const f of fs.readdirSync(records)) fs.writeFileSync(path.join(records, f), JSON.stringify(JSON.parse(fs.readFileSync(path.join(records, f), 'utf8'))).replace(/,/g, ',\r\n') + '\r\n');
    commitAll(repo, 'Format JSON');
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.doesNotMatch(v.out, /rewritten|second root/);
    assert.match(v.out, /carol .*verified \(alice/);
  });

  it('a signed roster whose whole records/ folder is deleted (root included) is not read as a plain one: the deleted root and removal still count, encrypt -R refuses carol', () => {
    pinThenRemoveCarol();
    // carol, who can still push: "drop the signing experiment", and her key back.
    git(repo, ['rm', '-r', '-q', '.custodian/team/records'], 'Carol <carol@example.com>');
    fs.copyFileSync(carol.sshPubPath, path.join(team, 'carol.pub'));
    commitAll(repo, 'Drop the signing experiment', 'Carol <carol@example.com>');
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /carol .*broken: alice removed carol/);
    assert.match(v.out, /root\.json was deleted in commit/);
    assertEncryptRefusesCarol('after-downgrade.enc');
  });

  it('a root.json replaced by a root of the removed teammate\'s own (naming the team and herself) does not replace the roster\'s root: the first root and its removal still count, encrypt -R refuses carol', async () => {
    pinThenRemoveCarol();
    // carol, who can still push, signs a root of her own over the same names and keys, herself included.
    const records = path.join(team, 'records');
    for (const f of fs.readdirSync(records)) if (f !== 'root.json') fs.rmSync(path.join(records, f));
    const members = [alice, bob, carol].map((k, i) => ({ name: ['alice', 'bob', 'carol'][i], fingerprint: k.fingerprint }));
    fs.writeFileSync(path.join(records, 'root.json'), await createRecord({ op: 'root', members }, await parsePrivateKey(fs.readFileSync(carol.privatePath, 'utf8')), new Date(), createNodeCryptoBackend()));
    fs.copyFileSync(carol.sshPubPath, path.join(team, 'carol.pub'));
    commitAll(repo, 'Re-sign the roster', 'Carol <carol@example.com>');
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /carol .*broken: alice removed carol/);
    assert.match(v.out, /root\.json was rewritten in commit/);
    assert.match(v.out, /a second root record/);
    assertEncryptRefusesCarol('after-new-root.enc');
  });

  it('one key under two names (bob\'s own key as "bob-laptop"): roster add refuses it, encrypt -R and verify refuse it by name, and removing bob says his key stays', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    commitAll(repo, 'Sign');
    assert.equal(encrypt().code, 0);
    // bob, on his way out, keeps his key on the team under a second name.
    const add = run(['roster', 'add', '-R', team, '-i', bob.privatePath, 'bob-laptop', bob.sshPubPath], { env: env() });
    assert.equal(add.code, 1, add.stderr);
    assert.match(add.stderr, /already in the roster as bob/);
    assert.ok(!fs.existsSync(path.join(team, 'bob-laptop.pub')), 'nothing written');
    fs.copyFileSync(bob.sshPubPath, path.join(team, 'bob-laptop.pub'));
    commitAll(repo, 'My laptop', 'Bob <bob@example.com>');
    // alice signs what is unverified in the roster, bob-laptop with it.
    const signed = run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() });
    assert.equal(signed.code, 0, signed.stderr);
    commitAll(repo, 'Sign the roster');
    const out = path.join(repo, 'two-names.enc');
    const e = encrypt(out);
    assert.equal(e.code, 1, e.stderr);
    assert.match(e.stderr, /bob, bob-laptop/);
    assert.match(e.stderr, /roster remove/);
    assert.ok(!fs.existsSync(out));
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /problem: .*bob.pub and bob-laptop.pub hold the same key/);
    // Offboarding bob by name alone would leave his key on the team: the remover is told.
    const r = run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'bob'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /bob's key .* is still in the roster as bob-laptop/);
  });

  it('a roster entry that is not a file (a FIFO, a link to /dev/stdin or to another project\'s key) is refused by name: nothing waits, and no key joins from elsewhere', () => {
    const other = path.join(keys, 'other-project.pub');
    fs.copyFileSync(mallory.sshPubPath, other);
    const cases: [string, () => void, RegExp][] = [
      ['fifo.pub', () => spawnSync('mkfifo', [path.join(team, 'fifo.pub')]), /fifo\.pub is not a regular file: a roster entry is a NAME\.pub file/],
      ['stdin.pub', () => fs.symlinkSync('/dev/stdin', path.join(team, 'stdin.pub')), /stdin\.pub is a symbolic link \(to \/dev\/stdin\)/],
      ['linked.pub', () => fs.symlinkSync(other, path.join(team, 'linked.pub')), /linked\.pub is a symbolic link \(to .*other-project\.pub\)/],
    ];
    for (const [name, make, message] of cases) {
      make();
      try {
        // A read of the FIFO (no writer) would never end; /dev/stdin would wait on a terminal.
        const r = run(['encrypt', '-R', team, '-o', path.join(repo, 'never.enc'), plain], { env: env(), timeoutMs: 30_000 });
        assert.equal(r.code, 1, `${name}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.ok(!fs.existsSync(path.join(repo, 'never.enc')), name);
      } finally {
        fs.rmSync(path.join(team, name), { force: true });
      }
    }
  });

  it('a bare repository committed in the roster\'s folder runs none of its config and hides no deleted record: git runs in the clone\'s own repository', () => {
    revertCarolsRemoval();
    // Mallory commits HEAD, objects/, refs/ and a config into .custodian/team: git run there took the folder
    // for a bare repository, ran its gpg.program for `git log` (its one commit carries a signature), and read
    // that repository's history, in which no record was ever deleted.
    const ran = plantBareRepository(team);
    commitAll(repo, 'Tidy the roster folder', 'Mallory <mallory@evil.example>');
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    const e = encrypt();
    assert.ok(!fs.existsSync(ran), `git ran the committed config's program: ${fs.existsSync(ran) ? fs.readFileSync(ran, 'utf8') : ''}`);
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /carol .*broken: alice removed carol/);
    assert.match(v.out, /was deleted in commit/);
    assert.equal(e.code, 1, 'encrypt refuses the re-added carol');
    assert.match(e.stderr, /carol: broken/);
  });

  it('a roster folder in no clone that holds a bare repository: roster verify -R and encrypt -R run none of its config', () => {
    // A roster copied out of a repository (a download, an unpacked archive) has no .git above it, so
    // there is no clone's repository to name; git left to look for one took the folder itself for a bare
    // repository and ran the program its config names.
    const loose = tempDir('custodian-loose-roster-');
    try {
      for (let d = loose; path.dirname(d) !== d; d = path.dirname(d)) assert.ok(!fs.existsSync(path.join(d, '.git')), `${d} holds a .git: the folder must be in no clone`);
      fs.copyFileSync(alice.sshPubPath, path.join(loose, 'alice.pub'));
      fs.copyFileSync(bob.sshPubPath, path.join(loose, 'bob.pub'));
      const ran = plantBareRepository(loose);
      const v = run(['roster', 'verify', '-R', loose], { env: env() });
      const out = path.join(keys, 'loose.enc');
      const e = run(['encrypt', '-R', loose, '-o', out, plain], { env: env() });
      assert.ok(!fs.existsSync(ran), `git ran the folder's config's program: ${fs.existsSync(ran) ? fs.readFileSync(ran, 'utf8') : ''}`);
      assert.equal(e.code, 0, e.stderr);
      assert.equal(run(['decrypt', '-i', bob.privatePath, out], { env: env() }).out, 'DB_PASSWORD=hunter2\n');
      assert.match(v.out + v.stderr, /alice/);
    } finally {
      removeDir(loose);
    }
  });

  it('verify in a shallow clone, whose history may hide a reverted removal, fails and says to fetch the history', () => {
    revertCarolsRemoval();
    // CI's default checkout: one commit, so the removal record and its deletion are not in the history.
    const ci = tempDir('custodian-roster-shallow-');
    try {
      git(ci, ['clone', '-q', '--depth', '1', `file://${repo}`, 'clone']);
      const clonedTeam = path.join(ci, 'clone', '.custodian', 'team');
      const v = run(['roster', 'verify', '-R', clonedTeam, '--json'], { env: env() });
      assert.equal(v.code, 1, v.out);
      const j = JSON.parse(v.out) as { ok: boolean; problems: string[] };
      assert.equal(j.ok, false);
      assert.ok(j.problems.some((p) => /shallow clone: .*git fetch --unshallow/.test(p)), j.problems.join('\n'));
      const text = run(['roster', 'verify', '-R', clonedTeam], { env: env() });
      assert.match(text.stderr, /hint: each problem above says what to do/, 'nothing to re-sign: every entry is verified');
      // What relies on the roster's verified members stops too: there carol would pass as verified.
      const out = path.join(ci, 'shallow.enc');
      const e = run(['encrypt', '-R', clonedTeam, '-o', out, plain], { env: env() });
      assert.equal(e.code, 1, e.stderr);
      assert.match(e.stderr, /history of roster .* could not be read in full, so a signed removal someone reverted would go unseen; nothing was encrypted/);
      assert.match(e.stderr, /hint: fetch the whole history first \('git fetch --unshallow'/);
      assert.ok(!fs.existsSync(out), 'nothing was written');
      const signedByCarol = path.join(ci, 'by-carol.enc');
      assert.equal(run(['encrypt', '-r', bob.sshPubPath, '-s', carol.privatePath, '-o', signedByCarol, plain], { env: env() }).code, 0, 'naming key files still works');
      const d = run(['decrypt', '-i', bob.privatePath, '--require-signer', clonedTeam, signedByCarol], { env: env() });
      assert.equal(d.code, 1, d.out);
      assert.equal(d.out, '', 'no plaintext');
      assert.match(d.stderr, /could not be read in full.*no signer is taken from it/);
      git(path.join(ci, 'clone'), ['fetch', '-q', '--unshallow']);
      const full = run(['roster', 'verify', '-R', clonedTeam], { env: env() });
      assert.equal(full.code, 1);
      assert.match(full.out, /carol .*broken: alice removed carol/, 'with the history, the revert is seen');
      assert.doesNotMatch(full.out, /shallow/);
    } finally {
      removeDir(ci);
    }
  });

  it('a signed removal undone in a merge commit (the roster kept from the side before it, pushed as a fast-forward) is still seen: verify fails, encrypt -R refuses carol', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', team, '-i', alice.privatePath, 'carol', carol.sshPubPath], { env: env() }).code, 0);
    commitAll(repo, 'Sign, add carol');
    const main = git(repo, ['rev-parse', '--abbrev-ref', 'HEAD']).trim();
    git(repo, ['branch', 'carols-clone']);
    assert.equal(run(['roster', 'remove', '-R', team, '-i', alice.privatePath, 'carol'], { env: env() }).code, 0);
    commitAll(repo, 'Remove carol');
    // carol, from her clone of before: an ordinary-looking merge of main that keeps her side's roster.
    const carolAuthor = 'Carol <carol@example.com>';
    git(repo, ['checkout', '-q', 'carols-clone'], carolAuthor);
    fs.writeFileSync(path.join(repo, 'NOTES'), 'notes\n');
    commitAll(repo, 'Notes', carolAuthor);
    git(repo, ['merge', '-q', '--no-commit', main], carolAuthor);
    git(repo, ['rm', '-r', '-q', '--cached', '.custodian/team'], carolAuthor);
    fs.rmSync(team, { recursive: true });
    git(repo, ['checkout', 'HEAD', '--', '.custodian/team'], carolAuthor);
    git(repo, ['commit', '-q', '--no-edit'], carolAuthor);
    git(repo, ['checkout', '-q', main]);
    git(repo, ['merge', '-q', '--ff-only', 'carols-clone']);
    assert.ok(fs.existsSync(path.join(team, 'carol.pub')), 'the merge brought carol.pub back');
    assert.equal(git(repo, ['log', '--diff-filter=D', '--format=%H', '--', '.custodian/team/records']), '', "git's default log does not show the merge's deletion");
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /carol .*broken: alice removed carol/);
    assert.match(v.out, /was deleted in commit/);
    const out = path.join(repo, 'after-merge.enc');
    const e = encrypt(out);
    assert.equal(e.code, 1, 'encrypt refuses the re-added carol');
    assert.match(e.stderr, /carol: broken/);
    assert.ok(!fs.existsSync(out));
  });

  it('a revert of a signed removal hidden under a megabyte of deleted files in records/ is still seen: the history is read whatever its size', () => {
    revertCarolsRemoval();
    // 6,000 files with long names, committed then deleted: `git log` of records/ says more than a megabyte.
    const junk = path.join(team, 'records', 'j');
    fs.mkdirSync(junk);
    for (let i = 0; i < 6000; i++) fs.writeFileSync(path.join(junk, `${String(i).padStart(5, '0')}${'x'.repeat(200)}`), '');
    commitAll(repo, 'Scratch files', 'Mallory <mallory@evil.example>');
    fs.rmSync(junk, { recursive: true });
    commitAll(repo, 'Remove scratch files', 'Mallory <mallory@evil.example>');
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, /carol .*broken: alice removed carol/);
    const e = encrypt();
    assert.equal(e.code, 1, 'encrypt refuses the re-added carol');
    assert.match(e.stderr, /carol: broken/);
  });

  it('a partial clone whose remote is out of reach cannot read a deleted record: verify fails and encrypt -R refuses, naming the gap, rather than pass', () => {
    revertCarolsRemoval();
    git(repo, ['config', 'uploadpack.allowFilter', 'true']);
    const ci = tempDir('custodian-roster-partial-');
    try {
      git(ci, ['clone', '-q', '--filter=blob:none', `file://${repo}`, 'clone']);
      git(path.join(ci, 'clone'), ['remote', 'set-url', 'origin', `file://${path.join(ci, 'gone')}`]);
      const clonedTeam = path.join(ci, 'clone', '.custodian', 'team');
      const v = run(['roster', 'verify', '-R', clonedTeam], { env: env() });
      assert.equal(v.code, 1, v.out);
      assert.match(v.out, /history lacks the content of a deleted record/);
      const out = path.join(ci, 'partial.enc');
      const e = run(['encrypt', '-R', clonedTeam, '-o', out, plain], { env: env() });
      assert.equal(e.code, 1, e.stderr);
      assert.match(e.stderr, /history lacks the content of a deleted record/);
      assert.ok(!fs.existsSync(out), 'nothing was written');
    } finally {
      removeDir(ci);
    }
  });

  it('records copied from another roster the same member signs count for nothing: carol is not let in, bob is not dropped unnoticed', () => {
    // alice roots two rosters (two repositories). In X she adds carol, and adds then removes bob.
    const x = path.join(keys, 'replay-x');
    const y = path.join(keys, 'replay-y');
    const roster = (dir: string, ...args: string[]) => assert.equal(run(['roster', ...args.slice(0, 1), '-R', dir, '-i', alice.privatePath, ...args.slice(1)], { env: env() }).code, 0);
    try {
      roster(x, 'add', 'alice', alice.sshPubPath);
      roster(x, 'add', 'carol', carol.sshPubPath);
      roster(x, 'add', 'bob', bob.sshPubPath);
      roster(x, 'remove', 'bob');
      roster(y, 'add', 'alice', alice.sshPubPath);
      roster(y, 'add', 'bob', bob.sshPubPath);
      // Carol brings her key and alice's genuine record of her into Y; the removal of bob comes along, and bob.pub goes.
      fs.copyFileSync(path.join(x, 'carol.pub'), path.join(y, 'carol.pub'));
      for (const f of fs.readdirSync(path.join(x, 'records')).filter((n) => /-(add-carol|remove-bob)-/.test(n))) fs.copyFileSync(path.join(x, 'records', f), path.join(y, 'records', f));
      fs.rmSync(path.join(y, 'bob.pub'));
      const v = run(['roster', 'verify', '-R', y, '--json'], { env: env() });
      assert.equal(v.code, 1);
      const j = JSON.parse(v.out) as { entries: { name: string; status: string }[]; problems: string[] };
      assert.equal(j.entries.find((e) => e.name === 'carol')?.status, 'unverified', 'not "verified (alice)"');
      assert.equal(j.problems.filter((p) => /belongs to another roster/.test(p)).length, 2, j.problems.join('\n'));
      assert.ok(j.problems.some((p) => /bob is a signed member but bob\.pub is missing, and no member signed a removal/.test(p)), j.problems.join('\n'));
    } finally {
      removeDir(x);
      removeDir(y);
    }
  });

  it('a teammate removed by a signed record whose file came back: verify says to delete it again, not to restore it', () => {
    const z = path.join(keys, 'came-back');
    try {
      for (const args of [['add', 'alice', alice.sshPubPath], ['add', 'bob', bob.sshPubPath], ['remove', 'bob']]) {
        assert.equal(run(['roster', args[0], '-R', z, '-i', alice.privatePath, ...args.slice(1)], { env: env() }).code, 0);
      }
      fs.copyFileSync(bob.sshPubPath, path.join(z, 'bob.pub'));
      const v = run(['roster', 'verify', '-R', z], { env: env() });
      assert.equal(v.code, 1);
      assert.match(v.stderr, /hint: bob was removed by a signed record and came back without a signed addition: delete \S*bob\.pub again \(git rm \S*bob\.pub\), or, to take them back, a verified member adds them/);
      assert.doesNotMatch(v.stderr, /restore bob from git/);
    } finally {
      removeDir(z);
    }
  });

  it('a forged signature makes the entry broken and verify fail', () => {
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    commitAll(repo, 'Sign the roster');
    // Mallory copies a real record and puts her own name and key in it, keeping Alice's signature.
    const records = path.join(team, 'records');
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'mallory.pub'));
    // A record alice signed in another roster she started (her own key first: its root).
    assert.equal(run(['roster', 'add', '-R', path.join(keys, 'scratch-team'), '-i', alice.privatePath, 'alice', alice.sshPubPath], { env: env() }).code, 0);
    assert.equal(run(['roster', 'add', '-R', path.join(keys, 'scratch-team'), '-i', alice.privatePath, 'zed', carol.sshPubPath], { env: env() }).code, 0);
    const scratch = path.join(keys, 'scratch-team', 'records');
    const donor = fs.readdirSync(scratch).find((n) => n !== 'root.json')!;
    const record = JSON.parse(fs.readFileSync(path.join(scratch, donor), 'utf8')) as Record<string, string>;
    const forged = { ...record, op: 'add', name: 'mallory', key: mallory.fingerprint };
    fs.writeFileSync(path.join(records, '20990101T000000000Z-add-mallory-00000000.json'), JSON.stringify(forged));
    commitAll(repo, 'Add mallory', 'Mallory <mallory@evil.example>');
    const v = run(['roster', 'verify', '-R', team, '--json'], { env: env() });
    assert.equal(v.code, 1);
    const j = JSON.parse(v.out) as { entries: { name: string; status: string }[]; problems: string[] };
    assert.equal(j.entries.find((x) => x.name === 'mallory')?.status, 'broken');
    assert.ok(j.problems.some((p) => /signature does not verify/.test(p)), j.problems.join('\n'));
    removeDir(path.join(keys, 'scratch-team'));
  });

  it('verify fails on an unsigned roster and on a root that does not match --pins', () => {
    const u = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(u.code, 1);
    assert.match(u.stderr, /is not signed/);
    // Mallory replaces the whole records directory with a root she signed over alice, bob and herself.
    fs.copyFileSync(mallory.sshPubPath, path.join(team, 'mallory.pub'));
    assert.equal(run(['roster', 'sign', '-R', team, '-i', mallory.privatePath], { env: { XDG_CONFIG_HOME: tempDir() } }).code, 0);
    const selfSigned = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(selfSigned.code, 0, 'without pins, a self-consistent chain verifies (hence --pins in CI)');
    const pins = path.join(keys, `pins-ci-${Date.now()}.txt`);
    fs.writeFileSync(pins, `alice ${alice.fingerprint}\nbob ${bob.fingerprint}\n`);
    const p = run(['roster', 'verify', '-R', team, '--pins', pins], { env: env() });
    assert.equal(p.code, 1, p.out);
    assert.match(p.out, /root of trust .* is not the one pinned/);
  });

  it('verify prints the root of trust\'s id in its text output: the line a CI pins file\'s @root takes', () => {
    const unsigned = run(['roster', 'verify', '-R', team], { env: env() });
    assert.doesNotMatch(unsigned.out, /root of trust/, 'an unsigned roster has no root');
    assert.equal(run(['roster', 'sign', '-R', team, '-i', alice.privatePath], { env: env() }).code, 0);
    commitAll(repo, 'Sign the roster');
    const v = run(['roster', 'verify', '-R', team], { env: env() });
    assert.equal(v.code, 0, v.out + v.stderr);
    const root = (JSON.parse(run(['roster', 'verify', '-R', team, '--json'], { env: env() }).out) as { root: string }).root;
    assert.match(root, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(v.out.split('\n')[0], `root of trust: ${root}`);
    assert.match(run(['roster', '--help']).out, /root of trust: SHA256:…": what a pins file's\s+"@root" line takes/);
    // Pasted into a pins file, it is the root verify checks against.
    const pins = path.join(keys, `pins-root-${Date.now()}.txt`);
    fs.writeFileSync(pins, `@root ${v.out.split('\n')[0].slice('root of trust: '.length)}\nalice ${alice.fingerprint}\nbob ${bob.fingerprint}\n`);
    const p = run(['roster', 'verify', '-R', team, '--pins', pins], { env: env() });
    assert.equal(p.code, 0, p.out + p.stderr);
    // Bob's fresh clone has pinned nothing: verify says how his pins come about, and the first encrypt -R makes them.
    const bobEnv = { XDG_CONFIG_HOME: tempDir('custodian-roster-bob-') };
    try {
      const fresh = run(['roster', 'verify', '-R', team], { env: bobEnv });
      assert.match(fresh.stderr, /no pins for .*: the chain was checked from the root in the repository, which a commit could replace\. On your machine, the first "custodian encrypt -R" \(or "custodian roster trust NAME…"\) pins it; in CI pass --pins FILE/);
      assert.equal(run(['encrypt', '-R', team, '-o', path.join(repo, 'bob-first.enc'), plain], { env: bobEnv }).code, 0);
      assert.doesNotMatch(run(['roster', 'verify', '-R', team], { env: bobEnv }).stderr, /no pins/);
    } finally {
      removeDir(bobEnv.XDG_CONFIG_HOME);
    }
  });

  it('sign takes the key from the CLI\'s identity order (CUSTODIAN_IDENTITY without -i); without any key it is a usage error', () => {
    const none = run(['roster', 'sign', '-R', team], { env: env() });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /no private key/);
    const s = run(['roster', 'sign', '-R', team], { env: { ...env(), CUSTODIAN_IDENTITY: bob.privatePath } });
    assert.equal(s.code, 0, s.stderr);
    const root = JSON.parse(fs.readFileSync(path.join(team, 'records', 'root.json'), 'utf8')) as { members: { name: string }[] };
    assert.deepEqual(root.members.map((m) => m.name), ['alice', 'bob']);
    assert.equal(run(['roster', 'verify', '-R', team], { env: env() }).code, 0);
  });

  it('an empty roster says how to add yourself', () => {
    const empty = path.join(repo, 'empty-team');
    fs.mkdirSync(empty);
    const r = run(['encrypt', '-R', empty, '-o', path.join(repo, 'e.enc'), plain], { env: env() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /roster directory .*empty-team holds no \.pub files\ncustodian: hint: .*yours: custodian pubkey > .*empty-team\/NAME\.pub \(or "Add Myself to Team" in VS Code\)/);
  });

  it('-R .custodian/team from a subfolder (every command that takes -R, and roster\'s default): still from here, and the hint names the repository\'s roster from here', () => {
    const sub = path.join(repo, 'services', 'api');
    fs.mkdirSync(sub, { recursive: true });
    fs.copyFileSync(plain, path.join(sub, '.env'));
    const enc = path.join(repo, 'for-team.enc');
    assert.equal(encrypt(enc).code, 0);
    const commands: string[][] = [
      ['encrypt', '-R', '.custodian/team', '-a', '.env'],
      ['encrypt', '--values', '-R', '.custodian/team', '.env'],
      ['rekey', '-R', '.custodian/team', enc],
      ['inspect', '-R', '.custodian/team', enc],
      ['roster', 'verify', '-R', '.custodian/team'],
    ];
    for (const args of commands) {
      const r = run(args, { cwd: sub, env: env() });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(
        r.stderr,
        "custodian: error: roster directory .custodian/team does not exist\ncustodian: hint: paths are taken from the current directory: from here, the repository's .custodian/team is ../../.custodian/team (pass -R ../../.custodian/team)\n",
        args.join(' '),
      );
    }
    // The path the hint names works from there.
    assert.equal(run(['encrypt', '-R', '../../.custodian/team', '-a', '.env'], { cwd: sub, env: env() }).code, 0);
    // A mistyped DIR: the hint names the repository's roster.
    const typo = run(['encrypt', '-R', '.custodian/teams', '-a', '.env'], { cwd: sub, env: env() });
    assert.match(typo.stderr, /hint: the team roster of this repository is \.\.\/\.\.\/\.custodian\/team \(pass -R \.\.\/\.\.\/\.custodian\/team\)\n$/);
    assert.ok(fs.readFileSync(enc).length > 0 && !fs.existsSync(path.join(sub, '.custodian')), 'nothing written');
    // Without -R, roster commands find the repository's roster from the subfolder: no second roster there.
    assert.equal(run(['roster', 'trust', 'alice'], { cwd: sub, env: env() }).code, 0);
    const added = run(['roster', 'add', '-i', alice.privatePath, 'carol', carol.sshPubPath], { cwd: sub, env: env() });
    assert.equal(added.code, 0, added.stderr);
    assert.ok(fs.existsSync(path.join(team, 'carol.pub')) && !fs.existsSync(path.join(sub, '.custodian')), 'carol joined the repository\'s roster');
    assert.match(run(['roster', 'verify'], { cwd: sub, env: env() }).out, /^carol /m);
  });

  it('names that could lie are refused on read: brackets, spaces, lookalikes', () => {
    for (const bad of ['alice (you)', 'a1ice']) {
      const file = path.join(team, `${bad}.pub`);
      fs.copyFileSync(mallory.sshPubPath, file);
      const r = encrypt(path.join(repo, 'n.enc'));
      assert.equal(r.code, 1, bad);
      assert.match(r.stderr, bad === 'a1ice' ? /look alike/ : /not a valid roster name/);
      fs.rmSync(file);
    }
  });
});
