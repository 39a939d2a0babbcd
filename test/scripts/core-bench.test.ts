// `npm run bench` is run by hand, never by CI, so a change that breaks one of its checks (the round trip,
// one RSA unwrap per file, a fixture the core now refuses to seal) would surface only on the next
// measurement: stop 34's YAML alias rule did exactly that. This runs every row of the core bench once,
// with no warm-up, and looks only at whether each check passed. It times nothing: figures come from
// `npm run bench`.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the core bench (scripts/bench/core-bench.ts)', () => {
  it('runs every row once and each of its checks passes', function () {
    this.timeout(180000);
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-core-bench-'));
    try {
      const options = {
        decryptRuns: 1,
        shamirRuns: 1,
        valuesRuns: 1,
        keygenRuns: 1,
        warmupRuns: 0,
        tempDir,
        helmValuesDir: path.join(ROOT, 'test', 'fixtures', 'helm-values'),
      };
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'bench', 'core-bench.ts'), JSON.stringify(options)], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      });
      assert.equal(r.status, 0, r.stderr);
      const rows = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      assert.deepEqual(Object.keys(rows).sort(), ['decryptOneMiB', 'keygen', 'shamirLargest', 'valuesEnv', 'valuesYaml', 'valuesYamlWild']);
      const wild = rows.valuesYamlWild as { ms: number[]; values: number };
      assert.equal(wild.ms.length, 1);
      assert.ok(wild.values > 7000, `${wild.values} values sealed in the stream from the wild`);
    } finally {
      fs.rmSync(tempDir, { recursive: true, force: true });
    }
  });
});
