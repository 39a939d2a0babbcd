// A cloned repository can hold hostile files that the extension reads on its own (roster scans, the
// Encrypted Files and Shared MFA sections, CodeLenses over armored blocks). Here each carries an RSA
// modulus of 256 KiB (2 097 152 bits; 44 KiB in the size-capped roster), which cost minutes of bigint arithmetic on the extension host
// before keys were bounded. The host must stay responsive and the roster entry must show as a problem.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { armor } from '../../src/core/armor';
import type { Contact } from '../../src/extension/storage/contacts';
import { envelopeWithSigner, hugeModulus, spkiDer, sshRsaLine } from '../helpers/hostile-keys';
import { run, teamDir, treeSnapshot, useCleanState, waitFor, workspaceFolder } from './support/custodian';

/** Generous: a step of the scan, or one command round trip, on a loaded CI machine. */
const STEP_MS = 10_000;
const PING_MS = 3_000;
const ROSTER_MODULUS_BYTES = 44 * 1024;

async function within<T>(what: string, limitMs: number, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await fn();
  const elapsed = Date.now() - start;
  assert.ok(elapsed < limitMs, `${what} took ${elapsed} ms (the extension host was busy)`);
  return result;
}

describe('hostile workspace', function () {
  this.timeout(120_000);
  const state = useCleanState();
  const hostileDir = (): string => path.join(workspaceFolder().uri.fsPath, 'hostile');
  const evilPub = (): string => path.join(teamDir(), 'evil.pub');

  before(async () => {
    assert.ok(await run('custodian.generateKey', { name: 'me', label: 'me@example.com', bits: 2048 }));
    const n = hugeModulus();
    const evilEnc = envelopeWithSigner(spkiDer(n));
    fs.mkdirSync(hostileDir(), { recursive: true });
    fs.mkdirSync(teamDir(), { recursive: true });
    const mfaDir = path.join(workspaceFolder().uri.fsPath, '.custodian', 'mfa');
    fs.mkdirSync(mfaDir, { recursive: true });
    fs.writeFileSync(path.join(hostileDir(), 'evil.enc'), evilEnc);
    fs.writeFileSync(path.join(hostileDir(), 'notes.md'), `# notes\n\n${armor(evilEnc)}\nend\n`);
    fs.writeFileSync(path.join(mfaDir, 'x.otpauth.enc'), evilEnc);
    // The roster refuses files over 64 KiB unread, so this modulus is sized to be read: 44 KiB.
    fs.writeFileSync(evilPub(), `${sshRsaLine(hugeModulus(ROSTER_MODULUS_BYTES))}\n`);
  });

  after(() => {
    fs.rmSync(hostileDir(), { recursive: true, force: true });
  });

  it('scans the hostile files without blocking the extension host, and reports the roster entry', async () => {
    await within('refresh', STEP_MS, () => run('custodian.refresh'));
    await within('rendering the tree', STEP_MS, () => treeSnapshot(state.services));
    const entry = await within('listing the roster', STEP_MS, () =>
      waitFor('evil.pub in the roster', async () => (await state.services.roster.list()).find((e) => e.name === 'evil')),
    );
    assert.strictEqual(entry.kind, 'invalid');
    assert.strictEqual(entry.kind === 'invalid' && entry.errorName, 'OversizedKeyError');
    assert.match(entry.kind === 'invalid' ? entry.problem : '', new RegExp(`${ROSTER_MODULUS_BYTES * 8} bits is larger than the 16384 bits`));
    const diagnostics = await waitFor('a diagnostic on evil.pub', async () => {
      const d = vscode.languages.getDiagnostics(vscode.Uri.file(evilPub()));
      return d.length > 0 ? d : undefined;
    });
    assert.match(diagnostics[0].message, /16384 bits/);
    assert.ok(!(await state.services.roster.members()).some((m) => m.name === 'evil'), 'never a recipient');

    const notes = vscode.Uri.file(path.join(hostileDir(), 'notes.md'));
    await within('opening the text file', STEP_MS, async () => vscode.window.showTextDocument(notes));
    await within('CodeLenses over the armored block', STEP_MS, async () =>
      vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', notes, 10),
    );
    await within('rendering the tree again', STEP_MS, () => treeSnapshot(state.services));

    for (let i = 0; i < 5; i++) {
      const version = await within(`showVersion #${i + 1}`, PING_MS, () => run<{ extension: string }>('custodian.showVersion'));
      assert.ok(version?.extension);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a stored contact with a huge key (saved before keys were bounded) is refused by name, at once', async () => {
    const contact: Contact = {
      id: 'mallory',
      name: 'Mallory',
      bits: 2_097_152,
      fingerprint: 'SHA256:x',
      spki: Buffer.from(spkiDer(hugeModulus())).toString('base64'),
      added: new Date().toISOString(),
    };
    await within('refusing the contact', STEP_MS, () =>
      assert.rejects(state.services.contacts.publicKey(contact), (e: Error) => e.name === 'OversizedKeyError' && /^contact "Mallory": RSA key of 2097152 bits/.test(e.message)),
    );
  });
});
