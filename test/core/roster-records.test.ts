// Signed roster records (docs/ROSTER.md §3–§5): every vector under test/vectors/roster/ with its
// expected outcome, the signed message checked by openssl (an implementation independent of ours),
// and the inputs createRecord refuses.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePrivateKey } from '../../src/core/keys';
import { createRecord, parseRecord, rootIdOf, verifyRoster, type RecordFile } from '../../src/core/roster-records';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';

const DIR = join(__dirname, '..', 'vectors', 'roster');
const backend = createNodeCryptoBackend();

interface Vector {
  description: string;
  entries: { name: string; key: string }[];
  root: RecordFile | null;
  records: RecordFile[];
  expect: { signed: boolean; entries: Record<string, { status: string; by?: string | null; deploy?: true }>; problems: number };
}

describe('core/roster-records', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    const v = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Vector;
    it(`vector ${file}: ${v.description}`, async () => {
      const result = await verifyRoster(v.entries.map((e) => ({ name: e.name, fingerprint: e.key })), v.root ?? undefined, v.records, backend);
      assert.equal(result.signed, v.expect.signed);
      assert.equal(result.problems.length, v.expect.problems, result.problems.join('\n'));
      for (const [name, want] of Object.entries(v.expect.entries)) {
        const got = result.entries.get(name);
        assert.equal(got?.status, want.status, `${name}: ${JSON.stringify(got)}`);
        if (want.status === 'verified') {
          assert.equal(got?.status === 'verified' ? (got.by ?? null) : 'x', want.by ?? null, name);
          assert.equal(got?.status === 'verified' && got.deploy === true, want.deploy === true, `${name}: deploy key`);
        }
      }
    });
  }

  it('the signed message is what docs/ROSTER.md §4 says: openssl verifies a record from its text alone, and the root id it names', () => {
    const v = JSON.parse(readFileSync(join(DIR, 'chain.json'), 'utf8')) as Vector;
    const rec = JSON.parse(v.records[1].text) as { op: string; root: string; name: string; key: string; time: string; signerKey: string; signature: string };
    const tmp = mkdtempSync(join(tmpdir(), 'roster-oracle-'));
    try {
      const pub = join(tmp, 'signer.pem');
      writeFileSync(pub, `-----BEGIN PUBLIC KEY-----\n${rec.signerKey.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`);
      // The signer's fingerprint, as ssh-keygen computes it (not through our code).
      const sshPub = execFileSync('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', pub], { encoding: 'utf8' });
      writeFileSync(join(tmp, 'signer.pub'), sshPub);
      const signerFp = execFileSync('ssh-keygen', ['-lf', join(tmp, 'signer.pub')], { encoding: 'utf8' }).split(' ')[1];
      const message = ['custodian-roster/v1', `op: ${rec.op}`, `root: ${rec.root}`, `name: ${rec.name}`, `key: ${rec.key}`, `time: ${rec.time}`, `signer: ${signerFp}`].join('\n') + '\n';
      writeFileSync(join(tmp, 'msg'), message);
      writeFileSync(join(tmp, 'sig'), Buffer.from(rec.signature, 'base64'));
      const out = execFileSync('openssl', ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sigopt', 'rsa_mgf1_md:sha256', '-verify', pub, '-signature', join(tmp, 'sig'), join(tmp, 'msg')], { encoding: 'utf8' });
      assert.match(out, /Verified OK/);
      // The root id, by §4's recipe with openssl: SHA-256 over the tag line, the root's message and its signature.
      const root = JSON.parse(v.root!.text) as { members: { name: string; key: string }[]; time: string; signerKey: string; signature: string };
      const rootPub = join(tmp, 'root.pem');
      writeFileSync(rootPub, `-----BEGIN PUBLIC KEY-----\n${root.signerKey.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`);
      writeFileSync(join(tmp, 'root.pub'), execFileSync('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', rootPub], { encoding: 'utf8' }));
      const rootSigner = execFileSync('ssh-keygen', ['-lf', join(tmp, 'root.pub')], { encoding: 'utf8' }).split(' ')[1];
      const members = [...root.members].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => `member: ${m.name} ${m.key}`);
      const rootMessage = ['custodian-roster/v1', 'op: root', ...members, `time: ${root.time}`, `signer: ${rootSigner}`].join('\n') + '\n';
      writeFileSync(join(tmp, 'root-id-input'), Buffer.concat([Buffer.from('custodian-roster/v1 root\n'), Buffer.from(rootMessage), Buffer.from(root.signature, 'base64')]));
      const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary', join(tmp, 'root-id-input')]);
      assert.equal(rec.root, `SHA256:${digest.toString('base64').replace(/=+$/, '')}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a removal signed by someone not verified counts for nothing, and the missing member says who signed it (the fix is theirs to get signed)', async () => {
    const key = (name: string) => parsePrivateKey(readFileSync(join(__dirname, '..', 'vectors', 'envelope', `${name}.pem`), 'utf8'));
    const [alice, bob, carol] = await Promise.all([key('alice'), key('bob'), key('carol')]);
    const t = (day: number) => new Date(Date.UTC(2026, 0, day));
    const members = [alice, bob].map((k, i) => ({ name: ['alice', 'bob'][i], fingerprint: k.publicKey.fingerprint }));
    const root = { file: 'records/root.json', text: await createRecord({ op: 'root', members }, alice, t(1), backend) };
    const rootId = await rootIdOf(root, backend);
    // carol's entry is on disk but nobody signed it in; she deletes bob.pub and signs his removal.
    const removal = { file: 'records/remove-bob.json', text: await createRecord({ op: 'remove', name: 'bob', fingerprint: bob.publicKey.fingerprint }, carol, t(2), backend, rootId) };
    const entries = [members[0], { name: 'carol', fingerprint: carol.publicKey.fingerprint }];
    const result = await verifyRoster(entries, root, [removal], backend);
    assert.deepEqual(result.missing, [{ name: 'bob', fingerprint: bob.publicKey.fingerprint, unverifiedRemovalBy: 'carol' }]);
    assert.match(result.problems.join('\n'), /bob\.pub is missing: carol signed the removal but is not a verified member, so it counts for nothing/);
    // Signed by alice, a verified member: bob is removed.
    const signed = { file: 'records/remove-bob-2.json', text: await createRecord({ op: 'remove', name: 'bob', fingerprint: bob.publicKey.fingerprint }, alice, t(3), backend, rootId) };
    assert.deepEqual((await verifyRoster(entries, root, [removal, signed], backend)).missing, []);
    // No removal at all: missing, with no one named.
    assert.deepEqual((await verifyRoster(entries, root, [], backend)).missing, [{ name: 'bob', fingerprint: bob.publicKey.fingerprint }]);
  });

  it('createRecord refuses names that could lie and bad fingerprints; parseRecord names the file', async () => {
    const alice = await parsePrivateKey(readFileSync(join(__dirname, '..', 'vectors', 'envelope', 'alice.pem'), 'utf8'));
    const t = new Date(Date.UTC(2026, 0, 1));
    await assert.rejects(createRecord({ op: 'add', name: 'Alice (you)', fingerprint: alice.publicKey.fingerprint }, alice, t, backend), /not a valid roster name/);
    await assert.rejects(createRecord({ op: 'add', name: 'bob', fingerprint: 'MD5:xx' }, alice, t, backend), /SHA256/);
    await assert.rejects(createRecord({ op: 'root', members: [] }, alice, t, backend), RangeError);
    // Every record but the root names its roster's root.
    await assert.rejects(createRecord({ op: 'add', name: 'bob', fingerprint: alice.publicKey.fingerprint }, alice, t, backend), /"root" expected/);
    const text = await createRecord({ op: 'add', name: 'bob', fingerprint: alice.publicKey.fingerprint }, alice, t, backend, alice.publicKey.fingerprint);
    assert.equal(parseRecord({ file: 'r.json', text }).time, '2026-01-01T00:00:00.000Z');
    assert.throws(() => parseRecord({ file: 'records/z.json', text: text.replace(/"root": "[^"]*",\n\s*/, '') }), /records\/z\.json: "root" must be a string/);
    assert.throws(() => parseRecord({ file: 'records/x.json', text: text.replace('"add"', '"promote"') }), /records\/x\.json: "op" must be/);
    assert.throws(() => parseRecord({ file: 'records/y.json', text: 'x'.repeat(70_000) }), /records\/y\.json: larger than/);
  });
});
