// The launcher the VS Code extension writes for its terminals and git's drivers (src/node/cli-launcher.ts):
// a shell script that runs the shipped CLI with VS Code's runtime. It must run from any folder names,
// pass arguments through untouched, and not hand what it sets (ELECTRON_RUN_AS_NODE) to the programs the
// CLI starts: an Electron application started by `custodian run` would otherwise run as Node.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installLauncher, LAUNCHER_ENV } from '../../src/node/cli-launcher';
import { cleanEnv, cliPath, makeOpensslKey, removeDir, tempDir } from './helpers';

const PROBE = `process.stdout.write(JSON.stringify({ electron: process.env.ELECTRON_RUN_AS_NODE ?? null, launcher: process.env.${LAUNCHER_ENV} ?? null, layer: process.env.FROM_LAYER ?? null }))`;

describe('cli: the launcher VS Code puts on its terminals\' PATH', function () {
  this.timeout(60_000);
  let dir: string;
  let runtime: string;
  let script: string;
  let bin: string;

  before(() => {
    dir = tempDir();
    // Folder names a shell would split or expand, for the runtime and for the extension's folder.
    const odd = path.join(dir, `it's a "folder" $HOME \`x\``);
    fs.mkdirSync(odd);
    runtime = path.join(odd, 'node runtime');
    fs.symlinkSync(process.execPath, runtime);
    const extension = path.join(odd, 'extension dir');
    fs.symlinkSync(path.dirname(cliPath()), extension);
    script = path.join(extension, path.basename(cliPath()));
    bin = path.join(dir, 'global storage', 'bin');
  });
  after(() => removeDir(dir));

  function launch(launcher: string, args: string[], env: Record<string, string | undefined> = {}): { code: number | null; out: string; err: string } {
    const r = spawnSync(launcher, args, { env: cleanEnv(env), cwd: dir, encoding: 'utf8' });
    if (r.error) throw r.error;
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it('is written runnable by its owner only, and rewritten only when what it runs changes', async () => {
    const launcher = await installLauncher(bin, runtime, script);
    assert.equal(launcher, path.join(bin, 'custodian'));
    assert.equal(fs.statSync(launcher).mode & 0o777, 0o700);
    assert.equal(fs.statSync(bin).mode & 0o777, 0o700);
    const first = fs.statSync(launcher);
    await installLauncher(bin, runtime, script);
    assert.equal(fs.statSync(launcher).ino, first.ino, 'the same launcher is not written again');
    fs.chmodSync(launcher, 0o600);
    await installLauncher(bin, runtime, script);
    assert.equal(fs.statSync(launcher).mode & 0o777, 0o700, 'a launcher that lost its x bit is repaired');
    await installLauncher(bin, process.execPath, script);
    assert.match(fs.readFileSync(launcher, 'utf8'), new RegExp(process.execPath.replace(/[/.]/g, '\\$&')));
    await installLauncher(bin, runtime, script);
    assert.deepEqual(fs.readdirSync(bin), ['custodian'], 'no temporary file left');
  });

  it('runs the CLI from folders whose names hold quotes, spaces and $, with the arguments as given', async () => {
    const launcher = await installLauncher(bin, runtime, script);
    const version = launch(launcher, ['--version']);
    assert.equal(version.code, 0, version.err);
    assert.match(version.out, /^custodian \d+\.\d+\.\d+\n$/);
    const keyDir = path.join(dir, 'keys $PATH `id` *');
    fs.mkdirSync(keyDir);
    const key = makeOpensslKey(keyDir, 'alice');
    const printed = launch(launcher, ['fingerprint', key.sshPubPath]);
    assert.equal(printed.code, 0, printed.err);
    assert.ok(printed.out.includes(key.fingerprint), printed.out);
  });

  it('git setup run through it gives git the launcher (quoted: its folder has a space), and git diff decrypts through it', async () => {
    const launcher = await installLauncher(bin, runtime, script);
    const repo = path.join(dir, 'repo');
    const git = (args: string[]) => spawnSync('git', ['-C', repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_PAGER: 'cat' }), encoding: 'utf8' });
    fs.mkdirSync(repo);
    assert.equal(git(['init', '-q', '-b', 'main']).status, 0);
    const key = makeOpensslKey(dir, 'bob');
    const setup = spawnSync(launcher, ['git', 'setup'], { cwd: repo, env: cleanEnv(), encoding: 'utf8' });
    assert.equal(setup.status, 0, setup.stderr);
    const quoted = `'${launcher}'`;
    assert.equal(git(['config', 'diff.custodian.textconv']).stdout.trim(), `${quoted} git textconv --`);
    assert.equal(git(['config', 'merge.custodian.driver']).stdout.trim(), `${quoted} git merge -- %O %A %B %L %P`);
    assert.ok(fs.readFileSync(path.join(repo, '.git/hooks/pre-commit'), 'utf8').includes(`${quoted} guard || exit $?`));
    const encrypted = launch(launcher, ['encrypt', '-r', key.sshPubPath, '-o', path.join(repo, 'a.enc')], {});
    assert.equal(encrypted.code, 0, encrypted.err);
    fs.writeFileSync(path.join(repo, '.gitignore'), '');
    assert.equal(git(['add', '-A']).status, 0);
    const commit = git(['commit', '-q', '-m', 'a']);
    assert.equal(commit.status, 0, commit.stderr); // through the guard, run by the launcher
    const shown = spawnSync('git', ['-C', repo, 'show', '--format=', 'HEAD', '--', 'a.enc'], { env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_PAGER: 'cat', CUSTODIAN_IDENTITY: key.privatePath }), encoding: 'utf8' });
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^\+\[custodian\] recipients: /m);
  });

  it('what it sets to start the CLI does not reach the programs the CLI starts; a variable of the user\'s own does', async () => {
    const launcher = await installLauncher(bin, runtime, script);
    const layer = path.join(dir, 'layer.env');
    fs.writeFileSync(layer, 'FROM_LAYER=yes\n');
    const viaLauncher = launch(launcher, ['run', '-e', layer, '--', process.execPath, '-e', PROBE]);
    assert.equal(viaLauncher.code, 0, viaLauncher.err);
    assert.deepEqual(JSON.parse(viaLauncher.out), { electron: null, launcher: null, layer: 'yes' });
    // Without the launcher, the CLI changes nothing of the environment it was given.
    const direct = spawnSync(process.execPath, [cliPath(), 'run', '-e', layer, '--', process.execPath, '-e', PROBE], { env: cleanEnv({ ELECTRON_RUN_AS_NODE: '1' }), encoding: 'utf8' });
    assert.equal(direct.status, 0, direct.stderr);
    assert.deepEqual(JSON.parse(direct.stdout), { electron: '1', launcher: null, layer: 'yes' });
  });
});
