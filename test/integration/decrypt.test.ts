// Decrypting: `.enc` files opened inline (custodian-enc:), edited and saved (re-encrypted to the same
// recipients, signed by me), no plaintext on disk (workspace + VS Code's hot-exit backups), Decrypt to
// File, Copy Decrypted (clipboard clearing), Show Recipients, and every error leaving files unchanged.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CopyDecryptedResult } from '../../src/extension/commands/decrypt/copy-decrypted';
import type { DecryptToFileResult } from '../../src/extension/commands/decrypt/decrypt-to-file';
import type { OpenDecryptedResult } from '../../src/extension/commands/decrypt/open-decrypted';
import type { ShowRecipientsResult } from '../../src/extension/commands/decrypt/show-recipients';
import { captureErrors, recordInformationMessages, run, teamDir, waitFor } from './support/custodian';
import { answerModals } from './support/modals';
import { addToRoster, closeAllEditors, decryptAs, encryptFor, filesContaining, person, readdToRoster, recipientsOf, setSetting, sleep, useTeam, wsPath, wsUri } from './support/enc';
import type { RsaPublicKey } from '../../src/core/keys';
import { EncryptionStatusBar } from '../../src/extension/editor/status-bar';

const USER_DATA = process.env.CUSTODIAN_TEST_USER_DATA_DIR ?? '';

describe('decrypt', function () {
  this.timeout(120_000);
  const team = useTeam('clipboardClearSeconds');

  async function writeEnc(name: string, plaintext: string, recipients = [team.alice.publicKey], signer = team.alice.key): Promise<string> {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath(name), await encryptFor([meKey, ...recipients], plaintext, signer));
    return wsPath(name);
  }

  it('opens a .enc file as plaintext in a text editor with the inner language, recipients and signer', async () => {
    await writeEnc('config.json.enc', '{ "password": "open-inline-secret" }\n');
    const res = await run<OpenDecryptedResult>('custodian.openDecrypted', { uri: wsUri('config.json.enc') });
    assert.strictEqual(res?.opened.length, 1);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.strictEqual(editor.document.uri.scheme, 'custodian-enc');
    assert.strictEqual(editor.document.getText(), '{ "password": "open-inline-secret" }\n');
    assert.strictEqual(editor.document.languageId, 'json', 'language from config.json');
    const status = team.encryption.statusBar.text ?? '';
    assert.match(status, /Encrypted for me \(you\), alice · signed by alice ✓/);
    assert.strictEqual(team.encryption.statusBar.isWarning, false);
  });

  it('saving re-encrypts to the same recipients, signed by me, atomically', async () => {
    const file = wsPath('config.json.enc');
    const recipientsBefore = await recipientsOf(new Uint8Array(fs.readFileSync(file)));
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), '{ "password": "edited-and-saved" }\n'));
    assert.ok(await editor.document.save(), 'saved');
    const bytes = new Uint8Array(fs.readFileSync(file));
    assert.deepStrictEqual(await recipientsOf(bytes), recipientsBefore, 'same recipients');
    const out = await decryptAs(team.alice, bytes);
    assert.strictEqual(new TextDecoder().decode(out.plaintext), '{ "password": "edited-and-saved" }\n');
    assert.strictEqual(out.signature.kind === 'signed' && out.signature.signer.fingerprint, team.me.fingerprint, 're-signed by me');
    assert.match(team.encryption.statusBar.text ?? '', /signed by me \(you\) ✓/);
    assert.deepStrictEqual(filesContaining(wsPath(), 'edited-and-saved'), [], 'no plaintext in the workspace');
    assert.deepStrictEqual(fs.readdirSync(wsPath()).filter((f) => f.endsWith('.tmp')), []);
  });

  it('keeps unsaved plaintext off the disk: no hot-exit backup (control: a plain file is backed up)', async () => {
    assert.ok(USER_DATA && fs.existsSync(USER_DATA), 'CUSTODIAN_TEST_USER_DATA_DIR is set');
    const editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.document.uri.scheme, 'custodian-enc');
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'UNSAVED-PLAINTEXT-MARKER-7f3a\n'));
    assert.ok(editor.document.isDirty);
    // Control: an untitled document with another marker, which VS Code does back up.
    const control = await vscode.workspace.openTextDocument({ content: '' });
    const controlEditor = await vscode.window.showTextDocument(control, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    await controlEditor.edit((e) => e.insert(new vscode.Position(0, 0), 'CONTROL-BACKUP-MARKER-19be'));
    await sleep(4000); // the backup tracker writes ~1 s after the last change
    const controlHits = filesContaining(USER_DATA, 'CONTROL-BACKUP-MARKER-19be');
    assert.ok(controlHits.some((p) => p.includes('Backups')), `VS Code backed up the control document (${controlHits.join(', ')})`);
    assert.deepStrictEqual(filesContaining(USER_DATA, 'UNSAVED-PLAINTEXT-MARKER-7f3a'), [], 'no plaintext in user data (Backups)');
    const blockers = await team.encryption.backupGuard.ensure();
    assert.ok(blockers.some((b) => b.startsWith(USER_DATA) && fs.statSync(b).isFile()), `the backup folder for custodian-enc is blocked (${blockers.join(', ')})`);
    assert.deepStrictEqual(filesContaining(wsPath(), 'UNSAVED-PLAINTEXT-MARKER-7f3a'), [], 'no plaintext in the workspace');
    assert.deepStrictEqual(filesContaining(process.env.TMPDIR ?? '/tmp/none', 'UNSAVED-PLAINTEXT-MARKER-7f3a'), [], 'no plaintext in TMPDIR');
    // Clean up: revert both.
    await vscode.window.showTextDocument(control);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.deepStrictEqual(filesContaining(USER_DATA, 'UNSAVED-PLAINTEXT-MARKER-7f3a'), []);
  });

  it('in a window without a folder (no workspace storage, so VS Code names its backup folder only at its first backup), or a remote window of desktop VS Code (backups on the local computer), decrypted documents are read-only: never modified, never backed up', async () => {
    const { BackupGuard } = await import('../../src/extension/fs/backup-guard');
    const { EncryptedFileSystem } = await import('../../src/extension/fs/encrypted-file-system');
    const { ValuesFileSystem } = await import('../../src/extension/fs/values-file-system');
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const log = vscode.window.createOutputChannel('empty-window test', { log: true });
    // The notice's Open Folder… starts at the folder that holds the file (VS Code's own starts at home).
    const info = recordInformationMessages((_, items) => items.find((i) => i === 'Open Folder…'));
    const window = vscode.window as unknown as { showOpenDialog: typeof vscode.window.showOpenDialog };
    const showOpenDialog = window.showOpenDialog;
    const dialogs: vscode.OpenDialogOptions[] = [];
    window.showOpenDialog = async (options) => (dialogs.push(options ?? {}), undefined);
    try {
      const context = { storageUri: undefined, globalStorageUri: vscode.Uri.file(path.join(os.tmpdir(), 'custodian-empty-window-global')) };
      const guard = new BackupGuard(context, log);
      assert.strictEqual(guard.blocksThisWindow, false);
      assert.strictEqual(team.encryption.backupGuard.blocksThisWindow, true, 'this test window has a folder');
      // What VS Code says where the person types (the file systems' isReadonly), once the notice has gone.
      assert.match(guard.readOnlyReason()?.value ?? '', /^Decrypted files are read-only in a window without a folder: VS Code would back up unsaved edits to disk in the clear\./);
      assert.strictEqual(team.encryption.backupGuard.readOnlyReason(), undefined);
      const { deps, values } = team.encryption;
      const encFs = new EncryptedFileSystem(deps.fs.documents, log, guard, { prepare: async () => undefined });
      const valuesFs = new ValuesFileSystem(values.services, values.session, guard);
      const enc = await writeEnc('empty-window.env.enc', 'A=1\n');
      const me = await team.services.keyStore.getPublicKey(team.me.id);
      fs.writeFileSync(wsPath('empty-window.env'), await sealValues('A=1\n', { format: 'dotenv', recipients: [me], backend }));
      const { toDecryptedUri } = await import('../../src/extension/fs/enc-uri');
      const encShown = toDecryptedUri(vscode.Uri.file(enc));
      const valuesShown = vscode.Uri.from({ scheme: 'custodian-values', path: wsUri('empty-window.env').path, query: wsUri('empty-window.env').toString() });
      for (const [name, stat] of [['.enc', await encFs.stat(encShown)], ['value-encrypted', await valuesFs.stat(valuesShown)]] as const) {
        assert.strictEqual(stat.permissions, vscode.FilePermission.Readonly, `${name}: read-only where backups cannot be blocked`);
      }
      // The window's own file systems (a folder is open): editable as before.
      assert.notStrictEqual((await deps.fs.stat(encShown)).permissions, vscode.FilePermission.Readonly);
      assert.notStrictEqual((await values.fs.stat(valuesShown)).permissions, vscode.FilePermission.Readonly);
      await waitFor('the notice, once', async () => info.told.filter((m) => /Decrypted files open read-only in a window without a folder/.test(m)).length === 1);
      await waitFor('Open Folder… asks for a folder', async () => dialogs.length === 1);
      assert.strictEqual(dialogs[0].defaultUri?.fsPath, path.dirname(enc));
      assert.strictEqual(dialogs[0].canSelectFolders, true);
      encFs.dispose();
      valuesFs.dispose();

      // A remote window of desktop VS Code writes its backups on the computer showing it, out of reach of
      // this extension on the remote host: read-only too, unless custodian.remoteEditing accepts that.
      // (A web workbench, as here, writes them through the remote's user data, where they are blocked.)
      let accepted = false;
      const remote = new BackupGuard({ storageUri: team.services.context.storageUri, globalStorageUri: context.globalStorageUri }, log, { uiKind: vscode.UIKind.Desktop, remoteName: 'ssh-remote' }, () => accepted);
      assert.strictEqual(remote.blocksThisWindow, false);
      const remoteFs = new EncryptedFileSystem(deps.fs.documents, log, remote, { prepare: async () => undefined });
      assert.strictEqual((await remoteFs.stat(encShown)).permissions, vscode.FilePermission.Readonly);
      await waitFor('the remote notice', async () => info.told.some((m) => /^Decrypted files open read-only in a remote window: VS Code would back up unsaved edits in the clear on this computer, where Custodian, running on the ssh-remote host, cannot stop it\./.test(m)));
      accepted = true;
      assert.notStrictEqual((await remoteFs.stat(encShown)).permissions, vscode.FilePermission.Readonly, 'custodian.remoteEditing on');
      remoteFs.dispose();
      const web = new BackupGuard({ storageUri: team.services.context.storageUri, globalStorageUri: context.globalStorageUri }, log, { uiKind: vscode.UIKind.Web, remoteName: 'ssh-remote' });
      assert.strictEqual(web.blocksThisWindow, true);
      // Workspace storage that is no local folder: the backup folder cannot be found from it, so read-only
      // too, and both the notice and what VS Code says where the person types say why in those words.
      const elsewhere = new BackupGuard({ storageUri: vscode.Uri.parse('vscode-userdata:/User/workspaceStorage/abc/custodian'), globalStorageUri: context.globalStorageUri }, log, { uiKind: vscode.UIKind.Web });
      assert.strictEqual(elsewhere.blocksThisWindow, false);
      assert.match(elsewhere.readOnlyReason()?.value ?? '', /^Decrypted files are read-only in this window: Custodian cannot tell where VS Code backs up unsaved edits here/);
      const elsewhereFs = new EncryptedFileSystem(deps.fs.documents, log, elsewhere, { prepare: async () => undefined });
      assert.strictEqual((await elsewhereFs.stat(encShown)).permissions, vscode.FilePermission.Readonly);
      await waitFor('the notice in those words', async () => info.told.some((m) => /^Decrypted files are read-only in this window: Custodian cannot tell/.test(m)));
      assert.ok(!info.told.slice(1).some((m) => /window without a folder/.test(m)), 'the no-folder wording only for the window without a folder');
      elsewhereFs.dispose();
      assert.strictEqual(vscode.workspace.getConfiguration('custodian').get('remoteEditing'), false, 'off by default');
    } finally {
      window.showOpenDialog = showOpenDialog;
      info.dispose();
      log.dispose();
      fs.rmSync(wsPath('empty-window.env'), { force: true });
      fs.rmSync(wsPath('empty-window.env.enc'), { force: true });
    }
  });

  it('flags an unsigned file and a file signed by an unknown key', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('unsigned.env.enc'), await encryptFor([meKey], 'A=unsigned\n'));
    await run('custodian.openDecrypted', { uri: wsUri('unsigned.env.enc') });
    assert.match(team.encryption.statusBar.text ?? '', /unsigned/);
    assert.strictEqual(team.encryption.statusBar.isWarning, true);
    fs.writeFileSync(wsPath('stranger.env.enc'), await encryptFor([meKey], 'A=stranger\n', team.mallory.key));
    await run('custodian.openDecrypted', { uri: wsUri('stranger.env.enc') });
    assert.match(team.encryption.statusBar.text ?? '', /signed by .*unknown key.* ⚠/);
    assert.strictEqual(team.encryption.statusBar.isWarning, true);
    await closeAllEditors();
  });

  it('does not put binary plaintext into a text editor', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    const { encryptBytes } = await import('../../src/core/envelope');
    const { backend } = await import('./support/enc');
    fs.writeFileSync(wsPath('image.png.enc'), await encryptBytes(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xfe]), { recipients: [meKey], backend }));
    const res = await run<OpenDecryptedResult>('custodian.openDecrypted', { uri: wsUri('image.png.enc') });
    assert.strictEqual(res?.opened.length, 0);
    assert.strictEqual(res?.binary.length, 1);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'custodian-enc' && d.uri.path.endsWith('image.png')));
  });

  describe('errors leave the file unchanged', () => {
    async function expectError(name: string, pattern: RegExp, errorName: RegExp, hint?: RegExp): Promise<void> {
      const before = fs.readFileSync(wsPath(name));
      const { result, errors } = await captureErrors(team.services, () => run('custodian.openDecrypted', { uri: wsUri(name) }));
      assert.strictEqual(result, undefined, `${name}: nothing opened`);
      assert.strictEqual(errors.length, 1, `${name}: one error`);
      assert.match(errors[0].name, errorName);
      assert.match(errors[0].message, pattern);
      assert.ok(fs.readFileSync(wsPath(name)).equals(before), `${name} unchanged`);
      assert.ok(!errors[0].message.includes('tamper-plaintext'), 'no plaintext in the message');
      if (hint) assert.match(errors[0].hint ?? '', hint);
    }

    it('tampered payload', async () => {
      const file = await writeEnc('tampered.env.enc', 'X=tamper-plaintext\n');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 256 - 10] ^= 0x01; // inside the final chunk (the 256-byte signature follows)
      fs.writeFileSync(file, bytes);
      await expectError('tampered.env.enc', /failed authentication|modified/, /PayloadAuthError/);
    });

    it('truncated', async () => {
      const big = 'X=' + 'y'.repeat(300_000) + '\n'; // more than one default chunk
      const file = await writeEnc('truncated.env.enc', big);
      const bytes = fs.readFileSync(file);
      const { inspectEnvelope } = await import('../../src/core/envelope');
      const info = await inspectEnvelope(new Uint8Array(bytes));
      fs.writeFileSync(file, bytes.subarray(0, info.headerSize + info.chunkSize + 16)); // cut after the first chunk
      await expectError('truncated.env.enc', /truncated/, /TruncatedError/);
    });

    it('bad signature', async () => {
      const file = await writeEnc('badsig.env.enc', 'X=tamper-plaintext\n');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 1] ^= 0x01;
      fs.writeFileSync(file, bytes);
      await expectError('badsig.env.enc', /signature/, /SignatureError/);
    });

    it('unknown format version', async () => {
      const file = await writeEnc('v2.env.enc', 'X=tamper-plaintext\n');
      const bytes = fs.readFileSync(file);
      bytes[9] = 2;
      fs.writeFileSync(file, bytes);
      await expectError('v2.env.enc', /version/i, /UnsupportedVersionError/);
    });

    it('not a recipient: names who it is for, and (on the roster already) asks for the re-keying only', async () => {
      fs.writeFileSync(wsPath('foreign.env.enc'), await encryptFor([team.alice.publicKey, team.mallory.publicKey], 'X=tamper-plaintext\n', team.alice.key));
      await expectError('foreign.env.enc', /not a recipient.*alice/, /NotARecipientError/, /^You are in the team roster already: ask one of them to run "Re-encrypt for Team"/);
    });

    it('not a recipient of a file whose recipients were chosen: asks for the file to be encrypted to my key, not for a team re-key (which never widens it)', async () => {
      const { encryptBytes } = await import('../../src/core/envelope');
      const { backend } = await import('./support/enc');
      const bytes = await encryptBytes(new TextEncoder().encode('X=tamper-plaintext\n'), { recipients: [team.alice.publicKey], signer: team.alice.key, backend, recipientPolicy: 'chosen' });
      fs.writeFileSync(wsPath('chosen.env.enc'), bytes);
      await expectError('chosen.env.enc', /not a recipient.*alice/, /NotARecipientError/, /^Its recipients were chosen by hand, so re-encrypting for the team does not add you: ask one of them to encrypt it to your key too\.$/);
    });

    it('not a Custodian file', async () => {
      fs.writeFileSync(wsPath('plain.env.enc'), 'just text, not encrypted\n');
      await expectError('plain.env.enc', /not a Custodian encrypted file/, /FormatError/);
    });

    it('SecretStorage failure', async () => {
      await writeEnc('keychain.env.enc', 'X=tamper-plaintext\n');
      const failing: vscode.SecretStorage = {
        get: () => Promise.reject(new Error('keychain locked')),
        store: () => Promise.reject(new Error('keychain locked')),
        delete: () => Promise.reject(new Error('keychain locked')),
        keys: () => Promise.reject(new Error('keychain locked')),
        onDidChange: new vscode.EventEmitter<vscode.SecretStorageChangeEvent>().event,
      } as unknown as vscode.SecretStorage;
      const restore = team.services.replaceSecretStorage(failing);
      try {
        await expectError('keychain.env.enc', /keychain|browser profile's storage/, /SecretStorageError/);
      } finally {
        restore.dispose();
      }
    });

    it('saving a decrypted document whose recipient key is unknown fails and keeps the file', async () => {
      const meKey = await team.services.keyStore.getPublicKey(team.me.id);
      const file = wsPath('unknown-recipient.env.enc');
      fs.writeFileSync(file, await encryptFor([meKey, team.mallory.publicKey], 'X=1\n', team.alice.key));
      const before = fs.readFileSync(file);
      await run('custodian.openDecrypted', { uri: wsUri('unknown-recipient.env.enc') });
      const editor = vscode.window.activeTextEditor!;
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'Y=2\n'));
      const saved = await editor.document.save().then(
        (ok) => ok,
        () => false,
      );
      assert.strictEqual(saved, false, 'save refused');
      assert.ok(fs.readFileSync(file).equals(before), 'file unchanged');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  });

  it('Decrypt to File writes the plaintext where asked, and never replaces a file without being asked', async () => {
    await writeEnc('db.env.enc', 'DB_PASSWORD=to-file\n');
    const target = wsUri('db.env');
    const res = await run<DecryptToFileResult>('custodian.decryptToFile', { uri: wsUri('db.env.enc'), target });
    assert.strictEqual(res?.files.length, 1);
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), 'DB_PASSWORD=to-file\n');
    assert.match(res.files[0].description.summary, /signed by alice ✓/);
    fs.writeFileSync(target.fsPath, 'EXISTING\n');
    const { result, errors } = await captureErrors(team.services, () => run('custodian.decryptToFile', { uri: wsUri('db.env.enc'), target }));
    assert.strictEqual(result, undefined);
    assert.match(errors[0]?.message ?? '', /already exists/);
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), 'EXISTING\n', 'not replaced');
    assert.ok(await run('custodian.decryptToFile', { uri: wsUri('db.env.enc'), target, overwrite: true }));
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), 'DB_PASSWORD=to-file\n');
    fs.rmSync(target.fsPath);
  });

  it('Decrypt to File proposes a place outside the workspace; one inside is questioned with "Choose Another Place…" as the default button, and Enter at every step writes nothing in the workspace', async () => {
    await writeEnc('ws.env.enc', 'DB_PASSWORD=in-workspace\n');
    const inside = wsUri('ws.env');
    const outside = vscode.Uri.file(path.join(os.tmpdir(), `custodian-test-${process.pid}-ws.env`));
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalSave = window.showSaveDialog;
    // What the save dialog proposed each time, and what the person picks there (undefined: Escape).
    const proposed: (vscode.Uri | undefined)[] = [];
    let picks: (vscode.Uri | undefined)[] = [];
    window.showSaveDialog = async (options?: vscode.SaveDialogOptions) => (proposed.push(options?.defaultUri), picks.shift());
    // Enter in a modal is its first item; Cancel (undefined) when there is none.
    let answer = (p: { items: string[] }): string | undefined => p.items[0];
    const modals = answerModals((p) => answer(p));
    try {
      // A person who types a place in the workspace, then presses Enter at the question and Escape at the dialog.
      picks = [inside, undefined];
      assert.strictEqual(await run('custodian.decryptToFile', { uri: wsUri('ws.env.enc') }), undefined);
      assert.strictEqual(proposed.length, 2, 'Enter went back to the save dialog');
      for (const uri of proposed) {
        assert.ok(uri && !vscode.workspace.getWorkspaceFolder(uri), `proposed outside the workspace: ${uri?.fsPath}`);
        assert.strictEqual(path.basename(uri.fsPath), 'ws.env');
      }
      assert.strictEqual(modals.prompts.length, 1);
      assert.match(modals.prompts[0].message, /plaintext of ws\.env\.enc inside the workspace/);
      assert.deepStrictEqual(modals.prompts[0].items, ['Choose Another Place…', 'Decrypt Here Anyway'], 'the safe choice first: the default (Enter) button');
      assert.ok(!fs.existsSync(inside.fsPath), 'nothing written in the workspace');
      assert.deepStrictEqual(filesContaining(wsPath(), 'DB_PASSWORD=in-workspace'), [], 'no plaintext anywhere in the workspace');

      // Enter at the question, then a place outside: written there only.
      picks = [inside, outside];
      const elsewhere = await run<DecryptToFileResult>('custodian.decryptToFile', { uri: wsUri('ws.env.enc') });
      assert.strictEqual(elsewhere?.files[0]?.target.fsPath, outside.fsPath);
      assert.strictEqual(fs.readFileSync(outside.fsPath, 'utf8'), 'DB_PASSWORD=in-workspace\n');
      assert.ok(!fs.existsSync(inside.fsPath), 'nothing written in the workspace');

      // Cancel writes nothing; "Decrypt Here Anyway", chosen on purpose, writes in the workspace.
      answer = () => undefined;
      picks = [inside];
      assert.strictEqual(await run('custodian.decryptToFile', { uri: wsUri('ws.env.enc') }), undefined);
      assert.ok(!fs.existsSync(inside.fsPath), 'declined: no plaintext file');
      answer = () => 'Decrypt Here Anyway';
      picks = [inside];
      assert.ok(await run('custodian.decryptToFile', { uri: wsUri('ws.env.enc') }));
      assert.strictEqual(fs.readFileSync(inside.fsPath, 'utf8'), 'DB_PASSWORD=in-workspace\n');
    } finally {
      window.showSaveDialog = originalSave;
      modals.dispose();
      fs.rmSync(inside.fsPath, { force: true });
      fs.rmSync(outside.fsPath, { force: true });
    }
  });

  it('Decrypt to File writes into a folder the save dialog offered to create: the folders are made, as the person agreed there', async () => {
    // code-server's dialog asks "The folder … does not exist. Would you like to create it?" and its OK only
    // returns the path; the write then failed with "directory … does not exist".
    await writeEnc('mkdir.env.enc', 'DB_PASSWORD=new-folder\n');
    const base = path.join(os.tmpdir(), `custodian-test-${process.pid}-new-folder`);
    fs.rmSync(base, { recursive: true, force: true });
    const target = vscode.Uri.file(path.join(base, 'deeper', 'mkdir.env'));
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalSave = window.showSaveDialog;
    window.showSaveDialog = async () => target;
    try {
      const res = await run<DecryptToFileResult>('custodian.decryptToFile', { uri: wsUri('mkdir.env.enc') });
      assert.strictEqual(res?.files[0]?.target.fsPath, target.fsPath);
      assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), 'DB_PASSWORD=new-folder\n');
    } finally {
      window.showSaveDialog = originalSave;
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('Copy Decrypted to Clipboard clears the clipboard after clipboardClearSeconds, only if unchanged', async () => {
    await setSetting('clipboardClearSeconds', 1);
    await writeEnc('token.txt.enc', 'clipboard-secret-42');
    const res = await run<CopyDecryptedResult>('custodian.copyDecrypted', { uri: wsUri('token.txt.enc') });
    assert.strictEqual(res?.clearsInSeconds, 1);
    assert.strictEqual(await vscode.env.clipboard.readText(), 'clipboard-secret-42');
    await sleep(1800);
    assert.strictEqual(await vscode.env.clipboard.readText(), '', 'cleared');

    assert.ok(await run('custodian.copyDecrypted', { uri: wsUri('token.txt.enc') }));
    await vscode.env.clipboard.writeText('something the user copied');
    await sleep(1800);
    assert.strictEqual(await vscode.env.clipboard.readText(), 'something the user copied', 'left alone');
  });

  it('the status bar names the recipients in one order whatever the file\'s: mine first, then by name (a newcomer saw "dana (you), sam" and "sam, dana (you)" for one team)', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('order.env.enc'), await encryptFor([team.bob.publicKey, team.alice.publicKey, meKey!], 'A=1\n', team.alice.key));
    try {
      await run<OpenDecryptedResult>('custodian.openDecrypted', { uri: wsUri('order.env.enc') });
      assert.match(team.encryption.statusBar.text ?? '', /Encrypted for me \(you\), alice, bob · signed by alice ✓/);
    } finally {
      await closeAllEditors();
      fs.rmSync(wsPath('order.env.enc'), { force: true });
    }
  });

  it('the status bar names teammates the open file is not encrypted for yet ("not yet for bob"), and me by my name on the roster', async () => {
    // A newcomer read "Encrypted for alice (you), bob" as the whole team after dave had joined.
    await writeEnc('not-yet.env.enc', 'X=1\n', [team.alice.publicKey]);
    const label = team.services.keyStore.list()[0];
    await team.services.keyStore.rename(label.id, 'Laptop key');
    try {
      await run('custodian.openDecrypted', { uri: wsUri('not-yet.env.enc') });
      const text = await waitFor('the status bar saying who is missing', async () => (/not yet for/.test(team.encryption.statusBar.text ?? '') ? team.encryption.statusBar.text : undefined));
      assert.match(text, /Encrypted for me \(you\), alice · signed by alice ✓ · not yet for bob$/);
      assert.doesNotMatch(text, /Laptop key/, 'teammates know me by my roster name');
      // A teammate who joins while the file is open (a pull) is named at once, not at the next save.
      const carol = await person('carol');
      addToRoster(carol);
      // (Told by the roster's file watcher, which a loaded machine may take seconds to fire.)
      await waitFor('carol named in the status bar', async () => /not yet for bob, carol$/.test(team.encryption.statusBar.text ?? ''), 30_000);
    } finally {
      await team.services.keyStore.rename(label.id, 'me');
      fs.rmSync(path.join(teamDir(), 'carol.pub'), { force: true });
    }
  });

  it('the status bar never shows a late answer over a newer one: a "not yet for bob" from before bob joined does not come back', async () => {
    // Answers come late (git and the roster) and in any order; each update asks anew.
    await writeEnc('late.env.enc', 'X=1\n', [team.alice.publicKey]);
    await run('custodian.openDecrypted', { uri: wsUri('late.env.enc') });
    const answers: ((a: { missing: string[] }) => void)[] = [];
    const bar = new EncryptionStatusBar(team.encryption.deps.fs.documents, team.encryption.deps.valuesFs, () => new Promise((resolve) => answers.push(resolve)));
    const ask = (): ((a: { missing: string[] }) => void) => {
      const n = answers.length;
      bar.refresh();
      assert.strictEqual(answers.length, n + 1, 'one question per update');
      return answers[n];
    };
    try {
      // The newer answer first (bob joined: no one missing), then the older one.
      const [older, newer] = [ask(), ask()];
      newer({ missing: [] });
      await sleep(20);
      older({ missing: ['bob'] });
      await sleep(20);
      assert.doesNotMatch(bar.text ?? '', /not yet for/);
      // The older first, shown meanwhile, then taken back by the newer.
      const [before, after] = [ask(), ask()];
      before({ missing: ['bob'] });
      await sleep(20);
      assert.match(bar.text ?? '', /· not yet for bob$/);
      after({ missing: [] });
      await sleep(20);
      assert.match(bar.text ?? '', /signed by alice ✓$/);
    } finally {
      bar.dispose();
    }
  });

  it('Show Recipients and Signer names recipients and verifies the signature', async () => {
    await writeEnc('who.env.enc', 'X=1\n', [team.alice.publicKey, team.bob.publicKey]);
    const res = await run<ShowRecipientsResult>('custodian.showRecipients', { uri: wsUri('who.env.enc'), quiet: true });
    assert.ok(res);
    assert.deepStrictEqual(res.recipients.map((r) => r.name).sort(), ['alice', 'bob', 'me (you)']);
    assert.strictEqual(res.signer.kind, 'verified');
    assert.strictEqual(res.signer.kind === 'verified' && res.signer.party.name, 'alice');
    fs.writeFileSync(wsPath('theirs.env.enc'), await encryptFor([team.alice.publicKey], 'X=1\n', team.bob.key));
    const theirs = await run<ShowRecipientsResult>('custodian.showRecipients', { uri: wsUri('theirs.env.enc'), quiet: true });
    assert.strictEqual(theirs?.canDecrypt, false);
    assert.strictEqual(theirs?.signer.kind, 'claimed', 'not verifiable without a key');
  });

  it('Show Recipients and Signer still names who to ask when the file is damaged after its header', async () => {
    await writeEnc('cut.env.enc', 'X=1\n'.repeat(1000), [team.alice.publicKey]);
    const whole = fs.readFileSync(wsPath('cut.env.enc'));
    fs.writeFileSync(wsPath('cut.env.enc'), whole.subarray(0, whole.length - 300));
    const res = await run<ShowRecipientsResult>('custodian.showRecipients', { uri: wsUri('cut.env.enc'), quiet: true });
    assert.ok(res, 'a result, not an error');
    assert.match(res.damaged ?? '', /truncat|damaged|ends|authenticat|signature/i);
    assert.deepStrictEqual(res.recipients.map((r) => r.name).sort(), ['alice', 'me (you)']);
    assert.strictEqual(res.signer.kind, 'claimed', 'a damaged file\'s signer is only claimed');
    assert.match(res.warning ?? '', /damaged/);
  });

  it('an open document follows its .enc on disk; one that no longer opens says so; an older text saved over a re-keyed file goes only to the recipients both versions have', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsPath('follow.env.enc');
    const replace = async (text: string, recipients: RsaPublicKey[]): Promise<void> => {
      // As git writes a file it checks out: a new file renamed over the old one.
      fs.writeFileSync(`${file}.tmp`, await encryptFor(recipients, text, team.alice.key));
      fs.renameSync(`${file}.tmp`, file);
    };
    await replace('A=1\n', [meKey, team.alice.publicKey, team.bob.publicKey]);
    await run('custodian.openDecrypted', { uri: wsUri('follow.env.enc') });
    const editor = vscode.window.activeTextEditor!;
    const status = (): string => team.encryption.statusBar.text ?? '';
    await replace('A=2\n', [meKey, team.alice.publicKey]);
    await waitFor('the new version in the editor', async () => editor.document.getText() === 'A=2\n' && /Encrypted for me \(you\), alice · signed by alice ✓/.test(status()));

    // Tampered on disk: the editor keeps what it read, and the status bar stops vouching for it.
    const good = fs.readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 40] ^= 1;
    fs.writeFileSync(file, bad);
    await waitFor('the status bar to say the file no longer opens', async () => /changed on disk and cannot be opened/.test(status()));
    assert.ok(team.encryption.statusBar.isWarning);
    assert.strictEqual(editor.document.getText(), 'A=2\n');

    // Bob's stale editor: read while bob was a recipient, edited, then the file is re-keyed without bob
    // on disk (a pull); saving over it (VS Code's "Overwrite") must not make bob a recipient again.
    await replace('A=3\n', [meKey, team.alice.publicKey, team.bob.publicKey]);
    await waitFor('the version for bob too', async () => editor.document.getText() === 'A=3\n' && /bob/.test(status()));
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'B=stale-edit\n'));
    await replace('A=4\n', [meKey, team.alice.publicKey]);
    await vscode.workspace.fs.writeFile(editor.document.uri, new TextEncoder().encode(editor.document.getText()));
    assert.deepStrictEqual(await recipientsOf(fs.readFileSync(file)), [meKey.fingerprint, team.alice.fingerprint].sort(), 'bob not brought back');
    assert.strictEqual(new TextDecoder().decode((await decryptAs(team.alice, fs.readFileSync(file))).plaintext), 'A=3\nB=stale-edit\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    fs.rmSync(file);
  });

  it('a second window saved the file while this one has unsaved edits: saving here does not overwrite it unasked, and nothing either wrote is lost', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsPath('two-windows.env.enc');
    fs.writeFileSync(file, await encryptFor([meKey, team.alice.publicKey], 'A=1\n', team.alice.key));
    await run('custodian.openDecrypted', { uri: wsUri('two-windows.env.enc') });
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'MINE=from-this-window\n'));
    // The other window's save, as it writes a file: a new version renamed over the old one.
    const theirs = await encryptFor([meKey, team.alice.publicKey], 'A=1\nTHEIRS=from-the-other-window\n', team.alice.key);
    fs.writeFileSync(`${file}.tmp`, theirs);
    fs.renameSync(`${file}.tmp`, file);
    await sleep(1500); // the file watcher's event
    assert.ok(editor.document.isDirty, 'the edits here are kept');
    const modals = answerModals(() => undefined);
    try {
      await editor.document.save();
    } finally {
      modals.dispose();
    }
    assert.ok(fs.readFileSync(file).equals(Buffer.from(theirs)), "the other window's version is not overwritten unasked");
    assert.match(editor.document.getText(), /MINE=from-this-window/, 'nor are the edits here dropped');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    fs.rmSync(file);
  });

  it('saving a file still encrypted for a teammate removed since asks first; "Save Without Them" leaves them out (.enc and value-encrypted)', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    await writeEnc('left.env.enc', 'K=1\n', [team.alice.publicKey, team.bob.publicKey]);
    const { sealValues, valuesRecipients } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    fs.writeFileSync(wsPath('left.env'), await sealValues('V=1\n', { format: 'dotenv', recipients: [meKey, team.alice.publicKey, team.bob.publicKey], signer: team.alice.key, backend }));
    assert.ok(await run('custodian.removeTeammate', { name: 'bob', confirm: true, reencrypt: false }));
    const modals = answerModals((p) => (/still encrypted for bob/.test(p.message) ? 'Save Without Them' : undefined));
    try {
      // .enc: bob's key left the roster with him, so the only way to save is without him.
      await run('custodian.openDecrypted', { uri: wsUri('left.env.enc') });
      // Signed by alice, but readable by someone off the team: not the plain "✓" of a file for the team.
      await waitFor('the status bar', async () => /bob \(removed from team\)/.test(team.encryption.statusBar.text ?? ''));
      assert.strictEqual(team.encryption.statusBar.isWarning, true, 'still encrypted for bob: a warning');
      let editor = vscode.window.activeTextEditor!;
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'NEW=only-for-the-team\n'));
      assert.ok(await editor.document.save());
      assert.match(modals.prompts[0]?.message ?? '', /left\.env\.enc is still encrypted for bob \(removed from team\), who is no longer on the team/);
      assert.deepStrictEqual(modals.prompts[0].items, ['Save Without Them']);
      assert.match(modals.prompts[0].detail, /for the others only: me \(you\), alice/);
      assert.deepStrictEqual(await recipientsOf(fs.readFileSync(wsPath('left.env.enc'))), [meKey.fingerprint, team.alice.fingerprint].sort());
      assert.strictEqual(new TextDecoder().decode((await decryptAs(team.alice, fs.readFileSync(wsPath('left.env.enc')))).plaintext), 'K=1\nNEW=only-for-the-team\n');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

      // A value-encrypted file: sealed again under a new data key for the others.
      const shown = vscode.Uri.from({ scheme: 'custodian-values', path: wsUri('left.env').path, query: wsUri('left.env').toString() });
      editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shown));
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'W=2\n'));
      assert.ok(await editor.document.save());
      assert.match(modals.prompts[1]?.message ?? '', /left\.env is still encrypted for bob/);
      assert.deepStrictEqual([...valuesRecipients(fs.readFileSync(wsPath('left.env'), 'utf8'), 'dotenv')].sort(), [meKey.fingerprint, team.alice.fingerprint].sort());
    } finally {
      modals.dispose();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await readdToRoster(team.bob);
      // The suites after this one list the workspace's encrypted files: none of this test's is left.
      for (const name of ['left.env', 'left.env.enc', 'follow.env.enc']) fs.rmSync(wsPath(name), { force: true });
    }
  });
});
