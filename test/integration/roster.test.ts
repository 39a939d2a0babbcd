// Team roster and contacts: Add Myself, Add / Remove Teammate, Verify Fingerprint, Add / Remove
// Contact, and invalid roster files reported as problems (tree + Problems panel).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EncryptFileResult } from '../../src/extension/commands/encrypt/encrypt-file';
import type { ReencryptResult } from '../../src/extension/commands/rekey/reencrypt';
import type { RemoveTeammateResult } from '../../src/extension/commands/team/remove-teammate';
import type { RosterWriteResult } from '../../src/extension/commands/team/add-to-team';
import type { VerifyFingerprintResult } from '../../src/extension/commands/team/verify-fingerprint';
import type { Contact } from '../../src/extension/storage/contacts';
import { FingerprintChecks } from '../../src/extension/storage/fingerprint-checks';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import { RotationLists } from '../../src/extension/storage/rotation-lists';
import { TeamSection, type TeammateNode } from '../../src/extension/views/sections/team-section';
import { captureErrors, getApi, opensslPublicPem, opensslRsa, recordInformationMessages, recordWarningMessages, run, section, sh, sshKeygen, teamDir, useCleanState, waitFor, workspaceFolder } from './support/custodian';
import { encryptFor, person, recipientsOf, useTeam, wsPath, wsUri } from './support/enc';
import { answerModals } from './support/modals';
import { encryptSelectionPicker } from './support/quick-inputs';

describe('roster', function () {
  this.timeout(120_000);
  const state = useCleanState();
  let me: KeyInfo;
  let bob: ReturnType<typeof sshKeygen>;

  before(async () => {
    me = (await run<KeyInfo>('custodian.generateKey', { name: 'Alice', label: 'alice@example.com', bits: 2048 }))!;
    bob = sshKeygen(state.scratch, 'bob', 'bob@example.com');
  });

  it('Add Myself to Team writes .custodian/team/<name>.pub with my OpenSSH line', async () => {
    const { told, dispose } = recordInformationMessages(() => undefined);
    let res: RosterWriteResult | undefined;
    try {
      res = await run<RosterWriteResult>('custodian.addMyselfToTeam', { id: me.id });
    } finally {
      dispose();
    }
    assert.ok(res);
    // The first member starts the signed records: said, since a teammate who adds themselves before pulling them starts a second set.
    // The instruction first: a notification among others shows its first line only (a newcomer saw "Added … to the team as .custodian/team/alice.p…").
    assert.strictEqual(told.length, 1, told.join('\n'));
    assert.match(told[0], /^Added "Alice" as the team's first member \(\.custodian\/team\/alice\.pub\)\. Commit and push \.custodian\/team now, and have teammates pull it before they add themselves/);
    assert.ok(fs.existsSync(path.join(teamDir(), 'records', 'root.json')));
    assert.strictEqual(res.name, 'alice', 'named after the email in my label');
    const text = fs.readFileSync(path.join(teamDir(), 'alice.pub'), 'utf8');
    assert.match(text, /^ssh-rsa AAAA[A-Za-z0-9+/=]+ alice@example\.com\n$/);
    assert.ok(sh('ssh-keygen', ['-lf', path.join(teamDir(), 'alice.pub')]).includes(me.fingerprint));
    const again = await run<RosterWriteResult>('custodian.addMyselfToTeam', { id: me.id });
    assert.strictEqual(again?.existed, true, 'adding myself twice writes nothing new');
  });

  it('Add Teammate from text names the file after the key comment; from a file with a given name', async () => {
    const res = await run<RosterWriteResult>('custodian.addTeammate', { text: bob.publicLine, confirm: true });
    assert.strictEqual(res?.name, 'bob');
    assert.strictEqual(fs.readFileSync(path.join(teamDir(), 'bob.pub'), 'utf8').trim(), bob.publicLine);

    const carolPem = path.join(state.scratch, 'carol.pem');
    fs.writeFileSync(carolPem, opensslPublicPem(opensslRsa(3072)));
    const carol = await run<RosterWriteResult>('custodian.addTeammate', { uri: vscode.Uri.file(carolPem), name: 'carol', confirm: true });
    assert.strictEqual(carol?.name, 'carol');
    const members = await state.services.roster.members();
    assert.deepStrictEqual(members.map((m) => m.name), ['alice', 'bob', 'carol']);
    assert.strictEqual(members.find((m) => m.name === 'carol')?.key.bits, 3072);
  });

  it('after Add Teammate, re-encrypting is offered only when the workspace holds files for the team that I can open', async () => {
    const drift = (await getApi()).encryption.deps.drift;
    // The encrypted files earlier suites left are set aside, so the workspace first holds none.
    const aside = (await drift.findFiles()).map((u) => u.fsPath);
    for (const f of aside) fs.renameSync(f, `${f}.aside`);
    const { asked: told, dispose: stopRecording } = recordInformationMessages(() => undefined);
    const enc = path.join(workspaceFolder().uri.fsPath, 'offer-check.enc');
    try {
      const gina = sshKeygen(state.scratch, 'offer-gina', 'gina@example.com');
      assert.ok(await run<RosterWriteResult>('custodian.addTeammate', { text: gina.publicLine, confirm: true }));
      const none = await waitFor('the message', async () => told.find((t) => t.message.startsWith('Added gina@example.com')));
      assert.match(none.message, /Files encrypted for the team from now on include them\.$/);
      assert.deepStrictEqual(none.items, [], 'nothing to re-encrypt: no button');

      const { encryptBytes } = await import('../../src/core/envelope');
      const { backend } = await import('./support/enc');
      fs.writeFileSync(enc, await encryptBytes(new TextEncoder().encode('x'), { recipients: [await state.services.keyStore.getPublicKey(me.id)], backend }));
      told.length = 0;
      const erin = sshKeygen(state.scratch, 'offer-erin', 'erin@example.com');
      assert.ok(await run<RosterWriteResult>('custodian.addTeammate', { text: erin.publicLine, confirm: true }));
      const some = await waitFor('the message', async () => told.find((t) => t.message.startsWith('Added erin@example.com')));
      assert.match(some.message, /Re-encrypt existing files so they can read them\.$/);
      assert.deepStrictEqual(some.items, ['Re-encrypt Workspace Files']);

      // A file for the team none of my keys opens: I cannot re-encrypt it, so no button; the message
      // says who can.
      const { parsePublicKey } = await import('../../src/core/keys');
      fs.writeFileSync(enc, await encryptBytes(new TextEncoder().encode('x'), { recipients: [parsePublicKey(gina.publicLine)], backend }));
      told.length = 0;
      const finn = sshKeygen(state.scratch, 'offer-finn', 'finn@example.com');
      assert.ok(await run<RosterWriteResult>('custodian.addTeammate', { text: finn.publicLine, confirm: true }));
      const notMine = await waitFor('the message', async () => told.find((t) => t.message.startsWith('Added finn@example.com')));
      assert.match(notMine.message, /None of your keys opens the file encrypted for the team here: a teammate who can must re-encrypt it/);
      assert.deepStrictEqual(notMine.items, [], 'nothing I can re-encrypt: no button');
    } finally {
      stopRecording();
      fs.rmSync(enc, { force: true });
      for (const f of aside) fs.renameSync(`${f}.aside`, f);
      for (const name of ['gina', 'erin', 'finn']) fs.rmSync(path.join(teamDir(), `${name}.pub`), { force: true });
    }
  });

  it('a teammate who joins or leaves through a change not made here (a pull) is announced; one added here is announced once, by Add Teammate', async () => {
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalWarning = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
    const warned: string[] = [];
    window.showWarningMessage = (message: string, ...rest: unknown[]) => {
      warned.push(message);
      return originalWarning.call(vscode.window, message, ...rest);
    };
    const { told, dispose: stopRecording } = recordInformationMessages(() => undefined);
    const pulled = path.join(teamDir(), 'hana.pub');
    try {
      // A file appears in .custodian/team as a pull writes it. Written through the roster store (not a
      // command), whose change event is certain: the OS file watcher may report a pull late, or not at all.
      await state.services.roster.write('hana', `${sshKeygen(state.scratch, 'hana', 'hana@example.com').publicLine}\n`);
      const joined = await waitFor('the notice', async () => told.find((m) => /^hana joined the team \(a change to the roster that you did not make here\)/.test(m)), 15_000);
      // Nobody signed her entry: the notice does not let "joined" read as "trusted".
      assert.match(joined, /Not verified yet: no verified teammate has signed the entry of hana\. Compare the fingerprint with them/);
      // Added here: Add Teammate says so, and nothing says "joined" again.
      told.length = 0;
      const ivan = sshKeygen(state.scratch, 'ivan', 'ivan@example.com');
      assert.ok(await run<RosterWriteResult>('custodian.addTeammate', { text: ivan.publicLine, confirm: true }));
      await waitFor('Add Teammate\'s message', async () => told.find((m) => m.startsWith('Added ivan@example.com')));
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepStrictEqual(told.filter((m) => /joined the team/.test(m)), [], 'announced once');
      // Removed by a pull: a warning that the files here are still readable by them.
      await state.services.roster.remove(vscode.Uri.file(pulled));
      await waitFor('the departure notice', async () => warned.find((m) => /^hana left the team \(a change to the roster that you did not make here\)/.test(m)), 15_000);
      // A change about me is said to me, not about "them".
      const mine = new Set(state.services.keyStore.list().map((k) => k.fingerprint));
      const myEntry = (await state.services.roster.members()).find((m) => mine.has(m.key.fingerprint));
      assert.ok(myEntry, 'my key is on the team');
      const myBytes = fs.readFileSync(myEntry.uri.fsPath);
      await state.services.roster.remove(myEntry.uri);
      try {
        await waitFor('the notice about me', async () => warned.find((m) => /^You were removed from the team roster by a change you did not make here/.test(m)), 15_000);
      } finally {
        await state.services.roster.write(myEntry.name, new TextDecoder().decode(myBytes));
      }
      await waitFor('my key back', async () => told.find((m) => /^Your key was added to the team roster/.test(m)), 15_000);
      assert.ok(!warned.some((m) => new RegExp(`^${myEntry.name} left the team`).test(m)), 'not told about myself in the third person');
    } finally {
      stopRecording();
      window.showWarningMessage = originalWarning;
      fs.rmSync(pulled, { force: true });
      fs.rmSync(path.join(teamDir(), 'ivan.pub'), { force: true });
    }
  });

  it('refuses bad teammate keys without writing: duplicate, private key, 1024-bit, malformed, bad name, existing name', async () => {
    const before = fs.readdirSync(teamDir()).sort();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['duplicate', { text: bob.publicLine, name: 'bobby' }, /already in the team as bob\.pub/],
      ['private key', { text: opensslRsa(2048), name: 'oops' }, /private key/],
      ['1024-bit', { text: opensslPublicPem(opensslRsa(1024)), name: 'weak' }, /1024|bits/],
      ['malformed', { text: 'ssh-rsa AAAA!!!! mallory', name: 'mallory' }, /./],
      ['bad name', { text: sshKeygen(state.scratch, 'dan', 'dan').publicLine, name: '../escape' }, /cannot be a roster file name/],
      ['existing name', { text: sshKeygen(state.scratch, 'eve', 'eve').publicLine, name: 'bob' }, /already has .*bob\.pub/],
    ];
    for (const [what, arg, expected] of cases) {
      const { result, errors } = await captureErrors(state.services, () => run('custodian.addTeammate', { confirm: true, ...arg }));
      assert.strictEqual(result, undefined, what);
      assert.strictEqual(errors.length, 1, what);
      assert.match(errors[0].message, expected, `${what}: ${errors[0].message}`);
    }
    assert.deepStrictEqual(fs.readdirSync(teamDir()).sort(), before);
  });

  it('a teammate\'s Ed25519 or 1024-bit key is refused with what to ask them for (a contact\'s too; a deploy key\'s says how to make one)', async () => {
    const listing = () => (fs.existsSync(teamDir()) ? fs.readdirSync(teamDir()).sort() : []);
    const before = listing();
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'olga@example.com', '-f', path.join(state.scratch, 'olga')]);
    const ed25519 = fs.readFileSync(path.join(state.scratch, 'olga.pub'), 'utf8');
    const askForRsa = 'Ask them for an RSA public key: ssh-keygen -t rsa -b 3072 -f ~/.ssh/id_rsa_custodian, then send ~/.ssh/id_rsa_custodian.pub.';
    const cases: [string, string, Record<string, unknown>, string, string][] = [
      ['Ed25519 teammate', 'custodian.addTeammate', { text: ed25519 }, 'UnsupportedKeyError', askForRsa],
      ['1024-bit teammate', 'custodian.addTeammate', { text: opensslPublicPem(opensslRsa(1024)), name: 'weak' }, 'WeakKeyError', 'Ask them for a new RSA key of 3072 bits: ssh-keygen -t rsa -b 3072 -f ~/.ssh/id_rsa_custodian, then send ~/.ssh/id_rsa_custodian.pub.'],
      ['Ed25519 contact', 'custodian.addContact', { text: ed25519, name: 'Olga' }, 'UnsupportedKeyError', askForRsa],
      ['Ed25519 deploy key', 'custodian.addDeployKey', { text: ed25519, name: 'ci' }, 'UnsupportedKeyError', 'Make an RSA key of 3072 bits for the CI system, e.g. ssh-keygen -t rsa -b 3072 -N "" -f ci_custodian, and add ci_custodian.pub.'],
    ];
    for (const [what, command, arg, name, hint] of cases) {
      const { result, errors } = await captureErrors(state.services, () => run(command, { confirm: true, ...arg }));
      assert.strictEqual(result, undefined, what);
      assert.strictEqual(errors.length, 1, what);
      assert.strictEqual(errors[0].name, name, `${what}: ${errors[0].message}`);
      assert.strictEqual(errors[0].hint, hint, what);
    }
    assert.deepStrictEqual(listing(), before, 'nothing written');
    assert.strictEqual(state.services.contacts.list().length, 0);
  });

  it('Verify Fingerprint normalises what people paste and reports a mismatch', async () => {
    const fp = /SHA256:[A-Za-z0-9+/]{43}/.exec(bob.fingerprintLine)![0];
    const variants = [bob.fingerprintLine, fp, `  sha256:${fp.slice(7)}=  `, fp.slice(7), `SHA256: ${fp.slice(7, 20)} ${fp.slice(20)}`];
    for (const fingerprint of variants) {
      const res = await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { name: 'bob', fingerprint });
      assert.deepStrictEqual(res, { match: true, expected: fp }, `accepts ${JSON.stringify(fingerprint)}`);
    }
    const hex = Buffer.from(fp.slice(7), 'base64').toString('hex').match(/../g)!.join(':');
    assert.strictEqual((await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { name: 'bob', fingerprint: hex }))?.match, true);
    // A mismatch says what "verified" does not mean and offers the way out: Remove Teammate… (its own
    // confirmation, declined here, so bob stays for the tests below).
    const modals = answerModals(() => undefined);
    const warnings = recordWarningMessages((_, items) => items.find((i) => i === 'Remove Teammate…'));
    try {
      const wrong = await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { name: 'bob', fingerprint: me.fingerprint });
      assert.strictEqual(wrong?.match, false);
      await waitFor('Remove Teammate\'s confirmation, from the mismatch warning', async () => modals.prompts.some((p) => /^Remove bob(@example\.com)? from the team\?$/.test(p.message)));
      assert.ok(warnings.told.some((m) => /^✗ The fingerprint does NOT match the key of bob/.test(m)), warnings.told.join('\n'));
      assert.ok(fs.existsSync(path.join(teamDir(), 'bob.pub')), 'declined: nothing removed');
    } finally {
      warnings.dispose();
      modals.dispose();
    }
    // The mismatch is kept until a check matches ('roster: what Verify Fingerprint found is kept'); bob is encrypted to below.
    assert.strictEqual((await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { name: 'bob', fingerprint: fp }))?.match, true);
    const mine = await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { id: me.id, fingerprint: me.fingerprint });
    assert.strictEqual(mine?.match, true);
    const { errors } = await captureErrors(state.services, () => run('custodian.verifyFingerprint', { name: 'bob', fingerprint: 'not a fingerprint' }));
    assert.match(errors[0]?.message ?? '', /does not look like a SHA-256 key fingerprint/);
  });

  it('reports invalid and weak roster files as problems (tree item and diagnostic), not silently skipped', async () => {
    const weakPath = path.join(teamDir(), 'weak.pub');
    const brokenPath = path.join(teamDir(), 'broken.pub');
    fs.writeFileSync(weakPath, opensslPublicPem(opensslRsa(1024)));
    fs.writeFileSync(brokenPath, 'ssh-rsa this-is-not-base64 broken@example.com\n');
    const entries = await waitFor('the roster to list the bad files', async () => {
      const list = await state.services.roster.list();
      return list.some((e) => e.name === 'weak') && list.some((e) => e.name === 'broken') ? list : undefined;
    });
    const weak = entries.find((e) => e.name === 'weak')!;
    const broken = entries.find((e) => e.name === 'broken')!;
    assert.strictEqual(weak.kind, 'invalid');
    assert.strictEqual(weak.kind === 'invalid' && weak.errorName, 'WeakKeyError');
    assert.strictEqual(broken.kind, 'invalid');
    const diag = vscode.languages.getDiagnostics(vscode.Uri.file(weakPath));
    assert.strictEqual(diag.length, 1);
    assert.strictEqual(diag[0].severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(diag[0].source, 'Custodian');
    assert.ok(vscode.languages.getDiagnostics(vscode.Uri.file(brokenPath)).length === 1);
    assert.ok(!(await state.services.roster.members()).some((m) => m.name === 'weak' || m.name === 'broken'), 'never a recipient');

    // Remove Teammate works on invalid entries too, and clears the diagnostic.
    const res = await run<RemoveTeammateResult>('custodian.removeTeammate', { name: 'weak', confirm: true, reencrypt: false });
    assert.deepStrictEqual(res, { removed: 'weak', reencrypt: 'skipped' });
    assert.ok(!fs.existsSync(weakPath));
    assert.strictEqual(vscode.languages.getDiagnostics(vscode.Uri.file(weakPath)).length, 0);
    fs.rmSync(brokenPath);
  });

  it('Remove Teammate deletes the roster file and re-encrypts only when that command exists', async () => {
    const registered = (await vscode.commands.getCommands(true)).includes('custodian.reencryptWorkspace');
    const res = await run<RemoveTeammateResult>('custodian.removeTeammate', { name: 'carol', confirm: true, reencrypt: true });
    assert.strictEqual(res?.removed, 'carol');
    assert.strictEqual(res?.reencrypt, registered ? 'done' : 'unavailable');
    assert.ok(!fs.existsSync(path.join(teamDir(), 'carol.pub')));
    const missing = await captureErrors(state.services, () => run('custodian.removeTeammate', { name: 'carol', confirm: true }));
    assert.match(missing.errors[0]?.message ?? '', /not in the team roster/);
  });

  it('Add Contact / Remove Contact keep public keys in globalState', async () => {
    const frank = sshKeygen(state.scratch, 'frank', 'frank@partner.example');
    const contact = await run<Contact>('custodian.addContact', { text: frank.publicLine, name: 'Frank (partner)', confirm: true });
    assert.ok(contact);
    assert.ok(frank.fingerprintLine.includes(contact.fingerprint));
    assert.deepStrictEqual(state.services.contacts.list().map((c) => c.name), ['Frank (partner)']);
    const stored = JSON.stringify(state.services.context.globalState.get('custodian.contacts'));
    assert.ok(stored.includes(contact.fingerprint));
    const dup = await captureErrors(state.services, () => run('custodian.addContact', { text: frank.publicLine, name: 'Again', confirm: true }));
    assert.match(dup.errors[0]?.message ?? '', /already a contact/);
    assert.strictEqual((await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { id: contact.id, fingerprint: frank.fingerprintLine }))?.match, true);
    assert.deepStrictEqual(await run('custodian.removeContact', { id: contact.id, confirm: true }), { removed: contact.id });
    assert.strictEqual(state.services.contacts.list().length, 0);
  });

  it('the fingerprint confirmation defaults to "not trusted": Enter on it adds nobody; choosing the match adds the key', async () => {
    const dave = sshKeygen(state.scratch, 'dave', 'dave@example.com');
    const daveFile = path.join(teamDir(), 'dave.pub');
    const answer = async (steps: string[]): Promise<RosterWriteResult | undefined> => {
      const pending = run<RosterWriteResult>('custodian.addTeammate', { text: dave.publicLine, name: 'dave' });
      await new Promise((r) => setTimeout(r, 1500));
      for (const step of steps) await vscode.commands.executeCommand(step);
      const timeout = new Promise<'still asking'>((r) => setTimeout(() => r('still asking'), 5000));
      return Promise.race([pending, timeout]).then((v) => {
        assert.notStrictEqual(v, 'still asking', 'the confirmation took the keyboard answer (it is not a modal whose default is to trust)');
        return v as RosterWriteResult | undefined;
      });
    };
    try {
      // A stray Enter: the first, default choice must be the safe one.
      assert.strictEqual(await answer(['workbench.action.acceptSelectedQuickOpenItem']), undefined, 'not trusted');
      assert.ok(!fs.existsSync(daveFile), 'nothing written');
      // Moving to "matches" on purpose trusts it.
      const added = await answer(['workbench.action.quickOpenSelectNext', 'workbench.action.acceptSelectedQuickOpenItem']);
      assert.strictEqual(added?.fingerprint && dave.fingerprintLine.includes(added.fingerprint), true);
      assert.strictEqual(fs.readFileSync(daveFile, 'utf8').trim(), dave.publicLine);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      fs.rmSync(daveFile, { force: true });
    }
  });
  it('a key with no name in it (a PEM key) asks for the name first, so the fingerprint question names the teammate (a newcomer read "this teammate read me this same fingerprint")', async () => {
    const pem = path.join(state.scratch, 'sam-key.pem');
    fs.writeFileSync(pem, opensslPublicPem(opensslRsa(2048)));
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = { showInputBox: window.showInputBox, showQuickPick: window.showQuickPick };
    const prompts: string[] = [];
    let question: { title?: string; labels: string[] } | undefined;
    window.showInputBox = async (options: vscode.InputBoxOptions) => {
      prompts.push(options.prompt ?? '');
      return 'sam';
    };
    window.showQuickPick = async (items: readonly vscode.QuickPickItem[], options: vscode.QuickPickOptions) => {
      question = { title: options.title, labels: items.map((i) => i.label) };
      return undefined; // Escape: nothing added
    };
    try {
      assert.strictEqual(await run<RosterWriteResult>('custodian.addTeammate', vscode.Uri.file(pem)), undefined);
    } finally {
      Object.assign(window, original);
    }
    assert.deepStrictEqual(prompts, ['The name the team sees for this teammate (e.g. alice): their key holds none.']);
    assert.match(question?.title ?? '', /^Is this really sam's key\? RSA 2048-bit, SHA256:/);
    assert.deepStrictEqual(question?.labels, ['$(circle-slash) Not yet: I have not compared it', '$(pass) sam read me this same fingerprint']);
    assert.ok(!fs.existsSync(path.join(teamDir(), 'sam.pub')), 'nothing added');
  });

  it('"Not yet: I have not compared it" says nothing was added and to run Add Teammate… again once compared (a key file given as a Uri, as Import Private Key\'s button does)', async () => {
    const pat = sshKeygen(state.scratch, 'pat', 'pat@example.com');
    const told = recordInformationMessages(() => undefined);
    try {
      const pending = run<RosterWriteResult>('custodian.addTeammate', vscode.Uri.file(path.join(state.scratch, 'pat.pub')));
      await new Promise((r) => setTimeout(r, 1500));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // Enter: "Not yet"
      assert.strictEqual(await pending, undefined, 'not added');
      await waitFor('the message', async () => told.told.length > 0);
    } finally {
      told.dispose();
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    }
    assert.deepStrictEqual(told.told, ['Nothing was added: pat@example.com is not on the team. Once they have read you their fingerprint and it matches, run Add Teammate… again.']);
    assert.ok(!(await state.services.roster.members()).some((m) => pat.fingerprintLine.includes(m.key.fingerprint)));
  });

  it('Add Myself to Team with a second key of mine asks first, naming the entry and key I am on the team with; Cancel adds nothing', async () => {
    const { shortFingerprint } = await import('../../src/core/keys');
    const mine = (await state.services.roster.members()).find((m) => m.key.fingerprint === me.fingerprint);
    assert.ok(mine, 'my first key is on the team');
    const laptop = (await run<KeyInfo>('custodian.generateKey', { name: 'Laptop', bits: 2048 }))!;
    const second = path.join(teamDir(), 'alice-laptop.pub');
    try {
      const cancelled = answerModals(() => undefined);
      try {
        assert.strictEqual(await run('custodian.addMyselfToTeam', { id: laptop.id, name: 'alice-laptop' }), undefined, 'cancelled');
      } finally {
        cancelled.dispose();
      }
      assert.ok(!fs.existsSync(second), 'nothing written');
      assert.deepStrictEqual(cancelled.prompts.map((p) => [p.message, p.items]), [[`You are already on the team as ${mine.name}, with your key ${shortFingerprint(me.fingerprint)}.`, ['Add This Key Too']]]);
      assert.match(cancelled.prompts[0].detail, /a second roster entry for you: files for the team are then encrypted to both of your keys/);
      const agreed = answerModals(() => 'Add This Key Too');
      try {
        assert.strictEqual((await run<RosterWriteResult>('custodian.addMyselfToTeam', { id: laptop.id, name: 'alice-laptop' }))?.name, 'alice-laptop');
      } finally {
        agreed.dispose();
      }
      assert.ok(fs.existsSync(second), 'added when I say so');
    } finally {
      await state.services.keyStore.delete(laptop.id);
    }
  });
});

describe('roster: what Verify Fingerprint found is kept', function () {
  this.timeout(180_000);
  const team = useTeam();
  const day = /\d{4}-\d{2}-\d{2}/.source;
  let n = 0;

  after(() => {
    for (const f of fs.readdirSync(workspaceFolder().uri.fsPath)) if (f.startsWith('checked-')) fs.rmSync(wsPath(f), { force: true });
  });

  /** Verify Fingerprint of `target` with what was read out; its messages answered by nobody. */
  async function check(target: Record<string, unknown>, fingerprint: string): Promise<VerifyFingerprintResult | undefined> {
    const warnings = recordWarningMessages(() => undefined);
    const info = recordInformationMessages(() => undefined);
    try {
      return await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { ...target, fingerprint });
    } finally {
      // The messages come after the command returns: given time to be answered here, not shown.
      await new Promise((r) => setTimeout(r, 500));
      warnings.dispose();
      info.dispose();
    }
  }

  async function item(view: 'team' | 'contacts', label: string) {
    return (await section(team.services, view))?.children.find((c) => c.label === label);
  }

  async function encryptTo(fingerprints: string[], answer: (message: string) => string | undefined) {
    const file = wsPath(`checked-${++n}.env`);
    fs.writeFileSync(file, `TOKEN=${n}\n`);
    const modals = answerModals((p) => answer(p.message));
    try {
      const { result, errors } = await captureErrors(team.services, () => run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(file), recipients: fingerprints, deleteOriginal: false }));
      return { result, errors, prompts: modals.prompts, file, enc: `${file}.enc` };
    } finally {
      modals.dispose();
    }
  }

  it('a fingerprint that did not match is kept and shown on the Team entry (warning, what was entered and what is on file), also by a view built again from what is stored', async () => {
    assert.strictEqual((await check({ name: 'bob' }, team.mallory.fingerprint))?.match, false);
    const bob = await waitFor('bob flagged in the Team view', async () => {
      const b = await item('team', 'bob');
      return /^fingerprint did not match · /.test(b?.description ?? '') && b;
    });
    assert.strictEqual(bob.icon, 'warning');
    assert.match(bob.tooltip ?? '', new RegExp(`The fingerprint did not match\\*\\* when you checked it with bob on ${day}:`));
    assert.ok(bob.tooltip?.includes(`You entered:  ${team.mallory.fingerprint}\nOn file:      ${team.bob.fingerprint}`), bob.tooltip);
    assert.match(bob.tooltip ?? '', /Encrypting to this key asks first\. Check the fingerprint again with bob over a channel you trust \(Verify Fingerprint…\), or remove them\./);
    assert.doesNotMatch(bob.tooltip ?? '', /before relying on it|to check it yourself/, 'the advice to compare gives way to what the comparison found');
    // Kept in globalState: what a window opened later builds its Team view from.
    const stored = new FingerprintChecks(team.services.context.globalState);
    const rotation = new RotationLists(team.services.context.workspaceState);
    const rebuilt = new TeamSection(team.services.roster, team.services.keys, team.services.rosterTrust, rotation, stored);
    try {
      const nodes = (await rebuilt.getChildren()) as TeammateNode[];
      const again = nodes.find((t) => t.entry.name === 'bob')!.getTreeItem();
      assert.match(String(again.description), /^fingerprint did not match · /);
      assert.ok((again.tooltip as vscode.MarkdownString).value.includes(`You entered:  ${team.mallory.fingerprint}`));
    } finally {
      stored.dispose();
      rotation.dispose();
    }
    assert.doesNotMatch((await item('team', 'alice'))?.description ?? '', /did not match/, 'only the key checked is flagged');
  });

  it('a typed fingerprint with one character wrong says where; "Type It Again", the default button, keeps no mismatch and starts from what was typed; a mismatch left, or typing again given up, is kept', async () => {
    const fp = team.bob.fingerprint;
    const at = 27; // character 21 after "SHA256:"
    const wrong = fp[at] === 'x' ? 'y' : 'x';
    const slipped = fp.slice(0, at) + wrong + fp.slice(at + 1);
    assert.strictEqual((await check({ name: 'bob' }, fp))?.match, true);
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalInput = window.showInputBox;
    const boxes: (vscode.InputBoxOptions | undefined)[] = [];
    let typed: (string | undefined)[] = [];
    window.showInputBox = async (options?: vscode.InputBoxOptions) => (boxes.push(options), typed.shift());
    let answer = (p: { items: string[] }): string | undefined => p.items[0];
    const modals = answerModals((p) => answer(p));
    const kept: (string | undefined)[] = [];
    const watching = team.services.fingerprintChecks.onDidChange(() => kept.push(team.services.fingerprintChecks.get(fp)?.result));
    const info = recordInformationMessages(() => undefined);
    try {
      // A slip, Enter (Type It Again), then the right fingerprint.
      typed = [slipped, fp];
      assert.deepStrictEqual(await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { name: 'bob' }), { match: true, expected: fp });
      assert.strictEqual(modals.prompts.length, 1);
      assert.match(modals.prompts[0].message, /^✗ The fingerprint does NOT match the key of bob/, 'still alarming');
      assert.deepStrictEqual(modals.prompts[0].items, ['Type It Again', 'Remove Teammate…'], 'a safe default (Enter) button, not the removal');
      assert.ok(
        modals.prompts[0].detail.includes(`Only character 21 after "SHA256:" differs: you entered "${wrong}", the key on file has "${fp[at]}".`),
        modals.prompts[0].detail,
      );
      assert.strictEqual(boxes[1]?.value, slipped, 'typing again starts from what was typed');
      assert.deepStrictEqual(boxes[1]?.valueSelection, [at, at + 1], 'with the character that differed selected');
      assert.deepStrictEqual(kept, ['match'], 'no mismatch kept on the way');
      assert.ok(fs.existsSync(path.join(teamDir(), 'bob.pub')), 'nothing removed');

      // Another key altogether: no hint; Type It Again, then Escape: the mismatch seen is kept.
      modals.prompts.length = 0;
      kept.length = 0;
      typed = [team.mallory.fingerprint, undefined];
      assert.strictEqual(await run('custodian.verifyFingerprint', { name: 'bob' }), undefined);
      assert.doesNotMatch(modals.prompts[0]?.detail ?? '', /Only (character|two characters)/);
      assert.deepStrictEqual(kept, ['mismatch']);
      assert.strictEqual(boxes[3]?.value, undefined, 'another key: typed again from scratch');

      // Cancel on the warning keeps the mismatch too.
      kept.length = 0;
      answer = () => undefined;
      typed = [slipped];
      assert.deepStrictEqual(await run<VerifyFingerprintResult>('custodian.verifyFingerprint', { name: 'bob' }), { match: false, expected: fp });
      assert.deepStrictEqual(kept, ['mismatch']);
    } finally {
      window.showInputBox = originalInput;
      modals.dispose();
      watching.dispose();
      info.dispose();
    }
    assert.strictEqual((await check({ name: 'bob' }, fp))?.match, true, 'cleared for the tests below');
  });

  it('encrypting to a key whose fingerprint did not match asks first, naming them; Cancel, the default, changes nothing on disk (Encrypt File, Re-encrypt for Team)', async () => {
    assert.strictEqual((await check({ name: 'bob' }, team.mallory.fingerprint))?.match, false);
    const cancelled = await encryptTo([team.bob.fingerprint, team.alice.fingerprint], () => undefined);
    assert.strictEqual(cancelled.result, undefined);
    assert.ok(!fs.existsSync(cancelled.enc), 'nothing encrypted');
    assert.strictEqual(fs.readFileSync(cancelled.file, 'utf8'), `TOKEN=${n}\n`, 'the original as it was');
    assert.deepStrictEqual(cancelled.prompts.map((p) => p.items), [['Leave bob Out', 'Encrypt Anyway']], 'a safe first button: Enter leaves bob out; Cancel encrypts nothing');
    assert.match(cancelled.prompts[0].message, new RegExp(`^The fingerprint of bob's key did not match when you checked it on ${day}\\. Encrypt to it anyway\\?$`));
    assert.ok(cancelled.prompts[0].detail.includes(`You entered:  ${team.mallory.fingerprint}\nOn file:      ${team.bob.fingerprint}`), cancelled.prompts[0].detail);
    assert.match(cancelled.errors[0]?.message ?? '', /^Nothing was encrypted: the fingerprint of bob's key did not match when you checked it\.$/);

    // The team's recipients, not chosen ones: a file for the team that lacks bob, re-keyed to the roster.
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const lacking = wsPath('checked-rekey.env.enc');
    fs.writeFileSync(lacking, await encryptFor([team.alice.publicKey, me], 'K=1\n', team.alice.key));
    const before = fs.readFileSync(lacking);
    const declined = answerModals(() => undefined);
    try {
      const { result, errors } = await captureErrors(team.services, () => run<ReencryptResult>('custodian.reencryptFile', { uri: wsUri('checked-rekey.env.enc'), quiet: true }));
      assert.ok(!result || result.reencrypted.length === 0, 'nothing re-encrypted');
      assert.match(errors[0]?.message ?? '', /fingerprint of bob's key did not match/);
      assert.ok(declined.prompts.some((p) => /^The fingerprint of bob's key did not match/.test(p.message)), JSON.stringify(declined.prompts.map((p) => p.message)));
    } finally {
      declined.dispose();
    }
    assert.deepStrictEqual(fs.readFileSync(lacking), before, 'the file as it was');

    // Leave bob Out (the default): the others get the file, bob does not.
    const without = await encryptTo([team.bob.fingerprint, team.alice.fingerprint], (m) => (/did not match/.test(m) ? 'Leave bob Out' : undefined));
    assert.deepStrictEqual(without.errors, []);
    const readers = await recipientsOf(fs.readFileSync(without.enc));
    assert.ok(readers.includes(team.alice.fingerprint) && !readers.includes(team.bob.fingerprint), readers.join(', '));

    // Encrypt Anyway is a choice made each time, not remembered.
    const anyway = await encryptTo([team.bob.fingerprint], (m) => (/did not match/.test(m) ? 'Encrypt Anyway' : undefined));
    assert.deepStrictEqual(anyway.errors, []);
    assert.ok((await recipientsOf(fs.readFileSync(anyway.enc))).includes(team.bob.fingerprint));
    assert.strictEqual((await encryptTo([team.bob.fingerprint], () => undefined)).prompts.length, 1, 'asked again');
  });

  it('the Encrypt for… picker flags a key whose fingerprint did not match, where it is ticked', async () => {
    assert.strictEqual((await check({ name: 'bob' }, team.mallory.fingerprint))?.match, false);
    const { pick, done, dispose } = await encryptSelectionPicker('tok-flagged');
    try {
      const description = (label: string): string => pick.items.find((i) => i.label === label)?.description ?? '';
      assert.match(description('bob'), /^\$\(warning\) fingerprint did not match · 2048-bit · /);
      const ticked = pick.selectedItems.map((i) => i.label);
      assert.ok(!ticked.includes('bob') && ticked.includes('alice'), `not ticked for me: ${ticked.join(', ')}`);
      assert.doesNotMatch(description('alice'), /did not match/);
      pick.hide();
      assert.strictEqual(await done, undefined);
    } finally {
      await dispose();
    }
    // Bob's key checked again (it matches): the later tests of this file start from a clean record.
    assert.strictEqual((await check({ name: 'bob' }, team.bob.fingerprint))?.match, true);
  });

  it('a contact whose fingerprint did not match is flagged in the Contacts view, and encrypting to them asks first', async () => {
    const zoe = await person('zoe');
    const contact = await run<Contact>('custodian.addContact', { text: opensslPublicPem(zoe.privatePem), name: 'Zoe', confirm: true });
    assert.ok(contact);
    try {
      assert.strictEqual((await check({ id: contact.id }, team.alice.fingerprint))?.match, false);
      const node = await waitFor('Zoe flagged', async () => {
        const z = await item('contacts', 'Zoe');
        return /^fingerprint did not match · 2048-bit · /.test(z?.description ?? '') && z;
      });
      assert.strictEqual(node.icon, 'warning');
      assert.ok(node.tooltip?.includes(`You entered:  ${team.alice.fingerprint}\nOn file:      ${zoe.fingerprint}`), node.tooltip);
      const asked = await encryptTo([zoe.fingerprint], () => undefined);
      assert.ok(!fs.existsSync(asked.enc), 'nothing encrypted');
      assert.deepStrictEqual(asked.prompts.map((p) => p.message.replace(new RegExp(day), 'DAY')), ["The fingerprint of Zoe's key did not match when you checked it on DAY. Encrypt to it anyway?"]);
    } finally {
      await run('custodian.removeContact', { id: contact.id, confirm: true });
    }
  });

  it('a later match replaces the mismatch: the entry says when I checked it, and encrypting to it asks nothing', async () => {
    assert.strictEqual((await check({ name: 'bob' }, team.bob.fingerprint))?.match, true);
    const bob = await waitFor('bob no longer flagged', async () => {
      const b = await item('team', 'bob');
      return b && !/did not match/.test(b.description ?? '') && b;
    });
    assert.strictEqual(bob.icon, 'person');
    assert.match(bob.tooltip ?? '', new RegExp(`You checked this fingerprint with bob on ${day}\\.`));
    assert.doesNotMatch(bob.tooltip ?? '', /did not match/);
    const { errors, prompts, enc } = await encryptTo([team.bob.fingerprint, team.alice.fingerprint], () => undefined);
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(prompts, [], 'no question');
    assert.ok((await recipientsOf(fs.readFileSync(enc))).includes(team.bob.fingerprint));
  });

  it('Remove Teammate\'s list marks my own entry "you" (a trial could not tell which one was theirs); cancelled, nothing is removed', async () => {
    const me = (await team.services.keyStore.getPublicKey(team.me.id))!;
    const window = vscode.window as unknown as { showQuickPick: unknown };
    const original = window.showQuickPick;
    let shown: (vscode.QuickPickItem & { entry?: { key?: { fingerprint: string } } })[] = [];
    window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
      shown = [...(await items)];
      return undefined;
    };
    try {
      assert.strictEqual(await run('custodian.removeTeammate', {}), undefined);
    } finally {
      window.showQuickPick = original;
    }
    const marked = shown.filter((i) => i.description?.startsWith('you · '));
    assert.strictEqual(marked.length, 1, JSON.stringify(shown.map((i) => [i.label, i.description])));
    assert.strictEqual(marked[0].entry?.key?.fingerprint, me.fingerprint);
    assert.match(marked[0].label, /^\$\(account\) /);
    assert.ok(shown.filter((i) => i !== marked[0]).every((i) => !i.description?.startsWith('you')), 'no one else is "you"');
    assert.ok((await team.services.roster.members()).some((m) => m.key.fingerprint === me.fingerprint), 'nothing removed');
  });

  it('adding a teammate or a contact once they read me the same fingerprint counts as a check of their key', async () => {
    const [dave, erin] = await Promise.all([person('dave'), person('erin')]);
    const window = vscode.window as unknown as { showQuickPick: unknown };
    const original = window.showQuickPick;
    // The person picks "… read me this same fingerprint" in the question Add Teammate / Add Contact asks.
    window.showQuickPick = async (items: readonly (vscode.QuickPickItem & { trust?: boolean })[] | Thenable<readonly (vscode.QuickPickItem & { trust?: boolean })[]>) => (await items).find((i) => i.trust === true);
    const info = recordInformationMessages(() => undefined);
    let contact: Contact | undefined;
    try {
      assert.ok(await run('custodian.addTeammate', { text: opensslPublicPem(dave.privatePem), name: 'dave' }));
      contact = await run<Contact>('custodian.addContact', { text: opensslPublicPem(erin.privatePem), name: 'Erin' });
    } finally {
      window.showQuickPick = original;
      info.dispose();
    }
    assert.ok(contact);
    const checked = new RegExp(`You checked this fingerprint with (dave|Erin) on ${day}\\.`);
    await waitFor('dave checked in the Team view', async () => checked.test((await item('team', 'dave'))?.tooltip ?? ''));
    await waitFor('Erin checked in the Contacts view', async () => checked.test((await item('contacts', 'Erin'))?.tooltip ?? ''));
    await run('custodian.removeContact', { contact: { id: contact.id }, confirm: true });
  });

  it('a check speaks for one key: when the entry of alice changes to a new key, it is unchecked again', async () => {
    assert.strictEqual((await check({ name: 'alice' }, team.mallory.fingerprint))?.match, false);
    await waitFor('alice flagged', async () => /^fingerprint did not match/.test((await item('team', 'alice'))?.description ?? ''));
    const newAlice = await person('alice');
    fs.writeFileSync(path.join(teamDir(), 'alice.pub'), opensslPublicPem(newAlice.privatePem));
    await waitFor('the new key of alice in the roster', async () => (await team.services.roster.members()).some((m) => m.name === 'alice' && m.key.fingerprint === newAlice.fingerprint));
    const alice = await waitFor('alice with her new key in the view', async () => {
      const a = await item('team', 'alice');
      return a?.tooltip?.includes(newAlice.fingerprint) && a;
    });
    assert.doesNotMatch(alice.description ?? '', /did not match/);
    assert.doesNotMatch(alice.tooltip ?? '', /did not match|You checked/);
    // The old key keeps its record: it is about that key, whoever's file holds it.
    const stored = new FingerprintChecks(team.services.context.globalState);
    assert.strictEqual(stored.get(team.alice.fingerprint)?.result, 'mismatch');
    assert.strictEqual(stored.get(newAlice.fingerprint), undefined);
    stored.dispose();
  });
});
