// "Shamir Sets": the share sets of this workspace, each with its custodians and what became of their
// shares (sealed, released to someone, mine). Built from file names and envelope headers only: no
// private key is touched to draw the tree.
import * as vscode from 'vscode';
import type { ShamirServices } from '../../commands/shamir/deps';
import { knownPeople } from '../../shamir/share-crypto';
import type { ManifestCustodian } from '../../shamir/share-set';
import type { ShareSet, ShareSetEntry, ShareSetStatus, ShareStore } from '../../shamir/share-store';
import { workspaceFolders } from '../../storage/workspace-files';
import { codeSpan, escapeMd } from '../markdown';
import { SectionBase, errorIcon, warningIcon, type TreeNode } from '../tree';

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
      item.description = vscode.l10n.t('invalid manifest');
      md.appendMarkdown(`$(error) ${escapeMd(e.kind === 'invalid' ? e.problem : vscode.l10n.t('unreadable'))}`);
      item.tooltip = md;
      return item;
    }
    const m = e.manifest;
    const { status, mine } = this.view;
    const parts = [vscode.l10n.t('{0} of {1}', m.threshold, m.total), m.created.slice(0, 10)];
    const progress = this.store.lastProgress(e);
    const held = new Set(status.files.filter((f) => !f.problem && f.recipients.some((fp) => mine.has(fp))).map((f) => f.custodian.index));
    const available = held.size;
    // Counted from headers and signatures; Recover verifies in full and records whether it succeeded
    // ("recovered" is not shown once a file of the set has a problem: it may not recover again).
    const troubled = status.missing.length > 0 || status.files.some((f) => f.problem);
    if (progress?.recovered && !troubled) parts.push(vscode.l10n.t('recovered'));
    else if (available > 0) parts.push(vscode.l10n.t('{0} of {1} needed shares available', Math.min(available, m.threshold), m.threshold));
    if (troubled) parts.push(vscode.l10n.t('problems'));
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(troubled ? 'warning' : 'layers');
    item.contextValue = 'custodian.shamirSet';
    md.appendMarkdown(vscode.l10n.t('$(layers) **{0}**: any {1} of {2} custodians recover the secret\n\n', escapeMd(m.name), m.threshold, m.total));
    md.appendMarkdown(vscode.l10n.t('Dealt by {0} on {1} · set {2}\n\n', escapeMd(m.dealer.name), escapeMd(m.created.slice(0, 10)), codeSpan(m.setId)));
    md.appendMarkdown(vscode.l10n.t('Custodians: {0}\n\n', m.custodians.map((c) => escapeMd(c.name)).join(', ')));
    md.appendMarkdown(`${nextStep(status, held)}\n\n`);
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

/**
 * What to do before trying Recover: how many more releases are needed and who can give one (a custodian
 * whose share I do not hold and whose own share file is there and intact).
 */
function nextStep(status: ShareSetStatus, held: ReadonlySet<number>): string {
  const m = status.set.manifest;
  if (held.size >= m.threshold) return vscode.l10n.t('$(check) You hold {0} of the {1} shares needed: Recover Secret… can run.', held.size, m.threshold);
  const need = m.threshold - held.size;
  const intact = new Set(status.files.filter((f) => f.releasedTo === undefined && !f.problem).map((f) => f.custodian.name));
  const can = m.custodians.filter((c) => !held.has(c.index) && intact.has(c.name)).map((c) => escapeMd(c.name));
  if (can.length < need) {
    return vscode.l10n.t('$(warning) You hold {0} of the {1} shares needed, and too few intact shares are left to release ({2}).', held.size, m.threshold, can.join(', ') || '—');
  }
  return need === 1
    ? vscode.l10n.t('$(info) You hold {0} of the {1} shares needed. Ask one more of {2} to run Release My Share… to you.', held.size, m.threshold, can.join(', '))
    : vscode.l10n.t('$(info) You hold {0} of the {1} shares needed. Ask {2} more of {3} to run Release My Share… to you.', held.size, m.threshold, need, can.join(', '));
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
    if (isMine) parts.push(vscode.l10n.t('you'));
    if (missing) parts.push(vscode.l10n.t('share missing'));
    else if (problems.length) parts.push(vscode.l10n.t('damaged'));
    else parts.push(vscode.l10n.t('sealed'));
    if (releasedTo.length) parts.push(vscode.l10n.t('released to {0}', releasedTo.join(', ')));
    item.description = parts.join(' · ');
    item.iconPath =
      missing || problems.length
        ? warningIcon()
        : new vscode.ThemeIcon(releasedTo.length ? 'unlock' : isMine ? 'account' : 'lock');
    // My own share, missing or failing its checks, cannot be released: no Release action is offered for it.
    const releasable = isMine && own !== undefined && !own.problem;
    item.contextValue = releasable ? 'custodian.shamirCustodian.mine' : isMine ? 'custodian.shamirCustodian.mine.unusable' : 'custodian.shamirCustodian';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(
      isMine
        ? vscode.l10n.t('**{0}** holds share {1} of {2} — you\n\n', escapeMd(c.name), c.index, this.set.manifest.total)
        : vscode.l10n.t('**{0}** holds share {1} of {2}\n\n', escapeMd(c.name), c.index, this.set.manifest.total),
    );
    md.appendCodeblock(c.fingerprint, 'text');
    if (missing) md.appendMarkdown(vscode.l10n.t('\n\n$(warning) The share file is missing.'));
    for (const f of problems) md.appendMarkdown(`\n\n$(warning) ${codeSpan(f.file)}: ${escapeMd(f.problem!)}`);
    if (releasedTo.length) md.appendMarkdown(vscode.l10n.t('\n\nReleased to {0}.', releasedTo.map(escapeMd).join(', ')));
    else if (releasable) md.appendMarkdown(vscode.l10n.t('\n\nRight-click → Release My Share… to seal it to the person recovering.'));
    else if (isMine) md.appendMarkdown(vscode.l10n.t('\n\nYour share cannot be released until the dealer deals the set again, or the file is restored from git.'));
    item.tooltip = md;
    return item;
  }
}

export class ShamirSection extends SectionBase {
  readonly id = 'shamir';
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

  override description(): string | undefined {
    if (!this.count) return undefined;
    return this.count === 1 ? vscode.l10n.t('1 set') : vscode.l10n.t('{0} sets', this.count);
  }

  async getChildren(): Promise<TreeNode[]> {
    // No folder, or no set in it: empty, so the view shows its welcome (Split Secret).
    if (workspaceFolders().length === 0) {
      this.count = undefined;
      return [];
    }
    const entries = await this.store.list();
    this.count = entries.length;
    if (entries.length === 0) return [];
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
