#!/usr/bin/env node
// VS Code's merge editor on a conflicted .enc file (docs/screenshots/merge-editor.png, or es/… with
// --locale es): the demo repository gets config/app.env.enc (encrypted with the CLI), `custodian git
// setup`, and two branches that change the same line; the merge (the driver run with alice's key file)
// stops on the conflict. In the browser the key is imported, the file opened decrypted and
// "Resolve in Merge Editor" run from the command palette.
// Run after the build:  node esbuild.js && node scripts/screenshot-merge-editor.js [--locale es]
'use strict';
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./lib/code-server');
const { takeScreenshot } = require('./screenshot');
const { palette, answer, uiTexts } = require('./lib/workbench');

const { locale, nls, t } = uiTexts();
const CLI = path.join(ROOT, 'dist', 'cli.js');

// Obviously fake values, as in the demo workspace.
const BASE = [
  '# Demo values only: nothing here is a real credential.',
  'DATABASE_URL=postgres://demo:not-a-real-password@db.internal:5432/app',
  'STRIPE_SECRET_KEY=sk_test_FAKE0000000000000000000000',
  'SESSION_SECRET=demo-session-secret-change-me',
  'LOG_LEVEL=info',
  'FEATURE_FLAGS=search,export',
  'MAIL_FROM=noreply@example.com',
  '',
];

function prepare({ workspace }) {
  const keys = path.join(workspace, '..', 'demo-keys');
  fs.mkdirSync(keys, { recursive: true });
  const pem = cp.execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  const pub = cp.execFileSync('openssl', ['pkey', '-pubout'], { input: pem });
  const alicePem = path.join(keys, 'alice.pem');
  fs.writeFileSync(alicePem, pem, { mode: 0o600 });
  const team = path.join(workspace, '.custodian', 'team');
  fs.mkdirSync(team, { recursive: true });
  fs.writeFileSync(path.join(team, 'alice.pub'), pub);
  fs.mkdirSync(path.join(workspace, 'config'), { recursive: true });
  const git = (...args) => cp.execFileSync('git', ['-C', workspace, '-c', 'user.name=Alice', '-c', 'user.email=alice@example.invalid', '-c', 'commit.gpgsign=false', ...args], { env: { ...process.env, CUSTODIAN_IDENTITY: alicePem } });
  const seal = (lines) => {
    const plain = path.join(keys, 'app.env');
    fs.writeFileSync(plain, lines.join('\n'));
    cp.execFileSync(process.execPath, [CLI, 'encrypt', '-r', path.join(team, 'alice.pub'), '-s', alicePem, '-f', '-o', path.join(workspace, 'config', 'app.env.enc'), plain]);
    fs.rmSync(plain);
  };
  cp.execFileSync(process.execPath, [CLI, 'git', 'setup'], { cwd: workspace });
  seal(BASE);
  git('add', '.gitattributes', '.custodian/team/alice.pub', 'config/app.env.enc');
  git('commit', '-q', '-m', 'Encrypted app settings');
  const main = git('branch', '--show-current').toString().trim();
  git('checkout', '-q', '-b', 'rotate-db-password');
  const theirs = [...BASE];
  theirs[1] = 'DATABASE_URL=postgres://demo:rotated-fake-password@db.internal:5432/app';
  theirs[4] = 'LOG_LEVEL=debug';
  seal(theirs);
  git('commit', '-q', '-am', 'Rotate the database password');
  git('checkout', '-q', main);
  const ours = [...BASE];
  ours[1] = 'DATABASE_URL=postgres://demo:not-a-real-password@db-replica.internal:5432/app';
  ours[6] = 'MAIL_FROM=billing@example.com';
  seal(ours);
  git('commit', '-q', '-am', 'Move to the replica, mail from billing');
  const merge = cp.spawnSync('git', ['-C', workspace, '-c', 'user.name=Alice', '-c', 'user.email=alice@example.invalid', 'merge', '--no-edit', 'rotate-db-password'], { env: { ...process.env, CUSTODIAN_IDENTITY: alicePem }, encoding: 'utf8' });
  if (!/CONFLICT \(content\)/.test(merge.stdout + merge.stderr)) throw new Error(`expected a conflict, git said: ${merge.stdout}${merge.stderr}`);
  return { pem: pem.toString('utf8') };
}

function afterOpenWith(seed) {
  return async ({ page }) => {
    await palette(page, `Custodian: ${nls['command.importPrivateKey.title']}`);
    await answer(page, t('$(edit) Paste Text…').replace('…', ''));
    await answer(page, seed.pem.replace(/\n/g, ' '));
    await answer(page, 'Alice');
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'Alice' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+P');
    await answer(page, 'app.env.enc');
    await page.locator('.monaco-editor .view-lines', { hasText: 'DATABASE_URL' }).first().waitFor({ timeout: 15_000 });
    await palette(page, `Custodian: ${nls['command.resolveInMergeEditor.title']}`);
    await page.locator('.merge-editor').first().waitFor({ timeout: 30_000 });
    await palette(page, locale === 'es' ? 'Notificaciones: Borrar todas las notificaciones' : 'Notifications: Clear All Notifications').catch(() => palette(page, 'Notifications: Clear All Notifications'));
    // The sidebar closed: the three panes get the width.
    await page.keyboard.press('Control+B');
    await page.mouse.move(900, 720); // no hover tooltip in the picture
  };
}

async function main() {
  let seed;
  const out = await takeScreenshot({
    name: locale ? `${locale}/merge-editor` : 'merge-editor',
    width: 1440,
    height: 800,
    waitMs: 2000,
    locale,
    setup: { prepare: (ctx) => (seed = prepare(ctx)), afterOpen: (ctx) => afterOpenWith(seed)(ctx) },
  });
  console.log(out);
}

main().catch((e) => {
  console.error(`custodian: error: ${e.stack || e.message}`);
  process.exit(1);
});
