// Re-keying never widens a file whose recipients were chosen on purpose, and never turns content I did
// not verify into content signed by me. Attacker / careless-user tests, in the real VS Code:
// - a Shamir set 2 of 3 (me, alice, bob), an MFA seed for a subset (written before the recipient-policy
//   field existed) and a file marked "chosen" keep their recipients through every flow that re-encrypts:
//   the drift view, Re-encrypt All (which asks first, listing files and recipients), Re-encrypt File,
//   Remove Teammate and saving in the .enc editor; no single custodian can combine the set afterwards;
// - unsigned or unknown-signed files are skipped by bulk re-encryption (and it says so), need a
//   confirmation showing their status when re-encrypted one by one or saved, and declining writes nothing;
// - a removed teammate is still named in the drift view, but a name or a file's text from the repository
//   never becomes Markdown (an image fetched, a link) in its tooltips.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { decryptBytes, encryptBytes, inspectEnvelope } from '../../src/core/envelope';
import { privateKeyFromPkcs8Der, type RsaPrivateKey } from '../../src/core/keys';
import { combineShares } from '../../src/core/shamir';
import { parseShare } from '../../src/core/share-encoding';
import { sealValues } from '../../src/core/values';
import type { ReencryptResult } from '../../src/extension/commands/rekey/reencrypt';
import type { SplitSecretResult } from '../../src/extension/commands/shamir/split-secret';
import { toDecryptedUri } from '../../src/extension/fs/enc-uri';
import { opensslPublicPem, run, section, sh, waitFor } from './support/custodian';
import { addToRoster, backend, readdToRoster, encryptFor, person, useTeam, waitForRoster, wsPath, wsUri } from './support/enc';
import { answerModals } from './support/modals';

const SECRET = 'root-password-7c1f0e55-do-not-leak';

describe('rekey policy', function () {
  this.timeout(180_000);
  const team = useTeam();
  let shareFiles: string[] = [];
  /** Every protected file and its recipients when the suite started. */
  const protectedFiles = new Map<string, string[]>();
  const mfaSeed = () => wsPath('.custodian', 'mfa', 'bank.otpauth.enc');
  const chosen = () => wsPath('chosen.env.enc');

  async function recipients(file: string): Promise<string[]> {
    return [...(await inspectEnvelope(new Uint8Array(fs.readFileSync(file)))).recipients].sort();
  }

  async function assertProtectedUnchanged(when: string): Promise<void> {
    for (const [file, before] of protectedFiles) {
      assert.ok(fs.existsSync(file), `${when}: ${path.relative(wsPath(), file)} still exists`);
      assert.deepStrictEqual(await recipients(file), before, `${when}: recipients of ${path.relative(wsPath(), file)} changed`);
    }
  }

  async function myKey(): Promise<RsaPrivateKey> {
    return privateKeyFromPkcs8Der(await team.services.keyStore.getPrivateKeyDer(team.me.id));
  }

  /** The shares `who` alone can open from the set. */
  async function sharesOpenableBy(who: RsaPrivateKey): Promise<string[]> {
    const out: string[] = [];
    for (const file of shareFiles) {
      try {
        out.push(new TextDecoder().decode((await decryptBytes(new Uint8Array(fs.readFileSync(file)), { identities: [who], backend })).plaintext));
      } catch {
        // not sealed to them
      }
    }
    return out;
  }

  before(async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const split = await run<SplitSecretResult>('custodian.splitSecret', {
      secret: SECRET,
      setName: 'db-root',
      custodians: [team.me.fingerprint, team.alice.fingerprint, team.bob.fingerprint],
      threshold: 2,
    });
    assert.ok(split, 'split the secret');
    shareFiles = split.shareFiles.map((u) => u.fsPath).sort();
    assert.strictEqual(shareFiles.length, 3);
    // An MFA seed for me and alice, as written before the recipient-policy field existed.
    fs.mkdirSync(path.dirname(mfaSeed()), { recursive: true });
    fs.writeFileSync(mfaSeed(), await encryptFor([me, team.alice.publicKey], 'otpauth://totp/bank?secret=JBSWY3DPEHPK3PXP', team.alice.key));
    // A file deliberately for me and alice only, marked as chosen (§3.4), signed by alice.
    fs.writeFileSync(
      chosen(),
      await encryptBytes(new TextEncoder().encode('CHOSEN=1\n'), { recipients: [me, team.alice.publicKey], signer: team.alice.key, backend, recipientPolicy: 'chosen' }),
    );
    for (const f of [...shareFiles, mfaSeed(), chosen()]) protectedFiles.set(f, await recipients(f));
    // A file that did drift (bob is missing), signed by alice: this one is for the team.
    fs.writeFileSync(wsPath('stale.env.enc'), await encryptFor([me, team.alice.publicKey], 'STALE=1\n', team.alice.key));
  });

  after(() => {
    for (const f of ['stale.env.enc', 'chosen.env.enc', 'unsigned.env.enc', 'foreign.env.enc', 'foreign-save.env.enc', 'removed.env.enc']) fs.rmSync(wsPath(f), { force: true });
  });

  it('the drift view lists neither the shares, the MFA seed nor the chosen file as needing attention', async () => {
    const enc = await waitFor('the drift view to list stale.env.enc', async () => {
      const s = await section(team.services, 'encrypted');
      return s?.children.some((c) => c.label === 'stale.env.enc') && s;
    });
    const listed = enc.children.filter((c) => c.contextValue?.startsWith('custodian.encFile')).map((c) => c.label);
    assert.deepStrictEqual(listed, ['stale.env.enc'], `listed: ${listed.join(', ')}`);
    const fix = enc.children.find((c) => c.contextValue === 'custodian.encFixAll');
    assert.ok(fix, 'the section offers Re-encrypt All');
    const item = await team.services.views.get('encrypted')!.getTreeItem(fix.node);
    assert.strictEqual(item.command?.arguments, undefined, 'the click passes nothing that would skip the confirmation');
  });

  it('Re-encrypt All asks first, listing each file and who will be able to read it; Cancel writes nothing', async () => {
    const staleBefore = fs.readFileSync(wsPath('stale.env.enc'));
    const modals = answerModals(() => undefined);
    try {
      await run<ReencryptResult>('custodian.reencryptWorkspace');
    } finally {
      modals.dispose();
    }
    assert.strictEqual(modals.prompts.length, 1, 'one modal confirmation');
    const text = `${modals.prompts[0].message}\n${modals.prompts[0].detail}`;
    assert.match(text, /stale\.env\.enc/);
    assert.match(text, /alice/);
    assert.match(text, /bob/);
    assert.doesNotMatch(text, /share\.enc|otpauth|chosen\.env/, 'protected files are not in the plan');
    assert.ok(fs.readFileSync(wsPath('stale.env.enc')).equals(staleBefore), 'cancelled: nothing re-encrypted');
    await assertProtectedUnchanged('after a cancelled Re-encrypt All');
  });

  it('Re-encrypt All (confirmed) re-keys the drifted team file and leaves every share, the MFA seed and the chosen file alone', async () => {
    const modals = answerModals((p) => p.items[0]);
    let res: ReencryptResult | undefined;
    try {
      res = await run<ReencryptResult>('custodian.reencryptWorkspace', { quiet: true });
    } finally {
      modals.dispose();
    }
    assert.ok(res);
    assert.deepStrictEqual(res.reencrypted.map((u) => path.basename(u.fsPath)), ['stale.env.enc']);
    assert.deepStrictEqual(await recipients(wsPath('stale.env.enc')), [team.me.fingerprint, team.alice.fingerprint, team.bob.fingerprint].sort());
    await assertProtectedUnchanged('after Re-encrypt All');
  });

  it('Re-encrypt File refuses a share, the MFA seed and the chosen file, saying why', async () => {
    const uris = [...protectedFiles.keys()].map((f) => vscode.Uri.file(f));
    const res = await run<ReencryptResult>('custodian.reencryptFile', { uris, quiet: true });
    assert.ok(res);
    assert.deepStrictEqual(res.reencrypted, []);
    assert.strictEqual(res.skipped.length, uris.length);
    for (const s of res.skipped) assert.match(s.reason, /share|chosen|MFA/i, s.reason);
    await assertProtectedUnchanged('after Re-encrypt File');
  });

  it('Remove Teammate with re-encryption leaves the share set alone', async () => {
    const res = await run<{ reencrypt: string }>('custodian.removeTeammate', { name: 'bob', confirm: true, reencrypt: true });
    assert.strictEqual(res?.reencrypt, 'done');
    await waitForRoster(team.services, 2);
    await assertProtectedUnchanged('after Remove Teammate');
    assert.deepStrictEqual(await recipients(wsPath('stale.env.enc')), [team.me.fingerprint, team.alice.fingerprint].sort());
    // Back the way a user adds someone (a signed addition): restoring bob.pub alone would undo a signed removal.
    await readdToRoster(team.bob);
    await waitForRoster(team.services, 3);
  });

  it('saving an opened share or MFA seed in the .enc editor keeps its own recipients and marks it chosen', async () => {
    const myShare = shareFiles.find((f) => path.basename(f).startsWith('me.'));
    assert.ok(myShare, 'my share file');
    for (const file of [myShare, mfaSeed()]) {
      const uri = toDecryptedUri(vscode.Uri.file(file));
      const content = await team.encryption.deps.fs.readFile(uri);
      await team.encryption.deps.fs.writeFile(uri, content, { create: false, overwrite: true });
      const info = await inspectEnvelope(new Uint8Array(fs.readFileSync(file)));
      assert.strictEqual(info.recipientPolicy, 'chosen', `${path.basename(file)} is marked chosen after a save`);
    }
    await assertProtectedUnchanged('after saving in the editor');
  });

  it('no single custodian can combine the set after all that', async () => {
    for (const [name, key] of [['me', await myKey()], ['alice', team.alice.key], ['bob', team.bob.key]] as const) {
      const shares = await sharesOpenableBy(key);
      assert.strictEqual(shares.length, 1, `${name} alone opens exactly one share, got ${shares.length}`);
      assert.throws(() => combineShares(shares.map((s) => parseShare(s))), `${name} alone cannot combine`);
    }
    // Two custodians can (the set still works).
    const two = [...(await sharesOpenableBy(team.alice.key)), ...(await sharesOpenableBy(team.bob.key))];
    assert.strictEqual(new TextDecoder().decode(combineShares(two.map((s) => parseShare(s)))), SECRET);
  });

  describe('signatures', () => {
    const everyone = async () => [await team.services.keyStore.getPublicKey(team.me.id), team.alice.publicKey, team.bob.publicKey, team.mallory.publicKey];

    it('bulk re-encryption skips unsigned and unknown-signed files, says so, and writes nothing to them', async () => {
      fs.writeFileSync(wsPath('unsigned.env.enc'), await encryptFor(await everyone(), 'UNSIGNED=1\n'));
      fs.writeFileSync(wsPath('foreign.env.enc'), await encryptFor(await everyone(), 'FOREIGN=1\n', team.mallory.key));
      // A drifted file signed by alice, so there is something to confirm.
      fs.writeFileSync(wsPath('stale.env.enc'), await encryptFor([await team.services.keyStore.getPublicKey(team.me.id)], 'STALE=2\n', team.alice.key));
      const before = [fs.readFileSync(wsPath('unsigned.env.enc')), fs.readFileSync(wsPath('foreign.env.enc'))];
      const modals = answerModals((p) => p.items[0]);
      let res: ReencryptResult | undefined;
      try {
        res = await run<ReencryptResult>('custodian.reencryptWorkspace', { quiet: true });
      } finally {
        modals.dispose();
      }
      assert.ok(res);
      assert.deepStrictEqual(res.reencrypted.map((u) => path.basename(u.fsPath)), ['stale.env.enc']);
      const skipped = new Map(res.skipped.map((s) => [path.basename(s.uri.fsPath), s.reason]));
      assert.match(skipped.get('unsigned.env.enc') ?? '', /unsigned/);
      assert.match(skipped.get('foreign.env.enc') ?? '', /not know|unknown/);
      assert.match(modals.prompts[0]?.detail ?? '', /unsigned\.env\.enc[^\n]*unsigned/, 'the confirmation says which files are skipped and why');
      assert.ok(fs.readFileSync(wsPath('unsigned.env.enc')).equals(before[0]));
      assert.ok(fs.readFileSync(wsPath('foreign.env.enc')).equals(before[1]));
    });

    it('Re-encrypt File on an unsigned file asks, showing it is unsigned; Cancel writes nothing, confirming signs it as me', async () => {
      const before = fs.readFileSync(wsPath('unsigned.env.enc'));
      const cancel = answerModals(() => undefined);
      try {
        await run<ReencryptResult>('custodian.reencryptFile', { uri: wsUri('unsigned.env.enc'), quiet: true });
      } finally {
        cancel.dispose();
      }
      assert.strictEqual(cancel.prompts.length, 1);
      assert.match(`${cancel.prompts[0].message} ${cancel.prompts[0].detail}`, /unsigned/i);
      assert.ok(fs.readFileSync(wsPath('unsigned.env.enc')).equals(before), 'declined: unchanged');

      // The first button (what Enter gives) shows the changes; signing is the second.
      const accept = answerModals((p) => (assert.deepStrictEqual(p.items, ['Show Changes', 'Re-encrypt and Sign as Me']), p.items[1]));
      try {
        const res = await run<ReencryptResult>('custodian.reencryptFile', { uri: wsUri('unsigned.env.enc'), quiet: true });
        assert.strictEqual(res?.reencrypted.length, 1);
      } finally {
        accept.dispose();
      }
      const out = await decryptBytes(new Uint8Array(fs.readFileSync(wsPath('unsigned.env.enc'))), { identities: [team.alice.key], backend });
      assert.strictEqual(out.signature.kind === 'signed' && out.signature.signer.fingerprint, team.me.fingerprint);
    });

    it('saving an opened file signed by an unknown key asks once that it will be signed by me; declining writes nothing', async () => {
      const file = wsPath('foreign-save.env.enc');
      const team3 = [await team.services.keyStore.getPublicKey(team.me.id), team.alice.publicKey, team.bob.publicKey];
      fs.writeFileSync(file, await encryptFor(team3, 'FOREIGN=1\n', team.mallory.key));
      const before = fs.readFileSync(file);
      const uri = toDecryptedUri(vscode.Uri.file(file));
      const content = await team.encryption.deps.fs.readFile(uri);
      const edited = new TextEncoder().encode(new TextDecoder().decode(content) + 'MORE=1\n');
      const decline = answerModals(() => undefined);
      try {
        await assert.rejects(team.encryption.deps.fs.writeFile(uri, edited, { create: false, overwrite: true }), /Not saved/);
      } finally {
        decline.dispose();
      }
      assert.strictEqual(decline.prompts.length, 1);
      assert.match(`${decline.prompts[0].message} ${decline.prompts[0].detail}`, /does not know|unknown/i);
      assert.ok(fs.readFileSync(file).equals(before), 'declined: unchanged');

      const accept = answerModals((p) => p.items[0]);
      try {
        await team.encryption.deps.fs.writeFile(uri, edited, { create: false, overwrite: true });
        await team.encryption.deps.fs.writeFile(uri, edited, { create: false, overwrite: true });
      } finally {
        accept.dispose();
      }
      assert.strictEqual(accept.prompts.length, 1, 'asked once, not on every save');
      const out = await decryptBytes(new Uint8Array(fs.readFileSync(file)), { identities: [team.alice.key], backend });
      assert.strictEqual(out.signature.kind === 'signed' && out.signature.signer.fingerprint, team.me.fingerprint);
      assert.deepStrictEqual([...out.header.recipients].sort(), team3.map((k) => k.fingerprint).sort(), 'the save kept its recipients');

      // A new version from the same outsider arrives (a pull) and the editor reloads it: agreeing to sign
      // the content before does not cover this one.
      const signedByMe = fs.readFileSync(file);
      fs.writeFileSync(file, await encryptFor(team3, 'FOREIGN=2\n', team.mallory.key));
      const reloaded = await team.encryption.deps.fs.readFile(uri);
      const later = answerModals(() => undefined);
      try {
        await assert.rejects(team.encryption.deps.fs.writeFile(uri, new TextEncoder().encode(new TextDecoder().decode(reloaded) + 'X=1\n'), { create: false, overwrite: true }), /Not saved/);
      } finally {
        later.dispose();
      }
      assert.strictEqual(later.prompts.length, 1, 'asked again for the new content');
      fs.writeFileSync(file, signedByMe);
    });
  });

  it('a removed teammate is still named in the drift view', async () => {
    fs.writeFileSync(wsPath('removed.env.enc'), await encryptFor([await team.services.keyStore.getPublicKey(team.me.id), team.alice.publicKey, team.bob.publicKey], 'R=1\n', team.alice.key));
    // The drift view has seen bob in the roster; then his .pub goes away (as after a git pull).
    await waitFor('removed.env.enc to be up to date', async () => {
      const s = await section(team.services, 'encrypted');
      return s && !s.children.some((c) => c.label === 'removed.env.enc');
    });
    fs.rmSync(path.join(wsPath('.custodian', 'team'), 'bob.pub'));
    await waitForRoster(team.services, 2);
    const node = await waitFor('removed.env.enc to show drift', async () => (await section(team.services, 'encrypted'))?.children.find((c) => c.label === 'removed.env.enc'));
    assert.match(node.description ?? '', /not in team: bob/);
    assert.doesNotMatch(node.description ?? '', /unknown key/);
    addToRoster(team.bob);
    await waitForRoster(team.services, 3);
    // The tests after this one re-key the workspace: none of this one's files is left to change their count.
    fs.rmSync(wsPath('removed.env.enc'));
  });

  it("a 'chosen' statement counts only from a signer I vouch for; a kept file someone outside the team can read is listed, with what to do", async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const { alice, bob, mallory } = team;
    const listed = async (label: string) => (await section(team.services, 'encrypted'))?.children.find((c) => c.label === label);
    assert.ok(await run('custodian.removeTeammate', { name: 'bob', confirm: true, reencrypt: false }));
    const warned: string[] = [];
    const window = vscode.window as unknown as Record<string, unknown>;
    const warn = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
    window.showWarningMessage = (message: string, ...rest: unknown[]) => (warned.push(message), warn.call(vscode.window, message, ...rest));
    try {
      // bob, removed but able to push, writes a file for alice and himself, marks it "chosen" and signs it.
      fs.writeFileSync(
        wsPath('bobs-choice.env.enc'),
        await encryptBytes(new TextEncoder().encode('B=1\n'), { recipients: [me, alice.publicKey, bob.publicKey], signer: bob.key, backend, recipientPolicy: 'chosen' }),
      );
      const node = await waitFor('bob\'s file listed as drift', async () => listed('bobs-choice.env.enc'));
      assert.match(node.description ?? '', /not in team: bob \(removed from team\).*signed by bob \(removed from team\)/);
      assert.strictEqual(node.contextValue, 'custodian.encFile.drift.unvouched', 're-keyable (his "chosen" counts for nothing), and Show Changes Since the Team\'s Version is offered');
      // bob's Shamir share is kept (re-keying a share collapses the threshold), but listed: bob can open it.
      const shareNode = await waitFor('bob\'s share listed', async () => (await section(team.services, 'encrypted'))?.children.find((c) => /^Shamir share · not in team: bob/.test(c.description ?? '')));
      assert.strictEqual(shareNode.contextValue, 'custodian.encFile.exposed');
      assert.match(shareNode.tooltip ?? '', /recover the secret \(Recover Secret… in Shamir Sets, where a click on this entry leads\) and split it again without them/);
      assert.strictEqual(shareNode.command, 'custodian.shamir.focus', 'a click leads to what mends it (a newcomer found nothing to click)');
      // bob writes a file for the team alone (not for himself) and signs it: its recipients are right, its
      // writer is not vouched for. Listed (the view used to say all was up to date), with Show Changes.
      fs.writeFileSync(wsPath('bobs-plant.env.enc'), await encryptBytes(new TextEncoder().encode('WEBHOOK=https://attacker.example\n'), { recipients: [me, alice.publicKey], signer: bob.key, backend }));
      const plant = await waitFor('bob\'s plant listed', async () => listed('bobs-plant.env.enc'));
      assert.strictEqual(plant.description, 'signed by bob (removed from team)');
      assert.strictEqual(plant.contextValue, 'custodian.encFile.written.unvouched');
      assert.match(plant.tooltip ?? '', /Encrypted for the team, but signed by bob, who was removed from the team: check what it changed before you use it/);
      fs.rmSync(wsPath('bobs-plant.env.enc'));

      const res = await run<ReencryptResult>('custodian.reencryptWorkspace', { quiet: true, confirm: true });
      assert.ok(res?.reencrypted.some((u) => u.fsPath === wsPath('bobs-choice.env.enc')), JSON.stringify(res));
      const after = await inspectEnvelope(new Uint8Array(fs.readFileSync(wsPath('bobs-choice.env.enc'))));
      assert.deepStrictEqual([...after.recipients].sort(), [me.fingerprint, alice.fingerprint].sort());
      assert.strictEqual(after.recipientPolicy, 'team');
      await assertProtectedUnchanged('after re-keying past bob\'s "chosen"');
      // Nothing left to re-key, but not "already encrypted for the current team": bob's share is still his.
      await run<ReencryptResult>('custodian.reencryptWorkspace', { confirm: true });
      await waitFor('the warning', async () => warned.some((m) => /^Nothing to re-encrypt for the team, but .*share.* keeps chosen recipients and someone not on the team can read it/.test(m)));

      // A "chosen" file signed by a key I do not know: saving it signs it as me, without the statement.
      fs.writeFileSync(
        wsPath('foreign-choice.env.enc'),
        await encryptBytes(new TextEncoder().encode('F=1\n'), { recipients: [me, alice.publicKey], signer: mallory.key, backend, recipientPolicy: 'chosen' }),
      );
      const modals = answerModals((p) => (/Saving signs it as you/.test(p.message) ? 'Save and Sign as Me' : undefined));
      try {
        await run('custodian.openDecrypted', { uri: wsUri('foreign-choice.env.enc') });
        const editor = vscode.window.activeTextEditor!;
        await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'G=2\n'));
        assert.ok(await editor.document.save());
        assert.match(modals.prompts[0]?.detail ?? '', /Saving re-encrypts it for me \(you\), alice and signs/);
      } finally {
        modals.dispose();
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
      assert.strictEqual((await inspectEnvelope(new Uint8Array(fs.readFileSync(wsPath('foreign-choice.env.enc'))))).recipientPolicy, undefined, 'not marked chosen under my signature');
    } finally {
      window.showWarningMessage = warn;
      fs.rmSync(wsPath('bobs-choice.env.enc'), { force: true });
      fs.rmSync(wsPath('foreign-choice.env.enc'), { force: true });
      await readdToRoster(bob);
    }
  });

  it('a Shamir share whose dealer was removed, moved out of .custodian/shares/ by a tidy-up commit, stays sealed to its custodian alone: Re-encrypt All keeps a "chosen" file that only teammates read', async () => {
    // A red team's probe: the dealer's "chosen" counted for nothing once they left, nothing else said it was
    // a share, and Re-encrypt All sealed my share to the whole team (each custodian doing so: T shares in one hand).
    const { splitSecret } = await import('../../src/core/shamir');
    const { sealShare } = await import('../../src/core/share-file');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const shares = splitSecret(new TextEncoder().encode('root-pw-do-not-leak'), { threshold: 2, shares: 3 });
    const moved = wsPath('archive', 'db-root', 'me.share.enc');
    const kept = wsPath('.custodian', 'shares', 'db-root-moved-test', 'me.share.enc');
    for (const f of [moved, kept]) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, await sealShare(shares[0], me, team.bob.key, backend)); // dealt by bob
    }
    try {
      assert.ok(await run('custodian.removeTeammate', { name: 'bob', confirm: true, reencrypt: false }));
      await run<ReencryptResult>('custodian.reencryptWorkspace', { quiet: true, confirm: true });
      const after = async (f: string) => [...(await inspectEnvelope(new Uint8Array(fs.readFileSync(f)))).recipients];
      assert.deepStrictEqual(await after(kept), [me.fingerprint], 'in .custodian/shares/ it is kept');
      assert.deepStrictEqual(await after(moved), [me.fingerprint], 'moved, it is still sealed to me alone');
    } finally {
      fs.rmSync(wsPath('archive'), { recursive: true, force: true });
      fs.rmSync(path.dirname(kept), { recursive: true, force: true });
      await readdToRoster(team.bob);
    }
  });

  it('Re-encrypt All re-keys what a removed teammate wrote while on the team, and leaves out what they pushed after their removal was committed', async () => {
    const { alice, bob } = team;
    const root = wsPath();
    const git = (...args: string[]) => sh('git', ['-C', root, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args]);
    const gitConfig = vscode.workspace.getConfiguration('git');
    await gitConfig.update('enabled', false, vscode.ConfigurationTarget.Global);
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    try {
      git('init', '-q');
      // bob, on the team, writes a file; then he is removed, and the removal is committed.
      fs.writeFileSync(wsPath('bob-before.env.enc'), await encryptFor([me, alice.publicKey, bob.publicKey], 'BEFORE=1\n', bob.key));
      git('add', '--', '.custodian/team/bob.pub', 'bob-before.env.enc');
      git('commit', '-q', '-m', 'bob\'s file, while on the team');
      assert.ok(await run('custodian.removeTeammate', { name: 'bob', confirm: true, reencrypt: false }));
      git('add', '-A', '--', '.custodian/team/bob.pub');
      git('commit', '-q', '-m', 'remove bob');
      // He can still push: a file of his on top of his removal.
      fs.writeFileSync(wsPath('bob-after.env.enc'), await encryptFor([me, alice.publicKey, bob.publicKey], 'PLANTED=1\n', bob.key));
      git('add', '--', 'bob-after.env.enc');
      git('commit', '-q', '-m', 'bob, after leaving');
      const before = fs.readFileSync(wsPath('bob-after.env.enc'));

      const modals = answerModals(() => undefined);
      let res: ReencryptResult | undefined;
      try {
        res = await run<ReencryptResult>('custodian.reencryptWorkspace', { quiet: true });
      } finally {
        modals.dispose();
      }
      const reasonOf = (name: string) => res?.skipped.find((x) => path.basename(x.uri.fsPath) === name)?.reason;
      assert.match(reasonOf('bob-after.env.enc') ?? '', /^written by bob after they were removed from the team: check it with "Show Changes Since the Team's Version"/);
      const confirmation = modals.prompts.find((p) => /^Re-encrypt \d+ files? for the team\?$/.test(p.message));
      assert.match(confirmation?.detail ?? '', /• bob-before\.env\.enc → .* \(last written by bob, removed from the team: their version will be signed by you\)/);
      assert.match(confirmation?.detail ?? '', /Skipped:\n(.*\n)*• bob-after\.env\.enc: written by bob after they were removed from the team/);
      assert.strictEqual(reasonOf('bob-before.env.enc'), 'not confirmed', 'planned, then cancelled here');
      assert.ok(fs.readFileSync(wsPath('bob-after.env.enc')).equals(before));
    } finally {
      fs.rmSync(wsPath('bob-before.env.enc'), { force: true });
      fs.rmSync(wsPath('bob-after.env.enc'), { force: true });
      fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
      await gitConfig.update('enabled', undefined, vscode.ConfigurationTarget.Global);
      await readdToRoster(bob);
    }
  });

  it('a teammate removed in a commit this window never saw is named from git history', async () => {
    const carol = await person('carol');
    const root = wsPath();
    const git = (...args: string[]) => sh('git', ['-C', root, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args]);
    // VS Code's own git extension would open the repository and fail once it is deleted again.
    const gitConfig = vscode.workspace.getConfiguration('git');
    await gitConfig.update('enabled', false, vscode.ConfigurationTarget.Global);
    try {
      git('init', '-q');
      // carol.pub is added and removed in history only: it never appears in the working tree.
      const blob = sh('git', ['-C', root, 'hash-object', '-w', '--stdin'], opensslPublicPem(carol.privatePem)).trim();
      git('update-index', '--add', '--cacheinfo', `100644,${blob},.custodian/team/carol.pub`);
      git('commit', '-q', '-m', 'add carol');
      git('rm', '-q', '--cached', '.custodian/team/carol.pub');
      git('commit', '-q', '-m', 'remove carol');
      const me = await team.services.keyStore.getPublicKey(team.me.id);
      fs.writeFileSync(wsPath('carol.env.enc'), await encryptFor([me, team.alice.publicKey, team.bob.publicKey, carol.publicKey], 'C=1\n', team.alice.key));
      const node = await waitFor('carol.env.enc to show drift, named', async () => (await section(team.services, 'encrypted'))?.children.find((c) => c.label === 'carol.env.enc' && /carol/.test(c.description ?? '')), 30_000);
      assert.match(node.description ?? '', /not in team: carol \(removed from team\)/);
    } finally {
      fs.rmSync(wsPath('carol.env.enc'), { force: true });
      fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
      await gitConfig.update('enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Encrypted Files tooltips render no Markdown from the repository: a committed selection rule, or a former teammate\'s file name in git history, shows as text (no remote image, no link)', async () => {
    const eve = await person('eve');
    const root = wsPath();
    const git = (...args: string[]) => sh('git', ['-C', root, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args]);
    const gitConfig = vscode.workspace.getConfiguration('git');
    await gitConfig.update('enabled', false, vscode.ConfigurationTarget.Global);
    const evilName = '.custodian/team/![Verify your key](https:127.0.0.1:8443).pub';
    try {
      git('init', '-q');
      // The attacker's history: a roster file whose name is Markdown, added and deleted.
      const blob = sh('git', ['-C', root, 'hash-object', '-w', '--stdin'], opensslPublicPem(eve.privatePem)).trim();
      git('update-index', '--add', '--cacheinfo', `100644,${blob},${evilName}`);
      git('commit', '-q', '-m', 'add');
      git('rm', '-q', '--cached', evilName);
      git('commit', '-q', '-m', 'remove');
      const me = await team.services.keyStore.getPublicKey(team.me.id);
      fs.writeFileSync(wsPath('old.env.enc'), await encryptFor([me, team.alice.publicKey, team.bob.publicKey, eve.publicKey], 'OLD=1\n', team.alice.key));
      // And a value-encrypted file whose committed rule is Markdown: quoted in the problem the view shows.
      const sealed = await sealValues('DB_PASSWORD=hunter2\n', { format: 'dotenv', recipients: [me, team.alice.publicKey, team.bob.publicKey], signer: team.alice.key, backend });
      const rule = '![](https://127.0.0.1:8443/rule.png)[**Re-verify your key**](https:127.0.0.1:8443)';
      assert.match(sealed, /^#custodian:encrypt=all$/m);
      fs.writeFileSync(wsPath('config.env'), sealed.replace(/^#custodian:encrypt=all$/m, `#custodian:encrypt=${rule}`));

      const nodes = await waitFor(
        'both files in the view',
        async () => {
          const s = await section(team.services, 'encrypted');
          const old = s?.children.find((c) => c.label === 'old.env.enc' && /not in team/.test(c.description ?? ''));
          const config = s?.children.find((c) => c.label === 'config.env' && c.description === 'damaged');
          return old && config ? { old, config } : undefined;
        },
        30_000,
      );
      // An image or a link starts with "![" or "](" that no backslash escapes.
      const markdown = /(^|[^\\])(!\[|\]\(|<img)/;
      assert.match(nodes.config.tooltip ?? '', /unknown selection rule/);
      assert.doesNotMatch(nodes.config.tooltip ?? '', markdown, nodes.config.tooltip);
      assert.ok((nodes.config.tooltip ?? '').includes('\\!\\[\\]\\(https\\://127\\.0\\.0\\.1\\:8443/rule\\.png\\)'), `the rule as text: ${nodes.config.tooltip}`);
      // The name fails the roster's own name check: eve's key is not named after it at all.
      assert.doesNotMatch(nodes.old.description ?? '', /Verify your key/);
      assert.doesNotMatch(nodes.old.tooltip ?? '', /Verify your key/);
      assert.doesNotMatch(nodes.old.tooltip ?? '', markdown, nodes.old.tooltip);
    } finally {
      fs.rmSync(wsPath('old.env.enc'), { force: true });
      fs.rmSync(wsPath('config.env'), { force: true });
      fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
      await gitConfig.update('enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
