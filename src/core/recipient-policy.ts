// Whose files may be re-keyed to "the team", and what a writer records about its recipients
// (docs/FORMAT.md §3.4). One module decides for every flow that re-encrypts (the drift view,
// Re-encrypt File/All, Remove Teammate, saving in the .enc editor, the CLI's rekey), so none can widen
// a Shamir share, an MFA seed for a subset or a file for chosen people to the whole team.
import type { RecipientPolicy } from './envelope-header';

/** Why a file keeps its recipients; undefined when it may be re-encrypted for the team. */
export type KeepReason = 'share' | 'mfa' | 'chosen';

// Shares are sealed to one custodian each: re-keying one to several people collapses the threshold,
// so their location wins over whatever the header says. MFA seeds and other files written before the
// recipient-policy field carry no statement; seeds are often for a subset, so they are kept unless
// their header says "team".
const SHARES = /(^|[\\/])\.custodian[\\/]shares[\\/]/;
const MFA = /(^|[\\/])\.custodian[\\/]mfa[\\/]/;

/** Whether the file at `path` is a shared MFA seed (under `.custodian/mfa/`), whatever its recipients. */
export function isMfaSeedPath(path: string): boolean {
  return MFA.test(path);
}

/**
 * Whether the file at `path` (any form: absolute or workspace-relative) must keep its recipients,
 * given its header's recipient-policy field (`undefined` for files written before it).
 * `signerVouched`: whether the file's signer is someone the reader vouches for (a teammate, a contact,
 * me). A "chosen" statement is part of what the signer wrote: from an outsider, a former teammate or
 * no one, it would let them keep a file for themselves out of every re-keying, so it counts for nothing
 * (docs/FORMAT.md §3.4). A share's location still wins: re-keying a share collapses the threshold.
 */
export function keepReason(path: string, policy: RecipientPolicy | undefined, signerVouched = true): KeepReason | undefined {
  if (SHARES.test(path)) return 'share';
  if (policy === 'chosen' && signerVouched) return 'chosen';
  if (isMfaSeedPath(path) && policy !== 'team') return 'mfa';
  return undefined;
}

/**
 * Whether a file's "chosen" statement counts (keepReason's `signerVouched`): from a signer I vouch for,
 * or from anyone when every recipient is on the team. It is discounted so that an outsider cannot keep a
 * file for themselves out of re-keying; a file only teammates read gains no one by being kept, while
 * re-keying it to the team can hand everyone a custodian's Shamir share (a red team moved a share set out
 * of .custodian/shares/, its dealer removed since, and Re-encrypt All sealed the share to the team).
 */
export function choiceCounts(signerVouched: boolean, recipients: readonly string[], team: Iterable<string>): boolean {
  if (signerVouched) return true;
  const onTeam = new Set(team);
  return recipients.length > 0 && recipients.every((fingerprint) => onTeam.has(fingerprint));
}

/** A sentence for the user: why the file is left alone. */
export function describeKeepReason(reason: KeepReason): string {
  switch (reason) {
    case 'share':
      return 'a Shamir share stays sealed to its custodian only';
    case 'mfa':
      return 'an MFA seed keeps the recipients it was shared with';
    case 'chosen':
      return 'its recipients were chosen, not "the team"';
  }
}

/**
 * What a new file records (§3.4): "team" when `recipients` are exactly `team` (same fingerprints),
 * otherwise "chosen". A share is always "chosen".
 */
export function policyForNewFile(path: string, recipients: readonly string[], team: readonly string[]): RecipientPolicy {
  if (SHARES.test(path)) return 'chosen';
  const want = new Set(team);
  const have = new Set(recipients);
  return want.size > 0 && have.size === want.size && [...have].every((fp) => want.has(fp)) ? 'team' : 'chosen';
}

/**
 * What a file re-encrypted to its own recipients (a save in the editor) records: its old statement,
 * "chosen" where the location says so, and nothing for other files that had none (so a team file written
 * before the field can still be re-keyed when the team changes).
 */
export function policyForSave(path: string, previous: RecipientPolicy | undefined, signerVouched = true): RecipientPolicy | undefined {
  const keep = keepReason(path, previous, signerVouched);
  if (keep) return 'chosen';
  // A "chosen" that counted for nothing (see keepReason) is not written again under my signature.
  return previous === 'chosen' ? undefined : previous;
}
