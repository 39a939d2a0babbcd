// The project's esbuild options, and the CLI's build, shared by esbuild.js, the CLI tests and the bench,
// so all three run what ships: dist/cli.js, one bundle (the package's `bin`).
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

/** esbuild options of the CLI bundle, written into `outdir`. */
function cliBuildOptions(outdir, { production }) {
  return {
    ...commonBuildOptions({ production }),
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: path.join(outdir, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  };
}

/**
 * The YAML library of value-encrypted YAML files (js-yaml, docs/PERFORMANCE.md) ships beside the extension
 * as dist/yaml.js instead of inside dist/extension.js: the extension's build marks it external, and the
 * lazily loaded core module that uses it requires it on first use. The CLI, one bundle by design, keeps
 * it inside.
 */
const YAML_BUNDLE = 'yaml.js';

function splitYamlPlugin() {
  return {
    name: 'split-yaml',
    setup(build) {
      build.onResolve({ filter: /^js-yaml$/ }, () => ({ path: `./${YAML_BUNDLE}`, external: true }));
    },
  };
}

/** esbuild options of dist/yaml.js, js-yaml alone (CommonJS, required by dist/extension.js). */
function yamlBundleOptions(outdir, { production }) {
  return { ...commonBuildOptions({ production }), entryPoints: [require.resolve('js-yaml', { paths: [ROOT] })], outfile: path.join(outdir, YAML_BUNDLE) };
}

/** The CLI build into `outdir`, synchronously; returns the path of the executable bundle. */
function buildCli(outdir, { production }) {
  const esbuild = require('esbuild');
  esbuild.buildSync(cliBuildOptions(outdir, { production }));
  const cli = path.join(outdir, 'cli.js');
  fs.chmodSync(cli, 0o755);
  return cli;
}

module.exports = {
  YAML_BUNDLE,
  splitYamlPlugin,
  yamlBundleOptions, commonBuildOptions, cliBuildOptions, buildCli };
