#!/usr/bin/env node
// `npm start` (after the build): Custodian in a real VS Code in your browser, on a demo workspace.
//   PORT=9000 npm start        preferred port (default 8080; a free one is picked if it is busy)
//   CUSTODIAN_VERBOSE=1        echo code-server's own output
//   CUSTODIAN_DEMO_DIR=DIR     the demo workspace (default ~/custodian-demo; created once, never reset)
// Ctrl-C (or SIGTERM) stops code-server and its extension host.
'use strict';
const path = require('path');
const { TEST_DIR, log: baseLog } = require('./lib/code-server');
const { serveCustodian } = require('./lib/serve');

const log = (msg) => baseLog('start', msg);

async function main() {
  const port = Number(process.env.PORT || 8080);
  let stopping = false;
  const server = await serveCustodian({
    // Kept between runs (settings, workbench state); the extensions dir is recreated each time.
    dataDir: path.join(TEST_DIR, 'start'),
    port,
    verbose: process.env.CUSTODIAN_VERBOSE === '1',
    onExit: (code, signal) => {
      if (stopping) return;
      log(`code-server exited unexpectedly (code=${code} signal=${signal})`);
      process.exit(1);
    },
  });
  if (server.port !== port) log(`port ${port} is busy, using ${server.port}`);
  log(`extensions: ${server.extensions.join(', ')}`);
  log(`${server.demoCreated ? 'created the demo workspace' : 'demo workspace (kept as you left it)'}: ${server.workspace}`);
  console.log(`Custodian is running: ${server.url}`);
  // A newcomer looked for the walkthrough under Help › Welcome, which code-server opens on its own one.
  console.log('Start in the Custodian view (activity bar), or with the tour: Command Palette › "Welcome: Open Walkthrough..." › Get Started with Custodian.');
  console.log('Press Ctrl-C to stop.');

  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping code-server`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => { void stop('SIGINT'); });
  process.on('SIGTERM', () => { void stop('SIGTERM'); });
  process.on('SIGHUP', () => { void stop('SIGHUP'); });
}

main().catch((e) => {
  console.error(`custodian: error: ${e.message}`);
  console.error('custodian: hint: run `bash scripts/install-system-deps.sh && npm ci` on a fresh machine');
  process.exit(1);
});
