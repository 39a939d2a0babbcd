// custodian run: a command gets the decrypted variables in its environment, and nothing else
// changes: no file anywhere, the child's status and signals pass through, and a file that does not
// open (tampered, wrong key, wrong signer, bad syntax) stops everything before the command starts.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { armorCompact, dearmor } from '../../src/core/armor';
import { cleanEnv, cliPath, listDir, makeOpensslKey, removeDir, run, sh, tempDir, type RunResult, type TestKey } from './helpers';

// The child: prints a hash of its whole environment (sorted), then the variables the test asks about.
const ENV_PROBE = `
const keys = Object.keys(process.env).sort();
const h = require('crypto').createHash('sha256').update(JSON.stringify(keys.map((k) => [k, process.env[k]]))).digest('hex');
const shown = {};
for (const k of (process.env.PROBE_SHOW || '').split(',')) if (k) shown[k] = process.env[k];
process.stdout.write(JSON.stringify({ hash: h, shown }) + '\\n');
`;

function envHash(env: NodeJS.ProcessEnv): string {
  const keys = Object.keys(env).filter((k) => env[k] !== undefined).sort();
  return createHash('sha256').update(JSON.stringify(keys.map((k) => [k, env[k]]))).digest('hex');
}

describe('cli: custodian run', function () {
  this.timeout(120_000);
  let dir: string;
  let home: string;
  let tmp: string;
  let alice: TestKey;
  let bob: TestKey;
  let secrets: string; // .env.enc to alice, signed by alice
  let layer: string; // plain .env
  let bobsFile: string; // .env.enc to bob only
  const SECRET = 'p@ss "w0rd" # not a comment';

  /** The CLI with HOME and TMPDIR in private folders, so "no file created" can look at them. */
  function cli(args: string[], env: Record<string, string | undefined> = {}, cwd = dir): RunResult {
    return run(args, { cwd, env: { HOME: home, TMPDIR: tmp, ...env } });
  }

  function encrypt(plain: string, name: string, to: TestKey, signer?: TestKey): string {
    const src = path.join(dir, `${name}.plain`);
    fs.writeFileSync(src, plain);
    const out = path.join(dir, name);
    const r = run(['encrypt', '-r', to.sshPubPath, ...(signer ? ['-s', signer.privatePath] : []), '-o', out, src]);
    assert.equal(r.code, 0, r.stderr);
    fs.rmSync(src);
    return out;
  }

  function probe(r: RunResult): { hash: string; shown: Record<string, string | undefined> } {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.out.trim().split('\n').pop()!);
  }

  before(() => {
    dir = tempDir();
    home = tempDir('custodian-run-home-');
    tmp = tempDir('custodian-run-tmp-');
    alice = makeOpensslKey(dir, 'alice');
    bob = makeOpensslKey(dir, 'bob');
    secrets = encrypt(`# app secrets\nexport DB_PASSWORD='${SECRET}'\nSHARED=from-file\nMULTI="a\\nb"\nLAYERED=from-enc\n`, '.env.enc', alice, alice);
    layer = path.join(dir, '.env.local');
    fs.writeFileSync(layer, 'LAYERED=from-plain\nPLAIN_ONLY=1\n');
    bobsFile = encrypt('DB_PASSWORD=bob\n', 'bob.env.enc', bob);
  });
  after(() => {
    removeDir(dir);
    removeDir(home);
    removeDir(tmp);
  });

  it('runs the command with exactly the current environment plus the files\' variables', () => {
    const extra = { PROBE_SHOW: 'DB_PASSWORD,MULTI,LAYERED,PLAIN_ONLY' };
    const r = cli(['run', '-i', alice.privatePath, '-e', secrets, '-e', layer, '--', process.execPath, '-e', ENV_PROBE], extra);
    const got = probe(r);
    assert.deepEqual(got.shown, { DB_PASSWORD: SECRET, MULTI: 'a\nb', LAYERED: 'from-plain', PLAIN_ONLY: '1' });
    const expected = { ...cleanEnv({ HOME: home, TMPDIR: tmp, ...extra }), DB_PASSWORD: SECRET, SHARED: 'from-file', MULTI: 'a\nb', LAYERED: 'from-plain', PLAIN_ONLY: '1' };
    assert.equal(got.hash, envHash(expected), 'the child sees exactly the merged environment');
    assert.equal(r.stderr, '', 'nothing on stderr');
  });

  it('keeps a variable already set in the environment, unless --override', () => {
    const base = ['run', '-i', alice.privatePath, '-e', secrets];
    const env = { SHARED: 'from-shell', PROBE_SHOW: 'SHARED' };
    assert.equal(probe(cli([...base, '--', process.execPath, '-e', ENV_PROBE], env)).shown.SHARED, 'from-shell');
    assert.equal(probe(cli([...base, '--override', '--', process.execPath, '-e', ENV_PROBE], env)).shown.SHARED, 'from-file');
    // Later files win over earlier ones in both modes.
    const layered = ['run', '-i', alice.privatePath, '-e', layer, '-e', secrets, '--', process.execPath, '-e', ENV_PROBE];
    assert.equal(probe(cli(layered, { PROBE_SHOW: 'LAYERED' })).shown.LAYERED, 'from-enc');
  });

  it('the key that opened the files is not the command\'s: CUSTODIAN_KEY, CUSTODIAN_IDENTITY, CUSTODIAN_PASSPHRASE are not passed on', () => {
    // A CI job: the key and its passphrase come from CI secrets; the deploy script gets the .env's values only.
    const names = 'CUSTODIAN_KEY,CUSTODIAN_PASSPHRASE,CUSTODIAN_IDENTITY,DB_PASSWORD';
    const keyText = fs.readFileSync(alice.privatePath, 'utf8');
    const viaKey = probe(cli(['run', '-e', secrets, '--', process.execPath, '-e', ENV_PROBE], { CUSTODIAN_KEY: keyText, CUSTODIAN_PASSPHRASE: 'unused-but-secret', PROBE_SHOW: names }));
    assert.deepEqual(viaKey.shown, { DB_PASSWORD: SECRET }, 'only the file\'s value of the four');
    const viaIdentity = probe(cli(['run', '-e', secrets, '--', process.execPath, '-e', ENV_PROBE], { CUSTODIAN_IDENTITY: alice.privatePath, PROBE_SHOW: names }));
    assert.deepEqual(viaIdentity.shown, { DB_PASSWORD: SECRET });
    // An env file may set one on purpose (a nested custodian): that is a value of the file, passed on.
    const nested = encrypt('CUSTODIAN_IDENTITY=/keys/inner.pem\n', 'nested.env.enc', alice, alice);
    const fromFile = probe(cli(['run', '-e', nested, '--', process.execPath, '-e', ENV_PROBE], { CUSTODIAN_IDENTITY: alice.privatePath, PROBE_SHOW: 'CUSTODIAN_IDENTITY' }));
    assert.equal(fromFile.shown.CUSTODIAN_IDENTITY, '/keys/inner.pem');
  });

  it('--require-signer repeated: signed by any one of them; a one-value flag given twice is a usage error', () => {
    const base = ['run', '-i', alice.privatePath, '-e', secrets];
    const shown = (r: RunResult) => probe(r).shown.DB_PASSWORD;
    const command = ['--', process.execPath, '-e', ENV_PROBE];
    assert.equal(shown(cli([...base, '--require-signer', bob.sshPubPath, '--require-signer', alice.sshPubPath, ...command], { PROBE_SHOW: 'DB_PASSWORD' })), SECRET);
    assert.equal(shown(cli([...base, '--require-signer', alice.sshPubPath, '--require-signer', bob.sshPubPath, ...command], { PROBE_SHOW: 'DB_PASSWORD' })), SECRET);
    const neither = cli([...base, '--require-signer', bob.sshPubPath, '--require-signer', bob.publicPemPath, ...command]);
    assert.equal(neither.code, 1);
    assert.match(neither.stderr, /not by a required signer: one of SHA256:/);
    const twice = run(['decrypt', '-i', alice.privatePath, '-o', path.join(dir, 'a.out'), '-o', path.join(dir, 'b.out'), secrets]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /flag -o\/--out is given more than once; it takes one value/);
    assert.ok(!fs.existsSync(path.join(dir, 'a.out')) && !fs.existsSync(path.join(dir, 'b.out')), 'nothing written');
  });

  it("exits with the child's status, and 128+N when a signal killed it", () => {
    const base = ['run', '-i', alice.privatePath, '-e', secrets, '--'];
    assert.equal(cli([...base, process.execPath, '-e', 'process.exit(7)']).code, 7);
    assert.equal(cli([...base, 'sh', '-c', 'kill -TERM $$']).code, 128 + 15);
    assert.equal(cli([...base, 'sh', '-c', 'kill -KILL $$']).code, 128 + 9);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`forwards ${signal} sent to custodian to the command (which traps it and exits 42)`, async () => {
      const trap = `process.on('${signal}', () => { process.stdout.write('child got ${signal}\\n'); process.exit(42); }); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, [cliPath(), 'run', '-i', alice.privatePath, '-e', secrets, '--', process.execPath, '-e', trap], {
        cwd: dir,
        env: cleanEnv({ HOME: home, TMPDIR: tmp }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own session, without a controlling terminal: a signal can only come from kill
      });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready')) resolve();
        });
      });
      child.kill(signal); // custodian only: the command is not in the test's reach
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      assert.match(out, new RegExp(`child got ${signal}`), err);
      assert.equal(code, 42, err);
    });
  }

  it('Ctrl-C in a terminal reaches the command once (the terminal sends it; run does not send it again)', function () {
    if (!fs.existsSync('/usr/bin/script')) this.skip();
    // script(1) gives the run a pseudo-terminal; ^C typed into it signals the foreground process group.
    const counter = "let n = 0; process.on('SIGINT', () => { n++; setTimeout(() => { console.log('SIGINTs: ' + n); process.exit(3); }, 800); }); console.log('ready'); setInterval(() => {}, 1000);";
    const inner = [process.execPath, cliPath(), 'run', '-e', layer, '--', process.execPath, '-e', counter].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    for (let attempt = 0; attempt < 4; attempt++) {
      const r = sh(`(sleep 1.5; printf '\\003'; sleep 2.5) | script -qfec ${JSON.stringify(inner)} /dev/null`, { cwd: dir, env: { HOME: home, TMPDIR: tmp } });
      assert.match(r.out, /SIGINTs: 1\b/, `attempt ${attempt}: ${r.out}`);
    }
  });

  it('passes large standard input, output and error through unchanged', () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + (i >> 12)) & 0xff;
    const script = "process.stdin.pipe(process.stdout); process.stderr.write(Buffer.alloc(1024 * 1024, 'e'));";
    const r = run(['run', '-i', alice.privatePath, '-e', secrets, '--', process.execPath, '-e', script], { cwd: dir, input: big, env: { HOME: home, TMPDIR: tmp } });
    assert.equal(r.code, 0, r.stderr.slice(0, 200));
    assert.equal(createHash('sha256').update(r.stdout).digest('hex'), createHash('sha256').update(big).digest('hex'));
    assert.equal(r.stderr, 'e'.repeat(1024 * 1024));
  });

  describe('a file that does not open stops everything before the command starts', () => {
    const SIDE_EFFECT = 'command-ran';
    const sideEffect = ['--', 'sh', '-c', `touch ${SIDE_EFFECT}`];

    function refused(r: RunResult, pattern: RegExp): void {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!fs.existsSync(path.join(dir, SIDE_EFFECT)), 'the command ran');
      assert.ok(!r.stderr.includes('p@ss') && !r.out.includes('p@ss'), 'a value was shown');
    }

    it('a tampered file', () => {
      const tampered = path.join(dir, 'tampered.env.enc');
      const bytes = fs.readFileSync(secrets);
      bytes[bytes.length - 300] ^= 1;
      fs.writeFileSync(tampered, bytes);
      refused(cli(['run', '-i', alice.privatePath, '-e', tampered, ...sideEffect]), /tampered\.env\.enc: .*(authentication|signature)/);
    });

    it('a file for another key', () => {
      refused(cli(['run', '-i', alice.privatePath, '-e', bobsFile, ...sideEffect]), /bob\.env\.enc: /);
    });

    it('a file not signed by --require-signer, and a plain file with --require-signer', () => {
      refused(cli(['run', '-i', alice.privatePath, '--require-signer', bob.sshPubPath, '-e', secrets, ...sideEffect]), /\.env\.enc: .*not by the required signer/);
      refused(cli(['run', '-i', alice.privatePath, '--require-signer', alice.sshPubPath, '-e', secrets, '-e', layer, ...sideEffect]), /\.env\.local: .*not encrypted/);
    });

    it('a line that is not NAME=value: its number, never its text', () => {
      const bad = encrypt(`OK=1\np@ss-leaked-line\n`, 'bad.env.enc', alice);
      refused(cli(['run', '-i', alice.privatePath, '-e', bad, ...sideEffect]), /bad\.env\.enc: line 2: /);
    });

    it('a file with value-encrypted values (ciphertext the command would get as its values)', () => {
      const sealed = path.join(dir, 'sealed.env');
      fs.writeFileSync(sealed, 'OK=1\nDB_PASSWORD=custodian-val1.AAAAp@ss\n');
      refused(cli(['run', '-e', sealed, ...sideEffect]), /sealed\.env: line 2: a value-encrypted value/);
    });

    it('a file with an encrypted selection (Encrypt Selection\'s token, in a value or inside one; an armored block): the program would get ciphertext as its password', () => {
      // A red team's DB_PASSWORD=custodian-enc1.… reached the program as is.
      const e = run(['encrypt', '-a', '-r', alice.publicPemPath, '-o', '-', '-'], { input: 's3cretPW' });
      assert.equal(e.code, 0, e.stderr);
      const token = armorCompact(dearmor(e.out));
      const cases: [string, string][] = [
        ['token.env', `DB_USER=app\nDB_PASSWORD=${token}\n`],
        ['inside.env', `DATABASE_URL=postgres://app:${token}@db.internal/prod\n`],
        ['block.env', `OK=1\nKEY="${e.out.trimEnd()}"\n`],
      ];
      for (const [name, text] of cases) {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        const r = cli(['run', '-i', alice.privatePath, '-e', file, ...sideEffect]);
        refused(r, new RegExp(`${name.replace('.', '\\.')}: line ${name === 'token.env' ? 2 : name === 'block.env' ? 2 : 1}: an encrypted selection`));
        assert.match(r.stderr, /custodian encrypt --values/);
      }
    });

    it('a byte that is not UTF-8: the same "not UTF-8 text" naming the file, for a plain and a value-encrypted .env', () => {
      const plain = path.join(dir, 'latin1.env');
      fs.writeFileSync(plain, Buffer.concat([Buffer.from('#caf'), Buffer.from([0xe9]), Buffer.from('\nOK=1\n')]));
      const sealed = path.join(dir, 'latin1-values.env');
      const e = run(['encrypt', '--values', '-r', alice.publicPemPath, '-o', sealed, '-'], { input: 'OK=1\nDB_PASSWORD=p@ss\n' });
      assert.equal(e.code, 0, e.stderr);
      fs.writeFileSync(sealed, Buffer.concat([Buffer.from('#caf'), Buffer.from([0xe9]), Buffer.from('\n'), fs.readFileSync(sealed)]));
      for (const file of [plain, sealed]) {
        const r = cli(['run', '-i', alice.privatePath, '-e', file, ...sideEffect]);
        refused(r, new RegExp(`^custodian: error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not UTF-8 text\ncustodian: hint: `));
      }
    });

    it('a missing file', () => {
      refused(cli(['run', '-i', alice.privatePath, '-e', path.join(dir, 'nope.env.enc'), ...sideEffect]), /nope\.env\.enc: no such file/);
    });

    it('the name of a file encrypted whole since: the hint names its .enc', () => {
      const r = cli(['run', '-i', alice.privatePath, '-e', secrets.replace(/\.enc$/, ''), ...sideEffect]);
      refused(r, /: no such file/);
      assert.ok(r.stderr.includes(`custodian: hint: did you mean ${secrets}? (-e ${secrets})`), r.stderr);
    });
  });

  it('writes no file anywhere: the working directory, TMPDIR and HOME are as they were', () => {
    const before = [listDir(dir), listDir(tmp), listDir(home)];
    const r = cli(['run', '-i', alice.privatePath, '-e', secrets, '-e', layer, '--', process.execPath, '-e', 'process.exit(0)']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([listDir(dir), listDir(tmp), listDir(home)], before);
  });

  it('does not pass the command through a shell', () => {
    const r = cli(['run', '-i', alice.privatePath, '-e', secrets, '--', process.execPath, '-e', 'console.log(process.argv[1])', '$(touch injected); `touch injected2`']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out, '$(touch injected); `touch injected2`\n');
    assert.ok(!fs.existsSync(path.join(dir, 'injected')) && !fs.existsSync(path.join(dir, 'injected2')));
  });

  it('a command that does not exist: a clear error and status 127, as shells', () => {
    const r = cli(['run', '-i', alice.privatePath, '-e', secrets, '--', 'no-such-command-xyz', 'arg']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /custodian: error: command not found: no-such-command-xyz/);
  });

  it('a committed plain file that sets a value over an encrypted file\'s is said on stderr, naming both (anyone who can push could have pointed DATABASE_HOST elsewhere); a git-ignored .env.local overriding says nothing', () => {
    const repo = tempDir('custodian-run-override-');
    try {
      const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' }) });
      assert.equal(git('init', '-q', '-b', 'main').status, 0);
      fs.copyFileSync(secrets, path.join(repo, '.env.enc'));
      fs.writeFileSync(path.join(repo, 'defaults.txt'), 'LAYERED=evil.example\nOTHER=1\n');
      fs.writeFileSync(path.join(repo, '.env.local'), 'LAYERED=localhost\n');
      fs.writeFileSync(path.join(repo, '.gitignore'), '.env.local\n');
      assert.equal(git('add', '.env.enc', 'defaults.txt', '.gitignore').status, 0);
      assert.equal(git('commit', '-q', '-m', 'planted').status, 0);
      const planted = cli(['run', '-i', alice.privatePath, '-e', '.env.enc', '-e', 'defaults.txt', '--print-names'], {}, repo);
      assert.equal(planted.code, 0, planted.stderr);
      assert.equal(planted.stderr, 'custodian: warning: defaults.txt is committed and not encrypted, and sets LAYERED over .env.enc: anyone who can push could have written it; check the values, or list it before .env.enc\n');
      const own = cli(['run', '-i', alice.privatePath, '-e', '.env.enc', '-e', '.env.local', '--print-names'], {}, repo);
      assert.equal(own.code, 0, own.stderr);
      assert.equal(own.stderr, '', 'your own override');
      const before = cli(['run', '-i', alice.privatePath, '-e', 'defaults.txt', '-e', '.env.enc', '--print-names'], {}, repo);
      assert.equal(before.stderr, '', 'defaults first: the encrypted file wins');
      // A name git would read as a pathspec (a red-team trial's) is the file it names.
      fs.writeFileSync(path.join(repo, ':(top)zz.env'), 'LAYERED=magic.example\n');
      assert.equal(git('add', '--', ':(literal):(top)zz.env').status, 0);
      assert.equal(git('commit', '-q', '-m', 'magic').status, 0);
      const magic = cli(['run', '-i', alice.privatePath, '-e', '.env.enc', '-e', ':(top)zz.env', '--print-names'], {}, repo);
      assert.match(magic.stderr, /^custodian: warning: :\(top\)zz\.env is committed and not encrypted, and sets LAYERED over \.env\.enc/);
    } finally {
      removeDir(repo);
    }
  });

  describe('variables that decide which code runs are taken from a file only when named with --allow-env', () => {
    let hook: string;
    let marker: string;

    before(() => {
      // What an attacker who can push commits: a hook beside the code, and an encrypted file (a reviewer
      // sees binary) that makes every node and bash the command starts load it.
      marker = path.join(dir, 'pwned.txt');
      hook = path.join(dir, 'hook.js');
      fs.writeFileSync(hook, `require('fs').appendFileSync(${JSON.stringify(marker)}, 'PWNED DB_PASSWORD=' + process.env.DB_PASSWORD + '\\n');`);
      fs.writeFileSync(path.join(dir, 'bashenv'), `echo "PWNED via BASH_ENV" >> ${JSON.stringify(marker)}\n`);
    });

    it('a file setting NODE_OPTIONS, BASH_ENV, LD_PRELOAD and GIT_CONFIG_* stops the run before the command starts, naming the file, the variables and --allow-env; named, they pass', () => {
      const planted = encrypt(
        `DB_PASSWORD=s3cret\nNODE_OPTIONS=--require ${hook}\nBASH_ENV=${path.join(dir, 'bashenv')}\nLD_PRELOAD=${path.join(dir, 'evil.so')}\nGIT_CONFIG_COUNT=1\nGIT_CONFIG_KEY_0=core.pager\nGIT_CONFIG_VALUE_0=sh -c pwned\nDATABASE_URL=postgres://db/app\n`,
        'planted.env.enc',
        alice,
        alice,
      );
      const names = 'NODE_OPTIONS, BASH_ENV, LD_PRELOAD, GIT_CONFIG_COUNT, GIT_CONFIG_KEY_0, GIT_CONFIG_VALUE_0';
      for (const command of [[process.execPath, '-e', 'console.log("app ok")'], ['bash', '-c', 'echo script ok']]) {
        const r = cli(['run', '-i', alice.privatePath, '-e', planted, '--', ...command]);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.out, '', 'the command did not run');
        assert.ok(r.stderr.includes(`custodian: error: ${planted} sets ${names}: these decide which code programs load or which commands run, so run takes them from an env file only when you name them; nothing was run\n`), r.stderr);
        assert.match(r.stderr, /custodian: hint: .*pass --allow-env NODE_OPTIONS --allow-env BASH_ENV --allow-env LD_PRELOAD --allow-env GIT_CONFIG_COUNT --allow-env GIT_CONFIG_KEY_0 --allow-env GIT_CONFIG_VALUE_0, or remove them/);
        assert.ok(!fs.existsSync(marker), 'no hook ran');
      }
      // Named on the command line, they are the person's choice; the ordinary variables never needed a flag.
      const allowed = ['NODE_OPTIONS', 'BASH_ENV', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'].flatMap((n) => ['--allow-env', n]);
      const partly = cli(['run', '-i', alice.privatePath, '-e', planted, ...allowed, '--', process.execPath, '-e', ENV_PROBE]);
      assert.equal(partly.code, 1, 'LD_PRELOAD is still not named');
      assert.match(partly.stderr, /sets LD_PRELOAD: it decides which code/);
      const all = probe(cli(['run', '-i', alice.privatePath, '-e', planted, ...allowed, '--allow-env', 'LD_PRELOAD', '--', 'env', '-u', 'LD_PRELOAD', process.execPath, '-e', ENV_PROBE], { PROBE_SHOW: 'DATABASE_URL,NODE_OPTIONS' }));
      assert.deepEqual(all.shown, { DATABASE_URL: 'postgres://db/app', NODE_OPTIONS: `--require ${hook}` });
      assert.equal(fs.readFileSync(marker, 'utf8'), 'PWNED DB_PASSWORD=s3cret\n', 'the hook the person allowed ran');
      fs.rmSync(marker);
      // One the environment already sets is not taken from the file (without --override), so nothing to refuse.
      const kept = probe(cli(['run', '-i', alice.privatePath, '-e', planted, '--allow-env', 'LD_PRELOAD', '--allow-env', 'BASH_ENV', ...allowed.slice(4), '--', process.execPath, '-e', ENV_PROBE], { NODE_OPTIONS: '--no-warnings', PROBE_SHOW: 'NODE_OPTIONS' }));
      assert.deepEqual(kept.shown, { NODE_OPTIONS: '--no-warnings' });
      assert.ok(!fs.existsSync(marker));
    });

    it('the command is looked up on the PATH the person had, never on a PATH from the file: a fake command in the repository does not run, even with --override --allow-env PATH', () => {
      const own = path.join(dir, 'own-bin');
      const fake = path.join(dir, 'repo-bin');
      for (const [bin, says] of [[own, 'the real one'], [fake, 'PWNED: the fake one']]) {
        fs.mkdirSync(bin, { recursive: true });
        fs.writeFileSync(path.join(bin, 'probe-cmd'), `#!/bin/sh\necho "${says} PATH=$PATH"\n`, { mode: 0o755 });
      }
      const filePath = `${fake}:/usr/bin:/bin`;
      const planted = encrypt(`PATH=${filePath}\n`, 'path.env.enc', alice, alice);
      const userPath = `${own}:${process.env.PATH}`;
      const base = ['run', '-i', alice.privatePath, '-e', planted];
      // The environment's PATH wins without --override: the file's is not taken, nothing is refused.
      const plain = cli([...base, '--', 'probe-cmd'], { PATH: userPath });
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(plain.out, `the real one PATH=${userPath}\n`);
      const refused = cli([...base, '--override', '--', 'probe-cmd'], { PATH: userPath });
      assert.equal(refused.code, 1);
      assert.equal(refused.out, '');
      assert.match(refused.stderr, /sets PATH: it decides which code programs load or which commands run.*\n.*pass --allow-env PATH, or remove it/);
      const allowed = cli([...base, '--override', '--allow-env', 'PATH', '--', 'probe-cmd'], { PATH: userPath });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.equal(allowed.out, `the real one PATH=${filePath}\n`, 'found on the person\'s PATH; the command gets the file\'s');
    });
  });

  it('--print-names lists the names, never the values', () => {
    const r = cli(['run', '-i', alice.privatePath, '-e', secrets, '-e', layer, '--print-names']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out, 'DB_PASSWORD\nSHARED\nMULTI\nLAYERED\nPLAIN_ONLY\n');
  });

  it('without -e, reads run.envFiles from .custodian/config at the repository root, from a subfolder', () => {
    const repo = tempDir('custodian-run-repo-');
    try {
      fs.mkdirSync(path.join(repo, '.custodian'));
      fs.mkdirSync(path.join(repo, 'src', 'deep'), { recursive: true });
      fs.copyFileSync(secrets, path.join(repo, '.env.enc'));
      fs.writeFileSync(path.join(repo, '.custodian', 'config'), JSON.stringify({ run: { envFiles: ['.env.enc'] } }));
      const r = cli(['run', '-i', alice.privatePath, '--', process.execPath, '-e', ENV_PROBE], { PROBE_SHOW: 'DB_PASSWORD' }, path.join(repo, 'src', 'deep'));
      assert.equal(probe(r).shown.DB_PASSWORD, SECRET);
    } finally {
      removeDir(repo);
    }
  });

  it('without -e, a run.envFiles entry outside the repository (a path up, a link out) is refused before any key is used: whoever can push writes the config', () => {
    const repo = tempDir('custodian-run-repo-');
    const other = tempDir('custodian-run-other-');
    try {
      fs.mkdirSync(path.join(repo, '.custodian'));
      fs.copyFileSync(secrets, path.join(other, 'prod.env.enc'));
      fs.symlinkSync(path.join(other, 'prod.env.enc'), path.join(repo, 'linked.env.enc'));
      for (const entry of [path.relative(repo, path.join(other, 'prod.env.enc')), path.join(other, 'prod.env.enc'), 'linked.env.enc']) {
        fs.writeFileSync(path.join(repo, '.custodian', 'config'), JSON.stringify({ run: { envFiles: [entry] } }));
        const r = cli(['run', '-i', alice.privatePath, '--', process.execPath, '-e', ENV_PROBE], { PROBE_SHOW: 'DB_PASSWORD' }, repo);
        assert.equal(r.code, 1, r.stderr);
        assert.ok(r.stderr.includes(`custodian: error: .custodian/config: run.envFiles names ${JSON.stringify(entry)}, which is outside the repository`), r.stderr);
        assert.ok(!r.out.includes(SECRET), 'the command did not get the secret');
      }
      // Given with -e, the same file is read: the person named it.
      const r = cli(['run', '-i', alice.privatePath, '-e', 'linked.env.enc', '--', process.execPath, '-e', ENV_PROBE], { PROBE_SHOW: 'DB_PASSWORD' }, repo);
      assert.equal(probe(r).shown.DB_PASSWORD, SECRET);
    } finally {
      removeDir(repo);
      removeDir(other);
    }
  });

  it('without -e and without configured files: says what to pass (usage, status 2)', () => {
    const empty = tempDir('custodian-run-empty-');
    try {
      const r = cli(['run', '-i', alice.privatePath, '--', 'true'], {}, empty);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no env files/);
      assert.match(r.stderr, /hint: .*-e FILE.*run\.envFiles/);
    } finally {
      removeDir(empty);
    }
  });

  it('asks for -- before the command, so the command\'s own flags are never read as custodian\'s', () => {
    const r = cli(['run', '-i', alice.privatePath, '-e', secrets, 'node', 'app.js']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /put the command after --/);
  });
});
