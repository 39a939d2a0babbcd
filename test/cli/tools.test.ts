// split / combine, totp, genpass through the CLI.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listDir, removeDir, run, tempDir } from './helpers';

describe('cli: split, combine, totp, genpass', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => removeDir(dir));

  describe('split / combine', () => {
    it('split -t 2 -n 3 prints 3 lines; any 2 combine to the secret, from stdin or files', () => {
      const secret = 'correct horse battery staple\n';
      const s = run(['split', '-t', '2', '-n', '3'], { input: secret });
      assert.equal(s.code, 0, s.stderr);
      const lines = s.out.trim().split('\n');
      assert.equal(lines.length, 3);
      for (const l of lines) assert.match(l, /^custodian-share1:[A-Za-z0-9_-]+$/);
      assert.match(s.stderr, /split into 3 shares \(set [0-9a-f]{16}\); any 2 recover the secret/);
      assert.ok(!s.stderr.includes('horse'));
      for (const pair of [[0, 1], [0, 2], [1, 2]]) {
        const c = run(['combine'], { input: pair.map((i) => lines[i]).join('\n') + '\n' });
        assert.equal(c.code, 0, c.stderr);
        assert.equal(c.out, secret);
      }
      const files = lines.map((l, i) => {
        const f = path.join(dir, `line-${i}.txt`);
        fs.writeFileSync(f, l + '\n');
        return f;
      });
      assert.equal(run(['combine', files[2], files[0]]).out, secret);
      // As a mail client wraps them (SHAMIR.md §5): 72 or 76 columns, indented or not.
      const wrap = (l: string, width: number, indent: string): string => (l.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).map((p) => indent + p).join('\n');
      for (const [width, indent] of [[72, ''], [76, '    ']] as const) {
        const c = run(['combine'], { input: `${wrap(lines[0], width, indent)}\n${wrap(lines[2], width, indent)}\n` });
        assert.equal(c.code, 0, c.stderr);
        assert.equal(c.out, secret);
      }
    });

    it('binary secrets from a file, -o DIR, armored shares, and combine -o', () => {
      const secret = randomBytes(60_000);
      const secretFile = path.join(dir, 'secret.bin');
      fs.writeFileSync(secretFile, secret);
      const outDir = path.join(dir, 'shares');
      const s = run(['split', '-t', '3', '-n', '5', '-a', '-o', outDir, secretFile]);
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.out, '');
      assert.deepEqual(listDir(outDir), [1, 2, 3, 4, 5].map((i) => `share-${i}-of-5.txt`));
      assert.equal(fs.statSync(path.join(outDir, 'share-1-of-5.txt')).mode & 0o777, 0o600);
      assert.match(fs.readFileSync(path.join(outDir, 'share-4-of-5.txt'), 'utf8'), /^-----BEGIN CUSTODIAN SHARE-----\nVersion: 1\n/);
      const target = path.join(dir, 'recovered.bin');
      const c = run(['combine', '-o', target, ...[1, 3, 5].map((i) => path.join(outDir, `share-${i}-of-5.txt`))]);
      assert.equal(c.code, 0, c.stderr);
      assert.ok(fs.readFileSync(target).equals(secret));
      // Existing share files are not replaced without --force.
      const again = run(['split', '-t', '3', '-n', '5', '-o', outDir, secretFile]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists/);
    });

    it('limits (SHAMIR.md §7): 64 KiB splits; one byte more, or too much work, is refused up front with a hint', () => {
      const atLimit = path.join(dir, 'limit.bin');
      fs.writeFileSync(atLimit, randomBytes(64 * 1024));
      const ok = run(['split', '-t', '2', '-n', '3', atLimit]);
      assert.equal(ok.code, 0, ok.stderr);
      const c = run(['combine'], { input: ok.out.trim().split('\n').slice(1).join('\n') });
      assert.ok(c.stdout.equals(fs.readFileSync(atLimit)));
      const above = path.join(dir, 'above.bin');
      fs.writeFileSync(above, randomBytes(64 * 1024 + 1));
      for (const r of [run(['split', '-t', '2', '-n', '3', above]), run(['split', '-t', '2', '-n', '3'], { input: fs.readFileSync(above) })]) {
        assert.equal(r.code, 1);
        assert.equal(r.out, '');
        assert.match(r.stderr, /custodian: error: .*at most 65536 bytes \(64 KiB\)/);
        assert.match(r.stderr, /custodian: hint: encrypt the file instead/);
      }
      const work = run(['split', '-t', '19', '-n', '255', atLimit]);
      assert.equal(work.code, 1);
      assert.match(work.stderr, /custodian: error: splitting 65536 bytes into 255 shares with threshold 19 needs/);
      assert.match(work.stderr, /custodian: hint: with 255 shares use a threshold of at most 18/);
      assert.match(run(['split', '--help']).out, /the secret is at most 64 KiB/);
    });

    it('too few, repeated, mixed or mistyped shares fail with exit 1 and name the problem', () => {
      const a = run(['split', '-t', '3', '-n', '4'], { input: 'secret A' }).out.trim().split('\n');
      const b = run(['split', '-t', '3', '-n', '4'], { input: 'secret B' }).out.trim().split('\n');
      const tooFew = run(['combine'], { input: `${a[0]}\n${a[1]}\n` });
      assert.equal(tooFew.code, 1);
      assert.match(tooFew.stderr, /^custodian: error: .*(need|threshold|3)/);
      assert.equal(tooFew.out, '');
      const repeated = run(['combine'], { input: `${a[0]}\n${a[0]}\n${a[1]}\n` });
      assert.equal(repeated.code, 1);
      const mixed = run(['combine'], { input: `${a[0]}\n${a[1]}\n${b[2]}\n` });
      assert.equal(mixed.code, 1);
      assert.match(mixed.stderr, /share 3/);
      const typo = a[2].slice(0, 30) + (a[2][30] === 'A' ? 'B' : 'A') + a[2].slice(31);
      const mistyped = run(['combine'], { input: `${a[0]}\n${a[1]}\n${typo}\n` });
      assert.equal(mistyped.code, 1);
      assert.match(mistyped.stderr, /checksum|mistyped/);
      const file = path.join(dir, 'bad-share.txt');
      fs.writeFileSync(file, `${typo}\n`);
      const named = run(['combine', file, file]);
      assert.match(named.stderr, /bad-share\.txt: /);
    });

    it('a file of 130 000 shares is refused, naming the file and the limit of 255 (it overflowed the stack)', () => {
      for (const vault of [[], ['--vault']]) {
        const share = run(['split', ...vault, '-t', '2', '-n', '2'], { input: 'x'.repeat(20) }).out.split('\n')[0];
        const file = path.join(dir, 'many-shares.txt');
        fs.writeFileSync(file, `${share}\n`.repeat(130_000));
        const c = run(['combine', ...vault, file]);
        assert.equal(c.code, 1, c.stderr);
        assert.match(c.stderr, /^custodian: error: .*many-shares\.txt: share 256 \(line 256\): more than 255 shares: a share set has at most 255\ncustodian: hint: /);
      }
    });

    it('Vault layout round-trips with --vault (base64 and hex)', () => {
      for (const hex of [[], ['--hex']]) {
        const s = run(['split', '--vault', ...hex, '-t', '2', '-n', '3'], { input: 'vault secret' });
        assert.equal(s.code, 0, s.stderr);
        assert.match(s.stderr, /warning: Vault-layout shares carry no integrity check/);
        const lines = s.out.trim().split('\n');
        const c = run(['combine', '--vault', ...hex], { input: `${lines[2]}\n${lines[0]}\n` });
        assert.equal(c.out, 'vault secret');
      }
    });

    it('usage errors: missing -t/-n, T > N, T < 2, --hex without --vault', () => {
      assert.equal(run(['split', '-n', '3'], { input: 'x' }).code, 2);
      assert.equal(run(['split', '-t', '4', '-n', '3'], { input: 'x' }).code, 2);
      assert.equal(run(['split', '-t', '1', '-n', '3'], { input: 'x' }).code, 2);
      assert.equal(run(['split', '-t', 'two', '-n', '3'], { input: 'x' }).code, 2);
      assert.equal(run(['combine', '--hex'], { input: 'x' }).code, 2);
      const empty = run(['split', '-t', '2', '-n', '3'], { input: '' });
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /the secret is empty/);
    });
  });

  describe('totp', () => {
    const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // RFC 6238's "12345678901234567890"

    it('matches the RFC 6238 vectors for --secret and --at', () => {
      assert.equal(run(['totp', '--secret', SECRET, '--digits', '8', '--at', '59']).out, '94287082\n');
      assert.equal(run(['totp', '--secret', SECRET, '--digits', '8', '--at', '1111111109']).out, '07081804\n');
    });

    it('agrees with oathtool for SHA1/SHA256/SHA512, 6–8 digits, several periods', () => {
      const secretHex = randomBytes(20).toString('hex');
      const b32 = spawnSync('oathtool', ['--totp', '-v', secretHex, '--now', '@0']).stdout.toString();
      const base32 = /Base32 secret: (\S+)/.exec(b32)?.[1];
      assert.ok(base32, b32);
      for (const algorithm of ['SHA1', 'SHA256', 'SHA512']) {
        for (const [digits, period, at] of [[6, 30, 1_700_000_000], [7, 60, 1_234_567_890], [8, 15, 42]]) {
          const expected = spawnSync('oathtool', [`--totp=${algorithm}`, '-d', String(digits), '-s', `${period}s`, '--now', `@${at}`, secretHex]).stdout.toString();
          const r = run(['totp', '--secret', base32, '--algorithm', algorithm, '--digits', String(digits), '--period', String(period), '--at', String(at)]);
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.out, expected, `${algorithm} ${digits} ${period} ${at}`);
        }
      }
    });

    it('reads an otpauth:// URI as an argument or from stdin ("-")', () => {
      const uri = `otpauth://totp/Example:alice@example.com?secret=${SECRET}&issuer=Example&algorithm=SHA1&digits=8&period=30`;
      assert.equal(run(['totp', uri, '--at', '59']).out, '94287082\n');
      assert.equal(run(['totp', '-', '--at', '59'], { input: `${uri}\n` }).out, '94287082\n');
    });

    it('rejects malformed input without echoing the secret', () => {
      const bad = run(['totp', '--secret', 'not*base32!', '--at', '1']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /--secret is not valid base32/);
      assert.ok(!bad.stderr.includes('not*base32!'));
      const uri = run(['totp', 'otpauth://totp/x?secret=SECRETSECRETSECRET&digits=11']);
      assert.equal(uri.code, 1);
      assert.ok(!uri.stderr.includes('SECRETSECRETSECRET'));
      assert.equal(run(['totp']).code, 2);
      assert.equal(run(['totp', 'otpauth://totp/x?secret=' + SECRET, '--digits', '8']).code, 2);
      assert.equal(run(['totp', '--secret', SECRET, '--algorithm', 'MD5']).code, 2);
      assert.equal(run(['totp', '--secret', SECRET, '--digits', '9']).code, 2);
      const hotp = run(['totp', `otpauth://hotp/x?secret=${SECRET}&counter=1`]);
      assert.equal(hotp.code, 1);
      assert.match(hotp.stderr, /HOTP/);
    });
  });

  describe('genpass', () => {
    it('passwords: default 24 characters of every class, entropy on stderr', () => {
      const r = run(['genpass', '-c', '20']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.out.trim().split('\n');
      assert.equal(lines.length, 20);
      for (const l of lines) {
        assert.equal(l.length, 24);
        for (const cls of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/]) assert.match(l, cls);
      }
      assert.match(r.stderr, /^custodian: entropy: 15\d\.\d bits each\n$/);
      const alnum = run(['genpass', '-l', '40', '--no-symbols', '--no-look-alikes']);
      assert.match(alnum.out, /^[a-zA-Z0-9]{40}\n$/);
      assert.doesNotMatch(alnum.out.trim(), /[Il1O0]/);
    });

    it('passphrases and tokens', () => {
      const p = run(['genpass', '-w', '6', '--separator', ' ', '--capitalize', '--number']);
      assert.match(p.out, /^([A-Z][a-z-]+ ){6}[0-9]\n$/);
      assert.match(p.stderr, /entropy: 80\.9 bits/);
      assert.match(run(['genpass', '--token']).out, /^[0-9a-f]{64}\n$/);
      assert.match(run(['genpass', '--token', '--bytes', '16', '--base64url']).out, /^[A-Za-z0-9_-]{22}\n$/);
    });

    it('nothing below 72 bits, as in VS Code: the least length, word count or token size that reaches it is named, nothing printed', () => {
      const cases: [string[], RegExp][] = [
        [['-l', '4'], /-l 4 gives 22\.3 bits; Custodian never generates secrets below 72 bits: use -l 12 \(78\.1 bits\) or more/],
        [['-l', '12', '--no-symbols'], /use -l 13 \(77\.2 bits\)/],
        [['-l', '12', '--no-lowercase', '--no-uppercase', '--no-symbols'], /-l 12 gives 39\.9 bits.*use -l 22/],
        [['-w', '5', '--number'], /-w 5 gives 67\.9 bits.*use -w 6/],
        [['--token', '--bytes', '8'], /--bytes 8 gives 64\.0 bits.*use --bytes 9 \(72\.0 bits\)/],
      ];
      for (const [args, message] of cases) {
        const r = run(['genpass', ...args]);
        assert.equal(r.code, 2, args.join(' '));
        assert.equal(r.out, '', 'nothing printed');
        assert.match(r.stderr, message);
      }
      assert.match(run(['genpass', '-l', '13', '--no-symbols']).stderr, /entropy: 77\.2 bits/);
      assert.match(run(['genpass', '--token', '--bytes', '9']).out, /^[0-9a-f]{18}\n$/);
    });

    it('conflicting or out-of-range flags are usage errors', () => {
      assert.equal(run(['genpass', '--token', '-l', '10']).code, 2);
      assert.equal(run(['genpass', '-w', '5', '--no-symbols']).code, 2);
      assert.equal(run(['genpass', '-l', '0']).code, 2);
      assert.equal(run(['genpass', '--no-lowercase', '--no-uppercase', '--no-digits', '--no-symbols']).code, 2);
      assert.equal(run(['genpass', 'extra']).code, 2);
    });
  });
});
