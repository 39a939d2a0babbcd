// Value-encrypted .env files in the real VS Code (docs/VALUES.md): Encrypt Values for Team, open the file
// decrypted, edit one value, save. `git diff` then shows that value's line and the MAC and signature
// lines, nothing else; no value reaches the disk in the clear (file, backups, history).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RsaPrivateKey } from '../../src/core/keys';
import type { ShowRecipientsResult } from '../../src/extension/commands/decrypt/show-recipients';
import { captureErrors, getApi, recordInformationMessages, recordWarningMessages, run, waitFor } from './support/custodian';
import { answerModals } from './support/modals';
import { toValuesMergeResultUri, toValuesUri } from '../../src/extension/fs/values-uri';
import { closeAllEditors, encryptFor, filesContaining, sleep, useTeam, wsPath, wsUri } from './support/enc';

const USER_DATA = process.env.CUSTODIAN_TEST_USER_DATA_DIR ?? '';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
}

describe('value-encrypted files in the editor', function () {
  this.timeout(120_000);
  const team = useTeam();
  const dir = (): string => wsPath('values-repo');
  const secrets = ['db-pass-4F9a', 'api-token-Q7zz', 'smtp-secret-K2pp'];

  /** A value-encrypted .env in values-repo, sealed to me (signed by `signer` when given); its text. */
  async function sealedForMe(name: string, document: string, signer?: RsaPrivateKey, format: 'dotenv' | 'yaml' = 'dotenv'): Promise<{ file: vscode.Uri; text: string }> {
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsUri('values-repo', name);
    const text = await sealValues(document, { format, recipients: [me], signer, backend });
    fs.writeFileSync(file.fsPath, text);
    return { file, text };
  }
  /** A decrypted view made by hand, named by the file's absolute path (as an earlier version named them). */
  const shownUri = (file: vscode.Uri): vscode.Uri => vscode.Uri.from({ scheme: 'custodian-values', path: file.path, query: file.toString() });
  /** The file a decrypted view shows (its query). */
  const behind = (uri: vscode.Uri): vscode.Uri => (uri.scheme === 'custodian-values' ? vscode.Uri.parse(uri.query, true) : uri);

  before(() => {
    fs.rmSync(dir(), { recursive: true, force: true });
    fs.mkdirSync(dir(), { recursive: true });
    git(dir(), 'init', '-q');
  });

  after(async () => {
    await closeAllEditors();
    fs.rmSync(dir(), { recursive: true, force: true });
  });

  it('encrypt values, open decrypted, edit one value, save: git diff is that line plus mac= and signature=, nothing plaintext on disk', async () => {
    const file = wsUri('values-repo', '.env');
    const plain = `# service settings\nDB_PASSWORD=${secrets[0]}\nAPI_TOKEN="${secrets[1]}" # rotate monthly\n\nSMTP_SECRET=${secrets[2]}\n`;
    fs.writeFileSync(file.fsPath, plain);
    const opened = await run<vscode.Uri>('custodian.encryptValues', { uri: file });
    assert.ok(opened, 'Encrypt Values for Team returned the decrypted view');
    assert.strictEqual(opened.scheme, 'custodian-values');
    const sealed = fs.readFileSync(file.fsPath, 'utf8');
    for (const s of secrets) assert.ok(!sealed.includes(s), `${s} is not in the file`);
    assert.match(sealed, /^DB_PASSWORD=custodian-val1\./m);
    assert.match(sealed, /^# service settings$/m);
    git(dir(), 'add', '.env');
    git(dir(), 'commit', '-q', '-m', 'sealed');

    const editor = await waitFor('the decrypted editor', async () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'custodian-values'));
    assert.strictEqual(editor.document.getText(), plain, 'the editor shows the plaintext document, byte for byte');
    await waitFor('the status bar', async () => team.encryption.statusBar.text?.includes('Encrypted for'));
    assert.match(team.encryption.statusBar.text ?? '', /signed by me/);

    const newSecret = `new-token-${Math.random().toString(36).slice(2, 10)}`;
    const line = editor.document.lineAt(2);
    const start = line.text.indexOf(secrets[1]);
    await editor.edit((e) => e.replace(new vscode.Range(2, start, 2, start + secrets[1].length), newSecret));
    await sleep(1500); // VS Code's hot-exit backup runs about a second after an edit
    assert.ok(await editor.document.save(), 'saved');

    const after = fs.readFileSync(file.fsPath, 'utf8');
    assert.ok(!after.includes(newSecret), 'the new value is not in the file in the clear');
    const changed = git(dir(), 'diff', '--unified=0', '--no-color', '.env')
      .split('\n')
      .filter((l) => /^[-+][^-+]/.test(l))
      .map((l) => l.replace(/^([-+][A-Z_]+=|[-+]#custodian:[a-z]+=).*/, '$1…'));
    assert.deepStrictEqual(changed, ['-API_TOKEN=…', '+API_TOKEN=…', '-#custodian:mac=…', '-#custodian:signature=…', '+#custodian:mac=…', '+#custodian:signature=…']);
    assert.match(after, /^API_TOKEN=custodian-val1\.[A-Za-z0-9_-]+ # rotate monthly$/m, 'the quotes went into the token, the comment stayed');

    // Re-opened from disk, the edit is there.
    await closeAllEditors();
    const again = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'custodian-values', path: file.path, query: file.toString() }));
    assert.strictEqual(again.getText(), plain.replace(secrets[1], newSecret));

    assert.ok(USER_DATA, 'CUSTODIAN_TEST_USER_DATA_DIR is set');
    for (const s of [...secrets, newSecret]) {
      assert.deepStrictEqual(filesContaining(dir(), s), [], `${s} nowhere in the repository (working tree, .git)`);
      assert.deepStrictEqual(filesContaining(USER_DATA, s), [], `${s} nowhere under the user data dir (backups, history)`);
    }
    const blockers = await team.encryption.backupGuard.ensure();
    assert.ok(blockers.some((b) => path.basename(b) === 'custodian-values'), 'hot-exit backups of custodian-values documents are blocked');
  });

  it('the decrypted tab is named like the file, under its workspace-relative path as a .enc\'s is (breadcrumbs values-repo › tab.env), in the file\'s language', async () => {
    const { file } = await sealedForMe('tab.env', 'TAB_SECRET=tab-label-8k\n', team.alice.key);
    // Opened from its tokens (the CodeLens, the title bar): the decrypted view takes their tab's place.
    await vscode.window.showTextDocument(file, { preview: false });
    const opened = await run<vscode.Uri>('custodian.openValuesDecrypted', { uri: file });
    const tokenTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file.toString());
    assert.deepStrictEqual(tokenTabs.map((t) => t.label), [], 'the token tab is replaced');
    assert.ok(opened);
    // The tab label, its tooltip and the breadcrumbs are the URI's base name and path segments.
    assert.strictEqual(opened.path, '/values-repo/tab.env', 'the breadcrumbs read values-repo › tab.env, not the absolute path');
    assert.strictEqual(behind(opened).toString(), file.toString());
    const editor = await waitFor('the decrypted editor', async () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-values' && vscode.window.activeTextEditor);
    assert.strictEqual(editor.document.uri.toString(), opened.toString());
    assert.strictEqual(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'tab.env');
    assert.strictEqual(editor.document.getText(), 'TAB_SECRET=tab-label-8k\n');
    assert.strictEqual(editor.document.languageId, (await vscode.workspace.openTextDocument(file)).languageId, 'the language VS Code gives the file itself');
    await waitFor('the status bar', async () => team.encryption.statusBar.text?.includes('signed by alice'));
    // The same file under its absolute path (a view restored from an earlier version) still opens, and nothing else does.
    assert.strictEqual((await vscode.workspace.openTextDocument(shownUri(file))).getText(), 'TAB_SECRET=tab-label-8k\n');
    await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(opened.with({ path: '/values-repo/other.env' }))));
    await closeAllEditors();
  });

  it('opening a value-encrypted file shows it decrypted, as a .enc does; Open Encrypted Form shows its tokens and that tab stays; one no key of mine opens, or any with openEncryptedInline off, opens as it is', async () => {
    const tabsOn = (file: vscode.Uri, scheme: string) =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === scheme && behind(t.input.uri).toString() === file.toString());
    const { file, text } = await sealedForMe('opened.env', 'OPENED_SECRET=opened-Wq52\n', team.alice.key);
    // As the explorer opens it.
    await vscode.commands.executeCommand('vscode.open', file);
    const editor = await waitFor('the decrypted editor', async () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-values' && vscode.window.activeTextEditor);
    assert.strictEqual(editor.document.getText(), 'OPENED_SECRET=opened-Wq52\n');
    await waitFor('the token tab replaced', async () => tabsOn(file, 'file').length === 0);
    // Its encrypted form, on request: left as it is.
    const encrypted = await run<vscode.Uri>('custodian.openValuesEncrypted', { uri: editor.document.uri });
    assert.strictEqual(encrypted?.toString(), file.toString());
    await sleep(1500);
    assert.strictEqual(tabsOn(file, 'file').length, 1, 'the encrypted form stays open');
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), text);
    // Read-only: a value typed there would be saved in the clear (a trial did), and the file would no longer open.
    await vscode.commands.executeCommand('type', { text: 'TYPED_RAW=plain' });
    await sleep(300);
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), text, 'typing changes nothing');
    await closeAllEditors();
    // Closed, then opened again: decrypted again.
    await vscode.commands.executeCommand('vscode.open', file);
    await waitFor('decrypted again', async () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-values');
    await closeAllEditors();

    // A file for someone else: its tokens are all there is to see.
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const other = wsUri('values-repo', 'not-mine.env');
    fs.writeFileSync(other.fsPath, await sealValues('NOT_MINE=x\n', { format: 'dotenv', recipients: [team.alice.publicKey], signer: team.alice.key, backend }));
    await vscode.commands.executeCommand('vscode.open', other);
    await sleep(1500);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), other.toString());
    // Read-only, as Open Encrypted Form leaves a file: a value typed among the tokens would be saved in
    // the clear (a trial did, in a browser profile without keys).
    const tokens = vscode.window.activeTextEditor!.document.getText();
    await vscode.commands.executeCommand('type', { text: 'TYPED_RAW=plain' });
    await sleep(300);
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), tokens, 'typing changes nothing');
    await closeAllEditors();

    // The setting off: as on disk.
    const settings = vscode.workspace.getConfiguration('custodian');
    await settings.update('openEncryptedInline', false, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('vscode.open', file);
      await sleep(1500);
      assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), file.toString());
    } finally {
      await settings.update('openEncryptedInline', undefined, vscode.ConfigurationTarget.Global);
      await closeAllEditors();
    }
    fs.rmSync(file.fsPath);
    fs.rmSync(other.fsPath);
  });

  it('a tab on a value-encrypted file\'s tokens that Custodian did not open (as VS Code restores one after a reload) is read-only once active: typing there changes nothing', async () => {
    // A newcomer reloaded the browser on Open Encrypted Form's tab: VS Code brought it back editable,
    // auto-save wrote a value typed among the tokens in the clear, and it was committed.
    const { file, text } = await sealedForMe('restored.yaml', 'db:\n  host: db.internal\n', team.alice.key, 'yaml');
    const settings = vscode.workspace.getConfiguration('custodian');
    // A tab opened while Custodian looked away: with the setting off, as on disk and editable.
    await settings.update('openEncryptedInline', false, vscode.ConfigurationTarget.Global);
    try {
      await vscode.window.showTextDocument(file, { preview: false });
    } finally {
      await settings.update('openEncryptedInline', undefined, vscode.ConfigurationTarget.Global);
    }
    const other = wsUri('values-repo', 'restored-other.txt');
    fs.writeFileSync(other.fsPath, 'another file\n');
    await vscode.window.showTextDocument(other, { preview: false });
    // Back to the token tab, as a person clicks it.
    await vscode.window.showTextDocument(file, { preview: false });
    await sleep(500);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), file.toString());
    await vscode.commands.executeCommand('type', { text: 'plaintext-typed-here' });
    await sleep(300);
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), text, 'typing changes nothing');
    assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), text);
    await closeAllEditors();
    fs.rmSync(file.fsPath);
    fs.rmSync(other.fsPath);
  });

  it('typing among the tokens once their read-only state is lifted ("Click here to set writeable") is said at once, with Open Decrypted', async () => {
    // A newcomer lifted it, typed, auto-save wrote the value in the clear, and only "damaged" said anything later.
    const { file, text } = await sealedForMe('lifted.yaml', 'db:\n  host: db.internal\n', team.alice.key, 'yaml');
    await vscode.commands.executeCommand('vscode.open', file);
    const decrypted = await waitFor('the decrypted editor', async () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-values' && vscode.window.activeTextEditor);
    const tokenTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file.toString());
    await waitFor('the token tab replaced', async () => tokenTabs().length === 0);
    await run('custodian.openValuesEncrypted', { uri: decrypted.document.uri });
    await waitFor('the encrypted form', async () => vscode.window.activeTextEditor?.document.uri.toString() === file.toString());
    await sleep(500);
    const warnings = recordWarningMessages(() => undefined);
    try {
      await vscode.commands.executeCommand('workbench.action.files.setActiveEditorWriteableInSession');
      await vscode.commands.executeCommand('type', { text: 'x' });
      await waitFor('the warning', async () => warnings.told.some((m) => /editing the encrypted form of lifted\.yaml: a value typed here is saved in the clear/.test(m)));
      await vscode.commands.executeCommand('type', { text: 'y' });
      await sleep(300);
      assert.strictEqual(warnings.told.filter((m) => /editing the encrypted form/.test(m)).length, 1, 'once');
    } finally {
      warnings.dispose();
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await closeAllEditors();
    }
    assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), text);
    fs.rmSync(file.fsPath);
  });

  it('Encrypt Values asks first about a value that stops at "#" (the rest would stay readable as a comment); dismissing changes nothing', async () => {
    const file = wsUri('values-repo', 'hash.env');
    const plain = 'DB_PASSWORD=pw#Rest-of-it-7\nOK="quoted#kept"\n';
    fs.writeFileSync(file.fsPath, plain);
    const modals = answerModals(() => undefined);
    let result: vscode.Uri | undefined;
    try {
      result = await run<vscode.Uri>('custodian.encryptValues', { uri: file, keepPublic: false });
    } finally {
      modals.dispose();
    }
    assert.strictEqual(result, undefined);
    assert.match(modals.prompts[0]?.message ?? '', /In hash\.env, the value of DB_PASSWORD stops at "#"/);
    // The first button (Enter) quotes it whole: a newcomer's Enter on "Encrypt Anyway" left half a password readable.
    assert.deepStrictEqual(modals.prompts[0].items, ['Quote and Encrypt', 'Encrypt Anyway']);
    assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), plain, 'nothing sealed');

    const quoting = answerModals((p) => (/stops at "#"/.test(p.message) ? 'Quote and Encrypt' : undefined));
    try {
      assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: file, keepPublic: false }));
    } finally {
      quoting.dispose();
    }
    const sealed = fs.readFileSync(file.fsPath, 'utf8');
    assert.ok(!sealed.includes('Rest-of-it-7') && !sealed.includes('pw#'), `nothing of the password in the clear: ${sealed}`);
    const view = await run<vscode.Uri>('custodian.openValuesDecrypted', { uri: file });
    const shown = vscode.workspace.textDocuments.find((d) => d.uri.toString() === view?.toString());
    assert.strictEqual(shown?.getText(), "DB_PASSWORD='pw#Rest-of-it-7'\nOK=\"quoted#kept\"\n");
    await closeAllEditors();
    fs.rmSync(file.fsPath);
  });

  it('Encrypt Values asks first about a YAML key whose unquoted secret reads as an anchor or a tag (it would stay readable); Edit First seals nothing, Encrypt Anyway seals', async () => {
    // A red team's passwords starting with & and ! were sealed without a word, readable in the file.
    const file = wsUri('values-repo', 'anchors.yaml');
    const plain = 'db:\n  password: &Sup3rS3cret!\n  user: app\napi_key: !Tok3nValue\n';
    fs.writeFileSync(file.fsPath, plain);
    const editing = answerModals((p) => (/stands where a value is/.test(p.message) ? 'Edit First' : undefined));
    let result: vscode.Uri | undefined;
    try {
      result = await run<vscode.Uri>('custodian.encryptValues', { uri: file, keepPublic: false });
    } finally {
      editing.dispose();
    }
    assert.strictEqual(result, undefined);
    const asked = editing.prompts.find((p) => /stands where a value is/.test(p.message));
    assert.match(asked?.message ?? '', /In anchors\.yaml, an anchor \(&…\) or a tag \(!…\) stands where a value is, and would stay readable: db\.password, api_key\./);
    assert.ok(!/Sup3rS3cret|Tok3nValue/.test(`${asked?.message} ${asked?.detail}`), 'the secret is not quoted');
    assert.deepStrictEqual(asked?.items, ['Edit First', 'Encrypt Anyway']);
    assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), plain, 'nothing sealed');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, file.fsPath, 'the file is open to edit');
    assert.strictEqual(vscode.window.activeTextEditor?.selection.active.line, 1, 'at the first of them (db.password, line 2)');

    const anyway = answerModals((p) => (/stands where a value is/.test(p.message) ? 'Encrypt Anyway' : undefined));
    try {
      assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: file, keepPublic: false }));
    } finally {
      anyway.dispose();
    }
    assert.match(fs.readFileSync(file.fsPath, 'utf8'), /#custodian:values=/);
    await closeAllEditors();
    fs.rmSync(file.fsPath);
  });

  it('Encrypt Values, Choosing Which Stay Readable: the .env names in a picker (public ones ticked); what is ticked stays readable, by a rule naming exactly those, the rest is encrypted; in YAML only keys that hold no other keys, each with the values it reaches', async () => {
    // A newcomer wanted NODE_ENV and PORT readable in pull requests and found only the CLI's regex.
    const file = wsUri('values-repo', 'choose.env');
    fs.writeFileSync(file.fsPath, 'NODE_ENV=production\nPORT=3000\nPORTAL_TOKEN=tok-Secret-1\nAPI_URL_PUBLIC=https://api.example.com\nDB.PASSWORD=pw-Secret-2\n');
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showQuickPick;
    let offered: { label: string; picked?: boolean }[] = [];
    window.showQuickPick = async (items: readonly { label: string; picked?: boolean }[], options: vscode.QuickPickOptions) => {
      assert.strictEqual(options.canPickMany, true);
      offered = [...items];
      return items.filter((i) => ['NODE_ENV', 'PORT', 'API_URL_PUBLIC'].includes(i.label));
    };
    try {
      assert.ok(await run<vscode.Uri>('custodian.encryptValuesChoosing', { uri: file }));
    } finally {
      window.showQuickPick = original;
    }
    assert.deepStrictEqual(offered.map((i) => [i.label, i.picked === true]), [['NODE_ENV', false], ['PORT', false], ['PORTAL_TOKEN', false], ['API_URL_PUBLIC', true], ['DB.PASSWORD', false]]);
    const sealed = fs.readFileSync(file.fsPath, 'utf8');
    assert.match(sealed, /^NODE_ENV=production$/m);
    assert.match(sealed, /^PORT=3000$/m);
    assert.match(sealed, /^API_URL_PUBLIC=https:\/\/api\.example\.com$/m);
    // PORT is readable, PORTAL_TOKEN (PORT… as a prefix) is not; nor is DB.PASSWORD (a dot in a name is no wildcard).
    assert.match(sealed, /^PORTAL_TOKEN=custodian-val1\./m);
    assert.match(sealed, /^DB\.PASSWORD=custodian-val1\./m);
    assert.match(sealed, /^#custodian:encrypt=unencrypted-regex:\^\(\?:NODE_ENV\|PORT\|API_URL_PUBLIC\)\$$/m);
    await closeAllEditors();
    fs.rmSync(file.fsPath);
    // YAML: keys that head no mapping or list, each with the values a rule naming it reaches.
    const yaml = wsUri('values-repo', 'choose.yaml');
    const plainYaml = 'image:\n  repository: bitnami/nginx\n  tag: 1.27.0\nsidecar:\n  tag: 2.1.0\n  password: sc-Secret-3\nreplicaCount: 2\ndb:\n  password: db-Secret-4\n';
    fs.writeFileSync(yaml.fsPath, plainYaml);
    window.showQuickPick = async (items: readonly { label: string; description?: string; picked?: boolean }[]) => {
      offered = [...items];
      return items.filter((i) => ['tag', 'replicaCount'].includes(i.label));
    };
    const { told, dispose: stopRecording } = recordInformationMessages();
    try {
      assert.ok(await run<vscode.Uri>('custodian.encryptValuesChoosing', { uri: yaml }));
    } finally {
      window.showQuickPick = original;
      stopRecording();
    }
    // image, sidecar and db hold other keys: naming one would leave all below it readable, later additions too.
    assert.deepEqual(
      offered.map((i) => [i.label, (i as { description?: string }).description]),
      [
        ['repository', 'image.repository'],
        ['tag', '2 values: image.tag, sidecar.tag'],
        ['password', '2 values: sidecar.password, db.password'],
        ['replicaCount', undefined],
        ['Not listed, since they hold other keys or a list: image, sidecar, db', undefined],
      ],
    );
    const sealedYaml = fs.readFileSync(yaml.fsPath, 'utf8');
    assert.match(sealedYaml, /^#custodian:encrypt=unencrypted-regex:\^\(\?:tag\|replicaCount\)\$$/m);
    for (const clear of ['  tag: 1.27.0', '  tag: 2.1.0', 'replicaCount: 2']) assert.ok(sealedYaml.includes(`${clear}\n`), clear);
    for (const secret of ['bitnami/nginx', 'sc-Secret-3', 'db-Secret-4']) assert.ok(!sealedYaml.includes(secret), secret);
    assert.ok(told.some((m) => m.startsWith('In choose.yaml, values named image.tag, sidecar.tag, and replicaCount stay readable; every other value is encrypted')), told.join(' | '));
    await closeAllEditors();
    // A key that heads a mapping, named by a caller: refused, the file unchanged.
    fs.writeFileSync(yaml.fsPath, plainYaml);
    const { errors } = await captureErrors(team.services, () => run('custodian.encryptValuesChoosing', { uri: yaml, readable: ['image'] }));
    assert.match(errors[0]?.message ?? '', /choose\.yaml holds no value named image/);
    assert.match(errors[0]?.hint ?? '', /would leave everything below it readable/);
    assert.strictEqual(fs.readFileSync(yaml.fsPath, 'utf8'), plainYaml);
    fs.rmSync(yaml.fsPath);
  });

  it('Encrypt Values asks whether values named *_PUBLIC stay readable; the answer is the file\'s rule; the decrypted view replaces the plain editor', async () => {
    const plain = '# endpoints are public\nAPI_URL_PUBLIC=https://api.example.com\nDB_PASSWORD=pw-Secret-9\nCDN_PUBLIC=cdn.example.com\n';
    const tabsOf = (file: vscode.Uri, scheme: string) =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === scheme && behind(t.input.uri).toString() === file.toString());
    const answers: Record<string, string | undefined> = { 'keep.env': 'Keep Them Readable', 'all.env': 'Encrypt All', 'cancel.env': undefined };
    // keep.env is ignored by git, as a .env often is: the message says so (a value-encrypted file is meant to be committed).
    fs.writeFileSync(path.join(dir(), '.gitignore'), '# local files\nkeep.env\n');
    const { told, dispose: stopRecording } = recordInformationMessages();
    // Said as a warning, with a button to the line (a trial missed it as a passing notice).
    let opened: vscode.Uri | undefined;
    const warned = recordWarningMessages((_message, items) => (items[0] === 'Open .gitignore' ? items[0] : undefined));
    try {
      for (const [name, answer] of Object.entries(answers)) {
        const file = wsUri('values-repo', name);
        fs.writeFileSync(file.fsPath, plain);
        await vscode.window.showTextDocument(file, { preview: false });
        const modals = answerModals(() => answer);
        let result: vscode.Uri | undefined;
        try {
          result = await run<vscode.Uri>('custodian.encryptValues', { uri: file });
        } finally {
          modals.dispose();
        }
        assert.strictEqual(modals.prompts.length, 1, name);
        assert.match(modals.prompts[0].message, /2 values named \*_PUBLIC: API_URL_PUBLIC, CDN_PUBLIC\. Leave them readable/);
        assert.deepStrictEqual(modals.prompts[0].items, ['Keep Them Readable', 'Encrypt All']);
        const text = fs.readFileSync(file.fsPath, 'utf8');
        if (answer === undefined) {
          assert.strictEqual(result, undefined);
          assert.strictEqual(text, plain, 'cancelled: the file is as it was');
          continue;
        }
        assert.ok(!text.includes('pw-Secret-9'));
        assert.match(text, /^DB_PASSWORD=custodian-val1\./m);
        if (answer === 'Keep Them Readable') {
          assert.match(text, /^API_URL_PUBLIC=https:\/\/api\.example\.com$/m);
          assert.match(text, /^CDN_PUBLIC=cdn\.example\.com$/m);
          assert.match(text, /^#custodian:encrypt=unencrypted-suffix:_PUBLIC$/m);
        } else {
          assert.match(text, /^API_URL_PUBLIC=custodian-val1\./m);
          assert.match(text, /^#custodian:encrypt=all$/m);
        }
        await waitFor('the decrypted tab', async () => tabsOf(file, 'custodian-values').length === 1);
        assert.strictEqual(tabsOf(file, 'file').length, 0, 'the plain editor, now showing tokens, was replaced');
        const said = await waitFor(`the message for ${name}`, async () => [...told, ...warned.told].find((m) => m.includes(`Encrypted the values of ${name}`) || m.includes(`In ${name}, values named`)));
        // What stays readable first: a long toast is cut to its first line.
        if (name === 'keep.env') assert.ok(said.includes('In keep.env, values named *_PUBLIC stay readable; every other value is encrypted for the team'), said);
        assert.strictEqual(/^Git ignores keep\.env \(\.gitignore, line 2: keep\.env\), so it is not shared: to commit it, change that line/.test(said), name === 'keep.env', said);
        assert.strictEqual(warned.told.includes(said), name === 'keep.env', 'a warning only when ignored');
        if (name === 'keep.env') {
          opened = await waitFor('.gitignore opened at the line', async () => {
            const editor = vscode.window.activeTextEditor;
            return editor?.document.uri.fsPath === path.join(dir(), '.gitignore') && editor.selection.active.line === 1 ? editor.document.uri : undefined;
          });
        }
        await closeAllEditors();
      }
      assert.ok(opened, 'Open .gitignore was offered');
    } finally {
      warned.dispose();
      stopRecording();
      fs.rmSync(path.join(dir(), '.gitignore'), { force: true });
    }
  });

  it('Encrypt Values also offers names a framework sends to the browser (NEXT_PUBLIC_, VITE_), names the frameworks, and writes a rule for exactly those', async () => {
    const plain = 'NEXT_PUBLIC_SITE=https://site.example\nVITE_MAP_KEY=map-key-public\nMY_VITE_SECRET=vite-Secret-4\nSESSION_SECRET=sess-Secret-7\n';
    const file = wsUri('values-repo', 'frameworks.env');
    fs.writeFileSync(file.fsPath, plain);
    const modals = answerModals(() => 'Keep Them Readable');
    try {
      assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: file }));
    } finally {
      modals.dispose();
    }
    assert.strictEqual(modals.prompts.length, 1);
    assert.match(modals.prompts[0].message, /2 values named NEXT_PUBLIC_\* or VITE_\*: NEXT_PUBLIC_SITE, VITE_MAP_KEY\. Leave them readable/);
    assert.match(modals.prompts[0].detail, /^Values so named are built into the code sent to every browser \(Next\.js and Vite\)/);
    const text = fs.readFileSync(file.fsPath, 'utf8');
    assert.match(text, /^NEXT_PUBLIC_SITE=https:\/\/site\.example$/m);
    assert.match(text, /^VITE_MAP_KEY=map-key-public$/m);
    assert.ok(!text.includes('vite-Secret-4') && !text.includes('sess-Secret-7'), 'a look-alike name and the rest are encrypted');
    assert.match(text, /^#custodian:encrypt=unencrypted-regex:\^NEXT_PUBLIC_\|\^VITE_$/m);
    await closeAllEditors();
  });

  it('Encrypt Values with one public value asks in the singular, and its button agrees ("Keep It Readable", in Spanish "Dejarlo legible")', async () => {
    const file = wsUri('values-repo', 'one-public.env');
    fs.writeFileSync(file.fsPath, 'API_URL_PUBLIC=https://api.example.com\nDB_PASSWORD=pw-Secret-1\n');
    const modals = answerModals(() => undefined);
    try {
      await run<vscode.Uri>('custodian.encryptValues', { uri: file });
    } finally {
      modals.dispose();
      fs.rmSync(file.fsPath, { force: true });
    }
    assert.strictEqual(modals.prompts.length, 1);
    assert.match(modals.prompts[0].message, /1 value named .*: API_URL_PUBLIC\. Leave it readable/);
    assert.deepStrictEqual(modals.prompts[0].items, ['Keep It Readable', 'Encrypt All']);
    await closeAllEditors();
  });

  it('the merge editor\'s result of a value-encrypted YAML file has the YAML language, as the file does (its name ends in "(merge result)", which VS Code gave plain text)', async () => {
    const file = wsUri('values-repo', 'merge-language.yaml');
    fs.writeFileSync(file.fsPath, 'db:\n  password: merge-lang-6Tb\n');
    assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: file }));
    try {
      const result = await vscode.workspace.openTextDocument(toValuesMergeResultUri(file));
      await waitFor('the result\'s language', async () => result.languageId === 'yaml');
      assert.strictEqual((await vscode.workspace.openTextDocument(toValuesUri(file))).languageId, 'yaml');
    } finally {
      await closeAllEditors();
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('Encrypt Values of a file staged in the clear stages the encrypted file in its place and says the plaintext is still in .git/objects; an unstaged file\'s index is left alone; one committed in the clear says to rotate', async () => {
    const warnings = recordWarningMessages(() => undefined);
    const info = recordInformationMessages();
    try {
      const staged = wsUri('values-repo', 'staged.env');
      fs.writeFileSync(staged.fsPath, 'STAGED_SECRET=staged-in-clear-4Rt\n');
      git(dir(), 'add', 'staged.env');
      assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: staged }));
      const said = await waitFor('the warning', async () => warnings.told.find((m) => m.includes('Encrypted the values of staged.env')));
      assert.match(said, /It was staged in the clear: the encrypted file is staged in its place\. The plaintext git stored stays in \.git\/objects on this machine .* until "git gc --prune=now"/);
      const index = git(dir(), 'show', ':staged.env');
      assert.ok(!index.includes('staged-in-clear-4Rt'), 'the index holds no plaintext');
      assert.match(index, /^STAGED_SECRET=custodian-val1\./m);
      assert.strictEqual(index, fs.readFileSync(staged.fsPath, 'utf8'), 'what is staged is the file');

      const unstaged = wsUri('values-repo', 'unstaged.env');
      fs.writeFileSync(unstaged.fsPath, 'UNSTAGED_SECRET=never-staged-8Yu\n');
      assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: unstaged }));
      const plain = await waitFor('the message', async () => [...info.told, ...warnings.told].find((m) => m.includes('Encrypted the values of unstaged.env')));
      assert.doesNotMatch(plain, /staged in the clear|committed versions/);
      assert.strictEqual(git(dir(), 'ls-files', '--', 'unstaged.env'), '', 'not added to the index');

      // Committed in the clear: encrypting now leaves the values in the history; it says to rotate them.
      const committed = wsUri('values-repo', 'committed.env');
      fs.writeFileSync(committed.fsPath, 'COMMITTED_SECRET=in-history-3Qe\n');
      git(dir(), 'add', 'committed.env');
      git(dir(), 'commit', '-q', '-m', 'oops', '--', 'committed.env');
      assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: committed }));
      const history = await waitFor('the warning', async () => warnings.told.find((m) => m.includes('Encrypted the values of committed.env')));
      assert.match(history, /Its committed versions hold the values in the clear, in every clone of the repository: rotate those secrets/);
      assert.doesNotMatch(history, /in-history-3Qe/);
    } finally {
      warnings.dispose();
      info.dispose();
      await closeAllEditors();
      git(dir(), 'rm', '-q', '--cached', '--ignore-unmatch', 'staged.env');
      if (git(dir(), 'ls-files', '--', 'committed.env') !== '') {
        // Its deletion committed: the tests after this one find a clean tree.
        git(dir(), 'rm', '-q', '--cached', 'committed.env');
        git(dir(), 'commit', '-q', '-m', 'drop committed.env', '--', 'committed.env');
      }
      for (const f of ['staged.env', 'unstaged.env', 'committed.env']) fs.rmSync(path.join(dir(), f), { force: true });
    }
  });

  it('in a clone set up for git, Encrypt Values gives the new file its merge line in .gitattributes and says to commit it; a clone not set up is left alone', async () => {
    const info = recordInformationMessages();
    // An ignored file's message is a warning.
    const warnings = recordWarningMessages(() => undefined);
    const stopRecording = () => {
      info.dispose();
      warnings.dispose();
    };
    const attributes = path.join(dir(), '.gitattributes');
    const encrypt = async (name: string): Promise<string> => {
      const file = wsUri('values-repo', name);
      fs.writeFileSync(file.fsPath, 'MERGED_SECRET=merge-line-5t\n');
      info.told.length = 0;
      warnings.told.length = 0;
      assert.ok(await run<vscode.Uri>('custodian.encryptValues', { uri: file }));
      await closeAllEditors();
      return waitFor('the message', async () => [...info.told, ...warnings.told].find((m) => m.includes(`Encrypted the values of ${name}`)));
    };
    try {
      const before = await encrypt('not-set-up.env');
      assert.doesNotMatch(before, /gitattributes/);
      assert.ok(!fs.existsSync(attributes), 'a clone not set up: no .gitattributes written');
      // Set up (as Set Up Git leaves it), then a file is value-encrypted.
      await (await getApi()).git.setup.run(dir());
      assert.match(git(dir(), 'check-attr', 'merge', 'not-set-up.env'), /merge: custodian/, 'set-up covers the file there before');
      const after = await encrypt('after-setup.env');
      assert.match(after, /Git merges it with Custodian's driver now: commit \.gitattributes with it\./);
      assert.match(git(dir(), 'check-attr', 'merge', 'after-setup.env'), /merge: custodian/);
      // A .env git ignores (as many are) gets its line too: it is meant to be committed once un-ignored.
      fs.writeFileSync(path.join(dir(), '.gitignore'), 'ignored.env\n');
      assert.match(await encrypt('ignored.env'), /^Git ignores ignored\.env.*Git merges it with Custodian's driver now/);
      assert.match(git(dir(), 'check-attr', 'merge', 'ignored.env'), /merge: custodian/);
    } finally {
      stopRecording();
      // What the set-up added, so the tests after this one run in a plain clone again.
      for (const f of ['not-set-up.env', 'after-setup.env', 'ignored.env', '.gitignore', '.gitattributes', '.git/hooks/pre-commit', '.git/hooks/pre-merge-commit']) fs.rmSync(path.join(dir(), f), { force: true });
      for (const section of ['merge.custodian', 'diff.custodian', 'custodian.setup']) {
        try {
          git(dir(), 'config', '--local', '--remove-section', section);
        } catch {
          // not there
        }
      }
    }
  });

  it('drift and Re-encrypt for Team cover value-encrypted files: a recipient outside the team is dropped, every token changes, the document stays', async () => {
    const { sealValues, inspectValues, openValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const uri = wsUri('values-repo', 'drift.yaml');
    const doc = '# settings\ndb:\n  password: drifting-4x\n  port: 5432\n';
    const sealed = await sealValues(doc, { format: 'yaml', recipients: [me, team.alice.publicKey, team.bob.publicKey, team.mallory.publicKey], signer: team.alice.key, backend });
    fs.writeFileSync(uri.fsPath, sealed);
    const report = await team.encryption.deps.drift.scan();
    const entry = report.entries.find((e) => e.uri.fsPath === uri.fsPath);
    assert.ok(entry, 'the drift scan finds the value-encrypted YAML file');
    assert.strictEqual(entry.status, 'drift');
    assert.deepStrictEqual(entry.extra.map((p) => p.fingerprint), [team.mallory.fingerprint]);

    // Open while it is re-keyed: the status bar follows the file, without switching tabs.
    await run('custodian.openValuesDecrypted', { uri });
    const bar = (): string => team.encryption.statusBar.text ?? '';
    await waitFor('the status bar of the open file', async () => /unknown key/.test(bar()));
    const res = await run<{ reencrypted: vscode.Uri[]; failed: unknown[] }>('custodian.reencryptFile', { uri, quiet: true });
    assert.deepStrictEqual(res?.failed, []);
    assert.strictEqual(res?.reencrypted.length, 1);
    await waitFor(`the status bar to show the new recipients (${bar()})`, async () => !/unknown key/.test(bar()) && /signed by me \(you\)/.test(bar()));
    await closeAllEditors();
    const after = fs.readFileSync(uri.fsPath, 'utf8');
    const info = await inspectValues(after, 'yaml', backend);
    assert.deepStrictEqual([...info.recipients].sort(), [team.me.fingerprint, team.alice.fingerprint, team.bob.fingerprint].sort());
    assert.strictEqual(info.signature.kind === 'signed' && info.signature.signer.fingerprint, team.me.fingerprint);
    const tokens = (t: string): string[] => t.match(/custodian-val1\.[A-Za-z0-9_-]+/g) ?? [];
    assert.ok(tokens(after).every((t) => !tokens(sealed).includes(t)), 'a new data key: no old token survives');
    const opened = await openValues(after, { format: 'yaml', identities: [team.bob.key], backend });
    assert.strictEqual(opened.document, doc);
    await assert.rejects(openValues(after, { format: 'yaml', identities: [team.mallory.key], backend }));
  });

  it('the menus know which files are value-encrypted: one appearing, made plain or deleted on disk changes the context key and the Encrypted Files section', async () => {
    const index = team.encryption.valueFiles;
    const published: Record<string, true>[] = [];
    const commands = vscode.commands as unknown as Record<string, unknown>;
    const original = commands.executeCommand as (...args: unknown[]) => Thenable<unknown>;
    commands.executeCommand = (id: string, ...rest: unknown[]) => {
      if (id === 'setContext' && rest[0] === 'custodian.valueEncryptedFiles') published.push(rest[1] as Record<string, true>);
      return original.call(vscode.commands, id, ...rest);
    };
    let sectionChanges = 0;
    const listening = team.encryption.section.onDidChange(() => sectionChanges++);
    try {
      const plain = wsUri('values-repo', 'menu-plain.json');
      fs.writeFileSync(plain.fsPath, '{ "port": 8080, "secret": "looks-like-a-secret" }\n');
      const { file } = await sealedForMe('menu.env', 'MENU_SECRET=menu-secret-3k\n');
      const lastPublished = (): Record<string, true> => published[published.length - 1] ?? {};
      await waitFor('the new value-encrypted file in the context key', async () => index.has(file) && lastPublished()[file.fsPath] === true);
      assert.ok(!index.has(plain) && !(plain.fsPath in lastPublished()), 'a plain JSON file is not offered "Open Decrypted"');
      await waitFor('the Encrypted Files section refreshed', async () => sectionChanges > 0);
      assert.ok((await index.scan()).some((u) => u.fsPath === file.fsPath), 'a full scan finds it too');

      fs.writeFileSync(file.fsPath, 'MENU_SECRET=now-plain\n');
      await waitFor('a file made plain leaves the context key', async () => !index.has(file) && !(file.fsPath in lastPublished()));
      await sealedForMe('menu.env', 'MENU_SECRET=menu-secret-3k\n');
      await waitFor('sealed again', async () => index.has(file));
      fs.rmSync(file.fsPath);
      await waitFor('a deleted file leaves the context key', async () => !index.has(file) && !(file.fsPath in lastPublished()));
      fs.rmSync(plain.fsPath);
    } finally {
      commands.executeCommand = original;
      listening.dispose();
    }
  });

  it('Show Recipients and Signer is offered on a value-encrypted file (Explorer, palette, decrypted editor) and works with what the Explorer passes, with the values its rule leaves in the clear; a damaged file still names whom to ask', async () => {
    type MenuItem = { command: string; when?: string };
    const menus = team.services.context.extension.packageJSON.contributes.menus as Record<string, MenuItem[]>;
    // VS Code rewrites some `when` clauses it has parsed (the palette's: values quoted).
    const offered = (menu: string, test: RegExp) => menus[menu].some((m) => m.command === 'custodian.showRecipients' && test.test(m.when ?? ''));
    const valueFile = /resourcePath in '?custodian\.valueEncryptedFiles/;
    const decryptedView = /resourceScheme == '?custodian-values/;
    assert.ok(offered('explorer/context', valueFile), 'in the Explorer\'s context menu of a value-encrypted file');
    assert.ok(offered('commandPalette', valueFile) && offered('commandPalette', decryptedView), 'in the palette');
    assert.ok(offered('editor/title', decryptedView), 'in the decrypted editor\'s title bar');

    const { ruleNaming, sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsUri('values-repo', 'who.yaml');
    const rule = ruleNaming(['host']);
    fs.writeFileSync(file.fsPath, await sealValues('db:\n  host: db.internal\n  password: who-reads-3q\n', { format: 'yaml', recipients: [me, team.alice.publicKey, team.bob.publicKey], signer: team.alice.key, backend, rule }));
    // As the Explorer's context menu runs it: the file's URI, and the selection. The list as shown, too.
    const window = vscode.window as unknown as Record<string, unknown>;
    const showQuickPick = window.showQuickPick;
    let shown: { label: string; description?: string }[] = [];
    window.showQuickPick = async (items: readonly { label: string; description?: string }[]) => ((shown = [...items]), undefined);
    let res: ShowRecipientsResult;
    try {
      res = await vscode.commands.executeCommand<ShowRecipientsResult>('custodian.showRecipients', file, [file]);
    } finally {
      window.showQuickPick = showQuickPick;
    }
    assert.strictEqual(res.uri.fsPath, file.fsPath);
    assert.deepStrictEqual(res.recipients.map((r) => r.name).sort(), ['alice', 'bob', 'me (you)']);
    assert.ok(res.canDecrypt);
    assert.strictEqual(res.signer.kind === 'verified' && res.signer.party.name, 'alice');
    assert.match(res.summary, /^Encrypted for .* · signed by alice ✓$/);
    // What a reviewer reads without a key: the rule, and the values it leaves in the clear.
    assert.deepStrictEqual(res.readable, { rule: 'unencrypted-regex:^(?:host)$', names: ['db.host'] });
    // The rule on a line of its own (one line cut it to "unencrypted-…"), each value on its own.
    const readableAt = shown.findIndex((i) => i.label === 'Readable in the File');
    assert.deepStrictEqual(shown.slice(readableAt + 1).map((i) => [i.label, i.description]), [
      ['$(law) unencrypted-regex:^(?:host)$', "the file's rule, signed with it: 1 value in the clear"],
      ['$(eye) db.host', undefined],
    ]);

    // Not a recipient: the signature still verifies, without a key.
    const theirs = wsUri('values-repo', 'theirs.env');
    fs.writeFileSync(theirs.fsPath, await sealValues('X=1\n', { format: 'dotenv', recipients: [team.alice.publicKey], signer: team.bob.key, backend }));
    const foreign = await vscode.commands.executeCommand<ShowRecipientsResult>('custodian.showRecipients', theirs, [theirs]);
    assert.strictEqual(foreign.canDecrypt, false);
    assert.deepStrictEqual(foreign.recipients.map((r) => r.name), ['alice']);
    assert.strictEqual(foreign.signer.kind === 'verified' && foreign.signer.party.name, 'bob');
    assert.deepStrictEqual(foreign.readable, { rule: 'all', names: [] });

    // Two values swapped on disk: the signature no longer verifies; the header's recipients and signer remain.
    const text = fs.readFileSync(theirs.fsPath, 'utf8').replace(/^X=.*$/m, (line) => line.slice(0, -2) + (line.endsWith('AA') ? 'BB' : 'AA'));
    fs.writeFileSync(theirs.fsPath, text);
    const damaged = await vscode.commands.executeCommand<ShowRecipientsResult>('custodian.showRecipients', theirs, [theirs]);
    assert.match(damaged.damaged ?? '', /signature/);
    assert.deepStrictEqual(damaged.recipients.map((r) => r.name), ['alice']);
    assert.strictEqual(damaged.signer.kind === 'claimed' && damaged.signer.party.name, 'bob');

    // In the decrypted editor, the status bar item shows them for the file on disk.
    await vscode.window.showTextDocument(shownUri(file));
    const command = await waitFor('the status bar item', async () => team.encryption.statusBar.command);
    assert.strictEqual(command.command, 'custodian.showRecipients');
    assert.strictEqual((command.arguments?.[0] as vscode.Uri).toString(), file.toString());
    const fromEditor = await vscode.commands.executeCommand<ShowRecipientsResult>('custodian.showRecipients', { quiet: true });
    assert.strictEqual(fromEditor.uri.toString(), file.toString(), 'the active decrypted editor is the file on disk');
    await closeAllEditors();
    fs.rmSync(theirs.fsPath);
  });

  it('the Explorer menu of a value-encrypted file offers what a .enc\'s does, in its terms, and never Encrypt File or Encrypt Values', async () => {
    type MenuItem = { command: string; when?: string };
    const explorer = (team.services.context.extension.packageJSON.contributes.menus as Record<string, MenuItem[]>)['explorer/context'];
    const onValueFile = explorer.filter((m) => /resourcePath in '?custodian\.valueEncryptedFiles/.test(m.when ?? '')).map((m) => m.command);
    assert.deepStrictEqual(onValueFile, ['custodian.openValuesDecrypted', 'custodian.decryptValuesToFile', 'custodian.reencryptFile', 'custodian.showRecipients']);
    for (const encrypt of ['custodian.encryptFile', 'custodian.encryptValues']) {
      const entry = explorer.find((m) => m.command === encrypt);
      assert.match(entry?.when ?? '', /resourcePath not in '?custodian\.valueEncryptedFiles/, `${encrypt} is not offered on a file already encrypted`);
    }
    // As the Explorer runs it: the file's URI and the selection.
    const { file } = await sealedForMe('explorer.env', 'EXPLORER_SECRET=explorer-8v\n', team.alice.key);
    await vscode.commands.executeCommand('custodian.openValuesDecrypted', file, [file]);
    const editor = await waitFor('the decrypted editor', async () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-values' && vscode.window.activeTextEditor);
    assert.strictEqual(editor.document.getText(), 'EXPLORER_SECRET=explorer-8v\n');
    // Encrypt Values typed into the palette over the decrypted view: said to be done already.
    const { errors } = await captureErrors(team.services, () => run('custodian.encryptValues'));
    assert.deepStrictEqual(errors.map((e) => e.message), ['The values of explorer.env are already encrypted.']);
    await closeAllEditors();
    fs.rmSync(file.fsPath);
  });

  it('a decrypted document emptied (select all, delete) is saved only once confirmed, .enc and value file alike; declined, the file is unchanged', async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const enc = wsUri('values-repo', 'emptied.env.enc');
    fs.writeFileSync(enc.fsPath, await encryptFor([me], 'ENC_SECRET=emptied-1\n', team.alice.key));
    const { file: values } = await sealedForMe('emptied.env', 'VALUES_SECRET=emptied-2\n', team.alice.key);
    for (const [command, file] of [['custodian.openDecrypted', enc], ['custodian.openValuesDecrypted', values]] as const) {
      await run(command, { uri: file });
      const editor = await waitFor('the decrypted editor', async () => /^custodian-/.test(vscode.window.activeTextEditor?.document.uri.scheme ?? '') && vscode.window.activeTextEditor);
      const onDisk = fs.readFileSync(file.fsPath);
      await editor.edit((e) => e.delete(new vscode.Range(0, 0, editor.document.lineCount, 0)));
      assert.strictEqual(editor.document.getText(), '');
      // Enter presses the first button: keeping the file.
      const declined = answerModals((p) => p.items[0]);
      try {
        assert.strictEqual(await editor.document.save(), false, 'not saved');
      } finally {
        declined.dispose();
      }
      assert.match(declined.prompts[0]?.message ?? '', /^Save emptied\.env(\.enc)? with nothing in it\?$/);
      assert.deepStrictEqual(declined.prompts[0]?.items, ['Keep the File as It Is', 'Save Empty File']);
      assert.ok(fs.readFileSync(file.fsPath).equals(onDisk), `${file.path}: unchanged on disk`);
      const confirmed = answerModals((p) => (/with nothing in it/.test(p.message) ? 'Save Empty File' : undefined));
      try {
        assert.strictEqual(await editor.document.save(), true, 'saved once confirmed');
      } finally {
        confirmed.dispose();
      }
      assert.ok(!fs.readFileSync(file.fsPath).equals(onDisk), `${file.path}: written`);
      await closeAllEditors();
    }
    fs.rmSync(enc.fsPath);
    fs.rmSync(values.fsPath);
  });

  it('a second window set a value while this one has unsaved edits: saving here does not overwrite it unasked, and nothing either wrote is lost', async () => {
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const { file } = await sealedForMe('two-windows.env', 'A=one\nB=two\n', team.alice.key);
    const doc = await vscode.workspace.openTextDocument(shownUri(file));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(0, 2, 0, 5), 'mine'));
    // The other window's save: a new version renamed over the old one.
    const theirs = await sealValues('A=one\nB=theirs\n', { format: 'dotenv', recipients: [me], signer: team.alice.key, backend });
    fs.writeFileSync(`${file.fsPath}.tmp`, theirs);
    fs.renameSync(`${file.fsPath}.tmp`, file.fsPath);
    await sleep(1500); // the file watcher's event
    assert.ok(doc.isDirty, 'the edits here are kept');
    const modals = answerModals(() => undefined);
    try {
      await doc.save();
    } finally {
      modals.dispose();
    }
    assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), theirs, "the other window's version is not overwritten unasked");
    assert.strictEqual(doc.getText(), 'A=mine\nB=two\n', 'nor are the edits here dropped');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a value added under a key the file\'s rule leaves readable (tls.key beside a ticked featureFlag.key) is saved in the clear, as the rule says, and the save says so, once', async () => {
    // A newcomer ticked `key` for featureFlag.key, added tls.key holding a private key, and it was written readable unsaid.
    const { ruleNaming, sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsUri('values-repo', 'flags.yaml');
    fs.writeFileSync(file.fsPath, await sealValues('featureFlag:\n  key: new-checkout\ndb:\n  password: fl-Secret-1\n', { format: 'yaml', recipients: [me], signer: team.alice.key, backend, rule: ruleNaming(['key']) }));
    const doc = await vscode.workspace.openTextDocument(shownUri(file));
    const editor = await vscode.window.showTextDocument(doc);
    const { told, dispose } = recordWarningMessages();
    try {
      await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount - 1, 0), 'tls:\n  key: not-a-real-private-key\n'));
      assert.ok(await doc.save(), 'saved');
      await waitFor('the warning', async () => told.length > 0);
      assert.match(told[0], /^tls\.key was saved in the clear in flags\.yaml, not encrypted: the file's rule \(unencrypted-regex:\^\(\?:key\)\$\) leaves values so named readable\. If it is a secret, give it another name and save again\.$/);
      assert.ok(!told[0].includes('not-a-real-private-key'), 'names only');
      assert.match(fs.readFileSync(file.fsPath, 'utf8'), /^ {2}key: not-a-real-private-key$/m, 'in the clear, as the rule says');
      // Saved again with another change: tls.key was readable on disk already, featureFlag.key always was.
      await editor.edit((e) => e.replace(new vscode.Range(1, 7, 1, 19), 'old-checkout'));
      assert.ok(await doc.save());
      await sleep(500);
      assert.strictEqual(told.length, 1, told.join(' | '));
    } finally {
      dispose();
    }
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    fs.rmSync(file.fsPath);
  });

  it('saving a file signed by a key Custodian does not know asks first; declining leaves the file as it was', async () => {
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsUri('values-repo', 'stranger.env');
    fs.writeFileSync(file.fsPath, await sealValues('A=from-mallory\n', { format: 'dotenv', recipients: [me], signer: team.mallory.key, backend }));
    const before = fs.readFileSync(file.fsPath, 'utf8');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'custodian-values', path: file.path, query: file.toString() }));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(0, 2, 0, 14), 'edited'));
    const declined = answerModals(() => undefined);
    try {
      assert.strictEqual(await doc.save(), false, 'declining does not save');
    } finally {
      declined.dispose();
    }
    assert.match(declined.prompts[0]?.message ?? '', /does not know .*Saving signs it as you/);
    assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), before);
    const accepted = answerModals((p) => p.items.find((i) => i === 'Save and Sign as Me'));
    try {
      assert.ok(await doc.save(), 'saved after consent');
    } finally {
      accepted.dispose();
    }
    assert.notStrictEqual(fs.readFileSync(file.fsPath, 'utf8'), before);
    await closeAllEditors();
  });

  it('a half-typed line is marked where it is; with auto-save and files.autoSaveWhenNoErrors, VS Code saves only once the document parses', async () => {
    const { file, text } = await sealedForMe('autosave.env', 'A=one-Xx1\nB=two-Yy2\n', team.alice.key);
    const files = vscode.workspace.getConfiguration('files');
    const saves: string[] = [];
    const fsp = team.encryption.values.fs;
    const writeFile = fsp.writeFile.bind(fsp);
    fsp.writeFile = async (uri, content) => {
      saves.push(uri.toString());
      return writeFile(uri, content);
    };
    try {
      await files.update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
      await files.update('autoSaveDelay', 1000, vscode.ConfigurationTarget.Global); // VS Code's default
      await files.update('autoSaveWhenNoErrors', true, vscode.ConfigurationTarget.Global);
      const doc = await vscode.workspace.openTextDocument(shownUri(file));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'HALF_TYPED'));
      const problems = await waitFor('the problem marked', async () => {
        const found = vscode.languages.getDiagnostics(doc.uri);
        return found.length > 0 && found;
      });
      assert.deepStrictEqual(
        problems.map((d) => [d.range.start.line, d.severity, d.source]),
        [[2, vscode.DiagnosticSeverity.Error, 'Custodian']],
      );
      assert.match(problems[0].message, /^Line 3: a name without = \(no value\)\. Write one NAME=value per line/);
      await sleep(3000); // three auto-save delays
      assert.deepStrictEqual(saves, [], 'no save tried while the document does not parse');
      assert.ok(doc.isDirty);
      assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), text);

      await editor.edit((e) => e.insert(new vscode.Position(2, 10), '=three-Zz3'));
      await waitFor('the problem cleared', async () => vscode.languages.getDiagnostics(doc.uri).length === 0);
      await waitFor('the auto-save', async () => !doc.isDirty && fs.readFileSync(file.fsPath, 'utf8') !== text, 10_000);
      assert.strictEqual(saves.length, 1);
      const saved = fs.readFileSync(file.fsPath, 'utf8');
      assert.match(saved, /^HALF_TYPED=custodian-val1\./m);
      assert.ok(!saved.includes('three-Zz3'));

      // A save of text that does not seal says the edit was refused, not that the file is damaged;
      // with auto-save on and the setting off, it names the setting.
      const refused = async (): Promise<string> => {
        let message = '';
        // The provider itself, as a document's save calls it (workspace.fs would first create the folder).
        await assert.rejects(writeFile(shownUri(file), Buffer.from('A=1\nA=2\n')), (err: Error) => ((message = err.message), true));
        return message;
      };
      const withSetting = await refused();
      assert.match(withSetting, /Not saved: "A" appears twice: a value-encrypted file has one value per key\. Remove or rename one of them\. The file on disk is unchanged\./);
      assert.doesNotMatch(withSetting, /damaged|autoSaveWhenNoErrors/);
      await files.update('autoSaveWhenNoErrors', undefined, vscode.ConfigurationTarget.Global);
      assert.match(await refused(), /turn on the setting "files\.autoSaveWhenNoErrors"/);
      assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), saved, 'the file on disk is unchanged');
    } finally {
      delete (fsp as { writeFile?: unknown }).writeFile;
      for (const key of ['autoSave', 'autoSaveDelay', 'autoSaveWhenNoErrors']) await files.update(key, undefined, vscode.ConfigurationTarget.Global);
      await closeAllEditors();
    }
  });

  it('a save in the decrypted editor that would write a value readable by a slip of syntax (YAML "pass: &Sup3r!", .env "A=abc#def") or copy an encrypted value with an alias is refused and marked on its line; a slip the file held already does not hold later saves back', async () => {
    // A red team's edit in the decrypted view wrote "pass: &Sup3r!…" in the clear, without a word; an
    // alias to an encrypted value was refused as "This file is damaged… Restore it from git".
    const fsp = team.encryption.values.fs;
    const { file, text } = await sealedForMe('slips.yaml', 'db:\n  pass: first-Pw1\n  user: app\n', team.alice.key, 'yaml');
    try {
      const doc = await vscode.workspace.openTextDocument(shownUri(file));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.replace(doc.lineAt(1).range, '  pass: &Sup3r!CANARYanchor'));
      const problems = await waitFor('the slip marked', async () => {
        const found = vscode.languages.getDiagnostics(doc.uri);
        return found.length > 0 && found;
      });
      assert.deepStrictEqual(problems.map((d) => [d.range.start.line, d.severity]), [[1, vscode.DiagnosticSeverity.Error]]);
      assert.match(problems[0].message, /^An anchor \(&…\) or a tag \(!…\) stands where the value of "db\.pass" is: it would be written readable\. Put the whole value in quotes/);
      const refused = async (content: string): Promise<string> => {
        let message = '';
        await assert.rejects(fsp.writeFile(shownUri(file), Buffer.from(content)), (err: Error) => ((message = err.message), true));
        return message;
      };
      const anchor = await refused(doc.getText());
      assert.match(anchor, /^Not saved: An anchor \(&…\) or a tag \(!…\) stands where the value of "db\.pass" is: it would be written readable\. Put the whole value in quotes/);
      const alias = await refused('db:\n  pass: &p "x-Secret9"\n  user: app\n  replica: *p\n');
      assert.match(alias, /^Not saved: "db\.pass" is encrypted, but the YAML alias at "db\.replica" copies it/);
      assert.doesNotMatch(`${anchor} ${alias}`, /damaged|CANARY|x-Secret9/);
      assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), text, 'the file on disk is unchanged');
      await closeAllEditors();

      const env = await sealedForMe('slips.env', 'JWT_SECRET=first-Jw1\nOK=1\n', team.alice.key);
      await vscode.workspace.openTextDocument(shownUri(env.file));
      await assert.rejects(fsp.writeFile(shownUri(env.file), Buffer.from('JWT_SECRET=abc#CANARYhash\nOK=1\n')), /Not saved: The value of JWT_SECRET stops at "#": what follows would be written readable, as a comment\. Put the whole value in quotes/);
      assert.strictEqual(fs.readFileSync(env.file.fsPath, 'utf8'), env.text);

      // Sealed with its slip (the CLI warned; "Encrypt Anyway"): later edits of other values still save.
      const held = await sealedForMe('held.env', 'JWT_SECRET=abc#kept-as-comment\nOK=1\n', team.alice.key);
      await vscode.workspace.openTextDocument(shownUri(held.file));
      await fsp.writeFile(shownUri(held.file), Buffer.from('JWT_SECRET=abc#kept-as-comment\nOK=2\n'));
      assert.notStrictEqual(fs.readFileSync(held.file.fsPath, 'utf8'), held.text, 'saved');
      fs.rmSync(env.file.fsPath);
      fs.rmSync(held.file.fsPath);
    } finally {
      await closeAllEditors();
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('with auto-save on and files.autoSaveWhenNoErrors off, a save refused for a marked problem is made once the problem is fixed (VS Code\'s auto-save skips a document whose save failed)', async () => {
    // A newcomer quoted the value the refusal named; the fix sat unsaved, the tab dirty, with nothing to say so.
    const { file, text } = await sealedForMe('refused-autosave.env', 'A=one-Xx1\n', team.alice.key);
    const files = vscode.workspace.getConfiguration('files');
    const fsp = team.encryption.values.fs;
    const writeFile = fsp.writeFile.bind(fsp);
    const refused: string[] = [];
    fsp.writeFile = async (uri, content) => {
      try {
        return await writeFile(uri, content);
      } catch (err) {
        refused.push((err as Error).message);
        throw err;
      }
    };
    try {
      await files.update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
      await files.update('autoSaveDelay', 500, vscode.ConfigurationTarget.Global);
      const doc = await vscode.workspace.openTextDocument(shownUri(file));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'JWT_SECRET=abc#def-Zz9\n'));
      await waitFor('the auto-save refused', async () => refused.length > 0, 10_000);
      assert.match(refused[0], /stops at "#"/);
      assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), text);
      await editor.edit((e) => e.replace(doc.lineAt(1).range, "JWT_SECRET='abc#def-Zz9'"));
      await waitFor('the fix saved without a save by hand', async () => !doc.isDirty && fs.readFileSync(file.fsPath, 'utf8') !== text, 10_000);
      const saved = fs.readFileSync(file.fsPath, 'utf8');
      assert.match(saved, /^JWT_SECRET=custodian-val1\./m);
      assert.ok(!saved.includes('def-Zz9'));
    } finally {
      delete (fsp as { writeFile?: unknown }).writeFile;
      for (const key of ['autoSave', 'autoSaveDelay']) await files.update(key, undefined, vscode.ConfigurationTarget.Global);
      await closeAllEditors();
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('env files for debug sessions, tasks and terminals: a value-encrypted .env gives its values, a tampered one is refused', async () => {
    const { sealValues } = await import('../../src/core/values');
    const { EnvSource } = await import('../../src/extension/run/env-source');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsUri('values-repo', 'debug.env');
    fs.writeFileSync(file.fsPath, await sealValues('API_TOKEN="for the debugger"\nPORT=8080\n', { format: 'dotenv', recipients: [me], signer: team.alice.key, backend }));
    const source = new EnvSource({ session: team.services.session, backend: team.services.backend });
    const vars = await source.load([file]);
    assert.strictEqual(vars.get('API_TOKEN'), 'for the debugger');
    assert.strictEqual(vars.get('PORT'), '8080');
    const text = fs.readFileSync(file.fsPath, 'utf8');
    const [a, b] = [/^API_TOKEN=(.*)$/m.exec(text)![1], /^PORT=(.*)$/m.exec(text)![1]];
    fs.writeFileSync(file.fsPath, text.replace(a, '@').replace(b, a).replace('@', b));
    // Signed: the signature, checked first, covers every value.
    await assert.rejects(source.load([file]), /Cannot decrypt values-repo\/debug\.env: the signature .* does not verify/);
  });

  it('a file moved while its decrypted tab had unsaved edits: the save writes nothing, at either path, and says the file is no longer where it was opened (it said a decrypted file is never saved under another name)', async () => {
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const me = (await team.services.keyStore.getPublicKey(team.me.id))!;
    const file = wsUri('values-repo', 'moving.yaml');
    const moved = wsUri('values-repo', 'moved.yaml');
    fs.writeFileSync(file.fsPath, await sealValues('a: kept-Mv41\n', { format: 'yaml', recipients: [me], signer: team.alice.key, backend }));
    try {
      const shown = await run<vscode.Uri>('custodian.openValuesDecrypted', file);
      const doc = await vscode.workspace.openTextDocument(shown!);
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'b: unsaved-Mv42\n'));
      const rename = new vscode.WorkspaceEdit();
      rename.renameFile(file, moved);
      assert.ok(await vscode.workspace.applyEdit(rename), 'moved, as the Explorer moves it');
      const movedBytes = fs.readFileSync(moved.fsPath);
      assert.strictEqual(await doc.save(), false, 'not saved');
      assert.ok(!fs.existsSync(file.fsPath), 'nothing written at the old path');
      assert.ok(fs.readFileSync(moved.fsPath).equals(movedBytes), 'the moved file is unchanged');
      // What VS Code asks before writing a file it finds missing (its folder first), and what it then shows.
      await assert.rejects(Promise.resolve(team.encryption.values.fs.createDirectory(vscode.Uri.joinPath(doc.uri, '..'))), /values-repo\/moving\.yaml is no longer where it was opened \(moved, renamed or deleted since\): nothing was saved/);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      for (const f of [file, moved]) fs.rmSync(f.fsPath, { force: true });
      await closeAllEditors();
    }
  });

  it('a file the git merge driver left in conflict opens with the markers between the decrypted values; saving the resolution seals an ordinary file', async () => {
    const { sealValues, openValues, isValueEncrypted } = await import('../../src/core/values');
    const { joinConflict, isConflictedValues } = await import('../../src/core/values-conflict');
    const { backend } = await import('./support/enc');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsUri('values-repo', 'conflict.env');
    const ours = 'A=keep-Zq81\nB=ours-Hh27\nC=also-kept-Rt55\n';
    const theirs = 'A=keep-Zq81\nB=theirs-Uu93\nC=also-kept-Rt55\n';
    // As the driver writes it: ours sealed, theirs re-sealed with ours' data key, interleaved by markers.
    const oursSealed = await sealValues(ours, { format: 'dotenv', recipients: [me, team.alice.publicKey], signer: team.alice.key, backend });
    const opened = await openValues(oursSealed, { format: 'dotenv', identities: [team.alice.key], backend });
    const theirsSealed = await opened.reseal(theirs, { backend, signer: team.alice.key });
    opened.dispose();
    const conflicted = joinConflict(oursSealed, theirsSealed);
    assert.ok(conflicted && isConflictedValues(conflicted, 'dotenv'));
    fs.writeFileSync(file.fsPath, conflicted);
    for (const s of ['ours-Hh27', 'theirs-Uu93', 'keep-Zq81']) assert.ok(!conflicted.includes(s), `${s} is sealed in the conflicted file`);

    // Opened as its CodeLens opens it (the command said the file was damaged: it read the markers as the file).
    const shown = await run<vscode.Uri>('custodian.openValuesDecrypted', file);
    assert.ok(shown, 'opened');
    const doc = await vscode.workspace.openTextDocument(shown);
    assert.strictEqual(doc.getText(), 'A=keep-Zq81\n<<<<<<< ours\nB=ours-Hh27\n=======\nB=theirs-Uu93\n>>>>>>> theirs\nC=also-kept-Rt55\n');
    // The Problems view names the conflict on the marker's line (it said "expected a NAME").
    const problems = await waitFor('the conflict in Problems', async () => {
      const found = vscode.languages.getDiagnostics(doc.uri);
      return found.length > 0 ? found : undefined;
    });
    assert.deepStrictEqual(
      problems.map((d) => [d.range.start.line, d.message]),
      [[1, 'A merge conflict: keep the version you want between the markers (or "Resolve in Merge Editor"); the file saves once no marker is left.']],
    );
    const editor = await vscode.window.showTextDocument(doc);
    // The status bar does not give the current side's signer as the whole file's. No merge in git: the
    // incoming side's signer is the one who re-sealed it.
    await waitFor('the status bar', async () => team.encryption.statusBar.text?.includes('merge conflict'));
    assert.match(team.encryption.statusBar.text ?? '', /signed by alice ✓ · merge conflict, the incoming side re-sealed in the merge by alice ✓$/);
    // Markers inside a value are refused too, wherever they would parse.
    const conflictedBytes = fs.readFileSync(file.fsPath);
    // Through the provider, as a save writes (workspace.fs would first make the parent "folder").
    await assert.rejects(team.encryption.values.fs.writeFile(doc.uri, Buffer.from('A="x\n<<<<<<< ours\ny"\n')), /still has merge conflict markers/);
    assert.ok(fs.readFileSync(file.fsPath).equals(conflictedBytes), 'nothing written');
    await editor.edit((e) => e.replace(new vscode.Range(1, 0, 6, 0), 'B=theirs-Uu93\n'));
    const accept = answerModals((p) => p.items.find((i) => i === 'Save and Sign as Me'));
    try {
      assert.ok(await doc.save(), 'saved');
    } finally {
      accept.dispose();
    }
    const after = fs.readFileSync(file.fsPath, 'utf8');
    assert.ok(!isConflictedValues(after, 'dotenv') && isValueEncrypted(after, 'dotenv'), 'an ordinary value-encrypted file again');
    assert.strictEqual(/^A=.*$/m.exec(after)![0], /^A=.*$/m.exec(oursSealed)![0], "an unchanged value keeps ours' token");
    const back = await openValues(after, { format: 'dotenv', identities: [team.alice.key], backend });
    assert.strictEqual(back.document, theirs);
    back.dispose();
    for (const s of ['ours-Hh27', 'theirs-Uu93', 'keep-Zq81']) {
      assert.deepStrictEqual(filesContaining(dir(), s), [], `${s} nowhere in the repository`);
      assert.deepStrictEqual(filesContaining(USER_DATA, s), [], `${s} nowhere under the user data dir`);
    }
    await closeAllEditors();
  });

  it('"Save As…" to a plain file (VS Code offers it after a refused save): the decrypted text is not written there, a note is, and an error says so', async () => {
    const { file } = await sealedForMe('save-as-plain.env', 'TOKEN=save-as-secret-3Jq\n', team.alice.key);
    const decrypted = await vscode.workspace.openTextDocument(shownUri(file));
    assert.strictEqual(decrypted.getText(), 'TOKEN=save-as-secret-3Jq\n');
    // Unsaved edits, which Save As carries to its target and then reverts in its source.
    const sourceEditor = await vscode.window.showTextDocument(decrypted);
    await sourceEditor.edit((b) => b.insert(new vscode.Position(1, 0), 'EDITED=unsaved-3Jr\n'));
    const edited = decrypted.getText();
    // What Save As does: it opens its target as a new document holding the source's text, then saves it.
    const target = path.join(dir(), 'saved-as.env');
    fs.writeFileSync(target, '');
    const errors: string[] = [];
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showErrorMessage as (...args: unknown[]) => Thenable<unknown>;
    window.showErrorMessage = (message: string) => (errors.push(message), Promise.resolve(undefined));
    try {
      const copy = await vscode.workspace.openTextDocument(vscode.Uri.file(target));
      const edit = new vscode.WorkspaceEdit();
      edit.insert(copy.uri, new vscode.Position(0, 0), edited);
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await copy.save());
      const onDisk = fs.readFileSync(target, 'utf8');
      assert.ok(!onDisk.includes('save-as-secret-3Jq'), onDisk);
      assert.strictEqual(onDisk, '(Custodian did not let VS Code save the decrypted text of save-as-plain.env here. To keep a decrypted copy on disk on purpose, use "Decrypt Values to New File…".)\n');
      assert.deepStrictEqual(errors, ['Not written in the clear: values-repo/saved-as.env would have held the decrypted text of save-as-plain.env. It holds a note saying so instead. Delete it, or use "Decrypt Values to New File…" to keep a decrypted copy on purpose.']);
      assert.deepStrictEqual(filesContaining(USER_DATA, 'save-as-secret-3Jq'), [], 'nor in Local History');
      // Then it reverts the source: the unsaved edits would be in neither file. They come back, unsaved.
      await vscode.window.showTextDocument(decrypted);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await waitFor('the edits back in the decrypted document', async () => decrypted.isDirty && decrypted.getText() === edited);
      assert.ok(!fs.readFileSync(file.fsPath, 'utf8').includes('unsaved-3Jr') && !fs.readFileSync(target, 'utf8').includes('unsaved-3Jr'), 'in memory only');
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await waitFor('reverted', async () => !decrypted.isDirty);
      // Undo in the copy brings the decrypted text back into it (a red team then saved it): the note
      // replaces it again at once, so neither a save nor VS Code's backup a second later gets it.
      await vscode.window.showTextDocument(copy);
      await vscode.commands.executeCommand('undo');
      await waitFor('the note back in the copy', async () => copy.getText().startsWith('(Custodian did not let VS Code save'));
      await sleep(2_500);
      assert.ok(!copy.getText().includes('save-as-secret-3Jq'));
      assert.ok(await copy.save());
      assert.ok(!fs.readFileSync(target, 'utf8').includes('save-as-secret-3Jq'), 'not written after an undo');
      assert.deepStrictEqual(filesContaining(USER_DATA, 'save-as-secret-3Jq'), [], 'nor backed up after an undo');
      const replaceAll = async (text: string): Promise<void> => {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(copy.uri, new vscode.Range(copy.positionAt(0), copy.positionAt(copy.getText().length)), text);
        assert.ok(await vscode.workspace.applyEdit(edit));
      };
      // Any other text is saved as written.
      await replaceAll('NOTES=plain\n');
      assert.ok(await copy.save());
      assert.strictEqual(fs.readFileSync(target, 'utf8'), 'NOTES=plain\n');
      // A second Save As onto the copy, open all along (a check helper got past a guard that looked only
      // at documents opened moments before), with its trailing whitespace trimmed by another participant.
      await new Promise((r) => setTimeout(r, 11_000));
      await replaceAll('TOKEN=save-as-secret-3Jq   \n\n');
      assert.ok(await copy.save());
      assert.ok(!fs.readFileSync(target, 'utf8').includes('save-as-secret-3Jq'), 'an open target is guarded too');
      assert.strictEqual(errors.length, 2);
    } finally {
      window.showErrorMessage = original;
      await closeAllEditors();
      fs.rmSync(target, { force: true });
    }
  });

  it('"Save As…" of a decrypted value file makes no copy and does not re-seal the original: another name with its query is refused', async () => {
    const { file } = await sealedForMe('save-as.env', 'TOKEN=kept-as-it-was\n');
    const before = fs.readFileSync(file.fsPath);
    const shown = shownUri(file);
    assert.strictEqual((await vscode.workspace.openTextDocument(shown)).getText(), 'TOKEN=kept-as-it-was\n');
    const saveAs = shown.with({ path: path.join(path.dirname(file.path), 'leak.env') });
    const code = (err: unknown): string | undefined => (err instanceof vscode.FileSystemError ? err.code : undefined);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(saveAs)), (err) => code(err) === 'FileNotFound', 'the new name does not exist');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(saveAs, Buffer.from('TOKEN=saved-as\n'))), (err: Error) => {
      assert.strictEqual(code(err), 'NoPermissions');
      assert.match(err.message, /Decrypt Values to New File/);
      return true;
    });
    assert.ok(fs.readFileSync(file.fsPath).equals(before), 'the value-encrypted file is unchanged');
    assert.ok(!fs.existsSync(path.join(dir(), 'leak.env')), 'no file under the new name');
    await closeAllEditors();
  });

  it('Decrypt Values to New File proposes a place outside the workspace; Enter at a place inside goes back to the dialog and writes nothing', async () => {
    const { file } = await sealedForMe('to-dialog.env', 'TOKEN=plain-dialog-Q4\n');
    const inside = wsUri('values-repo', 'to-dialog.env.plaintext');
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalSave = window.showSaveDialog;
    const proposed: (vscode.Uri | undefined)[] = [];
    const picks: (vscode.Uri | undefined)[] = [inside, undefined];
    window.showSaveDialog = async (options?: vscode.SaveDialogOptions) => (proposed.push(options?.defaultUri), picks.shift());
    const modals = answerModals((p) => p.items[0]);
    try {
      assert.strictEqual(await run('custodian.decryptValuesToFile', { uri: file, confirm: true }), undefined);
    } finally {
      window.showSaveDialog = originalSave;
      modals.dispose();
    }
    assert.strictEqual(proposed.length, 2, 'Enter went back to the save dialog');
    assert.ok(proposed.every((u) => u && !vscode.workspace.getWorkspaceFolder(u)), `proposed outside the workspace: ${proposed.map((u) => u?.fsPath).join(', ')}`);
    assert.deepStrictEqual(modals.prompts.map((p) => p.items), [['Choose Another Place…', 'Decrypt Here Anyway']], 'the safe choice first: the default (Enter) button');
    assert.ok(!fs.existsSync(inside.fsPath), 'nothing written in the workspace');
    assert.deepStrictEqual(filesContaining(wsPath(), 'plain-dialog-Q4'), [], 'no plaintext anywhere in the workspace');
  });

  it('Decrypt Values to New File: after the warning, a new file readable by me only; a declined warning or an existing file writes nothing', async () => {
    const document = '# copy me\nTOKEN=plain-copy-Z8\n';
    const { file } = await sealedForMe('to-plain.env', document);
    const before = fs.readFileSync(file.fsPath);
    const target = wsUri('values-repo', 'to-plain.env.plaintext');
    fs.rmSync(target.fsPath, { force: true });

    assert.strictEqual(await run('custodian.decryptValuesToFile', { uri: file, target, confirm: false }), undefined);
    assert.ok(!fs.existsSync(target.fsPath), 'declined: nothing written');

    const written = await run<vscode.Uri>('custodian.decryptValuesToFile', { uri: file, target, confirm: true });
    assert.strictEqual(written?.fsPath, target.fsPath);
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), document);
    assert.strictEqual(fs.statSync(target.fsPath).mode & 0o777, 0o600, 'the plaintext copy is readable by me only');
    assert.ok(fs.readFileSync(file.fsPath).equals(before), 'the encrypted file is unchanged');

    fs.writeFileSync(target.fsPath, 'mine\n');
    const { result, errors } = await captureErrors(team.services, () => run('custodian.decryptValuesToFile', { uri: file, target, confirm: true }));
    assert.strictEqual(result, undefined);
    assert.match(errors.map((e) => e.message).join('\n'), /already exists/);
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), 'mine\n', 'an existing file is never replaced');
    fs.rmSync(target.fsPath, { force: true });

    // A file I cannot open says so first: no warning to click through, no save dialog (a trial's).
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const notMine = wsUri('values-repo', 'not-mine.env');
    fs.writeFileSync(notMine.fsPath, await sealValues('TOKEN=alice-only\n', { format: 'dotenv', recipients: [team.alice.publicKey], signer: team.alice.key, backend }));
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showWarningMessage;
    let asked = 0;
    window.showWarningMessage = () => (asked++, Promise.resolve(undefined));
    try {
      const refused = await captureErrors(team.services, () => run('custodian.decryptValuesToFile', { uri: notMine }));
      assert.strictEqual(refused.result, undefined);
      assert.match(refused.errors.map((e) => e.message).join('\n'), /You are not a recipient of not-mine\.env/);
      assert.strictEqual(asked, 0, 'not asked to confirm a write that cannot happen');
    } finally {
      window.showWarningMessage = original;
      fs.rmSync(notMine.fsPath, { force: true });
    }
  });

  it('a value edited on disk: the decrypted view does not open, and the message names that value; the file is left as it was', async () => {
    const { file, text: sealed } = await sealedForMe('edited.env', 'API_TOKEN=edited-on-disk\nPORT=8080\n', team.alice.key);
    // One character of API_TOKEN's token changed, as a hand edit or a bad merge would.
    const at = sealed.indexOf('API_TOKEN=custodian-val1.') + 'API_TOKEN=custodian-val1.'.length + 20;
    const tampered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    fs.writeFileSync(file.fsPath, tampered);
    await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(shownUri(file))), (err: Error) => {
      assert.match(err.message, /"API_TOKEN"/, err.message);
      assert.ok(!err.message.includes('edited-on-disk'));
      return true;
    });
    assert.strictEqual(fs.readFileSync(file.fsPath, 'utf8'), tampered);
  });

  it('a file I am not a recipient of does not open; the file is left as it was', async () => {
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const foreign = wsUri('values-repo', 'foreign.env');
    fs.writeFileSync(foreign.fsPath, await sealValues('X=1\n', { format: 'dotenv', recipients: [team.mallory.publicKey], backend }));
    const before = fs.readFileSync(foreign.fsPath);
    await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'custodian-values', path: foreign.path, query: foreign.toString() }))));
    assert.ok(fs.readFileSync(foreign.fsPath).equals(before));
    // Open Decrypted (the CodeLens) says why in our words, not in VS Code's "Cannot open custodian-values:…".
    const { errors } = await captureErrors(team.services, () => run('custodian.openValuesDecrypted', { uri: foreign }));
    assert.match(errors[0]?.message ?? '', /^You are not a recipient of foreign\.env\. It is encrypted to: /);
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'custodian-values' && behind(e.document.uri).toString() === foreign.toString()), 'no editor opened');
  });
});
