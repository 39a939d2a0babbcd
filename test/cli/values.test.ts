// encrypt --values, decrypt --values, set, get (docs/VALUES.md): round trips in every format, a `set`
// that changes one line, values never taken from argv, refusals that leave the file as it was.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitIn, ok } from './git-helpers';
import { makeOpensslKey, removeDir, run, tempDir, type TestKey } from './helpers';

const PLAIN_ENV = '# database\nDB_HOST=db.internal\nDB_PASSWORD="s3cr3t pass" # rotate\nAPI_KEY=abc123\n';
const PLAIN_YAML = '# app\ndb:\n  password: hunter2 # old\n  hosts: [a, b]\n';
const PLAIN_JSON = '{\n  "db": {\n    "password": "hunter2",\n    "port": 5432\n  }\n}\n';

function diffLines(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  assert.equal(x.length, y.length);
  return x.filter((line, i) => line !== y[i]).map((l) => l.replace(/(=|: |")custodian-val1\..*|=.*/, '$1…'));
}

describe('cli: encrypt --values, decrypt --values, set, get', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestKey;
  let bob: TestKey;

  before(() => {
    dir = tempDir();
    alice = makeOpensslKey(dir, 'alice');
    bob = makeOpensslKey(dir, 'bob');
  });
  after(() => removeDir(dir));

  const file = (name: string): string => path.join(dir, name);

  for (const [name, plain] of [['plain.env', PLAIN_ENV], ['values.yaml', PLAIN_YAML], ['config.json', PLAIN_JSON]] as const) {
    it(`${name}: encrypt --values keeps keys and comments, decrypt --values gives the bytes back`, () => {
      fs.writeFileSync(file(name), plain);
      const sealed = file(`sealed-${name}`);
      const e = run(['encrypt', '--values', '-r', alice.publicPemPath, '-r', bob.publicPemPath, '-s', alice.privatePath, '-o', sealed, file(name)]);
      assert.equal(e.code, 0, e.stderr);
      const text = fs.readFileSync(sealed, 'utf8');
      assert.ok(!text.includes('hunter2') && !text.includes('s3cr3t') && !text.includes('abc123'));
      assert.match(text, /password|DB_PASSWORD/);
      const d = run(['decrypt', '--values', '-i', bob.privatePath, sealed]);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(d.out, plain);
      assert.match(d.stderr, /signed by SHA256:/);
    });
  }

  it('encrypt --values warns about a value that stops at "#" (the rest is a comment, readable in the file)', () => {
    fs.writeFileSync(file('hash.env'), 'PASSWORD=abc#def\nOK="x#y"\n');
    const e = run(['encrypt', '--values', '-r', alice.publicPemPath, '-f', '-o', file('hash-sealed.env'), file('hash.env')]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stderr, /warning: PASSWORD: the value stops at "#" .*quote it \(NAME="abc#def"\)/);
    assert.doesNotMatch(e.stderr, /OK:/);
  });

  it('encrypt --values warns about a YAML secret written without quotes that reads as an anchor or a tag (readable in the file), never quoting it', () => {
    fs.writeFileSync(file('anchor.yaml'), 'db:\n  password: &Sup3rS3cret!\napi_key: !Tok3nValue\nok: "&quoted"\n');
    const e = run(['encrypt', '--values', '-r', alice.publicPemPath, '-f', '-o', file('anchor-sealed.yaml'), file('anchor.yaml')]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stderr, /warning: db\.password, api_key: an anchor \(&…\) or a tag \(!…\) stands where the value is, and stays readable in the file .*quote the value \(password: "&abc"\)/);
    assert.doesNotMatch(e.stderr, /Sup3rS3cret|Tok3nValue|\bok\b/);
  });

  it('encrypt --values of a file whose last commit holds it in the clear says the values stay in every clone, to rotate them; an uncommitted file is not named', () => {
    const repo = file('committed-repo');
    fs.mkdirSync(repo);
    const git = gitIn(repo);
    ok(git(['init', '-q']));
    fs.writeFileSync(path.join(repo, '.env'), 'API_KEY=in-history-7Kd\n');
    ok(git(['add', '.env']));
    ok(git(['commit', '-qm', 'oops']));
    fs.writeFileSync(path.join(repo, 'new.env'), 'API_KEY=never-committed\n');
    const e = run(['encrypt', '--values', '-r', alice.publicPemPath, '-f', '-o', path.join(repo, '.env'), path.join(repo, '.env')]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stderr, /warning: .*\.env: its committed versions hold the values in the clear, in every clone of the repository: rotate those secrets/);
    assert.doesNotMatch(e.stderr, /in-history-7Kd/);
    const n = run(['encrypt', '--values', '-r', alice.publicPemPath, '-f', '-o', path.join(repo, 'new.env'), path.join(repo, 'new.env')]);
    assert.equal(n.code, 0, n.stderr);
    assert.doesNotMatch(n.stderr, /committed versions/);
    // Committed value-encrypted, then encrypted again from a plain copy: the history holds no plaintext.
    ok(git(['add', 'new.env']));
    ok(git(['commit', '-qm', 'sealed']));
    fs.writeFileSync(path.join(repo, 'new.env'), 'API_KEY=never-committed\n');
    const again = run(['encrypt', '--values', '-r', alice.publicPemPath, '-f', '-o', path.join(repo, 'new.env'), path.join(repo, 'new.env')]);
    assert.doesNotMatch(again.stderr, /committed versions/);
  });

  it('get, set, inspect --values and decrypt --values name the file whose text is wrong; decrypt --values says a plain file is one before asking for a key', () => {
    fs.writeFileSync(file('not-sealed.env'), 'A=1\n');
    for (const args of [['get', file('not-sealed.env'), 'A'], ['set', file('not-sealed.env'), 'A'], ['inspect', '--values', file('not-sealed.env')], ['decrypt', '--values', file('not-sealed.env')]]) {
      const r = run(args, { input: 'new value\n' });
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`error: ${file('not-sealed.env').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a value-encrypted dotenv file`), args[0]);
    }
    assert.equal(fs.readFileSync(file('not-sealed.env'), 'utf8'), 'A=1\n');
    // A sealed file whose lines were reordered: the MAC's refusal names it too.
    fs.writeFileSync(file('mac.env'), 'A=1\nB=2\n');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-f', '-o', file('mac.env'), file('mac.env')]).code, 0);
    const [a, b, ...rest] = fs.readFileSync(file('mac.env'), 'utf8').split('\n');
    fs.writeFileSync(file('mac.env'), [b, a, ...rest].join('\n'));
    const g = run(['get', '-i', alice.privatePath, file('mac.env'), 'A']);
    assert.equal(g.code, 1, g.stderr);
    assert.match(g.stderr, /error: \S*mac\.env: /);
  });

  it('encrypt --values of a .env over 1 MiB names the file, says the limit in words and hints at whole-file encryption', () => {
    fs.writeFileSync(file('big.env'), `# ${'c'.repeat(1_500_000)}\nA=1\n`);
    const e = run(['encrypt', '--values', '-r', alice.publicPemPath, '-f', '-o', file('big-sealed.env'), file('big.env')]);
    assert.equal(e.code, 1);
    assert.equal(
      e.stderr,
      `custodian: error: ${file('big.env')}: too large for a .env file: 1500007 characters, more than the 1 MiB (1048576 characters) one may hold\n` +
        'custodian: hint: a .env file holds NAME=value lines and is far smaller: check that this is the file you meant; to protect a file this large, encrypt it whole instead ("custodian encrypt -R .custodian/team -o FILE.enc FILE")\n',
    );
    assert.ok(!fs.existsSync(file('big-sealed.env')));
  });

  it('a byte order mark at the start of a .env, JSON or YAML file survives encrypt --values and decrypt --values, byte for byte', () => {
    for (const [name, body] of [['bom.env', 'A=1\nB=two\n'], ['bom.json', '{"a": "x", "b": [1]}\n'], ['bom.yaml', 'a: x\nb:\n  - 1\n']] as const) {
      const plain = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
      fs.writeFileSync(file(name), plain);
      const sealed = file(`sealed-${name}`);
      const e = run(['encrypt', '--values', '-r', alice.publicPemPath, '-s', alice.privatePath, '-f', '-o', sealed, file(name)]);
      assert.equal(e.code, 0, e.stderr);
      assert.ok(fs.readFileSync(sealed).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), `${name}: the sealed file keeps it`);
      const d = run(['decrypt', '--values', '-i', alice.privatePath, sealed]);
      assert.equal(d.code, 0, d.stderr);
      assert.ok(d.stdout.equals(plain), `${name}: ${JSON.stringify(d.out.slice(0, 8))}`);
    }
  });

  it('get prints the value a program reads; set changes that one line (value from stdin) and signs with the opening key', () => {
    fs.writeFileSync(file('app.env'), PLAIN_ENV);
    const sealed = file('.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-r', bob.publicPemPath, '-o', sealed, file('app.env')]).code, 0);
    // Unsigned: anyone with the public keys could have written it, and set would sign it as bob.
    const unsigned = run(['set', '-i', bob.privatePath, sealed, 'DB_PASSWORD'], { input: 'n3w secret\n' });
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /\.env is not signed: setting a value signs the whole file as you/);
    assert.match(unsigned.stderr, /--sign-unverified/);
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-r', bob.publicPemPath, '-s', alice.privatePath, '-f', '-o', sealed, file('app.env')]).code, 0);
    const g = run(['get', '-i', alice.privatePath, sealed, 'DB_PASSWORD']);
    assert.equal(g.code, 0, g.stderr);
    assert.equal(g.out, 's3cr3t pass\n');
    const before = fs.readFileSync(sealed, 'utf8');
    const s = run(['set', '-i', bob.privatePath, sealed, 'DB_PASSWORD'], { input: 'n3w secret\n' });
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, new RegExp(`signed by ${bob.fingerprint.replace(/[+/]/g, '\\$&')}`));
    const after = fs.readFileSync(sealed, 'utf8');
    // Re-signed by bob: the value, the MAC, the signer and the signature lines change, nothing else.
    const changed = diffLines(before, after);
    assert.deepEqual(changed, ['DB_PASSWORD=…', '#custodian:signer…', '#custodian:mac…', '#custodian:signature…']);
    assert.equal(run(['get', '-i', alice.privatePath, sealed, 'DB_PASSWORD']).out, 'n3w secret\n');
    const d = run(['decrypt', '--values', '-i', alice.privatePath, sealed]);
    // The value keeps the double quotes it had (only the value changes in a diff).
    assert.equal(d.out, PLAIN_ENV.replace('"s3cr3t pass"', '"n3w secret"'));
  });

  it('set in a team repository: a version signed outside the roster is refused; a recipient outside it is warned about', () => {
    // Mallory is on no roster: she re-sealed the file for alice, bob and herself, signed by her own key.
    const repo = tempDir('custodian-set-repo-');
    const config = tempDir('custodian-set-config-');
    try {
      const mallory = makeOpensslKey(dir, 'mallory');
      fs.mkdirSync(path.join(repo, '.git'));
      const team = path.join(repo, '.custodian', 'team');
      fs.mkdirSync(team, { recursive: true });
      for (const [name, k] of [['alice', alice], ['bob', bob]] as const) fs.copyFileSync(k.sshPubPath, path.join(team, `${name}.pub`));
      const inRepo = { cwd: repo, env: { XDG_CONFIG_HOME: config } };
      fs.writeFileSync(path.join(repo, 'plain.env'), 'API_TOKEN=old\nPORT=1\n');
      const everyone = ['-r', alice.publicPemPath, '-r', bob.publicPemPath, '-r', mallory.publicPemPath];
      const seal = (signer: TestKey) => assert.equal(run(['encrypt', '--values', ...everyone, '-s', signer.privatePath, '-f', '-o', '.env', 'plain.env'], inRepo).code, 0);
      seal(mallory);
      const before = fs.readFileSync(path.join(repo, '.env'));
      const refused = run(['set', '-i', alice.privatePath, '.env', 'API_TOKEN'], { ...inRepo, input: 'rotated-secret' });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /\.env is signed by SHA256:\S+, which is neither your key nor in the team roster: setting a value signs the whole file as you/);
      assert.ok(fs.readFileSync(path.join(repo, '.env')).equals(before), 'unchanged');
      // Bob, on the roster, wrote it, but for mallory too: set goes ahead and says who else reads the value.
      seal(bob);
      const warned = run(['set', '-i', alice.privatePath, '.env', 'API_TOKEN'], { ...inRepo, input: 'rotated-secret' });
      assert.equal(warned.code, 0, warned.stderr);
      assert.ok(warned.stderr.includes(`.env is also encrypted for ${mallory.fingerprint}, not in the team roster: they can read the new value too`), warned.stderr);
    } finally {
      removeDir(repo);
      removeDir(config);
    }
  });

  it('set on nested YAML and JSON values; a new .env name is appended', () => {
    for (const [name, plain, key] of [['s.yaml', PLAIN_YAML, 'db.password'], ['s.json', PLAIN_JSON, 'db.password']] as const) {
      fs.writeFileSync(file(`p-${name}`), plain);
      assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-o', file(name), file(`p-${name}`)]).code, 0);
      const s = run(['set', '-i', alice.privatePath, '--sign-unverified', file(name), key], { input: 'x: "y"' });
      assert.equal(s.code, 0, s.stderr);
      assert.equal(run(['get', '-i', alice.privatePath, file(name), key]).out, 'x: "y"\n');
    }
    const s = run(['set', '-i', alice.privatePath, file('.env'), 'NEW_ONE'], { input: 'v' });
    assert.equal(s.code, 0, s.stderr);
    assert.equal(run(['get', '-i', alice.privatePath, file('.env'), 'NEW_ONE']).out, 'v\n');
  });

  it('set on a symbolic link is refused, naming the file it leads to: the atomic write replaced the link with a file and left its target as it was, saying the value was set', () => {
    fs.writeFileSync(file('p-link.env'), 'API_KEY=old\n');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-s', alice.privatePath, '-o', file('real.env'), file('p-link.env')]).code, 0);
    fs.symlinkSync('real.env', file('link.env'));
    const before = fs.readFileSync(file('real.env'));
    const s = run(['set', '-i', alice.privatePath, file('link.env'), 'API_KEY'], { input: 'new' });
    assert.equal(s.code, 1);
    assert.match(s.stderr, /link\.env is a symbolic link to .*real\.env: set writes a new file in its place, which would leave the file it leads to unchanged/);
    assert.ok(fs.lstatSync(file('link.env')).isSymbolicLink(), 'the link kept');
    assert.ok(fs.readFileSync(file('real.env')).equals(before), 'its target unchanged');
    const direct = run(['set', '-i', alice.privatePath, file('real.env'), 'API_KEY'], { input: 'new' });
    assert.equal(direct.code, 0, direct.stderr);
  });

  it('encrypt --values --readable KEY leaves exactly the values of those keys readable, wherever they stand (a dot or a plus in a key is no pattern); a key that holds other keys is refused, nothing written', () => {
    const plain = 'image:\n  repository: bitnami/nginx\n  tag: 1.27.0\nsidecar:\n  tag: 2.1.0\n  password: sc-Secret-3\n"a.b+": 7\naxb: ab-Secret-5\nreplicaCount: 2\n';
    fs.writeFileSync(file('readable.yaml'), plain);
    const sealed = file('readable-sealed.yaml');
    const e = run(['encrypt', '--values', '--readable', 'tag', '--readable', 'a.b+', '--readable', 'replicaCount', '-r', alice.publicPemPath, '-o', sealed, file('readable.yaml')]);
    assert.equal(e.code, 0, e.stderr);
    const text = fs.readFileSync(sealed, 'utf8');
    assert.match(text, /^#custodian:encrypt=unencrypted-regex:\^\(\?:tag\|a\\\.b\\\+\|replicaCount\)\$$/m);
    for (const clear of ['  tag: 1.27.0\n', '  tag: 2.1.0\n', '"a.b+": 7\n', 'replicaCount: 2\n']) assert.ok(text.includes(clear), clear);
    for (const secret of ['bitnami/nginx', 'sc-Secret-3', 'ab-Secret-5']) assert.ok(!text.includes(secret), secret);
    assert.equal(run(['decrypt', '--values', '-i', alice.privatePath, sealed]).out, plain);

    // image holds other keys: naming it would leave repository (and anything added there later) readable.
    const out = file('readable-refused.yaml');
    const refused = run(['encrypt', '--values', '--readable', 'image', '-r', alice.publicPemPath, '-o', out, file('readable.yaml')]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.ok(refused.stderr.includes(`--readable image: ${file('readable.yaml')} has no value of that name`), refused.stderr);
    assert.match(refused.stderr, /a key that holds other keys or a list cannot be named/);
    assert.ok(!fs.existsSync(out), 'nothing written');
    const both = run(['encrypt', '--values', '--readable', 'tag', '--unencrypted-suffix', '_PUBLIC', '-r', alice.publicPemPath, '-o', out, file('readable.yaml')]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /pass one of --unencrypted-suffix, --unencrypted-regex or --readable/);
    assert.ok(!fs.existsSync(out), 'nothing written');
  });

  it('set of a name the file\'s rule leaves in the clear says so, naming the rule (a piped secret is noticed); status 0', () => {
    fs.writeFileSync(file('rule.env'), 'DB_PASSWORD=s3cr3t\nURL_PUBLIC=https://x\n');
    const sealed = file('rule-sealed.env');
    assert.equal(run(['encrypt', '--values', '--unencrypted-suffix', '_PUBLIC', '-r', alice.publicPemPath, '-s', alice.privatePath, '-o', sealed, file('rule.env')]).code, 0);
    const clear = run(['set', '-i', alice.privatePath, sealed, 'STRIPE_KEY_PUBLIC'], { input: 'sk-live-123\n' });
    assert.equal(clear.code, 0, clear.stderr);
    assert.ok(
      clear.stderr.includes(`custodian: warning: STRIPE_KEY_PUBLIC set in ${sealed} in the clear, not encrypted: the file's rule (encrypt=unencrypted-suffix:_PUBLIC) leaves it readable\n`),
      clear.stderr,
    );
    assert.match(fs.readFileSync(sealed, 'utf8'), /^STRIPE_KEY_PUBLIC=sk-live-123$/m);
    const sealedValue = run(['set', '-i', alice.privatePath, sealed, 'DB_PASSWORD'], { input: 'n3w\n' });
    assert.equal(sealedValue.code, 0, sealedValue.stderr);
    assert.ok(sealedValue.stderr.includes(`custodian: DB_PASSWORD set in ${sealed}\n`), sealedValue.stderr);
    assert.doesNotMatch(sealedValue.stderr, /in the clear/);
  });

  it('a tampered file: decrypt, get and set refuse, nothing is written and the file is unchanged', () => {
    fs.writeFileSync(file('t.env'), 'A=1\nB=2\n');
    const sealed = file('t-sealed.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-o', sealed, file('t.env')]).code, 0);
    const text = fs.readFileSync(sealed, 'utf8');
    const [a, b] = [/^A=(.*)$/m.exec(text)![1], /^B=(.*)$/m.exec(text)![1]];
    fs.writeFileSync(sealed, text.replace(a, '@').replace(b, a).replace('@', b));
    const tampered = fs.readFileSync(sealed, 'utf8');
    const d = run(['decrypt', '--values', '-i', alice.privatePath, '-o', file('t-out.env'), sealed]);
    assert.equal(d.code, 1);
    assert.match(d.stderr, /custodian: error: \S*t-sealed\.env: the encrypted value of "A" does not open at that key/);
    assert.ok(!fs.existsSync(file('t-out.env')));
    assert.equal(run(['get', '-i', alice.privatePath, sealed, 'A']).code, 1);
    assert.equal(run(['set', '-i', alice.privatePath, sealed, 'A'], { input: 'z' }).code, 1);
    assert.equal(fs.readFileSync(sealed, 'utf8'), tampered);
  });

  it('set, get and the --values forms on a whole-file .enc (binary or armored, any name) say what it is and what to use instead; the file is unchanged', () => {
    fs.writeFileSync(file('w.env'), 'A=1\n');
    const binary = file('w.env.enc');
    const armored = file('w.env.enc.asc');
    assert.equal(run(['encrypt', '-r', alice.publicPemPath, '-o', binary, file('w.env')]).code, 0);
    assert.equal(run(['encrypt', '-a', '-r', alice.publicPemPath, '-o', armored, file('w.env')]).code, 0);
    // Named like a .env file: the name gives a format, and the bytes must still be recognized.
    const disguised = file('w-binary.env');
    fs.copyFileSync(binary, disguised);
    for (const [enc, kind] of [[binary, 'binary'], [armored, 'armored'], [disguised, 'binary']] as const) {
      const before = fs.readFileSync(enc);
      const mtime = fs.statSync(enc).mtimeMs;
      const out = file('w-out.env');
      for (const r of [
        run(['set', '-i', alice.privatePath, enc, 'A'], { input: 'z' }),
        run(['get', '-i', alice.privatePath, enc, 'A']),
        // The --values forms too, before they ask for a format or a key.
        run(['decrypt', '--values', '-o', out, enc], { env: { CUSTODIAN_IDENTITY: '', CUSTODIAN_KEY: '' } }),
        run(['inspect', '--values', enc]),
        run(['encrypt', '--values', '-r', alice.publicPemPath, '-o', out, enc]),
      ]) {
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.out, '');
        assert.ok(r.stderr.startsWith(`custodian: error: ${enc} is a whole-file encrypted file (${kind} .enc), not a .env, JSON or YAML document\n`), r.stderr);
        assert.match(r.stderr, /custodian: hint: set, get and --values work on .* "custodian encrypt --values"; \S+ is encrypted whole: "custodian decrypt /);
        // The way to a value-encrypted copy is a pipe: no advice writes the plaintext to a file (it did: "-o FILE PLAIN").
        assert.match(r.stderr, /"custodian decrypt \S+ \| custodian encrypt --values --format dotenv -R \.custodian\/team -S -o NEW\.env -"/);
        assert.doesNotMatch(r.stderr, /UTF-8|metadata|PLAIN/);
      }
      assert.ok(!fs.existsSync(out), 'nothing written');
      assert.deepEqual(fs.readFileSync(enc), before, `${enc} is unchanged`);
      assert.equal(fs.statSync(enc).mtimeMs, mtime);
    }
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
    // The pipe the hint gives, its two commands joined here: a value-encrypted copy that get reads.
    const printed = run(['decrypt', '-i', alice.privatePath, binary]);
    assert.equal(printed.code, 0, printed.stderr);
    const copy = file('w-copy.env');
    const converted = run(['encrypt', '--values', '--format', 'dotenv', '-r', alice.publicPemPath, '-s', alice.privatePath, '-o', copy, '-'], { input: printed.out });
    assert.equal(converted.code, 0, converted.stderr);
    assert.equal(run(['get', '-i', alice.privatePath, copy, 'A']).out, /^A=(.*)$/m.exec(printed.out)![1] + '\n');
  });

  it('decrypt and inspect without --values on a value-encrypted file say it is one and give the --values form, not "check … not its plaintext"', () => {
    fs.writeFileSync(file('nv-plain.env'), PLAIN_ENV);
    const sealed = file('nv.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-s', alice.privatePath, '-o', sealed, file('nv-plain.env')]).code, 0);
    for (const [command, r] of [
      ['decrypt', run(['decrypt', '-i', alice.privatePath, sealed])],
      ['inspect', run(['inspect', sealed])],
    ] as const) {
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.out, '');
      assert.ok(r.stderr.startsWith(`custodian: error: ${sealed} is value-encrypted (its values are sealed where they stand), not a .enc file\n`), r.stderr);
      assert.match(r.stderr, new RegExp(`custodian: hint: run: custodian ${command} --values \\S+nv\\.env`));
      assert.doesNotMatch(r.stderr, /not its plaintext/);
    }
    // A plain .env is not one: the usual message stays.
    assert.match(run(['inspect', file('nv-plain.env')]).stderr, /not a Custodian encrypted file/);
  });

  it('inspect --values shows recipients, rule, entries and the verified signer without a key; a value put back in the clear fails it', () => {
    fs.writeFileSync(file('i.env'), 'URL_PUBLIC=https://x\nTOKEN=t0k\n');
    const sealed = file('i-sealed.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-s', bob.privatePath, '--unencrypted-suffix', '_PUBLIC', '-o', sealed, file('i.env')]).code, 0);
    const r = run(['inspect', '--values', '--json', sealed]);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.out) as { rule: string; signer: { fingerprint: string; verified: boolean }; entries: { name: string; encrypted: boolean }[]; inClearAgainstRule: string[] };
    assert.equal(info.rule, 'unencrypted-suffix:_PUBLIC');
    assert.equal(info.signer.fingerprint, bob.fingerprint);
    assert.deepEqual(info.entries, [{ name: 'URL_PUBLIC', encrypted: false }, { name: 'TOKEN', encrypted: true }]);
    // Signed: the signature covers every value, so the edit fails it. Unsigned: the value is named.
    fs.writeFileSync(sealed, fs.readFileSync(sealed, 'utf8').replace(/^TOKEN=.*$/m, 'TOKEN=t0k'));
    assert.match(run(['inspect', '--values', sealed]).stderr, /signature by .* does not verify/);
    const unsigned = file('i-unsigned.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '--unencrypted-suffix', '_PUBLIC', '-o', unsigned, file('i.env')]).code, 0);
    fs.writeFileSync(unsigned, fs.readFileSync(unsigned, 'utf8').replace(/^TOKEN=.*$/m, 'TOKEN=t0k'));
    const bad = run(['inspect', '--values', unsigned]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /in the clear although the file's rule says they are encrypted: TOKEN/);
  });

  it('a committed rule cannot freeze a reader: ^public$|^(a+)+$ with a key of 5,000 "a"s and a "!" (an edited rule, unsigned: no key needed) is read by inspect --values and guard --all, and the file opens, in linear time (RE2)', () => {
    // ECMAScript's backtracking RegExp doubled its time with each "a" (30 took seconds, red team); these
    // would not end. The child is stopped after a minute, so a regression fails here instead of hanging.
    const repo = tempDir();
    try {
      fs.writeFileSync(path.join(repo, 'plain.json'), JSON.stringify({ public: { url: 'https://x' }, secret: 'hunter2' }));
      const e = run(['encrypt', '--values', '--unencrypted-regex', '^public$', '-r', alice.publicPemPath, '-o', path.join(repo, 'config.json'), path.join(repo, 'plain.json')]);
      assert.equal(e.code, 0, e.stderr);
      fs.rmSync(path.join(repo, 'plain.json'));
      // What a committer without a key can do: edit the rule line and add a member the rule is tried on.
      const name = `${'a'.repeat(5000)}!`;
      const edited = fs
        .readFileSync(path.join(repo, 'config.json'), 'utf8')
        .replace('"encrypt=unencrypted-regex:^public$"', '"encrypt=unencrypted-regex:^public$|^(a+)+$"')
        .replace('{"public":', `{${JSON.stringify(name)}: {"public": "x"}, "public":`);
      assert.notEqual(edited, fs.readFileSync(path.join(repo, 'config.json'), 'utf8'));
      fs.writeFileSync(path.join(repo, 'config.json'), edited);
      const inspect = run(['inspect', '--values', path.join(repo, 'config.json')], { timeoutMs: 60_000 });
      assert.match(inspect.out + inspect.stderr, /unencrypted-regex:\^public\$\|\^\(a\+\)\+\$/);
      // The CI check, which tries the rule on every value in the clear (the added member's is).
      const git = gitIn(repo);
      ok(git(['init', '-q']));
      ok(git(['add', 'config.json']));
      ok(git(['commit', '-qm', 'edited rule']));
      const guard = run(['guard', '--all'], { cwd: repo, timeoutMs: 60_000 });
      assert.equal(guard.code, 0, guard.stderr);
      // A valid file with that rule, as an outsider holding the roster's public keys could write: it opens.
      const valid = path.join(repo, 'valid.json');
      fs.writeFileSync(path.join(repo, 'plain2.json'), JSON.stringify({ [name]: { public: 'x', secret: 's3cr3t' } }));
      assert.equal(run(['encrypt', '--values', '--unencrypted-regex', '^public$|^(a+)+$', '-r', alice.publicPemPath, '-o', valid, path.join(repo, 'plain2.json')], { timeoutMs: 60_000 }).code, 0);
      const d = run(['decrypt', '--values', '-i', alice.privatePath, valid], { timeoutMs: 60_000 });
      assert.equal(d.code, 0, d.stderr);
      assert.equal(JSON.parse(d.out)[name].secret, 's3cr3t');
    } finally {
      removeDir(repo);
    }
  });

  it('run -e reads a value-encrypted .env: the command gets the values, --require-signer checks its signer, a tampered file runs nothing', () => {
    fs.writeFileSync(file('run-plain.env'), 'RUN_SECRET="s3cr3t value"\nRUN_PUBLIC=1\n');
    const sealed = file('run.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-s', bob.privatePath, '-o', sealed, file('run-plain.env')]).code, 0);
    const probe = ['--', process.execPath, '-e', 'process.stdout.write(process.env.RUN_SECRET + "|" + process.env.RUN_PUBLIC)'];
    const r = run(['run', '-i', alice.privatePath, '-e', sealed, ...probe]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out, 's3cr3t value|1');
    assert.equal(run(['run', '-i', alice.privatePath, '--require-signer', bob.publicPemPath, '-e', sealed, ...probe]).out, 's3cr3t value|1');
    const wrongSigner = run(['run', '-i', alice.privatePath, '--require-signer', alice.publicPemPath, '-e', sealed, ...probe]);
    assert.equal(wrongSigner.code, 1);
    assert.equal(wrongSigner.out, '');
    const text = fs.readFileSync(sealed, 'utf8');
    const [a, b] = [/^RUN_SECRET=(.*)$/m.exec(text)![1], /^RUN_PUBLIC=(.*)$/m.exec(text)![1]];
    fs.writeFileSync(sealed, text.replace(a, '@').replace(b, a).replace('@', b));
    const tampered = run(['run', '-i', alice.privatePath, '-e', sealed, ...probe]);
    assert.equal(tampered.code, 1);
    assert.equal(tampered.out, '', 'the command did not run');
    assert.match(tampered.stderr, /does not open at that key/);
    // A byte order mark put in front of a file sealed without one changes its first covered line: run
    // refuses it as decrypt --values does (it dropped the mark and ran the command, red team).
    fs.writeFileSync(sealed, `\uFEFF${text}`);
    assert.match(run(['decrypt', '--values', '-i', alice.privatePath, sealed]).stderr, /the file MAC does not verify/);
    const marked = run(['run', '-i', alice.privatePath, '-e', sealed, ...probe]);
    assert.equal(marked.code, 1);
    assert.equal(marked.out, '', 'the command did not run');
    assert.match(marked.stderr, /the file MAC does not verify/);
  });

  it('a document encrypt --values cannot read is named with its line, and nothing is written', () => {
    const bad = file('bad.env');
    fs.writeFileSync(bad, 'GOOD=1\nthis line has no equals sign\n');
    const r = run(['encrypt', '--values', '-r', alice.publicPemPath, '-o', file('bad-out.env'), bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`error: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line 2: `));
    assert.ok(!fs.existsSync(file('bad-out.env')));
  });

  it('get and set refuse a name they cannot use before any key is asked for; a value given on the command line is neither taken nor printed back', () => {
    fs.writeFileSync(file('names.env'), 'DB_PASSWORD=pw-1\nAPI_TOKEN=tok-1\n');
    const sealed = file('names-sealed.env');
    assert.equal(run(['encrypt', '--values', '-r', alice.publicPemPath, '-s', alice.privatePath, '-o', sealed, file('names.env')]).code, 0);
    const before = fs.readFileSync(sealed, 'utf8');
    // No key at all (no -i, no agent): each refusal below comes before a key is looked for.
    const typo = run(['get', sealed, 'DB_PASSWRD']);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /has no value "DB_PASSWRD"\ncustodian: hint: its keys: DB_PASSWORD, API_TOKEN/);
    const pair = run(['set', sealed, 'API_TOKEN=argv-secret-5Tq'], { input: 'x\n' });
    assert.equal(pair.code, 1);
    assert.match(pair.stderr, /the name given holds "=" and is not in the file: the value is never given with the name\ncustodian: hint: give the name alone; the value comes from standard input/);
    const extra = run(['set', sealed, 'API_TOKEN', 'argv-secret-5Tq'], { input: 'x\n' });
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /set takes FILE and NAME only: the value comes from standard input, never from the command line/);
    for (const r of [pair, extra]) assert.doesNotMatch(r.stderr, /argv-secret-5Tq/, 'the value is not printed back');
    const nested = run(['set', sealed, 'db.pass word'], { input: 'x\n' });
    assert.equal(nested.code, 1);
    assert.match(nested.stderr, /"db\.pass word" is not in the file, and a new name must start with a letter or _ and hold only letters, digits, _, \. and -/);
    assert.equal(fs.readFileSync(sealed, 'utf8'), before);
    // A name that is there, or a new simple one, gets as far as the key.
    assert.match(run(['get', sealed, 'API_TOKEN']).stderr, /no (private )?key|no identity/i);
  });

  it('usage: set FILE NAME VALUE is refused (exit 2) without quoting the value back, and the file is left as it was', () => {
    // The value on the command line is already in shell history; an error quoting it would also put it
    // in CI logs and terminal scrollback. Not even 4 characters of it appear.
    fs.writeFileSync(file('argv.env'), 'A=1\n');
    const value = 'Zq8vT3xKwP9mLr2Y';
    for (const extra of [[value], [value, 'second-word']]) {
      const r = run(['set', file('argv.env'), 'A', ...extra]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /set takes FILE and NAME only/);
      for (let i = 0; i + 4 <= value.length; i++) assert.ok(!(r.stderr + r.out).includes(value.slice(i, i + 4)), `"${value.slice(i, i + 4)}" of the value is in the output: ${r.stderr}`);
      assert.equal(fs.readFileSync(file('argv.env'), 'utf8'), 'A=1\n');
    }
  });

  it('usage: set takes no value argument; --format needs --values; an unknown format is named', () => {
    assert.equal(run(['set', file('.env'), 'A', 'value-on-argv']).code, 2);
    assert.equal(run(['decrypt', '--format', 'json', file('x')]).code, 2);
    fs.writeFileSync(file('notes.txt'), 'A=1\n');
    const r = run(['encrypt', '--values', '-r', alice.publicPemPath, file('notes.txt')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format dotenv/);
    // Standard input has no name: -o's says the format, both ways.
    const piped = run(['encrypt', '--values', '-r', alice.publicPemPath, '-o', file('piped.yaml'), '-'], { input: 'db:\n  password: p-1\n' });
    assert.equal(piped.code, 0, piped.stderr);
    const back = run(['decrypt', '--values', '-i', alice.privatePath, '-o', file('piped-plain.yaml'), '-'], { input: fs.readFileSync(file('piped.yaml')) });
    assert.equal(back.code, 0, back.stderr);
    assert.equal(fs.readFileSync(file('piped-plain.yaml'), 'utf8'), 'db:\n  password: p-1\n');
    assert.match(run(['encrypt', '--values', '-r', alice.publicPemPath, '-'], { input: 'A=1\n' }).stderr, /cannot tell the format of standard input/);
  });
});
