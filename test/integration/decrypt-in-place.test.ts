// "Decrypt in Place" on a file on disk: plaintext in a `file:` document reaches the disk through
// hot-exit backups and (auto-)save, so the command says so in a modal first and offers a read-only
// preview instead. The modal is answered by a stand-in for the user (a headless run cannot click);
// everything else is the real workbench: backups, auto-save, the file on disk.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { armor } from '../../src/core/armor';
import type { DecryptSelectionResult } from '../../src/extension/commands/decrypt/decrypt-selection';
import { run, waitFor } from './support/custodian';
import { decryptAs, encryptFor, filesContaining, sleep, useTeam, wsPath, wsUri } from './support/enc';

const USER_DATA = process.env.CUSTODIAN_TEST_USER_DATA_DIR ?? '';
const SECRET = 'IN-PLACE-PLAINTEXT-MARKER-5c1e';

interface Shown {
  message: string;
  modal: boolean;
  detail: string;
  items: string[];
}

/** Replaces the warning dialog with `answer` while `fn` runs; returns what would have been shown. */
async function answeringWarnings<T>(answer: string | undefined, fn: () => Promise<T>): Promise<{ result: T; shown: Shown[] }> {
  const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
  const original = window.showWarningMessage;
  const shown: Shown[] = [];
  window.showWarningMessage = (message: unknown, ...rest: unknown[]) => {
    const options = typeof rest[0] === 'object' && rest[0] !== null && !('title' in rest[0]) ? (rest.shift() as vscode.MessageOptions) : {};
    const items = rest.map((r) => (typeof r === 'string' ? r : (r as vscode.MessageItem).title));
    shown.push({ message: String(message), modal: options.modal === true, detail: options.detail ?? '', items });
    if (!options.modal) return original.call(vscode.window, message, ...rest);
    return Promise.resolve(answer);
  };
  try {
    return { result: await fn(), shown };
  } finally {
    window.showWarningMessage = original;
  }
}

describe('decrypt-in-place', function () {
  this.timeout(60_000);
  const team = useTeam();
  let text: string;

  before(async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    text = `api:\n  url: https://api.example\nblock: |\n${armor(await encryptFor([me], SECRET, team.bob.key)).replace(/^/gm, '  ').replace(/ +$/, '')}next: 1\n`;
    fs.writeFileSync(wsPath('in-place.yaml'), text);
    await vscode.workspace.getConfiguration('files').update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('files').update('autoSaveDelay', 200, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('files').update('autoSaveDelay', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(wsPath('in-place.yaml'), { force: true });
  });

  async function lensArgs(): Promise<unknown> {
    const uri = wsUri('in-place.yaml');
    await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const lens = lenses.find((l) => l.command?.command === 'custodian.decryptSelection');
    assert.ok(lens, 'a "Decrypt in Place" CodeLens');
    return lens.command!.arguments![0];
  }

  it('warns in a modal (backups, auto-save, the working tree); "Preview Instead" shows the plaintext and writes nothing to disk', async () => {
    const args = await lensArgs();
    const { result, shown } = await answeringWarnings('Preview Instead', () => run<DecryptSelectionResult>('custodian.decryptSelection', args));
    const modal = shown.find((s) => s.modal);
    assert.ok(modal, `a modal warning was shown (shown: ${JSON.stringify(shown)})`);
    assert.match(`${modal.message} ${modal.detail}`, /in-place\.yaml/);
    assert.match(modal.detail, /backs up|backup/i);
    assert.match(modal.detail, /auto-save/i);
    assert.ok(modal.items.includes('Preview Instead'), `choices: ${modal.items.join(', ')}`);
    assert.strictEqual(result?.blocks, 0, 'nothing replaced');
    assert.strictEqual(result?.previews?.length, 1, 'previewed instead');
    assert.strictEqual((await vscode.workspace.openTextDocument(result.previews[0].uri)).getText(), SECRET);

    const doc = await vscode.workspace.openTextDocument(wsUri('in-place.yaml'));
    assert.strictEqual(doc.getText(), text, 'the document is unchanged');
    assert.strictEqual(doc.isDirty, false);
    await sleep(2500); // past the auto-save delay and the backup tracker's ~1 s
    assert.strictEqual(fs.readFileSync(wsPath('in-place.yaml'), 'utf8'), text, 'the file on disk is unchanged');
    assert.deepStrictEqual(filesContaining(wsPath(), SECRET), [], 'no plaintext in the working tree');
    assert.ok(USER_DATA, 'CUSTODIAN_TEST_USER_DATA_DIR is set');
    assert.deepStrictEqual(filesContaining(USER_DATA, SECRET), [], 'no plaintext in hot-exit backups');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('cancelling the warning changes nothing; confirming it decrypts in place', async () => {
    const args = await lensArgs();
    const cancelled = await answeringWarnings(undefined, () => run<DecryptSelectionResult>('custodian.decryptSelection', args));
    assert.ok(cancelled.shown.some((s) => s.modal));
    assert.strictEqual(cancelled.result, undefined);
    const doc = await vscode.workspace.openTextDocument(wsUri('in-place.yaml'));
    assert.strictEqual(doc.getText(), text);

    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    const confirmed = await answeringWarnings('Decrypt in Place', () => run<DecryptSelectionResult>('custodian.decryptSelection', args));
    assert.strictEqual(confirmed.result?.blocks, 1);
    assert.match(doc.getText(), new RegExp(`block: \\|\\n  ${SECRET}\\nnext: 1\\n$`));
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.strictEqual(fs.readFileSync(wsPath('in-place.yaml'), 'utf8'), text);
  });
  it('in a decrypted .enc for three, a block for me alone is not decrypted in place unasked: the modal names who would read it once saved; Preview Instead changes nothing; agreeing is what lets alice read it', async () => {
    // A red team decrypted such a block (no question at all in a .enc) and saved: alice read the secret.
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const block = armor(await encryptFor([me], SECRET, team.bob.key));
    const inner = `team_value: 1\nonly_me: |\n${block.replace(/^/gm, '  ').replace(/ +$/, '')}end: 1\n`;
    fs.writeFileSync(wsPath('shared.yaml.enc'), await encryptFor([me, team.alice.publicKey, team.bob.publicKey], inner, team.bob.key));
    try {
      await run('custodian.openDecrypted', { uri: wsUri('shared.yaml.enc') });
      const editor = vscode.window.activeTextEditor!;
      assert.strictEqual(editor.document.uri.scheme, 'custodian-enc');
      const at = editor.document.getText().indexOf('-----BEGIN');
      editor.selection = new vscode.Selection(editor.document.positionAt(at + 3), editor.document.positionAt(at + 3));
      const previewed = await answeringWarnings('Preview Instead', () => run<DecryptSelectionResult>('custodian.decryptSelection'));
      const modal = previewed.shown.find((s) => s.modal);
      assert.ok(modal, 'asked first');
      assert.match(modal.message, /^Decrypting this block here lets .*alice.* read it\.$/);
      assert.match(modal.message, /bob/);
      assert.match(modal.detail, /fewer people than shared\.yaml\.enc\. Its next save, auto-save included/, 'the file as the Explorer names it');
      assert.deepEqual(modal.items, ['Preview Instead', 'Decrypt in Place Anyway'], 'the safe answer first');
      assert.strictEqual(previewed.result?.blocks, 0);
      assert.strictEqual(editor.document.getText(), inner, 'nothing replaced');
      await vscode.window.showTextDocument(editor.document);
      const dismissed = await answeringWarnings(undefined, () => run<DecryptSelectionResult>('custodian.decryptSelection'));
      assert.strictEqual(dismissed.result, undefined);
      assert.strictEqual(editor.document.getText(), inner, 'dismissed: nothing replaced');
      // Agreeing: the block's text is the file's now, for all three.
      const agreed = await answeringWarnings('Decrypt in Place Anyway', () => run<DecryptSelectionResult>('custodian.decryptSelection'));
      assert.strictEqual(agreed.result?.blocks, 1);
      assert.ok(await editor.document.save());
      await sleep(300);
      const asAlice = new TextDecoder().decode((await decryptAs(team.alice, fs.readFileSync(wsPath('shared.yaml.enc')))).plaintext);
      assert.ok(asAlice.includes(SECRET), 'alice reads what was agreed to');
      // A block for everyone the file is for asks nothing (a .enc's own editor never did).
      const forAll = armor(await encryptFor([me, team.alice.publicKey, team.bob.publicKey], 'FOR-ALL-THREE', team.bob.key));
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), `all: |\n${forAll.replace(/^/gm, '  ').replace(/ +$/, '')}`));
      editor.selection = new vscode.Selection(1, 3, 1, 3);
      const same = await answeringWarnings(undefined, () => run<DecryptSelectionResult>('custodian.decryptSelection'));
      assert.deepEqual(same.shown.filter((s) => s.modal), []);
      assert.strictEqual(same.result?.blocks, 1);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(wsPath('shared.yaml.enc'), { force: true });
    }
  });

  it('in a decrypted value-encrypted file for two, a block for me alone asks first too, naming alice', async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const block = armor(await encryptFor([me], SECRET, team.bob.key));
    const document = `only_me: |\n${block.replace(/^/gm, '  ').replace(/ +$/, '')}end: 1\n`;
    fs.writeFileSync(wsPath('shared-values.yaml'), await sealValues(document, { format: 'yaml', recipients: [me, team.alice.publicKey], signer: team.bob.key, backend }));
    try {
      await vscode.commands.executeCommand('vscode.open', wsUri('shared-values.yaml'));
      const editor = await waitFor('the decrypted editor', async () => vscode.window.activeTextEditor?.document.uri.scheme === 'custodian-values' && vscode.window.activeTextEditor);
      editor.selection = new vscode.Selection(1, 3, 1, 3);
      const { result, shown } = await answeringWarnings(undefined, () => run<DecryptSelectionResult>('custodian.decryptSelection'));
      const modal = shown.find((s) => s.modal);
      assert.ok(modal, 'asked first');
      assert.match(modal.message, /lets alice read it/);
      assert.match(modal.detail, /fewer people than shared-values\.yaml\./);
      assert.strictEqual(result, undefined);
      assert.strictEqual(editor.document.getText(), document);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(wsPath('shared-values.yaml'), { force: true });
    }
  });

  it("a file name with a bidi override is shown neutralized in the warning (the name comes from the repository)", async () => {
    const name = 'notes-\u202Elmay.txt';
    fs.writeFileSync(wsPath(name), text);
    try {
      const uri = wsUri(name);
      await vscode.window.showTextDocument(uri);
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
      const lens = lenses.find((l) => l.command?.command === 'custodian.decryptSelection');
      assert.ok(lens);
      const { shown } = await answeringWarnings(undefined, () => run('custodian.decryptSelection', lens.command!.arguments![0]));
      const modal = shown.find((s) => s.modal);
      assert.ok(modal);
      assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(modal.message + modal.detail), JSON.stringify(modal.message));
      assert.match(modal.message, /notes-\ufffdlmay\.txt/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(wsPath(name), { force: true });
    }
  });
});
