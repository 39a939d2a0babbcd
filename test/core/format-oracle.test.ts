// The published vectors of the .enc envelope, its armor and value-encrypted files, checked by a second
// implementation of the formats: test/oracles/custodian_oracle.py, a Python reader (and, where a vector
// records its randomness, writer) written from docs/FORMAT.md and docs/VALUES.md without our sources.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const ORACLE = path.join(ROOT, 'test', 'oracles', 'custodian_oracle.py');
const DIRS = ['envelope', 'armor', 'values', path.join('values', 'v1')];

/** Fails (never skips) when python3, `cryptography` or PyYAML is missing, naming the Debian packages. */
function checkPython(): void {
  const r = spawnSync('python3', ['-c', 'import cryptography, yaml'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      'the format oracle needs python3 with the cryptography and yaml modules ' +
        '(Debian: apt-get install python3 python3-cryptography python3-yaml; scripts/install-system-deps.sh): ' +
        (r.error ? r.error.message : r.stderr.trim()),
    );
  }
}

/** Runs the oracle over `files`; returns its lines by the vector file's base name. */
function runOracle(files: string[]): Map<string, string[]> {
  let out: string;
  try {
    out = execFileSync('python3', [ORACLE, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    if (err.status !== 1 || !err.stdout) throw new Error(`the oracle did not run (exit ${err.status}): ${err.stderr ?? String(e)}`);
    out = err.stdout; // exit 1: some vector failed; the lines say which
  }
  const byFile = new Map<string, string[]>();
  for (const line of out.split('\n').filter(Boolean)) {
    const name = line.replace(/^(PASS|FAIL) /, '').split(/[/:]/)[0];
    byFile.set(name, [...(byFile.get(name) ?? []), line]);
  }
  return byFile;
}

describe('format oracle (independent Python reader of FORMAT.md and VALUES.md)', function () {
  this.timeout(120_000);

  for (const dir of DIRS) {
    const abs = path.join(ROOT, 'test', 'vectors', dir);
    const files = fs.readdirSync(abs).filter((f) => f.endsWith('.json')).sort();

    describe(`test/vectors/${dir.split(path.sep).join('/')}`, () => {
      let lines: Map<string, string[]>;
      before(() => {
        checkPython();
        lines = runOracle(files.map((f) => path.join(abs, f)));
      });

      it('has vectors', () => assert.ok(files.length > 0));

      for (const file of files) {
        const base = file.replace(/\.json$/, '');
        it(base, () => {
          const mine = lines.get(base) ?? [];
          assert.ok(mine.length > 0, `the oracle printed nothing for ${file}`);
          const failing = mine.filter((l) => !l.startsWith('PASS '));
          assert.deepEqual(failing, [], `the oracle rejects ${dir}/${file}:\n${failing.join('\n')}`);
        });
      }
    });
  }
});
