#!/usr/bin/env node
// The same integration suite (dist/test/integration) in desktop VS Code via @vscode/test-electron.
// It downloads VS Code from update.code.visualstudio.com, so it needs internet; CI uses
// scripts/run-integration.js (code-server) instead. Run after `node esbuild.js`.
//   VSCODE_TEST_VERSION=1.100.3   the VS Code to download (default: the engine's minimum)
//   CUSTODIAN_TEST_GREP=…         run a subset
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runTests } = require('@vscode/test-electron');

const ROOT = path.resolve(__dirname, '..');

async function main() {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-ws-'));
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-ud-'));
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION || '1.100.3',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'dist', 'test', 'integration'),
      extensionTestsEnv: {
        CUSTODIAN_TEST_USER_DATA_DIR: userDataDir,
        CUSTODIAN_TEST_WORKSPACE: workspace,
        ...(process.env.CUSTODIAN_TEST_GREP ? { CUSTODIAN_TEST_GREP: process.env.CUSTODIAN_TEST_GREP } : {}),
      },
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`custodian: error: integration tests failed: ${e && e.message || e}`);
  process.exit(1);
});
