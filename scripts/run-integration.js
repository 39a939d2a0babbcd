#!/usr/bin/env node
// Runs test/integration (bundled to dist/test/integration) inside a REAL VS Code: code-server's remote
// Node extension host, driven by headless Chromium through playwright-core — the mechanism of
// microsoft/vscode's test/integration/browser (payload query + codeAutomationLog/codeAutomationExit).
//
// Env: CUSTODIAN_TEST_GREP     run only tests whose title matches (read by test/integration/index.ts)
//      CUSTODIAN_TEST_TIMEOUT  overall timeout in seconds (default 2400: the whole suite takes ~10 min on
//                              a 2-core machine, and grows with every test)
//      CUSTODIAN_TEST_STALL    seconds without a line from the test runner before it counts as hung
//                              (default 420: mocha ends a hung hook or test itself within its own timeout,
//                              180 s at most, and prints the test's line at its end)
//      CUSTODIAN_TEST_VERBOSE=1  echo code-server and raw browser console output
//      CUSTODIAN_TEST_KEEP=1   keep the temporary user-data dir and workspace (printed) for debugging
//      CUSTODIAN_TEST_LOCALE   VS Code's display language, e.g. "es" (tests read vscode.env.language)
//      CUSTODIAN_TEST_VSIX     a .vsix to install with `code-server --install-extension` and test instead of
//                              this checkout (tests then see CUSTODIAN_TEST_EXTENSIONS_DIR)
// Tests receive CUSTODIAN_TEST_USER_DATA_DIR (VS Code's user-data dir, e.g. to scan hot-exit backups)
// and CUSTODIAN_TEST_WORKSPACE (the fresh workspace folder) in process.env.
//
// Exit codes: 0 passed; 1 test failures; 2 timeout or stall; 3 code-server died; 4 page crashed;
//             5 extension failed to activate; 6 the test runner never reported; 10 setup error.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const { ROOT, ensureCodeServer, freePort, installExtension, startCodeServer, xdgEnv, log: baseLog } = require('./lib/code-server');
const { launchChromium } = require('./lib/browser');

const EXTENSION_ID = 'custodian-dev.custodian';
const TESTS_PATH = path.join(ROOT, 'dist', 'test', 'integration');
/** Where the test bundle is copied inside an installed .vsix (test/integration/vsix.test.ts leaves it out). */
const INSTALLED_TESTS_DIR = '.integration-tests';
const timeoutS = Number(process.env.CUSTODIAN_TEST_TIMEOUT || 2400);
const stallS = Number(process.env.CUSTODIAN_TEST_STALL || 420);
const verbose = process.env.CUSTODIAN_TEST_VERBOSE === '1';
const keep = process.env.CUSTODIAN_TEST_KEEP === '1';
const vsix = process.env.CUSTODIAN_TEST_VSIX ? path.resolve(process.env.CUSTODIAN_TEST_VSIX) : undefined;

const SUMMARY_RE = /\[custodian-tests\] passes=(\d+) failures=(\d+) pending=(\d+)/;
// The extension host logs this when activate() throws or the bundle fails to load.
const ACTIVATION_FAILED_RE = new RegExp(`Activating extension '?${EXTENSION_ID.replace('.', '\\.')}'? failed[^\\n]*`, 'i');

const log = (msg) => baseLog('run-integration', msg);
// Workbench chatter relayed through codeAutomationLog; shown only with CUSTODIAN_TEST_VERBOSE=1.
const NOISE_RE = /^(Resolving connection token|Resolved connection token|Creating a socket|\[Service Worker\]|Ignoring fetching additional builtin extensions|ChatSessionStore:|Updating additional builtin extensions cache)/;

const state = { server: null, browser: null, finished: false, summary: null, activationError: null, dataDir: null, workspace: null, lastLine: null };

function scan(text) {
  const m = SUMMARY_RE.exec(text);
  if (m) state.summary = { passes: Number(m[1]), failures: Number(m[2]), pending: Number(m[3]) };
  const a = ACTIVATION_FAILED_RE.exec(text);
  if (a && !state.activationError) state.activationError = a[0];
}

/** The extension host's own log files: activation errors land there even when no test notices. */
function scanLogs(dir) {
  if (!dir || !fs.existsSync(dir)) return;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.log')) scan(fs.readFileSync(p, 'utf8'));
    }
  }
}

async function finish(code, why) {
  if (state.finished) return;
  state.finished = true;
  if (why) log(why);
  try { if (state.browser) await state.browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
  if (state.server) await state.server.stop();
  if (state.dataDir) scanLogs(path.join(state.dataDir, 'user-data', 'logs'));

  let rc = code;
  if (state.activationError) {
    log(`extension failed to activate: ${state.activationError}`);
    if (rc === 0) rc = 5;
  }
  if (rc === 0 && !state.summary) {
    log('the test runner never printed its [custodian-tests] summary (did dist/test/integration/index.js load?)');
    rc = 6;
  }
  if (rc === 0 && state.summary && state.summary.passes + state.summary.failures === 0) {
    log('no integration test ran (check CUSTODIAN_TEST_GREP)');
    rc = 6;
  }
  if (state.summary) {
    const s = state.summary;
    log(`integration: ${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
  }
  if (keep) log(`kept ${state.dataDir} and ${state.workspace}`);
  else {
    for (const d of [state.dataDir, state.workspace]) {
      if (d) fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
    }
  }
  log(`exit code ${rc}`);
  process.exit(rc);
}

/** esbuild never deletes outputs: a bundle whose test/integration/*.ts is gone would still run. */
function removeStaleBundles() {
  const sources = path.join(ROOT, 'test', 'integration');
  for (const f of fs.readdirSync(TESTS_PATH)) {
    const m = /^(.*)\.js(\.map)?$/.exec(f);
    if (m && !fs.existsSync(path.join(sources, `${m[1]}.ts`))) {
      fs.rmSync(path.join(TESTS_PATH, f));
      if (!m[2]) log(`removed stale ${path.relative(ROOT, path.join(TESTS_PATH, f))} (no test/integration/${m[1]}.ts)`);
    }
  }
}

async function main() {
  if (!fs.existsSync(path.join(TESTS_PATH, 'index.js'))) {
    log(`${path.relative(ROOT, TESTS_PATH)}/index.js is missing: run \`node esbuild.js\` first`);
    process.exit(10);
  }
  removeStaleBundles();
  ensureCodeServer({ quiet: true });
  const started = Date.now();
  // Counted from here: a cold code-server install is not test time.
  setTimeout(() => { void finish(2, `timeout after ${timeoutS} s (CUSTODIAN_TEST_TIMEOUT)`); }, timeoutS * 1000).unref();
  watchForStall();

  state.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-it-'));
  state.workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-ws-'));
  const userDataDir = path.join(state.dataDir, 'user-data');
  const serverTmp = path.join(state.dataDir, 'tmp'); // code-server's ipc/git sockets go here
  fs.mkdirSync(serverTmp, { recursive: true });

  const extensionsDir = path.join(state.dataDir, 'extensions');
  // What runs: this checkout, or the copy `code-server --install-extension` unpacked from the .vsix. The
  // installed copy is also named as the development path: VS Code runs extension tests only beside one,
  // and only then in ExtensionMode.Test, the one mode in which Custodian exports its test hooks.
  let developmentPath = ROOT;
  let testsPath = TESTS_PATH;
  if (vsix) {
    installExtension(vsix, { dataDir: state.dataDir, extensionsDir, userDataDir });
    const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith(`${EXTENSION_ID}-`));
    if (installed.length !== 1) throw new Error(`expected one ${EXTENSION_ID}-* in ${extensionsDir}, found ${installed.join(', ') || 'none'}`);
    developmentPath = path.join(extensionsDir, installed[0]);
    // The tests run inside the extension's folder, as they do in the checkout: VS Code hands a module the
    // `vscode` API of the extension whose folder holds it, and tests that answer dialogs (support/modals.ts)
    // replace functions on the extension's own API object.
    testsPath = path.join(developmentPath, INSTALLED_TESTS_DIR);
    fs.cpSync(TESTS_PATH, testsPath, { recursive: true });
    // The bundle requires mocha (external to it) from this checkout.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(testsPath, 'node_modules'), 'dir');
    log(`installed ${path.relative(ROOT, vsix)} as ${developmentPath}`);
  }

  const port = await freePort();
  state.server = await startCodeServer({
    port,
    dataDir: state.dataDir,
    locale: process.env.CUSTODIAN_TEST_LOCALE || undefined,
    verbose,
    env: {
      TMPDIR: serverTmp,
      CUSTODIAN_TEST_USER_DATA_DIR: userDataDir,
      CUSTODIAN_TEST_WORKSPACE: state.workspace,
      ...(vsix ? { CUSTODIAN_TEST_EXTENSIONS_DIR: extensionsDir } : {}),
    },
    onOutput: scan,
    onExit: (code, signal) => { void finish(3, `code-server exited early (code=${code} signal=${signal})`); },
  });
  log(`code-server up on 127.0.0.1:${port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  state.browser = await launchChromium(xdgEnv(state.dataDir));
  const page = await (await state.browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  page.on('crash', () => { void finish(4, 'page crashed'); });
  page.on('console', (msg) => {
    scan(msg.text());
    if (verbose) console.log(`[browser ${msg.type()}] ${msg.text()}`);
  });
  // Mocha's reporter (running in the extension host) and workbench logs arrive here.
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = args.map(String).join(' ');
    scan(text);
    if (!verbose && NOISE_RE.test(text)) return;
    state.lastLine = { at: Date.now(), text: util.format(...args) };
    (console[type] || console.log)(...args);
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    void finish(Number(code) || 0, `extension tests finished with code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const host = `127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://${host}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(developmentPath)],
    ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'],
  ]);
  const url = `http://${host}/?folder=${encodeURIComponent(state.workspace)}&payload=${encodeURIComponent(payload)}`;
  log(`opening the workbench${process.env.CUSTODIAN_TEST_GREP ? ` (grep: ${process.env.CUSTODIAN_TEST_GREP})` : ''}`);
  await page.goto(url);
}

/**
 * A hung run is stopped by silence, not by the clock alone: the suite's length grows with every test
 * (an overall cap of 600 s once stopped a healthy run on CI), while a runner that prints nothing for
 * CUSTODIAN_TEST_STALL seconds is stuck wherever it is, which the message names.
 */
function watchForStall() {
  state.lastLine = { at: Date.now(), text: '(nothing yet)' };
  setInterval(() => {
    const silentS = (Date.now() - state.lastLine.at) / 1000;
    if (silentS >= stallS) {
      void finish(2, `no output from the test runner for ${Math.round(silentS)} s (CUSTODIAN_TEST_STALL); the last line: ${state.lastLine.text.trim().slice(0, 200)}`);
    }
  }, 5000).unref();
}

process.on('SIGINT', () => { void finish(130, 'interrupted'); });
process.on('SIGTERM', () => { void finish(143, 'terminated'); });
main().catch((e) => { void finish(10, `setup error: ${e && e.stack || e}`); });
