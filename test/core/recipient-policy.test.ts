// recipient-policy.ts decides, for every re-keying flow, which files keep their recipients, and what a
// writer records (docs/FORMAT.md §3.4). The integration test rekey-policy.test.ts drives the flows.
import { strict as assert } from 'node:assert';
import { choiceCounts, keepReason, policyForNewFile, policyForSave } from '../../src/core/recipient-policy';

describe('recipient-policy', () => {
  it('a share is kept wherever the workspace is and whatever its header says', () => {
    for (const p of ['/ws/.custodian/shares/db/alice.share.enc', '.custodian/shares/db/bob.release-to-carol.share.enc', 'C:\\ws\\.custodian\\shares\\db\\a.share.enc']) {
      assert.equal(keepReason(p, undefined), 'share', p);
      assert.equal(keepReason(p, 'team'), 'share', p);
    }
  });

  it('an MFA seed is kept unless its header says team; any file marked chosen is kept', () => {
    assert.equal(keepReason('/ws/.custodian/mfa/bank.otpauth.enc', undefined), 'mfa');
    assert.equal(keepReason('/ws/.custodian/mfa/bank.otpauth.enc', 'chosen'), 'chosen');
    assert.equal(keepReason('/ws/.custodian/mfa/bank.otpauth.enc', 'team'), undefined);
    assert.equal(keepReason('/ws/secrets/prod.env.enc', 'chosen'), 'chosen');
  });

  it('"chosen" counts only from a signer the reader vouches for; a share\'s location and an MFA seed\'s still win', () => {
    // A removed teammate who marks a file "chosen" for himself must not keep it out of every re-keying.
    assert.equal(keepReason('/ws/secrets/prod.env.enc', 'chosen', false), undefined);
    assert.equal(keepReason('/ws/.custodian/shares/db/bob.share.enc', 'chosen', false), 'share');
    assert.equal(keepReason('/ws/.custodian/mfa/bank.otpauth.enc', 'chosen', false), 'mfa');
    // Nor is it signed again under my name by a save.
    assert.equal(policyForSave('/ws/secrets/prod.env.enc', 'chosen', false), undefined);
    assert.equal(policyForSave('/ws/secrets/prod.env.enc', 'team', false), 'team');
    assert.equal(policyForSave('/ws/.custodian/shares/db/a.share.enc', 'chosen', false), 'chosen');
  });

  it('an unvouched "chosen" counts when only teammates read the file (keeping it widens nothing), not when anyone else does', () => {
    const team = ['SHA256:me', 'SHA256:alice'];
    assert.equal(choiceCounts(true, ['SHA256:mallory'], team), true, 'a vouched signer\'s statement counts');
    // A share moved out of .custodian/shares/, its dealer removed: sealed to me alone, it stays so.
    assert.equal(choiceCounts(false, ['SHA256:me'], team), true);
    assert.equal(keepReason('/ws/archive/db/me.share.enc', 'chosen', choiceCounts(false, ['SHA256:me'], team)), 'chosen');
    // A removed teammate's file for himself and the team: re-keyed past him.
    assert.equal(choiceCounts(false, ['SHA256:me', 'SHA256:bob'], team), false);
    assert.equal(choiceCounts(false, [], team), false);
  });

  it('other files may be re-keyed: marked team, or written before the field', () => {
    assert.equal(keepReason('/ws/secrets/prod.env.enc', 'team'), undefined);
    assert.equal(keepReason('/ws/secrets/prod.env.enc', undefined), undefined);
    // Look-alike names are not the reserved folders.
    assert.equal(keepReason('/ws/my.custodian/shares/x.enc', undefined), undefined);
    assert.equal(keepReason('/ws/.custodian/shares-old/x.enc', undefined), undefined);
  });

  it('a new file is "team" only for exactly the team (order and repeats aside), else "chosen"', () => {
    assert.equal(policyForNewFile('/ws/a.enc', ['b', 'a'], ['a', 'b']), 'team');
    assert.equal(policyForNewFile('/ws/a.enc', ['a', 'a', 'b'], ['a', 'b']), 'team');
    assert.equal(policyForNewFile('/ws/a.enc', ['a'], ['a', 'b']), 'chosen');
    assert.equal(policyForNewFile('/ws/a.enc', ['a', 'b', 'c'], ['a', 'b']), 'chosen');
    assert.equal(policyForNewFile('/ws/a.enc', ['a'], []), 'chosen', 'no roster: no team to speak of');
    assert.equal(policyForNewFile('/ws/.custodian/shares/s/a.share.enc', ['a', 'b'], ['a', 'b']), 'chosen');
  });

  it('a save keeps the statement, marks kept locations chosen, and adds none to a team file written before the field', () => {
    assert.equal(policyForSave('/ws/a.enc', 'chosen'), 'chosen');
    assert.equal(policyForSave('/ws/a.enc', 'team'), 'team');
    assert.equal(policyForSave('/ws/a.enc', undefined), undefined);
    assert.equal(policyForSave('/ws/.custodian/mfa/x.otpauth.enc', undefined), 'chosen');
    assert.equal(policyForSave('/ws/.custodian/shares/s/a.share.enc', 'team'), 'chosen');
  });
});
