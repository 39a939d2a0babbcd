import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// In a child process: the flag is process-wide and this test process must keep optimizing.
function optimizedAfterWarmUp(stopFirst: boolean): boolean {
  const modulePath = path.resolve(__dirname, '../../src/node/optimizing-compiler.ts');
  const script = `
    const { setFlagsFromString } = require('node:v8');
    setFlagsFromString('--allow-natives-syntax');
    const status = new Function('f', 'return %GetOptimizationStatus(f)');
    if (${stopFirst}) require(${JSON.stringify(modulePath)}).stopOptimizingCompiler();
    function hot(a) { let s = 0; for (let i = 0; i < a.length; i++) s = (s + a[i] * 31) | 0; return s; }
    const data = new Uint8Array(4096).fill(7);
    const deadline = Date.now() + 1000;
    // TurboFan compiles in the background: call until V8 reports optimized code (status bit 16)
    // or time is up.
    while (Date.now() < deadline && !(status(hot) & 16)) for (let i = 0; i < 1000; i++) hot(data);
    process.stdout.write(String(status(hot) & 16 ? 'optimized' : 'not optimized'));
  `;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { encoding: 'utf8', cwd: path.resolve(__dirname, '../..') });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout === 'optimized';
}

describe('node/optimizing-compiler', () => {
  it('V8 optimizes a hot function by default (the check below can tell)', () => {
    assert.equal(optimizedAfterWarmUp(false), true);
  });

  it('after stopOptimizingCompiler, V8 no longer optimizes it', () => {
    assert.equal(optimizedAfterWarmUp(true), false);
  });
});
