// Pinned fingerprints (docs/ROSTER.md §6): what this user has already encrypted to or confirmed, per
// roster, kept outside the repository. reviewRoster() decides which roster entries may be used without
// asking: a pinned name with its pinned key, an entry verified through a root of trust the pins already
// accept, or, the first time a plain roster is used, everything in it (trust on first use). Every other
// entry (a changed key, a newcomer nobody verifiably signed, a broken entry) is a question for the user.
import type { EntryVerdict, RosterKeyEntry, RosterVerification } from './roster-records';

export interface RosterPins {
  /** The root of trust accepted for this roster (RosterVerification.rootId). */
  root?: string;
  /** Roster name → pinned fingerprint. */
  members: Record<string, string>;
}

export interface PinQuestion {
  name: string;
  fingerprint: string;
  /** The fingerprint pinned for this name before, when the key changed; undefined for a newcomer. */
  pinned?: string;
  verdict: EntryVerdict;
}

export interface PinReview {
  /** Entries usable without asking. */
  accepted: RosterKeyEntry[];
  /** Entries that need a decision (broken ones can only be excluded or fixed). */
  questions: PinQuestion[];
  /** The pins once the accepted entries are used (the root too, when it is trusted). */
  next: RosterPins;
  /** The signed root is accepted: verified entries need no question. */
  rootTrusted: boolean;
}

export interface ReviewOptions {
  /** Pins may grow by trust on first use (the user's store); false for a pins file CI controls. */
  tofu: boolean;
}

function pinned(pins: RosterPins | undefined, name: string): string | undefined {
  return pins && Object.prototype.hasOwnProperty.call(pins.members, name) ? pins.members[name] : undefined;
}

export function reviewRoster(entries: readonly RosterKeyEntry[], verification: RosterVerification, pins: RosterPins | undefined, options: ReviewOptions): PinReview {
  const firstUse = options.tofu && (!pins || (pins.root === undefined && Object.keys(pins.members).length === 0));
  // A root is accepted when it is the one pinned, or, seen for the first time, when every member it
  // names is pinned with the same key: an attacker's new root would have to name only keys the user
  // already trusts, and then it vouches for nothing new by itself.
  const rootTrusted =
    verification.signed &&
    (pins?.root !== undefined
      ? pins.root === verification.rootId
      : firstUse || verification.rootMembers.every((m) => pinned(pins, m.name) === m.fingerprint));
  const accepted: RosterKeyEntry[] = [];
  const questions: PinQuestion[] = [];
  for (const e of entries) {
    const verdict = verification.entries.get(e.name) ?? { status: 'unverified', reason: 'not checked' };
    const before = pinned(pins, e.name);
    if (verdict.status !== 'broken' && (before === e.fingerprint || (verdict.status === 'verified' && rootTrusted) || (firstUse && !verification.signed))) {
      accepted.push(e);
    } else {
      questions.push({ name: e.name, fingerprint: e.fingerprint, ...(before !== undefined && before !== e.fingerprint ? { pinned: before } : {}), verdict });
    }
  }
  const next: RosterPins = { members: { ...(pins?.members ?? {}) } };
  const root = rootTrusted ? verification.rootId : pins?.root;
  if (root !== undefined) next.root = root;
  for (const e of accepted) next.members[e.name] = e.fingerprint;
  return { accepted, questions, next, rootTrusted };
}

/** The pins after the user confirmed `confirmed` (each name with the fingerprint they saw). */
export function confirmPins(pins: RosterPins | undefined, confirmed: readonly RosterKeyEntry[]): RosterPins {
  const next: RosterPins = { members: { ...(pins?.members ?? {}) } };
  if (pins?.root !== undefined) next.root = pins.root;
  for (const e of confirmed) next.members[e.name] = e.fingerprint;
  return next;
}

/**
 * The pins after the user vouched for `confirmed` themselves (trusted, signed or added them): what a
 * review of the roster accepts anyway (the first use, a trusted root) and those names. `entries` and
 * `verification` are the roster as it is now, the user's own record included. Pinning the confirmed
 * names alone would end the first use with the root and the rest of the team unpinned, and the next
 * review would ask about teammates nothing changed.
 */
export function pinsAfterVouching(entries: readonly RosterKeyEntry[], verification: RosterVerification, pins: RosterPins | undefined, confirmed: readonly RosterKeyEntry[]): RosterPins {
  return confirmPins(reviewRoster(entries, verification, pins, { tofu: true }).next, confirmed);
}

/** Whether two pin sets say the same (member order aside): callers rewrite the store only on a change. */
export function samePins(a: RosterPins | undefined, b: RosterPins | undefined): boolean {
  const x = a ?? { members: {} };
  const y = b ?? { members: {} };
  const names = Object.keys(x.members);
  return x.root === y.root && names.length === Object.keys(y.members).length && names.every((n) => pinned(y, n) === x.members[n]);
}
