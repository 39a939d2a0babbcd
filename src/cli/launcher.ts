// The `custodian` executable (dist/cli.js): runs the CLI bundle (dist/cli-main.js) with V8's code
// cache for it (dist/cli-main.js.cache, written at build time by scripts/lib/cli-code-cache.js), so a
// run does not parse and compile again the code that every run needs: ~5 ms of a ~45 ms small
// command (docs/PERFORMANCE.md). The cache sits next to the bundle and is only ever read here.
// A cache that is missing, made for another bundle, or refused by V8 (another Node.js version or
// other V8 flags) is ignored, and the bundle is compiled from source like any script.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Script } from 'node:vm';

/** The bundle, next to this launcher. */
export const BUNDLE_FILE_NAME = 'cli-main.js';
export const CODE_CACHE_SUFFIX = '.cache';
/** Set to 1 to have the launcher say on stderr whether the code cache was used. */
export const DEBUG_CODE_CACHE_ENV = 'CUSTODIAN_DEBUG_CODE_CACHE';

const MAGIC = 'custodian-v8-code-cache/1\n';
const DIGEST_HEX_LENGTH = 64;
const HEADER_LENGTH = MAGIC.length + 2 * (DIGEST_HEX_LENGTH + 1);

// The bundle runs as Node runs a CommonJS module: one function of these five.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n})';

export type CodeCacheStatus = 'used' | 'absent' | 'stale' | 'rejected';

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The cache's header names the bundle source it was made from and the cache's own digest: V8 checks
 * only the source's *length* (a same-length edit would run stale code) and not the cached bytes.
 */
function header(source: string, data: Uint8Array): string {
  return `${MAGIC}${sha256Hex(source)}\n${sha256Hex(data)}\n`;
}

/** The cache file's bytes: the header, then V8's data. */
export function encodeCodeCache(source: string, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(header(source, data), 'latin1'), data]);
}

/** The V8 cache data in `file` if it was made for exactly `source`; otherwise why not. */
export function readCodeCache(file: string, source: string): { data?: Buffer; status: 'used' | 'absent' | 'stale' } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { status: 'absent' };
  }
  const data = bytes.subarray(HEADER_LENGTH);
  if (data.length === 0 || bytes.subarray(0, HEADER_LENGTH).toString('latin1') !== header(source, data)) return { status: 'stale' };
  return { data, status: 'used' };
}

function compile(bundleFile: string, source: string, cachedData?: Buffer): Script {
  return new Script(WRAPPER_START + source + WRAPPER_END, { filename: bundleFile, cachedData });
}

function run(script: Script, bundleFile: string, mod: { exports: unknown }, req: NodeJS.Require): void {
  const moduleFunction = script.runInThisContext() as (...args: unknown[]) => void;
  moduleFunction.call(mod.exports, mod.exports, req, mod, bundleFile, path.dirname(bundleFile));
}

/**
 * Runs the bundle as the module `mod` (the launcher's own, so the bundle sees itself as the main
 * module and starts the CLI), with its code cache when there is a matching one.
 */
export function runBundle(bundleFile: string, mod: NodeJS.Module, req: NodeJS.Require): CodeCacheStatus {
  const source = readFileSync(bundleFile, 'utf8');
  const cache = readCodeCache(bundleFile + CODE_CACHE_SUFFIX, source);
  const script = compile(bundleFile, source, cache.data);
  run(script, bundleFile, mod, req);
  return cache.data && script.cachedDataRejected ? 'rejected' : cache.status;
}

/**
 * Build time: loads the bundle (not as the main module, so the CLI does not start), lets `warmUp`
 * drive it through its exports, then writes the code cache, which then holds every function the
 * warm-up compiled. Run it in a fresh process: V8 refuses a cache made under other V8 flags.
 */
export async function writeCodeCache(bundleFile: string, warmUp: (cliExports: unknown) => Promise<void>): Promise<number> {
  const source = readFileSync(bundleFile, 'utf8');
  const script = compile(bundleFile, source);
  const mod = { exports: {} };
  run(script, bundleFile, mod, require);
  await warmUp(mod.exports);
  const data = script.createCachedData();
  const target = bundleFile + CODE_CACHE_SUFFIX;
  const temp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, encodeCodeCache(source, data));
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
  return data.length;
}

if (require.main === module) {
  const status = runBundle(path.join(__dirname, BUNDLE_FILE_NAME), module, require);
  if (process.env[DEBUG_CODE_CACHE_ENV] === '1') process.stderr.write(`custodian: debug: code cache ${status}\n`);
}
