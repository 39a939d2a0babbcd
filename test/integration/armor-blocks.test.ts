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

  it('a file with thousands of encrypted values: lenses for the first 50, then one that says how many more and how to open them', async () => {
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const token = armorCompact(await encryptFor([team.alice.publicKey], 'v', team.alice.key));
    const last = armorCompact(await encryptFor([me], 'the last value', team.bob.key));
    const many = Array.from({ length: 1999 }, (_, i) => `K${i}=${token}`).join('\n') + `\nLAST=${last}\n`;
    fs.writeFileSync(wsPath('many.env'), many);
    const uri = wsUri('many.env');
    const editor = await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.strictEqual(titles.filter((t) => /Encrypted for alice/.test(t)).length, 50, 'the first 50 values');
    const more = lenses.filter((l) => /1950 more encrypted blocks or values from here on have no lenses/.test(l.command?.title ?? ''));
    assert.strictEqual(more.length, 1, titles.slice(-3).join(' | '));
    assert.strictEqual(more[0].range.start.line, 50, 'above the 51st value');
    assert.match(more[0].command!.title, /put the cursor in one and run "Custodian: Decrypt Selection" or "Custodian: Preview Decrypted Block"/);
    assert.strictEqual(lenses.length, 51);
    // What it says works for a value without lenses.
    editor.selection = new vscode.Selection(1999, 10, 1999, 10);
    const res = await run<PreviewBlockResult>('custodian.previewBlock', {});
    assert.strictEqual((await vscode.workspace.openTextDocument(res!.uri)).getText(), 'the last value');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(wsPath('many.env'));
  });

  it('a hostile file of 90,000 damaged tokens and 10,000 dummy blocks (2 MB) gets 51 lenses, not one to three per value', async () => {
    const block = '-----BEGIN CUSTODIAN ENCRYPTED FILE-----\nQQ==\n-----END CUSTODIAN ENCRYPTED FILE-----\n';
    fs.writeFileSync(wsPath('hostile.md'), 'k: custodian-enc1.QQ\n'.repeat(80_000) + `${block}custodian-enc1.QQ\n`.repeat(10_000));
    const uri = wsUri('hostile.md');
    await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    assert.strictEqual(lenses.length, 51);
    assert.strictEqual(lenses.filter((l) => /Damaged encrypted block/.test(l.command?.title ?? '')).length, 50);
    assert.match(lenses[50].command!.title, /^\$\(lock\) 99950 more encrypted blocks or values/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(wsPath('hostile.md'));
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

  it('a value whose bytes were changed is said to be a damaged value in the document, not a damaged file to restore', async () => {
    // Glued tokens (a red team's) and a changed character read as "This file is damaged…", which sends a
    // person to restore a file that is fine but for one value.
    const me = await team.services.keyStore.getPublicKey(team.me.id);
    const sealed = await encryptFor([me], 'db-password', team.bob.key);
    const { inspectEnvelope } = await import('../../src/core/envelope');
    const { headerSize } = await inspectEnvelope(sealed);
    const changedAt = (at: number): string => {
      const bytes = sealed.slice();
      bytes[at] ^= 1;
      return armorCompact(bytes);
    };
    // In its sealed contents, then in its signature.
    for (const [name, changed, said] of [
      ['damaged-value.env', changedAt(headerSize + 20), /^The encrypted block in damaged-value\.env is damaged or was changed after it was encrypted/],
      ['forged-value.env', changedAt(sealed.length - 100), /^The encrypted block in forged-value\.env is damaged or was changed after it was signed/],
    ] as const) {
      fs.writeFileSync(wsPath(name), `DB_PASSWORD=${changed}\n`);
      try {
        const editor = await vscode.window.showTextDocument(wsUri(name));
        editor.selection = new vscode.Selection(0, 20, 0, 20);
        const { result, errors } = await captureErrors(team.services, () => run('custodian.decryptSelection', { confirm: true }));
        assert.strictEqual(result, undefined);
        assert.match(errors[0]?.message ?? '', said);
        assert.doesNotMatch(errors[0]?.message ?? '', /This file/);
        assert.strictEqual(editor.document.getText(), `DB_PASSWORD=${changed}\n`);
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        fs.rmSync(wsPath(name), { force: true });
      }
    }
  });
});
