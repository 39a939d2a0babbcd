// Encrypt Selection in structured files, in a real VS Code: every value of YAML, JSON, .env and TOML
// files is encrypted with the file still parsing (the real parsers: js-yaml, JSON.parse, Node's
// util.parseEnv, Python's tomllib), and Decrypt in Place (command and CodeLens) restores the file byte for byte.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { PreviewBlockResult } from '../../src/extension/commands/decrypt/preview-block';
import { shapeDifference, STRUCTURED_FIXTURES, uniqueOffset } from '../helpers/structured-fixtures';
import { captureErrors, run } from './support/custodian';
import { useTeam, wsPath, wsUri } from './support/enc';

const MARKERS = ['custodian-enc1.', '-----BEGIN CUSTODIAN ENCRYPTED FILE-----'];

/** Offsets of every encrypted value (compact token or armored block) in `text`. */
function encryptedOffsets(text: string): number[] {
  const out: number[] = [];
  for (const m of MARKERS) for (let i = text.indexOf(m); i >= 0; i = text.indexOf(m, i + 1)) out.push(i);
  return out.sort((a, b) => a - b);
}

describe('encrypt-selection in structured files', function () {
  this.timeout(120_000);
  const team = useTeam();

  for (const fixture of STRUCTURED_FIXTURES) {
    it(`${fixture.name}: encrypted values keep the file valid; Decrypt in Place restores it byte for byte`, async () => {
      fs.writeFileSync(wsPath(fixture.fileName), fixture.text);
      const doc = await vscode.workspace.openTextDocument(wsUri(fixture.fileName));
      const editor = await vscode.window.showTextDocument(doc);
      try {
        assert.strictEqual(doc.getText(), fixture.text);
        editor.selections = fixture.secrets.map((s) => {
          const at = uniqueOffset(fixture.text, s);
          return new vscode.Selection(doc.positionAt(at), doc.positionAt(at + s.length));
        });
        assert.ok(await run('custodian.encryptSelection', { recipients: [team.alice.fingerprint] }), 'encrypted');
        const encrypted = doc.getText();
        for (const s of fixture.secrets) assert.ok(!encrypted.includes(s.replace(/^['"]|['"]$/g, '')), `${s} is gone`);
        let parsed: unknown;
        assert.doesNotThrow(() => (parsed = fixture.parse(encrypted)), `the encrypted ${fixture.fileName} still parses`);
        const diff = shapeDifference(fixture.parse(fixture.text), parsed);
        assert.strictEqual(diff, undefined, diff);

        const offsets = encryptedOffsets(encrypted);
        assert.strictEqual(offsets.length, fixture.secrets.length, 'one encrypted value per selection');
        editor.selections = offsets.map((o) => new vscode.Selection(doc.positionAt(o + 3), doc.positionAt(o + 3)));
        assert.ok(await run('custodian.decryptSelection', { confirm: true }), 'decrypted');
        assert.strictEqual(JSON.stringify(doc.getText()), JSON.stringify(fixture.text), 'restored byte for byte');
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        fs.rmSync(wsPath(fixture.fileName), { force: true });
      }
    });
  }

  it('the CodeLenses of a value inside a line: "Decrypt" previews exactly the value, "Decrypt in Place" restores the line', async () => {
    const text = 'db:\n  user: app\n  password: pl41n-v4lue-19chars\nnext: 1\n';
    fs.writeFileSync(wsPath('lens.yaml'), text);
    const uri = wsUri('lens.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    try {
      const at = text.indexOf('pl41n');
      editor.selection = new vscode.Selection(doc.positionAt(at), doc.positionAt(at + 'pl41n-v4lue-19chars'.length));
      assert.ok(await run('custodian.encryptSelection', { recipients: [team.bob.fingerprint] }));
      assert.match(doc.getText(), /^db:\n {2}user: app\n {2}password: custodian-enc1\.[A-Za-z0-9_-]+\nnext: 1\n$/);
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
      const preview = lenses.find((l) => l.command?.command === 'custodian.previewBlock');
      const inPlace = lenses.find((l) => l.command?.command === 'custodian.decryptSelection');
      assert.ok(preview && inPlace, `lenses: ${lenses.map((l) => l.command?.title).join(' | ')}`);
      assert.strictEqual(preview.range.start.line, 2, 'on the value line');
      const shown = await run<PreviewBlockResult>('custodian.previewBlock', { ...preview.command!.arguments![0], beside: true });
      assert.strictEqual((await vscode.workspace.openTextDocument(shown!.uri)).getText(), 'pl41n-v4lue-19chars');
      await vscode.window.showTextDocument(doc);
      assert.ok(await run('custodian.decryptSelection', { ...inPlace.command!.arguments![0], confirm: true }));
      assert.strictEqual(doc.getText(), text);
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(wsPath('lens.yaml'), { force: true });
    }
  });
  it('in JSON and TOML, a number (not a string) is refused with what to do instead, and nothing changes', async () => {
    for (const [name, text] of [
      ['port.json', '{\n  "port": 5432\n}\n'],
      ['port.toml', 'port = 5432\n'],
    ]) {
      fs.writeFileSync(wsPath(name), text);
      const doc = await vscode.workspace.openTextDocument(wsUri(name));
      const editor = await vscode.window.showTextDocument(doc);
      try {
        const at = text.indexOf('5432');
        editor.selection = new vscode.Selection(doc.positionAt(at), doc.positionAt(at + 4));
        const { result, errors } = await captureErrors(team.services, () => run('custodian.encryptSelection', { recipients: [team.alice.fingerprint] }));
        assert.strictEqual(result, undefined);
        assert.match(errors[0]?.message ?? '', /inside a string/);
        assert.match(errors[0]?.hint ?? '', /Encrypt File/);
        assert.strictEqual(doc.getText(), text);
        assert.strictEqual(doc.isDirty, false);
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        fs.rmSync(wsPath(name), { force: true });
      }
    }
  });

  it('a selection right after an encrypted value, or two that touch, is refused with what to do, and nothing changes (the tokens would run together)', async () => {
    const text = 'DATABASE_URL=postgres://app:s3cretPW@db.internal:5432/prod\nx=ab.cd\n';
    fs.writeFileSync(wsPath('glue.env'), text);
    const doc = await vscode.workspace.openTextDocument(wsUri('glue.env'));
    const editor = await vscode.window.showTextDocument(doc);
    const select = (s: string, from = 0): vscode.Selection => {
      const at = doc.getText().indexOf(s, from);
      return new vscode.Selection(doc.positionAt(at), doc.positionAt(at + s.length));
    };
    try {
      editor.selection = select('s3cretPW');
      assert.ok(await run('custodian.encryptSelection', { recipients: [team.me.fingerprint] }));
      const once = doc.getText();
      editor.selection = select('@db.internal');
      const after = await captureErrors(team.services, () => run('custodian.encryptSelection', { recipients: [team.me.fingerprint] }));
      assert.strictEqual(after.result, undefined);
      assert.match(after.errors[0]?.message ?? '', /starts right after an encrypted value/);
      assert.match(after.errors[0]?.hint ?? '', /one character later/);
      editor.selections = [select('ab', once.indexOf('x=')), select('.cd')];
      const touching = await captureErrors(team.services, () => run('custodian.encryptSelection', { recipients: [team.me.fingerprint] }));
      assert.strictEqual(touching.result, undefined);
      assert.match(touching.errors[0]?.message ?? '', /Two selections touch/);
      assert.strictEqual(doc.getText(), once, 'nothing changed');
      // As the hint says: one character later, both come back.
      editor.selection = select('db.internal');
      assert.ok(await run('custodian.encryptSelection', { recipients: [team.me.fingerprint] }));
      const encrypted = doc.getText();
      editor.selections = encryptedOffsets(encrypted).map((o) => new vscode.Selection(doc.positionAt(o + 3), doc.positionAt(o + 3)));
      assert.strictEqual((await run<{ blocks: number }>('custodian.decryptSelection', { confirm: true }))?.blocks, 2);
      assert.strictEqual(doc.getText(), text);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      fs.rmSync(wsPath('glue.env'), { force: true });
    }
  });
});
