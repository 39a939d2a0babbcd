// Shared MFA: seeds added from a URI or a base32 secret are stored encrypted (nothing readable on disk but
// the file name), codes agree with oathtool, the tree shows live codes and problems (tampered file, not a
// recipient), an outside recipient can open the file with the CLI, and removal.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { base32Encode } from '../../src/core/base32';
import type { AddSharedMfaResult } from '../../src/extension/commands/mfa/add-shared-mfa';
import { enter, recordInputs } from './support/quick-inputs';
import type { CopiedMfaCode } from '../../src/extension/commands/mfa/show-mfa-code';
import type { ShownCode } from '../../src/extension/mfa/shared-mfa';
import type { Services } from '../../src/extension/services';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import type { MfaSection } from '../../src/extension/views/sections/mfa-section';
import {
  captureErrors,
  opensslPublicPem,
  opensslRsa,
  run,
  section,
  sh,
  useCleanState,
  waitFor,
  workspaceFolder,
  type TreeSnapshot,
} from './support/custodian';

function mfaDir(): string {
  return path.join(workspaceFolder().uri.fsPath, '.custodian', 'mfa');
}

function mfaFile(name: string): string {
  return path.join(mfaDir(), `${name}.otpauth.enc`);
}

interface Oath {
  secret: string;
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  digits?: number;
  period?: number;
}

function oathtool(o: Oath, atSeconds: number): string {
  return sh('oathtool', [
    `--totp=${o.algorithm ?? 'SHA1'}`,
    `--digits=${o.digits ?? 6}`,
    `--time-step-size=${o.period ?? 30}s`,
    `--now=@${atSeconds}`,
    '-b',
    o.secret,
  ]).trim();
}

/**
 * Runs `get` and checks its code against oathtool at the same time step. The step is pinned by reading the
 * clock before and after; if a step boundary fell in between, it tries once more.
 */
async function assertCodeMatches<T extends object>(o: Oath, get: () => Promise<T | undefined>): Promise<T> {
  const period = o.period ?? 30;
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = Math.floor(Date.now() / 1000);
    const result = await get();
    const after = Math.floor(Date.now() / 1000);
    assert.ok(result, 'the command returns a result');
    if (Math.floor(before / period) !== Math.floor(after / period)) continue; // rolled over: retry once
    const code = 'code' in result && typeof result.code === 'string' ? result.code : await vscode.env.clipboard.readText();
    assert.strictEqual(code, oathtool(o, before));
    return result;
  }
  assert.fail('the time step rolled over twice');
}

async function mfaItems(services: Services): Promise<TreeSnapshot[]> {
  return (await section(services, 'mfa'))?.children ?? [];
}

async function mfaItem(services: Services, name: string): Promise<TreeSnapshot | undefined> {
  return (await mfaItems(services)).find((i) => i.label === name);
}

describe('mfa', function () {
  this.timeout(120_000);
  const state = useCleanState();
  const secretBytes = crypto.randomBytes(20);
  const secret = base32Encode(secretBytes, { padding: false });
  const uri = `otpauth://totp/ACME%20Co:alice%40example.com?secret=${secret}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30`;

  before(async () => {
    const alice = await run<KeyInfo>('custodian.generateKey', { name: 'Alice', label: 'alice@example.com', bits: 2048 });
    assert.ok(alice);
    await run('custodian.addMyselfToTeam', { id: alice.id, name: 'alice' });
  });

  it('shows an empty Shared MFA view whose welcome offers to add one', async () => {
    const mfa = await section(state.services, 'mfa');
    assert.ok(mfa, 'the sidebar has a Shared MFA view');
    assert.strictEqual(mfa.label, 'Shared MFA');
    assert.deepStrictEqual(mfa.children, [], 'empty, so VS Code shows the welcome');
    const welcome = (state.services.context.extension.packageJSON.contributes.viewsWelcome as { view: string; contents: string; when?: string }[]).filter((w) => w.view === 'custodian.mfa');
    assert.ok(welcome.some((w) => w.when === 'workspaceFolderCount > 0' && w.contents.includes('command:custodian.addSharedMfa')), JSON.stringify(welcome));
  });

  it('the steps count as for a URI ("1/2") until a bare secret is pasted, then "2/7": never a lone "(1)"', async () => {
    const recorded = recordInputs();
    const pending = run('custodian.addSharedMfa');
    try {
      const first = await waitFor('the seed step', async () => recorded.inputs.find((i) => i.title?.includes('the seed')));
      assert.deepStrictEqual([first.step, first.totalSteps], [1, 2]);
      (first as vscode.InputBox).value = 'JBSWY3DPEHPK3PXP';
      await waitFor('the seed accepted as valid', async () => !(first as vscode.InputBox).validationMessage);
      await enter();
      const second = await waitFor('the issuer step', async () => recorded.inputs.find((i) => i.title?.includes('issuer')));
      assert.deepStrictEqual([second.step, second.totalSteps], [2, 7]);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      recorded.dispose();
      await pending;
    }
  });

  it('adds a seed from an otpauth URI: the .enc file holds neither the secret, the URI nor the label', async () => {
    const added = await run<AddSharedMfaResult>('custodian.addSharedMfa', { uri, name: 'acme' });
    assert.ok(added);
    assert.strictEqual(added.name, 'acme');
    assert.strictEqual(added.recipients, 1);
    assert.strictEqual(added.file.fsPath, mfaFile('acme'));
    const bytes = fs.readFileSync(mfaFile('acme'));
    assert.strictEqual(bytes.subarray(0, 9).toString('latin1'), 'CUSTODIAN', 'a Custodian envelope');
    const text = bytes.toString('latin1');
    for (const needle of [secret, secret.toLowerCase(), 'otpauth', 'ACME', 'alice@example.com']) {
      assert.ok(!text.includes(needle), `the file does not contain ${needle === secret ? 'the secret' : needle}`);
    }
    assert.strictEqual(bytes.indexOf(secretBytes), -1, 'nor the raw secret bytes');
  });

  it('shows the code oathtool computes, and the tree item shows it with the seconds left', async () => {
    const shown = await assertCodeMatches({ secret }, () => run<ShownCode>('custodian.showMfaCode', { name: 'acme' }));
    assert.strictEqual(shown.issuer, 'ACME Co');
    assert.strictEqual(shown.account, 'alice@example.com');
    assert.ok(shown.secondsRemaining >= 1 && shown.secondsRemaining <= 30);
    assert.ok(!JSON.stringify(shown).includes(secret), 'the result has no secret');

    const item = await waitFor('the live code in the tree', async () => {
      const i = await mfaItem(state.services, 'acme');
      return i?.contextValue === 'custodian.mfa.live' ? i : undefined;
    });
    assert.match(item.description ?? '', /^\d{3} \d{3} · \d{1,2}s$/);
    assert.ok(!(item.tooltip ?? '').includes(secret), 'the tooltip has no secret');
    assert.ok((item.tooltip ?? '').includes('`.custodian/mfa/acme.otpauth.enc`'), 'the path as a code span, with no escaping backslashes');
    // A timer redraws the item every second…
    const redrawn = await new Promise<boolean>((resolve) => {
      const timeout = setTimeout(() => {
        sub.dispose();
        resolve(false);
      }, 2500);
      const sub = state.services.views.get('mfa')!.onDidChangeTreeData((node) => {
        if ((node as { entry?: { name?: string } } | undefined)?.entry?.name !== 'acme') return;
        clearTimeout(timeout);
        sub.dispose();
        resolve(true);
      });
    });
    assert.ok(redrawn, 'the item was refreshed by the timer');
    // …until the view is hidden: then the seed is forgotten and the item goes back to its resting state.
    state.services.mfa.codes.setVisible(false);
    assert.strictEqual((await mfaItem(state.services, 'acme'))?.contextValue, 'custodian.mfa');
    assert.strictEqual(state.services.mfa.codes.current((await state.services.mfa.store.require('acme')).uri.toString()), undefined);
  });

  it('copies the code to the clipboard', async () => {
    const copied = await assertCodeMatches({ secret }, () => run<CopiedMfaCode>('custodian.copyMfaCode', { name: 'acme' }));
    assert.strictEqual(copied.name, 'acme');
    assert.ok(copied.clearsInSeconds > 0);
  });

  it('selecting the item in the view shows its code (as a click does)', async () => {
    state.services.mfa.codes.forgetAll();
    assert.notStrictEqual((await mfaItem(state.services, 'acme'))?.contextValue, 'custodian.mfa.live', 'not shown before');
    const mfa = state.services.views.getSection('mfa') as MfaSection;
    assert.ok(await mfa.select('acme'), 'the item was selected');
    const item = await waitFor('the live code after selecting', async () => {
      const i = await mfaItem(state.services, 'acme');
      return i?.contextValue === 'custodian.mfa.live' ? i : undefined;
    });
    assert.match(item.description ?? '', /^\d{3} \d{3} · \d{1,2}s$/);
  });

  it('adds a seed from a base32 secret with SHA256, 8 digits and a 60 s period', async () => {
    const raw = crypto.randomBytes(32);
    const b32 = base32Encode(raw, { padding: false });
    const spaced = b32.toLowerCase().replace(/(.{4})/g, '$1 ');
    const added = await run<AddSharedMfaResult>('custodian.addSharedMfa', {
      secret: spaced,
      issuer: 'Example',
      account: 'ops',
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
    assert.strictEqual(added?.name, 'example', 'named after the issuer');
    const shown = await assertCodeMatches({ secret: b32, algorithm: 'SHA256', digits: 8, period: 60 }, () =>
      run<ShownCode>('custodian.showMfaCode', { name: 'example' }),
    );
    assert.strictEqual(shown.period, 60);
    assert.strictEqual(shown.code.length, 8);
  });

  it('refuses malformed input without quoting it, and does not overwrite', async () => {
    const bad = [
      { uri: 'otpauth://hotp/X:y?secret=JBSWY3DPEHPK3PXP&counter=1', name: 'hotp' },
      { uri: `otpauth://totp/X:y?secret=${secret}1`, name: 'bad-base32' },
      { secret: 'JBSWY3DP', name: 'short' },
      { uri, name: 'acme' },
    ];
    for (const arg of bad) {
      const { result, errors } = await captureErrors(state.services, () => run('custodian.addSharedMfa', arg));
      assert.strictEqual(result, undefined, `${arg.name} is refused`);
      assert.strictEqual(errors.length, 1);
      assert.ok(!errors[0].message.includes(secret) && !(errors[0].hint ?? '').includes(secret), 'no secret in the message');
    }
    assert.ok(!fs.existsSync(mfaFile('hotp')) && !fs.existsSync(mfaFile('short')) && !fs.existsSync(mfaFile('bad-base32')));
  });

  it('shows a tampered file as a problem on its item, not a crash', async () => {
    fs.copyFileSync(mfaFile('acme'), mfaFile('tampered'));
    const bytes = fs.readFileSync(mfaFile('tampered'));
    bytes[bytes.length - 256 - 8] ^= 0x01; // inside the final chunk (the 2048-bit signature is the last 256 bytes)
    fs.writeFileSync(mfaFile('tampered'), bytes);
    await waitFor('the new file in the tree', async () => mfaItem(state.services, 'tampered'));

    const { result, errors } = await captureErrors(state.services, () => run('custodian.showMfaCode', { name: 'tampered' }));
    assert.strictEqual(result, undefined);
    assert.strictEqual(errors.length, 1);
    assert.strictEqual(errors[0].name, 'PayloadAuthError');
    const item = await waitFor('the problem on the item', async () => {
      const i = await mfaItem(state.services, 'tampered');
      return i?.contextValue === 'custodian.mfa.problem' ? i : undefined;
    });
    assert.strictEqual(item.icon, 'error');
    assert.match(item.description ?? '', /tampered/);
    // The other entries still work.
    assert.ok(await run<ShownCode>('custodian.showMfaCode', { name: 'acme' }));
  });

  it('a non-recipient cannot read it; the recipient can, with the CLI', async () => {
    const outsiderPem = opensslRsa(2048);
    const keyFile = path.join(state.scratch, 'outsider.pem');
    fs.writeFileSync(keyFile, outsiderPem, { mode: 0o600 });
    const added = await run<AddSharedMfaResult>('custodian.addSharedMfa', {
      uri,
      name: 'outsider-only',
      recipients: [opensslPublicPem(outsiderPem)],
      includeMyself: false,
    });
    assert.strictEqual(added?.recipients, 1);

    // Known from the header alone, before anyone clicks it.
    const item = await waitFor('the not-a-recipient item', async () => {
      const i = await mfaItem(state.services, 'outsider-only');
      return i?.contextValue === 'custodian.mfa.problem' ? i : undefined;
    });
    assert.match(item.description ?? '', /not a recipient/);
    const { result, errors } = await captureErrors(state.services, () => run('custodian.showMfaCode', { name: 'outsider-only' }));
    assert.strictEqual(result, undefined);
    assert.strictEqual(errors[0]?.name, 'NotARecipientError');

    // The outsider decrypts it with the CLI: the canonical URI of the same key, signed by Alice.
    const cli = path.join(state.services.context.extensionUri.fsPath, 'dist', 'cli.js');
    const out = spawnSync(process.execPath, [cli, 'decrypt', '-i', keyFile, mfaFile('outsider-only')], {
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    assert.strictEqual(out.status, 0, out.stderr);
    assert.strictEqual(out.stdout, `otpauth://totp/ACME%20Co:alice%40example.com?secret=${secret}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30`);
    assert.ok(out.stderr.includes(`signed by ${state.services.keyStore.getDefault()!.fingerprint}`), out.stderr);
  });

  it('refreshes when files under .custodian/mfa change on disk', async () => {
    fs.copyFileSync(mfaFile('acme'), mfaFile('copied'));
    await waitFor('the copied file in the tree', async () => mfaItem(state.services, 'copied'));
    fs.rmSync(mfaFile('copied'));
    await waitFor('the deleted file to leave the tree', async () => !(await mfaItem(state.services, 'copied')));
  });

  it('removes an entry (confirmed) and forgets its code', async () => {
    await run('custodian.showMfaCode', { name: 'acme' });
    const removed = await run<{ removed: string }>('custodian.removeSharedMfa', { name: 'acme', confirm: true });
    assert.deepStrictEqual(removed, { removed: 'acme' });
    assert.ok(!fs.existsSync(mfaFile('acme')));
    assert.ok(!(await mfaItem(state.services, 'acme')));
    const { result, errors } = await captureErrors(state.services, () => run('custodian.showMfaCode', { name: 'acme' }));
    assert.strictEqual(result, undefined);
    assert.match(errors[0]?.message ?? '', /no shared MFA entry "acme"/);
  });
});
