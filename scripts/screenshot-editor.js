#!/usr/bin/env node
// The decrypted editor (docs/screenshots/editor.png, or es/editor.png with --locale es): a key made
// with openssl is imported through the command palette (Paste Text), the team roster holds its public
// key, and config/app.env.enc (encrypted with the CLI) is opened from Quick Open: its tab reads like the
// file with a lock (🔒, a file decoration), the breadcrumbs show the workspace-relative path, the status bar who can read it.
// Run after the build:  node esbuild.js && node scripts/screenshot-editor.js [--locale es]
'use strict';
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./lib/code-server');
const { takeScreenshot } = require('./screenshot');
const { palette, answer, uiTexts } = require('./lib/workbench');

const { locale, nls, t } = uiTexts();

function prepare({ workspace }) {
  const keys = path.join(workspace, '..', 'demo-keys');
  fs.mkdirSync(keys, { recursive: true });
  const pem = cp.execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  const pub = cp.execFileSync('openssl', ['pkey', '-pubout'], { input: pem });
  fs.writeFileSync(path.join(keys, 'alice.pem'), pem);
  const team = path.join(workspace, '.custodian', 'team');
  fs.mkdirSync(team, { recursive: true });
  fs.writeFileSync(path.join(team, 'alice.pub'), pub);
  fs.mkdirSync(path.join(workspace, 'config'), { recursive: true });
  const plain = path.join(keys, 'app.env');
  fs.writeFileSync(plain, 'DATABASE_URL=postgres://app:s3cr3t-pw@db.internal:5432/app\nSTRIPE_KEY=sk_live_51H8example\nSESSION_SECRET=change-me-7f3a9c\n');
  cp.execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'encrypt', '-r', path.join(team, 'alice.pub'), '-s', path.join(keys, 'alice.pem'), '-o', path.join(workspace, 'config', 'app.env.enc'), plain]);
  return { pem: pem.toString('utf8') };
}

function afterOpenWith(seed) {
  return async ({ page }) => {
    await palette(page, `Custodian: ${nls['command.importPrivateKey.title']}`);
    await answer(page, t('$(edit) Paste Text…').replace('…', ''));
    await answer(page, seed.pem.replace(/\n/g, ' '));
    await answer(page, 'Alice');
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'Alice' }).first().waitFor({ timeout: 30_000 });
    await palette(page, locale === 'es' ? 'Notificaciones: Borrar todas las notificaciones' : 'Notifications: Clear All Notifications').catch(() => palette(page, 'Notifications: Clear All Notifications'));
    await page.keyboard.press('Control+P');
    await answer(page, 'app.env.enc');
    await page.locator('.tabs-container .tab', { hasText: 'app.env.enc' }).first().waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'DATABASE_URL' }).first().waitFor({ timeout: 15_000 });
    await page.mouse.move(900, 600);
  };
}

async function main() {
  let seed;
  const out = await takeScreenshot({
    name: locale ? `${locale}/editor` : 'editor',
    width: 1280,
    height: 720,
    waitMs: 1500,
    locale,
    setup: { prepare: (ctx) => (seed = prepare(ctx)), afterOpen: (ctx) => afterOpenWith(seed)(ctx) },
  });
  console.log(out);
}

main().catch((e) => {
  console.error(`custodian: error: ${e.stack || e.message}`);
  process.exit(1);
});
