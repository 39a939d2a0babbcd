// Headless Debian Chromium through playwright-core (no browser download).
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

function chromiumPath() {
  const p = process.env.CUSTODIAN_CHROMIUM || DEFAULT_CHROMIUM;
  if (!fs.existsSync(p)) {
    throw new Error(`Chromium not found at ${p}: run \`bash scripts/install-system-deps.sh\` (or set CUSTODIAN_CHROMIUM)`);
  }
  return p;
}

/** Launches headless Chromium; `env` should carry XDG dirs so crashpad/dconf stay out of $HOME. */
function launchChromium(env = {}) {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    env: { ...process.env, ...env },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

module.exports = { chromiumPath, launchChromium };
