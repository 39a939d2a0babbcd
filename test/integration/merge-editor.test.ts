// VS Code's three-way merge editor over a `.enc` file that the merge driver left in conflict, in the
// real VS Code with the real git: base, current and incoming are read from git's index stages and
// decrypted in memory, the result is the decrypted working file; saving re-encrypts, `git add` and
// `git commit` finish the merge. No plaintext reaches the repository, the workspace or VS Code's
// user-data folder (Local History, backups) at any step.
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { answerModals } from './support/modals';
import { decryptBytes, encryptBytes } from '../../src/core/envelope';
import { openValues, sealValues } from '../../src/core/values';
import { exportPublicKeyOpenSsh, type RsaPublicKey } from '../../src/core/keys';
import type { ResolveInMergeEditorResult } from '../../src/extension/git/merge-editor';
import { captureErrors, getApi, recordWarningMessages, scratchDir, workspaceFolder } from './support/custodian';
import { backend, closeAllEditors, encryptFor, filesContaining, sleep, useTeam } from './support/enc';
import { extensionCli, gitIn, ok, teamRepo } from './support/git-repo';

const MARKER = 'MERGE-EDITOR-PLAINTEXT-7e3a';
const RESOLVE = 'custodian.resolveInMergeEditor';

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A merge editor tab's input (the proposed API's TabInputTextMerge; its class is in the API object, its type is not). */
interface TabInputTextMerge {
  readonly base: vscode.Uri;
  readonly input1: vscode.Uri;
  readonly input2: vscode.Uri;
  readonly result: vscode.Uri;
}

function mergeTabs(): TabInputTextMerge[] {
  const cls = (vscode as unknown as { TabInputTextMerge?: new () => TabInputTextMerge }).TabInputTextMerge;
  assert.ok(cls, 'vscode.TabInputTextMerge');
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.input)).filter((i): i is TabInputTextMerge => i instanceof cls);
}

describe('git: the three-way merge editor for a conflicted .enc file', function () {
  this.timeout(120_000);
  const team = useTeam();
  let repo: string;
  let keys: string;
  let me: RsaPublicKey;
  let initial: string;
  const base = Array.from({ length: 12 }, (_, k) => `KEY_${k}=${MARKER}-base-${k}\n`);

  const git = gitIn(() => repo);
  const encFile = () => path.join(repo, '.env.enc');
  const read = async (uri: vscode.Uri) => (await vscode.workspace.openTextDocument(uri)).getText();
  const asAlice = async (bytes: Uint8Array) => decryptBytes(bytes, { identities: [team.alice.key], backend });

  /** Every file holding MARKER: the repository (.git and its objects included), the workspace, VS Code's user data. */
  function plaintextOnDisk(): string[] {
    const hits = [...filesContaining(workspaceFolder().uri.fsPath, MARKER)];
    const userData = process.env.CUSTODIAN_TEST_USER_DATA_DIR;
    if (userData) hits.push(...filesContaining(userData, MARKER));
    if (spawnSync('git', ['-C', repo, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 64 << 20 }).stdout.includes(MARKER)) hits.push('(a git object)');
    return hits;
  }

  /** ours and theirs both change line 5 (a conflict); ours also line 1, theirs line 9 (merged cleanly). */
  function sides(): { ours: string[]; theirs: string[] } {
    const ours = [...base];
    ours[1] = `KEY_1=${MARKER}-ours-only\n`;
    ours[5] = `KEY_5=${MARKER}-ours\n`;
    const theirs = [...base];
    theirs[5] = `KEY_5=${MARKER}-theirs\n`;
    theirs[9] = `KEY_9=${MARKER}-theirs-only\n`;
    return { ours, theirs };
  }

  /**
   * Every side of the merge editor decrypted, in `scheme`; its result, which VS Code starts from its own
   * merge (both clean changes in, the conflicting line as in the base, to be decided in the editor).
   */
  async function decryptedSides(tab: TabInputTextMerge, scheme: string, ours: string[], theirs: string[]): Promise<vscode.TextDocument> {
    for (const side of [tab.base, tab.input1, tab.input2, tab.result]) assert.strictEqual(side.scheme, scheme, side.toString());
    // A merge lays out incoming on the left (input1) and current on the right, as VS Code's git extension does.
    assert.strictEqual(await read(tab.base), base.join(''));
    assert.strictEqual(await read(tab.input1), theirs.join(''));
    assert.strictEqual(await read(tab.input2), ours.join(''));
    const result = await vscode.workspace.openTextDocument(tab.result);
    await waitUntil('the merge editor to compute the result', () => !result.getText().includes('<<<<<<<'));
    assert.strictEqual(result.getText(), [base[0], ours[1], ...base.slice(2, 9), theirs[9], ...base.slice(10)].join(''));
    return result;
  }

  /** The conflict of `sides()` in the `.enc` file, merged by git on the command line. */
  async function conflict(theirsRecipients: RsaPublicKey[], driverHasKey = true): Promise<{ ours: string[]; theirs: string[] }> {
    // Each test starts from the first commit, whatever an earlier one left.
    git(['merge', '--abort']);
    ok(git(['checkout', '-q', '-f', 'main']));
    ok(git(['reset', '-q', '--hard', initial]));
    const { ours, theirs } = sides();
    ok(git(['checkout', '-q', '-B', 'feature', 'main']));
    fs.writeFileSync(encFile(), await encryptFor(theirsRecipients, theirs.join(''), team.alice.key));
    ok(git(['commit', '-q', '-am', 'theirs']));
    ok(git(['checkout', '-q', 'main']));
    fs.writeFileSync(encFile(), await encryptFor([me, team.alice.publicKey], ours.join(''), team.alice.key));
    ok(git(['commit', '-q', '-am', 'ours']));
    // Alice merges on the command line (the driver takes her key file) and gets the conflict. Without
    // a key the driver cannot decrypt: it fails, git reports the conflict, and the file stays ours. (Not
    // even the agent of this window: this test's git runs synchronously in the extension host, which
    // could not answer it.)
    const keyEnv = driverHasKey ? { CUSTODIAN_IDENTITY: path.join(keys, 'alice.pem') } : { CUSTODIAN_AGENT_SOCK: undefined };
    const merge = git(['merge', '--no-edit', 'feature'], keyEnv);
    assert.match(merge.stdout + merge.stderr, /CONFLICT \(content\): Merge conflict in \.env\.enc/);
    assert.match(git(['ls-files', '-u', '--', '.env.enc']).stdout, /\s1\t[\s\S]*\s2\t[\s\S]*\s3\t/, 'stages 1, 2 and 3 in the index');
    return { ours, theirs };
  }

  /** The conflict notice names `file` with `message`, and a second look names it no more. */
  async function namedOnce(file: string, message: string): Promise<void> {
    const conflicts = (await getApi()).git.conflicts;
    const notices = recordWarningMessages(() => undefined);
    try {
      assert.ok((await conflicts.look()).some((u) => u.fsPath === file), 'named');
      await waitUntil('the notice', () => notices.told.includes(message));
      assert.ok(!(await conflicts.look()).some((u) => u.fsPath === file), 'named once per conflict');
    } finally {
      notices.dispose();
    }
  }

  /**
   * The conflict of `sides()` in a value-encrypted `name` (dotenv) for `recipients`, set up for the merge
   * driver as Set Up Git leaves it (its merge line), with `files` committed beside it: theirs sealed by
   * `theirsSigner`, ours by alice, and alice merging on the command line (the driver re-seals both sides
   * with her key).
   */
  async function valuesConflict(name: string, recipients: RsaPublicKey[], theirsSigner = team.alice.key, files: Record<string, string> = {}): Promise<{ envFile: string; ours: string[]; theirs: string[] }> {
    git(['merge', '--abort']);
    ok(git(['checkout', '-q', '-f', 'main']));
    ok(git(['reset', '-q', '--hard', initial]));
    const envFile = path.join(repo, name);
    const seal = (lines: string[], signer = team.alice.key) => sealValues(lines.join(''), { format: 'dotenv', recipients, signer, backend });
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(repo, file), text);
    // A roster entry added here is one the user checked (custodian roster trust), as the drivers require.
    const added = Object.keys(files).filter((f) => f.startsWith('.custodian/team/') && f.endsWith('.pub')).map((f) => path.basename(f, '.pub'));
    if (added.length > 0) {
      const trust = spawnSync('node', [extensionCli(), 'roster', 'trust', '-R', '.custodian/team', ...added], { cwd: repo, encoding: 'utf8' });
      assert.strictEqual(trust.status, 0, trust.stderr);
    }
    fs.writeFileSync(envFile, await seal(base));
    fs.appendFileSync(path.join(repo, '.gitattributes'), `/${name} merge=custodian\n`);
    ok(git(['add', '-A']));
    ok(git(['commit', '-q', '-m', 'values']));
    const { ours, theirs } = sides();
    ok(git(['checkout', '-q', '-B', 'feature', 'main']));
    fs.writeFileSync(envFile, await seal(theirs, theirsSigner));
    ok(git(['commit', '-q', '-am', 'theirs']));
    ok(git(['checkout', '-q', 'main']));
    fs.writeFileSync(envFile, await seal(ours));
    ok(git(['commit', '-q', '-am', 'ours']));
    const merge = git(['merge', '--no-edit', 'feature'], { CUSTODIAN_IDENTITY: path.join(keys, 'alice.pem') });
    assert.match(merge.stdout + merge.stderr, new RegExp(`CONFLICT \\(content\\): Merge conflict in ${name.replace(/\./g, '\\.')}`));
    return { envFile, ours, theirs };
  }

  before(async () => {
    me = (await team.services.keyStore.getPublicKey(team.me.id))!;
    keys = scratchDir();
    fs.writeFileSync(path.join(keys, 'alice.pem'), team.alice.privatePem, { mode: 0o600 });
    repo = teamRepo('merge-editor-repo', me, team.alice.publicKey);
    fs.writeFileSync(encFile(), await encryptFor([me, team.alice.publicKey], base.join(''), team.alice.key));
    ok(git(['add', '-A']));
    ok(git(['commit', '-q', '-m', 'secrets']));
    initial = git(['rev-parse', 'HEAD']).stdout.trim();
  });

  after(async () => {
    await closeAllEditors();
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(keys, { recursive: true, force: true });
  });

  it('Resolve in Merge Editor: base, incoming and current decrypted from git, the result saved encrypted; Complete Merge stages it (git add) and git commit finishes the merge; no plaintext on disk', async () => {
    const { ours, theirs } = await conflict([me, team.alice.publicKey]);
    const file = vscode.Uri.file(encFile());
    const before = fs.readFileSync(encFile());
    // The conflict is named, with the way to resolve it (git's own message says only "merge conflicts").
    await namedOnce(encFile(), 'merge-editor-repo/.env.enc has a merge conflict inside its encryption: resolve it in the merge editor, which shows every side decrypted in memory, then Complete Merge.');

    // The conflicted file opened decrypted offers the merge editor above its first marker.
    await vscode.commands.executeCommand('vscode.open', file);
    await waitUntil('the decrypted editor', () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-enc');
    const decrypted = vscode.window.activeTextEditor!.document;
    assert.match(decrypted.getText(), /^<<<<<<< ours$/m);
    let lens: vscode.CodeLens | undefined;
    await waitUntil('the Resolve in Merge Editor CodeLens', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', decrypted.uri);
      lens = lenses?.find((l) => l.command?.command === RESOLVE);
      return lens !== undefined;
    });
    assert.strictEqual(lens!.range.start.line, decrypted.getText().split('\n').findIndex((l) => l.startsWith('<<<<<<<')));

    // As from the Source Control view's context menu on the merge change.
    const opened = await vscode.commands.executeCommand<ResolveInMergeEditorResult>(RESOLVE, { resourceUri: file });
    assert.ok(opened, 'the command opened the merge editor');
    await waitUntil('the merge editor tab', () => mergeTabs().length === 1);
    const tab = mergeTabs()[0];
    assert.deepStrictEqual(
      [tab.base, tab.input1, tab.input2, tab.result].map((u) => u.toString()),
      [opened.base, opened.input1, opened.input2, opened.result].map((u) => u.toString()),
    );
    assert.strictEqual(vscode.Uri.parse(tab.result.query).toString(), file.toString(), 'the result is the decrypted working file');
    const result = await decryptedSides(tab, 'custodian-enc', ours, theirs);
    assert.deepStrictEqual(fs.readFileSync(encFile()), before, 'opening the merge editor wrote nothing');
    // The result is modified and unsaved: VS Code's hot-exit backup (about a second after a change) must not write it.
    await sleep(2_000);
    assert.deepStrictEqual(plaintextOnDisk(), [], 'nothing written while the result is unsaved');
    // Versions from git are read-only: a write to one is refused, and git's index is untouched.
    assert.strictEqual((await vscode.workspace.fs.stat(tab.input1)).permissions, vscode.FilePermission.Readonly);
    await assert.rejects(
      Promise.resolve(team.encryption.deps.fs.writeFile(tab.input1, new TextEncoder().encode('x'), { create: true, overwrite: true })),
      (err: Error) => /NoPermissions/.test(`${err.name} ${(err as { code?: string }).code}`),
    );

    // I decide the conflict (both lines) and save the result from the merge editor.
    const resolution = [base[0], ours[1], ...base.slice(2, 5), ours[5], theirs[5], ...base.slice(6, 9), theirs[9], ...base.slice(10)].join('');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(tab.result, new vscode.Range(result.positionAt(0), result.positionAt(result.getText().length)), resolution);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await result.save(), 'saved (re-encrypted)');
    const saved = await asAlice(new Uint8Array(fs.readFileSync(encFile())));
    assert.strictEqual(new TextDecoder().decode(saved.plaintext), resolution);
    assert.strictEqual(saved.signature.kind === 'signed' && saved.signature.signer.fingerprint, me.fingerprint, 'signed by me, who resolved it');
    assert.deepStrictEqual(plaintextOnDisk(), [], 'the save wrote ciphertext only');

    // Complete Merge (the merge editor's title bar): saves, closes the merge editor, stages the file (git add).
    assert.strictEqual(await vscode.commands.executeCommand('custodian.completeMerge'), true);
    await waitUntil('the merge editor closed', () => mergeTabs().length === 0);
    assert.strictEqual(git(['ls-files', '-u']).stdout, '', 'no conflict left in the index');
    assert.deepStrictEqual(git(['diff', '--cached', '--name-only']).stdout.split('\n').filter(Boolean), ['.env.enc'], 'staged');
    ok(git(['commit', '-q', '--no-edit'])); // through the pre-commit guard
    const committed = await asAlice(new Uint8Array(execFileSync('git', ['-C', repo, 'show', 'HEAD:.env.enc'])));
    assert.strictEqual(new TextDecoder().decode(committed.plaintext), resolution);
    await closeAllEditors();
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a conflict the driver could not decrypt (the file is ours, no markers): the merge editor does not take ours as the resolution', async () => {
    const { ours, theirs } = await conflict([me, team.alice.publicKey], false);
    const file = vscode.Uri.file(encFile());
    assert.strictEqual(new TextDecoder().decode((await asAlice(new Uint8Array(fs.readFileSync(encFile())))).plaintext), ours.join(''), 'git left ours in place');
    const { result: opened, errors } = await captureErrors(team.services, () => Promise.resolve(vscode.commands.executeCommand<ResolveInMergeEditorResult>(RESOLVE, file)));
    assert.deepStrictEqual(errors, []);
    assert.ok(opened);
    await waitUntil('the merge editor tab', () => mergeTabs().length === 1);
    const result = await vscode.workspace.openTextDocument(mergeTabs()[0].result);
    // As after a driver that ran: both clean changes in, the conflicting line as in the base, to decide.
    const expected = [base[0], ours[1], ...base.slice(2, 9), theirs[9], ...base.slice(10)].join('');
    await waitUntil('the merge editor to start from a merge of both versions', () => result.getText() === expected, 10_000).catch(() =>
      assert.strictEqual(result.getText(), expected, 'the result is ours alone: the incoming change would be dropped without a conflict'),
    );
    // The working file now holds what the driver would have written: the merge with markers, encrypted.
    const written = new TextDecoder().decode((await asAlice(new Uint8Array(fs.readFileSync(encFile())))).plaintext);
    assert.match(written, /^<<<<<<< ours\n.*-ours\n=======\n.*-theirs\n>>>>>>> theirs$/m);
    await sleep(1_500);
    assert.deepStrictEqual(plaintextOnDisk(), [], 'ciphertext only');
    assert.ok(await result.save());
    await closeAllEditors();
    ok(git(['merge', '--abort']));
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a file for chosen people copied over the team\'s file: the merge editor refuses, naming who would read what that version changed; nothing is merged or encrypted for them', async () => {
    git(['merge', '--abort']);
    ok(git(['checkout', '-q', '-f', 'main']));
    ok(git(['reset', '-q', '--hard', initial]));
    const { alice } = team;
    // Someone's branch: the bytes of a file for me alone ("chosen"), copied over the team's .env.enc.
    const admin = [...base, `ROOT_PASSWORD=${MARKER}-admin-only\n`];
    ok(git(['checkout', '-q', '-B', 'feature', 'main']));
    fs.writeFileSync(encFile(), await encryptBytes(new TextEncoder().encode(admin.join('')), { recipients: [me], signer: alice.key, backend, recipientPolicy: 'chosen' }));
    ok(git(['commit', '-q', '-am', 'tidy up']));
    ok(git(['checkout', '-q', 'main']));
    const ours = [...base];
    ours[4] = `KEY_4=${MARKER}-ours\n`;
    fs.writeFileSync(encFile(), await encryptFor([me, alice.publicKey], ours.join(''), alice.key));
    ok(git(['commit', '-q', '-am', 'ours']));
    // Alice merges; the driver cannot open theirs (not for her) and leaves ours, conflicted.
    const merge = git(['merge', '--no-edit', 'feature'], { CUSTODIAN_IDENTITY: path.join(keys, 'alice.pem') });
    assert.match(merge.stdout + merge.stderr, /CONFLICT \(content\): Merge conflict in \.env\.enc/);
    const before = fs.readFileSync(encFile());

    const outcome = await captureErrors(team.services, () => Promise.resolve(vscode.commands.executeCommand(RESOLVE, vscode.Uri.file(encFile()))));
    assert.strictEqual(outcome.result, undefined);
    assert.strictEqual(outcome.errors.length, 1, JSON.stringify(outcome.errors));
    const shown = JSON.stringify(outcome.errors[0]);
    assert.match(shown, /Cannot open merge-editor-repo\/\.env\.enc in the merge editor: the incoming version \(theirs, stage 3\) is encrypted for chosen people \([^)]+\), and the merged file would also be read by alice, who could not read what it changed/);
    assert.match(shown, /git checkout --ours \.env\.enc/);
    await sleep(500);
    assert.deepStrictEqual(mergeTabs(), [], 'no merge editor');
    assert.ok(fs.readFileSync(encFile()).equals(before), 'the working file is still ours');
    const forAlice = await decryptBytes(new Uint8Array(fs.readFileSync(encFile())), { identities: [alice.key], backend });
    assert.doesNotMatch(new TextDecoder().decode(forAlice.plaintext), /admin-only/);
    ok(git(['merge', '--abort']));
    await closeAllEditors();
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a stash pop over an outsider\'s commit (ours: mallory\'s version, for her too): the merge editor refuses as the driver did, naming the side and its signer; nothing is merged, signed or encrypted for mallory', async () => {
    git(['merge', '--abort']);
    git(['stash', 'clear']);
    ok(git(['checkout', '-q', '-f', 'main']));
    ok(git(['reset', '-q', '--hard', initial]));
    const { mallory, alice } = team;
    // My uncommitted change, stashed for a pull…
    const mine = [...base];
    mine[3] = `KEY_3=${MARKER}-mine\n`;
    fs.writeFileSync(encFile(), await encryptFor([me, alice.publicKey], mine.join(''), alice.key));
    ok(git(['stash', '-q']));
    // …which brings mallory's commit: her values, encrypted for herself too, signed by her.
    const hers = [...base];
    hers[3] = `KEY_3=${MARKER}-mallory\n`;
    fs.writeFileSync(encFile(), await encryptFor([me, alice.publicKey, mallory.publicKey], hers.join(''), mallory.key));
    ok(git(['commit', '-q', '-am', 'mallory']));
    const pop = git(['stash', 'pop'], { CUSTODIAN_IDENTITY: path.join(keys, 'alice.pem') });
    assert.match(pop.stdout + pop.stderr, /CONFLICT \(content\): Merge conflict in \.env\.enc/);
    assert.match(git(['ls-files', '-u', '--', '.env.enc']).stdout, /\s1\t[\s\S]*\s2\t[\s\S]*\s3\t/, 'stages 1, 2 and 3 in the index');
    const before = fs.readFileSync(encFile());

    // A user who would click "Save and Sign as Me" is never asked: nothing is merged to sign.
    const modals = answerModals((p) => (p.items.includes('Save and Sign as Me') ? 'Save and Sign as Me' : undefined));
    let outcome: { result: unknown; errors: unknown[] };
    try {
      outcome = await captureErrors(team.services, () => Promise.resolve(vscode.commands.executeCommand(RESOLVE, vscode.Uri.file(encFile()))));
    } finally {
      modals.dispose();
    }
    assert.strictEqual(outcome.result, undefined);
    assert.deepStrictEqual(modals.prompts.map((p) => p.message), []);
    assert.strictEqual(outcome.errors.length, 1, JSON.stringify(outcome.errors));
    const shown = JSON.stringify(outcome.errors[0]);
    assert.match(shown, /Cannot open merge-editor-repo\/\.env\.enc in the merge editor: the current version \(ours, stage 2\) changed it since the base and is signed by a key Custodian does not know/);
    assert.match(shown, /git checkout --theirs \.env\.enc/);
    await sleep(500);
    assert.deepStrictEqual(mergeTabs(), [], 'no merge editor');
    assert.ok(fs.readFileSync(encFile()).equals(before), 'the working file is still ours, as the driver left it');
    const forMallory = await decryptBytes(new Uint8Array(fs.readFileSync(encFile())), { identities: [mallory.key], backend });
    assert.doesNotMatch(new TextDecoder().decode(forMallory.plaintext), /-mine/, 'my stashed change never reaches mallory');
    ok(git(['checkout', '--theirs', '.env.enc']));
    ok(git(['reset', '-q', '--hard', initial]));
    git(['stash', 'clear']);
    await closeAllEditors();
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a value-encrypted .env whose incoming side an outsider signed (the driver refused it): the merge editor refuses too, naming the side and its signer', async () => {
    const { envFile } = await valuesConflict('outsider.env', [me, team.alice.publicKey, team.mallory.publicKey], team.mallory.key);
    const before = fs.readFileSync(envFile);
    const modals = answerModals((p) => (p.items.includes('Save and Sign as Me') ? 'Save and Sign as Me' : undefined));
    let outcome: { result: unknown; errors: unknown[] };
    try {
      outcome = await captureErrors(team.services, () => Promise.resolve(vscode.commands.executeCommand(RESOLVE, { resourceUri: vscode.Uri.file(envFile) })));
    } finally {
      modals.dispose();
    }
    assert.strictEqual(outcome.result, undefined);
    assert.strictEqual(outcome.errors.length, 1, JSON.stringify(outcome.errors));
    const shown = JSON.stringify(outcome.errors[0]);
    assert.match(shown, /Cannot open merge-editor-repo\/outsider\.env in the merge editor: the incoming version \(theirs, stage 3\) changed it since the base and is signed by a key Custodian does not know/);
    assert.match(shown, /git checkout --ours outsider\.env/);
    await sleep(500);
    assert.deepStrictEqual(mergeTabs(), [], 'no merge editor');
    assert.ok(fs.readFileSync(envFile).equals(before), 'nothing written');
    await closeAllEditors();
    ok(git(['merge', '--abort']));
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a version I cannot decrypt: an error naming that version and the file, and no merge editor', async () => {
    // theirs was encrypted for alice alone: she could merge it, I cannot read it.
    await conflict([team.alice.publicKey]);
    const file = vscode.Uri.file(encFile());
    const { result, errors } = await captureErrors(team.services, () => Promise.resolve(vscode.commands.executeCommand(RESOLVE, file)));
    assert.strictEqual(result, undefined);
    assert.strictEqual(errors.length, 1, JSON.stringify(errors));
    const shown = JSON.stringify(errors[0]);
    assert.match(shown, /\.env\.enc/);
    assert.match(shown, /incoming version \(theirs, stage 3\) cannot be decrypted/);
    await sleep(500);
    assert.deepStrictEqual(mergeTabs(), [], 'nothing opened');

    ok(git(['merge', '--abort']));
    // Marker-like text in a file git does not have in conflict gets no CodeLens.
    const lookalike = path.join(repo, 'lookalike.env.enc');
    fs.writeFileSync(lookalike, await encryptFor([me], `<<<<<<< ours\nA=${MARKER}\n=======\n>>>>>>> theirs\n`, team.alice.key));
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(lookalike));
    await waitUntil('the decrypted lookalike', () => vscode.window.activeTextEditor?.document.getText().startsWith('<<<<<<<') === true);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.window.activeTextEditor!.document.uri);
    assert.deepStrictEqual(lenses.filter((l) => l.command?.command === RESOLVE), []);
    await closeAllEditors();
    fs.rmSync(lookalike);
    const clean = await captureErrors(team.services, () => Promise.resolve(vscode.commands.executeCommand(RESOLVE, file)));
    assert.match(JSON.stringify(clean.errors), /has no merge conflict to resolve/);
    assert.deepStrictEqual(mergeTabs(), []);
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a file both sides added (no base version): the base is empty, current and incoming decrypted', async () => {
    git(['merge', '--abort']);
    ok(git(['checkout', '-q', '-f', 'main']));
    ok(git(['reset', '-q', '--hard', initial]));
    const added = path.join(repo, 'added.env.enc');
    ok(git(['checkout', '-q', '-B', 'feature']));
    fs.writeFileSync(added, await encryptFor([me, team.alice.publicKey], `A=${MARKER}-theirs\n`, team.alice.key));
    ok(git(['add', 'added.env.enc']));
    ok(git(['commit', '-q', '-m', 'theirs']));
    ok(git(['checkout', '-q', 'main']));
    fs.writeFileSync(added, await encryptFor([me, team.alice.publicKey], `A=${MARKER}-ours\n`, team.alice.key));
    ok(git(['add', 'added.env.enc']));
    ok(git(['commit', '-q', '-m', 'ours']));
    git(['merge', '--no-edit', 'feature'], { CUSTODIAN_IDENTITY: path.join(keys, 'alice.pem') });
    assert.doesNotMatch(git(['ls-files', '-u', '--', 'added.env.enc']).stdout, /\s1\t/, 'no stage 1');
    assert.match(git(['ls-files', '-u', '--', 'added.env.enc']).stdout, /\s2\t[\s\S]*\s3\t/);

    const opened = await vscode.commands.executeCommand<ResolveInMergeEditorResult>(RESOLVE, vscode.Uri.file(added));
    assert.ok(opened);
    await waitUntil('the merge editor tab', () => mergeTabs().length === 1);
    const tab = mergeTabs()[0];
    assert.strictEqual(await read(tab.base), '');
    assert.strictEqual(await read(tab.input1), `A=${MARKER}-theirs\n`);
    assert.strictEqual(await read(tab.input2), `A=${MARKER}-ours\n`);
    const result = await vscode.workspace.openTextDocument(tab.result);
    // The driver left markers around the two whole versions; VS Code's result starts from the (empty) base.
    await waitUntil('the merge editor to compute the result', () => !result.getText().includes('<<<<<<<'));
    assert.strictEqual(result.getText(), '');
    // Saved before closing: closing a modified merge result asks, and the test harness answers "save".
    // An empty result would wipe the file's secrets: that save is confirmed first.
    const modals = answerModals((p) => (/with nothing in it/.test(p.message) ? 'Save Empty File' : undefined));
    try {
      assert.ok(await result.save());
    } finally {
      modals.dispose();
    }
    assert.deepStrictEqual(modals.prompts.map((p) => p.message), ['Save added.env.enc with nothing in it?']);
    await closeAllEditors();
    ok(git(['merge', '--abort']));
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a value-encrypted .env in conflict, chosen in Source Control: Custodian\'s merge editor, every side decrypted (VS Code\'s showed tokens, and auto-save wrote the base over both sides); the result saved sealed, Complete Merge stages it', async () => {
    const { envFile, ours, theirs } = await valuesConflict('app.env', [me, team.alice.publicKey]);
    const file = vscode.Uri.file(envFile);
    const asAliceValues = async () => {
      const opened = await openValues(fs.readFileSync(envFile, 'utf8'), { format: 'dotenv', identities: [team.alice.key], backend });
      try {
        return opened.document;
      } finally {
        opened.dispose();
      }
    };
    const before = fs.readFileSync(envFile);
    // Its name is an ordinary .env name: told apart by its sides in git's index.
    await namedOnce(envFile, 'merge-editor-repo/app.env has a merge conflict inside its encryption: resolve it in the merge editor, which shows every side decrypted in memory, then Complete Merge.');

    const opened = await vscode.commands.executeCommand<ResolveInMergeEditorResult>(RESOLVE, { resourceUri: file });
    assert.ok(opened, 'Custodian\'s merge editor, not VS Code\'s');
    await waitUntil('the merge editor tab', () => mergeTabs().length === 1);
    const tab = mergeTabs()[0];
    const result = await decryptedSides(tab, 'custodian-values', ours, theirs);
    assert.deepStrictEqual(fs.readFileSync(envFile), before, 'opening the merge editor wrote nothing');
    // Auto-save (on by default in a browser) then saves the result as it stands, sealed, as VS Code does for
    // any file in its merge editor: git keeps both sides as a conflict until Complete Merge stages the file.
    await sleep(2_000);
    assert.match(git(['ls-files', '-u', '--', 'app.env']).stdout, /\s2\tapp\.env\0?\n?[\s\S]*\s3\tapp\.env/, 'still a conflict in git');
    assert.deepStrictEqual(plaintextOnDisk(), []);

    const resolution = [base[0], ours[1], ...base.slice(2, 5), theirs[5], ...base.slice(6, 9), theirs[9], ...base.slice(10)].join('');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(tab.result, new vscode.Range(result.positionAt(0), result.positionAt(result.getText().length)), resolution);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const modals = answerModals((p) => (p.items.includes('Save and Sign as Me') ? 'Save and Sign as Me' : undefined));
    try {
      assert.ok(await result.save(), 'saved (sealed)');
    } finally {
      modals.dispose();
    }
    assert.strictEqual(await asAliceValues(), resolution);
    assert.strictEqual(await vscode.commands.executeCommand('custodian.completeMerge'), true);
    await waitUntil('the merge editor closed', () => mergeTabs().length === 0);
    assert.strictEqual(git(['ls-files', '-u']).stdout, '', 'no conflict left in the index');
    ok(git(['commit', '-q', '--no-edit']));
    assert.strictEqual(await asAliceValues(), resolution);
    await closeAllEditors();
    assert.deepStrictEqual(plaintextOnDisk(), []);
  });

  it('a value-encrypted .env the driver left in conflict: the status bar names who signed the incoming side as committed (git\'s stage 3), not whoever merged (the driver re-sealed that side)', async () => {
    // bob in the roster at HEAD: the driver merges only an incoming side a teammate signed (VALUES.md §12).
    const { envFile } = await valuesConflict('signed.env', [me, team.alice.publicKey, team.bob.publicKey], team.bob.key, {
      '.custodian/team/bob.pub': exportPublicKeyOpenSsh(team.bob.publicKey, 'bob') + '\n',
    });
    const file = vscode.Uri.file(envFile);

    const shown = await vscode.commands.executeCommand<vscode.Uri>('custodian.openValuesDecrypted', file);
    assert.ok(shown, 'opened');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shown));
    const bar = () => team.encryption.statusBar.text ?? '';
    await waitUntil('the status bar', () => bar().includes('merge conflict'));
    assert.match(bar(), /signed by alice ✓ · merge conflict, the incoming side signed by bob ✓$/);
    await closeAllEditors();
    ok(git(['merge', '--abort']));
  });

  it('a plaintext file chosen in Source Control goes to VS Code\'s own merge editor (the menu cannot tell file types apart)', async () => {
    git(['merge', '--abort']);
    ok(git(['checkout', '-q', '-f', 'main']));
    ok(git(['reset', '-q', '--hard', initial]));
    const notes = path.join(repo, 'notes.txt');
    fs.writeFileSync(notes, 'one\ntwo\nthree\n');
    ok(git(['add', 'notes.txt']));
    ok(git(['commit', '-q', '-m', 'notes']));
    ok(git(['checkout', '-q', '-B', 'feature']));
    fs.writeFileSync(notes, 'one\nTWO (theirs)\nthree\n');
    ok(git(['commit', '-q', '-am', 'theirs']));
    ok(git(['checkout', '-q', 'main']));
    fs.writeFileSync(notes, 'one\nTWO (ours)\nthree\n');
    ok(git(['commit', '-q', '-am', 'ours']));
    assert.match(git(['merge', '--no-edit', 'feature']).stdout, /CONFLICT \(content\): Merge conflict in notes\.txt/);
    const gitExtension = vscode.extensions.getExtension<{ getAPI(v: 1): { openRepository(root: vscode.Uri): Promise<unknown> } }>('vscode.git');
    assert.ok(gitExtension, 'the built-in git extension');
    await (gitExtension.isActive ? gitExtension.exports : await gitExtension.activate()).getAPI(1).openRepository(vscode.Uri.file(repo));

    const result = await vscode.commands.executeCommand(RESOLVE, { resourceUri: vscode.Uri.file(notes) });
    assert.strictEqual(result, undefined);
    await waitUntil('the git extension\'s merge editor', () => mergeTabs().some((t) => t.result.toString() === vscode.Uri.file(notes).toString()));
    assert.ok(await (await vscode.workspace.openTextDocument(vscode.Uri.file(notes))).save());
    await closeAllEditors();
    ok(git(['merge', '--abort']));
  });
});
