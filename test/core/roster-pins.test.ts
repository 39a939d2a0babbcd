// Pins (docs/ROSTER.md §6): which entries are used without asking.
import * as assert from 'node:assert/strict';
import { confirmPins, reviewRoster, samePins } from '../../src/core/roster-pins';
import type { EntryVerdict, RosterVerification } from '../../src/core/roster-records';

const A = `SHA256:${'A'.repeat(43)}`;
const B = `SHA256:${'B'.repeat(43)}`;
const M = `SHA256:${'M'.repeat(43)}`;
const ROOT = `SHA256:${'R'.repeat(43)}`;

function verification(verdicts: Record<string, EntryVerdict>, signed = false, rootMembers: { name: string; fingerprint: string }[] = []): RosterVerification {
  return { signed, rootId: signed ? ROOT : undefined, rootMembers, entries: new Map(Object.entries(verdicts)), problems: [], missing: [] };
}
const unverified: EntryVerdict = { status: 'unverified', reason: 'no member has signed this entry' };
const verified: EntryVerdict = { status: 'verified', byFingerprint: A, time: '2026-01-01T00:00:00.000Z' };

describe('core/roster-pins', () => {
  it('first use of a plain roster pins everything; afterwards a changed key and a newcomer are questions', () => {
    const first = reviewRoster([{ name: 'alice', fingerprint: A }], verification({ alice: unverified }), undefined, { tofu: true });
    assert.deepEqual(first.questions, []);
    assert.deepEqual(first.next, { members: { alice: A } });
    const later = reviewRoster(
      [{ name: 'alice', fingerprint: M }, { name: 'mallory', fingerprint: B }],
      verification({ alice: unverified, mallory: unverified }),
      first.next,
      { tofu: true },
    );
    assert.deepEqual(later.questions.map((q) => [q.name, q.pinned]), [['alice', A], ['mallory', undefined]]);
    assert.deepEqual(later.accepted, []);
  });

  it('a pins file (no trust on first use) accepts only what it lists', () => {
    const r = reviewRoster([{ name: 'alice', fingerprint: A }], verification({ alice: unverified }), { members: {} }, { tofu: false });
    assert.equal(r.questions.length, 1);
  });

  it('verified entries pass when the root is pinned, or new and naming only pinned keys; not under a replaced root', () => {
    const entries = [{ name: 'alice', fingerprint: A }, { name: 'bob', fingerprint: B }];
    const v = verification({ alice: verified, bob: verified }, true, [{ name: 'alice', fingerprint: A }]);
    assert.deepEqual(reviewRoster(entries, v, { root: ROOT, members: {} }, { tofu: true }).questions, []);
    const adopted = reviewRoster(entries, v, { members: { alice: A } }, { tofu: true });
    assert.deepEqual(adopted.questions, []);
    assert.equal(adopted.next.root, ROOT);
    const replaced = reviewRoster(entries, v, { root: `SHA256:${'X'.repeat(43)}`, members: { alice: A } }, { tofu: true });
    assert.deepEqual(replaced.questions.map((q) => q.name), ['bob']);
    const foreignRoot = reviewRoster(entries, verification({ alice: verified, bob: verified }, true, [{ name: 'mallory', fingerprint: M }]), { members: { alice: A } }, { tofu: true });
    assert.deepEqual(foreignRoot.questions.map((q) => q.name), ['bob']);
  });

  it('a broken entry is always a question, even with its key pinned', () => {
    const r = reviewRoster([{ name: 'bob', fingerprint: B }], verification({ bob: { status: 'broken', reason: 'removed' } }, true, []), { root: ROOT, members: { bob: B } }, { tofu: true });
    assert.deepEqual(r.questions.map((q) => q.name), ['bob']);
    assert.deepEqual(confirmPins({ root: ROOT, members: {} }, [{ name: 'bob', fingerprint: B }]), { root: ROOT, members: { bob: B } });
  });

  it('samePins ignores member order, not content', () => {
    assert.equal(samePins({ members: { a: A, b: B } }, { members: { b: B, a: A } }), true);
    assert.equal(samePins(undefined, { members: {} }), true);
    assert.equal(samePins({ members: { a: A } }, { members: { a: B } }), false);
    assert.equal(samePins({ root: ROOT, members: {} }, { members: {} }), false);
  });
});
