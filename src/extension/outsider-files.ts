// An encrypted file that reaches the workspace from outside this window (a pull, a checkout, the CLI)
// can be one that someone no longer on the team wrote: a removed teammate who can still push may
// re-encrypt a file for himself, or replace its content and sign it. The status bar and the Encrypted
// Files view show that, but only to someone who looks. This says it once, when such a version arrives:
// who can now read the file that could not before, who wrote it when Custodian does not vouch for them,
// and whether it is an older version back (a rollback: signed by a teammate then, it brings back what
// was rotated since). What is compared is each file's header (recipients, signer) and rollback with
// those seen before, so a roster change alone is not news here (RosterChanges announces it), nor is a
// save of mine that keeps the recipients the file had.
import * as vscode from 'vscode';
import type { DriftReport } from './commands/rekey/drift';
import type { Rollback } from './git/git-blobs';
import { rollbackLabel, rollbackSentence } from './ui/rollback-text';
import type { RevertedValue } from './commands/decrypt/team-version';
import { abbreviated, unknownSignerText, type Party } from './crypto-session';
import { displayText } from '../core/display-text';
import { lookWhenSettled } from './storage/workspace-files';

/** Files change one by one during a pull or a checkout: one notice once they have settled. */
const SETTLE_MS = 750;
/** A notice about several files names this many. */
const FILES_NAMED = 3;

export interface OutsiderFilesDeps {
  /** The workspace's encrypted files as the Encrypted Files view sees them; undefined when it may not be read (Restricted Mode). */
  scan: () => Promise<DriftReport | undefined>;
  /** Subscriptions to what makes the files worth looking at again (file watchers, trust granted). */
  changes: readonly ((listener: () => void) => vscode.Disposable)[];
  log: vscode.LogOutputChannel;
  /** A value-encrypted file's values back to what an older version held, after the team had changed them (team-version.ts). */
  revertedValues: (uri: vscode.Uri) => Promise<readonly RevertedValue[]>;
  /** A file came back to an older version: what was rotated in it may be back (the rotation lists unmark it). */
  rolledBack: (uri: vscode.Uri) => Promise<void>;
}

/** What a version's header says, as far as this notice is concerned. */
interface SeenHeader {
  readonly recipients: ReadonlySet<string>;
  readonly signer: string | undefined;
  /** The commit an older version back is the same as (DriftEntry.rollback). */
  readonly rollbackTo?: string;
}

/** One file whose new version someone outside the team can read, or was written by someone Custodian does not vouch for. */
export interface OutsiderNews {
  readonly uri: vscode.Uri;
  /** Recipients Custodian knows no key for (a former teammate, a stranger) who were not recipients before. */
  readonly newReaders: readonly Party[];
  /** Set when this version's signer changed to one Custodian does not vouch for, or it is unsigned. */
  readonly writer?: Party | 'unsigned';
  /** Set when the file became an older version back. */
  readonly rollback?: Rollback;
  /** A version an outsider wrote: the values in it back to what an older version held. */
  readonly reverted?: readonly RevertedValue[];
  /** A file this window had not seen: there is no earlier version to compare with or go back to. */
  readonly isNew?: boolean;
}

/** The name a notice gives a party: a former teammate by the roster name they had, a stranger's key as such. */
function nameOf(party: Party): string {
  if (party.former !== undefined) return displayText(party.former);
  return party.source ? party.name : vscode.l10n.t('a key Custodian does not know ({0})', abbreviated(party.fingerprint));
}

/** What changed between the version seen before (undefined: a new file) and `now`; undefined when nothing is news. */
export function outsiderNews(before: SeenHeader | undefined, now: { uri: vscode.Uri; recipients: readonly Party[]; signer?: Party; rollback?: Rollback }): OutsiderNews | undefined {
  const newReaders = now.recipients.filter((p) => !p.source && !before?.recipients.has(p.fingerprint));
  const unvouched = now.signer === undefined || !now.signer.source;
  const writer = unvouched && (before === undefined || before.signer !== now.signer?.fingerprint) ? (now.signer ?? 'unsigned') : undefined;
  const rollback = now.rollback && before?.rollbackTo !== now.rollback.sameAs ? now.rollback : undefined;
  return newReaders.length > 0 || writer || rollback ? { uri: now.uri, newReaders, ...(writer ? { writer } : {}), ...(rollback ? { rollback } : {}), ...(before === undefined ? { isNew: true } : {}) } : undefined;
}

export class OutsiderFiles implements vscode.Disposable {
  /** fsPath → the header last seen; undefined until the first scan (which is no news). */
  private seen: Map<string, SeenHeader> | undefined;
  private readonly watch: vscode.Disposable & { schedule(): void };

  constructor(private readonly deps: OutsiderFilesDeps) {
    this.watch = lookWhenSettled(deps.changes, () => this.updateLogged(), SETTLE_MS);
    // The first look is what this window starts from (no news), once activation is over.
    this.watch.schedule();
  }

  dispose(): void {
    this.watch.dispose();
  }

  private updateLogged(): void {
    this.update().catch((err: unknown) => this.deps.log.warn(`outsider files: ${err instanceof Error ? err.name : 'Error'}`));
  }

  private async update(): Promise<void> {
    const report = await this.deps.scan();
    if (!report) return;
    const before = this.seen;
    const now = new Map<string, SeenHeader>();
    const news: OutsiderNews[] = [];
    for (const entry of report.entries) {
      if (entry.status === 'invalid' || entry.status === 'linked') continue; // the Encrypted Files view says why
      const key = entry.uri.fsPath;
      const seen = before?.get(key);
      now.set(key, { recipients: new Set(entry.recipients.map((p) => p.fingerprint)), signer: entry.signer?.fingerprint, rollbackTo: entry.rollback?.sameAs });
      const found = before && outsiderNews(seen, entry);
      if (found) news.push(found);
    }
    this.seen = now;
    if (news.length === 0) return;
    for (const n of news) if (n.rollback) await this.deps.rolledBack(n.uri).catch(() => undefined);
    // A version an outsider wrote may put back a secret the team rotated out, which only its tokens tell.
    const told = await Promise.all(
      news.map(async (n) => {
        if (n.writer === undefined || n.rollback) return n;
        const reverted = await this.deps.revertedValues(n.uri).catch(() => []);
        return reverted.length > 0 ? { ...n, reverted } : n;
      }),
    );
    this.announce(told);
  }

  private announce(news: readonly OutsiderNews[]): void {
    const show = vscode.l10n.t('Show Encrypted Files');
    // What it changed is what to check (since the team's version, or since the version a rollback undid):
    // for several files, which one is asked, older versions back first.
    const compare = news.length === 1 ? vscode.l10n.t('Show Changes') : vscode.l10n.t('Show Changes…');
    // A new file has no earlier version to compare with.
    const buttons = news.every((n) => n.isNew) ? [show] : [compare, show];
    const act = async (choice: string | undefined): Promise<void> => {
      if (choice === show) void vscode.commands.executeCommand('custodian.encrypted.focus');
      if (choice !== compare) return;
      const uri = news.length === 1 ? news[0].uri : await pickFile(news);
      if (uri) void vscode.commands.executeCommand('custodian.showTeamChanges', { uri });
    };
    void vscode.window.showWarningMessage(noticeText(news), ...buttons).then(act);
  }
}

async function pickFile(news: readonly OutsiderNews[]): Promise<vscode.Uri | undefined> {
  const items = [...news]
    .sort((a, b) => Number(b.rollback !== undefined) - Number(a.rollback !== undefined))
    .map((n) => ({ label: vscode.workspace.asRelativePath(n.uri, false), description: n.rollback ? rollbackLabel(n.rollback) : whoText(n), uri: n.uri }));
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Show Changes Since the Team\'s Version'), placeHolder: vscode.l10n.t('Which file?') }))?.uri;
}

/** "signed by bob, who was removed from the team · also for a key Custodian does not know (…)". */
function whoText(news: OutsiderNews): string {
  const parts: string[] = [];
  if (news.writer) parts.push(news.writer === 'unsigned' ? vscode.l10n.t('unsigned') : unknownSignerText(news.writer));
  if (news.newReaders.length > 0) parts.push(vscode.l10n.t('also for {0}', news.newReaders.map(nameOf).join(', ')));
  return parts.join(' · ');
}

/**
 * The notice: older versions back first (what they bring back was rotated out), then who can read or
 * wrote the others (one file in full, several by count and the people involved), then the values an
 * outsider's version put back.
 */
export function noticeText(news: readonly OutsiderNews[]): string {
  const rolledBack = news.filter((n) => n.rollback !== undefined);
  // What to do with an older version back is restoring the team's version, not re-keying it: said apart.
  const outsiders = news.filter((n) => n.rollback === undefined && (n.newReaders.length > 0 || n.writer !== undefined));
  const parts: string[] = [];
  if (rolledBack.length === 1) {
    const { uri, rollback, newReaders } = rolledBack[0];
    parts.push(rollbackSentence(vscode.workspace.asRelativePath(uri, false), rollback!));
    if (newReaders.length > 0) parts.push(vscode.l10n.t('Someone not on the team can read it again: {0}.', newReaders.map(nameOf).join(', ')));
  } else if (rolledBack.length > 1) {
    parts.push(vscode.l10n.t('{0} files are back to older versions: {1}. Secrets rotated since may be back.', rolledBack.length, fileList(rolledBack)));
  }
  if (rolledBack.length > 0) parts.push(vscode.l10n.t('Check what came back with "Show Changes", then restore the team\'s version.'));
  if (outsiders.length > 0) parts.push(outsidersText(outsiders));
  for (const n of news.filter((x) => x.reverted !== undefined && x.reverted.length > 0).slice(0, FILES_NAMED)) {
    const values = n.reverted!.map((r) => vscode.l10n.t('{0} (as in commit {1})', displayText(r.name, 60), r.sameAs.slice(0, 7))).join(', ');
    parts.push(vscode.l10n.t('In {0}, values the team had changed are back to older ones: {1}. Secrets rotated out may be back.', vscode.workspace.asRelativePath(n.uri, false), values));
  }
  return parts.join(' ');
}

function fileList(news: readonly OutsiderNews[]): string {
  return news.slice(0, FILES_NAMED).map((n) => vscode.workspace.asRelativePath(n.uri, false)).join(', ') + (news.length > FILES_NAMED ? ', …' : '');
}

function outsidersText(news: readonly OutsiderNews[]): string {
  if (news.length === 1) {
    const [{ uri, newReaders, writer, isNew }] = news;
    const file = vscode.workspace.asRelativePath(uri, false);
    const readers = newReaders.map(nameOf).join(', ');
    const written = writer === 'unsigned' ? vscode.l10n.t('unsigned') : writer && unknownSignerText(writer);
    if (isNew && written) {
      return readers
        ? vscode.l10n.t('The new file {0}, now on disk, is {1}, and also encrypted for someone not on the team: {2}. Check where it came from before you use it, and delete it if it is not what you expect; rotate what it holds.', file, written, readers)
        : vscode.l10n.t('The new file {0}, now on disk, is {1}. Check where it came from before you use it, and delete it if it is not what you expect.', file, written);
    }
    if (written && readers) {
      return vscode.l10n.t(
        'The version of {0} now on disk is {1}, and also encrypted for someone not on the team: {2}. Check what it changed before you use it, and restore the team\'s version if it is not what you expect (re-encrypting would sign it as yours); rotate what it holds.',
        file,
        written,
        readers,
      );
    }
    if (written) {
      return vscode.l10n.t('The version of {0} now on disk is {1}. Check what it changed before you use it, and restore the team\'s version if it is not what you expect (re-encrypting would sign it as yours).', file, written);
    }
    return vscode.l10n.t('The version of {0} now on disk is also encrypted for someone not on the team: {1}. Re-encrypt it for the team and rotate what it holds.', file, readers);
  }
  const people = new Set<string>();
  for (const n of news) {
    for (const p of n.newReaders) people.add(nameOf(p));
    if (n.writer && n.writer !== 'unsigned') people.add(nameOf(n.writer));
  }
  // Named here, though the Encrypted Files view lists them too.
  const files = fileList(news);
  return people.size > 0
    ? vscode.l10n.t('{0} encrypted files now on disk can be read by, or were written by, someone not on the team ({1}): {2}. Check what they changed before you use them.', news.length, [...people].join(', '), files)
    : vscode.l10n.t('{0} encrypted files now on disk are unsigned, so anyone who can commit could have written them: {1}. Check what they changed before you use them.', news.length, files);
}
