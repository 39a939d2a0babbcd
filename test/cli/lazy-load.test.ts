// Commands load on demand (docs/PERFORMANCE.md): `custodian --version` evaluates no command's code, and
// `custodian run` none of the code it does not use (the yaml package, the git merge driver, Shamir, TOTP,
// the word list, bcrypt for encrypted OpenSSH keys; node-forge never ships). Two views, both of what
// ships: the modules a real process asks Node for (a test-only recorder of Module._load, loaded with
// NODE_OPTIONS), and, for the modules inside dist/cli.js, the static imports esbuild follows from the
// entry point (a module reached only through `import()` stays behind an init function until called).
import * as assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath, makeOpensslKey, removeDir, run, tempDir, type TestKey } from './helpers';

const RECORDER = path.join(__dirname, 'support', 'record-loads.js');

/** Built-ins that only command code requires: none of them may load before a command runs. */
const COMMAND_BUILTINS = ['node:crypto', 'crypto', 'node:child_process', 'node:net', 'node:tty', 'node:os', 'node:fs/promises'];

/** Source modules `custodian run` never needs for a .env.enc (nor does any start before a command runs). */
const NOT_FOR_RUN = [
  /node_modules\/yaml\//,
  /node_modules\/node-forge\//,
  /node_modules\/bcrypt-pbkdf\//,
  /node_modules\/tweetnacl\//,
  /src\/core\/(line-merge|shamir|gf256|share-encoding|totp|hotp|otpauth|password|values|values-yaml|bcrypt-pbkdf)\.ts$/,
  /src\/core\/wordlists\//,
  /src\/cli\/(git-drivers|roster-trust|values-files)\.ts$/,
  /src\/node\/(git|git-setup)\.ts$/,
];

interface Recorded {
  code: number | null;
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
    return { code: r.code, stderr: r.stderr, loads };
  }

  /** The files loaded beside the CLI bundle (dist/yaml.js …), and anything from node_modules. */
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

  it('the recorder sees what a command loads (value-encrypted YAML needs dist/yaml.js)', () => {
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'password: hunter2\n');
    const r = recorded(['encrypt', '--values', '-r', key.sshPubPath, '-o', path.join(dir, 'c.enc.yaml'), path.join(dir, 'c.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(filesLoaded(r.loads).includes('yaml.js'), r.loads.join('\n'));
    assert.ok(r.loads.includes('node:crypto'), r.loads.join('\n'));
  });

  it('--version and --help load the bundle alone and evaluate no command (no crypto, child_process, net …)', () => {
    for (const args of [['--version'], ['--help']]) {
      const r = recorded(args);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(filesLoaded(r.loads), ['cli.js'], `${args[0]}: ${r.loads.join(', ')}`);
      assert.deepEqual(r.loads.filter((l) => COMMAND_BUILTINS.includes(l)), [], `${args[0]}: ${r.loads.join(', ')}`);
    }
  });

  it('run -e x.env.enc --print-names loads the bundle alone: neither yaml.js nor node-forge', () => {
    const r = recorded(['run', '-i', key.privatePath, '-e', envFile, '--print-names']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(filesLoaded(r.loads), ['cli.js'], r.loads.join(', '));
  });

  it('in the bundle, the entry point and the run command import (statically) none of the code other commands use', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { cliBuildOptions } = require('../../scripts/lib/build-cli') as { cliBuildOptions: (outdir: string, o: { production: boolean }) => esbuild.BuildOptions };
    const { metafile } = esbuild.buildSync({ ...cliBuildOptions(path.join(dir, 'meta'), { production: true }), metafile: true, write: false });
    const inputs = metafile.inputs;
    /** The modules evaluated with `from`: its static imports, transitively (esbuild wraps the rest behind init functions). */
    const eager = (from: string): string[] => {
      const start = Object.keys(inputs).find((k) => k.endsWith(from));
      assert.ok(start, `${from} is not in the bundle`);
      const seen = new Set([start]);
      const stack = [start];
      while (stack.length > 0) {
        for (const imp of inputs[stack.pop()!].imports) {
          if (imp.kind === 'dynamic-import' || imp.external || seen.has(imp.path)) continue;
          seen.add(imp.path);
          stack.push(imp.path);
        }
      }
      return [...seen];
    };
    const atStart = eager('src/cli/main.ts');
    assert.deepEqual(atStart.filter((m) => /src\/cli\/commands\//.test(m)), [], 'main.ts imports no command module statically');
    assert.deepEqual(atStart.filter((m) => NOT_FOR_RUN.some((re) => re.test(m))), []);
    const forRun = eager('src/cli/commands/run.ts');
    assert.deepEqual(forRun.filter((m) => NOT_FOR_RUN.some((re) => re.test(m))), []);
    assert.ok(forRun.some((m) => m.endsWith('src/core/envelope.ts')), 'the walk follows run\'s imports');
  });
});
