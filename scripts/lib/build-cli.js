// The project's esbuild options, and the CLI's build, shared by esbuild.js, the CLI tests and the bench,
// so all three run what ships: dist/cli.js (the launcher, the package's `bin`), dist/cli-main.js (the
// bundle) and dist/cli-main.js.cache (V8's code cache for the bundle; see src/cli/launcher.ts).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** The esbuild options every bundle of the project shares (esbuild.js adds its other entry points). */
function commonBuildOptions({ production }) {
  return {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: production,
    // Error classes are told apart by name in logs, the tree and the CLI; minified names would break that.
    keepNames: true,
    sourcemap: production ? false : 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    legalComments: 'none',
  };
}

/** esbuild options of the launcher and of the bundle, written into `outdir`. */
function cliBuildOptions(outdir, { production }) {
  const common = commonBuildOptions({ production });
  return [
    { ...common, entryPoints: [path.join(ROOT, 'src', 'cli', 'launcher.ts')], outfile: path.join(outdir, 'cli.js'), banner: { js: '#!/usr/bin/env node' } },
    { ...common, entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')], outfile: path.join(outdir, 'cli-main.js') },
  ];
}

/**
 * Writes `outdir`/cli-main.js.cache by running scripts/lib/cli-code-cache.js in a fresh Node.js
 * process (V8 refuses a cache made under other V8 flags, and a test process may have set some).
 */
function writeCliCodeCache(outdir) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'cli-code-cache.js'), outdir], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`writing the CLI's code cache failed (status ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/** The whole CLI build into `outdir`, synchronously: the two bundles, then the code cache. */
function buildCli(outdir, { production }) {
  const esbuild = require('esbuild');
  for (const options of cliBuildOptions(outdir, { production })) esbuild.buildSync(options);
  fs.chmodSync(path.join(outdir, 'cli.js'), 0o755);
  writeCliCodeCache(outdir);
  return path.join(outdir, 'cli.js');
}

module.exports = { commonBuildOptions, cliBuildOptions, writeCliCodeCache, buildCli };
