// The Custodian sidebar: one tree whose top level is a list of pluggable sections (My Keys, Team,
// Contacts; later issues add theirs with `addSection`). A section is a node that knows its own
// children and tells the provider when they change; the provider knows nothing about keys.
import * as vscode from 'vscode';

export interface TreeNode {
  getTreeItem(): vscode.TreeItem | Promise<vscode.TreeItem>;
  getChildren?(): Promise<TreeNode[]>;
  readonly parent?: TreeNode;
}

export interface TreeSection extends TreeNode {
  /** Stable id, also the section's TreeItem id (`section:<id>`) and part of its contextValue. */
  readonly id: string;
  readonly label: string;
  /** Sections are shown in ascending order (My Keys 0, Team 10, Contacts 20, …). */
  readonly order: number;
  /** Fires when the section's items change; the provider then refreshes just that section. */
  readonly onDidChange?: vscode.Event<void>;
}

export class CustodianTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly sections: TreeSection[] = [];
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];

  /**
   * @param showWelcome when true the root is empty, so VS Code shows the view's `viewsWelcome` content.
   * @param restricted children shown instead of a section's own (Restricted Mode: workspace-trust.ts).
   */
  constructor(
    private readonly showWelcome: () => boolean,
    private readonly restricted: (section: TreeSection) => TreeNode[] | undefined = () => undefined,
  ) {}

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  addSection(section: TreeSection): vscode.Disposable {
    this.sections.push(section);
    this.sections.sort((a, b) => a.order - b.order);
    const listener = section.onDidChange?.(() => this.refresh());
    this.refresh();
    return new vscode.Disposable(() => {
      listener?.dispose();
      const i = this.sections.indexOf(section);
      if (i >= 0) this.sections.splice(i, 1);
      this.refresh();
    });
  }

  getSection(id: string): TreeSection | undefined {
    return this.sections.find((s) => s.id === id);
  }

  /**
   * Refreshes the whole tree (or one node). A whole-tree refresh is cheap here and keeps the
   * root's welcome/empty state right when a section's change flips it.
   */
  refresh(node?: TreeNode): void {
    this.changeEmitter.fire(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem | Promise<vscode.TreeItem> {
    return node.getTreeItem();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const section = this.sections.find((s) => s === node);
    const instead = section && this.restricted(section);
    if (instead) return instead;
    if (node) return (await node.getChildren?.()) ?? [];
    return this.showWelcome() ? [] : [...this.sections];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
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

/** A section header: collapsible, with a codicon and a contextValue `custodian.section.<id>`. */
export abstract class SectionBase implements TreeSection {
  abstract readonly id: string;
  abstract readonly label: string;
  abstract readonly order: number;
  protected abstract readonly icon: string;
  readonly onDidChange?: vscode.Event<void>;

  abstract getChildren(): Promise<TreeNode[]>;

  /** Shown beside the label (e.g. a count); undefined for none. */
  protected description(): string | undefined {
    return undefined;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `section:${this.id}`;
    item.contextValue = `custodian.section.${this.id}`;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.description = this.description();
    return item;
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
