// "Shamir Sets": the share sets of this workspace, each with its custodians and what became of their
// shares (sealed, released to someone, mine). Built from file names and envelope headers only: no
// private key is touched to draw the tree.
import * as vscode from 'vscode';
import { CommandId } from '../../commands/ids';
import type { ShamirServices } from '../../commands/shamir/deps';
import { knownPeople } from '../../shamir/share-crypto';
import type { ManifestCustodian } from '../../shamir/share-set';
import type { ShareSet, ShareSetEntry, ShareSetStatus, ShareStore } from '../../shamir/share-store';
import { workspaceFolders } from '../../storage/workspace-files';
import { codeSpan, escapeMd } from '../markdown';
import { MessageNode, SectionBase, errorIcon, warningIcon, type TreeNode } from '../tree';

interface SetView {
  status: ShareSetStatus;
  /** My key fingerprints. */
  mine: ReadonlySet<string>;
  /** Display names of known keys, by fingerprint. */
  names: ReadonlyMap<string, string>;
}

export class ShareSetNode implements TreeNode {
  /** Command arguments read `set` (Recover, Release, Reveal Manifest). */
  readonly set: ShareSet | undefined;

  constructor(
    readonly parent: TreeNode,
    readonly entry: ShareSetEntry,
    private readonly view: SetView | undefined,
    private readonly store: ShareStore,
  ) {
    this.set = entry.kind === 'set' ? entry : undefined;
  }

  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(e.name, e.kind === 'set' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `shamir:${e.dir.toString()}`;
    const md = new vscode.MarkdownString(undefined, true);
    if (e.kind === 'invalid' || !this.view) {
      item.iconPath = errorIcon();
      item.contextValue = 'custodian.shamirSet.invalid';
      item.description = 'invalid manifest';
      md.appendMarkdown(`$(error) ${escapeMd(e.kind === 'invalid' ? e.problem : 'unreadable')}`);
      item.tooltip = md;
      return item;
    }
    const m = e.manifest;
    const { status, mine } = this.view;
    const parts = [`${m.threshold} of ${m.total}`, m.created.slice(0, 10)];
    const progress = this.store.lastProgress(e);
    const available = new Set(status.files.filter((f) => !f.problem && f.recipients.some((fp) => mine.has(fp))).map((f) => f.custodian.index)).size;
    // Counted from headers (current, unverified); Recover verifies and records whether it succeeded.
    if (progress?.recovered) parts.push('recovered');
    else if (available > 0) parts.push(`${Math.min(available, m.threshold)} of ${m.threshold} needed`);
    const troubled = status.missing.length > 0 || status.files.some((f) => f.problem);
    if (troubled) parts.push('problems');
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(troubled ? 'warning' : 'layers');
    item.contextValue = 'custodian.shamirSet';
    md.appendMarkdown(`$(layers) **${escapeMd(m.name)}**: any ${m.threshold} of ${m.total} custodians recover the secret\n\n`);
    md.appendMarkdown(`Dealt by ${escapeMd(m.dealer.name)} on ${escapeMd(m.created.slice(0, 10))} · set ${codeSpan(m.setId)}\n\n`);
    md.appendMarkdown(`Custodians: ${m.custodians.map((c) => escapeMd(c.name)).join(', ')}\n\n`);
    md.appendMarkdown(codeSpan(vscode.workspace.asRelativePath(e.dir)));
    item.tooltip = md;
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    if (!this.set || !this.view) return [];
    const set = this.set;
    return set.manifest.custodians.map((c) => new CustodianNode(this, set, c, this.view!));
  }
}

export class CustodianNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly set: ShareSet,
    readonly custodian: ManifestCustodian,
    private readonly view: SetView,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const c = this.custodian;
    const { status, mine, names } = this.view;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
    item.id = `shamir:${this.set.dir.toString()}:${c.name}`;
    const isMine = mine.has(c.fingerprint);
    const files = status.files.filter((f) => f.custodian.name === c.name);
    const own = files.find((f) => f.releasedTo === undefined);
    const releases = files.filter((f) => f.releasedTo !== undefined);
    const problems = files.filter((f) => f.problem);
    const missing = !own;
    const releasedTo = releases.filter((f) => !f.problem).map((f) => (f.recipients[0] && names.get(f.recipients[0])) ?? f.releasedTo!);
    const parts: string[] = [];
    if (isMine) parts.push('you');
    if (missing) parts.push('share missing');
    else if (problems.length) parts.push('damaged');
    else parts.push('sealed');
    if (releasedTo.length) parts.push(`released to ${releasedTo.join(', ')}`);
    item.description = parts.join(' · ');
    item.iconPath =
      missing || problems.length
        ? warningIcon()
        : new vscode.ThemeIcon(releasedTo.length ? 'unlock' : isMine ? 'account' : 'lock');
    item.contextValue = isMine ? 'custodian.shamirCustodian.mine' : 'custodian.shamirCustodian';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(c.name)}** holds share ${c.index} of ${this.set.manifest.total}${isMine ? ' — you' : ''}\n\n`);
    md.appendCodeblock(c.fingerprint, 'text');
    if (missing) md.appendMarkdown(`\n\n$(warning) The share file is missing.`);
    for (const f of problems) md.appendMarkdown(`\n\n$(warning) ${codeSpan(f.file)}: ${escapeMd(f.problem!)}`);
    if (releasedTo.length) md.appendMarkdown(`\n\nReleased to ${releasedTo.map(escapeMd).join(', ')}.`);
    else if (isMine) md.appendMarkdown('\n\nRight-click → Release My Share… to seal it to the person recovering.');
    item.tooltip = md;
    return item;
  }
}

export class ShamirSection extends SectionBase {
  readonly id = 'shamir';
  readonly label = 'Shamir Sets';
  readonly order = 30;
  protected readonly icon = 'layers';
  override readonly onDidChange: vscode.Event<void>;
  private count: number | undefined;

  constructor(
    private readonly services: ShamirServices,
    private readonly store: ShareStore,
  ) {
    super();
    const sources = [store.onDidChange, services.onDidChangeKeys, services.roster.onDidChange, services.contacts.onDidChange];
    this.onDidChange = (listener, thisArgs, disposables) => {
      const subs = vscode.Disposable.from(...sources.map((event) => event(listener, thisArgs)));
      disposables?.push(subs);
      return subs;
    };
  }

  protected override description(): string | undefined {
    if (!this.count) return undefined;
    return this.count === 1 ? '1 set' : `${this.count} sets`;
  }

  async getChildren(): Promise<TreeNode[]> {
    if (workspaceFolders().length === 0) {
      return [new MessageNode(this, { id: 'shamir:no-folder', label: 'Open a folder to see its share sets', icon: new vscode.ThemeIcon('info') })];
    }
    const entries = await this.store.list();
    const previous = this.count;
    this.count = entries.length;
    if (previous !== this.count) setTimeout(() => this.services.tree.refresh(this), 0); // header count
    if (entries.length === 0) {
      return [
        new MessageNode(this, {
          id: 'shamir:empty',
          label: 'Split a secret…',
          description: 'any T of N custodians recover it',
          tooltip: 'Shamir secret sharing: split a break-glass password or recovery key so that any T of N teammates can recover it, and fewer learn nothing.',
          icon: new vscode.ThemeIcon('add'),
          command: { command: CommandId.SplitSecret, title: 'Split Secret' },
        }),
      ];
    }
    const mine = new Set(this.services.keyStore.list().map((k) => k.fingerprint));
    const names = new Map((await knownPeople(this.services)).map((p) => [p.fingerprint, p.label]));
    const nodes: TreeNode[] = [];
    for (const e of entries) {
      const view = e.kind === 'set' ? { status: await this.store.status(e), mine, names } : undefined;
      nodes.push(new ShareSetNode(this, e, view, this.store));
    }
    return nodes;
  }
}
