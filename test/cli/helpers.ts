// Runs the real CLI in child processes. It is built once per test run by the build esbuild.js uses
// (scripts/lib/build-cli.js: dist/cli.js and a bundle per command), into a temporary directory (so a
// concurrent `node esbuild.js` or a broken extension entry point cannot interfere).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let built: string | undefined;

// Every directory these helpers make is removed when the test process exits, whether or not the test
// that asked for it cleaned up (a failed assertion skips its own cleanup).
const madeDirs: string[] = [];
process.once('exit', () => {
  for (const dir of madeDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function cliPath(): string {
  if (built) return built;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildCli } = require('../../scripts/lib/build-cli') as { buildCli: (outdir: string, options: { production: boolean }) => string };
  built = buildCli(makeTempDir('custodian-cli-bundle-'), { production: false });
  return built;
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** stdout as UTF-8. */
  out: string;
}

export interface RunOptions {
  input?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Another build of the CLI to run (default: this test run's, cliPath()). */
  cli?: string;
  /** Stops the command after this many ms (then `run` throws ETIMEDOUT): for an attack that would hang it. */
  timeoutMs?: number;
}

let configHome: string | undefined;

/**
 * The parent's environment without any Custodian variables, plus `extra`. XDG_CONFIG_HOME points at
 * a directory of this test run, so the roster pin store (docs/ROSTER.md §6) never touches the real one.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CUSTODIAN_')) env[k] = v;
  configHome ??= makeTempDir('custodian-cli-config-');
  env.XDG_CONFIG_HOME = configHome;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function result(r: SpawnSyncReturns<Buffer>): RunResult {
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8'), out: r.stdout.toString('utf8') };
}

// `setsid` starts the child without a controlling terminal, so a passphrase prompt can never open
// /dev/tty and wait for a developer's keyboard.
const SETSID = fs.existsSync('/usr/bin/setsid') ? ['/usr/bin/setsid', '-w'] : [];

function command(argv: string[]): [string, string[]] {
  const full = [...SETSID, ...argv];
  return [full[0], full.slice(1)];
}

/** `custodian ARGS…` with stdin from `input` (or empty). */
export function run(args: readonly string[], options: RunOptions = {}): RunResult {
  return result(
    spawnSync(...command([process.execPath, options.cli ?? cliPath(), ...args]), {
      input: options.input ?? '',
      env: cleanEnv(options.env),
      cwd: options.cwd,
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs,
    }),
  );
}

/** A bash script with `$CUSTODIAN` set to the CLI command and pipefail on. */
export function sh(script: string, options: RunOptions = {}): RunResult {
  return result(
    spawnSync(...command(['bash', '-c', `set -o pipefail\n${script}`]), {
      input: options.input ?? '',
      env: cleanEnv({ CUSTODIAN: `${process.execPath} ${cliPath()}`, ...options.env }),
      cwd: options.cwd,
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
}

export function tempDir(prefix = 'custodian-cli-test-'): string {
  return makeTempDir(prefix);
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** An RSA key pair made by openssl: unencrypted PKCS#8 private key, SPKI public key, and paths. */
export interface TestKey {
  privatePath: string;
  publicPemPath: string;
  sshPubPath: string;
  fingerprint: string;
}

/** Makes a key with `openssl genpkey` (fast, and proves openssl-made keys work). */
export function makeOpensslKey(dir: string, name: string, bits = 2048, passphrase?: string): TestKey {
  const privatePath = path.join(dir, `${name}.pem`);
  const enc = passphrase === undefined ? [] : ['-aes256', '-pass', `pass:${passphrase}`];
  const g = spawnSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, ...enc, '-out', privatePath]);
  if (g.status !== 0) throw new Error(`openssl genpkey failed: ${g.stderr.toString()}`);
  const publicPemPath = path.join(dir, `${name}.spki.pem`);
  const passin = passphrase === undefined ? [] : ['-passin', `pass:${passphrase}`];
  const p = spawnSync('openssl', ['pkey', '-in', privatePath, ...passin, '-pubout', '-out', publicPemPath]);
  if (p.status !== 0) throw new Error(`openssl pkey failed: ${p.stderr.toString()}`);
  const sshPubPath = path.join(dir, `${name}.pub`);
  const line = spawnSync('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', publicPemPath]);
  if (line.status !== 0) throw new Error(`ssh-keygen -i failed: ${line.stderr.toString()}`);
  fs.writeFileSync(sshPubPath, `${line.stdout.toString().trim()} ${name}@example.com\n`);
  return { privatePath, publicPemPath, sshPubPath, fingerprint: sshFingerprint(sshPubPath) };
}

/** `ssh-keygen -lf FILE`'s fingerprint field. */
export function sshFingerprint(file: string): string {
  const r = spawnSync('ssh-keygen', ['-lf', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen -lf failed: ${r.stderr.toString()}`);
  return r.stdout.toString().split(' ')[1];
}

/** Lists a directory, for "no file (and no temp file) was left behind" assertions. */
export function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
