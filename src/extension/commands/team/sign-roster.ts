// Sign the Current Roster (docs/ROSTER.md §7): a team adopting signed rosters signs what it has in one
// step. The first time, the current members become the root of trust, signed by me (I must be one of
// them); afterwards each unverified entry gets an addition record signed by me (I must be verified).
// Either way I vouch for keys, so a modal lists every name and fingerprint first. Also the signing
// that Add Teammate, Add Myself and Remove Teammate do after they change the roster.
import * as vscode from 'vscode';
import { displayText } from '../../../core/display-text';
import { CustodianError } from '../../../core/errors';
import type { RsaPrivateKey } from '../../../core/keys';
import type { RecordBody, RosterVerification } from '../../../core/roster-records';
import type { RosterMember } from '../../storage/roster';
import { targetFolder } from '../../storage/workspace-files';
import { fromArgument, is, type Shape } from '../arguments';
import type { TeamDeps } from './register';

export interface SignRosterArgs {
  folder?: vscode.Uri;
  /** Also re-sign these broken entries (a changed key the user checked). */
  names?: string[];
  /** Sign only these entries (unverified or broken): the ones whose fingerprints the user just checked. */
  only?: string[];
  /** Skip the modal listing what is signed (honoured only in ExtensionMode.Test). */
  confirm?: boolean;
}

const SIGN_ROSTER_ARGS: Shape<SignRosterArgs> = { folder: is.uri, names: is.strings, only: is.strings, confirm: is.boolean };

export interface SignRosterResult {
  root: boolean;
  signed: string[];
}

export async function signRoster(deps: TeamDeps, arg: unknown): Promise<SignRosterResult | undefined> {
  return sign(deps, fromArgument(arg, SIGN_ROSTER_ARGS), true);
}

/**
 * Signs one entry whose fingerprint the user has just compared and matched (Verify Fingerprint), after they
 * chose to sign it there: the modal listing what is signed would ask the same question again.
 */
export async function signCheckedEntry(deps: TeamDeps, folder: vscode.Uri, name: string): Promise<SignRosterResult | undefined> {
  return sign(deps, { folder, only: [name] }, false);
}

async function sign(deps: TeamDeps, a: Partial<SignRosterArgs>, ask: boolean): Promise<SignRosterResult | undefined> {
  const folder = targetFolder(a.folder);
  const members = await deps.session.rosterMembers(folder);
  const me = deps.keys.current.getDefault();
  const mine = me && members.find((m) => m.key.fingerprint === me.fingerprint);
  if (!mine) {
    throw new CustodianError(vscode.l10n.t('Your default key is not in this roster: your signature would not count.'), {
      hint: vscode.l10n.t('Add yourself to the team first (Add Myself to Team), or make the key that is in the roster your default.'),
    });
  }
  const signed = await deps.rosterTrust.isSigned(folder);
  let targets: RosterMember[];
  if (!signed) {
    targets = members;
  } else {
    const checked = await deps.rosterTrust.verify(folder, members);
    const verdict = (m: RosterMember) => checked?.verification.entries.get(m.name);
    if (verdict(mine)?.status !== 'verified') {
      throw new CustodianError(vscode.l10n.t('You are not a verified member of this roster: your signature would not count.'), { hint: vscode.l10n.t('Ask a verified member to sign your entry first.') });
    }
    const named = new Set([...(a.names ?? []), ...(a.only ?? [])]);
    targets = members.filter((m) => verdict(m)?.status === 'unverified' || (named.has(m.name) && verdict(m)?.status === 'broken'));
    if (a.only) targets = targets.filter((m) => a.only!.includes(m.name));
    if (targets.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to sign: every entry of the roster is verified (a broken entry is re-signed only when named).'));
      return { root: false, signed: [] };
    }
  }
  const testMode = deps.extensionMode === vscode.ExtensionMode.Test;
  if (ask && !(testMode && a.confirm === true)) {
    const detail = [
      signed ? vscode.l10n.t('You sign these entries: you vouch that each key belongs to that person.') : vscode.l10n.t('These members become the root of trust: you vouch that each key belongs to that person.'),
      '',
      ...targets.map((m) => `• ${displayText(m.name)}  ${m.key.fingerprint}`),
      '',
      vscode.l10n.t('Compare each fingerprint with its owner over a channel you trust first. Commit the records under .custodian/team/records/ afterwards.'),
    ].join('\n');
    const action = vscode.l10n.t('Sign Roster');
    const choice = await vscode.window.showWarningMessage(
      signed
        ? targets.length === 1
          ? vscode.l10n.t('Sign the unverified roster entry {0}?', displayText(targets[0].name))
          : vscode.l10n.t('Sign {0} unverified roster entries?', targets.length)
        : targets.length === 1
          ? vscode.l10n.t('Sign the current roster (1 member) as its root of trust?')
          : vscode.l10n.t('Sign the current roster ({0} members) as its root of trust?', targets.length),
      { modal: true, detail },
      action,
    );
    if (choice !== action) return undefined;
  }
  const signer = await deps.session.signer();
  try {
    if (!signed) await deps.rosterTrust.record(folder, { op: 'root', members: targets.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint })) }, signer);
    else for (const m of targets) await deps.rosterTrust.record(folder, { op: 'add', name: m.name, fingerprint: m.key.fingerprint }, signer);
  } finally {
    deps.session.release(signer);
  }
  await deps.rosterTrust.pin(folder, await deps.session.rosterMembers(folder, 'skip'), targets.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint })));
  void vscode.window.showInformationMessage(
    targets.length === 1
      ? vscode.l10n.t('Signed the roster entry {0}. Commit .custodian/team/records/ so teammates see it verified.', displayText(targets[0].name))
      : vscode.l10n.t('Signed {0} roster entries. Commit .custodian/team/records/ so teammates see them verified.', targets.length),
  );
  return { root: !signed, signed: targets.map((m) => m.name) };
}

/**
 * A removed member's records count for nothing from now on (ROSTER.md §5: one could be dated back to
 * before the removal), so whom they had vouched for would turn unverified in every fresh clone: the
 * remover, who saw those entries verified a moment ago, signs them again (`custodian roster remove` too).
 */
async function vouchAgain(deps: TeamDeps, folder: vscode.WorkspaceFolder, removed: string, before: RosterVerification, signer: RsaPrivateKey): Promise<void> {
  const members = (await deps.session.rosterMembers(folder, 'skip')).filter((m) => m.name !== removed);
  const after = await deps.rosterTrust.verify(folder, members);
  for (const m of members) {
    if (before.entries.get(m.name)?.status === 'verified' && after?.verification.entries.get(m.name)?.status === 'unverified') {
      await deps.rosterTrust.record(folder, { op: 'add', name: m.name, fingerprint: m.key.fingerprint }, signer);
    }
  }
}

/**
 * After Add Teammate / Add Myself / Remove Teammate changed the roster: the record of that change,
 * signed with my default key (a roster's first member becomes its root). Without a default key nothing
 * is signed and the entry shows as unverified.
 */
export async function recordChange(deps: TeamDeps, folder: vscode.WorkspaceFolder, body: Exclude<RecordBody, { op: 'root' }>, firstMember: boolean): Promise<void> {
  if (folder.uri.scheme !== 'file' || !deps.keys.current.getDefault()) return;
  const signer = await deps.session.signer();
  try {
    const root = firstMember && body.op === 'add' && body.fingerprint === signer.publicKey.fingerprint && !(await deps.rosterTrust.isSigned(folder));
    const before = body.op === 'remove' ? await deps.rosterTrust.verify(folder, await deps.session.rosterMembers(folder, 'skip')) : undefined;
    await deps.rosterTrust.record(folder, root ? { op: 'root', members: [{ name: body.name, fingerprint: body.fingerprint }] } : body, signer);
    if (before?.verification.signed) await vouchAgain(deps, folder, body.name, before.verification, signer);
  } finally {
    deps.session.release(signer);
  }
  const members = await deps.session.rosterMembers(folder, 'skip');
  if (body.op !== 'remove') await deps.rosterTrust.pin(folder, members, [{ name: body.name, fingerprint: body.fingerprint }]);
  else await deps.rosterTrust.pin(folder, members, [], [body.name]);
}
