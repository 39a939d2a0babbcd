// code-server from the npm registry: a real VS Code (server + web workbench) that installs without
// reaching update.code.visualstudio.com. Shared by run-integration.js, start.js and screenshot.js.
'use strict';
const cp = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');

// 4.100.3 bundles VS Code 1.100.3, the newest code-server whose engines accept Node 20 (4.103+ want
// Node 22); its postinstall refuses any other Node major.
const CODE_SERVER_VERSION = '4.100.3';
// @vscode/ripgrep pinned by code-server 4.100.3 (lib/vscode/npm-shrinkwrap.json) and the asset its
// postinstall would fetch from GitHub: we pre-seed its download cache with Debian's rg instead.
const VSCODE_RIPGREP_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const TEST_DIR = path.join(ROOT, '.vscode-test');
const INSTALL_DIR = path.join(TEST_DIR, 'code-server');
const SCRATCH_DIR = path.join(TEST_DIR, 'scratch');
const ENTRY = path.join(INSTALL_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const MARKER = path.join(INSTALL_DIR, `.installed-${CODE_SERVER_VERSION}`);

function log(tag, msg) {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[${tag} ${t}] ${msg}`);
}

/** XDG dirs under `base`, so neither code-server nor Chromium writes to ~/.config, ~/.local, ~/.cache. */
function xdgEnv(base) {
  return {
    XDG_CONFIG_HOME: path.join(base, 'xdg-config'),
    XDG_DATA_HOME: path.join(base, 'xdg-data'),
    XDG_CACHE_HOME: path.join(base, 'xdg-cache'),
  };
}

function isInstalled() {
  return fs.existsSync(MARKER) && fs.existsSync(ENTRY);
}

function which(cmd) {
  const r = cp.spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function seedRipgrepCache(tmpDir) {
  const cacheDir = path.join(tmpDir, `vscode-ripgrep-cache-${VSCODE_RIPGREP_VERSION}`);
  const asset = path.join(cacheDir, RIPGREP_ASSET);
  if (fs.existsSync(asset)) return;
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep (rg) is missing: run `bash scripts/install-system-deps.sh` first');
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(tmpDir, 'rg-'));
  fs.copyFileSync(rg, path.join(staging, 'rg'));
  fs.chmodSync(path.join(staging, 'rg'), 0o755);
  const r = cp.spawnSync('tar', ['czf', asset, '-C', staging, 'rg'], { stdio: 'inherit' });
  fs.rmSync(staging, { recursive: true, force: true });
  if (r.status !== 0) throw new Error('could not build the ripgrep cache tarball');
}

/** Installs code-server into .vscode-test/code-server unless the version marker is already there. */
function ensureCodeServer({ quiet = false } = {}) {
  if (isInstalled()) {
    if (!quiet) log('code-server', `code-server ${CODE_SERVER_VERSION} already installed (${INSTALL_DIR})`);
    return ENTRY;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20, this is Node ${process.versions.node}`);
  }
  const started = Date.now();
  const tmpDir = path.join(SCRATCH_DIR, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  seedRipgrepCache(tmpDir);

  fs.rmSync(INSTALL_DIR, { recursive: true, force: true });
  fs.mkdirSync(INSTALL_DIR, { recursive: true });
  fs.writeFileSync(path.join(INSTALL_DIR, 'package.json'), '{ "name": "custodian-code-server-host", "private": true }\n');

  const env = {
    ...process.env,
    // @vscode/ripgrep's postinstall looks for its download in os.tmpdir(): the seeded cache.
    TMPDIR: tmpDir,
    // node-pty's postinstall runs `npx node-gyp` (a user ~/.npmrc may say yes=false).
    npm_config_yes: 'true',
    // code-server's postinstall refuses to run as root without it.
    npm_config_unsafe_perm: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    ...xdgEnv(SCRATCH_DIR),
  };
  // node-gyp would download Node headers from nodejs.org; use the local ones when they exist.
  const nodePrefix = path.resolve(path.dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && fs.existsSync(path.join(nodePrefix, 'include', 'node', 'node_version.h'))) {
    env.npm_config_nodedir = nodePrefix;
  }
  const logFile = path.join(INSTALL_DIR, 'npm-install.log');
  log('code-server', `npm install code-server@${CODE_SERVER_VERSION} (native builds, about a minute; log: ${path.relative(ROOT, logFile)})`);
  const out = fs.openSync(logFile, 'w');
  const r = cp.spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: INSTALL_DIR, env, stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  if (r.status !== 0 || !fs.existsSync(ENTRY)) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');
    console.error(tail);
    throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status}); see ${logFile}`);
  }
  const version = codeServerVersion();
  if (!version.startsWith(CODE_SERVER_VERSION)) {
    throw new Error(`installed code-server reports "${version}", expected ${CODE_SERVER_VERSION}`);
  }
  fs.writeFileSync(MARKER, `${version}\n`);
  log('code-server', `installed ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ENTRY;
}

/** `code-server --version` first line, e.g. "4.100.3 <commit> with Code 1.100.3". */
function codeServerVersion() {
  const r = cp.spawnSync(process.execPath, [ENTRY, '--version'], {
    encoding: 'utf8', env: { ...process.env, ...xdgEnv(SCRATCH_DIR) },
  });
  return (r.stdout || '').trim().split('\n').pop() || '';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function isPortFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** `code-server --install-extension VSIX` into `extensionsDir`, as a user installs a downloaded .vsix. */
function installExtension(vsix, { dataDir, extensionsDir, userDataDir }) {
  const r = cp.spawnSync(process.execPath, [ENTRY, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], {
    encoding: 'utf8',
    env: { EXTENSIONS_GALLERY: '{}', ...process.env, ...xdgEnv(dataDir) },
  });
  if (r.status !== 0 || !/successfully installed/.test(r.stdout)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
}

/**
 * Makes `locale` an installed display language in `userDataDir`, as installing a language pack does:
 * VS Code only switches its display language (and hands extensions their l10n/bundle.l10n.<locale>.json
 * and package.nls.<locale>.json) when a pack for it is listed in languagepacks.json. Ours translates none of
 * the workbench (no gallery here), so VS Code's own UI stays English while the extensions' strings are real.
 */
function registerLanguagePack(userDataDir, locale) {
  const translations = path.join(ROOT, 'test', 'integration', 'fixtures', 'language-pack', 'main.i18n.json');
  const id = `custodian-dev.test-language-pack-${locale}`;
  const version = '0.0.1';
  const hash = require('crypto').createHash('md5').update(id).update(version).digest('hex');
  const packs = { [locale]: { hash, extensions: [{ extensionIdentifier: { id }, version }], translations: { vscode: translations }, label: locale } };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs));
}

/**
 * Starts code-server in its own process group (so stop() also kills the extension host) and resolves
 * once it listens. `dataDir` holds user data, extensions and XDG dirs unless given separately.
 * The extension host inherits the server's env, which is how tests receive CUSTODIAN_* variables.
 * `locale` ('es', …) sets VS Code's display language.
 */
async function startCodeServer({ port, dataDir, userDataDir, extensionsDir, locale, env = {}, verbose = false, onExit, onOutput }) {
  const userData = userDataDir || path.join(dataDir, 'user-data');
  const extensions = extensionsDir || path.join(dataDir, 'extensions');
  fs.mkdirSync(userData, { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  if (locale && locale !== 'en') registerLanguagePack(userData, locale);
  const args = [
    ENTRY,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--disable-file-downloads',
    '--ignore-last-opened', '--log', verbose ? 'trace' : 'info',
    // The display language: extensions' own translations (package.nls.<locale>.json, l10n/) follow it
    // even without a language pack for the workbench itself.
    ...(locale ? ['--locale', locale] : []),
  ];
  // EXTENSIONS_GALLERY={} turns off the Open VSX gallery (no network needed, none attempted).
  const serverEnv = { EXTENSIONS_GALLERY: '{}', ...process.env, ...xdgEnv(dataDir), ...env };
  delete serverEnv.PORT; // code-server lets $PORT override --bind-addr
  const proc = cp.spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv });
  let output = '';
  let listening = false;
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      const s = chunk.toString();
      if (output.length < 200_000) output += s;
      if (verbose) process.stdout.write(s.replace(/^/gm, '[code-server] '));
      if (onOutput) onOutput(s);
      if (!listening && /HTTP server listening on/.test(output)) {
        listening = true;
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code, signal) => {
      if (!listening) reject(new Error(`code-server exited before listening (code=${code} signal=${signal})\n${output.slice(-4000)}`));
      else if (onExit) onExit(code, signal);
    });
  });
  await ready;

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode !== null || proc.signalCode !== null) {
      // The server is gone but its children (extension host, watchers) may still hold the group.
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ }
      return;
    }
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
    const gone = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), 3000);
      proc.once('exit', () => { clearTimeout(t); resolve(true); });
    });
    if (!gone) { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ } }
  }
  return { proc, port, url: `http://127.0.0.1:${port}`, stop, output: () => output };
}

module.exports = {
  ROOT, CODE_SERVER_VERSION, TEST_DIR, INSTALL_DIR, SCRATCH_DIR, ENTRY,
  log, xdgEnv, isInstalled, ensureCodeServer, codeServerVersion, freePort, isPortFree, startCodeServer, installExtension,
};
