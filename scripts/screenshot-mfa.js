#!/usr/bin/env node
// The Shared MFA screenshot (docs/screenshots/shared-mfa.png): a key and "Add Myself to Team", then two
// TOTP seeds added through the command palette (a made-up secret, never a real account's); the Shared MFA
// view, collapsed at first, is opened by its header and an item selected, so its live code shows.
// Run after the build:  node esbuild.js && node scripts/screenshot-mfa.js
'use strict';
const { takeScreenshot } = require('./screenshot');
const { palette, answer, treeRow } = require('./lib/workbench');

// RFC 6238's test secret ("12345678901234567890"), base32: a demo value, not anyone's seed.
const DEMO_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

async function afterOpen({ page }) {
  await palette(page, 'Custodian: Generate Key…');
  await answer(page, 'Alice');
  await answer(page, 'alice@example.com');
  await answer(page, '2048');
  await treeRow(page, 'Alice');
  await palette(page, 'Custodian: Add Myself to Team');
  await answer(page, 'alice'); // roster file name
  await treeRow(page, 'you');
  await page.locator('.part.sidebar .pane-header', { hasText: 'Shared MFA' }).first().click();
  for (const [issuer, name] of [['ACME Co', 'acme-co'], ['Registrar', 'registrar']]) {
    await palette(page, 'Custodian: Add Shared MFA…');
    await answer(page, `otpauth://totp/${encodeURIComponent(issuer)}:root%40example.com?secret=${DEMO_SECRET}&issuer=${encodeURIComponent(issuer)}`);
    await answer(page, name);
    await treeRow(page, name);
  }
  await palette(page, 'Notifications: Clear All Notifications');
  await page.keyboard.press('Escape');
  await page.locator('.part.sidebar .monaco-list-row', { hasText: 'acme-co' }).first().click();
  await page.locator('.part.sidebar .monaco-list-row', { hasText: /\d{3} \d{3} · \d+s/ }).first().waitFor({ timeout: 30_000 });
  await page.mouse.move(900, 600);
}

if (require.main === module) {
  takeScreenshot({ name: 'shared-mfa', width: 1280, height: 720, waitMs: 800, setup: { afterOpen } })
    .then((out) => console.log(out))
    .catch((e) => {
      console.error(`custodian: error: ${e.stack || e.message}`);
      process.exit(1);
    });
}
