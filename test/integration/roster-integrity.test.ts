// Roster integrity in the real editor, on a real git repository (docs/ROSTER.md): a commit by someone
// outside the team that swaps a teammate's key, or adds a key, is asked about before anything is
// encrypted to it (old and new fingerprint, the commit and its author), and Cancel / Exclude / Confirm
// do what they say; an addition signed by a verified member is used without a question; the Team view
// says who verified each entry.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parsePublicKey, privateKeyFromPkcs8Der } from '../../src/core/keys';
import { createRecord, rootIdOf } from '../../src/core/roster-records';
import type { DecryptToFileResult } from '../../src/extension/commands/decrypt/decrypt-to-file';
import type { EncryptFileResult } from '../../src/extension/commands/encrypt/encrypt-file';
import type { ReencryptResult } from '../../src/extension/commands/rekey/reencrypt';
import type { ShowRecipientsResult } from '../../src/extension/commands/decrypt/show-recipients';
import type { SignRosterResult } from '../../src/extension/commands/team/sign-roster';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import { captureErrors, opensslPublicPem, recordContextKeys, recordInformationMessages, recordWarningMessages, run, section, teamDir, useCleanState, waitFor, workspaceFolder } from './support/custodian';
import { answerModals } from './support/modals';
import { addToRoster, backend, encryptFor, person, recipientsOf, useTeam, waitForRoster, wsPath, wsUri, type Person } from './support/enc';

function git(args: string[], author = 'Me <me@example.com>'): void {
  const [name, email] = /^(.*) <(.*)>$/.exec(author)!.slice(1);
  execFileSync('git', args, {
    cwd: workspaceFolder().uri.fsPath,
    env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    stdio: 'pipe',
  });
}

function commit(message: string, author?: string): void {
  git(['add', '-A', '.custodian'], author);
  git(['commit', '-q', '-m', message], author);
}

/** The id of the workspace roster's root record, which every later record names (docs/ROSTER.md §3). */
async function rosterRootId(): Promise<string> {
  return rootIdOf({ file: 'records/root.json', text: fs.readFileSync(path.join(teamDir(), 'records', 'root.json'), 'utf8') }, backend);
}

describe('roster integrity: pins and signed records', function () {
  this.timeout(180_000);
  const team = useTeam();
  let trust: vscode.Disposable;
  let n = 0;

  before(async () => {
    // VS Code's own git extension would start watching the repository, and fail loudly when it goes.
    await vscode.workspace.getConfiguration('git').update('enabled', false, vscode.ConfigurationTarget.Workspace);
    git(['init', '-q']);
    commit('Start the team');
    // The harness runs untrusted; git (who changed a file) is asked only in trusted workspaces.
    trust = team.services.trust.simulate(true);
  });
  after(async () => {
    trust.dispose();
    fs.rmSync(path.join(workspaceFolder().uri.fsPath, '.git'), { recursive: true, force: true });
    await vscode.workspace.getConfiguration('git').update('enabled', undefined, vscode.ConfigurationTarget.Workspace);
    for (const f of fs.readdirSync(workspaceFolder().uri.fsPath)) if (f.startsWith('integrity-')) fs.rmSync(wsPath(f), { force: true });
  });

  async function teamFingerprints(): Promise<string[]> {
    return (await team.services.roster.members()).map((m) => m.key.fingerprint);
  }

  async function encryptTo(fingerprints: string[]): Promise<{ result: EncryptFileResult | undefined; errors: { message: string; hint?: string }[]; file: string }> {
    const file = wsPath(`integrity-${++n}.env`);
    fs.writeFileSync(file, `TOKEN=${n}\n`);
    const { result, errors } = await captureErrors(team.services, () =>
      run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(file), recipients: fingerprints, deleteOriginal: false }),
    );
    return { result, errors, file: `${file}.enc` };
  }

  it('members added through the UI are verified and pinned: encrypting to them asks nothing', async () => {
    const modals = answerModals(() => undefined);
    try {
      const { result, errors, file } = await encryptTo(await teamFingerprints());
      assert.deepStrictEqual(errors, []);
      assert.ok(result && result.files.length === 1);
      assert.deepStrictEqual(await recipientsOf(fs.readFileSync(file)), [...(await teamFingerprints())].sort());
      assert.deepStrictEqual(modals.prompts, [], 'no question');
    } finally {
      modals.dispose();
    }
    const snapshot = await section(team.services, 'team');
    const alice = snapshot?.children.find((c) => c.label === 'alice');
    assert.match(alice?.description ?? '', /verified by me/);
  });

  it('a key swapped by a commit from outside the team is asked about (old/new fingerprint, commit, author); Cancel encrypts nothing, Exclude leaves it out', async () => {
    fs.writeFileSync(path.join(teamDir(), 'alice.pub'), fs.readFileSync(addToRoster({ ...team.mallory, name: 'tmp-mallory' })));
    fs.rmSync(path.join(teamDir(), 'tmp-mallory.pub'));
    commit("Update alice's key", 'Mallory <mallory@evil.example>');
    await waitForRoster(team.services, 3);
    await waitForAliceKey(team.mallory);

    const cancel = answerModals(() => undefined);
    let first;
    try {
      first = await encryptTo(await teamFingerprints());
    } finally {
      cancel.dispose();
    }
    assert.strictEqual(first.result, undefined);
    assert.ok(!fs.existsSync(first.file), 'nothing was encrypted');
    assert.match(first.errors[0]?.message ?? '', /not confirmed/);
    assert.strictEqual(cancel.prompts.length, 1, JSON.stringify(cancel.prompts));
    const prompt = cancel.prompts[0];
    assert.match(prompt.message, /alice's key in the team roster changed/);
    assert.ok(prompt.detail.includes(team.alice.fingerprint) && prompt.detail.includes(team.mallory.fingerprint), prompt.detail);
    assert.match(prompt.detail, /Mallory <mallory@evil\.example>/);
    assert.match(prompt.detail, /Update alice's key/);
    // The roster is signed and alice's signed key is not this one: the entry is broken, and only a verified
    // member (me) can confirm it, by re-signing it. Exclude comes first: Enter never trusts a key.
    assert.match(prompt.detail, /broken/);
    assert.deepStrictEqual(prompt.items, ['Exclude', 'Confirm and Sign']);

    const exclude = answerModals(() => 'Exclude');
    let second: Awaited<ReturnType<typeof encryptTo>> | undefined;
    try {
      second = await encryptTo(await teamFingerprints());
      assert.deepStrictEqual(second.errors, []);
      const recipients = await recipientsOf(fs.readFileSync(second.file));
      assert.ok(!recipients.includes(team.mallory.fingerprint), 'the swapped key is not a recipient');
      assert.ok(recipients.includes(team.bob.fingerprint));
    } finally {
      exclude.dispose();
    }
    // The Team view says what is wrong with the entry: its key is not the one that was signed.
    const alice = (await section(team.services, 'team'))?.children.find((c) => c.label === 'alice');
    assert.match(alice?.description ?? '', /broken/);
    // Nor does the drift view count it as the team: the file written without it is not "missing alice"
    // (a Re-encrypt All that excludes it again could never clear that), and one it can read is flagged.
    const drift = team.encryption.deps.drift;
    const [withoutIt] = (await drift.scan([vscode.Uri.file(second!.file)])).entries;
    assert.deepStrictEqual(withoutIt.missing.map((p) => p.name), []);
    const forIt = await encryptFor([await team.services.keyStore.getPublicKey(team.me.id), team.bob.publicKey, team.mallory.publicKey], 'X=1\n', team.bob.key);
    fs.writeFileSync(wsPath('integrity-broken.env.enc'), forIt);
    const [withIt] = (await drift.scan([vscode.Uri.file(wsPath('integrity-broken.env.enc'))])).entries;
    assert.strictEqual(withIt.status, 'drift');
    assert.deepStrictEqual(withIt.extra.map((p) => p.fingerprint), [team.mallory.fingerprint]);

    // Saving that file asks first; "Save for Them Too" (offered: the broken entry's key is known) covers
    // the version it was asked for, not the next one read from disk (a pull brings another).
    const keep = answerModals((p) => (/still encrypted for alice/.test(p.message) ? 'Save for Them Too' : undefined));
    try {
      await run('custodian.openDecrypted', { uri: wsUri('integrity-broken.env.enc') });
      const editor = vscode.window.activeTextEditor!;
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'Y=1\n'));
      assert.ok(await editor.document.save());
      assert.deepStrictEqual(keep.prompts.map((p) => p.items), [['Save Without Them', 'Save for Them Too']]);
      assert.ok((await recipientsOf(fs.readFileSync(wsPath('integrity-broken.env.enc')))).includes(team.mallory.fingerprint), 'kept, as chosen');
      await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'Z=1\n'));
      assert.ok(await editor.document.save());
      assert.strictEqual(keep.prompts.length, 1, 'the same version is not asked about twice');
      const pulled = await encryptFor([await team.services.keyStore.getPublicKey(team.me.id), team.bob.publicKey, team.mallory.publicKey], 'X=2\n', team.bob.key);
      fs.writeFileSync(wsPath('integrity-broken.env.enc.tmp'), pulled);
      fs.renameSync(wsPath('integrity-broken.env.enc.tmp'), wsPath('integrity-broken.env.enc'));
      await waitFor('the pulled version in the editor', async () => editor.document.getText() === 'X=2\n');
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'W=1\n'));
      assert.ok(await editor.document.save());
      assert.strictEqual(keep.prompts.length, 2, 'a version read again from disk is asked about again');
    } finally {
      keep.dispose();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('a key added by a commit from outside the team is asked about; Confirm pins it and the next encryption asks nothing', async () => {
    const eve = await person('eve');
    addToRoster(eve);
    commit('Add eve', 'Mallory <mallory@evil.example>');
    await waitForRoster(team.services, 4);
    const confirm = answerModals((p) => (/eve is new/.test(p.message) ? 'Confirm' : 'Exclude'));
    try {
      const { errors, file } = await encryptTo([team.bob.fingerprint, eve.fingerprint]);
      assert.deepStrictEqual(errors, []);
      assert.ok((await recipientsOf(fs.readFileSync(file))).includes(eve.fingerprint));
      const asked = confirm.prompts.filter((p) => /eve is new/.test(p.message));
      assert.strictEqual(asked.length, 1);
      assert.match(asked[0].detail, /Mallory <mallory@evil\.example>/);
    } finally {
      confirm.dispose();
    }
    const again = answerModals(() => undefined);
    try {
      const { errors } = await encryptTo([team.bob.fingerprint, eve.fingerprint]);
      assert.deepStrictEqual(errors, []);
      assert.deepStrictEqual(again.prompts, [], 'eve is pinned now');
    } finally {
      again.dispose();
    }
    fs.rmSync(path.join(teamDir(), 'eve.pub'));
    commit('Remove eve');
  });

  it('an addition signed by a verified member (bob, pulled from git) is used without asking, shown "verified by bob"', async () => {
    const carol: Person = await person('carol');
    addToRoster(carol);
    const record = await createRecord({ op: 'add', name: 'carol', fingerprint: carol.fingerprint }, team.bob.key, new Date(), backend, await rosterRootId());
    fs.writeFileSync(path.join(teamDir(), 'records', '20990101T000000000Z-add-carol-0000beef.json'), record);
    commit('Add carol', 'Bob <bob@example.com>');
    await waitForRoster(team.services, 4);
    const modals = answerModals(() => undefined);
    try {
      const { errors, file } = await encryptTo([team.bob.fingerprint, carol.fingerprint]);
      assert.deepStrictEqual(errors, []);
      assert.ok((await recipientsOf(fs.readFileSync(file))).includes(carol.fingerprint));
      assert.deepStrictEqual(modals.prompts, []);
    } finally {
      modals.dispose();
    }
    const carolNode = (await section(team.services, 'team'))?.children.find((c) => c.label === 'carol');
    assert.match(carolNode?.description ?? '', /verified by bob/);
    // The hover says what "verified" means (who added the key) and how to check it oneself, not "verified"
    // then "compare before relying on it", which a newcomer read as a contradiction.
    assert.match(carolNode?.tooltip ?? '', /That says who added the key, not that you checked it is carol\S*'s: to check it yourself, compare this fingerprint with carol/);
    assert.doesNotMatch(carolNode?.tooltip ?? '', /before relying on it/);
  });

  it('Re-encrypt for Team asks about the swapped key too (the one-click re-key of the audit)', async () => {
    // A file for the team that lacks a teammate (no "chosen" recipients, signed by bob, a known key): a
    // re-key would encrypt to the roster, so the roster's swapped key must be asked about first.
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('integrity-rekey.env.enc'), await encryptFor([team.bob.publicKey, me], 'K=1\n', team.bob.key));
    const modals = answerModals(() => undefined);
    try {
      const { result, errors } = await captureErrors(team.services, () => run<ReencryptResult>('custodian.reencryptFile', { uri: wsUri('integrity-rekey.env.enc'), quiet: true }));
      assert.strictEqual(result, undefined, 'nothing re-encrypted');
      assert.match(errors[0]?.message ?? '', /not confirmed/);
      assert.ok(modals.prompts.some((p) => /alice/.test(p.message)), JSON.stringify(modals.prompts.map((p) => p.message)));
      assert.ok(!(await recipientsOf(fs.readFileSync(wsPath('integrity-rekey.env.enc')))).includes(team.mallory.fingerprint));
    } finally {
      modals.dispose();
    }
  });

  it('in a shallow clone of the signed roster, encrypting for the team is refused and says to fetch the history: a reverted removal would pass unseen there', async () => {
    assert.ok(fs.existsSync(path.join(teamDir(), 'records', 'root.json')), 'the roster is signed');
    const dotGit = path.join(workspaceFolder().uri.fsPath, '.git');
    // What `git clone --depth 1` leaves: the commits git has no parents for, listed in .git/shallow.
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspaceFolder().uri.fsPath, encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(dotGit, 'shallow'), `${head}\n`);
    const modals = answerModals(() => undefined);
    try {
      const { result, errors, file } = await encryptTo([team.bob.fingerprint]);
      assert.strictEqual(result, undefined);
      assert.match(errors[0]?.message ?? '', /the team roster is signed, but its git history could not be read in full, so a signed removal someone reverted would go unseen \(this is a shallow clone/);
      assert.match(errors[0]?.hint ?? '', /git fetch --unshallow/);
      assert.ok(!fs.existsSync(file), 'nothing was encrypted');
      assert.deepStrictEqual(modals.prompts, [], 'refused before any question');
    } finally {
      modals.dispose();
      fs.rmSync(path.join(dotGit, 'shallow'), { force: true });
    }
    const whole = await encryptTo([team.bob.fingerprint]);
    assert.deepStrictEqual(whole.errors, [], 'with the whole history, the same encryption goes through');
  });

  async function waitForAliceKey(expected: Person): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await team.services.roster.members()).find((m) => m.name === 'alice')?.key.fingerprint === expected.fingerprint) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('the roster never showed the swapped key');
  }
});

describe('roster integrity: a plain roster adopts signing in one step', function () {
  this.timeout(120_000);
  const state = useCleanState();

  it('plain entries show as unverified until Sign the Current Roster makes them the root of trust', async () => {
    const me = await run<KeyInfo>('custodian.generateKey', { name: 'me', label: 'me@example.com', bits: 2048 });
    assert.ok(me);
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    // A roster from before signed records: plain .pub files, mine included.
    fs.mkdirSync(teamDir(), { recursive: true });
    assert.ok(await run('custodian.addMyselfToTeam', { id: me.id, name: 'me' }));
    fs.rmSync(path.join(teamDir(), 'records'), { recursive: true, force: true });
    addToRoster(alice);
    addToRoster(bob);
    await waitForRoster(state.services, 3);
    // Sign the Current Roster is in the Team view's title bar while something is unverified, not after.
    const context = recordContextKeys('custodian.rosterUnverified');
    const published = context.valuesOf.bind(undefined, 'custodian.rosterUnverified');
    const before = (await section(state.services, 'team'))?.children ?? [];
    assert.deepStrictEqual(before.map((c) => [c.label, /unverified/.test(c.description ?? '')]), [['alice', true], ['bob', true], ['me', true]]);
    assert.strictEqual(published().at(-1), true, 'something to sign');
    // The Team view and its buttons are told at once, not when (or if) a file watcher reports the records:
    // a trial's Team view went on saying "unverified" after Sign Their Entry until refreshed by hand.
    let told = 0;
    const listening = state.services.roster.onDidChange(() => told++);
    // Outside tests, a modal lists every name and fingerprint first.
    const res = await run<SignRosterResult>('custodian.signRoster', { confirm: true }).finally(() => listening.dispose());
    assert.deepStrictEqual(res, { root: true, signed: ['alice', 'bob', 'me'] });
    assert.ok(told > 0, 'the roster told its views of the record it wrote before Sign the Current Roster returned');
    assert.ok(fs.existsSync(path.join(teamDir(), 'records', 'root.json')));
    const after = (await section(state.services, 'team'))?.children ?? [];
    await waitFor('the button goes: nothing left to sign', async () => published().at(-1) === false);
    context.dispose();
    assert.deepStrictEqual(after.map((c) => [c.label, /^(you · )?verified \(first member\) · /.test(c.description ?? '')]), [['alice', true], ['bob', true], ['me', true]]);
  });

  it('Verify Fingerprint: a match for a teammate not verified yet offers to sign that entry, and signs only it', async () => {
    const [erin, fred] = await Promise.all([person('erin'), person('fred')]);
    addToRoster(erin);
    addToRoster(fred);
    await waitFor('erin and fred in the roster', async () => (await state.services.roster.members()).filter((m) => ['erin', 'fred'].includes(m.name)).length === 2);
    const info = recordInformationMessages((_, items) => (items.includes('Sign Their Entry') ? 'Sign Their Entry' : undefined));
    const modals = answerModals(() => undefined);
    const teammate = async (name: string) => (await section(state.services, 'team'))?.children.find((c) => c.label === name);
    try {
      const res = await run<{ match: boolean }>('custodian.verifyFingerprint', { name: 'erin', fingerprint: erin.fingerprint });
      assert.strictEqual(res?.match, true);
      await waitFor('erin verified', async () => /verified by me/.test((await teammate('erin'))?.description ?? ''));
      assert.match(info.asked.find((a) => a.items.includes('Sign Their Entry'))?.message ?? '', /matches the key of erin.*not verified yet/);
      // "Sign Their Entry", right after the match, is the answer: no second modal asks to compare fingerprints.
      assert.strictEqual(modals.prompts.length, 0, JSON.stringify(modals.prompts));
      assert.match((await teammate('fred'))?.description ?? '', /unverified/, 'fred, not checked, is not signed');
    } finally {
      info.dispose();
      modals.dispose();
      for (const name of ['erin', 'fred']) fs.rmSync(path.join(teamDir(), `${name}.pub`), { force: true });
      const records = path.join(teamDir(), 'records');
      for (const f of fs.readdirSync(records)) if (/-add-erin-/.test(f)) fs.rmSync(path.join(records, f));
    }
  });

  it('Verify Fingerprint: "Sign Their Entry" answered from an old notification after a later check failed signs nothing', async () => {
    // A trial verified bob, then checked him again against another fingerprint (no match), then clicked the
    // first notification's button, still in the notification centre: the entry was signed.
    const gina = await person('gina');
    addToRoster(gina);
    await waitFor('gina in the roster', async () => (await state.services.roster.members()).some((m) => m.name === 'gina'));
    const window = vscode.window as unknown as Record<string, unknown>;
    const saved = window.showInformationMessage;
    let answer: (choice: string | undefined) => void = () => undefined;
    const offered = new Promise<void>((shown) => {
      window.showInformationMessage = (_message: string, ...items: string[]) => {
        if (!items.includes('Sign Their Entry')) return Promise.resolve(undefined);
        shown();
        return new Promise<string | undefined>((resolve) => (answer = resolve));
      };
    });
    const warned = recordWarningMessages();
    const signedGina = (): string[] => fs.readdirSync(path.join(teamDir(), 'records')).filter((f) => /-add-gina-/.test(f));
    try {
      const verified = run<{ match: boolean }>('custodian.verifyFingerprint', { name: 'gina', fingerprint: gina.fingerprint });
      await offered;
      // Checked again, against another fingerprint: no match.
      await state.services.fingerprintChecks.record(gina.fingerprint, { result: 'mismatch', name: 'gina', time: new Date().toISOString(), entered: 'SHA256:somethingelse' });
      answer('Sign Their Entry');
      assert.strictEqual((await verified)?.match, true);
      await waitFor('the refusal', async () => warned.told.some((m) => /gina's entry was not signed: their fingerprint was checked again since and did not match/.test(m)));
      assert.deepStrictEqual(signedGina(), [], 'no record signs gina in');
    } finally {
      window.showInformationMessage = saved;
      warned.dispose();
      fs.rmSync(path.join(teamDir(), 'gina.pub'), { force: true });
      for (const f of signedGina()) fs.rmSync(path.join(teamDir(), 'records', f));
    }
  });

  it('in a fresh clone (nothing pinned), signing a newcomer keeps the rest of the team usable without a question', async () => {
    const dave = await person('dave');
    addToRoster(dave);
    await waitForRoster(state.services, 4);
    // A new clone or machine: the pin store has never seen this roster.
    await state.services.rosterTrust.forget(workspaceFolder());
    assert.deepStrictEqual((await run<SignRosterResult>('custodian.signRoster', { confirm: true }))?.signed, ['dave']);
    const file = wsPath('fresh-clone.env');
    fs.writeFileSync(file, 'TOKEN=1\n');
    const everyone = (await state.services.roster.members()).map((m) => m.key.fingerprint);
    const modals = answerModals(() => undefined);
    try {
      const { errors } = await captureErrors(state.services, () => run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(file), recipients: everyone, deleteOriginal: true }));
      assert.deepStrictEqual(errors, []);
      assert.deepStrictEqual(modals.prompts.map((p) => p.message), [], 'no teammate asked about');
      assert.deepStrictEqual(await recipientsOf(fs.readFileSync(`${file}.enc`)), [...everyone].sort());
    } finally {
      modals.dispose();
      fs.rmSync(`${file}.enc`, { force: true });
    }
  });

  it('a deploy key added in VS Code is verified and encrypted to without a question; an addition it signs is asked about', async () => {
    const ci = await person('ci');
    const added = await run<{ name: string }>('custodian.addDeployKey', { text: opensslPublicPem(ci.privatePem), name: 'ci', confirm: true });
    assert.strictEqual(added?.name, 'ci');
    state.services.refresh();
    const ciNode = (await section(state.services, 'team'))?.children.find((c) => c.label === 'ci');
    assert.match(ciNode?.description ?? '', /deploy key, verified by me/);
    assert.match((await section(state.services, 'team'))?.description ?? '', /^4 teammates · 1 deploy key$/, 'a CI key is not counted as a teammate');
    // A file the CI key re-sealed says so: the signer is named as a deploy key, with a warning.
    const byCi = wsPath('by-ci.env.enc');
    fs.writeFileSync(byCi, await encryptFor([(await state.services.keyStore.getPublicKey(state.services.keyStore.list()[0].id))!], 'DB_URL=postgres://evil.example/app\n', ci.key));
    const target = path.join(state.scratch, 'by-ci.env');
    try {
      const res = await run<DecryptToFileResult>('custodian.decryptToFile', { uri: vscode.Uri.file(byCi), target: vscode.Uri.file(target) });
      assert.match(res?.files[0].description.summary ?? '', /signed by ci ⚠/);
      assert.match(res?.files[0].description.warning ?? '', /ci, a deploy key: .*its key has leaked/);
      // Saving it would sign what the CI key wrote as mine, ending the warning (a red team's merge did): asked first.
      const before = fs.readFileSync(byCi);
      const asked = answerModals(() => undefined);
      try {
        await run('custodian.openDecrypted', { uri: vscode.Uri.file(byCi) });
        const editor = vscode.window.activeTextEditor!;
        await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'B=2\n'));
        await editor.document.save();
        assert.deepStrictEqual(asked.prompts.map((p) => p.message), ['by-ci.env.enc is signed by ci, a deploy key: teammates write the team\'s secrets, and what it wrote may be a leaked key\'s. Saving signs it as you.']);
        assert.ok(fs.readFileSync(byCi).equals(before), 'declined: nothing written');
      } finally {
        asked.dispose();
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    } finally {
      fs.rmSync(byCi, { force: true });
      fs.rmSync(target, { force: true });
    }
    // The CI secret leaks: whoever holds it signs eve into the roster.
    const eve = await person('eve');
    addToRoster(eve);
    const record = await createRecord({ op: 'add', name: 'eve', fingerprint: eve.fingerprint }, ci.key, new Date(), backend, await rosterRootId());
    fs.writeFileSync(path.join(teamDir(), 'records', '20990101T000000000Z-add-eve-0000beef.json'), record);
    await waitForRoster(state.services, 6);
    const file = wsPath('deploy-key.env');
    fs.writeFileSync(file, 'TOKEN=1\n');
    const modals = answerModals((p) => (/eve/.test(p.message) ? p.items.find((i) => /Exclude/.test(i)) : undefined));
    try {
      const everyone = (await state.services.roster.members()).map((m) => m.key.fingerprint);
      const { errors } = await captureErrors(state.services, () => run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(file), recipients: everyone, deleteOriginal: true }));
      assert.deepStrictEqual(errors, []);
      assert.deepStrictEqual(modals.prompts.map((p) => /eve/.test(p.message)), [true], 'asked about eve only, not about ci');
      assert.match(modals.prompts[0].detail, /deploy key, which cannot vouch/);
      const recipients = await recipientsOf(fs.readFileSync(`${file}.enc`));
      assert.ok(recipients.includes(ci.fingerprint), 'the deploy key can read');
      const shown = await run<ShowRecipientsResult>('custodian.showRecipients', { uri: vscode.Uri.file(`${file}.enc`), quiet: true });
      assert.match(shown?.summary ?? '', /^Encrypted for .*\bci \(deploy key\)/, 'said to be a deploy key wherever recipients are listed');
      assert.ok(!recipients.includes(eve.fingerprint), 'eve, excluded, cannot');
    } finally {
      modals.dispose();
      fs.rmSync(`${file}.enc`, { force: true });
      fs.rmSync(path.join(teamDir(), 'eve.pub'), { force: true });
      fs.rmSync(path.join(teamDir(), 'records', '20990101T000000000Z-add-eve-0000beef.json'), { force: true });
    }
  });

  it('a signed member whose .pub is deleted without a signed removal: encrypting for the team is refused, naming them', async () => {
    const davePub = path.join(teamDir(), 'dave.pub');
    const saved = fs.readFileSync(davePub);
    const before = (await state.services.roster.members()).length;
    fs.rmSync(davePub);
    await waitForRoster(state.services, before - 1);
    const file = wsPath('without-dave.env');
    fs.writeFileSync(file, 'TOKEN=1\n');
    const modals = answerModals(() => undefined);
    try {
      const everyone = (await state.services.roster.members()).map((m) => m.key.fingerprint);
      const { errors } = await captureErrors(state.services, () => run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(file), recipients: everyone, deleteOriginal: false }));
      assert.match(errors[0]?.message ?? '', /dave left the team roster without a signed removal/);
      assert.ok(!fs.existsSync(`${file}.enc`), 'nothing was encrypted');
      // The Team view says so before anyone tries to encrypt: no entry can show a member who has no file.
      const problems = await waitFor('the roster problems in the Team view', async () => (await section(state.services, 'team'))?.children.find((c) => /problem.* with the roster's signed records/.test(c.label)));
      // (The tooltip is Markdown: its "." is escaped.)
      assert.match(problems.tooltip ?? '', /dave is a signed member but dave\\?\.pub is missing, and no member signed a removal/);

      // The removal is signed, by someone no verified member signed in: the message says so, and the fix it
      // gives is not "Remove Teammate signs the removal", which is what they did.
      const frank = await person('frank');
      addToRoster(frank);
      const removal = await createRecord({ op: 'remove', name: 'dave', fingerprint: parsePublicKey(saved.toString('utf8')).fingerprint }, frank.key, new Date(), backend, await rosterRootId());
      fs.writeFileSync(path.join(teamDir(), 'records', '20990101T000000000Z-remove-dave-0000f00d.json'), removal);
      await waitForRoster(state.services, before);
      const again = await captureErrors(state.services, () => run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(file), recipients: everyone, deleteOriginal: false }));
      assert.match(again.errors[0]?.message ?? '', /dave left the team roster, and the removal is signed by frank, who is not a verified member, so it does not count/);
      assert.match(again.errors[0]?.hint ?? '', /Ask a verified teammate to remove them/);
      assert.ok(!fs.existsSync(`${file}.enc`), 'nothing was encrypted');
    } finally {
      modals.dispose();
      fs.rmSync(file, { force: true });
      fs.rmSync(path.join(teamDir(), 'frank.pub'), { force: true });
      fs.rmSync(path.join(teamDir(), 'records', '20990101T000000000Z-remove-dave-0000f00d.json'), { force: true });
      fs.writeFileSync(davePub, saved);
    }
  });

  it('a record written outside VS Code counts at the next use: a teammate the CLI made a deploy key is marked at once', async () => {
    const ops = await person('ops');
    assert.ok(await run('custodian.addTeammate', { text: opensslPublicPem(ops.privatePem), name: 'ops', confirm: true }));
    await waitForRoster(state.services, (await state.services.roster.members()).length);
    const me = state.services.keyStore.list()[0];
    const byOps = wsPath('by-ops.env.enc');
    fs.writeFileSync(byOps, await encryptFor([await state.services.keyStore.getPublicKey(me.id)], 'TOKEN=1\n', ops.key));
    const target = path.join(state.scratch, 'by-ops.env');
    const signer = async (): Promise<string> => {
      const res = await run<DecryptToFileResult>('custodian.decryptToFile', { uri: vscode.Uri.file(byOps), target: vscode.Uri.file(target), overwrite: true });
      fs.rmSync(target, { force: true });
      return res?.files[0].description.summary ?? '';
    };
    try {
      assert.match(await signer(), /signed by ops(?! ⚠)/);
      // What `custodian roster add --deploy ops` (or a pull) writes while the window is open: no file event awaited.
      const myKey = privateKeyFromPkcs8Der(await state.services.keyStore.getPrivateKeyDer(me.id));
      const record = await createRecord({ op: 'deploy', name: 'ops', fingerprint: ops.fingerprint }, myKey, new Date('2099-01-01T00:00:00Z'), backend, await rosterRootId());
      fs.writeFileSync(path.join(teamDir(), 'records', '20990101T000000000Z-deploy-ops-0000cafe.json'), record);
      assert.match(await signer(), /signed by ops ⚠/);
    } finally {
      fs.rmSync(byOps, { force: true });
    }
  });

  it('Remove Teammate signs again whom the removed member had signed in (their records count for nothing from then on); a record they date back to before their removal vouches for nobody', async () => {
    const [gina, hank, ivan] = await Promise.all([person('gina'), person('hank'), person('ivan')]);
    assert.ok(await run('custodian.addTeammate', { text: opensslPublicPem(gina.privatePem), name: 'gina', confirm: true }));
    addToRoster(hank);
    const root = await rosterRootId();
    fs.writeFileSync(path.join(teamDir(), 'records', '20990101T000000000Z-add-hank-0000abcd.json'), await createRecord({ op: 'add', name: 'hank', fingerprint: hank.fingerprint }, gina.key, new Date(), backend, root));
    const described = async (name: string): Promise<string> => (await section(state.services, 'team'))?.children.find((c) => c.label === name)?.description ?? '';
    await waitFor('hank verified by gina', async () => /verified by gina/.test(await described('hank')));
    assert.ok(await run('custodian.removeTeammate', { name: 'gina', confirm: true, reencrypt: false }));
    await waitFor('hank verified by me', async () => /verified by me/.test(await described('hank')));
    // gina, removed, signs ivan in with a record dated a minute ago, while she was a member.
    addToRoster(ivan);
    fs.writeFileSync(path.join(teamDir(), 'records', '20000101T000000000Z-add-ivan-0000dcba.json'), await createRecord({ op: 'add', name: 'ivan', fingerprint: ivan.fingerprint }, gina.key, new Date(Date.now() - 60_000), backend, root));
    await waitFor('ivan unverified', async () => /unverified/.test(await described('ivan')));
    const modals = answerModals(() => undefined);
    try {
      const file = wsPath('backdated.env');
      fs.writeFileSync(file, 'TOKEN=1\n');
      const { errors } = await captureErrors(state.services, () => run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(file), recipients: [ivan.fingerprint], deleteOriginal: false }));
      assert.ok(!fs.existsSync(`${file}.enc`), `nothing sealed to ivan without a question: ${JSON.stringify(errors)} ${JSON.stringify(modals.prompts.map((p) => p.message))}`);
      fs.rmSync(file, { force: true });
    } finally {
      modals.dispose();
      for (const f of ['hank.pub', 'ivan.pub']) fs.rmSync(path.join(teamDir(), f), { force: true });
    }
  });
});
