// An encrypted file that reaches the workspace from outside this window (a pull, a checkout, the CLI)
// can be one that someone no longer on the team wrote: a removed teammate who can still push may
// re-encrypt a file for himself, or replace its content and sign it. The status bar and the Encrypted
// Files view show that, but only to someone who looks. This says it once, when such a version arrives:
// who can now read the file that could not before, and who wrote it when Custodian does not vouch for
// them. What is compared is each file's header (recipients, signer) with the one seen before, so a
// roster change alone is not news here (RosterChanges announces it), nor is a save of mine that keeps
// the recipients the file had.
import * as vscode from 'vscode';
import type { DriftReport } from './commands/rekey/drift';
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
  /** When a file is an older committed version back (git/git-blobs.ts rollbackOf): the commit it equals and the one it undid. */
  rollbackOf: (uri: vscode.Uri) => Promise<{ sameAs: string; undone: string } | undefined>;
}

/** What a version's header says, as far as this notice is concerned. */
interface SeenHeader {
  readonly recipients: ReadonlySet<string>;
  readonly signer: string | undefined;
}

/** One file whose new version someone outside the team can read, or was written by someone Custodian does not vouch for. */
export interface OutsiderNews {
  readonly uri: vscode.Uri;
  /** Recipients Custodian knows no key for (a former teammate, a stranger) who were not recipients before. */
  readonly newReaders: readonly Party[];
  /** Set when this version's signer changed to one Custodian does not vouch for, or it is unsigned. */
  readonly writer?: Party | 'unsigned';
}

/** The name a notice gives a party: a former teammate by the roster name they had, a stranger's key as such. */
function nameOf(party: Party): string {
  if (party.former !== undefined) return displayText(party.former);
  return party.source ? party.name : vscode.l10n.t('a key Custodian does not know ({0})', abbreviated(party.fingerprint));
}

/** What changed between the version seen before (undefined: a new file) and `now`; undefined when nothing is news. */
export function outsiderNews(before: SeenHeader | undefined, now: { uri: vscode.Uri; recipients: readonly Party[]; signer?: Party }): OutsiderNews | undefined {
  const newReaders = now.recipients.filter((p) => !p.source && !before?.recipients.has(p.fingerprint));
  const unvouched = now.signer === undefined || !now.signer.source;
  const writer = unvouched && (before === undefined || before.signer !== now.signer?.fingerprint) ? (now.signer ?? 'unsigned') : undefined;
  return newReaders.length > 0 || writer ? { uri: now.uri, newReaders, ...(writer ? { writer } : {}) } : undefined;
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
      if (entry.status === 'invalid') continue; // the Encrypted Files view says why
      const key = entry.uri.fsPath;
      const seen = before?.get(key);
      now.set(key, { recipients: new Set(entry.recipients.map((p) => p.fingerprint)), signer: entry.signer?.fingerprint });
      const found = before && outsiderNews(seen, entry);
      if (found) news.push(found);
    }
    this.seen = now;
    if (news.length === 0) return;
    // One file: whether it is an older version back, which brings back what was rotated since.
    const rollback = news.length === 1 ? await this.deps.rollbackOf(news[0].uri).catch(() => undefined) : undefined;
    this.announce(news, rollback);
  }

  private announce(news: readonly OutsiderNews[], rollback: { sameAs: string; undone: string } | undefined): void {
    const show = vscode.l10n.t('Show Encrypted Files');
    // One file: what it changed is what to check (since the team's version, or since the version a rollback undid).
    const changed = news.length === 1 ? news[0].uri : undefined;
    const compare = vscode.l10n.t('Show Changes');
    const act = (choice: string | undefined): void => {
      if (choice === show) void vscode.commands.executeCommand('custodian.encrypted.focus');
      if (choice === compare && changed) void vscode.commands.executeCommand('custodian.showTeamChanges', { uri: changed });
    };
    const text = rollback
      ? `${vscode.l10n.t('{0} is back to an older version (commit {1}), undoing commit {2}: secrets rotated since may be back.', vscode.workspace.asRelativePath(news[0].uri, false), rollback.sameAs.slice(0, 7), rollback.undone.slice(0, 7))} ${noticeText(news)}`
      : noticeText(news);
    void vscode.window.showWarningMessage(text, ...(changed ? [compare] : []), show).then(act);
  }
}

/** The notice's sentence: one file in full; several by count and the people involved. */
export function noticeText(news: readonly OutsiderNews[]): string {
  if (news.length === 1) {
    const [{ uri, newReaders, writer }] = news;
    const file = vscode.workspace.asRelativePath(uri, false);
    const readers = newReaders.map(nameOf).join(', ');
    const written = writer === 'unsigned' ? vscode.l10n.t('unsigned') : writer && unknownSignerText(writer);
    if (written && readers) {
      return vscode.l10n.t('The version of {0} now on disk is {1}, and also encrypted for someone not on the team: {2}. Check what it changed before you use it (re-encrypting signs it as yours), re-encrypt it for the team, and rotate what it holds.', file, written, readers);
    }
    if (written) return vscode.l10n.t('The version of {0} now on disk is {1}. Check what it changed before you use it or re-encrypt it (re-encrypting signs it as yours).', file, written);
    return vscode.l10n.t('The version of {0} now on disk is also encrypted for someone not on the team: {1}. Re-encrypt it for the team and rotate what it holds.', file, readers);
  }
  const people = new Set<string>();
  for (const n of news) {
    for (const p of n.newReaders) people.add(nameOf(p));
    if (n.writer && n.writer !== 'unsigned') people.add(nameOf(n.writer));
  }
  // Named here: a file whose only news is its writer (recipients still the team) is not one the Encrypted Files view lists.
  const files = news.slice(0, FILES_NAMED).map((n) => vscode.workspace.asRelativePath(n.uri, false)).join(', ') + (news.length > FILES_NAMED ? ', …' : '');
  return people.size > 0
    ? vscode.l10n.t('{0} encrypted files now on disk can be read by, or were written by, someone not on the team ({1}): {2}. Check what they changed before you use them.', news.length, [...people].join(', '), files)
    : vscode.l10n.t('{0} encrypted files now on disk are unsigned, so anyone who can commit could have written them: {1}. Check what they changed before you use them.', news.length, files);
}
