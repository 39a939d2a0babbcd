// Driving VS Code's workbench in the screenshot scripts (Playwright page of code-server): the command
// palette, the quick input, rows of the sidebar's trees. Waits are on what the workbench shows, plus a
// short pause where an animation would otherwise be in the picture.
'use strict';

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

module.exports = { quickInput, palette, answer, treeRow };
