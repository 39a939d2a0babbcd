// "Team": this workspace's roster. Invalid files are items with an error icon (and a diagnostic on
// the file), and encrypting for the team is refused while they exist (CryptoSession.teamRecipients),
// so a teammate never silently drops out of the recipients.
import * as vscode from 'vscode';
import type { ActiveKeyStore } from '../../storage/active-key-store';
import type { EntryVerdict } from '../../../core/roster-records';
import { displayText } from '../../../core/display-text';
import type { RosterTrust } from '../../roster-trust';
import type { Roster, RosterEntry, RosterMember } from '../../storage/roster';
import { workspaceFolders } from '../../storage/workspace-files';
import { codeSpan, escapeMd } from '../markdown';
import { MessageNode, SectionBase, errorIcon, warningIcon, type TreeNode } from '../tree';
import { appendCheck, mismatchDescription } from '../fingerprint-check';
import type { FingerprintCheck, FingerprintChecks } from '../../storage/fingerprint-checks';
import { lazyCore } from '../../lazy-core';
import type { RotationList, RotationLists } from '../../storage/rotation-lists';
import { CommandId } from '../../commands/ids';

export class TeammateNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly entry: RosterEntry,
    private readonly shortFingerprint: string | undefined,
    /** Name of my key when this roster entry is one of mine. */
    private readonly mine: string | undefined,
    private readonly showFolder: boolean,
    /** Signature status (docs/ROSTER.md §5); undefined where records cannot be read (not on disk). */
    private readonly verdict?: EntryVerdict,
    /** My last Verify Fingerprint of this entry's key, if any. */
    private readonly check?: FingerprintCheck,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(displayText(e.name), vscode.TreeItemCollapsibleState.None);
    item.id = `team:${e.uri.toString()}`;
    item.resourceUri = e.uri;
    item.command = { command: 'vscode.open', title: vscode.l10n.t('Open Roster File'), arguments: [e.uri] };
    const where = this.showFolder ? ` · ${e.folder.name}` : '';
    const md = new vscode.MarkdownString(undefined, true);
    if (e.kind === 'invalid') {
      item.iconPath = errorIcon();
      item.contextValue = 'custodian.teammate.invalid';
      item.description = `${shortProblem(e.errorName)}${where}`;
      md.appendMarkdown(vscode.l10n.t('$(error) **{0}** is not a usable teammate key\n\n', escapeMd(displayText(e.name))));
      md.appendMarkdown(`${escapeMd(e.problem)}\n\n`);
      md.appendMarkdown(vscode.l10n.t('Encrypting for the team is refused until you fix or remove {0}.', codeSpan(vscode.workspace.asRelativePath(e.uri))));
    } else {
      const k = e.key;
      const deployKey = this.verdict?.status === 'verified' && this.verdict.deploy === true;
      item.iconPath = new vscode.ThemeIcon(this.mine ? 'account' : deployKey ? 'server-process' : 'person');
      item.contextValue = this.mine ? 'custodian.teammate.me' : 'custodian.teammate';
      // Who vouched comes first: a narrow sidebar cuts the end of the line, and the rest is in the hover.
      const parts = [];
      const mismatch = this.check?.result === 'mismatch';
      if (mismatch) parts.push(mismatchDescription());
      if (this.mine) parts.push(vscode.l10n.t('you'));
      const v = this.verdict;
      if (v) parts.push(verdictLabel(v));
      if (e.identity !== e.name) parts.push(e.identity);
      parts.push(vscode.l10n.t('{0}-bit', k.bits), this.shortFingerprint ?? '');
      if (v?.status === 'broken') item.iconPath = errorIcon();
      else if (mismatch) item.iconPath = warningIcon();
      else if (v?.status === 'unverified') item.iconPath = new vscode.ThemeIcon('unverified');
      item.description = parts.join(' · ') + where;
      md.appendMarkdown(
        this.mine
          ? vscode.l10n.t('$(person) **{0}** — you ({1})\n\n', escapeMd(e.name), escapeMd(this.mine))
          : `$(person) **${escapeMd(e.name)}**\n\n`,
      );
      if (e.identity !== e.name) md.appendMarkdown(`${escapeMd(e.identity)}\n\n`);
      md.appendMarkdown(vscode.l10n.t('RSA {0}-bit · {1}\n\n', k.bits, codeSpan(vscode.workspace.asRelativePath(e.uri))));
      md.appendCodeblock(k.fingerprint, 'text');
      if (v) md.appendMarkdown(`\n\n${escapeMd(verdictSentence(v))}`);
      // "Verified" says who signed the key in, not whose it is: said so, rather than "verified … compare
      // before relying on it", which a newcomer read as a contradiction. Once I compared it, what I found.
      if (this.check) appendCheck(md, this.check, k.fingerprint);
      else {
        md.appendMarkdown(
          deployKey
            ? vscode.l10n.t('\n\nCompare this fingerprint with the key your CI system holds before relying on it.')
            : v?.status === 'verified'
              ? vscode.l10n.t('\n\nThat says who added the key, not that you checked it is {0}\'s: to check it yourself, compare this fingerprint with {0} over a channel you trust (Verify Fingerprint…).', escapeMd(displayText(e.identity)))
              : vscode.l10n.t('\n\nCompare this fingerprint with the teammate over a channel you trust before relying on it.'),
        );
      }
    }
    item.tooltip = md;
    return item;
  }
}

/** Signer names come from verified records only: `by` is the name the chain vouched for. */
function verdictLabel(v: EntryVerdict): string {
  if (v.status === 'verified' && v.deploy) return vscode.l10n.t('deploy key, verified by {0}', displayText(v.by ?? ''));
  if (v.status === 'verified') return v.by === undefined ? vscode.l10n.t('verified (first member)') : vscode.l10n.t('verified by {0}', displayText(v.by));
  return v.status === 'broken' ? vscode.l10n.t('broken') : vscode.l10n.t('unverified');
}

function verdictSentence(v: EntryVerdict): string {
  if (v.status === 'verified' && v.deploy) {
    return vscode.l10n.t(
      'Deploy key: added by {0} on {1}, a verified member. Files for the team are encrypted to it, so CI can read them; its signature vouches for no one (it cannot add or remove anyone), and a file it signs is flagged ⚠ as not written by the team.',
      displayText(v.by ?? ''),
      shownTime(v.time),
    );
  }
  if (v.status === 'verified') {
    return v.by === undefined
      ? vscode.l10n.t('Verified: one of the roster\'s first members, who signed it ({0}).', shownTime(v.time))
      : vscode.l10n.t('Verified: signed by {0} on {1}, a verified member.', displayText(v.by), shownTime(v.time));
  }
  if (v.status === 'broken') return vscode.l10n.t('Broken: {0}. Encrypting to this entry is refused until a verified member re-signs it.', displayText(v.reason, 400));
  return vscode.l10n.t('Unverified: {0}. Encrypting to it asks first; a verified member can sign it (Sign the Current Roster).', displayText(v.reason, 400));
}

/** A record's UTC time (2026-12-05T10:06:12.872Z) as people read one: 2026-12-05 10:06 UTC. */
function shownTime(time: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(time);
  return m ? `${m[1]} ${m[2]} UTC` : time;
}

function shortProblem(errorName: string): string {
  switch (errorName) {
    case 'WeakKeyError':
      return vscode.l10n.t('weak key');
    case 'UnsupportedKeyError':
      return vscode.l10n.t('not an RSA key');
    case 'DuplicateKey':
      return vscode.l10n.t('duplicate key');
    case 'FileSystemError':
      return vscode.l10n.t('unreadable');
    case 'InvalidName':
      return vscode.l10n.t('invalid name');
    case 'ConfusableName':
      return vscode.l10n.t('lookalike name');
    default:
      return vscode.l10n.t('invalid key');
  }
}

export class TeamSection extends SectionBase {
  readonly id = 'team';
  override readonly onDidChange: vscode.Event<void>;
  private count: number | undefined;
  /** Of `count`, the verified deploy keys: counted apart, a CI key is no teammate. */
  private deployKeys = 0;

  constructor(
    private readonly roster: Roster,
    private readonly keys: ActiveKeyStore,
    private readonly rosterTrust: RosterTrust,
    private readonly rotation: RotationLists,
    private readonly checks: FingerprintChecks,
  ) {
    super();
    const changed = new vscode.EventEmitter<void>();
    roster.onDidChange(() => changed.fire());
    rotation.onDidChange(() => changed.fire());
    checks.onDidChange(() => changed.fire());
    this.onDidChange = changed.event;
  }

  override description(): string | undefined {
    if (!this.count) return undefined;
    const people = this.count - this.deployKeys;
    const teammates = people === 1 ? vscode.l10n.t('1 teammate') : vscode.l10n.t('{0} teammates', people);
    if (this.deployKeys === 0) return teammates;
    return `${teammates} · ${this.deployKeys === 1 ? vscode.l10n.t('1 deploy key') : vscode.l10n.t('{0} deploy keys', this.deployKeys)}`;
  }

  async getChildren(): Promise<TreeNode[]> {
    const roster = this.roster;
    // No folder, or no roster yet: empty, so the view shows its welcome (Open Folder, Add Myself, Add Teammate).
    if (workspaceFolders().length === 0) {
      this.count = undefined;
      return [];
    }
    const [entries, { shortFingerprint }] = await Promise.all([roster.list(), lazyCore.keys()]);
    this.count = entries.filter((e) => e.kind === 'member').length;
    // "Add Myself to Team" is offered only while none of my keys is in the roster (package.json menus).
    const myKeys = new Set(this.keys.current.list().map((k) => k.fingerprint));
    void vscode.commands.executeCommand('setContext', 'custodian.onTeam', entries.some((e) => e.kind === 'member' && myKeys.has(e.key.fingerprint)));
    if (entries.length === 0) return [];
    const mine = new Map(this.keys.current.list().map((k) => [k.fingerprint, k.name]));
    const showFolder = new Set(entries.map((e) => e.folder.index)).size > 1;
    const verdicts = new Map<string, EntryVerdict>();
    const problems: string[] = [];
    for (const folder of workspaceFolders()) {
      const members = entries.filter((e): e is RosterMember => e.kind === 'member' && e.folder.index === folder.index);
      if (members.length === 0) continue;
      try {
        const checked = await this.rosterTrust.verify(folder, members);
        problems.push(...(checked?.problems ?? []));
        for (const m of members) {
          const v = checked?.verification.entries.get(m.name);
          if (v) verdicts.set(m.uri.toString(), v);
        }
      } catch {
        // Records that cannot be read leave the view as it was; `custodian roster verify` says why.
      }
    }
    this.deployKeys = [...verdicts.values()].filter((v) => v.status === 'verified' && v.deploy === true).length;
    // Sign the Current Roster is offered while there is something to sign (an unsigned roster's entries are unverified).
    void vscode.commands.executeCommand('setContext', 'custodian.rosterUnverified', [...verdicts.values()].some((v) => v.status === 'unverified'));
    const nodes: TreeNode[] = entries.map(
      (e) =>
        new TeammateNode(
          this,
          e,
          e.kind === 'member' ? shortFingerprint(e.key.fingerprint) : undefined,
          e.kind === 'member' ? mine.get(e.key.fingerprint) : undefined,
          showFolder,
          verdicts.get(e.uri.toString()),
          e.kind === 'member' ? this.checks.get(e.key.fingerprint) : undefined,
        ),
    );
    if (problems.length > 0) nodes.push(rosterProblemsNode(this, problems));
    // What removed teammates could read, until someone says it was rotated (Remove Teammate made the list).
    for (const list of this.rotation.list()) nodes.push(rotationNode(this, list));
    return nodes;
  }
}

function rotationNode(parent: SectionBase, list: RotationList): MessageNode {
  const who = displayText(list.name);
  return new MessageNode(parent, {
    id: `team:rotate:${list.fingerprint}`,
    label: rotationLabel(who, list),
    icon: new vscode.ThemeIcon('key'),
    tooltip: vscode.l10n.t('{0} was removed from the team on {1}, but keeps whatever they read before. Put new secrets in these files, then mark the list as done.', who, list.removed.slice(0, 10)),
    command: { command: CommandId.ShowWhatToRotate, title: vscode.l10n.t('Show What to Rotate'), arguments: [{ id: list.fingerprint }] },
    contextValue: 'custodian.rotation',
  });
}

function rotationLabel(who: string, list: RotationList): string {
  const total = list.files.length;
  const left = list.files.filter((f) => !f.rotated).length;
  if (left === 0) return vscode.l10n.t('What {0} could read: all {1} files rotated (mark the list done)', who, total);
  if (left < total) return vscode.l10n.t('Rotate what {0} could read ({1} of {2} files left)', who, left, total);
  return total === 1 ? vscode.l10n.t('Rotate what {0} could read (1 file)', who) : vscode.l10n.t('Rotate what {0} could read ({1} files)', who, total);
}

/** The signed records' problems (a member gone without a signed removal, a forged record, …), which no entry shows. */
const PROBLEMS_SHOWN = 10;

function rosterProblemsNode(parent: SectionBase, problems: readonly string[]): MessageNode {
  const md = new vscode.MarkdownString();
  for (const p of problems.slice(0, PROBLEMS_SHOWN)) md.appendMarkdown(`- ${escapeMd(displayText(p, 400))}\n`);
  if (problems.length > PROBLEMS_SHOWN) md.appendMarkdown(vscode.l10n.t('- … and {0} more\n', problems.length - PROBLEMS_SHOWN));
  md.appendMarkdown(vscode.l10n.t('\n`custodian roster verify` in a terminal lists them all.'));
  return new MessageNode(parent, {
    id: 'team:problems',
    label: problems.length === 1 ? vscode.l10n.t('1 problem with the roster\'s signed records') : vscode.l10n.t('{0} problems with the roster\'s signed records', problems.length),
    icon: new vscode.ThemeIcon('warning'),
    tooltip: md,
  });
}
