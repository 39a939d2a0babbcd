import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../src/core/errors';
import { mergeBytes, mergeLines } from '../../src/core/line-merge';

/** `git merge-file -p` on three texts, with git's labels set to ours/base/theirs. */
function gitMergeFile(dir: string, base: Uint8Array, ours: Uint8Array, theirs: Uint8Array, markerSize?: number): { merged: Buffer; conflicts: number } {
  fs.writeFileSync(path.join(dir, 'base'), base);
  fs.writeFileSync(path.join(dir, 'ours'), ours);
  fs.writeFileSync(path.join(dir, 'theirs'), theirs);
  const args = ['merge-file', '-p', '-L', 'ours', '-L', 'base', '-L', 'theirs'];
  if (markerSize !== undefined) args.push(`--marker-size=${markerSize}`);
  const r = spawnSync('git', [...args, 'ours', 'base', 'theirs'], { cwd: dir });
  if (r.status === null || r.status < 0 || r.status > 127) throw new Error(`git merge-file failed: ${r.stderr}`);
  return { merged: r.stdout, conflicts: r.status };
}

/** An edit of a list of lines: per line keep, drop, replace or insert before it; then maybe append. */
function edited(lineArb: fc.Arbitrary<string>) {
  return (base: string[]) =>
    fc
      .tuple(
        fc.array(fc.tuple(fc.constantFrom('keep', 'keep', 'keep', 'keep', 'drop', 'replace', 'insert'), fc.array(lineArb, { minLength: 1, maxLength: 3 })), { minLength: base.length, maxLength: base.length }),
        fc.array(lineArb, { maxLength: 2 }),
      )
      .map(([ops, tail]) => {
        const out: string[] = [];
        base.forEach((line, k) => {
          const [op, extra] = ops[k];
          if (op === 'keep') out.push(line);
          else if (op === 'replace') out.push(...extra);
          else if (op === 'insert') out.push(...extra, line);
        });
        return [...out, ...tail];
      });
}

function threeVersions(lineArb: fc.Arbitrary<string>, maxLines: number) {
  return fc.array(lineArb, { maxLength: maxLines }).chain((base) => fc.tuple(fc.constant(base), edited(lineArb)(base), edited(lineArb)(base), fc.boolean(), fc.boolean()));
}

const enc = (lines: string[], dropFinalNewline: boolean): Uint8Array => {
  let s = lines.join('');
  if (dropFinalNewline && s.endsWith('\n')) s = s.slice(0, -1);
  return new TextEncoder().encode(s);
};

describe('line-merge: git merge-file as the oracle', function () {
  this.timeout(240_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-merge-oracle-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = (lineArb: fc.Arbitrary<string>, maxLines: number, numRuns: number) =>
    fc.assert(
      fc.property(threeVersions(lineArb, maxLines), ([base, ours, theirs, noNlOurs, noNlTheirs]) => {
        const b = enc(base, false);
        const o = enc(ours, noNlOurs);
        const t = enc(theirs, noNlTheirs);
        const git = gitMergeFile(dir, b, o, t);
        const mine = mergeBytes(b, o, t, { ours: 'ours', theirs: 'theirs' });
        assert.equal(mine.conflicts === 0, git.conflicts === 0, 'clean exactly when git merges cleanly');
        assert.equal(mine.conflicts, git.conflicts, 'as many conflict hunks as git');
        assert.equal(Buffer.from(mine.merged).toString('latin1'), git.merged.toString('latin1'));
      }),
      { numRuns },
    );

  it('random edits of short files with many repeated lines: the same merge, clean or conflicted', () => {
    check(fc.constantFrom('a\n', 'b\n', 'c\n', '\n', '}\n', 'x\n'), 14, 400);
  });

  it('random edits of longer files (xdiff pre-pass and heuristics engaged): the same merge', () => {
    check(fc.integer({ min: 0, max: 40 }).map((n) => `line ${n}\n`), 120, 150);
  });

  it('CRLF files, bytes that are not UTF-8: the same merge', () => {
    check(fc.constantFrom('a\r\n', 'b\r\n', '\xff\r\n', 'c\n', '\r\n'), 12, 200);
  });

  it('a rewrite of a large file (cost above xdiff\'s limits) merges as git does', () => {
    const rng = fc.sample(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3000, maxLength: 3000 }), { numRuns: 3, seed: 7 });
    const [b, o, t] = rng.map((nums) => new TextEncoder().encode(nums.map((n) => `v${n}\n`).join('')));
    const git = gitMergeFile(dir, b, o, t);
    const mine = mergeBytes(b, o, t, { ours: 'ours', theirs: 'theirs' });
    assert.equal(mine.conflicts, git.conflicts);
    assert.equal(Buffer.from(mine.merged).toString('latin1'), git.merged.toString('latin1'));
  });

  it('different lines merge clean; the same line conflicts with git\'s markers', () => {
    const base = 'A=1\nB=2\nC=3\n';
    assert.deepEqual(mergeLines(base, 'A=10\nB=2\nC=3\n', 'A=1\nB=2\nC=30\n'), { text: 'A=10\nB=2\nC=30\n', conflicts: 0 });
    const r = mergeLines(base, 'A=1\nB=ours\nC=3\n', 'A=1\nB=theirs\nC=3\n', { ours: 'HEAD', theirs: 'feature' });
    assert.equal(r.text, 'A=1\n<<<<<<< HEAD\nB=ours\n=======\nB=theirs\n>>>>>>> feature\nC=3\n');
    assert.equal(r.conflicts, 1);
  });

  it('the marker size is git\'s --marker-size, and a silly one is refused', () => {
    const b = new TextEncoder().encode('x\n');
    const o = new TextEncoder().encode('y\n');
    const t = new TextEncoder().encode('z\n');
    const git = gitMergeFile(dir, b, o, t, 10);
    assert.equal(Buffer.from(mergeBytes(b, o, t, { ours: 'ours', theirs: 'theirs' }, 10).merged).toString(), git.merged.toString());
    assert.throws(() => mergeLines('', 'a', 'b', {}, 0), InvalidArgumentError);
  });
});
