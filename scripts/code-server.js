#!/usr/bin/env node
// Installs code-server (a real VS Code 1.100.3 from the npm registry) into .vscode-test/code-server.
// Idempotent: a version marker file skips the install once done.
//   node scripts/code-server.js            install if missing, print the version
//   node scripts/code-server.js --force    reinstall
'use strict';
const fs = require('fs');
const { ensureCodeServer, codeServerVersion, INSTALL_DIR, log } = require('./lib/code-server');

try {
  if (process.argv.includes('--force')) fs.rmSync(INSTALL_DIR, { recursive: true, force: true });
  ensureCodeServer();
  log('code-server', codeServerVersion());
} catch (e) {
  console.error(`custodian: error: ${e.message}`);
  console.error('custodian: hint: run `bash scripts/install-system-deps.sh` (chromium, ripgrep, libkrb5-dev, g++, make, python3)');
  process.exit(1);
}
