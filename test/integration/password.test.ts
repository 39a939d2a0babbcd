// Generate Password: every kind into an editor with several cursors (a different value per cursor) and
// to the clipboard (cleared later), the entropy it reports, and the custodian.password.* settings.
import * as assert from 'assert';
import * as fs from 'fs';
import * as yaml from 'js-yaml';
import { parseEnv } from 'node:util';
import * as vscode from 'vscode';
import { characterClasses, DEFAULT_PASSWORD_POLICY, DIGITS, LOWERCASE, passwordEntropyBits, SYMBOLS, UPPERCASE } from '../../src/core/password';
import { EFF_LARGE_WORDLIST } from '../../src/core/wordlists/eff-large';
import type { GeneratePasswordResult } from '../../src/extension/commands/password/generate-password';
import type { Services } from '../../src/extension/services';
import { captureErrors, getServices, recordInformationMessages, run, waitFor, workspaceFolder } from './support/custodian';

/** Default-policy passwords read back by a parser: 24 characters, every class, all different. */
function assertDefaultPasswords(values: unknown[], count: number, where: string): void {
  assert.strictEqual(values.length, count, `${where}: ${count} values`);
  for (const v of values) {
    assert.strictEqual(typeof v, 'string', `${where}: ${JSON.stringify(v)} is a string`);
    const pw = v as string;
    assert.strictEqual(pw.length, 24, `${where}: ${JSON.stringify(pw)} read back with 24 characters`);
    for (const cls of [LOWERCASE, UPPERCASE, DIGITS, SYMBOLS]) assert.ok([...pw].some((c) => cls.includes(c)), `${where}: ${JSON.stringify(pw)} has every class`);
  }
  assert.strictEqual(new Set(values).size, count, `${where}: all different`);
}

/** Deletes the folder's .vscode/settings.json and waits until VS Code no longer reads it (later tests expect the defaults). */
async function removeWorkspaceSettings(): Promise<void> {
  const folder = workspaceFolder();
  await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder.uri, '.vscode'), { recursive: true });
  await waitFor('the workspace settings to be gone', async () => {
    const c = vscode.workspace.getConfiguration('custodian.password', folder.uri);
    return c.inspect('length')?.workspaceFolderValue === undefined && c.inspect('length')?.workspaceValue === undefined && c.inspect('words')?.workspaceValue === undefined;
  });
}

/** A file in the workspace with a cursor at each `|` (removed). */
async function fileWithCursors(name: string, template: string): Promise<vscode.TextEditor> {
  const path = `${workspaceFolder().uri.fsPath}/${name}`;
  const parts = template.split('|');
  const offsets: number[] = [];
  let text = '';
  parts.forEach((part, i) => {
    text += part;
    if (i < parts.length - 1) offsets.push(text.length);
  });
  fs.writeFileSync(path, text);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  const editor = await vscode.window.showTextDocument(doc);
  editor.selections = offsets.map((o) => new vscode.Selection(doc.positionAt(o), doc.positionAt(o)));
  return editor;
}

const CMD = 'custodian.generatePassword';

async function editorWithCursors(lines: number): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ content: '\n'.repeat(lines - 1) });
  const editor = await vscode.window.showTextDocument(doc);
  editor.selections = Array.from({ length: lines }, (_, i) => new vscode.Selection(i, 0, i, 0));
  return editor;
}

async function closeEditor(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

function lines(editor: vscode.TextEditor): string[] {
  return editor.document.getText().split('\n');
}

async function setGlobal(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('custodian').update(key, value, vscode.ConfigurationTarget.Global);
}

describe('password', function () {
  this.timeout(60_000);
  let services: Services;

  before(async () => {
    services = await getServices();
  });

  afterEach(async () => {
    for (const key of ['password.length', 'password.symbols', 'clipboardClearSeconds']) await setGlobal(key, undefined);
    await closeEditor();
  });

  it('inserts a different default-policy password at each of 2 cursors and reports the entropy', async () => {
    const editor = await editorWithCursors(2);
    const result = await run<GeneratePasswordResult>(CMD, { kind: 'password', target: 'editor' });
    assert.ok(result, 'the command returns a result');
    assert.strictEqual(result.count, 2);
    assert.strictEqual(result.target, 'editor');
    const expected = passwordEntropyBits(
      characterClasses(DEFAULT_PASSWORD_POLICY).map((c) => c.length),
      DEFAULT_PASSWORD_POLICY.length,
      true,
    );
    assert.ok(Math.abs(result.entropyBits - expected) < 1e-9, `${result.entropyBits} bits`);
    assert.ok(result.entropyBits > 157 && result.entropyBits < 157.31);
    assert.ok(!('value' in result), 'the value is not returned');

    const [a, b] = lines(editor);
    for (const pw of [a, b]) {
      assert.strictEqual(pw.length, 24);
      for (const cls of [LOWERCASE, UPPERCASE, DIGITS, SYMBOLS]) assert.ok([...pw].some((c) => cls.includes(c)), 'every class present');
    }
    assert.notStrictEqual(a, b, 'each cursor gets its own value');
  });

  it('replaces the selection with a passphrase; policy arguments override the settings', async () => {
    const editor = await editorWithCursors(1);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'REPLACE-ME'));
    editor.selection = new vscode.Selection(0, 0, 0, 'REPLACE-ME'.length);
    const result = await run<GeneratePasswordResult>(CMD, { kind: 'passphrase', target: 'editor', policy: { words: 7, separator: ' ', appendNumber: true } });
    assert.strictEqual(result?.count, 1);
    assert.ok(Math.abs(result.entropyBits - (7 * Math.log2(7776) + Math.log2(10))) < 1e-9);
    const parts = editor.document.getText().split(' ');
    assert.strictEqual(parts.length, 8);
    for (const w of parts.slice(0, 7)) assert.ok(EFF_LARGE_WORDLIST.includes(w), 'an EFF word');
    assert.match(parts[7], /^[0-9]$/);
  });

  it('copies hex and base64url tokens to the clipboard', async () => {
    const hex = await run<GeneratePasswordResult>(CMD, { kind: 'hex', target: 'clipboard' });
    assert.deepStrictEqual(hex, { kind: 'hex', target: 'clipboard', entropyBits: 256, count: 1, notices: [] });
    assert.match(await vscode.env.clipboard.readText(), /^[0-9a-f]{64}$/);
    const b64 = await run<GeneratePasswordResult>(CMD, { kind: 'base64url', target: 'clipboard', bytes: 16 });
    assert.strictEqual(b64?.entropyBits, 128);
    assert.match(await vscode.env.clipboard.readText(), /^[A-Za-z0-9_-]{22}$/);
  });

  it('with no editor open, the value is copied and a message says so (not only the status bar)', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const { told, dispose } = recordInformationMessages(() => undefined);
    try {
      const r = await run<GeneratePasswordResult>(CMD, { kind: 'hex' });
      assert.strictEqual(r?.target, 'clipboard');
    } finally {
      dispose();
    }
    assert.strictEqual(told.length, 1, told.join(' | '));
    assert.match(told[0], /^Custodian: copied: .+ \(256(\.0)? bits\)/);
    assert.ok(!told[0].includes(await vscode.env.clipboard.readText()), 'the value itself is not in the message');
  });

  it('clears the clipboard after custodian.clipboardClearSeconds, unless something else was copied', async () => {
    await setGlobal('clipboardClearSeconds', 1);
    await run(CMD, { kind: 'password', target: 'clipboard' });
    assert.strictEqual((await vscode.env.clipboard.readText()).length, 24);
    await waitFor('the clipboard to be cleared', async () => (await vscode.env.clipboard.readText()) === '', 5000);

    await run(CMD, { kind: 'password', target: 'clipboard' });
    await vscode.env.clipboard.writeText('something the user copied');
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(await vscode.env.clipboard.readText(), 'something the user copied');
  });

  it('uses the custodian.password.* settings', async () => {
    await setGlobal('password.length', 14);
    await setGlobal('password.symbols', false);
    const result = await run<GeneratePasswordResult>(CMD, { kind: 'password', target: 'clipboard' });
    assert.ok(result);
    assert.ok(Math.abs(result.entropyBits - passwordEntropyBits([26, 26, 10], 14, true)) < 1e-9);
    assert.match(await vscode.env.clipboard.readText(), /^[A-Za-z0-9]{14}$/);
  });

  it('names the bad setting when the policy is impossible, and generates nothing', async () => {
    await vscode.env.clipboard.writeText('untouched');
    const { result, errors } = await captureErrors(services, () => run(CMD, { kind: 'password', target: 'clipboard', policy: { length: 0 } }));
    assert.strictEqual(result, undefined);
    assert.strictEqual(errors.length, 1);
    assert.strictEqual(errors[0].name, 'InvalidArgumentError');
    assert.match(errors[0].message, /custodian\.password\.length/);
    assert.strictEqual(await vscode.env.clipboard.readText(), 'untouched');
  });

  it("a repository's own settings cannot turn clipboard clearing off, but may set its password policy", async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const settings = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('custodian.password.length', folder)) {
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.workspace.fs.writeFile(
      settings,
      new TextEncoder().encode(JSON.stringify({ 'custodian.clipboardClearSeconds': 0, 'custodian.password.length': 40 })),
    );
    try {
      await changed;
      const config = services.config(folder.uri);
      assert.strictEqual(config.password.length, 40, 'resource-scoped setting read from the folder');
      assert.strictEqual(config.clipboardClearSeconds, 30, 'application-scoped setting ignores the workspace value');
    } finally {
      await removeWorkspaceSettings();
    }
  });

  it('inserts passwords quoted for YAML, JSON and .env: the real parsers read back every value exactly', async () => {
    const n = 150;
    const keys = Array.from({ length: n }, (_, i) => i);
    const cases: [string, string, (t: string) => unknown[]][] = [
      ['values.yaml', `root:\n${keys.map((i) => `  k${i}: |\n`).join('')}  list:\n${keys.map(() => '    - |\n').join('')}`, (t) => {
        const doc = yaml.load(t) as { root: Record<string, unknown> & { list: unknown[] } };
        return [...keys.map((i) => doc.root[`k${i}`]), ...doc.root.list];
      }],
      ['values.json', `{\n${keys.map((i) => `  "k${i}": |,\n  "s${i}": "|",\n`).join('')}  "end": true\n}\n`, (t) => {
        const doc = JSON.parse(t) as Record<string, unknown>;
        return keys.flatMap((i) => [doc[`k${i}`], doc[`s${i}`]]);
      }],
      ['values.env', keys.map((i) => `K${i}=|\nQ${i}="|"\n`).join(''), (t) => {
        const env = parseEnv(t);
        return keys.flatMap((i) => [env[`K${i}`], env[`Q${i}`]]);
      }],
    ];
    for (const [name, template, read] of cases) {
      const editor = await fileWithCursors(name, template);
      const result = await run<GeneratePasswordResult>(CMD, { kind: 'password', target: 'editor' });
      assert.strictEqual(result?.count, editor.selections.length);
      let values: unknown[] = [];
      assert.doesNotThrow(() => (values = read(editor.document.getText())), `${name} parses`);
      assertDefaultPasswords(values, 2 * n, name);
      await closeEditor();
      fs.rmSync(`${workspaceFolder().uri.fsPath}/${name}`, { force: true });
    }
  });

  it('run by a person: the value is previewed (hidden) before insertion; dismissing inserts nothing; Regenerate, then Insert, inserts it quoted', async () => {
    const quick = (command: string): Thenable<unknown> => vscode.commands.executeCommand(`workbench.action.${command}`);
    const step = async (command: string): Promise<void> => {
      await new Promise((r) => setTimeout(r, 600));
      await quick(command);
    };
    const editor = await fileWithCursors('preview.yaml', 'key: |\n');
    const dismissed = run<GeneratePasswordResult>(CMD);
    await step('acceptSelectedQuickOpenItem'); // kind: Password
    await step('acceptSelectedQuickOpenItem'); // target: Insert at the cursor
    await new Promise((r) => setTimeout(r, 600));
    assert.strictEqual(editor.document.getText(), 'key: \n', 'nothing is inserted while the preview is open');
    await quick('closeQuickOpen');
    assert.strictEqual(await dismissed, undefined);
    assert.strictEqual(editor.document.getText(), 'key: \n', 'dismissing the preview inserts nothing');

    const inserted = run<GeneratePasswordResult>(CMD);
    await step('acceptSelectedQuickOpenItem');
    await step('acceptSelectedQuickOpenItem');
    for (let i = 0; i < 3; i++) await step('quickOpenSelectNext'); // Insert quoted, Insert as is, Show, Regenerate
    await step('acceptSelectedQuickOpenItem'); // Regenerate keeps the preview open
    assert.strictEqual(editor.document.getText(), 'key: \n', 'Regenerate inserts nothing');
    for (let i = 0; i < 3; i++) await step('quickOpenSelectPrevious');
    await step('acceptSelectedQuickOpenItem'); // Insert, quoted for YAML
    const result = await inserted;
    assert.strictEqual(result?.quotedFor, 'yaml');
    assertDefaultPasswords([(yaml.load(editor.document.getText()) as { key: unknown }).key], 1, 'preview.yaml');
    await closeEditor();
    fs.rmSync(`${workspaceFolder().uri.fsPath}/preview.yaml`, { force: true });
  });

  it("a repository's settings cannot go below the 72-bit floor: length 1 and words 1 are raised, with a notice", async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const settings = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('custodian.password.words', folder)) {
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.workspace.fs.writeFile(settings, new TextEncoder().encode(JSON.stringify({ 'custodian.password.length': 1, 'custodian.password.words': 1 })));
    try {
      await changed;
      await closeEditor();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const { result, errors } = await captureErrors(services, () => run<GeneratePasswordResult>(CMD, { kind: 'password', target: 'clipboard' }));
      assert.deepStrictEqual(errors.map((e) => e.message), []);
      assert.ok(result && result.entropyBits >= 72, `password entropy ${result?.entropyBits}`);
      const notice = /custodian\.password\.length" is 1 .*raised to (\d+)/.exec(result.notices.join(' '));
      assert.ok(notice, `a notice: ${JSON.stringify(result.notices)}`);
      assert.strictEqual((await vscode.env.clipboard.readText()).length, Number(notice[1]));

      const words = await run<GeneratePasswordResult>(CMD, { kind: 'passphrase', target: 'clipboard' });
      assert.ok(words && words.entropyBits >= 72, `passphrase entropy ${words?.entropyBits}`);
      assert.strictEqual((await vscode.env.clipboard.readText()).split('-').length >= 6, true);
      assert.match(words.notices.join(' '), /custodian\.password\.words" is 1 .*raised to 6/);
    } finally {
      await removeWorkspaceSettings();
    }
  });

  it('without an editor, defaults to the clipboard', async () => {
    await closeEditor();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const result = await run<GeneratePasswordResult>(CMD, { kind: 'hex' });
    assert.strictEqual(result?.target, 'clipboard');
  });
});
