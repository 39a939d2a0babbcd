#!/usr/bin/env node
// `npm run package`: custodian.vsix from a staging copy holding exactly what the extension needs — the
// bundles, the icon, the manifest and its translations (package.nls*.json, l10n/), README and LICENSE.
// Staged because package.json's "files" (the npm package of the CLI) and a .vscodeignore cannot coexist
// for vsce; the stage's manifest has no "files", so vsce packs the stage as it is.
// Usage: node scripts/package-vsix.js [OUT.vsix]   (run `node esbuild.js --production` first)
'use strict';
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const SHIPPED = ['dist/extension.js', 'dist/cli.js', 'dist/cli', 'dist/yaml.js', 'dist/bcrypt-pbkdf.js', 'media', 'package.nls.json', 'l10n', 'README.md', 'LICENSE'];

function packageVsix(out = path.join(ROOT, 'custodian.vsix')) {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-vsix-'));
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    delete manifest.files;
    delete manifest.scripts; // vsce would run "vscode:prepublish"-style hooks from them; the bundles are built
    delete manifest.devDependencies;
    fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const nls = fs.readdirSync(ROOT).filter((f) => /^package\.nls\.[\w-]+\.json$/.test(f));
    for (const f of [...SHIPPED, ...nls]) {
      const from = path.join(ROOT, f);
      if (!fs.existsSync(from)) throw new Error(`${f} is missing (run \`node esbuild.js --production\` first)`);
      // dist/cli/ of a development build holds source maps beside the bundles: they do not ship.
      fs.cpSync(from, path.join(stage, f), { recursive: true, filter: (src) => !src.endsWith('.map') });
    }
    fs.writeFileSync(path.join(stage, '.vscodeignore'), '# The stage holds only what ships (scripts/package-vsix.js).\n');
    const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
    cp.execFileSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], { cwd: stage, stdio: 'inherit' });
    return out;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) packageVsix(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
module.exports = { packageVsix };
