// Commands load on demand (docs/PERFORMANCE.md): `custodian --version` loads no command's code, and
// `custodian run` none of the code it does not use (the yaml package, the git merge driver, Shamir, TOTP,
// the word list, bcrypt for encrypted OpenSSH keys; node-forge never ships). Two views, both of what
// ships: the files a real process asks Node for (a test-only recorder of Module._load, loaded with
// NODE_OPTIONS), and what the run command's bundle holds (esbuild's metafile of the build).
import * as assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../src/cli/main';
import { cliPath, makeOpensslKey, removeDir, run, tempDir, type TestKey } from './helpers';

const RECORDER = path.join(__dirname, 'support', 'record-loads.js');

/** Built-ins that only command code requires: none of them may load before a command runs. */
const COMMAND_BUILTINS = ['node:crypto', 'crypto', 'node:child_process', 'node:net', 'node:tty', 'node:os', 'node:fs/promises'];

/** Source modules `custodian run` never needs (bcrypt only for a passphrase-protected OpenSSH key: it is dist/bcrypt-pbkdf.js). */
const NOT_FOR_RUN = [
  /node_modules\/yaml\//,
  /node_modules\/node-forge\//,
  /node_modules\/bcrypt-pbkdf\//,
  /node_modules\/tweetnacl\//,
  /src\/core\/(line-merge|shamir|gf256|share-encoding|totp|hotp|otpauth|password|values|values-yaml)\.ts$/,
  /src\/core\/wordlists\//,
  /src\/cli\/(git-drivers|roster-trust|values-files)\.ts$/,
  /src\/node\/(git|git-setup)\.ts$/,
];

interface Recorded {
  code: number | null;
  out: string;
  stderr: string;
  loads: string[];
}

describe('cli: commands load on demand', function () {
  this.timeout(120_000);
  let dir: string;
  let key: TestKey;
  let envFile: string;

  /** The CLI with the recorder: what it printed, and every module it loaded. */
  function recorded(args: string[]): Recorded {
    const out = path.join(dir, `loads-${Math.random().toString(36).slice(2)}.txt`);
    const r = run(args, { cwd: dir, env: { NODE_OPTIONS: `--require ${RECORDER}`, CUSTODIAN_TEST_RECORD_LOADS: out } });
    const loads = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean);
    return { code: r.code, out: r.out, stderr: r.stderr, loads };
  }

  /** The files loaded from the CLI's folder (cli.js, cli/NAME.js, yaml.js …), and anything from node_modules. */
  function filesLoaded(loads: string[]): string[] {
    const dist = path.dirname(cliPath());
    return loads.filter((l) => path.isAbsolute(l) && (l.startsWith(dist + path.sep) || l.includes(`${path.sep}node_modules${path.sep}`))).map((l) => path.relative(dist, l));
  }

  before(() => {
    dir = tempDir();
    key = makeOpensslKey(dir, 'alice');
    fs.writeFileSync(path.join(dir, 'x.env'), 'API_KEY=secret\nDB_URL=postgres://db\n');
    envFile = path.join(dir, 'x.env.enc');
    const r = run(['encrypt', '-r', key.sshPubPath, '-s', key.privatePath, '-o', envFile, path.join(dir, 'x.env')]);
    assert.equal(r.code, 0, r.stderr);
  });

  after(() => removeDir(dir));

  it('each module under src/cli/commands/ is a listed command, named as its file (main.ts requires dist/cli/NAME.js)', () => {
    const modules = fs.readdirSync(path.join(__dirname, '..', '..', 'src', 'cli', 'commands')).map((f) => f.replace(/\.ts$/, ''));
    assert.deepEqual(modules.sort(), COMMANDS.map((c) => c.name).sort());
  });

  it('the recorder sees what a command loads (value-encrypted YAML needs dist/yaml.js)', () => {
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'password: hunter2\n');
    const r = recorded(['encrypt', '--values', '-r', key.sshPubPath, '-o', path.join(dir, 'c.enc.yaml'), path.join(dir, 'c.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(filesLoaded(r.loads), ['cli.js', path.join('cli', 'encrypt.js'), 'yaml.js'], r.loads.join('\n'));
    assert.ok(r.loads.includes('node:crypto'), r.loads.join('\n'));
  });

  it('--version and --help load cli.js alone and no command (nor the built-ins commands use: crypto, child_process …)', () => {
    for (const args of [['--version'], ['--help']]) {
      const r = recorded(args);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(filesLoaded(r.loads), ['cli.js'], `${args[0]}: ${r.loads.join(', ')}`);
      assert.deepEqual(r.loads.filter((l) => COMMAND_BUILTINS.includes(l)), [], `${args[0]}: ${r.loads.join(', ')}`);
    }
  });

  it('run -e x.env.enc --print-names loads cli.js and the run command only: no other command, no yaml.js, no bcrypt', () => {
    const r = recorded(['run', '-i', key.privatePath, '-e', envFile, '--print-names']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out, 'API_KEY\nDB_URL\n');
    assert.deepEqual(filesLoaded(r.loads), ['cli.js', path.join('cli', 'run.js')], r.loads.join(', '));
  });

  it('help run and run --help load the run command only', () => {
    for (const args of [['help', 'run'], ['run', '--help']]) {
      const r = recorded(args);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(filesLoaded(r.loads), ['cli.js', path.join('cli', 'run.js')], r.loads.join(', '));
    }
  });

  it("cli.js holds no command, and the run command's bundle none of the code other commands use", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const build = require('../../scripts/lib/build-cli') as Record<'cliBuildOptions' | 'cliCommandsBuildOptions', (outdir: string, o: { production: boolean }) => esbuild.BuildOptions>;
    const outdir = path.join(dir, 'meta');
    const inputsOf = (options: esbuild.BuildOptions, output: string): string[] => {
      const { metafile } = esbuild.buildSync({ ...options, metafile: true, write: false });
      const found = Object.entries(metafile.outputs).find(([file]) => file.endsWith(output));
      assert.ok(found, `${output} is not an output: ${Object.keys(metafile.outputs).join(', ')}`);
      return Object.keys(found[1].inputs);
    };
    const main = inputsOf(build.cliBuildOptions(outdir, { production: true }), 'cli.js');
    assert.deepEqual(main.filter((m) => /src\/cli\/commands\/|src\/core\/(envelope|keys)\.ts$|node_modules/.test(m)), [], 'cli.js holds no command code, core or package');
    const runBundle = inputsOf(build.cliCommandsBuildOptions(outdir, { production: true }), path.join('cli', 'run.js'));
    assert.ok(runBundle.some((m) => m.endsWith('src/core/envelope.ts')), 'the run bundle holds what it uses');
    assert.deepEqual(runBundle.filter((m) => /src\/cli\/commands\/(?!run\.ts)/.test(m)), [], 'no other command');
    // Three exceptions, each loaded on first use only: run reads value-encrypted .env files (core/values),
    // reads the roster for --require-signer DIR and to name a deploy key that signed a file (roster-trust),
    // and asks git whether a plain file that overrides an encrypted one is committed (node/git).
    assert.deepEqual(runBundle.filter((m) => NOT_FOR_RUN.some((re) => re.test(m)) && !/src\/core\/(values|values-yaml)\.ts$|src\/cli\/roster-trust\.ts$|src\/node\/git\.ts$/.test(m)), []);
  });
});
