// Shamir share sets end to end, with the keys of four simulated teammates: alice (me, the dealer)
// splits 3 of 4; bob and carol release their shares to alice; alice recovers. Custodians are simulated
// by swapping which private key is in my key store. Also: bad input, tampering, and a scan proving the
// secret never reached the workspace (or VS Code's hot-exit backups) in the clear.
import * as assert from 'assert';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { decryptBytes } from '../../src/core/envelope';
import { parsePrivateKey, parsePublicKey } from '../../src/core/keys';
import { combineShares } from '../../src/core/shamir';
import { parseShare } from '../../src/core/share-encoding';
import type { RecoverSecretResult } from '../../src/extension/commands/shamir/recover-secret';
import { PEEK_SCHEME, RECOVERED_SCHEME } from '../../src/extension/editor/plaintext-documents';
import type { ReleaseShareResult } from '../../src/extension/commands/shamir/release-share';
import type { SplitSecretResult } from '../../src/extension/commands/shamir/split-secret';
import type { Services } from '../../src/extension/services';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { answerModals } from './support/modals';
import { enter, recordInputs } from './support/quick-inputs';
import { captureErrors, getServices, recordInformationMessages, resetState, run, section, teamDir, treeSnapshot, type ViewSnapshot, waitFor, workspaceFolder } from './support/custodian';

const PEOPLE = ['alice', 'bob', 'carol', 'dave'] as const;
type Name = (typeof PEOPLE)[number];
interface Teammate {
  privatePem: string;
  publicPem: string;
  fingerprint: string;
}

const SECRET = 'break-glass: root / Tr0ub4dor&3-correct-horse-7f3a9c';
const FILE_SECRET = 'recovery-key-FILE-5d1e8b2c9a77';
const SELECTION_SECRET = 'hunter2-SELECTION-0c4b7e19';
const TYPED_SECRET = 'typed-TWICE-break-glass-41c9d2';

describe('shamir', function () {
  this.timeout(180_000);
  let services: Services;
  const team = {} as Record<Name, Teammate>;
  const sharesDir = () => path.join(workspaceFolder().uri.fsPath, '.custodian', 'shares');
  const setDir = (name: string) => path.join(sharesDir(), name);

  /** Leaves exactly one private key in my key store: the named teammate's. */
  async function become(name: Name): Promise<void> {
    for (const k of services.keyStore.list()) await services.keyStore.delete(k.id);
    const info = await run<{ fingerprint: string }>('custodian.importPrivateKey', { pem: team[name].privatePem, name });
    assert.strictEqual(info?.fingerprint, team[name].fingerprint);
  }

  async function shamirSection(): Promise<ViewSnapshot> {
    const s = await section(services, 'shamir');
    assert.ok(s, 'the tree has a Shamir Sets section');
    return s;
  }

  before(async () => {
    services = await getServices();
    await resetState(services);
    fs.mkdirSync(teamDir(), { recursive: true });
    for (const name of PEOPLE) {
      const pair = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      team[name] = { privatePem: pair.privateKey, publicPem: pair.publicKey, fingerprint: parsePublicKey(pair.publicKey).fingerprint };
      fs.writeFileSync(path.join(teamDir(), `${name}.pub`), pair.publicKey);
    }
    await become('alice');
    await waitFor('the roster to list four teammates', async () => (await services.roster.members()).length === 4);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await resetState(services);
  });

  it('shows an empty Shamir Sets view after Contacts, whose welcome offers Split Secret', async () => {
    const ids = (await treeSnapshot(services)).map((s) => s.view);
    assert.ok(ids.indexOf('custodian.shamir') > ids.indexOf('custodian.contacts'), `order: ${ids.join(', ')}`);
    const s = await shamirSection();
    assert.deepStrictEqual(s.children, [], 'empty, so VS Code shows the welcome');
    const welcome = (services.context.extension.packageJSON.contributes.viewsWelcome as { view: string; contents: string; when?: string }[]).filter((w) => w.view === 'custodian.shamir');
    assert.ok(welcome.some((w) => w.when === 'workspaceFolderCount > 0' && w.contents.includes('command:custodian.splitSecret')), JSON.stringify(welcome));
  });

  it('splits a secret 3 of 4 into sealed, dealer-signed shares and a manifest without secret material', async () => {
    const fps = PEOPLE.map((n) => team[n].fingerprint);
    const result = await run<SplitSecretResult>('custodian.splitSecret', { secret: SECRET, setName: 'db-root', custodians: fps, threshold: 3 });
    assert.ok(result, 'splitSecret returns a result');
    assert.strictEqual(result.threshold, 3);
    assert.strictEqual(result.total, 4);
    assert.strictEqual(result.original, 'none');
    assert.deepStrictEqual(fs.readdirSync(setDir('db-root')).sort(), ['alice.share.enc', 'bob.share.enc', 'carol.share.enc', 'dave.share.enc', 'manifest.json']);
    assert.deepStrictEqual(fs.readdirSync(sharesDir()), ['db-root'], 'no temporary directory is left behind');

    const manifest = JSON.parse(fs.readFileSync(path.join(setDir('db-root'), 'manifest.json'), 'utf8'));
    assert.strictEqual(manifest.type, 'custodian-shamir-set');
    assert.strictEqual(manifest.version, 1);
    assert.strictEqual(manifest.name, 'db-root');
    assert.match(manifest.setId, /^[0-9a-f]{16}$/);
    assert.strictEqual(manifest.setId, result.setId);
    assert.strictEqual(manifest.threshold, 3);
    assert.strictEqual(manifest.total, 4);
    assert.ok(!Number.isNaN(Date.parse(manifest.created)));
    assert.deepStrictEqual(manifest.dealer, { name: 'alice', fingerprint: team.alice.fingerprint });
    assert.deepStrictEqual(
      manifest.custodians.map((c: { name: string; fingerprint: string; index: number }) => [c.name, c.fingerprint, c.index]),
      PEOPLE.map((n, i) => [n, team[n].fingerprint, i + 1]),
    );
    assert.deepStrictEqual(Object.keys(manifest).sort(), ['created', 'custodians', 'dealer', 'name', 'setId', 'threshold', 'total', 'type', 'version']);

    // Each share is sealed to its custodian only and signed by alice: bob's key opens bob's file.
    const backend = createNodeCryptoBackend();
    const bob = await parsePrivateKey(team.bob.privatePem);
    const opened = await decryptBytes(fs.readFileSync(path.join(setDir('db-root'), 'bob.share.enc')), { identities: [bob], backend });
    assert.match(new TextDecoder().decode(opened.plaintext), /^custodian-share1:[A-Za-z0-9_-]+\n$/);
    assert.strictEqual(opened.header.recipients.length, 1);
    assert.strictEqual(opened.signature.kind === 'signed' && opened.signature.signer.fingerprint, team.alice.fingerprint);
    await assert.rejects(decryptBytes(fs.readFileSync(path.join(setDir('db-root'), 'carol.share.enc')), { identities: [bob], backend }));
  });

  it('shows the set in the tree: T of N, custodians, my share', async () => {
    const set = await waitFor('the set in the tree', async () => (await shamirSection()).children.find((c) => c.label === 'db-root'));
    assert.strictEqual(set.contextValue, 'custodian.shamirSet');
    assert.match(set.description ?? '', /^3 of 4 · \d{4}-\d{2}-\d{2}/);
    assert.deepStrictEqual(set.children.map((c) => c.label), [...PEOPLE]);
    assert.ok((set.tooltip ?? '').includes('`.custodian/shares/db-root`'), 'the folder as a code span, with no escaping backslashes');
    // The next step is in the tooltip before anyone tries Recover.
    assert.ok((set.tooltip ?? '').includes('You hold 1 of the 3 shares needed. Ask 2 more of bob, carol, dave to run Release My Share… to you.'), set.tooltip);
    const alice = set.children[0];
    assert.strictEqual(alice.contextValue, 'custodian.shamirCustodian.mine');
    assert.match(alice.description ?? '', /you · sealed/);
    assert.strictEqual(set.children[1].contextValue, 'custodian.shamirCustodian');
    assert.strictEqual(set.children[1].description, 'sealed');
    assert.strictEqual(set.children[1].icon, 'lock');
  });

  it('refuses bad splits and writes nothing', async () => {
    const fps = PEOPLE.map((n) => team[n].fingerprint);
    const cases: [string, object, RegExp][] = [
      ['threshold above N', { secret: 'x', setName: 'bad1', custodians: fps.slice(0, 2), threshold: 3 }, /threshold must be an integer from 2 to 2/],
      ['threshold 1', { secret: 'x', setName: 'bad2', custodians: fps, threshold: 1 }, /threshold/],
      ['one custodian', { secret: 'x', setName: 'bad3', custodians: fps.slice(0, 1), threshold: 2 }, /at least 2 custodians/],
      ['a stranger', { secret: 'x', setName: 'bad4', custodians: [...fps.slice(0, 2), 'SHA256:' + 'A'.repeat(43)], threshold: 2 }, /not a usable key in the team roster/],
      ['an existing set', { secret: 'x', setName: 'db-root', custodians: fps, threshold: 2 }, /already exists/],
      ['an unsafe name', { secret: 'x', setName: '../escape', custodians: fps, threshold: 2 }, /cannot be a share set name/],
      ['an empty secret', { secret: '', setName: 'bad5', custodians: fps, threshold: 2 }, /empty/],
    ];
    for (const [what, arg, message] of cases) {
      const { result, errors } = await captureErrors(services, () => run('custodian.splitSecret', arg));
      assert.strictEqual(result, undefined, what);
      assert.strictEqual(errors.length, 1, what);
      assert.match(errors[0].message, message, what);
    }
    assert.deepStrictEqual(fs.readdirSync(sharesDir()), ['db-root']);
  });

  it('refuses a split my own keys alone could recover (the keys of T custodians in my keychain) unless that is confirmed', async () => {
    await run('custodian.importPrivateKey', { pem: team.carol.privatePem, name: 'carol' });
    const custodians = [team.alice, team.bob, team.carol].map((t) => t.fingerprint);
    try {
      const { result, errors } = await captureErrors(services, () => run('custodian.splitSecret', { secret: 'solo-x', setName: 'solo', custodians, threshold: 2 }));
      assert.strictEqual(result, undefined);
      assert.match(errors[0]?.message ?? '', /You hold the private keys of 2 of these custodians \(alice, carol\): with a threshold of 2, you alone could recover the secret/);
      assert.match(errors[0]?.hint ?? '', /or raise the threshold above 2\.$/);
      assert.ok(!fs.existsSync(setDir('solo')), 'nothing written');
      // All the custodians mine: no threshold helps, so none is suggested.
      const both = await captureErrors(services, () => run('custodian.splitSecret', { secret: 'solo-x', setName: 'solo-2', custodians: [team.alice.fingerprint, team.carol.fingerprint], threshold: 2 }));
      assert.strictEqual(both.errors[0]?.hint, 'You hold the keys of all 2 custodians: pick custodians whose keys are on other people\'s machines.');
      // A threshold above the keys I hold is a real split; so is one the person confirmed (Split Anyway).
      assert.ok(await run<SplitSecretResult>('custodian.splitSecret', { secret: 'solo-x', setName: 'solo-3', custodians, threshold: 3 }));
      assert.ok(await run<SplitSecretResult>('custodian.splitSecret', { secret: 'solo-x', setName: 'solo', custodians, threshold: 2, confirm: true }));
    } finally {
      await become('alice');
      for (const name of ['solo', 'solo-3']) fs.rmSync(setDir(name), { recursive: true, force: true });
    }
  });

  it('with only my own share, recover says 1 of 3 and refuses', async () => {
    const r = await run<RecoverSecretResult>('custodian.recoverSecret', { setName: 'db-root', output: 'untitled' });
    assert.strictEqual(r?.recovered, false);
    assert.strictEqual(r?.collected, 1);
    assert.deepStrictEqual(r?.from, ['alice']);
  });

  it('bob releases his share to alice, after a confirmation naming her and what it lets her do; then 2 of 3 are available and recover still refuses', async () => {
    await become('bob');
    const releaseFile = path.join(setDir('db-root'), 'bob.release-to-alice.share.enc');
    const cancelled = answerModals(() => undefined);
    try {
      assert.strictEqual(await run('custodian.releaseShare', { setName: 'db-root', recipient: team.alice.fingerprint }), undefined);
    } finally {
      cancelled.dispose();
    }
    assert.ok(!fs.existsSync(releaseFile), 'Cancel releases nothing');
    assert.strictEqual(cancelled.prompts.length, 1);
    const [prompt] = cancelled.prompts;
    assert.strictEqual(prompt.message, 'Release your share of "db-root" to alice?');
    assert.deepStrictEqual(prompt.items, ['Release to alice']);
    assert.match(prompt.detail, /^With it, alice holds 2 of the 3 shares needed; once they hold 3, they can recover the secret without you\.\n\nYour share \(bob\) is sealed to alice's key /);
    const confirmed = answerModals((p) => (p.message === 'Release your share of "db-root" to alice?' ? 'Release to alice' : undefined));
    let released: ReleaseShareResult | undefined;
    try {
      released = await run<ReleaseShareResult>('custodian.releaseShare', { setName: 'db-root', recipient: team.alice.fingerprint });
    } finally {
      confirmed.dispose();
    }
    assert.ok(released);
    assert.strictEqual(released.custodian, 'bob');
    assert.strictEqual(path.basename(released.uri.fsPath), 'bob.release-to-alice.share.enc');
    assert.ok(fs.existsSync(path.join(setDir('db-root'), 'bob.release-to-alice.share.enc')));

    // Bob is not a custodian of carol's share and cannot release to himself.
    const self = await captureErrors(services, () => run('custodian.releaseShare', { setName: 'db-root', recipient: team.bob.fingerprint }));
    assert.strictEqual(self.result, undefined);
    assert.match(self.errors[0]?.message ?? '', /own key/);

    await become('alice');
    const r = await run<RecoverSecretResult>('custodian.recoverSecret', { setName: 'db-root', output: 'untitled' });
    assert.strictEqual(r?.recovered, false);
    assert.strictEqual(r?.collected, 2);
    assert.strictEqual(r?.threshold, 3);
    assert.deepStrictEqual(r?.from, ['alice', 'bob']);
    assert.deepStrictEqual(r?.waitingFor, ['carol', 'dave']);
    assert.strictEqual(r?.uri, undefined, 'nothing was opened');

    const set = await waitFor('progress in the tree', async () => {
      const s = (await shamirSection()).children.find((c) => c.label === 'db-root');
      return s && /2 of 3 needed shares available/.test(s.description ?? '') ? s : undefined;
    });
    assert.match(set.children[1].description ?? '', /sealed · released to alice/);
    assert.ok((set.tooltip ?? '').includes('You hold 2 of the 3 shares needed. Ask one more of carol, dave to run Release My Share… to you.'), set.tooltip);
    assert.strictEqual(set.children[1].icon, 'unlock');
  });

  it('a key that is no custodian of the set cannot release', async () => {
    const dave = team.dave;
    for (const k of services.keyStore.list()) await services.keyStore.delete(k.id);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await run('custodian.importPrivateKey', { pem: other.privateKey, name: 'mallory' });
    const { result, errors } = await captureErrors(services, () => run('custodian.releaseShare', { setName: 'db-root', recipient: dave.fingerprint }));
    assert.strictEqual(result, undefined);
    assert.match(errors[0]?.message ?? '', /None of your keys is a custodian of "db-root"/);
  });

  it('carol releases to alice; alice recovers into a read-only editor that is never saved', async () => {
    await become('carol');
    const confirmed = answerModals((p) => (p.message === 'Release your share of "db-root" to alice?' ? 'Release to alice' : undefined));
    try {
      assert.ok(await run<ReleaseShareResult>('custodian.releaseShare', { setName: 'db-root', recipient: team.alice.fingerprint }));
    } finally {
      confirmed.dispose();
    }
    assert.match(confirmed.prompts[0]?.detail ?? '', /^With it, alice holds 3 of the 3 shares needed and can recover the secret alone, now or at any later time\./);
    await become('alice');
    const { told, dispose: stopRecording } = recordInformationMessages();
    let r: RecoverSecretResult | undefined;
    try {
      r = await run<RecoverSecretResult>('custodian.recoverSecret', { setName: 'db-root', output: 'untitled' });
    } finally {
      stopRecording();
    }
    assert.ok(r?.recovered, 'recovered');
    // Whose shares were used and who dealt the set, said where the secret is shown.
    assert.deepStrictEqual(told, ['Recovered the secret of "db-root": shown read-only, never saved. From the shares of alice, bob, carol; dealt by you (alice).']);
    assert.strictEqual(r.collected, 3);
    assert.deepStrictEqual(r.from, ['alice', 'bob', 'carol']);
    assert.strictEqual(r.dealer.known, true);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.strictEqual(editor.document.uri.toString(), r.uri?.toString());
    assert.strictEqual(editor.document.getText(), SECRET);
    assert.strictEqual(editor.document.uri.scheme, 'custodian-recovered');
    assert.strictEqual(editor.document.isDirty, false, 'not dirty, so never backed up');
    // A careless user presses Ctrl+S, then Enter in whatever opens: VS Code saved a document that no file
    // system serves with Save As, offering the workspace folder, and the secret was written there.
    const saving = Promise.resolve(vscode.commands.executeCommand('workbench.action.files.save'));
    await new Promise((r) => setTimeout(r, 1500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await Promise.race([saving, new Promise((r) => setTimeout(r, 3000))]);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.deepStrictEqual(fs.readdirSync(workspaceFolder().uri.fsPath).filter((n) => n.startsWith('db-root')), [], 'Ctrl+S wrote nothing');
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), SECRET, 'the editor is still the read-only one');
    // Ctrl+S and Save As's shortcut say why nothing is written there (Save As would have written it anywhere).
    const bindings = services.context.extension.packageJSON.contributes.keybindings as { command: string; key: string; when: string }[];
    for (const key of ['ctrl+s', 'ctrl+shift+s']) {
      const bound = bindings.find((b) => b.key === key && b.command === 'custodian.saveInMemoryDocument');
      // (VS Code hands the manifest over with its when clauses normalized: `resourceScheme == 'custodian-peek' || …`.)
      const schemes = [...(bound?.when ?? '').matchAll(/resourceScheme == '?([\w-]+)'?/g)].map((m) => m[1]).sort();
      assert.deepStrictEqual(schemes, [PEEK_SCHEME, RECOVERED_SCHEME].sort(), key);
    }
    assert.match((await run<string>('custodian.saveInMemoryDocument')) ?? '', /^The recovered secret is held in memory only and never saved to disk/);
    // File › Save As to a path the person types still writes (no hook runs before it): the save is
    // caught afterwards, and deleting the file with its Local History copies is offered first.
    const copy = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'saved-as.txt'));
    fs.writeFileSync(copy.fsPath, '');
    const unrelated = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'unrelated.txt'));
    fs.writeFileSync(unrelated.fsPath, '');
    const modals = answerModals((p) => (/saved-as\.txt now holds a recovered secret in the clear/.test(p.message) ? 'Delete the File' : undefined));
    try {
      for (const [uri, text] of [[unrelated, 'x'.repeat(SECRET.length)], [copy, SECRET]] as const) {
        const doc = await vscode.workspace.openTextDocument(uri);
        const edit = new vscode.WorkspaceEdit();
        edit.insert(uri, new vscode.Position(0, 0), text);
        await vscode.workspace.applyEdit(edit);
        await doc.save();
      }
      await waitFor('the saved copy deleted', async () => !fs.existsSync(copy.fsPath));
      assert.strictEqual(modals.prompts.length, 1, modals.prompts.map((p) => p.message).join(' | '));
      assert.deepStrictEqual(modals.prompts[0].items, ['Delete the File', 'Keep It'], 'deleting is the first (default) button');
      assert.ok(fs.existsSync(unrelated.fsPath), 'another text of the same length is left alone');
    } finally {
      modals.dispose();
      fs.rmSync(unrelated.fsPath, { force: true });
      fs.rmSync(copy.fsPath, { force: true });
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    const set = await waitFor('recovered in the tree', async () => {
      const s = (await shamirSection()).children.find((c) => c.label === 'db-root');
      return s && /recovered/.test(s.description ?? '') ? s : undefined;
    });
    assert.ok(set);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('asks what to do with the secret when no output is given (QuickPick)', async () => {
    const pending = run<RecoverSecretResult>('custodian.recoverSecret', { setName: 'db-root' });
    try {
      // The first item is "Show in an Editor"; accept it as a user pressing Enter would.
      await new Promise((r) => setTimeout(r, 1500));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const r = await pending;
      assert.strictEqual(r?.output, 'untitled');
      assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), SECRET);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('recovers to the clipboard and to an encrypted file', async () => {
    const c = await run<RecoverSecretResult>('custodian.recoverSecret', { setName: 'db-root', output: 'clipboard' });
    assert.ok(c?.recovered);
    assert.strictEqual(await vscode.env.clipboard.readText(), SECRET);
    assert.strictEqual(c.clearsInSeconds, services.config().clipboardClearSeconds);
    await vscode.env.clipboard.writeText('');

    const target = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'db-root.enc'));
    const e = await run<RecoverSecretResult>('custodian.recoverSecret', {
      setName: 'db-root',
      output: 'encrypted',
      recipients: [team.alice.fingerprint, team.dave.fingerprint],
      uri: target,
    });
    assert.strictEqual(e?.uri?.fsPath, target.fsPath);
    const dave = await parsePrivateKey(team.dave.privatePem);
    const opened = await decryptBytes(fs.readFileSync(target.fsPath), { identities: [dave], backend: createNodeCryptoBackend() });
    assert.strictEqual(new TextDecoder().decode(opened.plaintext), SECRET);
    // Refuses to replace it without overwrite.
    const again = await captureErrors(services, () =>
      run('custodian.recoverSecret', { setName: 'db-root', output: 'encrypted', recipients: [team.alice.fingerprint], uri: target }),
    );
    assert.strictEqual(again.result, undefined);
    assert.match(again.errors[0]?.message ?? '', /already exists/);
    fs.rmSync(target.fsPath);
  });

  it('Reveal Manifest takes the set\'s tree node; the tree follows share files changing on disk', async () => {
    const set = (await shamirSection()).children.find((c) => c.label === 'db-root');
    assert.ok(set);
    const uri = await run<vscode.Uri>('custodian.revealShareManifest', set.node);
    assert.strictEqual(uri?.fsPath, path.join(setDir('db-root'), 'manifest.json'));
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, uri?.fsPath);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const release = path.join(setDir('db-root'), 'carol.release-to-alice.share.enc');
    const share = path.join(setDir('db-root'), 'dave.share.enc');
    const saved = [fs.readFileSync(release), fs.readFileSync(share)];
    const custodian = async (name: string) => (await shamirSection()).children.find((c) => c.label === 'db-root')?.children.find((c) => c.label === name);
    try {
      fs.rmSync(release);
      fs.rmSync(share);
      await waitFor('carol no longer released', async () => (await custodian('carol'))?.description === 'sealed');
      const dave = await waitFor('dave missing', async () => {
        const d = await custodian('dave');
        return d?.description === 'share missing' ? d : undefined;
      });
      assert.strictEqual(dave.icon, 'warning');
      assert.match((await shamirSection()).children.find((c) => c.label === 'db-root')?.description ?? '', /problems/);
    } finally {
      fs.writeFileSync(release, saved[0]);
      fs.writeFileSync(share, saved[1]);
    }
    await waitFor('carol released again', async () => /released to alice/.test((await custodian('carol'))?.description ?? ''));
  });

  it('fails with a clear error on a tampered share, a forged manifest and a release from the wrong custodian', async () => {
    const file = path.join(setDir('db-root'), 'bob.release-to-alice.share.enc');
    const original = fs.readFileSync(file);
    const manifestFile = path.join(setDir('db-root'), 'manifest.json');
    const manifestText = fs.readFileSync(manifestFile, 'utf8');
    try {
      const tampered = Buffer.from(original);
      tampered[tampered.length - 300] ^= 0x01;
      fs.writeFileSync(file, tampered);
      let out = await captureErrors(services, () => run('custodian.recoverSecret', { setName: 'db-root', output: 'untitled' }));
      assert.strictEqual(out.result, undefined);
      assert.strictEqual(out.errors[0]?.name, 'ShareSetError');
      assert.match(out.errors[0].message, /bob\.release-to-alice\.share\.enc of set "db-root" failed verification/);
      assert.ok(!out.errors[0].message.includes(SECRET));
      // The tree shows it too, no longer "recovered" from the run before; and a share sealed to someone
      // else, edited the same way, is flagged for everyone to see (its signature is checked without a key).
      // Alice's own share, edited, can no longer be released: the tree offers no Release for it.
      const editedShares = ['dave', 'alice'].map((name) => {
        const shareFile = path.join(setDir('db-root'), `${name}.share.enc`);
        const shareOriginal = fs.readFileSync(shareFile);
        const shareTampered = Buffer.from(shareOriginal);
        shareTampered[shareTampered.length - 300] ^= 0x01;
        fs.writeFileSync(shareFile, shareTampered);
        return { shareFile, shareOriginal };
      });
      try {
        const custodian = async (name: string) => (await shamirSection()).children.find((c) => c.label === 'db-root')?.children.find((c) => c.label === name);
        for (const name of ['bob', 'dave', 'alice']) {
          const node = await waitFor(`${name}'s edited file in the tree`, async () => {
            const c = await custodian(name);
            return c && /its signature does not verify/.test(c.tooltip ?? '') ? c : undefined;
          });
          assert.match(node.description ?? '', /damaged/, name);
        }
        const alice = (await custodian('alice'))!;
        assert.strictEqual(alice.contextValue, 'custodian.shamirCustodian.mine.unusable', 'no Release action on a damaged share of mine');
        assert.doesNotMatch(alice.tooltip ?? '', /Release My Share/);
        assert.match(alice.tooltip ?? '', /cannot be released/);
        const setNode = (await shamirSection()).children.find((c) => c.label === 'db-root');
        assert.match(setNode?.description ?? '', /problems/);
        assert.doesNotMatch(setNode?.description ?? '', /recovered/);
      } finally {
        for (const { shareFile, shareOriginal } of editedShares) fs.writeFileSync(shareFile, shareOriginal);
      }
      fs.writeFileSync(file, original);

      // Lowering the threshold in the manifest is caught against the shares.
      fs.writeFileSync(manifestFile, manifestText.replace('"threshold": 3', '"threshold": 2'));
      out = await captureErrors(services, () => run('custodian.recoverSecret', { setName: 'db-root', output: 'untitled' }));
      assert.strictEqual(out.result, undefined);
      assert.match(out.errors[0]?.message ?? '', /says 3 of 4, the manifest 2 of 4/);
      fs.writeFileSync(manifestFile, manifestText);

      // Bob's release passed off as dave's: the signer does not match.
      const forged = path.join(setDir('db-root'), 'dave.release-to-alice.share.enc');
      fs.copyFileSync(file, forged);
      out = await captureErrors(services, () => run('custodian.recoverSecret', { setName: 'db-root', output: 'untitled' }));
      assert.strictEqual(out.result, undefined);
      assert.match(out.errors[0]?.message ?? '', /dave\.release-to-alice\.share\.enc .*not signed by the custodian dave/);
      fs.rmSync(forged);
    } finally {
      fs.writeFileSync(file, original);
      fs.writeFileSync(manifestFile, manifestText);
    }
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-recovered', false, 'nothing was opened');
  });

  it('after a recovery from the tree, offers to delete the released shares that would let me recover again alone; Keep leaves them, Delete removes only them', async () => {
    const releases = ['bob.release-to-alice.share.enc', 'carol.release-to-alice.share.enc'];
    const recoverFromTree = async (answer: string | undefined) => {
      const modals = answerModals((p) => (p.message === 'Delete the released shares that let you recover "db-root"?' ? answer : undefined));
      const messages = recordInformationMessages();
      try {
        const set = (await shamirSection()).children.find((c) => c.label === 'db-root');
        assert.ok(set);
        const pending = run<RecoverSecretResult>('custodian.recoverSecret', set.node);
        await new Promise((r) => setTimeout(r, 1500));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // Show in an Editor
        return { result: await pending, prompts: modals.prompts, told: messages.told };
      } finally {
        modals.dispose();
        messages.dispose();
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
    };
    const kept = await recoverFromTree(undefined);
    assert.ok(kept.result?.recovered);
    assert.strictEqual(kept.prompts.length, 1, 'asked once the secret was shown');
    const [prompt] = kept.prompts;
    assert.deepStrictEqual(prompt.items, ['Delete Release Files']);
    assert.strictEqual(prompt.message, 'Delete the released shares that let you recover "db-root"?');
    assert.match(prompt.detail, /you can recover the secret again at any time without the other custodians \(bob, carol\)/);
    assert.match(prompt.detail, /Delete Release Files deletes them permanently \(not to the trash\): bob\.release-to-alice\.share\.enc, carol\.release-to-alice\.share\.enc\. Cancel keeps them\./);
    assert.match(prompt.detail, /commit the deletion/);
    assert.ok(!`${prompt.message} ${prompt.detail}`.includes(SECRET));
    assert.strictEqual(kept.result.releasesDeleted, undefined);
    for (const f of releases) assert.ok(fs.existsSync(path.join(setDir('db-root'), f)), `${f} kept`);

    const removed = await recoverFromTree('Delete Release Files');
    assert.deepStrictEqual(removed.result?.releasesDeleted, releases);
    assert.deepStrictEqual(fs.readdirSync(setDir('db-root')).sort(), ['alice.share.enc', 'bob.share.enc', 'carol.share.enc', 'dave.share.enc', 'manifest.json'], 'only the release files are gone');
    assert.ok(removed.told.includes('Deleted bob.release-to-alice.share.enc, carol.release-to-alice.share.enc from "db-root". Commit the deletion so the released shares leave the repository.'), removed.told.join(' | '));
    // Alone again: my own share is one of the three needed.
    const again = await run<RecoverSecretResult>('custodian.recoverSecret', { setName: 'db-root', output: 'untitled' });
    assert.deepStrictEqual([again?.recovered, again?.collected], [false, 1]);
  });

  it('asks for a typed secret twice; when the two entries differ it says so and asks again', async () => {
    const rec = recordInputs();
    try {
      const done = run<SplitSecretResult>('custodian.splitSecret', { setName: 'typed-twice', custodians: ['alice', 'bob'], threshold: 2 });
      const shown = (n: number) => waitFor(`input #${n}`, async () => rec.inputs.length >= n && (rec.inputs[n - 1] as vscode.InputBox));
      const first = await shown(1);
      assert.deepStrictEqual([first.password, first.step, first.totalSteps], [true, 1, 2]);
      first.value = TYPED_SECRET;
      await enter();
      const again = await shown(2);
      assert.deepStrictEqual([again.password, again.step, again.prompt], [true, 2, 'Enter the same secret again.']);
      again.value = `${TYPED_SECRET}x`; // a typo in the second entry
      await enter();
      const retry = await shown(3);
      assert.strictEqual(retry.step, 1, 'back at the first entry');
      assert.strictEqual(retry.value, '', 'emptied: which entry was mistyped is not known');
      assert.match(retry.prompt ?? '', /^The two entries differ\. Type or paste the secret again\.$/);
      retry.value = TYPED_SECRET;
      await enter();
      (await shown(4)).value = TYPED_SECRET;
      await enter();
      const result = await done;
      assert.strictEqual(result?.setName, 'typed-twice');
      assert.strictEqual(rec.inputs.length, 4);
    } finally {
      rec.dispose();
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    }
    // The set holds what was typed twice, not the mistyped entry.
    const backend = createNodeCryptoBackend();
    const shares = [];
    for (const name of ['alice', 'bob'] as const) {
      const key = await parsePrivateKey(team[name].privatePem);
      const opened = await decryptBytes(fs.readFileSync(path.join(setDir('typed-twice'), `${name}.share.enc`)), { identities: [key], backend });
      shares.push(parseShare(new TextDecoder().decode(opened.plaintext)));
    }
    assert.strictEqual(new TextDecoder().decode(combineShares(shares)), TYPED_SECRET);
  });

  it('splits a file and deletes it only after the set was written', async () => {
    const file = path.join(workspaceFolder().uri.fsPath, 'recovery-key.txt');
    fs.writeFileSync(file, FILE_SECRET);
    const r = await run<SplitSecretResult>('custodian.splitSecret', {
      uri: vscode.Uri.file(file),
      setName: 'from-file',
      custodians: ['alice', 'bob'],
      threshold: 2,
      deleteOriginal: true,
    });
    assert.strictEqual(r?.original, 'deleted');
    assert.ok(!fs.existsSync(file), 'the original file is gone');
    assert.deepStrictEqual(fs.readdirSync(setDir('from-file')).sort(), ['alice.share.enc', 'bob.share.enc', 'manifest.json']);
  });

  it('splits a selection and replaces it with a note', async () => {
    const file = path.join(workspaceFolder().uri.fsPath, 'notes.txt');
    fs.writeFileSync(file, `db password: ${SELECTION_SECRET}\n`);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showTextDocument(doc);
    const start = doc.getText().indexOf(SELECTION_SECRET);
    editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(start + SELECTION_SECRET.length));
    const r = await run<SplitSecretResult>('custodian.splitSecret', {
      source: 'selection',
      setName: 'from-selection',
      custodians: ['alice', 'carol', 'dave'],
      threshold: 2,
      deleteOriginal: true,
    });
    assert.strictEqual(r?.original, 'replaced');
    assert.strictEqual(doc.getText(), 'db password: <secret split into set from-selection, 2 of 3>\n');
    assert.ok(await doc.save());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('recovers a binary secret only to an encrypted file', async () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 151 + 7) & 0xff);
    bytes[0] = 0xff; // not UTF-8
    const split = await run<SplitSecretResult>('custodian.splitSecret', { secret: bytes, setName: 'binary', custodians: ['alice', 'bob'], threshold: 2 });
    assert.strictEqual(split?.total, 2);
    await become('bob');
    assert.ok(await run('custodian.releaseShare', { setName: 'binary', recipient: team.alice.fingerprint, confirm: true }));
    await become('alice');
    const shown = await captureErrors(services, () => run('custodian.recoverSecret', { setName: 'binary', output: 'untitled' }));
    assert.strictEqual(shown.result, undefined);
    assert.match(shown.errors[0]?.message ?? '', /binary, not text/);
    const target = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'binary.enc'));
    const r = await run<RecoverSecretResult>('custodian.recoverSecret', { setName: 'binary', output: 'encrypted', recipients: [team.alice.fingerprint], uri: target });
    assert.ok(r?.recovered);
    const alice = await parsePrivateKey(team.alice.privatePem);
    const opened = await decryptBytes(fs.readFileSync(target.fsPath), { identities: [alice], backend: createNodeCryptoBackend() });
    assert.deepStrictEqual(opened.plaintext, bytes);
    assert.strictEqual(opened.signature.kind === 'signed' && opened.signature.signer.fingerprint, team.alice.fingerprint);
  });

  it('leaves no plaintext secret anywhere in the workspace, VS Code\'s backups or its Local History', async () => {
    await new Promise((r) => setTimeout(r, 2000)); // give hot exit time to back up anything dirty
    const needles = [SECRET, FILE_SECRET, SELECTION_SECRET, TYPED_SECRET].map((s) => Buffer.from(s));
    const hits: string[] = [];
    const scan = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) scan(p);
        else if (e.isFile()) {
          const bytes = fs.readFileSync(p);
          for (const n of needles) if (bytes.includes(n)) hits.push(`${p} (${n.toString().slice(0, 12)}…)`);
        }
      }
    };
    scan(workspaceFolder().uri.fsPath);
    // Hot-exit backups, and Local History (a copy of every file saved in VS Code).
    const userData = process.env.CUSTODIAN_TEST_USER_DATA_DIR;
    if (userData) for (const dir of ['Backups', 'History']) scan(path.join(userData, 'User', dir));
    assert.deepStrictEqual(hits, []);
    assert.ok(fs.readdirSync(sharesDir()).every((n) => !n.startsWith('.')), 'no temporary files');
  });
});
