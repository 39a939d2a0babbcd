// One build script, several entry points (as in vscode-eslint): the extension, the CLI, and the
// integration tests that run inside a real VS Code extension host.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');
const { commonBuildOptions, cliBuildOptions, cliCommandsBuildOptions, splitPackagesOptions, splitPackagesBuildOptions } = require('./scripts/lib/build-cli');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = commonBuildOptions({ production });

function integrationTestEntries() {
  const dir = path.join(__dirname, 'test', 'integration');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', ...splitPackagesOptions({ external: ['vscode'] }), metafile: true },
  // js-yaml (as dist/yaml.js) and bcrypt-pbkdf, required by the extension and the CLI on first use (scripts/lib/build-cli.js says why).
  splitPackagesBuildOptions(path.join(__dirname, 'dist'), { production }),
  // The CLI: dist/cli.js, and one bundle per command in dist/cli/ (scripts/lib/build-cli.js).
  cliBuildOptions(path.join(__dirname, 'dist'), { production }),
  cliCommandsBuildOptions(path.join(__dirname, 'dist'), { production }),
  // Each test file is its own bundle; mocha and vscode come from the host at run time.
  { ...common, minify: false, entryPoints: integrationTestEntries(), outdir: 'dist/test/integration', external: ['vscode', 'mocha'] },
];

async function main() {
  if (watch) {
    const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[esbuild] watching…');
    return;
  }
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync('dist/cli.js', 0o755);
  const size = fs.statSync('dist/extension.js').size;
  console.log(`[esbuild] built dist/extension.js (${(size / 1024).toFixed(1)} KiB${production ? ', minified' : ''}), dist/cli.js, dist/cli/, integration tests`);
  if (results[0].metafile) fs.writeFileSync('dist/extension.meta.json', JSON.stringify(results[0].metafile));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
