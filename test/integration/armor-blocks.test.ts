// Armored blocks inside ordinary text files: CodeLenses name the recipients and offer "Decrypt" (a
// read-only preview; the document is unchanged) and "Decrypt in Place".
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { armor, armorCompact } from '../../src/core/armor';
import type { PreviewBlockResult } from '../../src/extension/commands/decrypt/preview-block';
import { captureErrors, run } from './support/custodian';
import { encryptFor, useTeam, wsPath, wsUri } from './support/enc';

describe('armor-blocks', function () {
  this.timeout(60_000);
  const team = useTeam();
  let text: string;

  before(async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const mine = armor(await encryptFor([me, team.bob.publicKey], 'block-one-secret', team.bob.key));
    const foreign = armor(await encryptFor([team.alice.publicKey], 'block-two-secret', team.alice.key));
    const indented = mine.replace(/^/gm, '    ').replace(/ +$/, '');
    text = `# config\napi:\n  key: |\n${indented}other: 1\n${foreign}end\n`;
    fs.writeFileSync(wsPath('notes.yaml'), text);
  });

  it('shows CodeLenses per block: recipients, and Decrypt only where I am a recipient', async () => {
    const uri = wsUri('notes.yaml');
    await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /Encrypted for me \(you\), bob/.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /Encrypted for alice/.test(t)), titles.join(' | '));
    assert.strictEqual(lenses.filter((l) => l.command?.command === 'custodian.previewBlock').length, 1, 'Decrypt only on my block');
    assert.strictEqual(lenses.filter((l) => l.command?.command === 'custodian.decryptSelection').length, 1);
  });

  it('a file with thousands of encrypted values gets lenses, but only the first 50 headers are parsed', async () => {
    const token = armorCompact(await encryptFor([team.alice.publicKey], 'v', team.alice.key));
    const many = Array.from({ length: 2000 }, (_, i) => `K${i}=${token}`).join('\n') + '\n';
    fs.writeFileSync(wsPath('many.env'), many);
    const uri = wsUri('many.env');
    await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const heads = lenses.filter((l) => l.command?.title.startsWith('$(lock)'));
    assert.strictEqual(heads.length, 2000, 'one lens per value');
    assert.strictEqual(heads.filter((l) => /Encrypted for alice/.test(l.command!.title)).length, 50, 'headers parsed: 50');
    assert.match(heads[1999].command!.title, /not inspected: more than 50/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    fs.rmSync(wsPath('many.env'));
  });

  it('"Decrypt" shows the plaintext read-only and leaves the document unchanged', async () => {
    const uri = wsUri('notes.yaml');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const lens = lenses.find((l) => l.command?.command === 'custodian.previewBlock')!;
    const res = await run<PreviewBlockResult>('custodian.previewBlock', lens.command!.arguments![0]);
    assert.ok(res, 'previewed');
    assert.strictEqual(res.uri.scheme, 'custodian-peek');
    const peek = await vscode.workspace.openTextDocument(res.uri);
    assert.strictEqual(peek.getText(), 'block-one-secret');
    assert.match(res.description.summary, /signed by bob ✓/);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(doc.getText(), text, 'unchanged');
    assert.strictEqual(doc.isDirty, false);
    assert.strictEqual(fs.readFileSync(wsPath('notes.yaml'), 'utf8'), text);
  });

  it('"Decrypt" from the shown document opens a side preview named after the block, not a peek titled "Locations"', async () => {
    const uri = wsUri('notes.yaml');
    await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const lens = lenses.find((l) => l.command?.command === 'custodian.previewBlock')!;
    const res = await run<PreviewBlockResult>('custodian.previewBlock', lens.command!.arguments![0]);
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === res!.uri.toString());
    assert.strictEqual(tab?.label, 'notes.yaml (block 1, decrypted)');
    assert.ok(tab.isPreview, 'a preview tab, replaced by the next preview');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString(), 'the focus stays in the document');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('"Decrypt in Place" replaces the block (re-indented); a foreign block reports who can read it', async () => {
    const uri = wsUri('notes.yaml');
    const editor = await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const lens = lenses.find((l) => l.command?.command === 'custodian.decryptSelection')!;
    assert.ok(await run('custodian.decryptSelection', { ...lens.command!.arguments![0], confirm: true }));
    assert.match(editor.document.getText(), /\n {2}key: \|\n {4}block-one-secret\nother: 1\n/);

    const foreignLine = editor.document.getText().split('\n').findIndex((l) => l.startsWith('-----BEGIN'));
    editor.selection = new vscode.Selection(foreignLine + 1, 0, foreignLine + 1, 0);
    const { result, errors } = await captureErrors(team.services, () => run('custodian.decryptSelection', {}));
    assert.strictEqual(result, undefined);
    assert.match(errors[0]?.message ?? '', /not a recipient.*alice/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
