// The project's esbuild options, and the CLI's build, shared by esbuild.js, the CLI tests and the bench,
// so all three run what ships: dist/cli.js (the package's `bin`: the list of commands and the dispatch),
// one bundle per command in dist/cli/ (src/cli/commands/NAME.ts → dist/cli/NAME.js, required when the
// command is named), and the packages split from the bundles (dist/yaml.js, dist/bcrypt-pbkdf.js).
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
 * Packages only some runs need ship beside the extension and the CLI as their own files instead of inside
 * their bundles: `js-yaml` (about 40 KB minified, for value-encrypted YAML files) as dist/yaml.js, and
 * `bcrypt-pbkdf` with tweetnacl (about 50 KB, for passphrase-protected OpenSSH keys) as
 * dist/bcrypt-pbkdf.js. The bundles' builds mark them external, and the lazily loaded core modules that use
 * them require them on first use (docs/PERFORMANCE.md). These options do that (aliases and externals, not
 * a plugin, so the synchronous builds of the tests and the bench take them).
 */
const SPLIT_PACKAGES = [
  ['js-yaml', 'yaml'],
  ['bcrypt-pbkdf', 'bcrypt-pbkdf'],
];

function splitPackagesOptions({ external = [], dist = '.' } = {}) {
  // `dist`: the way from the bundle's folder to dist/ ('..' for dist/cli/NAME.js).
  const bundles = SPLIT_PACKAGES.map(([name, file]) => [name, `${dist}/${file}.js`]);
  return { alias: Object.fromEntries(bundles), external: [...external, ...bundles.map(([, file]) => file)] };
}

/** esbuild options of dist/cli.js, written into `outdir`; the commands' bundles are cliCommandsBuildOptions'. */
function cliBuildOptions(outdir, { production }) {
  return {
    ...commonBuildOptions({ production }),
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: path.join(outdir, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  };
}

const COMMANDS_DIR = path.join(ROOT, 'src', 'cli', 'commands');

/**
 * esbuild options of the commands' bundles, `outdir`/cli/NAME.js: each holds one command whole (its code,
 * the core it uses, the CLI's error types), so a run compiles that command's code and no other's. What
 * several commands use is in several bundles; a process loads one. The split packages are built beside.
 */
function cliCommandsBuildOptions(outdir, { production }) {
  const commands = fs.readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts'));
  return {
    ...commonBuildOptions({ production }),
    ...splitPackagesOptions({ dist: '..' }),
    entryPoints: commands.map((f) => path.join(COMMANDS_DIR, f)),
    outdir: path.join(outdir, 'cli'),
  };
}

/** esbuild options of the split packages, `outdir`/NAME.js (CommonJS, required by the bundles on first use). */
function splitPackagesBuildOptions(outdir, { production }) {
  return {
    ...commonBuildOptions({ production }),
    entryPoints: Object.fromEntries(SPLIT_PACKAGES.map(([name, file]) => [file, require.resolve(name, { paths: [ROOT] })])),
    outdir,
  };
}

/** The CLI build (dist/cli.js, dist/cli/*.js and the split packages) into `outdir`, synchronously; returns the path of the executable bundle. */
function buildCli(outdir, { production }) {
  const esbuild = require('esbuild');
  esbuild.buildSync(cliBuildOptions(outdir, { production }));
  esbuild.buildSync(cliCommandsBuildOptions(outdir, { production }));
  esbuild.buildSync(splitPackagesBuildOptions(outdir, { production }));
  const cli = path.join(outdir, 'cli.js');
  fs.chmodSync(cli, 0o755);
  return cli;
}

module.exports = { splitPackagesOptions, splitPackagesBuildOptions, commonBuildOptions, cliBuildOptions, cliCommandsBuildOptions, buildCli };
