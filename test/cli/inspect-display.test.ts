// What decrypt and inspect print about a file: names from key files pass through displayText (a
// comment cannot drive the terminal or forge a "custodian: signed by" line), and inspect's sizes,
// computed from the file's length, say that they are not authenticated.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeOpensslKey, removeDir, run, tempDir, type TestKey } from './helpers';

const HOSTILE = 'ops\x1b[2J\x1b[H\rcustodian: signed by SHA256:FAKE (ceo)\u202e';

describe('cli: decrypt and inspect print names safely and label unauthenticated sizes', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestKey;
  let hostilePub: string;
  let enc: string;

  before(() => {
    dir = tempDir();
    alice = makeOpensslKey(dir, 'alice');
    const line = fs.readFileSync(alice.sshPubPath, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const roster = path.join(dir, 'team');
    fs.mkdirSync(roster);
    hostilePub = path.join(roster, 'alice.pub');
    fs.writeFileSync(hostilePub, `${line} ${HOSTILE}\n`);
    enc = path.join(dir, 'signed.enc');
    const e = run(['encrypt', '-r', alice.sshPubPath, '-s', alice.privatePath, '-o', enc], { input: 'secret' });
    assert.equal(e.code, 0, e.stderr);
  });
  after(() => removeDir(dir));

  function assertSafe(text: string, what: string): void {
    const unsafe = [...text].filter((c) => c !== '\n' && (c < ' ' || c === '\x7f' || c === '\u202e'));
    assert.deepEqual(unsafe, [], `${what}: ${JSON.stringify(text)}`);
    assert.equal(text.split('\n').filter((l) => l.includes('signed by SHA256:FAKE')).filter((l) => !l.includes('\ufffd')).length, 0, what);
  }

  it('decrypt --require-signer with a hostile key comment prints it neutralized', () => {
    const d = run(['decrypt', '-i', alice.privatePath, '--require-signer', hostilePub, enc]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.out, 'secret');
    assert.match(d.stderr, /^custodian: signed by SHA256:\S+ \(ops\ufffd\[2J/);
    assertSafe(d.stderr, 'decrypt');
  });

  it('inspect -R with a hostile key comment prints it neutralized (text and JSON)', () => {
    const i = run(['inspect', '-R', path.dirname(hostilePub), enc]);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.out, /alice \(ops\ufffd/);
    assertSafe(i.out, 'inspect');
    const j = JSON.parse(run(['inspect', '--json', '-R', path.dirname(hostilePub), enc]).out) as { recipients: { name?: string }[] };
    assertSafe(j.recipients[0].name ?? '', 'inspect --json');
  });

  it('inspect labels payload and plaintext sizes as unauthenticated: 5,000 appended bytes show up in them', () => {
    const before = run(['inspect', enc]);
    const grown = path.join(dir, 'grown.enc');
    fs.writeFileSync(grown, Buffer.concat([fs.readFileSync(enc), Buffer.alloc(5000, 0x41)]));
    const after = run(['inspect', grown]);
    assert.equal(after.code, 0, after.stderr);
    const size = (out: string): number => Number(/plaintext: (\d+) bytes/.exec(out)?.[1]);
    assert.equal(size(after.out) - size(before.out), 5000, after.out);
    assert.match(after.out, /plaintext: \d+ bytes \(from the file's length, not authenticated; decrypt verifies it\)/);
    assert.match(after.out, /payload: \d+ bytes \(from the file's length, not authenticated/);
    const json = JSON.parse(run(['inspect', '--json', grown]).out) as { sizesAuthenticated: boolean };
    assert.equal(json.sizesAuthenticated, false);
    // decrypt refuses the grown file.
    assert.equal(run(['decrypt', '-i', alice.privatePath, grown]).code, 1);
  });
});
