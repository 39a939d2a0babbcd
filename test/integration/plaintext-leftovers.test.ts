// Plaintext that outlives Encrypt File with Delete Original: an open (even dirty) tab of the original
// that one Save All writes back, and VS Code's Local History copies (<user-data>/User/History). Also
// checks that decrypted `.enc` editors (custodian-enc) never get Local History entries.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DecryptToFileResult } from '../../src/extension/commands/decrypt/decrypt-to-file';
import type { EncryptFileResult } from '../../src/extension/commands/encrypt/encrypt-file';
import { historyFolderName } from '../../src/extension/storage/local-history';
import { recordWarningMessages, run, waitFor } from './support/custodian';
import { gitIn } from './support/git-repo';
import { answerModals } from './support/modals';
import { closeAllEditors, encryptFor, filesContaining, sleep, useTeam, wsPath, wsUri } from './support/enc';

const USER_DATA = process.env.CUSTODIAN_TEST_USER_DATA_DIR ?? '';

function tabsOf(uri: vscode.Uri): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
}

function marker(what: string): string {
  return `${what}-${Math.random().toString(36).slice(2, 10)}`;
}

describe('plaintext leftovers', function () {
  this.timeout(120_000);
  const team = useTeam();

  /** A new git repository `name` in the workspace (replacing one left over), and git run in it. */
  function freshRepo(name: string): { repo: string; git: ReturnType<typeof gitIn> } {
    const repo = wsPath(name);
    fs.rmSync(repo, { recursive: true, force: true });
    fs.mkdirSync(repo, { recursive: true });
    const git = gitIn(() => repo);
    assert.strictEqual(git(['init', '-q']).status, 0);
    return { repo, git };
  }

  afterEach(async () => {
    await closeAllEditors();
  });

  it('the find widget keeps no history on disk by default: a value selected in a decrypted editor seeds Ctrl+F, and VS Code would keep what was searched in the workspace\'s storage', async () => {
    // A red team found a secret searched for in a decrypted editor in workbench.find.history. VS Code
    // reads these two settings when it saves the find widget's history; Custodian's defaults turn it off.
    for (const key of ['history', 'replaceHistory']) {
      const seen = vscode.workspace.getConfiguration('editor.find').inspect<string>(key);
      assert.strictEqual(seen?.defaultValue, 'never', `editor.find.${key}: ${JSON.stringify(seen)}`);
      assert.strictEqual(vscode.workspace.getConfiguration('editor.find').get(key), 'never');
    }
  });

  it('a word of a decrypted editor is not suggested in another file: VS Code\'s word completion reads every open document of the same language, and accepting one wrote a secret in the clear', async () => {
    // A newcomer typed "sk_t" in a plain file and was offered the Stripe key of a decrypted .env beside it.
    const secret = `wordleak${Math.random().toString(36).slice(2, 12)}`;
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('suggest.json.enc'), await encryptFor([me], `{ "token": "${secret}" }\n`));
    const plain = await vscode.workspace.openTextDocument({ language: 'json', content: '{ "other": "wordleak' });
    const end = plain.positionAt(plain.getText().length);
    const suggested = async (): Promise<boolean> => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', plain.uri, end);
      return list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label).includes(secret));
    };
    try {
      await run('custodian.openDecrypted', { uri: wsUri('suggest.json.enc') });
      assert.strictEqual(vscode.window.activeTextEditor?.document.languageId, 'json');
      await vscode.window.showTextDocument(plain, { preview: false, viewColumn: vscode.ViewColumn.Beside });
      const seen = vscode.workspace.getConfiguration('editor').inspect<string>('wordBasedSuggestions');
      assert.strictEqual(seen?.defaultValue, 'currentDocument', JSON.stringify(seen));
      assert.strictEqual(await suggested(), false, 'the decrypted word is not offered in the plain document');
      // The control: with VS Code's own default, the same request offers the secret.
      await vscode.workspace.getConfiguration('editor').update('wordBasedSuggestions', 'matchingDocuments', vscode.ConfigurationTarget.Global);
      assert.strictEqual(await waitFor('the secret offered under VS Code\'s default', suggested), true);
    } finally {
      await vscode.workspace.getConfiguration('editor').update('wordBasedSuggestions', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(wsPath('suggest.json.enc'), { force: true });
    }
  });

  it('Encrypt File with Delete Original closes the plaintext tabs (a dirty one unsaved): Save All cannot write it back', async () => {
    const uri = wsUri('tab.env');
    fs.writeFileSync(uri.fsPath, 'TAB_SECRET=on-disk\n');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'UNSAVED_EDIT=1\n'));
    assert.ok(doc.isDirty, 'the tab is dirty');

    const res = await run<EncryptFileResult>('custodian.encryptFile', { uri, recipients: [team.alice.fingerprint], deleteOriginal: true });
    assert.strictEqual(res?.files[0]?.deleted, true, 'original deleted');
    assert.ok(!fs.existsSync(uri.fsPath));

    await vscode.workspace.saveAll(false);
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await sleep(500);
    assert.ok(!fs.existsSync(uri.fsPath), 'Save All did not write the plaintext back');
    assert.deepStrictEqual(tabsOf(uri), [], 'no tab of the deleted original is left');
    assert.ok(fs.existsSync(`${uri.fsPath}.enc`));
  });

  it('an original kept by Encrypt File in a git work tree that git does not ignore is named at once, and Add to .gitignore makes git ignore it; an ignored one is not named', async () => {
    // A newcomer kept notes.txt (Cancel at "Delete the plaintext original?"), "Stage All" staged it, and
    // git add had stored it in .git/objects before the guard refused the commit.
    const { repo, git } = freshRepo('leftover-repo');
    fs.mkdirSync(path.join(repo, 'docs'));
    fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/'); // no final line break
    fs.writeFileSync(path.join(repo, 'docs', 'notes [draft].txt'), 'NOTE_SECRET=kept\n');
    fs.writeFileSync(path.join(repo, 'ignored.txt'), 'IGNORED_SECRET=kept\n');
    fs.mkdirSync(path.join(repo, '.git', 'info'), { recursive: true });
    fs.appendFileSync(path.join(repo, '.git', 'info', 'exclude'), 'ignored.txt\n');
    const untracked = (): string[] => git(['ls-files', '-z', '--others', '--exclude-standard']).stdout.split('\0').filter(Boolean);
    assert.ok(untracked().includes('docs/notes [draft].txt'));

    const warnings = recordWarningMessages((message, items) => (message.includes('notes [draft].txt') ? items[0] : undefined));
    try {
      const notes = vscode.Uri.file(path.join(repo, 'docs', 'notes [draft].txt'));
      const res = await run<EncryptFileResult>('custodian.encryptFile', { uri: notes, recipients: [team.alice.fingerprint], deleteOriginal: false });
      assert.strictEqual(res?.files[0]?.deleted, false);
      await waitFor('.gitignore to name the kept original', async () => fs.readFileSync(path.join(repo, '.gitignore'), 'utf8').includes('notes'));
      assert.strictEqual(fs.readFileSync(path.join(repo, '.gitignore'), 'utf8'), 'node_modules/\n/docs/notes \\[draft\\].txt\n', 'one anchored line, its brackets escaped');
      const told = warnings.asked.filter((a) => a.message.includes('notes [draft].txt'));
      assert.strictEqual(told.length, 1, 'one notice');
      assert.match(told[0].message, /git does not ignore it/);
      assert.deepStrictEqual(told[0].items, ['Add to .gitignore']);
      assert.ok(!untracked().includes('docs/notes [draft].txt'), 'git ignores it now');
      assert.ok(untracked().includes('docs/notes [draft].txt.enc'), 'and not its .enc file');

      // Already ignored (here by .git/info/exclude): nothing to say.
      await run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(path.join(repo, 'ignored.txt')), recipients: [team.alice.fingerprint], deleteOriginal: false });
      await sleep(1000);
      assert.deepStrictEqual(warnings.asked.filter((a) => a.message.includes('ignored.txt')), []);
    } finally {
      warnings.dispose();
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('Encrypt File of a plaintext git tracks says what encrypting cannot undo: committed, rotate (kept: Stop Tracking and Ignore); only staged, Unstage It', async () => {
    // Encrypting a committed .env read as "safe now", though its secrets stay in every clone's history.
    const { repo, git } = freshRepo('tracked-repo');
    fs.writeFileSync(path.join(repo, '.env'), 'DB_PASSWORD=committed-once\n');
    fs.writeFileSync(path.join(repo, 'kept.env'), 'API_KEY=committed-kept\n');
    assert.strictEqual(git(['add', '.env', 'kept.env']).status, 0);
    assert.strictEqual(git(['commit', '-qm', 'oops']).status, 0);
    fs.writeFileSync(path.join(repo, 'staged.env'), 'TOKEN=staged-only\n');
    assert.strictEqual(git(['add', 'staged.env']).status, 0);
    const tracked = (): string[] => git(['ls-files', '-z', '--cached']).stdout.split('\0').filter(Boolean);
    const warnings = recordWarningMessages((_message, items) => items[0]);
    const encrypt = (name: string, deleteOriginal: boolean) =>
      run<EncryptFileResult>('custodian.encryptFile', { uri: vscode.Uri.file(path.join(repo, name)), recipients: [team.me.fingerprint, team.alice.fingerprint], deleteOriginal });
    const told = (name: string) => waitFor(`the notice on ${name}`, async () => warnings.asked.find((a) => a.message.startsWith(`${name} `)));
    try {
      // Committed, its original deleted: only rotating helps, and nothing is offered but the advice.
      assert.strictEqual((await encrypt('.env', true))?.files[0]?.deleted, true);
      const deleted = await told('.env');
      assert.match(deleted.message, /was committed in the clear: its secrets stay in the repository's history and in every clone.*Rotate them/);
      assert.deepStrictEqual(deleted.items, []);
      // Committed and kept: Stop Tracking and Ignore (git rm --cached, a .gitignore line), the file left on disk.
      assert.strictEqual((await encrypt('kept.env', false))?.files[0]?.deleted, false);
      const kept = await told('kept.env');
      assert.deepStrictEqual(kept.items, ['Stop Tracking and Ignore']);
      await waitFor('kept.env untracked and ignored', async () => !tracked().includes('kept.env') && fs.existsSync(path.join(repo, '.gitignore')) && fs.readFileSync(path.join(repo, '.gitignore'), 'utf8').includes('/kept.env'));
      assert.strictEqual(fs.readFileSync(path.join(repo, 'kept.env'), 'utf8'), 'API_KEY=committed-kept\n', 'the file itself is left');
      assert.ok(!warnings.asked.some((a) => a.message.startsWith('kept.env') && /git does not ignore it/.test(a.message)), 'tracked: not the untracked notice');
      // Only staged, its original deleted: the index still holds the plaintext for the next commit. Unstage It.
      assert.strictEqual((await encrypt('staged.env', true))?.files[0]?.deleted, true);
      const staged = await told('staged.env');
      assert.match(staged.message, /is staged in the clear: git add stored it in \.git\/objects, and the next commit would carry it/);
      assert.deepStrictEqual(staged.items, ['Unstage It']);
      await waitFor('staged.env unstaged', async () => !tracked().includes('staged.env'));
      assert.doesNotMatch(git(['status', '--porcelain']).stdout, /staged\.env(?!\.enc)/, 'nothing of it left for the next commit');
      assert.ok(tracked().includes('.env'), 'a committed original deleted by Encrypt File is left to commit as a deletion');
    } finally {
      warnings.dispose();
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('a copy written by Decrypt to File ("Decrypt Here Anyway") in a git work tree that git does not ignore is named at once, and Add to .gitignore makes git ignore it', async () => {
    // A newcomer decrypted token.txt.enc to out.txt in the repository, then `git add out.txt && git commit`
    // committed the token: the pre-commit guard only knows a plaintext named like its `.enc` twin.
    const { repo, git } = freshRepo('decrypted-repo');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(path.join(repo, 'token.txt.enc'), await encryptFor([me], 'TOKEN=decrypted-here\n'));
    const out = vscode.Uri.file(path.join(repo, 'out.txt'));
    const untracked = (): string[] => git(['ls-files', '-z', '--others', '--exclude-standard']).stdout.split('\0').filter(Boolean);

    const window = vscode.window as unknown as Record<string, unknown>;
    const originalSave = window.showSaveDialog;
    window.showSaveDialog = async () => out;
    const modals = answerModals((p) => (/inside the workspace/.test(p.message) ? 'Decrypt Here Anyway' : undefined));
    const warnings = recordWarningMessages((message, items) => (message.includes('out.txt') ? items[0] : undefined));
    try {
      const res = await run<DecryptToFileResult>('custodian.decryptToFile', { uri: vscode.Uri.file(path.join(repo, 'token.txt.enc')) });
      assert.strictEqual(res?.files[0]?.target.fsPath, out.fsPath);
      assert.strictEqual(fs.readFileSync(out.fsPath, 'utf8'), 'TOKEN=decrypted-here\n');
      assert.strictEqual(modals.prompts.length, 1, 'asked once about the workspace');
      await waitFor('.gitignore to name the decrypted copy', async () => fs.existsSync(path.join(repo, '.gitignore')) && fs.readFileSync(path.join(repo, '.gitignore'), 'utf8').includes('out.txt'));
      assert.strictEqual(fs.readFileSync(path.join(repo, '.gitignore'), 'utf8'), '/out.txt\n');
      const told = warnings.asked.filter((a) => a.message.includes('out.txt'));
      assert.strictEqual(told.length, 1, 'one notice');
      assert.match(told[0].message, /git does not ignore it/);
      assert.deepStrictEqual(told[0].items, ['Add to .gitignore']);
      assert.ok(!untracked().includes('out.txt'), 'git ignores it now');
    } finally {
      warnings.dispose();
      modals.dispose();
      window.showSaveDialog = originalSave;
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('a copy written by Decrypt to File over a file git tracks is named before (in the question about the place) and at once after (a commit of all changes would carry the secrets), and Stop Tracking and Ignore untracks it, leaving the file', async () => {
    // A red team noticed no notice when the target was a committed file (a template): the decrypted
    // secrets showed as a change to it, one "Commit All" from the repository.
    const { repo, git } = freshRepo('decrypted-tracked-repo');
    fs.writeFileSync(path.join(repo, 'app.env'), 'TOKEN=placeholder\n');
    assert.strictEqual(git(['add', 'app.env']).status, 0);
    assert.strictEqual(git(['commit', '-qm', 'template']).status, 0);
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(path.join(repo, 'app.env.enc'), await encryptFor([me], 'TOKEN=decrypted-over-tracked\n'));
    const out = vscode.Uri.file(path.join(repo, 'app.env'));
    const tracked = (): string[] => git(['ls-files', '-z', '--cached']).stdout.split('\0').filter(Boolean);
    const warnings = recordWarningMessages((message, items) => (message.startsWith('app.env ') ? items[0] : undefined));
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalSave = window.showSaveDialog;
    try {
      // Chosen in the save dialog: the question before writing says so first, with Choose Another Place… the default.
      window.showSaveDialog = async () => out;
      const modals = answerModals(() => undefined);
      try {
        assert.strictEqual(await run<DecryptToFileResult>('custodian.decryptToFile', { uri: vscode.Uri.file(path.join(repo, 'app.env.enc')) }), undefined);
      } finally {
        modals.dispose();
        window.showSaveDialog = originalSave;
      }
      assert.match(modals.prompts[0]?.detail ?? '', /^decrypted-tracked-repo\/app\.env is tracked by git: the decrypted secrets would replace the committed file, and the next commit of all changes would carry them\./);
      assert.deepStrictEqual(modals.prompts[0]?.items, ['Choose Another Place…', 'Decrypt Here Anyway']);
      assert.strictEqual(fs.readFileSync(out.fsPath, 'utf8'), 'TOKEN=placeholder\n', 'declined: the committed file is left');

      const res = await run<DecryptToFileResult>('custodian.decryptToFile', { uri: vscode.Uri.file(path.join(repo, 'app.env.enc')), target: out, overwrite: true });
      assert.strictEqual(res?.files[0]?.target.fsPath, out.fsPath);
      const told = await waitFor('the notice on app.env', async () => warnings.asked.find((a) => a.message.startsWith('app.env ')));
      assert.match(told.message, /is tracked by git and now holds the decrypted secrets.*the next commit of all changes would carry them/);
      assert.deepStrictEqual(told.items, ['Stop Tracking and Ignore']);
      await waitFor('app.env untracked and ignored', async () => !tracked().includes('app.env') && fs.existsSync(path.join(repo, '.gitignore')) && fs.readFileSync(path.join(repo, '.gitignore'), 'utf8').includes('/app.env'));
      assert.strictEqual(fs.readFileSync(out.fsPath, 'utf8'), 'TOKEN=decrypted-over-tracked\n', 'the decrypted file itself is left');
      assert.match(git(['status', '--porcelain']).stdout, /^D {2}app\.env$/m, 'its removal from the repository is staged');
      assert.strictEqual(warnings.asked.filter((a) => a.message.startsWith('app.env ')).length, 1, 'one notice');
    } finally {
      warnings.dispose();
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('Encrypt File with Delete Original removes the Local History copies of the file', async () => {
    assert.ok(USER_DATA && fs.existsSync(USER_DATA), 'CUSTODIAN_TEST_USER_DATA_DIR is set');
    const history = path.join(USER_DATA, 'User', 'History');
    const secret = marker('HISTORY-PLAINTEXT');
    const uri = wsUri('hist.env');
    fs.writeFileSync(uri.fsPath, 'FIRST=1\n');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), `SECRET=${secret}\n`));
    assert.ok(await doc.save(), 'saved');
    await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'THIRD=3\n'));
    assert.ok(await doc.save(), 'saved again');
    // The control: VS Code keeps a copy of each saved version in Local History.
    const copies = await waitFor('a Local History copy of the plaintext', async () => {
      const hits = filesContaining(history, secret);
      return hits.length > 0 && hits;
    });
    // VS Code names each file's folder by a hash of its URI; Custodian derives it the same way for a
    // file whose entries.json is not written yet (desktop VS Code writes it later).
    const folder = path.dirname(copies[0]);
    // entries.json is written after the copy (a moment later on a loaded machine).
    const entriesFile = path.join(folder, 'entries.json');
    const entries = await waitFor('VS Code to write entries.json beside the copy', async () => {
      try {
        return JSON.parse(fs.readFileSync(entriesFile, 'utf8')) as { resource: string };
      } catch {
        return undefined; // not there yet, or half written
      }
    });
    assert.strictEqual(historyFolderName(vscode.Uri.parse(entries.resource)), path.basename(folder));

    const res = await run<EncryptFileResult>('custodian.encryptFile', { uri, recipients: [team.alice.fingerprint], deleteOriginal: true });
    assert.strictEqual(res?.files[0]?.deleted, true);
    await sleep(1000);
    assert.deepStrictEqual(filesContaining(USER_DATA, secret), [], 'no copy of the plaintext left in user data');
  });

  it('Encrypt Values removes the Local History copies of the plain file it replaced; the decrypted view adds none', async () => {
    const history = path.join(USER_DATA, 'User', 'History');
    const secret = marker('VALUES-HISTORY-PLAINTEXT');
    const uri = wsUri('values-hist.env');
    fs.writeFileSync(uri.fsPath, 'FIRST=1\n');
    const editor = await vscode.window.showTextDocument(uri);
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), `SECRET=${secret}\n`));
    assert.ok(await editor.document.save(), 'saved');
    // The control: the Timeline's "File Saved" copy of the plaintext.
    await waitFor('a Local History copy of the plaintext', async () => filesContaining(history, secret).length > 0);

    const sealed = await run<vscode.Uri>('custodian.encryptValues', { uri });
    assert.strictEqual(sealed?.scheme, 'custodian-values');
    const view = await waitFor('the decrypted view', async () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-values' && vscode.window.activeTextEditor);
    await view.edit((e) => e.insert(new vscode.Position(0, 0), `EDITED=${secret}-2\n`));
    assert.ok(await view.document.save(), 'saved through the decrypted view (re-sealed)');
    await sleep(1000);
    assert.ok(!fs.readFileSync(uri.fsPath, 'utf8').includes(secret), 'the file holds tokens');
    assert.deepStrictEqual(filesContaining(USER_DATA, secret), [], 'no copy of the plaintext left in user data');
    fs.rmSync(uri.fsPath);
  });

  it('a decrypted .enc editor leaves no Local History (edit, save, close, reopen)', async () => {
    const secret = marker('ENC-EDITOR-PLAINTEXT');
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('edited.env.enc'), await encryptFor([me, team.alice.publicKey], 'START=1\n', team.alice.key));
    for (let round = 1; round <= 2; round++) {
      await run('custodian.openDecrypted', { uri: wsUri('edited.env.enc') });
      const editor = vscode.window.activeTextEditor;
      assert.strictEqual(editor?.document.uri.scheme, 'custodian-enc');
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), `EDIT${round}=${secret}\n`));
      assert.ok(await editor.document.save(), 'saved (re-encrypted)');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await run('custodian.openDecrypted', { uri: wsUri('edited.env.enc') });
    assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', new RegExp(`EDIT2=${secret}`), 'reopened with the saved edits');
    await sleep(1000);
    assert.deepStrictEqual(filesContaining(USER_DATA, secret), [], 'no plaintext in user data (Local History, backups)');
    assert.deepStrictEqual(filesContaining(wsPath(), secret), [], 'no plaintext in the workspace');
  });

  it('a Search Editor (which VS Code saves to a .code-search file, and backs up once edited) gets a note in place of each line of an open decrypted document; lines of plain files stay', async () => {
    assert.ok(USER_DATA && fs.existsSync(USER_DATA), 'CUSTODIAN_TEST_USER_DATA_DIR is set');
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const { SEARCH_EDITOR_SCHEME } = await import('../../src/extension/fs/search-editor-guard');
    const secret = marker('SEARCHCANARY');
    const me = (await team.services.keyStore.getPublicKey(team.me.id))!;
    const enc = wsUri('search.env.enc');
    const yaml = wsUri('search-values.yaml');
    const plain = wsUri('search-notes.txt');
    // A line longer than VS Code shows whole in search results (it cuts it): a red team found one kept.
    fs.writeFileSync(enc.fsPath, await encryptFor([me], `API_TOKEN=${secret}-enc\nLONG=${secret}-long${'Z'.repeat(1500)}\n`, team.alice.key));
    fs.writeFileSync(yaml.fsPath, await sealValues(`db:\n  password: ${secret}-yaml\n`, { format: 'yaml', recipients: [me], signer: team.alice.key, backend }));
    fs.writeFileSync(plain.fsPath, `mentioned in the notes: ${secret}-plain\n`);
    try {
      assert.ok(await run('custodian.openDecrypted', { uri: enc }), 'the .enc file opened decrypted');
      const shown = await run<vscode.Uri>('custodian.openValuesDecrypted', yaml);
      assert.ok(shown, 'the values file opened decrypted');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shown), { preview: false });
      // VS Code's search reads open editors' text: the Search Editor gets the decrypted lines as results.
      await vscode.commands.executeCommand('search.action.openNewEditor', { query: secret, triggerSearch: true });
      const note = '(a line of a decrypted file: hidden here by Custodian, since a search editor can be saved to disk)';
      const search = await waitFor('the search editor with its results, decrypted lines hidden', async () => {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === SEARCH_EDITOR_SCHEME && d.getText().includes(`${secret}-plain`));
        // The three matches, and a context line (`db:`) that is a line of a decrypted document too.
        return doc && doc.getText().split(note).length === 5 ? doc : undefined;
      });
      for (const hidden of [`${secret}-enc`, `${secret}-yaml`, `${secret}-long`]) assert.ok(!search.getText().includes(hidden), `${hidden} is not in the search editor`);
      assert.match(search.getText(), new RegExp(`1: mentioned in the notes: ${secret}-plain`), 'a plain file\'s line stays');
      // Edited, it is backed up (hot exit) about a second later: only the notes can be.
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === search);
      assert.ok(editor, 'the search editor is shown');
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(search.lineCount - 1, 0), 'x')));
      // Undone, the decrypted lines come back into the text, and are hidden again.
      await vscode.commands.executeCommand('undo');
      await vscode.commands.executeCommand('undo');
      await sleep(2_500);
      for (const hidden of [`${secret}-enc`, `${secret}-yaml`, `${secret}-long`]) {
        assert.ok(!search.getText().includes(hidden), `${hidden} is not back in the search editor`);
        assert.deepStrictEqual(filesContaining(USER_DATA, hidden), [], `${hidden} nowhere under the user data dir`);
        assert.deepStrictEqual(filesContaining(wsPath('.'), hidden), [], `${hidden} nowhere in the workspace`);
      }
      // Still the active editor (a search editor cannot be shown through the API): closed without a prompt.
      assert.strictEqual(vscode.window.activeTextEditor?.document, search);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      for (const f of [enc, yaml, plain]) fs.rmSync(f.fsPath, { force: true });
    }
  });

  it('a plain .env beside its .env.enc (Encrypt File with Keep Original) says to edit the .enc, which it does not follow, and its lens opens the .enc; alone, it offers Encrypt Values', async () => {
    // A newcomer kept the original, edited the .enc, and later took the stale plaintext for the real file.
    const plain = wsUri('kept-copy.env');
    const enc = wsUri('kept-copy.env.enc');
    fs.writeFileSync(plain.fsPath, 'TOKEN=old\n');
    try {
      await vscode.window.showTextDocument(plain);
      const alone = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', plain, 10)) ?? [];
      assert.ok(alone.some((l) => l.command?.command === 'custodian.encryptValues'), alone.map((l) => l.command?.title).join(' | '));
      fs.writeFileSync(enc.fsPath, await encryptFor([team.alice.publicKey], 'TOKEN=new\n', team.alice.key));
      const beside = await waitFor('the plaintext-copy lens', async () => {
        const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', plain, 10)) ?? [];
        return lenses.some((l) => /Edit the encrypted kept-copy\.env\.enc: this plaintext beside it/.test(l.command?.title ?? '')) && lenses;
      });
      // One lens, opening the .enc (VS Code hands its own command 'vscode.open' back as '_workbench.open').
      assert.strictEqual(beside.length, 1, 'no Encrypt Values: a second encrypted copy would drift from the first');
      assert.match(beside[0].command!.command, /^(vscode|_workbench)\.open$/);
      assert.strictEqual(String(beside[0].command!.arguments![0]), enc.toString());
    } finally {
      await closeAllEditors();
      for (const f of [plain, enc]) fs.rmSync(f.fsPath, { force: true });
    }
  });
});
