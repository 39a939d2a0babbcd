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

export async function verifyFingerprint(deps: TeamDeps, arg: unknown): Promise<VerifyFingerprintResult | undefined> {
  const a = fromArgument(arg, VERIFY_FINGERPRINT_ARGS);
  const target = await resolveTarget(deps, a);
  if (!target) return undefined;
  const given =
    a.fingerprint ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Verify Fingerprint: {0}', target.name),
      prompt: vscode.l10n.t('Paste or type the fingerprint {0} reads out to you (from a channel you trust)', target.name),
      placeHolder: 'SHA256:…',
      ignoreFocusOut: true,
      validateInput: (v) =>
        !v.trim() || normalizeFingerprint(v)
          ? undefined
          : vscode.l10n.t('Expected the whole fingerprint: SHA256: and 43 base64 characters (as ssh-keygen -lf prints it), or 64 hex digits. The short form the Team view shows is not enough to tell two keys apart.'),
    }));
  if (given === undefined) return undefined;
  const normalized = normalizeFingerprint(given);
  if (!normalized) throw new CustodianError(vscode.l10n.t('That does not look like a SHA-256 key fingerprint.'), { hint: vscode.l10n.t('Expected SHA256: followed by 43 base64 characters, as ssh-keygen -lf prints it.') });
  // Fingerprints are public: a plain comparison is fine. Base64 is case-sensitive, so no case folding.
  const match = normalized === target.fingerprint;
  // Kept for someone else's key only: a mismatch on mine says the other person holds a wrong key for me.
  const recorded = !deps.keys.current.findByFingerprint(target.fingerprint);
  if (recorded) {
    const time = new Date().toISOString();
    await deps.fingerprintChecks.record(target.fingerprint, match ? { result: 'match', name: target.name, time } : { result: 'mismatch', name: target.name, time, entered: normalized });
  }
  if (match) void confirmMatch(deps, target);
  else void offerRemoval(target, normalized, isInteractive(arg), recorded).then(undefined, () => undefined);
  return { match, expected: target.fingerprint };
}

/**
 * A fingerprint that does not match: the key on file may be someone else's, whatever the roster says of
 * it (its "verified" only says who signed it in). The way out is offered with the warning: remove the
 * teammate (which offers re-encrypting without them) or the contact; my own key has no such step.
 * The result is kept (`recorded`, storage/fingerprint-checks.ts), so dismissing the warning forgets nothing.
 */
async function offerRemoval(target: { name: string; fingerprint: string; member?: RosterMember; contactId?: string }, given: string, modal: boolean, recorded: boolean): Promise<void> {
  const removal =
    target.member !== undefined
      ? ([vscode.l10n.t('Remove Teammate…'), CommandId.RemoveTeammate, { entry: { uri: target.member.uri, name: target.member.name } }] as const)
      : target.contactId !== undefined
        ? ([vscode.l10n.t('Remove Contact…'), CommandId.RemoveContact, { contact: { id: target.contactId } }] as const)
        : undefined;
  const message = vscode.l10n.t('✗ The fingerprint does NOT match the key of {0} ({1}). Do not trust this key until you know why.', target.name, target.fingerprint);
  // Both side by side: a person compares what they were told with what is on file.
  const compared = vscode.l10n.t('You entered:  {0}\nOn file:      {1}', given, target.fingerprint);
  const advice =
    target.member !== undefined
      ? vscode.l10n.t('Files encrypted for the team are readable with this key, whoever holds it, and the Team view still shows who signed it into the roster: that says who added it, not whose it is. Ask {0} for their fingerprint again over a channel you trust; if it still differs, remove the entry and tell the team.', target.name)
      : undefined;
  const kept = recorded ? vscode.l10n.t('Custodian keeps this result: the key is flagged, and encrypting to it asks first, until a check of it matches.') : undefined;
  const detail = [compared, advice, kept].filter((p) => p !== undefined).join('\n\n');
  const choice = await vscode.window.showWarningMessage(message, { modal, detail }, ...(removal ? [removal[0]] : []));
  if (removal && choice === removal[0]) await vscode.commands.executeCommand(removal[1], removal[2]);
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
  if (choice === sign) await signCheckedEntry(deps, m.folder.uri, m.name);
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
