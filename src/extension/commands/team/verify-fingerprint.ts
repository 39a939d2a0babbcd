import * as vscode from 'vscode';
import { base64EncodeUnpadded, hexDecode } from '../../../core/bytes';
import { CustodianError } from '../../../core/errors';
import type { RosterMember } from '../../storage/roster';
import { CommandId } from '../ids';
import { signCheckedEntry } from './sign-roster';
import type { TeamDeps } from './register';
import { fromArgument, is, type Shape } from '../arguments';
import { contactWithId, isInteractive, rosterEntryAt, TARGET_ARGS, type TargetArgs } from '../pick';

export interface VerifyFingerprintArgs extends TargetArgs {
  /** What the other person read out: `SHA256:…`, the bare base64, a `ssh-keygen -lf` line, or hex. */
  fingerprint?: string;
}

export interface VerifyFingerprintResult {
  match: boolean;
  /** The fingerprint of the key that was checked. */
  expected: string;
}

/**
 * Brings a fingerprint typed or pasted by a person into the `SHA256:<base64>` form: picks the
 * `SHA256:` token out of a `ssh-keygen -lf` line, ignores case of the prefix, whitespace and `=`
 * padding, and accepts the 32 bytes as hex (with or without colons). Undefined when unrecognisable.
 */
export function normalizeFingerprint(input: string): string | undefined {
  const prefix = /sha256:/i.exec(input);
  if (prefix) {
    // Chunks after the prefix, until 43 base64 characters are collected (a comment may follow).
    let b64 = '';
    for (const chunk of input.slice(prefix.index + prefix[0].length).trim().split(/\s+/)) {
      if (b64.length >= 43) break;
      const clean = chunk.replace(/=+$/, '');
      if (!/^[A-Za-z0-9+/]+$/.test(clean)) break;
      b64 += clean;
    }
    return /^[A-Za-z0-9+/]{43}$/.test(b64) ? `SHA256:${b64}` : undefined;
  }
  const compact = input.replace(/[\s=]/g, '');
  const hex = compact.replace(/:/g, '');
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return `SHA256:${base64EncodeUnpadded(hexDecode(hex.toLowerCase()))}`;
  if (/^[A-Za-z0-9+/]{43}$/.test(compact)) return `SHA256:${compact}`;
  return undefined;
}

interface Candidate {
  label: string;
  description: string;
  name: string;
  fingerprint: string;
  /** The roster entry, when the key is a teammate's. */
  member?: RosterMember;
  /** The contact's id, when the key is a contact's. */
  contactId?: string;
}

const VERIFY_FINGERPRINT_ARGS: Shape<VerifyFingerprintArgs> = { ...TARGET_ARGS, fingerprint: is.string };

/** At most this many characters differ for a mismatch to read as a slip in reading or typing. */
const SLIP_MAX_DIFFERENCES = 2;
const FINGERPRINT_PREFIX = 'SHA256:';

interface FingerprintSlip {
  /** Where the first difference is: an index into the `SHA256:…` strings, and the count after `SHA256:` (from 1). */
  index: number;
  position: number;
  differences: number;
  typed: string;
  onFile: string;
}

/**
 * Where a typed fingerprint first differs from the key's, when only one or two characters do: a misread
 * or mistyped character, as a different key's fingerprint differs almost everywhere (making one that
 * agrees in 41 of 43 characters takes a search of well over 2^200 keys). Both are public: saying which
 * character the key has gives nothing away.
 */
function fingerprintSlip(typed: string, onFile: string): FingerprintSlip | undefined {
  if (typed.length !== onFile.length || !typed.startsWith(FINGERPRINT_PREFIX) || !onFile.startsWith(FINGERPRINT_PREFIX)) return undefined;
  const at = [...typed].flatMap((c, i) => (c === onFile[i] ? [] : [i]));
  if (at.length === 0 || at.length > SLIP_MAX_DIFFERENCES) return undefined;
  return { index: at[0], position: at[0] - FINGERPRINT_PREFIX.length + 1, differences: at.length, typed: typed[at[0]], onFile: onFile[at[0]] };
}

export async function verifyFingerprint(deps: TeamDeps, arg: unknown): Promise<VerifyFingerprintResult | undefined> {
  const a = fromArgument(arg, VERIFY_FINGERPRINT_ARGS);
  const target = await resolveTarget(deps, a);
  if (!target) return undefined;
  // Kept for someone else's key only: a mismatch on mine says the other person holds a wrong key for me.
  const recorded = !deps.keys.current.findByFingerprint(target.fingerprint);
  /** Keeps a match (`entered` undefined) or a mismatch with what was entered. */
  const record = async (entered?: string): Promise<void> => {
    if (!recorded) return;
    const time = new Date().toISOString();
    await deps.fingerprintChecks.record(target.fingerprint, entered === undefined ? { result: 'match', name: target.name, time } : { result: 'mismatch', name: target.name, time, entered });
  };
  if (a.fingerprint !== undefined) {
    // Given by a caller: the result is kept at once, and the warning does not hold up the command.
    const normalized = parseFingerprint(a.fingerprint);
    const match = normalized === target.fingerprint;
    await record(match ? undefined : normalized);
    if (match) void confirmMatch(deps, target);
    else void offerRemoval(target, normalized, isInteractive(arg), recorded).then(undefined, () => undefined);
    return { match, expected: target.fingerprint };
  }
  // Typed by a person: a mismatch they choose to type again is not kept; one they leave is.
  let retyping: string | undefined;
  for (;;) {
    const given = await askFingerprint(target.name, retyping, target.fingerprint);
    if (given === undefined) {
      // Typing it again was given up: the mismatch seen stands (dismissing a warning forgets nothing).
      if (retyping !== undefined) await record(retyping);
      return undefined;
    }
    const normalized = parseFingerprint(given);
    // Fingerprints are public: a plain comparison is fine. Base64 is case-sensitive, so no case folding.
    if (normalized === target.fingerprint) {
      await record();
      void confirmMatch(deps, target);
      return { match: true, expected: target.fingerprint };
    }
    const again = vscode.l10n.t('Type It Again');
    const removal = removalOf(target);
    const choice = await vscode.window.showWarningMessage(
      mismatchMessage(target),
      { modal: true, detail: mismatchDetail(target, normalized, recorded) },
      // The first item is the default (Enter) button: never the destructive one.
      again,
      ...(removal ? [removal.title] : []),
    );
    if (choice === again) {
      retyping = normalized;
      continue;
    }
    await record(normalized);
    if (removal && choice === removal.title) await vscode.commands.executeCommand(removal.command, removal.arg);
    return { match: false, expected: target.fingerprint };
  }
}

function parseFingerprint(given: string): string {
  const normalized = normalizeFingerprint(given);
  if (!normalized) throw new CustodianError(vscode.l10n.t('That does not look like a SHA-256 key fingerprint.'), { hint: vscode.l10n.t('Expected SHA256: followed by 43 base64 characters, as ssh-keygen -lf prints it.') });
  return normalized;
}

/** Asks for the fingerprint; typing again after a slip starts from what was typed, the character that differed selected. */
function askFingerprint(name: string, before: string | undefined, onFile: string): Thenable<string | undefined> {
  const slip = before === undefined ? undefined : fingerprintSlip(before, onFile);
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Verify Fingerprint: {0}', name),
    prompt: vscode.l10n.t('Paste or type the fingerprint {0} reads out to you (from a channel you trust)', name),
    placeHolder: 'SHA256:…',
    ignoreFocusOut: true,
    ...(before !== undefined && slip ? { value: before, valueSelection: [slip.index, slip.index + 1] as [number, number] } : {}),
    validateInput: (v) =>
      !v.trim() || normalizeFingerprint(v)
        ? undefined
        : vscode.l10n.t('Expected the whole fingerprint: SHA256: and 43 base64 characters (as ssh-keygen -lf prints it), or 64 hex digits. The short form the Team view shows is not enough to tell two keys apart.'),
  });
}

type Target = { name: string; fingerprint: string; member?: RosterMember; contactId?: string };

function removalOf(target: Target): { title: string; command: string; arg: unknown } | undefined {
  if (target.member !== undefined) return { title: vscode.l10n.t('Remove Teammate…'), command: CommandId.RemoveTeammate, arg: { entry: { uri: target.member.uri, name: target.member.name } } };
  if (target.contactId !== undefined) return { title: vscode.l10n.t('Remove Contact…'), command: CommandId.RemoveContact, arg: { contact: { id: target.contactId } } };
  return undefined;
}

function mismatchMessage(target: Target): string {
  return vscode.l10n.t('✗ The fingerprint does NOT match the key of {0} ({1}). Do not trust this key until you know why.', target.name, target.fingerprint);
}

function mismatchDetail(target: Target, given: string, recorded: boolean): string {
  // Both side by side: a person compares what they were told with what is on file.
  const compared = vscode.l10n.t('You entered:  {0}\nOn file:      {1}', given, target.fingerprint);
  const slip = fingerprintSlip(given, target.fingerprint);
  // Still a mismatch to take seriously: the other person may have read out a wrong character, or a wrong key.
  const where = slip
    ? slip.differences === 1
      ? vscode.l10n.t(
          'Only character {0} after "SHA256:" differs: you entered "{1}", the key on file has "{2}". If that is a slip in reading or typing, ask {3} to read that part again and type it again; if they read out "{1}" there, this is not their key.',
          String(slip.position),
          slip.typed,
          slip.onFile,
          target.name,
        )
      : vscode.l10n.t(
          'Only two characters differ; the first is character {0} after "SHA256:": you entered "{1}", the key on file has "{2}". If that is a slip in reading or typing, ask {3} to read that part again and type it again; if they read out "{1}" there, this is not their key.',
          String(slip.position),
          slip.typed,
          slip.onFile,
          target.name,
        )
    : undefined;
  const advice =
    target.member !== undefined
      ? vscode.l10n.t('Files encrypted for the team are readable with this key, whoever holds it, and the Team view still shows who signed it into the roster: that says who added it, not whose it is. Ask {0} for their fingerprint again over a channel you trust; if it still differs, remove the entry and tell the team.', target.name)
      : undefined;
  const kept = recorded ? vscode.l10n.t('Custodian keeps this result: the key is flagged, and encrypting to it asks first, until a check of it matches.') : undefined;
  return [compared, where, advice, kept].filter((p) => p !== undefined).join('\n\n');
}

/**
 * A fingerprint given by a caller that does not match: the key on file may be someone else's, whatever the
 * roster says of it (its "verified" only says who signed it in). The way out is offered with the warning:
 * remove the teammate (which offers re-encrypting without them) or the contact; my own key has no such step.
 * The result is kept (`recorded`, storage/fingerprint-checks.ts), so dismissing the warning forgets nothing.
 */
async function offerRemoval(target: Target, given: string, modal: boolean, recorded: boolean): Promise<void> {
  const removal = removalOf(target);
  const choice = await vscode.window.showWarningMessage(mismatchMessage(target), { modal, detail: mismatchDetail(target, given, recorded) }, ...(removal ? [removal.title] : []));
  if (removal && choice === removal.title) await vscode.commands.executeCommand(removal.command, removal.arg);
}

/**
 * Says the fingerprint matches; for a teammate whose entry in a signed roster is not verified yet, and a
 * user whose own entry is, offers to sign that one entry: the check just made is what signing vouches for.
 */
async function confirmMatch(deps: TeamDeps, target: Candidate | { name: string; fingerprint: string; member?: RosterMember }): Promise<void> {
  const matches = vscode.l10n.t('✓ The fingerprint matches the key of {0}.', target.name);
  const m = target.member;
  const me = deps.keys.current.getDefault();
  const members = m && me ? await deps.session.rosterMembers(m.folder, 'skip') : [];
  const checked = m && members.length > 0 ? await deps.rosterTrust.verify(m.folder, members).catch(() => undefined) : undefined;
  const status = m && checked?.verification.entries.get(m.name)?.status;
  const mine = me && members.find((x) => x.key.fingerprint === me.fingerprint);
  const canSign = checked?.verification.signed === true && mine !== undefined && checked.verification.entries.get(mine.name)?.status === 'verified';
  if (!m || !canSign || (status !== 'unverified' && status !== 'broken')) {
    void vscode.window.showInformationMessage(matches);
    return;
  }
  const sign = vscode.l10n.t('Sign Their Entry');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} Their roster entry is not verified yet: sign it, so the team sees it verified by you?', matches),
    sign,
  );
  if (choice !== sign) return;
  // The notification stays in the notification centre and may be answered much later: a check made since
  // that did not match, or a key swapped in since, takes the offer back (a trial signed an entry from an
  // old notice after a later check had failed).
  const latest = deps.fingerprintChecks.get(m.key.fingerprint);
  const now = (await deps.session.rosterMembers(m.folder, 'skip')).find((x) => x.name === m.name);
  if (latest?.result !== 'match' || now?.key.fingerprint !== m.key.fingerprint) {
    void vscode.window.showWarningMessage(vscode.l10n.t('{0}\'s entry was not signed: their fingerprint was checked again since and did not match, or their key changed. Verify it again first.', target.name));
    return;
  }
  await signCheckedEntry(deps, m.folder.uri, m.name);
}

async function resolveTarget(deps: TeamDeps, a: Partial<VerifyFingerprintArgs>): Promise<{ name: string; fingerprint: string; member?: RosterMember; contactId?: string } | undefined> {
  if (a.entry) {
    const entry = await rosterEntryAt(deps.roster, a.entry.uri);
    if (entry.kind !== 'member') throw new CustodianError(vscode.l10n.t('{0}.pub does not hold a usable key: {1}', entry.name, entry.problem));
    return { name: entry.identity, fingerprint: entry.key.fingerprint, member: entry };
  }
  if (a.contact) {
    const contact = contactWithId(deps.contacts, a.contact.id);
    return { name: contact.name, fingerprint: contact.fingerprint, contactId: contact.id };
  }
  const id = a.keyId ?? a.id;
  if (typeof id === 'string') {
    const mine = deps.keys.current.get(id);
    const contact = deps.contacts.get(id);
    const found = mine ?? contact;
    if (!found) throw new CustodianError(vscode.l10n.t('No key or contact with that id.'));
    return { name: found.name, fingerprint: found.fingerprint, contactId: mine ? undefined : contact?.id };
  }
  if (typeof a.name === 'string') {
    const entry = await deps.roster.find(a.name);
    if (!entry) throw new CustodianError(vscode.l10n.t('"{0}" is not in the team roster.', a.name));
    return resolveTarget(deps, { entry });
  }
  const candidates: Candidate[] = [];
  for (const e of await deps.roster.members()) {
    candidates.push({ label: `$(person) ${e.name}`, description: vscode.l10n.t('team · {0}', e.identity), name: e.identity, fingerprint: e.key.fingerprint, member: e });
  }
  for (const c of deps.contacts.list()) {
    candidates.push({ label: `$(account) ${c.name}`, description: vscode.l10n.t('contact'), name: c.name, fingerprint: c.fingerprint, contactId: c.id });
  }
  for (const k of deps.keys.current.list()) {
    candidates.push({ label: `$(key) ${k.name}`, description: vscode.l10n.t('my key'), name: k.name, fingerprint: k.fingerprint });
  }
  if (candidates.length === 0) throw new CustodianError(vscode.l10n.t('There is no key to verify yet: add a teammate or a contact first.'));
  return vscode.window.showQuickPick(candidates, { placeHolder: vscode.l10n.t('Whose fingerprint do you want to verify?'), matchOnDescription: true });
}
