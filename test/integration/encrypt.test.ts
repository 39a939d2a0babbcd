// Encrypt Selection and Encrypt File in a real VS Code: armored blocks replace selections, files are
// encrypted (multi-select) to the team and signed by me, the original is deleted only after
// verification, and a cancelled large encryption leaves nothing behind.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { findArmoredBlocks } from '../../src/core/armor';
import { findEncryptedSpans, spanCiphertext } from '../../src/core/selection-armor';
import type { EncryptFileResult } from '../../src/extension/commands/encrypt/encrypt-file';
import type { EncryptSelectionResult } from '../../src/extension/commands/encrypt/encrypt-selection';
import type { DecryptSelectionResult } from '../../src/extension/commands/decrypt/decrypt-selection';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import { captureErrors, run, waitFor } from './support/custodian';
import { answerModals } from './support/modals';
import { encryptSelectionPicker, enter, recordInputs } from './support/quick-inputs';
import { decryptAs, recipientsOf, setSetting, sleep, useTeam, wsPath, wsUri } from './support/enc';

describe('encrypt', function () {
  this.timeout(180_000);
  const team = useTeam('alwaysIncludeMyself');

  it('Encrypt Selection replaces each selection with an armored block for the recipients, signed by me', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'user: admin\npassword: hunter2-secret\ntoken: tok-123\n', language: 'yaml' });
    const editor = await vscode.window.showTextDocument(doc);
    const sel1 = new vscode.Selection(1, 10, 1, 24);
    const sel2 = new vscode.Selection(2, 7, 2, 14);
    editor.selections = [sel1, sel2];
    const res = await run<EncryptSelectionResult>('custodian.encryptSelection', { recipients: [team.alice.fingerprint] });
    assert.ok(res, 'encrypted');
    assert.strictEqual(res.blocks, 2);
    assert.deepStrictEqual([...res.recipients].sort(), [team.alice.fingerprint, team.me.fingerprint].sort(), 'alice + me (alwaysIncludeMyself)');
    const text = doc.getText();
    assert.ok(!text.includes('hunter2-secret') && !text.includes('tok-123'), 'plaintext replaced');
    // Values inside a line become one-line compact tokens in place (FORMAT.md §7.2).
    const blocks = findEncryptedSpans(text);
    assert.strictEqual(blocks.length, 2);
    assert.deepStrictEqual(blocks.map((b) => b.form), ['compact', 'compact']);
    assert.strictEqual(text.split('\n').length, 4, 'no line added');
    const plain = [];
    for (const b of blocks) {
      const out = await decryptAs(team.alice, spanCiphertext(b));
      plain.push(new TextDecoder().decode(out.plaintext));
      assert.strictEqual(out.signature.kind, 'signed');
      assert.strictEqual(out.signature.kind === 'signed' && out.signature.signer.fingerprint, team.me.fingerprint, 'signed by my default key');
      assert.deepStrictEqual(await recipientsOf(spanCiphertext(b)), [team.alice.fingerprint, team.me.fingerprint].sort());
    }
    assert.deepStrictEqual(plain, ['hunter2-secret', 'tok-123']);

    // Decrypt Selection with the cursor inside each block restores the text exactly.
    editor.selections = blocks.map((b) => new vscode.Selection(doc.positionAt(b.start + 5), doc.positionAt(b.start + 5)));
    const back = await run<DecryptSelectionResult>('custodian.decryptSelection', { confirm: true });
    assert.strictEqual(back?.blocks, 2);
    assert.strictEqual(doc.getText(), 'user: admin\npassword: hunter2-secret\ntoken: tok-123\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Encrypt for… says, while ticking, that anyone but exactly the team makes the file one for chosen people, which re-keying for the team leaves alone', async () => {
    const { pick, done, dispose } = await encryptSelectionPicker('tok-chosen');
    try {
      const selected = pick.selectedItems.map((i) => i.label);
      assert.ok(['alice', 'bob'].every((l) => selected.includes(l)), selected.join(', '));
      // The icon is the item's iconPath: a multi-select picker's hover shows a label's `$(person)` raw.
      const alice = pick.items.find((i) => i.label === 'alice');
      assert.strictEqual((alice?.iconPath as vscode.ThemeIcon | undefined)?.id, 'person');
      assert.ok(pick.items.every((i) => !i.label.includes('$(')), pick.items.map((i) => i.label).join(', '));
      assert.strictEqual(pick.title, 'Encrypt for…', 'the team preselected');
      // As a person unticks bob: the selection comes back from the workbench, and the title follows it.
      pick.selectedItems = pick.selectedItems.filter((i) => i.label !== 'bob');
      await waitFor('the title for chosen people', async () => pick.title === 'Encrypt for… only those ticked: Re-encrypt for Team will leave this file as it is');
      pick.selectedItems = pick.items.filter((i) => i.picked);
      await waitFor('the title for the team again', async () => pick.title === 'Encrypt for…');
      pick.hide();
      assert.strictEqual(await done, undefined, 'cancelled');
      assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), 'token: tok-chosen\n', 'nothing encrypted');
    } finally {
      await dispose();
    }
  });

  it('keeps the indentation of a YAML block scalar', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'db:\n  password: |\n    s3cr3t-line-1\n    line-2\nnext: 1\n', language: 'yaml' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(2, 4, 4, 0);
    assert.ok(await run('custodian.encryptSelection', { recipients: [team.bob.fingerprint] }));
    const blocks = findArmoredBlocks(doc.getText());
    assert.strictEqual(blocks.length, 1);
    assert.strictEqual(blocks[0].indent, '    ');
    assert.match(doc.getText(), /\nnext: 1\n$/);
    assert.strictEqual(new TextDecoder().decode((await decryptAs(team.bob, blocks[0].text)).plaintext), 's3cr3t-line-1\nline-2\n', 'the block scalar value, dedented');
    editor.selection = new vscode.Selection(doc.positionAt(blocks[0].start), doc.positionAt(blocks[0].start));
    assert.ok(await run('custodian.decryptSelection', { confirm: true }));
    assert.strictEqual(doc.getText(), 'db:\n  password: |\n    s3cr3t-line-1\n    line-2\nnext: 1\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Encrypt Selection with nothing selected reports an error and changes nothing', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'nothing selected\n' });
    await vscode.window.showTextDocument(doc);
    const { result, errors } = await captureErrors(team.services, () => run('custodian.encryptSelection', { recipients: [team.alice.fingerprint] }));
    assert.strictEqual(result, undefined);
    assert.match(errors[0]?.message ?? '', /Select the text/);
    assert.strictEqual(doc.getText(), 'nothing selected\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('encrypts several files (multi-select) to the whole team, keeping the originals when told to', async () => {
    fs.writeFileSync(wsPath('a.env'), 'API_KEY=multi-a\n');
    fs.writeFileSync(wsPath('b.json'), '{"secret":"multi-b"}\n');
    const members = (await team.services.roster.members()).map((m) => m.key.fingerprint);
    const res = await run<EncryptFileResult>('custodian.encryptFile', { uris: [wsUri('a.env'), wsUri('b.json')], recipients: members, deleteOriginal: false });
    assert.ok(res);
    assert.strictEqual(res.files.length, 2);
    assert.strictEqual(res.cancelled, false);
    for (const [name, content] of [['a.env', 'API_KEY=multi-a\n'], ['b.json', '{"secret":"multi-b"}\n']]) {
      const enc = fs.readFileSync(wsPath(`${name}.enc`));
      assert.ok(!enc.includes(Buffer.from(content)), 'ciphertext');
      const out = await decryptAs(team.bob, new Uint8Array(enc));
      assert.strictEqual(new TextDecoder().decode(out.plaintext), content);
      assert.strictEqual(out.signature.kind === 'signed' && out.signature.signer.fingerprint, team.me.fingerprint);
      assert.deepStrictEqual(await recipientsOf(new Uint8Array(enc)), [...members].sort());
      assert.ok(fs.existsSync(wsPath(name)), 'original kept');
    }
    assert.deepStrictEqual(fs.readdirSync(wsPath()).filter((f) => f.endsWith('.tmp')), [], 'no temp files');
  });

  it('refuses to replace an existing .enc file unless asked', async () => {
    const before = fs.readFileSync(wsPath('a.env.enc'));
    const { result, errors } = await captureErrors(team.services, () =>
      run<EncryptFileResult>('custodian.encryptFile', { uris: [wsUri('a.env')], recipients: [team.alice.fingerprint], overwrite: false, deleteOriginal: false }),
    );
    assert.strictEqual(result?.files.length, 0);
    assert.strictEqual(result?.failed.length, 1);
    assert.match(errors[0]?.message ?? '', /already exists/);
    assert.ok(fs.readFileSync(wsPath('a.env.enc')).equals(before), '.enc unchanged');
  });

  it('the recipient picker preselects the whole team by fingerprint, also a member whose key is in my keychain', async () => {
    // bob's private key is also one of mine (say, a shared laptop): it must not drop him from "whole team".
    const bobsKey = await run<KeyInfo>('custodian.importPrivateKey', { pem: team.bob.privatePem, name: 'bob (shared laptop)' });
    assert.strictEqual(bobsKey?.fingerprint, team.bob.fingerprint);
    try {
      fs.writeFileSync(wsPath('picker.env'), 'PICKED=1\n');
      const pending = run<EncryptFileResult>('custodian.encryptFile', { uri: wsUri('picker.env'), deleteOriginal: false, overwrite: true });
      await sleep(1500);
      // Enter on the picker as it opens: the preselection is what gets encrypted to.
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const res = await pending;
      const members = (await team.services.roster.members()).map((m) => m.key.fingerprint);
      assert.deepStrictEqual([...(res?.recipients ?? [])].sort(), [...members].sort(), 'every roster member, bob included');
      assert.deepStrictEqual(await recipientsOf(new Uint8Array(fs.readFileSync(wsPath('picker.env.enc')))), [...members].sort());
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await run('custodian.deleteKey', { id: bobsKey?.id, confirm: true });
    }
  });

  it('deletes the original only after the new .enc was verified to decrypt', async () => {
    fs.writeFileSync(wsPath('del.txt'), 'delete-me-after-verify\n');
    const res = await run<EncryptFileResult>('custodian.encryptFile', { uri: wsUri('del.txt'), recipients: [team.alice.fingerprint], deleteOriginal: true });
    assert.strictEqual(res?.files[0].deleted, true);
    assert.ok(!fs.existsSync(wsPath('del.txt')), 'original deleted');
    const out = await decryptAs(team.alice, new Uint8Array(fs.readFileSync(wsPath('del.txt.enc'))));
    assert.strictEqual(new TextDecoder().decode(out.plaintext), 'delete-me-after-verify\n');
  });

  it('asked whether to delete the original, "Keep Original" is a button of its own (a newcomer read Cancel as undoing the encryption), Escape\'s too (no Cancel doing the same beside it), and keeps it', async () => {
    fs.writeFileSync(wsPath('ask.txt'), 'keep-me\n');
    const modals = answerModals((p) => (/Delete the plaintext original\?/.test(p.message) ? 'Keep Original' : undefined));
    try {
      const res = await run<EncryptFileResult>('custodian.encryptFile', { uri: wsUri('ask.txt'), recipients: [team.alice.fingerprint], deleteOriginal: 'ask' });
      assert.strictEqual(res?.files[0].deleted, false);
    } finally {
      modals.dispose();
    }
    assert.deepStrictEqual(modals.prompts.map((p) => p.items), [['Delete Original', 'Keep Original']]);
    // Escape keeps it too, and no Cancel button beside Keep Original does the same thing.
    assert.strictEqual(modals.prompts[0].closeAffordance, 'Keep Original');
    assert.doesNotMatch(modals.prompts[0].detail ?? '', /Cancel/);
    assert.strictEqual(fs.readFileSync(wsPath('ask.txt'), 'utf8'), 'keep-me\n', 'the original kept');
    assert.ok(fs.existsSync(wsPath('ask.txt.enc')), 'the .enc written');
    fs.rmSync(wsPath('ask.txt'));
    fs.rmSync(wsPath('ask.txt.enc'));
  });

  it('in the recipients picker, my own key is ticked for me; unticked, it is left out although alwaysIncludeMyself is on', async () => {
    fs.writeFileSync(wsPath('untick.txt'), 'untick-me\n');
    const inputs = recordInputs();
    try {
      const pending = run<EncryptFileResult>('custodian.encryptFile', { uri: wsUri('untick.txt'), deleteOriginal: 'never' });
      type Row = vscode.QuickPickItem & { key?: { fingerprint: string } };
      const pick = await waitFor('the recipient picker', async () => inputs.inputs.find((i): i is vscode.QuickPick<Row> => 'selectedItems' in i));
      const mine = pick.items.find((i) => i.key?.fingerprint === team.me.fingerprint);
      assert.ok(mine?.picked, 'ticked for me');
      assert.match(mine?.description ?? '', /included unless unticked/);
      // The person unticks the row of their own key and accepts the rest as ticked.
      pick.selectedItems = pick.selectedItems.filter((i) => i !== mine);
      // The workbench echoes the selection back (the title follows it): accepted only once it has, or a late
      // echo of the first selection would be what is accepted.
      await waitFor('the selection without my key', async () => pick.title?.startsWith('Encrypt for… only those ticked'));
      await enter();
      const res = await pending;
      assert.ok(res, 'encrypted');
      assert.ok(!res.recipients.includes(team.me.fingerprint), `my key left out: ${res.recipients.join(', ')}`);
      assert.deepStrictEqual(await recipientsOf(new Uint8Array(fs.readFileSync(wsPath('untick.txt.enc')))), [...res.recipients].sort());
    } finally {
      inputs.dispose();
      for (const f of ['untick.txt', 'untick.txt.enc']) fs.rmSync(wsPath(f), { force: true });
    }
  });

  it('keeps the original when I am not a recipient (cannot verify), and says why', async () => {
    await setSetting('alwaysIncludeMyself', false);
    try {
      fs.writeFileSync(wsPath('keep.txt'), 'keep-me\n');
      const res = await run<EncryptFileResult>('custodian.encryptFile', { uri: wsUri('keep.txt'), recipients: [team.alice.fingerprint], deleteOriginal: 'always' });
      assert.deepStrictEqual(res?.recipients, [team.alice.fingerprint], 'only alice');
      assert.strictEqual(res?.files[0].deleted, false);
      assert.match(res?.files[0].kept ?? '', /not a recipient/);
      assert.ok(fs.existsSync(wsPath('keep.txt')), 'original kept');
      assert.ok(fs.existsSync(wsPath('keep.txt.enc')));
    } finally {
      await setSetting('alwaysIncludeMyself', undefined);
    }
  });

  it('cancelling a large (200 MB) encryption leaves nothing behind', async () => {
    const big = wsPath('big.bin');
    const chunk = Buffer.alloc(8 * 1024 * 1024, 0x5a);
    const fd = fs.openSync(big, 'w');
    for (let i = 0; i < 25; i++) fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const cts = new vscode.CancellationTokenSource();
    let seen = 0;
    const res = await run<EncryptFileResult>('custodian.encryptFile', {
      uri: vscode.Uri.file(big),
      recipients: [team.alice.fingerprint],
      deleteOriginal: true,
      cancellationToken: cts.token,
      onProgress: (_uri: vscode.Uri, done: number) => {
        seen = done;
        if (done >= 32 * 1024 * 1024) cts.cancel();
      },
    });
    assert.ok(res);
    assert.strictEqual(res.cancelled, true);
    assert.ok(seen >= 32 * 1024 * 1024 && seen < 200 * 1024 * 1024, `stopped part-way (${seen} bytes)`);
    assert.deepStrictEqual(res.files, []);
    assert.ok(!fs.existsSync(`${big}.enc`), 'no .enc');
    assert.deepStrictEqual(fs.readdirSync(path.dirname(big)).filter((f) => f.includes('big.bin') && f !== 'big.bin'), [], 'no temp file');
    assert.strictEqual(fs.statSync(big).size, 200 * 1024 * 1024, 'original untouched');
    fs.rmSync(big);
  });
});
