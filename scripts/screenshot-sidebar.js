#!/usr/bin/env node
// The sidebar screenshot (docs/screenshots/sidebar.png): a demo team roster made with ssh-keygen,
// then keys, "Add Myself to Team" and a contact created the way a user would, through the command
// palette; the Keys, Team, Encrypted Files and (opened by its header) Contacts views show them. Run after the build:  node esbuild.js && node scripts/screenshot-sidebar.js
'use strict';
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { takeScreenshot } = require('./screenshot');
const { palette, answer, treeRow } = require('./lib/workbench');

const TEAMMATES = [
  { file: 'bob', comment: 'bob@example.com', bits: 3072 },
  { file: 'carol', comment: 'carol@example.com', bits: 4096 },
  { file: 'dave', comment: 'dave@example.com', bits: 3072 },
];

function sshKeygen(dir, name, comment, bits) {
  const file = path.join(dir, name);
  cp.execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', String(bits), '-N', '', '-C', comment, '-f', file]);
  return fs.readFileSync(`${file}.pub`, 'utf8');
}

/** Seeds the workspace roster: three teammates and one legacy 1024-bit key the tree flags as a problem. */
function prepare({ workspace }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-demo-keys-'));
  try {
    const team = path.join(workspace, '.custodian', 'team');
    fs.mkdirSync(team, { recursive: true });
    for (const t of TEAMMATES) fs.writeFileSync(path.join(team, `${t.file}.pub`), sshKeygen(tmp, t.file, t.comment, t.bits));
    const weak = cp.execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
    fs.writeFileSync(path.join(team, 'legacy-ci.pub'), cp.execFileSync('openssl', ['pkey', '-pubout'], { input: weak }));
    return { contactLine: sshKeygen(tmp, 'erin', 'erin@auditors.example', 3072).trim() };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function afterOpenWith(seed) {
  return async ({ page }) => {
    // Two keys: the first becomes the default.
    await palette(page, 'Custodian: Generate Key…');
    await answer(page, 'Alice (work laptop)');
    await answer(page, 'alice@example.com');
    await answer(page, '3072');
    await treeRow(page, 'Alice (work laptop)');
    await palette(page, 'Custodian: Generate Key…');
    await answer(page, 'Alice (offline backup)');
    await answer(page, '');
    await answer(page, '4096');
    await treeRow(page, 'Alice (offline backup)');

    await palette(page, 'Custodian: Add Myself to Team');
    await answer(page, 'work laptop'); // pick the key
    await answer(page, 'alice'); // roster file name
    await treeRow(page, 'you');

    // A contact, pasted, with the fingerprint confirmed in the modal dialog.
    await palette(page, 'Custodian: Add Contact…');
    await answer(page, 'Paste Text');
    await answer(page, seed.contactLine);
    await answer(page, 'read me this same fingerprint'); // the fingerprint check is a quick pick
    await answer(page, 'Erin (external auditor)');
    // Contacts starts collapsed (a less used view): open it as a user would, by its header.
    await page.locator('.part.sidebar .pane-header', { hasText: 'Contacts' }).first().click();
    await treeRow(page, 'Erin (external auditor)');

    await palette(page, 'Notifications: Clear All Notifications');
    await page.keyboard.press('Escape');
    // Widen the sidebar so descriptions (bits, short fingerprints) fit, by dragging its sash.
    const box = await page.locator('.part.sidebar').boundingBox();
    if (box) {
      const x = box.x + box.width + 1;
      await page.mouse.move(x, 400);
      await page.mouse.down();
      await page.mouse.move(x + 170, 400, { steps: 8 });
      await page.mouse.up();
    }
    // Open the flagged roster file and hover its diagnostic: invalid keys are problems, not skipped.
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'legacy-ci' }).first().click();
    const squiggle = page.locator('.monaco-editor .squiggly-error').first();
    await squiggle.waitFor({ timeout: 15_000 });
    const s = await squiggle.boundingBox();
    if (s) await page.mouse.move(s.x + 60, s.y + s.height / 2);
    await page.locator('.monaco-hover', { hasText: /bits|weak/i }).first().waitFor({ timeout: 10_000 }).catch(() => {});
  };
}

async function main() {
  let seed;
  const out = await takeScreenshot({
    name: 'sidebar',
    width: 1280,
    height: 720,
    waitMs: 1500,
    setup: {
      prepare: (ctx) => {
        seed = prepare(ctx);
      },
      afterOpen: (ctx) => afterOpenWith(seed)(ctx),
    },
  });
  console.log(out);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`custodian: error: ${e.stack || e.message}`);
    process.exit(1);
  });
}

module.exports = { prepare, afterOpenWith };
