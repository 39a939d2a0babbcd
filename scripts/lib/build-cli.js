// The project's esbuild options, and the CLI's build, shared by esbuild.js, the CLI tests and the bench,
// so all three run what ships: dist/cli.js (the package's `bin`) and dist/yaml.js beside it.
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

/**
 * The `yaml` package (about 120 KB minified, for value-encrypted YAML files) ships beside the extension and
 * the CLI as dist/yaml.js instead of inside their bundles: their builds mark it external, and the lazily
 * loaded core module that uses it requires it on first use (docs/PERFORMANCE.md). These options do that
 * (an alias and an external, not a plugin, so the synchronous builds of the tests and the bench take them).
 */
const YAML_BUNDLE = 'yaml.js';

function splitYamlOptions({ external = [] } = {}) {
  return { alias: { yaml: `./${YAML_BUNDLE}` }, external: [...external, `./${YAML_BUNDLE}`] };
}

/** esbuild options of the CLI bundle, written into `outdir` (dist/yaml.js must be built beside it). */
function cliBuildOptions(outdir, { production }) {
  return {
    ...commonBuildOptions({ production }),
    ...splitYamlOptions(),
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: path.join(outdir, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  };
}

/** esbuild options of dist/yaml.js, the `yaml` package alone (CommonJS, required by dist/extension.js). */
function yamlBundleOptions(outdir, { production }) {
  return { ...commonBuildOptions({ production }), entryPoints: [require.resolve('yaml', { paths: [ROOT] })], outfile: path.join(outdir, YAML_BUNDLE) };
}

/** The CLI build (dist/cli.js and dist/yaml.js) into `outdir`, synchronously; returns the path of the executable bundle. */
function buildCli(outdir, { production }) {
  const esbuild = require('esbuild');
  esbuild.buildSync(cliBuildOptions(outdir, { production }));
  esbuild.buildSync(yamlBundleOptions(outdir, { production }));
  const cli = path.join(outdir, 'cli.js');
  fs.chmodSync(cli, 0o755);
  return cli;
}

module.exports = {
  YAML_BUNDLE,
  splitYamlOptions,
  yamlBundleOptions, commonBuildOptions, cliBuildOptions, buildCli };
