// Auto-save on a decrypted document (files.autoSave afterDelay): VS Code saves after every pause, and
// each save used to re-encrypt — a new file key and nonce, so every byte of the .enc changed and git saw
// a change that was none. Saving the same plaintext now leaves the .enc as it is; a real change is
// written (Custodian never reports unsaved text as saved, see docs/SECURITY.md).
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { closeAllEditors, decryptAs, encryptFor, sleep, useTeam, wsPath, wsUri } from './support/enc';

async function setFiles(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('files').update(key, value, vscode.ConfigurationTarget.Global);
}

async function waitUntil(what: string, probe: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('auto-save of decrypted documents', function () {
  this.timeout(60_000);
  const team = useTeam();
  const file = (): string => wsPath('auto.env.enc');

  before(async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(file(), await encryptFor([me, team.alice.publicKey], 'TOKEN=unchanged\n', team.alice.key));
    await setFiles('autoSaveDelay', 200);
    await setFiles('autoSave', 'afterDelay');
  });

  after(async () => {
    await setFiles('autoSave', undefined);
    await setFiles('autoSaveDelay', undefined);
    await closeAllEditors();
  });

  it('an edit undone by typing (same text, still dirty) is auto-saved without touching the .enc', async () => {
    await vscode.commands.executeCommand('custodian.openDecrypted', { uri: wsUri('auto.env.enc') });
    const editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.document.uri.scheme, 'custodian-enc');
    const before = fs.readFileSync(file());
    const end = editor.document.lineAt(0).range.end;
    await editor.edit((e) => e.insert(end, 'X'));
    await editor.edit((e) => e.delete(new vscode.Range(end, end.translate(0, 1))));
    assert.ok(editor.document.isDirty, 'dirty: VS Code will auto-save it');
    await waitUntil('the auto-save', () => !editor.document.isDirty);
    await sleep(300);
    assert.ok(fs.readFileSync(file()).equals(before), 'the .enc bytes are unchanged');
  });

  it('saving the same text by hand (auto-save off) leaves the .enc as it is too', async () => {
    await setFiles('autoSave', 'off');
    try {
      const editor = vscode.window.activeTextEditor!;
      const before = fs.readFileSync(file());
      const end = editor.document.lineAt(0).range.end;
      await editor.edit((e) => e.insert(end, 'Y'));
      await editor.edit((e) => e.delete(new vscode.Range(end, end.translate(0, 1))));
      assert.ok(editor.document.isDirty);
      assert.ok(await editor.document.save(), 'saved');
      assert.ok(fs.readFileSync(file()).equals(before), 'the .enc bytes are unchanged');
    } finally {
      await setFiles('autoSave', 'afterDelay');
    }
  });

  it('a real change is auto-saved once, re-encrypted and signed by me', async () => {
    const editor = vscode.window.activeTextEditor!;
    const before = fs.readFileSync(file());
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'NEW=line\n'));
    await waitUntil('the auto-save', () => !editor.document.isDirty);
    await waitUntil('the .enc to change', () => !fs.readFileSync(file()).equals(before));
    const out = await decryptAs(team.alice, new Uint8Array(fs.readFileSync(file())));
    assert.strictEqual(new TextDecoder().decode(out.plaintext), 'TOKEN=unchanged\nNEW=line\n');
    const after = fs.readFileSync(file());
    await sleep(600); // several auto-save delays with nothing to save
    assert.ok(fs.readFileSync(file()).equals(after), 'no further writes while nothing changes');
  });

  it('a .enc pulled from git while the document is open is reloaded, and auto-save does not write it back', async () => {
    await vscode.commands.executeCommand('custodian.openDecrypted', { uri: wsUri('auto.env.enc') });
    const editor = vscode.window.activeTextEditor!;
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    // Someone else's version lands (a git pull) while the document shows the old text.
    fs.writeFileSync(file(), await encryptFor([me, team.alice.publicKey], 'TOKEN=from-a-pull\n', team.alice.key));
    await waitUntil('VS Code to reload the pulled version', () => editor.document.getText() === 'TOKEN=from-a-pull\n');
    assert.ok(!editor.document.isDirty);
    const pulled = fs.readFileSync(file());
    await sleep(600);
    assert.ok(fs.readFileSync(file()).equals(pulled), 'the pulled bytes stay');
  });
});
