// Shamir with a custodian on the command line (docs/SHAMIR.md §9, docs/CLI.md release/combine):
// `custodian release` writes the release file VS Code's Recover Secret… reads, checked by the same core
// functions the extension calls, and `custodian combine` opens sealed share files with the same checks,
// refusing what Recover refuses. Shares and the secret never reach the disk in the clear.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { utf8Decode } from '../../src/core/bytes';
import { decryptBytes, inspectEnvelope, verifyEnvelopeSignature } from '../../src/core/envelope';
import { parsePrivateKey, parsePublicKey, type RsaPrivateKey, type RsaPublicKey } from '../../src/core/keys';
import { splitSecret, type Share } from '../../src/core/shamir';
import { checkOpenedShare, sealShare, shareFileHeaderProblem } from '../../src/core/share-file';
import { MANIFEST_FILE, parseManifest, parseShareFileName, releaseFileName, shareFileName, type ShareSetManifest } from '../../src/core/share-set';
import { bytesToStream } from '../../src/core/stream';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { makeOpensslKey, run, tempDir, type RunResult, type TestKey } from './helpers';

const SECRET = 'db-root-password: hunter2-but-longer\n';
const PEOPLE = ['alice', 'bob', 'carol', 'dana', 'mallory'] as const;
type Who = (typeof PEOPLE)[number];

interface Person {
  file: TestKey;
  key: RsaPrivateKey;
  pub: RsaPublicKey;
}

describe('cli: release and combine with sealed share files (a custodian on the command line)', function () {
  this.timeout(120_000);
  const backend = createNodeCryptoBackend();
  let root: string;
  let tmp: string;
  let setDir: string;
  let manifest: ShareSetManifest;
  let shares: Share[];
  const people = {} as Record<Who, Person>;
  const argvs: string[][] = [];

  /** `custodian ARGS` as WHO (their key file in CUSTODIAN_IDENTITY), from the repository's root, temp files in `tmp`. */
  function as(who: Who, args: string[]): RunResult {
    argvs.push(args);
    return run(args, { cwd: root, env: { CUSTODIAN_IDENTITY: people[who].file.privatePath, TMPDIR: tmp } });
  }
  const inSet = (file: string): string => path.join('.custodian', 'shares', 'db-root', file);

  before(async () => {
    const keys = tempDir('custodian-shamir-keys-');
    root = tempDir('custodian-shamir-repo-');
    tmp = tempDir('custodian-shamir-tmp-');
    for (const who of PEOPLE) {
      const file = makeOpensslKey(keys, who);
      const pub = parsePublicKey(fs.readFileSync(file.sshPubPath, 'utf8'));
      people[who] = { file, key: await parsePrivateKey(fs.readFileSync(file.privatePath, 'utf8')), pub };
    }
    const team = path.join(root, '.custodian', 'team');
    fs.mkdirSync(team, { recursive: true });
    // mallory is not on the team; dana deals, alice, bob and carol hold shares (2 of 3).
    for (const who of ['alice', 'bob', 'carol', 'dana'] as const) fs.copyFileSync(people[who].file.sshPubPath, path.join(team, `${who}.pub`));
    setDir = path.join(root, '.custodian', 'shares', 'db-root');
    fs.mkdirSync(setDir, { recursive: true });
    shares = splitSecret(new TextEncoder().encode(SECRET), { threshold: 2, shares: 3 });
    const custodians = (['alice', 'bob', 'carol'] as const).map((name, i) => ({ name, fingerprint: people[name].pub.fingerprint, index: i + 1 }));
    manifest = parseManifest(
      JSON.stringify({
        type: 'custodian-shamir-set',
        version: 1,
        name: 'db-root',
        setId: Buffer.from(shares[0].setId).toString('hex'),
        threshold: 2,
        total: 3,
        created: new Date().toISOString(),
        dealer: { name: 'dana', fingerprint: people.dana.pub.fingerprint },
        custodians,
      }),
      'db-root',
    );
    fs.writeFileSync(path.join(setDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    // As VS Code's Split Secret… deals them (split-secret.ts: sealShare to each custodian, signed by the dealer).
    for (const c of custodians) fs.writeFileSync(path.join(setDir, shareFileName(c.name)), await sealShare(shares[c.index - 1], people[c.name].pub, people.dana.key, backend));
  });

  afterEach(() => {
    for (const f of fs.readdirSync(setDir)) if (f.includes('.release-to-')) fs.rmSync(path.join(setDir, f));
  });

  /** Every file under the repository and the commands' temp directory: no share text, no secret. */
  function assertNothingInTheClear(): void {
    const shareTexts = shares.map((s) => Buffer.from(s.value).toString('base64url').slice(0, 24));
    for (const dir of [root, tmp]) {
      for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (!e.isFile()) continue;
        const bytes = fs.readFileSync(path.join(e.parentPath, e.name));
        const text = bytes.toString('latin1');
        assert.ok(!text.includes('custodian-share1:'), `${e.name} holds a share in the clear`);
        assert.ok(!text.includes('hunter2'), `${e.name} holds the secret`);
        for (const t of shareTexts) assert.ok(!text.includes(t));
      }
    }
    for (const argv of argvs) for (const a of argv) assert.ok(!a.includes('hunter2') && !a.includes('custodian-share1:'), `argv holds a secret: ${a}`);
  }

  it('release -r alice writes bob.release-to-alice.share.enc, which the checks VS Code\'s Recover Secret… runs accept, and combine recovers the secret from it', async () => {
    const r = as('bob', ['release', '-r', 'alice', inSet('bob.share.enc')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out, '');
    assert.match(r.stderr, /released bob's share of "db-root" to alice/);
    assert.match(r.stderr, /alice holds 2 of the 2 shares needed and can recover the secret alone/);
    // As encrypt -R says it; "(first use of …)" was said of a newcomer to a roster used before too.
    assert.match(r.stderr, /^custodian: pinned alice, bob, carol, dana for \S+team \(\S+\)$/m);
    const file = releaseFileName('bob', 'alice');
    assert.deepEqual(parseShareFileName(file), { custodian: 'bob', releasedTo: 'alice' });
    const bytes = fs.readFileSync(path.join(setDir, file));

    // What the extension does with it (share-store.ts status, share-crypto.ts openShareFile): the same core calls.
    const bob = manifest.custodians.find((c) => c.name === 'bob')!;
    const ref = { custodian: bob, releasedTo: 'alice' };
    const header = await inspectEnvelope(bytes);
    assert.deepEqual(header.recipients, [people.alice.pub.fingerprint], 'sealed to alice alone');
    assert.equal(header.signer?.fingerprint, people.bob.pub.fingerprint, 'signed by bob');
    assert.equal(header.recipientPolicy, 'chosen');
    assert.equal(shareFileHeaderProblem(manifest, ref, header), undefined);
    await verifyEnvelopeSignature(bytesToStream(bytes), { backend });
    const opened = await decryptBytes(bytes, { identities: [people.alice.key], backend });
    const checked = checkOpenedShare(manifest, ref, opened);
    assert.equal(checked.problem, undefined);
    assert.deepEqual(checked.share!.value, shares[1].value);
    assert.ok(utf8Decode(opened.plaintext).endsWith('\n'));
    await assert.rejects(decryptBytes(bytes, { identities: [people.bob.key, people.carol.key], backend }), 'nobody but alice opens it');

    const c = as('alice', ['combine', inSet('alice.share.enc'), inSet(file)]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.out, SECRET);
    assert.match(c.stderr, /recovered the secret of "db-root" from the shares of alice, bob; dealt by .*dana/);
    const out = path.join(root, 'recovered.txt');
    const o = as('alice', ['combine', '-o', out, inSet(file), inSet('alice.share.enc')]);
    assert.equal(o.code, 0, o.stderr);
    assert.equal(fs.readFileSync(out, 'utf8'), SECRET);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    fs.rmSync(out);
    assertNothingInTheClear();
  });

  it('combine refuses a released share sealed to someone else, even renamed to look like a release to me', () => {
    assert.equal(as('bob', ['release', '-r', 'carol', inSet('bob.share.enc')]).code, 0);
    const c = as('alice', ['combine', inSet('alice.share.enc'), inSet('bob.release-to-carol.share.enc')]);
    assert.equal(c.code, 1);
    assert.equal(c.out, '');
    assert.match(c.stderr, /custodian: error: .*bob\.release-to-carol\.share\.enc is sealed to SHA256:\S+, not to any of your keys/);
    assert.match(c.stderr, /custodian: hint: a released share opens only for the person it was released to/);
    fs.renameSync(path.join(setDir, 'bob.release-to-carol.share.enc'), path.join(setDir, 'bob.release-to-alice.share.enc'));
    const renamed = as('alice', ['combine', inSet('alice.share.enc'), inSet('bob.release-to-alice.share.enc')]);
    assert.equal(renamed.code, 1);
    assert.equal(renamed.out, '');
    assertNothingInTheClear();
  });

  it('combine refuses a release signed by a non-custodian, though it holds bob\'s genuine share, sealed to me', async () => {
    // mallory got hold of bob's share and seals it to alice herself: the share would combine, the signer is wrong.
    fs.writeFileSync(path.join(setDir, releaseFileName('bob', 'alice')), await sealShare(shares[1], people.alice.pub, people.mallory.key, backend));
    const c = as('alice', ['combine', inSet('alice.share.enc'), inSet(releaseFileName('bob', 'alice'))]);
    assert.equal(c.code, 1);
    assert.equal(c.out, '');
    assert.match(c.stderr, /custodian: error: share file .*bob\.release-to-alice\.share\.enc of set "db-root" failed verification: it is not signed by the custodian bob/);
    assert.match(c.stderr, /custodian: hint: .*Do not use it: ask bob to issue it again/);
    // Signed by the dealer instead of the custodian: a release must be signed by its custodian.
    fs.writeFileSync(path.join(setDir, releaseFileName('bob', 'alice')), await sealShare(shares[1], people.alice.pub, people.dana.key, backend));
    assert.equal(as('alice', ['combine', inSet('alice.share.enc'), inSet(releaseFileName('bob', 'alice'))]).code, 1);
    assertNothingInTheClear();
  });

  it('combine refuses a share from another set, released to me and signed by its custodian', async () => {
    const other = splitSecret(new TextEncoder().encode('another secret\n'), { threshold: 2, shares: 3 });
    fs.writeFileSync(path.join(setDir, releaseFileName('bob', 'alice')), await sealShare(other[1], people.alice.pub, people.bob.key, backend));
    const c = as('alice', ['combine', inSet('alice.share.enc'), inSet(releaseFileName('bob', 'alice'))]);
    assert.equal(c.code, 1);
    assert.equal(c.out, '');
    assert.match(c.stderr, /failed verification: its share belongs to a different share set/);
    // bob's index in another share of this set: the index must be the custodian's.
    fs.writeFileSync(path.join(setDir, releaseFileName('bob', 'alice')), await sealShare(shares[2], people.alice.pub, people.bob.key, backend));
    const wrongIndex = as('alice', ['combine', inSet('alice.share.enc'), inSet(releaseFileName('bob', 'alice'))]);
    assert.equal(wrongIndex.code, 1);
    assert.match(wrongIndex.stderr, /its share has index 3, but bob holds index 2/);
    assertNothingInTheClear();
  });

  it('fewer than T shares recover nothing and say how many more are needed, and how a CLI custodian releases theirs', () => {
    const c = as('alice', ['combine', inSet('alice.share.enc')]);
    assert.equal(c.code, 1);
    assert.equal(c.out, '');
    assert.match(c.stderr, /custodian: error: "db-root": 1 of 2 needed shares are available to you \(alice\); 1 more needed/);
    assert.match(c.stderr, /custodian: hint: ask one more custodian \(bob, carol\) to release their share to you: custodian release -r YOU \S+NAME\.share\.enc/);
    const out = path.join(root, 'nothing.txt');
    assert.equal(as('alice', ['combine', '-o', out, inSet('alice.share.enc')]).code, 1);
    assert.ok(!fs.existsSync(out));
    assertNothingInTheClear();
  });

  it('release refuses a key that is not the custodian\'s, a release file, and the custodian\'s own key as recipient', () => {
    const notMine = as('carol', ['release', '-r', 'alice', inSet('bob.share.enc')]);
    assert.equal(notMine.code, 1);
    assert.match(notMine.stderr, /none of your keys \(CUSTODIAN_IDENTITY\) is bob's key/);
    assert.equal(as('bob', ['release', '-r', 'alice', inSet('bob.share.enc')]).code, 0);
    const again = as('alice', ['release', '-r', 'carol', inSet(releaseFileName('bob', 'alice'))]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is a released share, not a custodian's own share file/);
    const self = as('bob', ['release', '-r', 'bob', inSet('bob.share.enc')]);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /that is bob's own key/);
    assert.deepEqual(fs.readdirSync(setDir).filter((f) => f.startsWith('.')), [], 'no temporary file left');
  });

  it('combine says what to do with an encrypted file that is not a share file of a set, and with binary input', () => {
    const enc = path.join(root, 'notes.enc');
    fs.copyFileSync(path.join(setDir, 'alice.share.enc'), enc);
    const c = as('alice', ['combine', 'notes.enc']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /custodian: error: notes\.enc is an encrypted file, not a share file of a set/);
    assert.match(c.stderr, /custodian: hint: .*custodian decrypt notes\.enc/);
    fs.writeFileSync(path.join(root, 'junk.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    const b = as('alice', ['combine', 'junk.bin']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /custodian: error: junk\.bin is not UTF-8 text\ncustodian: hint: combine reads shares as text .* and sealed share files of a set/);
  });
});
