// Re-encrypt for Team: a `.enc` file (or every drifted one in the workspace) is decrypted with my key
// and encrypted again to the current roster of its workspace folder (plus me when
// custodian.alwaysIncludeMyself is on), signed by me, replacing the file atomically. A roster with
// unusable entries stops the run before any file changes. Files I cannot decrypt are listed in the
// result and the message, never skipped silently; a failure leaves that file as it was.
// Two things are never re-keyed without the user seeing them: files whose recipients were chosen
// (recipient-policy.ts: refused by every flow), and files that are unsigned or signed by a key
// Custodian does not know (re-encrypting signs them as me): one by one they need a confirmation that
// shows their status; the bulk run skips them and says so, except those a removed teammate wrote last
// while on the team (the files re-keying after a removal must reach), which it lists as signed by me. A file that is an
// older version back (a rollback: signed by a teammate then, it brings back what was rotated since) is
// treated like an unverified one: re-keying it would sign it anew and make it the team's. The bulk run
// itself asks first, listing every file and who will be able to read it. A symbolic link (or a file under
// a linked folder) is never re-keyed, alone or in bulk: what it leads to is not this repository's file.
import * as vscode from 'vscode';
import { FILE_ARGS, fromArgument, is, type Shape } from '../arguments';
import { displayText } from '../../../core/display-text';
import { CustodianError, describeError } from '../../../core/errors';
import type { EnvelopeInfo } from '../../../core/envelope';
import type { RsaPrivateKey } from '../../../core/keys';
import { type CryptoSession, type KnownKey } from '../../crypto-session';
import { readEnvelopeHeader, reencryptFile } from '../../../node/envelope-files';
import { choiceCounts, keepReason, type KeepReason } from '../../../core/recipient-policy';
import { encTargets, rel } from '../decrypt/target';
import type { EncDeps } from '../encrypt/deps';
import { isValuesFile, readValuesHeader, reencryptValuesFile } from '../../fs/values-files';
import { isEncryptedFileUri } from '../../fs/enc-uri';
import { hasValuesFileName } from '../../fs/values-uri';
import { writtenAfterDeletion, type Rollback } from '../../git/git-blobs';
import { linkOf } from './drift';
import { ROSTER_DIR, ROSTER_EXT } from '../../storage/roster';

export interface ReencryptArgs {
  uri?: vscode.Uri;
  uris?: vscode.Uri[];
  /** No summary message. */
  quiet?: boolean;
  /**
   * Workspace run: skip the confirmation that lists the files. Honoured only in ExtensionMode.Test:
   * any extension can run this command, and must not re-key the workspace unseen.
   */
  confirm?: boolean;
  /**
   * Unsigned or unknown-signed files, and older versions back (rollbacks): true re-encrypts (signing them
   * as me) without asking, false skips them; asked per file when absent (single-file runs only: the
   * workspace run always skips them).
   * `true` is honoured only in ExtensionMode.Test: otherwise another extension would have a signing oracle.
   */
  signUnverified?: boolean;
  cancellationToken?: vscode.CancellationToken;
}

const REENCRYPT_ARGS: Shape<ReencryptArgs> = { ...FILE_ARGS, quiet: is.boolean, confirm: is.boolean, signUnverified: is.boolean, cancellationToken: is.cancellationToken };

export interface ReencryptResult {
  reencrypted: vscode.Uri[];
  /** Already encrypted to exactly the team, or keeping chosen recipients (workspace run only). */
  unchanged: vscode.Uri[];
  /** Left as they were on purpose: chosen recipients, an unverified signer, or the user said no. */
  skipped: { uri: vscode.Uri; reason: string }[];
  failed: { uri: vscode.Uri; reason: string; errorName: string }[];
  recipients: string[];
}

const SIGN_AS_ME = (): string => vscode.l10n.t('Re-encrypt and Sign as Me');
const REENCRYPT_ALL = (): string => vscode.l10n.t('Re-encrypt');
const SHOW_CHANGES = (): string => vscode.l10n.t('Show Changes');

interface Planned {
  uri: vscode.Uri;
  header: EnvelopeInfo;
  team: KnownKey[];
  /** Last signed by a teammate removed since (their name): re-encrypting signs their version as me. */
  formerSigner?: string;
  /** Its signer is vouched for: a "chosen" statement of theirs would keep the file (recipient-policy.ts). */
  signerVouched: boolean;
}

export async function reencryptFiles(deps: EncDeps, first: unknown, second: unknown): Promise<ReencryptResult> {
  const { args, uris } = encTargets(first, second, REENCRYPT_ARGS, (uri) => isEncryptedFileUri(uri) || hasValuesFileName(uri));
  return reencrypt(deps, uris, args, false, await deps.drift.rollbacks(uris).catch(() => new Map<string, Rollback>()));
}

export async function reencryptWorkspace(deps: EncDeps, arg: unknown): Promise<ReencryptResult> {
  const args = fromArgument(arg, REENCRYPT_ARGS);
  const report = await deps.drift.scan();
  const drift = report.entries.filter((e) => e.status === 'drift');
  // Nothing drifts, yet the view lists files needing attention: "every file is encrypted for the team" would
  // contradict it. Files that keep chosen recipients are never re-keyed to the team, and one someone outside
  // it can read is not "encrypted for the current team"; links are never re-keyed (a newcomer's trial).
  const exposed = report.entries.filter((e) => e.status === 'exposed');
  const linked = report.entries.filter((e) => e.status === 'linked');
  if (drift.length === 0 && exposed.length + linked.length > 0) {
    const said = [
      ...(exposed.length === 0
        ? []
        : [
            exposed.length === 1
              ? vscode.l10n.t('Nothing to re-encrypt for the team, but {0} keeps chosen recipients and someone not on the team can read it, or wrote it: the Encrypted Files view says who and what to do.', vscode.workspace.asRelativePath(exposed[0].uri))
              : vscode.l10n.t('Nothing to re-encrypt for the team, but {0} files keep chosen recipients and someone not on the team can read them, or wrote them: the Encrypted Files view says who and what to do.', exposed.length),
          ]),
      ...(linked.length === 0
        ? []
        : [
            linked.length === 1
              ? vscode.l10n.t('Nothing to re-encrypt for the team: {0} is a symbolic link, which Custodian never re-encrypts. Its tooltip in Encrypted Files says where it leads and what to do.', vscode.workspace.asRelativePath(linked[0].uri))
              : vscode.l10n.t('Nothing to re-encrypt for the team: {0} files are symbolic links, which Custodian never re-encrypts. Their tooltips in Encrypted Files say where they lead and what to do.', linked.length),
          ]),
    ];
    if (!args.quiet) void vscode.window.showWarningMessage(said.join(' '));
    return {
      reencrypted: [],
      unchanged: report.entries.filter((e) => e.status !== 'linked').map((e) => e.uri),
      skipped: linked.map((e) => ({ uri: e.uri, reason: vscode.l10n.t('a symbolic link') })),
      failed: [],
      recipients: [],
    };
  }
  // A file whose header cannot be read is damaged, not drifted: re-keying cannot help it (the tree
  // says to restore it), so the bulk run leaves it out instead of failing on it.
  const result = await reencrypt(
    deps,
    drift.map((e) => e.uri),
    args,
    true,
    new Map(drift.flatMap((e) => (e.rollback ? [[e.uri.fsPath, e.rollback] as const] : []))),
  );
  result.unchanged.push(...report.entries.filter((e) => e.status !== 'drift').map((e) => e.uri));
  return result;
}

async function reencrypt(deps: EncDeps, uris: vscode.Uri[], given: Partial<ReencryptArgs>, workspace: boolean, rollbacks: ReadonlyMap<string, Rollback>): Promise<ReencryptResult> {
  const testMode = deps.services.extensionMode === vscode.ExtensionMode.Test;
  const args: Partial<ReencryptArgs> = {
    ...given,
    confirm: testMode ? given.confirm : undefined,
    signUnverified: testMode || given.signUnverified === false ? given.signUnverified : undefined,
  };
  const result: ReencryptResult = { reencrypted: [], unchanged: [], skipped: [], failed: [], recipients: [] };
  if (uris.length === 0) {
    if (!args.quiet) void vscode.window.showInformationMessage(vscode.l10n.t('Every .enc file in the workspace is already encrypted for the current team.'));
    return result;
  }
  // Files I cannot open fail here, before the roster is read: its review (a newcomer's first look at the
  // team) is for runs that will encrypt to it.
  const headers = await readablePlan(deps, uris, args, workspace, result, rollbacks);
  const teams = headers.length > 0 ? await teamsOf(deps.session, headers.map((h) => h.uri)) : new Map<string, KnownKey[]>();
  const everyone = [...new Map([...teams.values()].flat().map((k) => [k.fingerprint, k])).values()];
  result.recipients = everyone.map((k) => k.fingerprint);
  const plan: Planned[] = headers.map((h) => ({ ...h, team: teams.get(folderKey(deps.session, h.uri))! }));
  if (workspace && plan.length > 0 && args.confirm !== true && !(await confirmPlan(plan, result))) {
    result.skipped.push(...plan.map((p) => ({ uri: p.uri, reason: 'not confirmed' })));
    return result;
  }
  if (plan.length > 0) await run(deps, plan, args, result);
  deps.services.log.info(`re-encrypt: ${result.reencrypted.length} re-encrypted, ${result.skipped.length} skipped, ${result.failed.length} failed`);
  if (!args.quiet) announce(result, everyone.map((k) => k.name), workspace);
  return result;
}

/**
 * Reads every header first and decides per file: chosen recipients are refused; an unverified signer
 * is skipped in a workspace run and asked about one by one otherwise; unreadable headers fail.
 */
async function readablePlan(
  deps: EncDeps,
  uris: vscode.Uri[],
  args: Partial<ReencryptArgs>,
  workspace: boolean,
  result: ReencryptResult,
  rollbacks: ReadonlyMap<string, Rollback>,
): Promise<Omit<Planned, 'team'>[]> {
  const known = await deps.session.knownKeys();
  const plan: Omit<Planned, 'team'>[] = [];
  // Each folder's team, read once: a workspace run plans every file of it.
  const teams = new Map<string, Promise<string[]>>();
  const teamOf = (uri: vscode.Uri): Promise<string[]> => {
    const key = folderKey(deps.session, uri);
    if (!teams.has(key)) teams.set(key, deps.session.teamFingerprints(uri));
    return teams.get(key)!;
  };
  for (const uri of uris) {
    const linked = await linkedReason(uri);
    if (linked) {
      result.skipped.push({ uri, reason: linked });
      continue;
    }
    let header: EnvelopeInfo;
    try {
      header = isValuesFile(uri) ? await readValuesHeader(uri) : await readEnvelopeHeader(uri.fsPath);
    } catch (err) {
      result.failed.push({ uri, reason: describeError(err), errorName: err instanceof Error ? err.name : 'Error' });
      continue;
    }
    const unverified = deps.session.unverifiedSigner(header, known);
    const choiceHolds = choiceCounts(unverified === undefined, header.recipients, await teamOf(uri));
    const keep = keepReason(uri.fsPath, header.recipientPolicy, choiceHolds);
    if (keep) {
      result.skipped.push({ uri, reason: vscode.l10n.t('{0}; re-encrypting it for the team is refused', keepReasonText(keep)) });
      continue;
    }
    if (!deps.session.canDecrypt(header.recipients)) {
      const err = await deps.session.notARecipient(rel(uri), header.recipients, known);
      result.failed.push({ uri, reason: describeError(err), errorName: err.name });
      continue;
    }
    // An older version back carries the signature it had then: re-keying would make it the team's version.
    const rollback = rollbacks.get(uri.fsPath);
    if (rollback && !(await acceptRollback(uri, rollback, args, workspace))) {
      result.skipped.push({
        uri,
        reason: vscode.l10n.t('back to an older version (commit {0}), undoing commit {1}: check it with "Show Changes Since the Team\'s Version" and restore the team\'s version', rollback.sameAs.slice(0, 7), rollback.undone.slice(0, 7)),
      });
      continue;
    }
    // A file a teammate removed since wrote last, while still on the team, is what re-keying after a
    // removal must reach: the workspace run plans it, and its confirmation says their version will be
    // signed by me. One they wrote after leaving (pushed on top of their removal) is not the team's.
    const formerSigner = unverified && header.signer ? deps.session.party(header.signer.fingerprint, known).former : undefined;
    if (formerSigner !== undefined && workspace && args.signUnverified !== false) {
      if (!(await writtenAfterRemoval(deps, uri, formerSigner))) {
        plan.push({ uri, header, formerSigner, signerVouched: choiceHolds });
        continue;
      }
      result.skipped.push({
        uri,
        reason: vscode.l10n.t('written by {0} after they were removed from the team: check it with "Show Changes Since the Team\'s Version" and restore the team\'s version', displayText(formerSigner)),
      });
      continue;
    }
    if (unverified && !(await acceptUnverified(uri, unverified, args, workspace))) {
      const status = signerStatusText(unverified);
      result.skipped.push({
        uri,
        reason: workspace
          ? vscode.l10n.t('{0}: re-encrypting would sign it as you; re-encrypt it on its own to review it', status)
          : vscode.l10n.t('{0}: re-encrypting would sign it as you', status),
      });
      continue;
    }
    plan.push({ uri, header, signerVouched: choiceHolds });
  }
  return plan;
}

async function acceptUnverified(uri: vscode.Uri, status: string, args: Partial<ReencryptArgs>, workspace: boolean): Promise<boolean> {
  if (args.signUnverified !== undefined) return args.signUnverified;
  if (workspace) return false;
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} is {1}. Re-encrypt it and sign it as you?', rel(uri), signerStatusText(status)),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Re-encrypting signs the content with your key: afterwards it reads "signed by you ✓" and passes checks that require your signature. Custodian cannot tell who wrote it ({0}). Continue only if you know where this content came from.',
        signerStatusText(status),
      ),
    },
    // First, so that Enter reviews rather than signs.
    SHOW_CHANGES(),
    SIGN_AS_ME(),
  );
  // What it changed since the team's version, instead of signing it now.
  if (choice === SHOW_CHANGES()) void vscode.commands.executeCommand('custodian.showTeamChanges', { uri });
  return choice === SIGN_AS_ME();
}

/**
 * Whether the version of `uri` on disk was written after `former`'s roster file was deleted (git-blobs.ts
 * writtenAfterDeletion); true when git may not run (Restricted Mode): not known to be from before.
 */
async function writtenAfterRemoval(deps: EncDeps, uri: vscode.Uri, former: string): Promise<boolean> {
  const folder = deps.session.teamFolder(uri);
  if (!deps.services.trust.isTrusted || !folder) return true;
  return writtenAfterDeletion(uri, vscode.Uri.joinPath(folder.uri, ...ROSTER_DIR, `${former}${ROSTER_EXT}`)).catch(() => true);
}

async function acceptRollback(uri: vscode.Uri, rollback: Rollback, args: Partial<ReencryptArgs>, workspace: boolean): Promise<boolean> {
  if (args.signUnverified !== undefined) return args.signUnverified;
  if (workspace) return false;
  const restore = vscode.l10n.t('Restore the Team\'s Version');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} is back to an older version (commit {1}), undoing commit {2}. Re-encrypt it and sign it as you?', rel(uri), rollback.sameAs.slice(0, 7), rollback.undone.slice(0, 7)),
    {
      modal: true,
      detail: vscode.l10n.t('Secrets rotated since may be back in it. Re-encrypting signs this older content anew as yours, and then nothing tells it from the team\'s latest version. Continue only if going back was meant.'),
    },
    // First, so that Enter reviews rather than signs.
    SHOW_CHANGES(),
    restore,
    SIGN_AS_ME(),
  );
  if (choice === SHOW_CHANGES()) void vscode.commands.executeCommand('custodian.showTeamChanges', { uri });
  if (choice === restore) void vscode.commands.executeCommand('custodian.restoreTeamVersion', { uri });
  return choice === SIGN_AS_ME();
}

/** The workspace run's modal: each file with the recipients it will get, and what is left alone. */
async function confirmPlan(plan: Planned[], result: ReencryptResult): Promise<boolean> {
  const lines = plan.map((p) => {
    const line = `• ${rel(p.uri)} → ${p.team.map((k) => k.name).join(', ')}`;
    return p.formerSigner === undefined ? line : `${line} ${vscode.l10n.t('(last written by {0}, removed from the team: their version will be signed by you)', displayText(p.formerSigner))}`;
  });
  // Re-keying shuts a removed teammate out, but vouches for what they wrote last: a version pushed after
  // leaving (an old password put back, a value planted) would then read as mine. Said before, not after.
  const former = [...new Set(plan.flatMap((p) => (p.formerSigner === undefined ? [] : [displayText(p.formerSigner)])))];
  const skipped = result.skipped.map((s) => `• ${rel(s.uri)}: ${s.reason}`);
  const failed = result.failed.map((f) => `• ${rel(f.uri)}: ${f.reason}`);
  const detail = [
    vscode.l10n.t('Each file is decrypted with your key, encrypted to the recipients shown and signed by you.'),
    '',
    ...lines,
    ...(former.length
      ? ['', vscode.l10n.t('Before you sign what {0} wrote, check what it changed: cancel, then run "Show Changes Since the Team\'s Version" on the file (in the Encrypted Files view). A version written after leaving the team could put back an old secret or plant one.', former.join(', '))]
      : []),
    ...(skipped.length ? ['', vscode.l10n.t('Skipped:'), ...skipped] : []),
    ...(failed.length ? ['', vscode.l10n.t('You cannot re-encrypt:'), ...failed] : []),
  ].join('\n');
  const n = plan.length;
  const choice = await vscode.window.showWarningMessage(n === 1 ? vscode.l10n.t('Re-encrypt 1 file for the team?') : vscode.l10n.t('Re-encrypt {0} files for the team?', n), { modal: true, detail }, REENCRYPT_ALL());
  return choice === REENCRYPT_ALL();
}

async function run(deps: EncDeps, plan: Planned[], args: Partial<ReencryptArgs>, result: ReencryptResult): Promise<void> {
  const backend = await deps.services.backend();
  const signer = await deps.session.signer();
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Re-encrypting for the team'), cancellable: true },
      async (progress, token) => {
        for (const { uri, header, team, signerVouched } of plan) {
          if (token.isCancellationRequested || args.cancellationToken?.isCancellationRequested) break;
          progress.report({ message: rel(uri), increment: 100 / plan.length });
          // Made a link while the confirmation waited (a pull): still never re-keyed through.
          const linked = await linkedReason(uri);
          if (linked) {
            result.skipped.push({ uri, reason: linked });
            continue;
          }
          let identities: RsaPrivateKey[] = [];
          try {
            identities = await deps.session.identitiesFor(header.recipients, rel(uri));
            // The file may have changed since its header was read: refuse what was not planned.
            const expect = (current: EnvelopeInfo): boolean => keepReason(uri.fsPath, current.recipientPolicy, signerVouched) === undefined && sameSigner(current, header);
            const recipients = team.map((k) => k.key);
            if (isValuesFile(uri)) await reencryptValuesFile(uri, { identities, recipients, signer, backend, recipientPolicy: 'team', expect });
            else await reencryptFile(uri.fsPath, { identities, recipients, signer, backend, token: args.cancellationToken, recipientPolicy: 'team', expect });
            result.reencrypted.push(uri);
          } catch (err) {
            result.failed.push({ uri, reason: describeError(err), errorName: err instanceof Error ? err.name : 'Error' });
          } finally {
            deps.session.release(...identities);
          }
        }
      },
    );
  } finally {
    deps.session.release(signer);
  }
}

function sameSigner(a: EnvelopeInfo, b: EnvelopeInfo): boolean {
  return a.signer?.fingerprint === b.signer?.fingerprint;
}

/**
 * The team of each workspace folder the files are in (the first folder's when there are none), all read
 * before any file changes: a folder without a roster, or with unusable entries, stops the whole run.
 */
async function teamsOf(session: CryptoSession, uris: vscode.Uri[]): Promise<Map<string, KnownKey[]>> {
  const teams = new Map<string, KnownKey[]>();
  for (const uri of uris.length > 0 ? uris : [undefined]) {
    const key = folderKey(session, uri);
    if (teams.has(key)) continue;
    const team = await session.teamRecipients(uri);
    if (!team.some((k) => k.source === 'roster')) {
      throw new CustodianError(vscode.l10n.t('This workspace has no team roster to re-encrypt for.'), { hint: vscode.l10n.t('Add yourself and your teammates to the team first.') });
    }
    teams.set(key, team);
  }
  return teams;
}

function folderKey(session: CryptoSession, uri: vscode.Uri | undefined): string {
  return session.teamFolder(uri)?.uri.toString() ?? '';
}

function announce(result: ReencryptResult, names: string[], workspace: boolean): void {
  const done = result.reencrypted.length;
  if (done > 0) {
    // Teammates' clones get the new recipients only once this is committed and pushed.
    const commit = done === 1 ? vscode.l10n.t('Commit it so the team gets it.') : vscode.l10n.t('Commit them so the team gets them.');
    void vscode.window.showInformationMessage(
      `${done === 1 ? vscode.l10n.t('Re-encrypted {0} for {1}.', rel(result.reencrypted[0]), names.join(', ')) : vscode.l10n.t('Re-encrypted {0} files for {1}.', done, names.join(', '))} ${commit}`,
    );
  }
  const skipped = result.skipped.filter((s) => s.reason !== 'not confirmed');
  if (skipped.length > 0) {
    const list = skipped.map((s) => `${rel(s.uri)} (${inParentheses(s.reason)})`).join('; ');
    void vscode.window.showWarningMessage(skipped.length === 1 ? vscode.l10n.t('Left 1 file as it was: {0}.', list) : vscode.l10n.t('Left {0} files as they were: {1}.', skipped.length, list));
  }
  if (result.failed.length > 0) {
    const list = result.failed.map((f) => `${rel(f.uri)} (${inParentheses(f.reason)})`).join('; ');
    const n = result.failed.length;
    const text = n === 1 ? vscode.l10n.t('Could not re-encrypt 1 file: {0}.', list) : vscode.l10n.t('Could not re-encrypt {0} files: {1}.', n, list);
    void vscode.window.showWarningMessage(workspace ? vscode.l10n.t('{0} They still have their old recipients.', text) : text);
  }
}

/**
 * Why `uri` is not re-keyed when it is a symbolic link, or under a linked folder of its workspace folder:
 * re-keying would decrypt what the link leads to (another project's secret, say) and write it here,
 * for this team. Undefined for a file reached without a link.
 */
async function linkedReason(uri: vscode.Uri): Promise<string | undefined> {
  const link = await linkOf(uri);
  if (!link) return undefined;
  const what =
    link.path === rel(uri)
      ? vscode.l10n.t('a symbolic link to {0}', displayText(link.target))
      : vscode.l10n.t('reached through a symbolic link ({0} leads to {1})', displayText(link.path), displayText(link.target));
  return vscode.l10n.t(
    '{0}: Custodian never re-encrypts through a link, which would write the file it leads to here, readable by the team. Re-encrypt that file where it lives, for its own team; if the link does not belong in this repository, remove it (its git history says who added it)',
    what,
  );
}

/** A reason, which may be whole sentences, inside a sentence: without its final period, so no ".)." */
function inParentheses(reason: string): string {
  return reason.trim().replace(/\.$/, '');
}

/** recipient-policy.ts stays free of vscode (it is unit-tested): its reasons are worded here. */
function keepReasonText(reason: KeepReason): string {
  switch (reason) {
    case 'share':
      return vscode.l10n.t('a Shamir share stays sealed to its custodian only');
    case 'mfa':
      return vscode.l10n.t('an MFA seed keeps the recipients it was shared with');
    case 'chosen':
      return vscode.l10n.t('its recipients were chosen, not "the team"');
  }
}

/** CryptoSession.unverifiedSigner says 'unsigned' as a marker, or a sentence already worded. */
function signerStatusText(status: string): string {
  return status === 'unsigned' ? vscode.l10n.t('unsigned') : status;
}
