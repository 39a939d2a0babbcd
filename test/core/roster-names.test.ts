// Roster names (docs/ROSTER.md §2): the safe set, and lookalikes folded together.
import * as assert from 'node:assert/strict';
import { confusableGroups, nameSkeleton, rosterNameProblem } from '../../src/core/roster-names';

describe('core/roster-names', () => {
  it('accepts plain names and refuses anything that could pose as something else', () => {
    for (const ok of ['alice', 'bob.smith', 'carol_2', 'dave+ops', 'eve@example.com', 'A1']) assert.equal(rosterNameProblem(ok), undefined, ok);
    for (const bad of ['', 'Alice (you)', 'alice you', '.hidden', '-x', 'mallory\u202egpj', 'al\u0456ce', 'a\u001b[2J', 'x'.repeat(65), 'ali/ce']) {
      assert.ok(rosterNameProblem(bad), JSON.stringify(bad));
    }
    assert.throws(() => rosterNameProblem(42 as unknown as string), TypeError);
  });

  it('folds case, separators and lookalike glyphs', () => {
    assert.equal(nameSkeleton('Alice'), nameSkeleton('a1ice'));
    assert.equal(nameSkeleton('alice'), nameSkeleton('al.ice'));
    assert.equal(nameSkeleton('mom'), nameSkeleton('rnorn'));
    assert.equal(nameSkeleton('bob0'), nameSkeleton('bobo'));
    assert.notEqual(nameSkeleton('alice'), nameSkeleton('alina'));
  });

  it('groups lookalikes, keeping input order', () => {
    assert.deepEqual(confusableGroups(['alice', 'bob', 'a1ice', 'ALICE', 'carol']), [['alice', 'a1ice', 'ALICE']]);
    assert.deepEqual(confusableGroups(['alice', 'bob']), []);
  });
});
