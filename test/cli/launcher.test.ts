// The launcher (dist/cli.js): runs the bundle with its V8 code cache only when the cache was made for
// exactly that bundle, and runs it from source in every other case.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODE_CACHE_SUFFIX, DEBUG_CODE_CACHE_ENV, encodeCodeCache, readCodeCache, runBundle, writeCodeCache } from '../../src/cli/launcher';
import { cliPath, run } from './helpers';

describe('cli: launcher and code cache', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-launcher-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A bundle that records how it was called, so each test can see it ran, and with what. */
  function writeBundle(name: string, value: number): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `exports.value = ${value}; exports.isMain = require.main === module; exports.filename = __filename; exports.twice = (n) => n * 2;\n`);
    return file;
  }

  function runIt(file: string): { status: string; exports: Record<string, unknown> } {
    const mod = { exports: {} as Record<string, unknown> } as NodeJS.Module & { exports: Record<string, unknown> };
    const status = runBundle(file, mod, require);
    return { status, exports: mod.exports };
  }

  it('runs a bundle as a CommonJS module, from source when there is no cache', () => {
    const file = writeBundle('plain.js', 1);
    const { status, exports } = runIt(file);
    assert.equal(status, 'absent');
    assert.equal(exports.value, 1);
    assert.equal(exports.filename, file);
    assert.equal(exports.isMain, false);
  });

  it('uses a cache written for the bundle, with what the warm-up compiled', async () => {
    const file = writeBundle('cached.js', 2);
    let warmedUp: unknown;
    const bytes = await writeCodeCache(file, async (cli) => {
      warmedUp = (cli as { twice(n: number): number }).twice(21);
    });
    assert.equal(warmedUp, 42);
    assert.ok(bytes > 0);
    assert.equal(readCodeCache(file + CODE_CACHE_SUFFIX, fs.readFileSync(file, 'utf8')).status, 'used');
    const { status, exports } = runIt(file);
    assert.equal(status, 'used');
    assert.equal(exports.value, 2);
  });

  it('ignores a cache made for another bundle, even one of the same length (V8 checks only the length)', async () => {
    const file = writeBundle('edited.js', 3);
    await writeCodeCache(file, async () => undefined);
    writeBundle('edited.js', 4); // same length, other code
    const { status, exports } = runIt(file);
    assert.equal(status, 'stale');
    assert.equal(exports.value, 4);
  });

  it('ignores a cache whose V8 data was changed, and one that is truncated or empty', async () => {
    const file = writeBundle('corrupt.js', 5);
    await writeCodeCache(file, async () => undefined);
    const cacheFile = file + CODE_CACHE_SUFFIX;
    const good = fs.readFileSync(cacheFile);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 0x40;
    for (const bad of [flipped, good.subarray(0, good.length - 10), good.subarray(0, 60), Buffer.alloc(0)]) {
      fs.writeFileSync(cacheFile, bad);
      const { status, exports } = runIt(file);
      assert.equal(status, 'stale');
      assert.equal(exports.value, 5);
    }
  });

  it('runs from source when V8 refuses the cache data (e.g. made by another Node.js version)', () => {
    const file = writeBundle('refused.js', 6);
    // A well-formed header around data that is not a V8 code cache: V8's own checks refuse it.
    fs.writeFileSync(file + CODE_CACHE_SUFFIX, encodeCodeCache(fs.readFileSync(file, 'utf8'), randomBytes(4096)));
    const { status, exports } = runIt(file);
    assert.equal(status, 'rejected');
    assert.equal(exports.value, 6);
  });

  it('the built CLI runs with its code cache, and the same without it or with a stale one', () => {
    const env = { [DEBUG_CODE_CACHE_ENV]: '1' };
    const built = run(['fingerprint', '-h'], { env });
    assert.equal(built.code, 0);
    assert.match(built.stderr, /^custodian: debug: code cache used$/m);

    // A copy of the build without its cache, then with the cache of another bundle.
    const copy = path.join(dir, 'copy');
    fs.mkdirSync(copy);
    for (const name of ['cli.js', 'cli-main.js']) fs.copyFileSync(path.join(path.dirname(cliPath()), name), path.join(copy, name));
    const runCopy = (): ReturnType<typeof run> => {
      const r = run(['fingerprint', '-h'], { env, cli: path.join(copy, 'cli.js') });
      assert.equal(r.code, 0, r.stderr);
      return r;
    };
    const absent = runCopy();
    assert.match(absent.stderr, /code cache absent/);
    assert.equal(absent.out, built.out);
    fs.appendFileSync(path.join(copy, 'cli-main.js'), '\n// edited\n');
    fs.copyFileSync(cliPath().replace(/cli\.js$/, 'cli-main.js.cache'), path.join(copy, 'cli-main.js.cache'));
    const stale = runCopy();
    assert.match(stale.stderr, /code cache stale/);
    assert.equal(stale.out, built.out);
  });
});
