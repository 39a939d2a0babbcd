// Re-encrypt for Team and the drift report: files whose recipients differ from the roster are listed
// in the "Encrypted Files" section and fixed in one action; files I cannot decrypt are listed (and
// left unchanged), never skipped silently; Remove Teammate re-encrypts through the same command.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ReencryptResult } from '../../src/extension/commands/rekey/reencrypt';
import { run, section, teamDir } from './support/custodian';
import { addToRoster, decryptAs, encryptFor, recipientsOf, setupTeam, waitForRoster, wsPath, wsUri, type Team } from './support/enc';

describe('rekey', function () {
  this.timeout(120_000);
  let team: Team;

  before(async () => {
    team = await setupTeam();
  });

  async function me() {
    return team.services.keyStore.getPublicKey(team.me.id);
  }

  it('Re-encrypt for Team (one file) re-keys it to the current roster, signed by me', async () => {
    fs.writeFileSync(wsPath('one.env.enc'), await encryptFor([await me()], 'ONE=1\n', team.alice.key));
    const res = await run<ReencryptResult>('custodian.reencryptFile', { uri: wsUri('one.env.enc'), quiet: true });
    assert.strictEqual(res?.reencrypted.length, 1);
    const bytes = new Uint8Array(fs.readFileSync(wsPath('one.env.enc')));
    assert.deepStrictEqual(await recipientsOf(bytes), [team.me.fingerprint, team.alice.fingerprint, team.bob.fingerprint].sort());
    const out = await decryptAs(team.bob, bytes);
    assert.strictEqual(new TextDecoder().decode(out.plaintext), 'ONE=1\n');
    assert.strictEqual(out.signature.kind === 'signed' && out.signature.signer.fingerprint, team.me.fingerprint);
  });

  it('lists drift in the tree (missing, removed, cannot decrypt) and fixes it in one action', async () => {
    const all = [await me(), team.alice.publicKey, team.bob.publicKey];
    fs.mkdirSync(wsPath('secrets'), { recursive: true });
    fs.writeFileSync(wsPath('secrets', 'ok.env.enc'), await encryptFor(all, 'OK=1\n', team.alice.key));
    fs.writeFileSync(wsPath('secrets', 'missing-bob.env.enc'), await encryptFor([await me(), team.alice.publicKey], 'MB=1\n', team.alice.key));
    fs.writeFileSync(wsPath('secrets', 'old-member.env.enc'), await encryptFor([...all, team.mallory.publicKey], 'OM=1\n', team.alice.key));
    fs.writeFileSync(wsPath('secrets', 'locked.env.enc'), await encryptFor([team.alice.publicKey], 'LOCKED=1\n', team.alice.key));
    const lockedBefore = fs.readFileSync(wsPath('secrets', 'locked.env.enc'));

    const enc = await waitForSection(3);
    const byName = new Map(enc.children.map((c) => [c.label, c]));
    assert.match(byName.get(path.join('secrets', 'missing-bob.env.enc'))?.description ?? '', /missing bob/);
    assert.match(byName.get(path.join('secrets', 'old-member.env.enc'))?.description ?? '', /not in team: .*unknown key/);
    assert.match(byName.get(path.join('secrets', 'locked.env.enc'))?.description ?? '', /you cannot decrypt it/);
    assert.strictEqual(byName.get(path.join('secrets', 'locked.env.enc'))?.contextValue, 'custodian.encFile.locked');
    assert.ok(!byName.has(path.join('secrets', 'ok.env.enc')), 'files that match are not listed');

    const res = await run<ReencryptResult>('custodian.reencryptWorkspace', { quiet: true });
    assert.ok(res);
    const rel = (u: vscode.Uri) => path.relative(wsPath(), u.fsPath);
    assert.deepStrictEqual(res.reencrypted.map(rel).sort(), [path.join('secrets', 'missing-bob.env.enc'), path.join('secrets', 'old-member.env.enc')]);
    assert.deepStrictEqual(res.failed.map((f) => rel(f.uri)), [path.join('secrets', 'locked.env.enc')], 'the file I cannot decrypt is reported');
    assert.strictEqual(res.failed[0].errorName, 'NotARecipientError');
    assert.ok(fs.readFileSync(wsPath('secrets', 'locked.env.enc')).equals(lockedBefore), 'locked file unchanged');
    const team3 = [team.me.fingerprint, team.alice.fingerprint, team.bob.fingerprint].sort();
    for (const name of ['missing-bob.env.enc', 'old-member.env.enc']) {
      assert.deepStrictEqual(await recipientsOf(new Uint8Array(fs.readFileSync(wsPath('secrets', name)))), team3, name);
    }
    const after = await waitForSection(1);
    assert.deepStrictEqual(after.children.filter((c) => c.contextValue?.startsWith('custodian.encFile')).map((c) => c.label), [path.join('secrets', 'locked.env.enc')]);
    fs.rmSync(wsPath('secrets', 'locked.env.enc'));
  });

  it('Remove Teammate re-encrypts the workspace without them', async () => {
    const res = await run<{ reencrypt: string }>('custodian.removeTeammate', { name: 'bob', confirm: true, reencrypt: true });
    assert.strictEqual(res?.reencrypt, 'done');
    await waitForRoster(team.services, 2);
    for (const name of ['ok.env.enc', 'missing-bob.env.enc']) {
      const bytes = new Uint8Array(fs.readFileSync(wsPath('secrets', name)));
      assert.deepStrictEqual(await recipientsOf(bytes), [team.me.fingerprint, team.alice.fingerprint].sort(), name);
      await assert.rejects(decryptAs(team.bob, bytes), /NoIdentityMatched|not a recipient|no identity/i);
    }
    addToRoster(team.bob);
    await waitForRoster(team.services, 3);
    assert.ok(fs.existsSync(path.join(teamDir(), 'bob.pub')));
  });

  async function waitForSection(expected: number) {
    for (let i = 0; i < 50; i++) {
      const s = await section(team.services, 'encrypted');
      const files = s?.children.filter((c) => c.contextValue?.startsWith('custodian.encFile')) ?? [];
      if (s && files.length === expected) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    const s = await section(team.services, 'encrypted');
    assert.fail(`Encrypted Files never listed ${expected} files: ${JSON.stringify(s?.children.map((c) => [c.label, c.description]))}`);
  }
});
