// The Custodian sidebar: one view per section (Keys, Team, Contacts, Encrypted Files, Shamir Sets, Shared MFA),
// each collapsible and movable on its own. A section knows its own items and tells its view when they
// change; SectionView is the one TreeDataProvider they all share, and SidebarViews keeps them together.
import * as vscode from 'vscode';

export interface TreeNode {
  getTreeItem(): vscode.TreeItem | Promise<vscode.TreeItem>;
  getChildren?(): Promise<TreeNode[]>;
  readonly parent?: TreeNode;
}

export interface TreeSection extends TreeNode {
  /** Stable id (`keys`, `team`, …): its view in package.json is `custodian.<id>`; Restricted Mode keys on it. */
  readonly id: string;
  /** The section's items; an empty list lets VS Code show the view's `viewsWelcome` content. */
  getChildren(): Promise<TreeNode[]>;
  /** Shown beside the view's title (e.g. a count); undefined for none. Read after each getChildren(). */
  description(): string | undefined;
  /** Fires when the section's items change; its view then refreshes. */
  readonly onDidChange?: vscode.Event<void>;
}

/** The id of a section's view in package.json `contributes.views`. */
export function sectionViewId(sectionId: string): string {
  return `custodian.${sectionId}`;
}

/** The tree of one section: the section itself is the (invisible) root, its items the top level. */
export class SectionView implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<TreeNode>;
  private readonly subscriptions: vscode.Disposable[];

  /**
   * @param restricted children shown instead of the section's own (Restricted Mode: workspace-trust.ts).
   * @param onDispose called once the view is gone.
   */
  constructor(
    readonly section: TreeSection,
    private readonly restricted: (section: TreeSection) => TreeNode[] | undefined,
    private readonly onDispose: (view: SectionView) => void = () => undefined,
  ) {
    this.view = vscode.window.createTreeView(sectionViewId(section.id), { treeDataProvider: this });
    this.subscriptions = [this.changeEmitter, this.view];
    if (section.onDidChange) this.subscriptions.push(section.onDidChange(() => this.refresh()));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.onDispose(this);
  }

  /** Redraws one item, or the whole view (and its title's description) for none or the section itself. */
  refresh(node?: TreeNode): void {
    this.changeEmitter.fire(node === this.section ? undefined : node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem | Promise<vscode.TreeItem> {
    return node.getTreeItem();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node) return (await node.getChildren?.()) ?? [];
    const instead = this.restricted(this.section);
    if (instead) return instead;
    const children = await this.section.getChildren();
    // The section's counts are known once its items are listed.
    this.view.description = this.section.description();
    return children;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent === this.section ? undefined : node.parent;
  }
}

/** Every section's view; features add theirs with `addSection`. */
export class SidebarViews implements vscode.Disposable {
  private readonly views: SectionView[] = [];

  constructor(private readonly restricted: (section: TreeSection) => TreeNode[] | undefined = () => undefined) {}

  dispose(): void {
    for (const v of [...this.views]) v.dispose();
  }

  /** Shows `section` in its view (contributed in package.json) until the returned view is disposed. */
  addSection(section: TreeSection): SectionView {
    const view = new SectionView(section, this.restricted, (gone) => {
      const i = this.views.indexOf(gone);
      if (i >= 0) this.views.splice(i, 1);
    });
    this.views.push(view);
    return view;
  }

  /** The sections' views in the order they were added. */
  all(): readonly SectionView[] {
    return [...this.views];
  }

  get(sectionId: string): SectionView | undefined {
    return this.views.find((v) => v.section.id === sectionId);
  }

  getSection(sectionId: string): TreeSection | undefined {
    return this.get(sectionId)?.section;
  }

  /** Redraws every view, or the item `node` in the view that shows it. */
  refresh(node?: TreeNode): void {
    if (!node) {
      for (const v of this.views) v.refresh();
      return;
    }
    let root = node;
    while (root.parent) root = root.parent;
    this.views.find((v) => v.section === root)?.refresh(node);
  }
}

/** The icon of an item that cannot be used (an invalid file, a missing key). */
export function errorIcon(): vscode.ThemeIcon {
  return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
}

/** The icon of an item that needs attention. */
export function warningIcon(): vscode.ThemeIcon {
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
}

/** What every section shares: no description unless it has one, and no item of its own. */
export abstract class SectionBase implements TreeSection {
  abstract readonly id: string;
  readonly onDidChange?: vscode.Event<void>;

  abstract getChildren(): Promise<TreeNode[]>;

  description(): string | undefined {
    return undefined;
  }

  /** Never drawn: the section is its view's root. */
  getTreeItem(): vscode.TreeItem {
    return new vscode.TreeItem(this.id);
  }
}

/** A leaf that only shows a message (empty section, a problem) and optionally runs a command. */
export class MessageNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    private readonly options: {
      id: string;
      label: string;
      description?: string;
      tooltip?: string | vscode.MarkdownString;
      icon: vscode.ThemeIcon;
      command?: vscode.Command;
      contextValue?: string;
    },
  ) {}

  getTreeItem(): vscode.TreeItem {
    const o = this.options;
    const item = new vscode.TreeItem(o.label, vscode.TreeItemCollapsibleState.None);
    item.id = o.id;
    item.description = o.description;
    item.tooltip = o.tooltip;
    item.iconPath = o.icon;
    item.command = o.command;
    item.contextValue = o.contextValue ?? 'custodian.message';
    return item;
  }
}
