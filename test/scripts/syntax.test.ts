// The project's own scripts are plain JavaScript that eslint does not read (its config ignores *.js) and
// that most test runs never load (the bench, the screenshot tools): a syntax error in one would surface
// only when someone runs it. `node --check` parses each without running it.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

function scripts(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return scripts(p);
    return /\.(c?js)$/.test(e.name) ? [p] : [];
  });
}

describe('scripts', () => {
  const files = [...scripts(path.join(ROOT, 'scripts')), path.join(ROOT, 'esbuild.js')];

  it('finds the scripts to check (the check is not vacuous)', () => {
    assert.ok(files.some((f) => f.endsWith(path.join('scripts', 'bench.js'))), files.join('\n'));
  });

  it('every script parses (node --check)', () => {
    const broken = files
      .map((f) => ({ f, r: spawnSync(process.execPath, ['--check', f], { encoding: 'utf8' }) }))
      .filter(({ r }) => r.status !== 0)
      .map(({ f, r }) => `${path.relative(ROOT, f)}: ${r.stderr.split('\n').slice(0, 5).join('\n')}`);
    assert.deepStrictEqual(broken, []);
  }).timeout(60_000);
});
