// "Shared MFA": one item per `.custodian/mfa/<name>.otpauth.enc`. Selecting an item (or its Show action)
// decrypts its seed in memory and shows the current code with the seconds left (`123 456 · 17s`), redrawn
// every second while shown; files I cannot open (not a recipient, tampered, damaged) are items with an error icon.
import * as vscode from 'vscode';
import { CommandId } from '../../commands/ids';
import { groupCode } from '../../mfa/live-codes';
import type { MfaEntry, MfaProblemKind } from '../../mfa/mfa-store';
import type { SharedMfa } from '../../mfa/shared-mfa';
import { workspaceFolders } from '../../storage/workspace-files';
import { codeSpan, escapeMd } from '../markdown';
import { SectionBase, errorIcon, warningIcon, type SidebarViews, type TreeNode } from '../tree';

function shortProblem(kind: MfaProblemKind): string {
  switch (kind) {
    case 'not-recipient':
      return vscode.l10n.t('not a recipient');
    case 'tampered':
      return vscode.l10n.t('tampered — do not trust');
    case 'damaged':
      return vscode.l10n.t('damaged file');
    case 'invalid':
      return vscode.l10n.t('not a TOTP key');
    case 'keychain':
      return vscode.l10n.t('keychain unavailable');
    case 'unreadable':
      return vscode.l10n.t('cannot open');
  }
}

export class MfaNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly entry: MfaEntry,
    private readonly mfa: SharedMfa,
    private readonly showFolder: boolean,
  ) {}

  /** Commands given this node act on this entry. */
  get name(): string {
    return this.entry.name;
  }

  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const mfa = this.mfa;
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    item.id = `mfa:${e.uri.toString()}`;
    const where = this.showFolder ? ` · ${e.folder.name}` : '';
    const live = e.problem ? undefined : mfa.codes.current(e.uri.toString());
    const label = mfa.store.label(e);
    const md = new vscode.MarkdownString(undefined, true);
    const path = vscode.workspace.asRelativePath(e.uri);
    if (e.problem) {
      item.iconPath = errorIcon();
      item.contextValue = 'custodian.mfa.problem';
      item.description = shortProblem(e.problem.kind) + where;
      md.appendMarkdown(vscode.l10n.t('$(error) **{0}** cannot be opened\n\n{1}\n\n', escapeMd(e.name), escapeMd(e.problem.message)));
      if (e.problem.hint) md.appendMarkdown(`${escapeMd(e.problem.hint)}\n\n`);
    } else if (live) {
      const warn = label && label.signer.kind !== 'me' && label.signer.kind !== 'teammate';
      item.iconPath = warn ? warningIcon() : new vscode.ThemeIcon('unlock');
      item.contextValue = 'custodian.mfa.live';
      item.description = `${groupCode(live.code)} · ${live.secondsRemaining}s${where}`;
      md.appendMarkdown(vscode.l10n.t('$(unlock) **{0}**: {1}, {2}s left\n\n', escapeMd(e.name), codeSpan(live.code), live.secondsRemaining));
    } else {
      item.iconPath = new vscode.ThemeIcon('shield');
      item.contextValue = 'custodian.mfa';
      item.description = (label ? [label.issuer, label.account].filter(Boolean).join(' · ') : '') + where;
      md.appendMarkdown(vscode.l10n.t('$(shield) **{0}**\n\nSelect to decrypt the seed in memory and show the current code.\n\n', escapeMd(e.name)));
    }
    if (label) {
      md.appendMarkdown(vscode.l10n.t('{0} · {1}, {2} digits, every {3}s\n\n', escapeMd([label.issuer, label.account].filter(Boolean).join(': ')), label.algorithm, label.digits, label.period));
      md.appendMarkdown(`${signerText(label.signer)}\n\n`);
    }
    md.appendMarkdown(e.recipients.length === 1 ? vscode.l10n.t('{0} · encrypted to 1 key', codeSpan(path)) : vscode.l10n.t('{0} · encrypted to {1} keys', codeSpan(path), e.recipients.length));
    item.tooltip = md;
    // No item.command: a command with arguments is cached per render, and the live item re-renders every second,
    // so a click could hit a discarded cache entry. Selection (see MfaSection.attach) and menus use stable ids.
    return item;
  }
}

function signerText(signer: { kind: string; name?: string; fingerprint?: string }): string {
  switch (signer.kind) {
    case 'me':
      return vscode.l10n.t('Signed by you ({0}).', escapeMd(signer.name ?? ''));
    case 'teammate':
      return signer.name === undefined ? vscode.l10n.t('Signed by a teammate.') : vscode.l10n.t('Signed by {0}.', escapeMd(signer.name));
    case 'unknown':
      return vscode.l10n.t('$(warning) Signed by a key outside the team ({0}): check who added this seed.', codeSpan(signer.fingerprint ?? ''));
    default:
      return vscode.l10n.t('$(warning) Not signed: anyone who can write to the repository could have added this seed.');
  }
}

export class MfaSection extends SectionBase implements vscode.Disposable {
  readonly id = 'mfa';
  override readonly onDidChange: vscode.Event<void>;
  private nodes = new Map<string, MfaNode>();
  private view: vscode.TreeView<TreeNode> | undefined;
  private count: number | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly mfa: SharedMfa,
    views: SidebarViews,
  ) {
    super();
    this.onDidChange = mfa.store.onDidChange;
    // Redraw only the items whose code is ticking: a whole-tree refresh every second would re-read the roster.
    this.subscriptions = [
      mfa.codes.onDidTick((ids) => {
        for (const id of ids) {
          const node = this.nodes.get(id);
          if (node) views.refresh(node);
        }
      }),
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  /**
   * Wires the tree view: selecting an entry shows its code (trying again on a problem item says what is
   * wrong, and works once it is fixed); hiding the view forgets every seed.
   */
  attach(view: vscode.TreeView<TreeNode>): vscode.Disposable {
    this.view = view;
    return vscode.Disposable.from(
      view.onDidChangeVisibility((e) => this.mfa.codes.setVisible(e.visible)),
      view.onDidChangeSelection((e) => {
        const node = e.selection.find((n): n is MfaNode => n instanceof MfaNode);
        if (node) void vscode.commands.executeCommand(CommandId.ShowMfaCode, node);
      }),
      { dispose: () => (this.view = undefined) },
    );
  }

  /** Selects an entry's item in the view (as a click does), e.g. from tests. */
  async select(name: string): Promise<boolean> {
    const node = [...this.nodes.values()].find((n) => n.entry.name === name);
    if (!node || !this.view) return false;
    await this.view.reveal(node, { select: true, focus: true });
    return true;
  }

  override description(): string | undefined {
    if (!this.count) return undefined;
    return this.count === 1 ? vscode.l10n.t('1 seed') : vscode.l10n.t('{0} seeds', this.count);
  }

  async getChildren(): Promise<TreeNode[]> {
    // No folder, or no seed in it: empty, so the view shows its welcome (Add Shared MFA).
    if (workspaceFolders().length === 0) {
      this.nodes = new Map();
      this.count = undefined;
      return [];
    }
    const entries = await this.mfa.store.list();
    this.count = entries.length;
    if (entries.length === 0) {
      this.nodes = new Map();
      return [];
    }
    const showFolder = new Set(entries.map((e) => e.folder.index)).size > 1;
    const nodes = entries.map((e) => new MfaNode(this, e, this.mfa, showFolder));
    this.nodes = new Map(nodes.map((n) => [n.entry.uri.toString(), n]));
    return nodes;
  }
}
