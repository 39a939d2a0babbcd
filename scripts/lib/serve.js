// Serves Custodian in code-server with a demo workspace: used by `npm start` and scripts/screenshot.js.
'use strict';
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, ENTRY, ensureCodeServer, freePort, isPortFree, startCodeServer, xdgEnv } = require('./code-server');

// Outside this repository: inside it, VS Code's git extension asks about the parent repository on every
// load, and the demo's files would sit in the project's working tree. CUSTODIAN_DEMO_DIR overrides it.
const DEMO_WORKSPACE = process.env.CUSTODIAN_DEMO_DIR ? path.resolve(process.env.CUSTODIAN_DEMO_DIR) : path.join(os.homedir(), 'custodian-demo');

// Obviously fake values: the demo must never look like it holds a real credential.
const DEMO_FILES = {
  '.env': [
    '# Demo values only: nothing here is a real credential.',
    'DATABASE_URL=postgres://demo:not-a-real-password@localhost:5432/demo',
    'STRIPE_SECRET_KEY=sk_test_FAKE0000000000000000000000',
    'JWT_SECRET=demo-jwt-secret-change-me',
    '',
  ].join('\n'),
  'config/secrets.yaml': [
    '# Demo values only.',
    'smtp:',
    '  host: smtp.example.com',
    '  user: demo@example.com',
    '  password: not-a-real-password',
    'api:',
    '  token: demo-token-0000',
    '',
  ].join('\n'),
  'README.md': [
    '# Custodian demo workspace',
    '',
    'A throw-away project to try Custodian on. `.env` and `config/secrets.yaml` hold fake secrets;',
    'open the Custodian view in the activity bar to create a key and add yourself to the team, then',
    'encrypt them, one of two ways:',
    '',
    '- *Encrypt File* writes `.env.enc`, which you commit; the plaintext `.env` stays ignored (`.gitignore`).',
    '- *Encrypt Values for Team* keeps `.env` with its keys readable and its values sealed. `.gitignore`',
    '  still ignores `.env`, as most projects do: take that line out to commit it (Custodian points at it).',
    '',
    'The team roster lives in `.custodian/team/`. A guided tour: Command Palette, *Welcome: Open Walkthrough...*,',
    '*Get Started with Custodian*.',
    '',
  ].join('\n'),
  '.custodian/team/.gitkeep': '',
  // The plaintext files are what the user encrypts: git must never take them, only their .enc.
  '.gitignore': ['.env', 'config/secrets.yaml', ''].join('\n'),
};

// Quiet first start: no welcome page, no trust prompt, no telemetry.
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
};

function isInside(child, parent) {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Creates the demo workspace once, as its own git repository, and never touches it again: a second run
 * must not put a plaintext `.env` back beside the `.env.enc` the user made, nor undo their edits.
 * Returns { dir, created }.
 */
function prepareDemoWorkspace(dir = DEMO_WORKSPACE) {
  const target = path.resolve(dir);
  if (isInside(target, ROOT)) {
    throw new Error(`the demo workspace ${target} is inside the project's repository ${ROOT}; set CUSTODIAN_DEMO_DIR to a folder outside it`);
  }
  if (fs.existsSync(target)) return { dir: target, created: false };
  // Built beside the target and renamed into place, so an interrupted run leaves no half-made demo.
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}-`));
  try {
    for (const [rel, content] of Object.entries(DEMO_FILES)) {
      const p = path.join(staging, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
    }
    // Its own repository: VS Code then never offers a parent folder's (the roster is meant to be committed).
    // One first commit, so "restore it from git" and diffs mean something from the start.
    cp.spawnSync('git', ['init', '-q', staging], { stdio: 'ignore' });
    cp.spawnSync('git', ['-C', staging, 'add', '-A'], { stdio: 'ignore' });
    cp.spawnSync('git', ['-C', staging, '-c', 'user.name=Custodian demo', '-c', 'user.email=demo@example.invalid', 'commit', '-q', '-m', 'Custodian demo workspace'], { stdio: 'ignore' });
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { dir: target, created: true };
}

function extensionFolderName() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return { id: `${pkg.publisher}.${pkg.name}`, folder: `${pkg.publisher}.${pkg.name}-${pkg.version}` };
}

/** An extensions dir holding only a symlink to this checkout (built dist/ is what loads). */
function prepareExtensionsDir(dir) {
  const { folder } = extensionFolderName();
  const link = path.join(dir, folder);
  let current = null;
  try { current = fs.readlinkSync(link); } catch { /* not there yet */ }
  if (current === ROOT && fs.readdirSync(dir).length === 1) return dir; // already right (maybe in use)
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(ROOT, link, 'dir');
  return dir;
}

/** Asks code-server which extensions it sees in `extensionsDir`; throws unless Custodian is there. */
function verifyExtensionLoads(extensionsDir, userDataDir, dataDir) {
  const { id } = extensionFolderName();
  const r = cp.spawnSync(process.execPath, [ENTRY, '--list-extensions', '--show-versions',
    '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], {
    encoding: 'utf8', env: { ...process.env, ...xdgEnv(dataDir) },
  });
  const listed = (r.stdout || '').split('\n').map((l) => l.trim()).filter((l) => /^[\w-]+\.[\w-]+@/.test(l));
  if (!listed.some((l) => l.toLowerCase().startsWith(`${id}@`))) {
    throw new Error(`code-server does not list ${id} in ${extensionsDir} (it lists: ${listed.join(', ') || 'nothing'})\n${r.stderr || ''}`);
  }
  return listed;
}

/**
 * Starts code-server with Custodian installed (symlinked) and the demo workspace.
 * `dataDir` holds user data, extensions and XDG dirs; `port` is preferred, a free one is used if busy;
 * `locale` ('es') is VS Code's display language.
 */
async function serveCustodian({ dataDir, port, workspace = DEMO_WORKSPACE, locale, verbose = false, onExit } = {}) {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `node esbuild.js` first');
  }
  ensureCodeServer({ quiet: true });
  const demo = prepareDemoWorkspace(workspace);
  const userDataDir = path.join(dataDir, 'user-data');
  const extensionsDir = prepareExtensionsDir(path.join(dataDir, 'extensions'));
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2) + '\n');
  const listed = verifyExtensionLoads(extensionsDir, userDataDir, dataDir);

  let chosen = port;
  if (!chosen || !(await isPortFree(chosen))) chosen = await freePort();
  const server = await startCodeServer({ port: chosen, dataDir, userDataDir, extensionsDir, locale, verbose, onExit });
  const url = `${server.url}/?folder=${encodeURIComponent(demo.dir).replace(/%2F/g, '/')}`;
  return { ...server, url, requestedPort: port, workspace: demo.dir, demoCreated: demo.created, userDataDir, extensions: listed };
}

module.exports = { DEMO_WORKSPACE, prepareDemoWorkspace, serveCustodian, extensionFolderName };
