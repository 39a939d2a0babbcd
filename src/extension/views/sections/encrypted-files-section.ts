// "Encrypted Files": the drift report. `.enc` files whose recipients are not the current team (someone
// missing, someone removed) and files that cannot be read are listed, each with what differs; the
// section's action re-encrypts them for the team after a confirmation listing each file and its new
// recipients. Files whose recipients were chosen (shares, MFA seeds, "chosen") are not drift: they are
// listed only when someone outside the team can read them or their signer is not vouched for, with what to
// do instead of re-keying. A file that is an older version back (a rollback) is listed whatever its
// recipients, with Show Changes and Restore the Team's Version rather than re-keying. A symbolic link is
// listed with where it leads, and never re-keyed. Scans only when expanded. Tooltips are Markdown: every
// name, path and problem in them comes from files someone committed, so each one is escaped (markdown.ts).
import * as vscode from 'vscode';
import { displayText } from '../../../core/display-text';
import { CommandId } from '../../commands/ids';
import type { DriftEntry, DriftScanner } from '../../commands/rekey/drift';
import type { Rollback } from '../../git/git-blobs';
import { rollbackLabel } from '../../ui/rollback-text';
import { watchEncFiles } from '../../commands/rekey/drift';
import type { EncryptionServices } from '../../commands/encrypt/deps';
import { Debouncer, workspaceFolders } from '../../storage/workspace-files';
import { MessageNode, SectionBase, errorIcon, warningIcon, type TreeNode } from '../tree';
import { escapeMd } from '../markdown';
import type { Party } from '../../crypto-session';

const RESCAN_DEBOUNCE_MS = 300;

export class EncryptedFileNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly entry: DriftEntry,
  ) {}

  /** Commands given this node act on this file. */
  get fileUri(): vscode.Uri {
    return this.entry.uri;
  }

  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(vscode.workspace.asRelativePath(e.uri), vscode.TreeItemCollapsibleState.None);
    item.id = `enc:${e.uri.toString()}`;
    item.resourceUri = e.uri;
    item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [e.uri] };
    const md = new vscode.MarkdownString(undefined, true);
    if (e.status === 'invalid') {
      item.iconPath = errorIcon();
      item.description = vscode.l10n.t('damaged');
      item.contextValue = 'custodian.encFile.invalid';
      md.appendMarkdown(vscode.l10n.t('$(error) Not a readable Custodian file: {0}\n\nRe-encrypting cannot repair it: restore it from git if it was committed, or ask whoever encrypted it to do it again.', escapeMd(e.problem ?? '')));
    } else if (e.status === 'linked') {
      linkedItem(item, md, e);
    } else if (e.status === 'exposed' || e.status === 'kept') {
      exposedItem(item, md, e);
    } else if (e.status === 'ok') {
      // For the team, but written by someone Custodian does not vouch for, or an older version back: listed only for that (see getChildren).
      item.description = e.rollback ? rollbackLabel(e.rollback) : signerText(e);
      item.iconPath = warningIcon();
      item.contextValue = `custodian.encFile.written${unvouched(e)}`;
      md.appendMarkdown(vscode.l10n.t('**Recipients:** {0}\n\n', mdNames(e.recipients)));
      if (e.rollback) md.appendMarkdown(rollbackTooltip(e.rollback));
      if (e.unverified) {
        md.appendMarkdown(
          vscode.l10n.t(
            '$(warning) Encrypted for the team, but {0}: check what it changed before you use it ("Show Changes Since the Team\'s Version"). Saving it in the editor then signs it as yours.',
            escapeMd(e.unverified === 'unsigned' ? vscode.l10n.t('unsigned') : e.unverified),
          ),
        );
      }
    } else {
      const parts: string[] = [];
      if (e.missing.length) parts.push(vscode.l10n.t('missing {0}', e.missing.map((p) => p.name).join(', ')));
      if (e.extra.length) parts.push(vscode.l10n.t('not in team: {0}', e.extra.map((p) => p.name).join(', ')));
      if (!e.canDecrypt) parts.push(vscode.l10n.t('you cannot decrypt it'));
      if (e.unverified) parts.push(signerText(e));
      if (e.rollback) parts.unshift(rollbackLabel(e.rollback));
      item.description = parts.join(' · ');
      item.iconPath = e.canDecrypt ? warningIcon() : new vscode.ThemeIcon('lock');
      item.contextValue = (e.canDecrypt ? 'custodian.encFile.drift' : 'custodian.encFile.locked') + unvouched(e);
      md.appendMarkdown(vscode.l10n.t('**Recipients:** {0}\n\n', mdNames(e.recipients)));
      if (e.missing.length) md.appendMarkdown(vscode.l10n.t('$(person-add) Teammates who cannot open it: {0}\n\n', mdNames(e.missing)));
      if (e.extra.length) md.appendMarkdown(vscode.l10n.t('$(person) Recipients no longer in the team: {0}\n\n', mdNames(e.extra)));
      if (e.unverified && e.signer?.former !== undefined) {
        // Re-keying after a removal must reach what they wrote while on the team (reencrypt.ts).
        md.appendMarkdown(
          vscode.l10n.t(
            '$(warning) It is {0}: re-encrypting signs it as you. "Re-encrypt All" includes a version they wrote while on the team (its confirmation says so) and skips one written after they left; "Re-encrypt File" asks first. Check what it changed with "Show Changes Since the Team\'s Version".\n\n',
            escapeMd(e.unverified),
          ),
        );
      } else if (e.unverified) {
        md.appendMarkdown(vscode.l10n.t('$(warning) It is {0}: re-encrypting signs it as you, so "Re-encrypt File" asks first and "Re-encrypt All" skips it.\n\n', escapeMd(e.unverified === 'unsigned' ? vscode.l10n.t('unsigned') : e.unverified)));
      }
      if (e.rollback) md.appendMarkdown(rollbackTooltip(e.rollback));
      else if (!e.canDecrypt) md.appendMarkdown(vscode.l10n.t('None of your keys can open it: ask one of its recipients to re-encrypt it for the team.'));
      else if (e.unverified) md.appendMarkdown(vscode.l10n.t('Check what it changed ("Show Changes Since the Team\'s Version") and restore the team\'s version if it is not what you expect; re-encrypt it for the team if it is.'));
      else md.appendMarkdown(vscode.l10n.t('Re-encrypt it for the team to fix this.'));
    }
    item.tooltip = md;
    return item;
  }
}

/**
 * The context value's suffix for a version that is not known to be the team's (its signer is not vouched
 * for, or it is an older version back): its menu offers Show Changes and Restore the Team's Version.
 */
function unvouched(e: DriftEntry): string {
  return e.unverified || e.rollback ? '.unvouched' : '';
}

/** Names for a tooltip: a former teammate's comes from git history, a contact's from its file. */
function mdNames(parties: readonly Party[]): string {
  return parties.map((p) => escapeMd(p.name)).join(', ');
}

/**
 * A symbolic link (or a file under a linked folder): where it leads, and that it is never re-keyed. Its
 * menu offers nothing: what it leads to belongs to another repository's team (reencrypt.ts refuses it).
 */
function linkedItem(item: vscode.TreeItem, md: vscode.MarkdownString, e: DriftEntry): void {
  const link = e.link!;
  const target = displayText(link.target);
  item.description = vscode.l10n.t('link to {0} · not re-encrypted', target);
  item.iconPath = warningIcon();
  item.contextValue = 'custodian.encFile.linked';
  // Opening it would try to decrypt the other project's file and answer about its recipients, not the link:
  // a click shows the link in the Explorer, where it can be looked at or deleted.
  item.command = { command: 'revealInExplorer', title: vscode.l10n.t('Reveal in Explorer'), arguments: [e.uri] };
  md.appendMarkdown(
    link.path === vscode.workspace.asRelativePath(e.uri)
      ? vscode.l10n.t('$(link) A symbolic link to {0}, not a file of this repository.\n\n', escapeMd(target))
      : vscode.l10n.t('$(link) Reached through a symbolic link: the folder {0} leads to {1}.\n\n', escapeMd(displayText(link.path)), escapeMd(target)),
  );
  md.appendMarkdown(
    vscode.l10n.t(
      'Custodian never re-encrypts through a link: re-keying would write the file it leads to here, readable by the team. Re-encrypt that file where it lives, for its own team. If the link does not belong in this repository, remove it (its git history says who added it).',
    ),
  );
}

function rollbackTooltip(rollback: Rollback): string {
  return vscode.l10n.t(
    '$(history) An older version back: the same as commit {0}, undoing commit {1}. Secrets rotated since may be back, under the signature they had then. Check it with "Show Changes Since the Team\'s Version", then "Restore the Team\'s Version". Re-encrypting would sign it anew as yours: "Re-encrypt File" asks first and "Re-encrypt All" skips it.\n\n',
    rollback.sameAs.slice(0, 7),
    rollback.undone.slice(0, 7),
  );
}

/** A signer Custodian does not vouch for, short: "unsigned", "signed by bob (removed from team)". */
function signerText(e: DriftEntry): string {
  return e.signer ? vscode.l10n.t('signed by {0}', e.signer.name) : vscode.l10n.t('unsigned');
}

/**
 * A file that keeps chosen recipients (never re-keyed to the team) which someone outside the team can
 * read, or whose signer is not vouched for: what is wrong, and what to do for its kind of file.
 */
function exposedItem(item: vscode.TreeItem, md: vscode.MarkdownString, e: DriftEntry): void {
  const readers = e.extra.map((p) => p.name).join(', ');
  const mdReaders = mdNames(e.extra);
  const parts = [e.keep === 'share' ? vscode.l10n.t('Shamir share') : e.keep === 'mfa' ? vscode.l10n.t('MFA seed') : vscode.l10n.t('chosen recipients')];
  if (readers) parts.push(vscode.l10n.t('not in team: {0}', readers));
  if (e.unverified) parts.push(signerText(e));
  if (e.rollback) parts.push(rollbackLabel(e.rollback));
  item.description = parts.join(' · ');
  item.iconPath = warningIcon();
  item.contextValue = `custodian.encFile.exposed${unvouched(e)}`;
  md.appendMarkdown(vscode.l10n.t('**Recipients:** {0}\n\n', mdNames(e.recipients)));
  if (readers) md.appendMarkdown(vscode.l10n.t('$(person) Recipients who are not on the team and are not your contacts: {0}\n\n', mdReaders));
  if (e.unverified) md.appendMarkdown(vscode.l10n.t('$(warning) This version is {0}: check its content before you use it.\n\n', escapeMd(e.unverified === 'unsigned' ? vscode.l10n.t('unsigned') : e.unverified)));
  if (e.rollback) md.appendMarkdown(rollbackTooltip(e.rollback));
  // A share's remedy is in the Shamir Sets view (recover, then split again): clicking goes there, where
  // a newcomer found the entry with nothing to click.
  if (e.keep === 'share') item.command = { command: 'custodian.shamir.focus', title: vscode.l10n.t('Show Shamir Sets') };
  md.appendMarkdown(
    e.keep === 'share'
      ? vscode.l10n.t('A Shamir share stays sealed to its custodian and is never re-encrypted for the team. If the wrong person can open it, recover the secret (Recover Secret… in Shamir Sets, where a click on this entry leads) and split it again without them (Split Secret): the old shares then stop counting.')
      : e.keep === 'mfa'
        ? vscode.l10n.t('An MFA seed keeps the people it was shared with and is never re-encrypted for the team. If the wrong person can read it, reset the seed at the service and share the new one.')
        : vscode.l10n.t('Its recipients were chosen, so it is not re-encrypted for the team. If the wrong person can read it, rotate what it holds and encrypt it again for the people it is meant for.'),
  );
}

/**
 * Drifted files none of my keys can open (typically: I just joined, and they were encrypted before):
 * only one of their recipients can re-encrypt them, so the section names who, instead of offering an
 * action that would fail.
 */
function askRecipientsNode(parent: TreeNode, locked: readonly DriftEntry[], haveKeys: boolean): MessageNode {
  // Teammates first: a former teammate (named "bob (removed from team)") is asked only when no one else can.
  const others = locked.flatMap((e) => e.recipients.filter((p) => p.source !== 'mine'));
  const onTeam = others.filter((p) => p.source === 'roster' || p.source === 'contact');
  const names = [...new Set((onTeam.length > 0 ? onTeam : others).map((p) => p.name))];
  const who = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  // No key here yet (a new machine or browser profile): I may be one of them, and my backup the way in.
  if (!haveKeys) return importFirstNode(parent, locked, who, names.length === 1);
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(
    vscode.l10n.t(
      'None of your keys can open {0}. Only one of their recipients can re-encrypt them for the team: commit and push your roster entry, then ask {1} to check your key\'s fingerprint with you (the Keys view shows it), sign you into the roster ("Custodian: Sign the Current Roster", or `custodian roster sign` in a terminal), run "Custodian: Re-encrypt All Files for Team" (or `custodian rekey`) and push; then pull.',
      locked.length === 1 ? escapeMd(vscode.workspace.asRelativePath(locked[0].uri)) : vscode.l10n.t('{0} files', locked.length),
      escapeMd(who),
    ),
  );
  const label =
    onTeam.length === 0
      ? locked.length === 1
        ? vscode.l10n.t('Only {0} can open it: no one on the team can re-encrypt it', who)
        : vscode.l10n.t('Only {0} can open these {1} files: no one on the team can re-encrypt them', who, locked.length)
      : locked.length === 1
        ? vscode.l10n.t('Ask {0} to re-encrypt it for you', who)
        : vscode.l10n.t('Ask {0} to re-encrypt {1} files for you', who, locked.length);
  return new MessageNode(parent, {
    id: 'enc:ask',
    label,
    icon: new vscode.ThemeIcon('comment-discussion'),
    tooltip: md,
  });
}

/**
 * Drifted files I cannot open while no key of mine is here at all: "Ask alice, bob" read wrong to alice
 * herself, back in a new browser profile before importing her backup (a newcomer's trial). Import first.
 */
function importFirstNode(parent: TreeNode, locked: readonly DriftEntry[], who: string, onePerson: boolean): MessageNode {
  const md = new vscode.MarkdownString(
    onePerson
      ? vscode.l10n.t('None of your keys is in this VS Code yet. If you are {0}, import your key (the backup Back Up wrote) and re-encrypt the files for the team yourself. New to the team: generate a key, add yourself to the team, and ask {0} to re-encrypt them for you.', escapeMd(who))
      : vscode.l10n.t('None of your keys is in this VS Code yet. If you are one of {0}, import your key (the backup Back Up wrote) and re-encrypt the files for the team yourself. New to the team: generate a key, add yourself to the team, and ask {0} to re-encrypt them for you.', escapeMd(who)),
  );
  return new MessageNode(parent, {
    id: 'enc:import-first',
    label: locked.length === 1 ? vscode.l10n.t('Import your key to open it, or ask {0}', who) : vscode.l10n.t('Import your key to open these {0} files, or ask {1}', locked.length, who),
    icon: new vscode.ThemeIcon('key'),
    tooltip: md,
    command: { command: CommandId.ImportPrivateKey, title: vscode.l10n.t('Import Private Key…') },
  });
}

/**
 * My keys are not in the roster (a newcomer, or someone removed): the files look fine from here, since
 * they were encrypted for me too, but what a teammate encrypts or re-encrypts for the team is not.
 */
function notOnTeamNode(parent: SectionBase): MessageNode {
  const md = new vscode.MarkdownString(
    vscode.l10n.t('None of your keys is in the team roster, so the files your teammates encrypt or re-encrypt for the team from now on are not for you.\n\nJoining the team: *Add Myself to Team*, commit the roster file, and ask a teammate to re-encrypt the files for you. Removed from it: ask a teammate why.'),
  );
  return new MessageNode(parent, {
    id: 'enc:not-on-team',
    label: vscode.l10n.t('You are not on the team roster'),
    icon: new vscode.ThemeIcon('warning'),
    tooltip: md,
    command: { command: CommandId.AddMyselfToTeam, title: vscode.l10n.t('Add Myself to Team') },
  });
}

/** The files named in the tooltip of "All up to date": enough to recognise them, not a listing. */
const LISTED_IN_TOOLTIP = 20;

export class EncryptedFilesSection extends SectionBase implements vscode.Disposable {
  readonly id = 'encrypted';
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  override readonly onDidChange = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];
  private readonly debounce = new Debouncer(RESCAN_DEBOUNCE_MS, () => this.changeEmitter.fire());
  private counts: { total: number; drift: number } | undefined;

  constructor(
    private readonly services: EncryptionServices,
    private readonly scanner: DriftScanner,
    onDidChangeValueFiles: vscode.Event<void>,
  ) {
    super();
    const changed = () => this.debounce.schedule();
    this.subscriptions.push(
      watchEncFiles(changed),
      onDidChangeValueFiles(changed),
      services.roster.onDidChange(changed),
      services.onDidChangeKeys(changed),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('custodian.alwaysIncludeMyself')) changed();
      }),
      this.debounce,
    );
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  override description(): string | undefined {
    if (!this.counts?.total) return undefined;
    return this.counts.drift ? vscode.l10n.t('{0} of {1} need attention', this.counts.drift, this.counts.total) : vscode.l10n.t('{0} up to date', this.counts.total);
  }

  async getChildren(): Promise<TreeNode[]> {
    // No folder, or no .enc file in it: empty, so the view shows its welcome.
    if (workspaceFolders().length === 0) {
      this.counts = undefined;
      return [];
    }
    const report = await this.scanner.scan();
    // Its welcome ("No encrypted files yet") waits for the first scan: VS Code shows a view's welcome while its
    // children are still loading, which in a large repository said for seconds that there were none.
    void vscode.commands.executeCommand('setContext', 'custodian.encryptedScanned', true);
    // A file for the team that someone Custodian does not vouch for wrote (a removed teammate who can still
    // push) needs attention too: its recipients are right, its content is not known to be the team's.
    // Without a roster there is no team to write for (a file encrypted alone, unsigned, is no news).
    // An older version back needs attention whatever its recipients: what it brings back was rotated out.
    // A link is listed, not re-keyed: where it leads is worth a look (another project's secret, say).
    const attention = report.entries.filter(
      (e) => e.status === 'drift' || e.status === 'exposed' || e.status === 'invalid' || e.status === 'linked' || e.rollback !== undefined || (report.hasTeam && e.status === 'ok' && e.unverified !== undefined),
    );
    this.counts = { total: report.entries.length, drift: attention.length };
    if (report.entries.length === 0) return [];
    const onTeam = !report.hasTeam || (await this.myKeyOnRoster());
    const nodes: TreeNode[] = attention.map((e) => new EncryptedFileNode(this, e));
    if (!report.hasTeam) {
      nodes.push(new MessageNode(this, { id: 'enc:no-team', label: vscode.l10n.t('{0} .enc files · no team roster to compare with', report.entries.length), icon: new vscode.ThemeIcon('info') }));
    } else if (attention.length === 0) {
      const kept = report.entries.filter((e) => e.status === 'kept').length;
      // Which files: a newcomer who had just encrypted one saw no name here, and wondered whether it counted.
      const only = report.entries.length === 1 ? report.entries[0].uri : undefined;
      const label = kept
        ? vscode.l10n.t('All up to date · {0} keep chosen recipients', kept)
        : only
          ? vscode.l10n.t('{0} · encrypted for the current team', vscode.workspace.asRelativePath(only))
          : vscode.l10n.t('All {0} encrypted for the current team', report.entries.length);
      const names = report.entries.slice(0, LISTED_IN_TOOLTIP).map((e) => `- ${vscode.workspace.asRelativePath(e.uri)}`);
      if (report.entries.length > LISTED_IN_TOOLTIP) names.push(vscode.l10n.t('- and {0} more', report.entries.length - LISTED_IN_TOOLTIP));
      nodes.push(
        new MessageNode(this, {
          id: 'enc:ok',
          label,
          icon: new vscode.ThemeIcon('check'),
          tooltip: [...(kept ? [vscode.l10n.t('Shamir shares, MFA seeds for a subset and files encrypted to chosen people keep their recipients: re-keying never widens them to the team.'), ''] : []), ...names].join('\n'),
          ...(only ? { command: { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [only] } } : {}),
        }),
      );
    } else {
      // The action only where it can do something: files none of my keys open need one of their recipients.
      if (attention.some((e) => e.status === 'drift' && e.canDecrypt && !e.rollback)) {
        nodes.push(
          new MessageNode(this, {
            id: 'enc:fix',
            label: vscode.l10n.t('Re-encrypt all for the team'),
            icon: new vscode.ThemeIcon('sync'),
            command: { command: CommandId.ReencryptWorkspace, title: vscode.l10n.t('Re-encrypt All for Team') },
            contextValue: 'custodian.encFixAll',
          }),
        );
      }
      // Not on the roster (removed, or not added yet): asking a teammate to re-encrypt for me is not the next step.
      const locked = attention.filter((e) => e.status === 'drift' && !e.canDecrypt);
      if (locked.length > 0 && onTeam) nodes.push(askRecipientsNode(this, locked, this.services.keyStore.list().length > 0));
    }
    if (!onTeam) nodes.unshift(notOnTeamNode(this));
    return nodes;
  }

  /** Whether one of my keys is in a roster of the workspace (true when I have none: the Keys view says what to do). */
  private async myKeyOnRoster(): Promise<boolean> {
    const mine = new Set(this.services.keyStore.list().map((k) => k.fingerprint));
    return mine.size === 0 || (await this.services.roster.members()).some((m) => mine.has(m.key.fingerprint));
  }
}
