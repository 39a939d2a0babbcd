// "Decrypt in Place" on a file on disk: plaintext in a `file:` document reaches the disk through
// hot-exit backups and (auto-)save, so the command says so in a modal first and offers a read-only
// preview instead. The modal is answered by a stand-in for the user (a headless run cannot click);
// everything else is the real workbench: backups, auto-save, the file on disk.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { armor } from '../../src/core/armor';
import type { DecryptSelectionResult } from '../../src/extension/commands/decrypt/decrypt-selection';
import { run } from './support/custodian';
import { encryptFor, filesContaining, sleep, useTeam, wsPath, wsUri } from './support/enc';

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
