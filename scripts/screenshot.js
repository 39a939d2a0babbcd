#!/usr/bin/env node
// Takes a real screenshot of Custodian in code-server with headless Chromium (after the build).
//   node scripts/screenshot.js [--name custodian] [--setup ./hook.js] [--no-click] [--wait 2500]
//                              [--width 1280] [--height 800] [--locale es] [--out DIR]
// Saves docs/screenshots/<name>.png (a name may hold a folder: --locale es --name es/custodian), or
// DIR/<name>.png with --out (a trial's pictures, kept out of the docs). A --setup module may export:
//   prepare({ workspace })                      before code-server starts (seed files in the workspace)
//   afterOpen({ page, workspace, url })         after the Custodian view is open (run commands, click)
// Use from code: require('./screenshot').takeScreenshot({ name, setup: { prepare, afterOpen } }).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, xdgEnv, log: baseLog } = require('./lib/code-server');
const { serveCustodian, prepareDemoWorkspace } = require('./lib/serve');
const { launchChromium } = require('./lib/browser');

const log = (msg) => baseLog('screenshot', msg);

function parseArgs(argv) {
  const opts = { name: 'custodian', click: true, waitMs: 2500, width: 1280, height: 800, setup: null, locale: undefined, outDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--name') opts.name = next();
    else if (a === '--setup') opts.setup = require(path.resolve(next()));
    else if (a === '--no-click') opts.click = false;
    else if (a === '--wait') opts.waitMs = Number(next());
    else if (a === '--width') opts.width = Number(next());
    else if (a === '--height') opts.height = Number(next());
    else if (a === '--locale') opts.locale = next();
    else if (a === '--out') opts.outDir = path.resolve(next());
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a} (node scripts/screenshot.js --help)`);
  }
  return opts;
}

async function takeScreenshot({ name = 'custodian', click = true, waitMs = 2500, width = 1280, height = 800, setup = null, locale, outDir = path.join(ROOT, 'docs', 'screenshots') } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-shot-'));
  const workspace = path.join(dataDir, 'demo-workspace');
  let server;
  let browser;
  try {
    prepareDemoWorkspace(workspace);
    if (setup && setup.prepare) await setup.prepare({ workspace });
    server = await serveCustodian({ dataDir, workspace, locale });
    log(`code-server on ${server.url}`);
    browser = await launchChromium(xdgEnv(dataDir));
    const page = await browser.newPage({ viewport: { width, height } });
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(server.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const icon = page.locator('.part.activitybar [aria-label^="Custodian"]').first();
    await icon.waitFor({ timeout: 30_000 });
    if (click) {
      await icon.click();
      await page.locator('.part.sidebar .composite.title', { hasText: /custodian/i }).first().waitFor({ timeout: 15_000 });
      await page.mouse.move(width / 2, height / 2); // no lingering hover tooltip in the picture
    }
    if (setup && setup.afterOpen) await setup.afterOpen({ page, workspace, url: server.url });
    await page.waitForTimeout(waitMs);
    const out = path.join(outDir, `${name}.png`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    log(`saved ${path.relative(ROOT, out).startsWith('..') ? out : path.relative(ROOT, out)}`);
    return out;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

if (require.main === module) {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    // The usage is the comment at the top of this file.
    const usage = fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  takeScreenshot(opts).catch((e) => {
    console.error(`custodian: error: ${e.message}`);
    process.exit(1);
  });
}

module.exports = { takeScreenshot };
