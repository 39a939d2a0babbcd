// My keys: every key command through executeCommand with arguments, bad input, a failing
// SecretStorage, and a scan proving private keys live only in SecretStorage.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Services } from '../../src/extension/services';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import { announce, announcement } from '../../src/extension/commands/keys/generate-key';
import { secretLocation } from '../../src/extension/storage/secret-location';
import { answerModals } from './support/modals';
import { captureErrors, recordErrorMessages, recordInformationMessages, recordWarningMessages, waitFor, opensslPublicPem, opensslRsa, run, scratchDir, section, sh, sshKeygen, useCleanState, workspaceFolder } from './support/custodian';

const STRONG = 'plover-cactus-umbrella-47-Quartz';

describe('keys', function () {
  this.timeout(120_000);
  const state = useCleanState();

  it('with no key yet, opening an encrypted file says so, and its notification offers Generate Key and Import Private Key', async () => {
    assert.strictEqual(state.services.keyStore.list().length, 0, 'no key yet');
    const file = path.join(workspaceFolder().uri.fsPath, 'nokey.env.enc');
    const { encryptBytes } = await import('../../src/core/envelope');
    const { generateRsaKeyPair } = await import('../../src/core/keys');
    const { backend } = await import('./support/enc');
    const someone = await generateRsaKeyPair(backend, 2048);
    fs.writeFileSync(file, await encryptBytes(new TextEncoder().encode('A=1\n'), { recipients: [someone.publicKey], backend }));
    const ran: string[] = [];
    const commands = vscode.commands as unknown as Record<string, unknown>;
    const execute = commands.executeCommand as (id: string, ...args: unknown[]) => Thenable<unknown>;
    // The person clicks the first button; the command it runs is recorded, not run.
    const shown = recordErrorMessages((_message, items) => items[0]);
    commands.executeCommand = (id: string, ...args: unknown[]) => (id === 'custodian.generateKey' ? (ran.push(id), Promise.resolve(undefined)) : execute.call(vscode.commands, id, ...args));
    try {
      assert.strictEqual(await run('custodian.openDecrypted', { uri: vscode.Uri.file(file) }), undefined);
      const asked = shown.asked.find((a) => a.message.includes('You have no keys yet'));
      assert.ok(asked, shown.told.join(' | '));
      assert.deepStrictEqual(asked.items, ['Generate Key…', 'Import Private Key…']);
      await waitFor('the button\'s command', async () => ran.length > 0);
      assert.deepStrictEqual(ran, ['custodian.generateKey']);
    } finally {
      commands.executeCommand = execute;
      shown.dispose();
      fs.rmSync(file, { force: true });
    }
  });

  it('generates a key into SecretStorage; the first key is the default', async () => {
    const info = await run<KeyInfo>('custodian.generateKey', { name: 'Alice', label: 'alice@example.com', bits: 2048 });
    assert.ok(info, 'generateKey returns the new key');
    assert.strictEqual(info.name, 'Alice');
    assert.strictEqual(info.label, 'alice@example.com');
    assert.strictEqual(info.bits, 2048);
    assert.match(info.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.strictEqual(info.isDefault, true);
    const secret = await state.services.context.secrets.get(`custodian.key.${info.id}`);
    assert.ok(secret && secret.length > 1000, 'PKCS#8 stored in SecretStorage');
    assert.deepStrictEqual(state.services.keyStore.list().map((k) => k.id), [info.id]);
  });

  it('generates a second key that is not the default; Set as Default, Rename and Copy Fingerprint', async () => {
    const second = await run<KeyInfo>('custodian.generateKey', { name: 'Laptop', bits: 2048 });
    assert.ok(second);
    assert.strictEqual(second.isDefault, false);
    const made = await run<KeyInfo>('custodian.setDefaultKey', { id: second.id });
    assert.strictEqual(made?.isDefault, true);
    assert.strictEqual(state.services.keyStore.getDefault()?.id, second.id);
    assert.strictEqual(state.services.keyStore.list().filter((k) => k.isDefault).length, 1);

    const renamed = await run<KeyInfo>('custodian.renameKey', { id: second.id, name: '  Work laptop ' });
    assert.strictEqual(renamed?.name, 'Work laptop');

    const fp = await run<string>('custodian.copyFingerprint', { id: second.id });
    assert.strictEqual(fp, second.fingerprint);
    assert.strictEqual(await vscode.env.clipboard.readText(), second.fingerprint);
  });

  it('exports the public key as an OpenSSH line (clipboard) and as PEM (file) that openssl reads', async () => {
    const alice = state.services.keyStore.list().find((k) => k.name === 'Alice')!;
    const line = await run<{ text: string }>('custodian.exportPublicKey', { id: alice.id, format: 'openssh', target: 'clipboard' });
    assert.match(line?.text ?? '', /^ssh-rsa AAAA[A-Za-z0-9+/=]+ alice@example\.com$/);
    assert.strictEqual(await vscode.env.clipboard.readText(), line?.text);

    const file = path.join(state.scratch, 'alice.pem');
    const pem = await run<{ text: string }>('custodian.exportPublicKey', { id: alice.id, format: 'pem', target: 'file', uri: vscode.Uri.file(file) });
    assert.match(fs.readFileSync(file, 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    assert.strictEqual(fs.readFileSync(file, 'utf8').trim(), pem?.text.trim());
    assert.match(sh('openssl', ['pkey', '-pubin', '-in', file, '-noout', '-text']), /Public-Key: \(2048 bit\)/);
    // ssh-keygen agrees with our fingerprint.
    fs.writeFileSync(path.join(state.scratch, 'alice.pub'), line!.text + '\n');
    assert.ok(sh('ssh-keygen', ['-lf', path.join(state.scratch, 'alice.pub')]).includes(alice.fingerprint));
  });

  it('refuses a weak backup passphrase and writes nothing', async () => {
    const alice = state.services.keyStore.list().find((k) => k.name === 'Alice')!;
    const target = vscode.Uri.file(path.join(state.scratch, 'weak.pem'));
    for (const weak of ['short', 'password1234', 'aaaaaaaaaaaaaaaa', 'qwertyuiop123']) {
      const { result, errors } = await captureErrors(state.services, () =>
        run('custodian.exportPrivateKey', { id: alice.id, passphrase: weak, uri: target, confirm: true }),
      );
      assert.strictEqual(result, undefined, `"${weak}" is refused`);
      assert.strictEqual(errors.length, 1);
      assert.match(errors[0].message, /passphrase is too weak/);
      assert.ok(!errors[0].message.includes(weak), 'the message never quotes the passphrase');
    }
    assert.ok(!fs.existsSync(target.fsPath));
  });

  it('exports an encrypted PKCS#8 backup that openssl opens and that imports back to the same key', async () => {
    const alice = state.services.keyStore.list().find((k) => k.name === 'Alice')!;
    const target = vscode.Uri.file(path.join(state.scratch, 'alice-backup.pem'));
    const out = await run<{ uri: vscode.Uri }>('custodian.exportPrivateKey', { id: alice.id, passphrase: STRONG, uri: target, confirm: true });
    assert.ok(out);
    const pem = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    assert.strictEqual((fs.statSync(target.fsPath).mode & 0o777).toString(8), '600', 'the backup is readable by me only');
    const publicFromBackup = sh('openssl', ['pkey', '-in', target.fsPath, '-passin', `pass:${STRONG}`, '-pubout']);
    const exported = await run<{ text: string }>('custodian.exportPublicKey', { id: alice.id, format: 'pem', target: 'clipboard' });
    assert.strictEqual(publicFromBackup.trim(), exported?.text.trim());

    // Delete, then restore from the backup.
    assert.deepStrictEqual(await run('custodian.deleteKey', { id: alice.id, confirm: true }), { deleted: alice.id });
    assert.strictEqual(await state.services.context.secrets.get(`custodian.key.${alice.id}`), undefined, 'secret removed');
    const restored = await run<KeyInfo>('custodian.importPrivateKey', { pem, passphrase: STRONG, name: 'Alice', label: 'alice@example.com' });
    assert.strictEqual(restored?.fingerprint, alice.fingerprint);
    assert.strictEqual(restored?.id, alice.id);
  });

  it('a backup place inside the workspace is questioned, "Choose Another Place…" is the default button and goes back to the dialog, which proposes a place outside the workspace', async () => {
    const key = state.services.keyStore.list()[0];
    assert.ok(key, 'a key to back up');
    const inside = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'key-backup.pem'));
    const outside = vscode.Uri.file(path.join(state.scratch, 'elsewhere-backup.pem'));
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalSave = window.showSaveDialog;
    const offered: vscode.Uri[] = [inside, outside];
    let dialogs = 0;
    const proposed: (vscode.Uri | undefined)[] = [];
    window.showSaveDialog = async (options?: vscode.SaveDialogOptions) => (proposed.push(options?.defaultUri), offered[dialogs++]);
    // Enter at each modal (its first item): the first explains what a backup is and goes on; the second offers the way out.
    const modals = answerModals((p) => p.items[0]);
    try {
      const out = await run<{ uri: vscode.Uri }>('custodian.exportPrivateKey', { id: key.id, passphrase: STRONG });
      assert.strictEqual(out?.uri.fsPath, outside.fsPath);
    } finally {
      window.showSaveDialog = originalSave;
      modals.dispose();
    }
    assert.strictEqual(dialogs, 2, 'the save dialog opened again, with the passphrase kept');
    const inWorkspace = modals.prompts.filter((p) => /inside the workspace/.test(p.message));
    assert.deepStrictEqual(inWorkspace.map((p) => p.items), [['Choose Another Place…', 'Save Here Anyway']], 'the safe choice first: the default (Enter) button');
    assert.ok(proposed.every((u) => u && !vscode.workspace.getWorkspaceFolder(u)), `proposed outside the workspace: ${proposed.map((u) => u?.fsPath).join(', ')}`);
    // Named after the key, so a second backup (another key) does not propose the first one's name.
    const slug = key.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
    assert.ok(proposed.every((u) => u && path.basename(u.fsPath) === `${slug}-backup.pem`), `named after "${key.name}": ${proposed.map((u) => u?.fsPath).join(', ')}`);
    assert.ok(!fs.existsSync(inside.fsPath), 'nothing written in the workspace');
    assert.match(fs.readFileSync(outside.fsPath, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    fs.rmSync(outside.fsPath);
  });

  it('Back Up writes into a folder the save dialog offered to create: the folders are made, and openssl reads the backup', async () => {
    // code-server's dialog asks "The folder … does not exist. Would you like to create it?" and its OK only
    // returns the path; the write then failed after the passphrase was typed twice.
    const key = state.services.keyStore.list()[0] ?? (await run<KeyInfo>('custodian.generateKey', { name: 'Backup', bits: 2048 }));
    assert.ok(key, 'a key to back up');
    const target = vscode.Uri.file(path.join(state.scratch, 'new-folder', 'deeper', 'backup.pem'));
    assert.ok(!fs.existsSync(path.dirname(target.fsPath)));
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalSave = window.showSaveDialog;
    window.showSaveDialog = async () => target;
    const modals = answerModals((p) => p.items[0]);
    try {
      const out = await run<{ uri: vscode.Uri }>('custodian.exportPrivateKey', { id: key.id, passphrase: STRONG });
      assert.strictEqual(out?.uri.fsPath, target.fsPath);
    } finally {
      window.showSaveDialog = originalSave;
      modals.dispose();
    }
    const pem = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const exported = await run<{ text: string }>('custodian.exportPublicKey', { id: key.id, format: 'pem', target: 'clipboard' });
    assert.strictEqual(sh('openssl', ['pkey', '-passin', `pass:${STRONG}`, '-pubout'], pem).trim(), exported?.text.trim(), 'openssl reads the backup: the same key');
  });

  it('imports openssl (PKCS#8, PKCS#1, encrypted PKCS#8) and ssh-keygen (plain and passphrase) RSA keys', async () => {
    const pkcs8 = opensslRsa(2048);
    const pkcs1 = sh('openssl', ['pkey', '-traditional'], opensslRsa(2048));
    assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
    const encrypted = sh('openssl', ['pkcs8', '-topk8', '-v2', 'aes256', '-passout', 'pass:correct horse battery'], opensslRsa(2048));
    const ssh = sshKeygen(state.scratch, 'id_plain', 'bob@example.com');
    const sshEncrypted = sshKeygen(state.scratch, 'id_locked', 'carol@example.com', 'carol-passphrase');

    const a = await run<KeyInfo>('custodian.importPrivateKey', { pem: pkcs8, name: 'openssl pkcs8' });
    assert.strictEqual(a?.bits, 2048);
    assert.strictEqual(a?.fingerprint, fingerprintOfPem(opensslPublicPem(pkcs8)));
    const b = await run<KeyInfo>('custodian.importPrivateKey', { pem: pkcs1, name: 'openssl pkcs1' });
    assert.ok(b);
    const c = await run<KeyInfo>('custodian.importPrivateKey', { pem: encrypted, passphrase: 'correct horse battery', name: 'encrypted pkcs8' });
    assert.ok(c);
    const keyFile = path.join(state.scratch, 'id_plain');
    const d = await run<KeyInfo>('custodian.importPrivateKey', { uri: vscode.Uri.file(keyFile), name: 'ssh plain' });
    assert.ok(d && ssh.fingerprintLine.includes(d.fingerprint), 'same fingerprint as ssh-keygen -lf');
    const e = await run<KeyInfo>('custodian.importPrivateKey', { pem: sshEncrypted.privateKey, passphrase: 'carol-passphrase', name: 'ssh locked' });
    assert.ok(e && sshEncrypted.fingerprintLine.includes(e.fingerprint));
  });

  it('unlocks a passphrase key behind a cancellable progress: Cancel stops waiting at once and stores nothing', async () => {
    // PBKDF2 with 3 000 000 iterations: seconds of derivation (the allowed maximum is 10^7).
    const slow = sh('openssl', ['pkcs8', '-topk8', '-v2', 'aes256', '-v2prf', 'hmacWithSHA256', '-iter', '3000000', '-passout', `pass:${STRONG}`], opensslRsa(2048));
    const before = state.services.keyStore.list().length;
    const cts = new vscode.CancellationTokenSource();
    const started = Date.now();
    setTimeout(() => cts.cancel(), 300);
    const cancelled = await run<KeyInfo>('custodian.importPrivateKey', { pem: slow, passphrase: STRONG, name: 'Slow', cancellationToken: cts.token });
    const waited = Date.now() - started;
    assert.strictEqual(cancelled, undefined, 'nothing imported');
    assert.ok(waited < 1200, `stopped waiting when cancelled (${waited} ms)`);
    // Control: the same import without Cancel takes longer than that, and succeeds.
    const t0 = Date.now();
    const imported = await run<KeyInfo>('custodian.importPrivateKey', { pem: slow, passphrase: STRONG, name: 'Slow' });
    const took = Date.now() - t0;
    assert.ok(imported, 'imported without Cancel');
    assert.ok(took > waited + 300, `the derivation takes ${took} ms`);
    assert.strictEqual(state.services.keyStore.list().length, before + 1, 'only the second import was stored');
    assert.deepStrictEqual(await run('custodian.deleteKey', { id: imported.id, confirm: true }), { deleted: imported.id });
  });

  it('reports bad input without storing anything: malformed PEM, 1024-bit, EC, wrong or missing passphrase, duplicates, public keys', async () => {
    const before = state.services.keyStore.list().length;
    const encrypted = sh('openssl', ['pkcs8', '-topk8', '-v2', 'aes256', '-passout', 'pass:right-one'], opensslRsa(2048));
    const existing = state.services.keyStore.list()[0];
    const backup = path.join(state.scratch, 'dup.pem');
    await run('custodian.exportPrivateKey', { id: existing.id, passphrase: STRONG, uri: vscode.Uri.file(backup), confirm: true });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['malformed PEM', { pem: '-----BEGIN PRIVATE KEY-----\nnot base64!!\n-----END PRIVATE KEY-----\n' }, /KeyFormatError/],
      ['garbage', { pem: 'hello world' }, /KeyFormatError/],
      ['1024-bit key', { pem: opensslRsa(1024) }, /WeakKeyError/],
      ['EC key', { pem: sh('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']) }, /UnsupportedKeyError/],
      ['wrong passphrase', { pem: encrypted, passphrase: 'wrong-one' }, /PassphraseError/],
      ['missing passphrase', { pem: encrypted, passphrase: '' }, /PassphraseError/],
      ['a public key', { pem: opensslPublicPem(opensslRsa(2048)) }, /KeyFormatError/],
      ['a key I already have', { pem: fs.readFileSync(backup, 'utf8'), passphrase: STRONG }, /CustodianError/],
    ];
    for (const [what, arg, expected] of cases) {
      const { result, errors } = await captureErrors(state.services, () => run('custodian.importPrivateKey', { name: what, ...arg }));
      assert.strictEqual(result, undefined, `${what}: nothing imported`);
      assert.strictEqual(errors.length, 1, `${what}: one error shown`);
      assert.match(errors[0].name, expected, `${what}: ${errors[0].name}: ${errors[0].message}`);
      assert.ok(!/PRIVATE KEY-----|MII/.test(errors[0].message), `${what}: no key material in the message`);
    }
    assert.strictEqual(state.services.keyStore.list().length, before, 'no key added');
  });

  it('an Ed25519 key (ssh-keygen\'s default) is refused with what to do: Generate Key, or an RSA key made with ssh-keygen -t rsa', async () => {
    const file = path.join(state.scratch, 'id_ed25519');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'me@example.com', '-f', file]);
    const shown = recordErrorMessages(() => undefined);
    let reported;
    try {
      reported = await captureErrors(state.services, () => run('custodian.importPrivateKey', { uri: vscode.Uri.file(file), name: 'ed' }));
    } finally {
      shown.dispose();
    }
    assert.strictEqual(reported.result, undefined, 'nothing imported');
    assert.strictEqual(reported.errors.length, 1);
    const [error] = reported.errors;
    assert.strictEqual(error.name, 'UnsupportedKeyError');
    assert.match(error.message, /Ed25519/);
    assert.strictEqual(error.hint, 'Use Generate Key, or make an RSA key with ssh-keygen -t rsa -b 3072 -f ~/.ssh/id_rsa_custodian and import that.');
    const asked = shown.asked.find((a) => a.message.includes('Ed25519'));
    assert.ok(asked, shown.told.join(' | '));
    assert.deepStrictEqual(asked.items, ['Generate Key…'], 'the way out is one click away');
  });

  it('a .pub file or certificate given to Import Private Key points to Add Teammate / Add Contact, and its button adds that file', async () => {
    const pub = path.join(state.scratch, 'teammate.pub');
    fs.writeFileSync(pub, `${sshKeygen(state.scratch, 'teammate', 'tess@example.com').publicLine}\n`);
    const ran: [string, unknown[]][] = [];
    const commands = vscode.commands as unknown as Record<string, unknown>;
    const execute = commands.executeCommand as (id: string, ...args: unknown[]) => Thenable<unknown>;
    // The person clicks Add Teammate…; the command it runs is recorded, not run.
    const shown = recordErrorMessages((_message, items) => items.find((i) => i === 'Add Teammate…'));
    commands.executeCommand = (id: string, ...args: unknown[]) => (id === 'custodian.addTeammate' ? (ran.push([id, args]), Promise.resolve(undefined)) : execute.call(vscode.commands, id, ...args));
    let reported;
    try {
      reported = await captureErrors(state.services, () => run('custodian.importPrivateKey', { uri: vscode.Uri.file(pub), name: 'pub' }));
      await waitFor('the button\'s command', async () => ran.length > 0);
    } finally {
      commands.executeCommand = execute;
      shown.dispose();
    }
    assert.strictEqual(reported.result, undefined, 'nothing imported');
    const [error] = reported.errors;
    assert.strictEqual(error.name, 'KeyFormatError');
    assert.match(error.message, /public key/);
    assert.strictEqual(error.hint, 'To trust someone\'s public key, use Add Teammate… (or Add Contact… for someone outside this repository).');
    assert.deepStrictEqual(shown.asked.find((a) => /public key/.test(a.message))?.items, ['Add Teammate…', 'Add Contact…']);
    assert.strictEqual(ran.length, 1);
    assert.strictEqual(ran[0][0], 'custodian.addTeammate');
    assert.strictEqual((ran[0][1][0] as vscode.Uri).fsPath, pub, 'with the file given to Import');
    // A certificate (pasted: no file to pass on) says the same.
    const certKey = path.join(state.scratch, 'cert-key.pem');
    fs.writeFileSync(certKey, opensslRsa(2048));
    const certificate = sh('openssl', ['req', '-x509', '-key', certKey, '-subj', '/CN=Tess', '-days', '1']);
    const pasted = await captureErrors(state.services, () => run('custodian.importPrivateKey', { pem: certificate, name: 'cert' }));
    assert.strictEqual(pasted.errors[0]?.name, 'KeyFormatError');
    assert.strictEqual(pasted.errors[0]?.hint, error.hint);
  });

  it('an old-style encrypted PEM (ssh-keygen -m PEM) is refused before its passphrase is asked for, with the command that converts it', async () => {
    const file = path.join(state.scratch, 'id_rsa legacy');
    sh('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'old-passphrase', '-f', file]);
    assert.match(fs.readFileSync(file, 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: /);
    const { reported, inputs } = await importFromPalette(state.services, file);
    assert.deepStrictEqual(inputs, [], 'no passphrase asked for');
    assert.strictEqual(reported.result, undefined);
    const [error] = reported.errors;
    assert.strictEqual(error?.name, 'KeyFormatError');
    assert.match(error.message, /old encrypted PEM format/);
    assert.strictEqual(
      error.hint,
      `Convert it in place to the OpenSSH format, which Custodian reads: ssh-keygen -p -f '${file}' (it asks for the passphrase, then for a new one: enter the same to keep it). Or with openssl: openssl pkcs8 -topk8 -v2 aes256 -in '${file}' -out key-pkcs8.pem`,
    );
    // What the hint says works: converted, the same file imports.
    sh('ssh-keygen', ['-p', '-P', 'old-passphrase', '-N', 'old-passphrase', '-f', file]);
    const imported = await run<KeyInfo>('custodian.importPrivateKey', { uri: vscode.Uri.file(file), passphrase: 'old-passphrase', name: 'converted' });
    assert.ok(imported, 'imported once converted');
    await run('custodian.deleteKey', { id: imported.id, confirm: true });
  });

  it('an Ed25519 key with a passphrase is refused before the passphrase is asked for (its type is in the clear)', async () => {
    const file = path.join(state.scratch, 'id_ed25519_locked');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'locked-passphrase', '-f', file]);
    const { reported, inputs } = await importFromPalette(state.services, file);
    assert.deepStrictEqual(inputs, [], 'no passphrase asked for');
    assert.strictEqual(reported.result, undefined);
    assert.strictEqual(reported.errors[0]?.name, 'UnsupportedKeyError');
    assert.match(reported.errors[0].message, /Ed25519/);
  });

  it('Import Private Key\'s file dialog opens in ~/.ssh (the extension host\'s home) when there is one', async () => {
    const savedHome = process.env.HOME;
    const home = path.join(state.scratch, 'home');
    const ask = async () => {
      const dialogs = answerImportDialogs();
      try {
        assert.strictEqual(await run('custodian.importPrivateKey'), undefined, 'cancelled');
      } finally {
        dialogs.dispose();
      }
      assert.strictEqual(dialogs.dialogs.length, 1);
      return dialogs.dialogs[0].defaultUri?.fsPath;
    };
    try {
      // os.homedir() reads HOME: a home of the test's own, in the extension host both run in.
      process.env.HOME = home;
      fs.mkdirSync(home, { recursive: true });
      assert.strictEqual(await ask(), undefined, 'no ~/.ssh: VS Code\'s default place');
      fs.mkdirSync(path.join(home, '.ssh'));
      assert.strictEqual(await ask(), path.join(home, '.ssh'));
    } finally {
      process.env.HOME = savedHome;
    }
  });

  it('shows an actionable error and stores nothing when SecretStorage fails', async () => {
    const before = state.services.keyStore.list();
    const stateBefore = JSON.stringify(state.services.context.globalState.get('custodian.keys'));
    const failing: vscode.SecretStorage = {
      get: () => Promise.reject(new Error('org.freedesktop.secrets was not provided by any .service files')),
      store: () => Promise.reject(new Error('org.freedesktop.secrets was not provided by any .service files')),
      delete: () => Promise.reject(new Error('org.freedesktop.secrets was not provided by any .service files')),
      onDidChange: new vscode.EventEmitter<vscode.SecretStorageChangeEvent>().event,
    };
    const restore = state.services.replaceSecretStorage(failing);
    try {
      const { result, errors } = await captureErrors(state.services, () => run('custodian.generateKey', { name: 'Doomed', bits: 2048 }));
      assert.strictEqual(result, undefined);
      assert.strictEqual(errors.length, 1);
      assert.strictEqual(errors[0].name, 'SecretStorageError');
      // code-server: SecretStorage is the browser profile's, and the message must not claim an OS keychain.
      assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Web);
      assert.match(errors[0].message, /could not access this browser profile's storage for this site \(SecretStorage\)/);
      assert.doesNotMatch(errors[0].message, /keychain/i);
      assert.match(errors[0].hint ?? '', /site data/);
      assert.strictEqual(JSON.stringify(state.services.context.globalState.get('custodian.keys')), stateBefore, 'metadata unchanged');

      const imported = await captureErrors(state.services, () => run('custodian.importPrivateKey', { pem: opensslRsa(2048), name: 'Doomed too' }));
      assert.strictEqual(imported.result, undefined);
      assert.strictEqual(imported.errors[0]?.name, 'SecretStorageError');

      const backup = await captureErrors(state.services, () =>
        run('custodian.exportPrivateKey', { id: before[0].id, passphrase: STRONG, uri: vscode.Uri.file(path.join(state.scratch, 'x.pem')), confirm: true }),
      );
      assert.strictEqual(backup.errors[0]?.name, 'SecretStorageError');
      assert.ok(!fs.existsSync(path.join(state.scratch, 'x.pem')));
    } finally {
      restore.dispose();
    }
    assert.deepStrictEqual(state.services.keyStore.list(), before);
  });

  it('says where keys live on this host (the browser profile in code-server) and offers the encrypted backup after Generate Key', async () => {
    const key = state.services.keyStore.list()[0];
    const told = announcement(key, false);
    assert.match(told.text, /stored in this browser profile's storage for this site/);
    assert.match(told.text, /Export Private Key/);
    assert.doesNotMatch(told.text, /(in your|stored in the) OS keychain/i);
    assert.deepStrictEqual(told.actions, ['Back Up (Export Private Key)…'], 'the backup is offered');
    const keys = await section(state.services, 'keys');
    const tooltip = keys?.children.find((c) => c.contextValue?.startsWith('custodian.myKey'))?.tooltip ?? '';
    assert.match(tooltip, /stored in this browser profile's storage for this site only/);
    // The same code on desktop hosts: the OS keychain, and for a remote window the local one.
    assert.match(secretLocation({ uiKind: vscode.UIKind.Desktop, appHost: 'desktop', appName: 'Visual Studio Code' }).where, /^the OS keychain$/);
    assert.match(secretLocation({ uiKind: vscode.UIKind.Desktop, remoteName: 'ssh-remote', appHost: 'desktop', appName: 'Visual Studio Code' }).detail, /not on the ssh-remote host/);
  });

  it('Add Myself to Team from Generate Key\'s notification asks for my name on the team: the key\'s label is only the suggestion', async () => {
    const key = (await run<KeyInfo>('custodian.generateKey', { name: 'Work', label: 'me', bits: 2048 }))!;
    const window = vscode.window as unknown as { showInputBox: typeof vscode.window.showInputBox };
    const original = window.showInputBox;
    const asked: (vscode.InputBoxOptions | undefined)[] = [];
    window.showInputBox = async (options?: vscode.InputBoxOptions) => (asked.push(options), 'alice-example');
    // In a browser the notification is a warning (a key one "clear site data" away from gone): both answered.
    const join = (_message: string, items: string[]) => (items.includes('Add Myself to Team') ? 'Add Myself to Team' : undefined);
    const told = [recordInformationMessages(join), recordWarningMessages(join)];
    try {
      announce(key, true);
      await waitFor('the roster entry', async () => fs.existsSync(path.join(workspaceFolder().uri.fsPath, '.custodian', 'team', 'alice-example.pub')));
    } finally {
      window.showInputBox = original;
      for (const t of told) t.dispose();
      await state.services.keyStore.delete(key.id);
      fs.rmSync(path.join(workspaceFolder().uri.fsPath, '.custodian'), { recursive: true, force: true });
    }
    assert.strictEqual(asked.length, 1, 'the name was asked for once');
    assert.strictEqual(asked[0]?.value, 'me', 'the key\'s label suggested');
    assert.match(asked[0]?.prompt ?? '', /The name your teammates see for you/);
  });

  it('a backup of a key the team roster already lists, imported on a new machine, takes the roster\'s name, and Add Myself to Team is not offered', async () => {
    // A newcomer back in a new browser profile got "alice-backup" (the file's name) and an offer to join a team she was in.
    const pem = opensslRsa(2048);
    const file = path.join(state.scratch, 'alice-backup.pem');
    fs.writeFileSync(file, pem);
    const teamFolder = path.join(workspaceFolder().uri.fsPath, '.custodian', 'team');
    fs.mkdirSync(teamFolder, { recursive: true });
    fs.writeFileSync(path.join(teamFolder, 'alice.pub'), opensslPublicPem(pem));
    await waitFor('alice in the roster', async () => (await state.services.roster.members()).some((m) => m.name === 'alice'));
    const window = vscode.window as unknown as Record<string, unknown>;
    const saved = { showQuickPick: window.showQuickPick, showOpenDialog: window.showOpenDialog, showInputBox: window.showInputBox };
    const inputs: vscode.InputBoxOptions[] = [];
    window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).find((i) => i.label.includes('From File'));
    window.showOpenDialog = async () => [vscode.Uri.file(file)];
    window.showInputBox = async (options: vscode.InputBoxOptions) => (inputs.push(options), options.value);
    const offered: string[][] = [];
    const told = [recordInformationMessages((_, items) => (offered.push(items), undefined)), recordWarningMessages((_, items) => (offered.push(items), undefined))];
    let imported: KeyInfo | undefined;
    try {
      imported = await run<KeyInfo>('custodian.importPrivateKey');
      assert.strictEqual(imported?.name, 'alice', 'the name the roster gives the key');
      assert.strictEqual(inputs[0]?.value, 'alice');
      await waitFor('the notice of where the key is stored', async () => offered.length > 0);
      assert.ok(offered[0].includes('Back Up (Export Private Key)…'), JSON.stringify(offered));
      assert.ok(!offered[0].includes('Add Myself to Team'), `offered to join a team the key is in: ${JSON.stringify(offered)}`);
    } finally {
      Object.assign(window, saved);
      for (const t of told) t.dispose();
      if (imported) await state.services.keyStore.delete(imported.id);
      fs.rmSync(path.join(workspaceFolder().uri.fsPath, '.custodian'), { recursive: true, force: true });
    }
  });

  it('a passphrase-protected key file (a backup) imported is not offered "Back Up" again; a plain PEM is', async () => {
    // A newcomer who had just imported her backup was offered to make it again.
    const plain = opensslRsa(2048);
    const locked = sh('openssl', ['pkcs8', '-topk8', '-v2', 'aes256', '-passout', 'pass:backup-pass'], opensslRsa(2048));
    const offered: { message: string; items: string[] }[] = [];
    const told = [recordInformationMessages((message, items) => (offered.push({ message, items }), undefined)), recordWarningMessages((message, items) => (offered.push({ message, items }), undefined))];
    const imported: KeyInfo[] = [];
    try {
      imported.push((await run<KeyInfo>('custodian.importPrivateKey', { pem: locked, passphrase: 'backup-pass', name: 'From backup' }))!);
      const fromBackup = await waitFor('the notice on the backup', async () => offered.find((o) => o.message.includes('"From backup"')));
      assert.ok(!fromBackup.items.some((i) => i.startsWith('Back Up')), JSON.stringify(fromBackup.items));
      imported.push((await run<KeyInfo>('custodian.importPrivateKey', { pem: plain, name: 'From plain PEM' }))!);
      const fromPlain = await waitFor('the notice on the plain key', async () => offered.find((o) => o.message.includes('"From plain PEM"')));
      assert.ok(fromPlain.items.includes('Back Up (Export Private Key)…'), 'a key file in the clear is no backup: one is offered');
    } finally {
      for (const t of told) t.dispose();
      for (const k of imported.filter(Boolean)) await state.services.keyStore.delete(k.id);
    }
  });

  it('Delete Key names the files here only that key opens (for good when no one else can), and Enter exports a backup instead of deleting', async () => {
    const { encryptBytes } = await import('../../src/core/envelope');
    const { sealValues } = await import('../../src/core/values');
    const { parsePublicKey } = await import('../../src/core/keys');
    const { backend } = await import('./support/enc');
    const doomed = await run<KeyInfo>('custodian.generateKey', { name: 'Doomed', bits: 2048 });
    const spare = await run<KeyInfo>('custodian.generateKey', { name: 'Spare', bits: 2048 });
    assert.ok(doomed && spare);
    const [key, spareKey] = await Promise.all([doomed, spare].map((k) => state.services.keyStore.getPublicKey(k.id)));
    const bob = parsePublicKey(opensslPublicPem(opensslRsa(2048)));
    const dir = path.join(workspaceFolder().uri.fsPath, 'delete-key');
    fs.mkdirSync(dir, { recursive: true });
    const put = async (name: string, recipients: typeof key[]) => fs.writeFileSync(path.join(dir, name), await encryptBytes(new TextEncoder().encode('x'), { recipients, backend }));
    try {
      await put('only-mine.enc', [key]);
      await put('bob-too.enc', [key, bob]);
      await put('spare-too.enc', [key, spareKey]);
      await put('not-mine.enc', [bob]);
      fs.writeFileSync(path.join(dir, '.env'), await sealValues('ONLY_MINE=v\n', { format: 'dotenv', recipients: [key], signer: undefined, backend }));
      const modals = answerModals(() => undefined); // Cancel
      try {
        assert.strictEqual(await run('custodian.deleteKey', { id: doomed.id }), undefined);
      } finally {
        modals.dispose();
      }
      assert.ok(state.services.keyStore.get(doomed.id), 'not deleted');
      const prompt = modals.prompts.find((p) => p.message === 'Delete the key "Doomed"?');
      assert.ok(prompt, modals.prompts.map((p) => p.message).join(' | '));
      assert.deepStrictEqual(prompt.items, ['Export Backup First…', 'Delete Key'], 'the first button, which Enter presses, does not delete');
      assert.match(prompt.detail, /Only this key opens delete-key\/\.env, delete-key\/only-mine\.enc \(no one else is a recipient\): without a backup of it, they are lost for good\./);
      assert.match(prompt.detail, /You could no longer open delete-key\/bob-too\.enc; another recipient can still open it and re-encrypt it for you\./);
      assert.doesNotMatch(prompt.detail, /spare-too|not-mine/, 'a file another key of mine opens, or one it never opened, is not at stake');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      for (const k of [doomed, spare]) await state.services.keyStore.delete(k.id);
    }
  });

  it('never puts a private key in globalState, extension storage or the workspace', async () => {
    const secrets: string[] = [];
    for (const k of state.services.keyStore.list()) {
      const s = await state.services.context.secrets.get(`custodian.key.${k.id}`);
      assert.ok(s, `secret of ${k.name}`);
      secrets.push(s);
    }
    assert.ok(secrets.length >= 5);
    // A 40-character slice from the middle of each base64 PKCS#8 (past the common DER prefix).
    const needles = secrets.flatMap((s) => [s.slice(200, 240), s.slice(-80, -40)]);
    const markers = [...needles, 'PRIVATE KEY-----'];
    for (const key of state.services.context.globalState.keys()) {
      const value = JSON.stringify(state.services.context.globalState.get(key)) ?? '';
      for (const m of markers) assert.ok(!value.includes(m), `globalState["${key}"] holds no private key`);
    }
    const roots = [state.services.context.globalStorageUri, state.services.context.storageUri, state.services.context.logUri, workspaceFolder().uri];
    for (const root of roots) {
      if (!root) continue;
      for (const file of walk(root.fsPath)) {
        const text = fs.readFileSync(file).toString('latin1');
        for (const n of needles) assert.ok(!text.includes(n), `${file} holds no private key`);
        assert.ok(!/-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----/.test(text), `${file} holds no unencrypted PEM key`);
      }
    }
  });
});

function fingerprintOfPem(publicPem: string): string {
  const dir = scratchDir();
  try {
    fs.writeFileSync(path.join(dir, 'k.pem'), publicPem);
    const line = sh('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', path.join(dir, 'k.pem')]);
    fs.writeFileSync(path.join(dir, 'k.pub'), line);
    return /SHA256:[A-Za-z0-9+/]{43}/.exec(sh('ssh-keygen', ['-lf', path.join(dir, 'k.pub')]))![0];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function* walk(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && fs.statSync(p).size < 50 * 1024 * 1024) yield p;
  }
}

/** Import Private Key from the palette, `file` picked in its dialog: what it reported, and the input boxes it asked. */
async function importFromPalette(services: Services, file: string): Promise<{ reported: Awaited<ReturnType<typeof captureErrors>>; inputs: vscode.InputBoxOptions[] }> {
  const dialogs = answerImportDialogs(vscode.Uri.file(file));
  try {
    return { reported: await captureErrors(services, () => run('custodian.importPrivateKey')), inputs: dialogs.inputs };
  } finally {
    dialogs.dispose();
  }
}

/**
 * Answers Import Private Key's questions as a person picking a file would: From File…, then `file` in the
 * open dialog (whose options are kept; no file: Cancel). Input boxes are recorded and cancelled.
 */
function answerImportDialogs(file?: vscode.Uri): { dialogs: vscode.OpenDialogOptions[]; inputs: vscode.InputBoxOptions[]; dispose(): void } {
  const window = vscode.window as unknown as Record<string, unknown>;
  const saved = { showQuickPick: window.showQuickPick, showOpenDialog: window.showOpenDialog, showInputBox: window.showInputBox };
  const dialogs: vscode.OpenDialogOptions[] = [];
  const inputs: vscode.InputBoxOptions[] = [];
  window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).find((i) => i.label.includes('From File'));
  window.showOpenDialog = async (options: vscode.OpenDialogOptions) => (dialogs.push(options), file && [file]);
  window.showInputBox = async (options: vscode.InputBoxOptions) => (inputs.push(options), undefined);
  return { dialogs, inputs, dispose: () => Object.assign(window, saved) };
}
