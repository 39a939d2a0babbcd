// Driving VS Code's workbench in the screenshot scripts (Playwright page of code-server): the command
// palette, the quick input, rows of the sidebar's trees, and Custodian's texts in the UI language. Waits
// are on what the workbench shows, plus a short pause where an animation would otherwise be in the picture.
'use strict';
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./code-server');

/**
 * `--locale L` of the command line, Custodian's package.nls titles in that language (`nls[key]`) and its
 * translated messages (`t(english)`, codicons dropped as the UI draws them), as a screenshot must match.
 */
function uiTexts(argv = process.argv) {
  const locale = argv.includes('--locale') ? argv[argv.indexOf('--locale') + 1] : undefined;
  const nls = JSON.parse(fs.readFileSync(path.join(ROOT, locale ? `package.nls.${locale}.json` : 'package.nls.json'), 'utf8'));
  const bundle = locale ? JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n', `bundle.l10n.${locale}.json`), 'utf8')) : {};
  const t = (message) => (bundle[message] ?? message).replace(/\$\([\w-]+\)\s*/g, '');
  return { locale, nls, t };
}

async function quickInput(page) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  return input;
}

/** Runs a command by its palette title. */
async function palette(page, title) {
  await page.keyboard.press('F1');
  const input = await quickInput(page);
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(400);
}

/** Answers the open input box or quick pick. */
async function answer(page, text) {
  const input = await quickInput(page);
  await input.fill(text);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
}

/** Waits for a row of a sidebar tree that shows `text`. */
async function treeRow(page, text) {
  await page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 60_000 });
}

module.exports = { quickInput, palette, answer, treeRow, uiTexts };
