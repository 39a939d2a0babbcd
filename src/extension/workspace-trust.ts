// Restricted Mode (a workspace VS Code has not trusted): Custodian parses nothing of the workspace on its
// own beyond the roster (`.custodian/team/*.pub`, each at most 64 KiB, needed to know who "the team"
// is). The sidebar sections that read every `.enc` header, MFA seed or share set, and the CodeLenses
// that parse armored blocks in open documents, wait until the workspace is trusted. Commands the user
// runs on a file they picked still work. docs/SECURITY.md "Untrusted workspaces".
import * as vscode from 'vscode';
import type { TreeNode, TreeSection } from './views/tree';

/** Sidebar sections that read workspace files by themselves (drift scan, MFA list, share status). */
export const SECTIONS_NEEDING_TRUST: ReadonlySet<string> = new Set(['encrypted', 'mfa', 'shamir']);

/** Whether a section may list its items (read workspace files) given the workspace's trust. */
export function sectionMayScan(sectionId: string, trusted: boolean): boolean {
  return trusted || !SECTIONS_NEEDING_TRUST.has(sectionId);
}

/** VS Code's workspace trust, with an event when it is granted (it is never revoked in a session). */
export class WorkspaceTrust implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when the workspace becomes trusted (or a simulation starts or ends). */
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.emitter];
  private simulated: boolean | undefined;

  constructor() {
    this.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.emitter.fire()));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  get isTrusted(): boolean {
    return this.simulated ?? vscode.workspace.isTrusted;
  }

  /** Behaves as if the workspace were (un)trusted until disposed: for tests, whose harness turns trust off. */
  simulate(trusted: boolean): vscode.Disposable {
    this.simulated = trusted;
    this.emitter.fire();
    return new vscode.Disposable(() => {
      this.simulated = undefined;
      this.emitter.fire();
    });
  }

  /** The children shown instead of a section's own while it may not scan; undefined when it may. */
  restrictedChildren(section: TreeSection): TreeNode[] | undefined {
    if (sectionMayScan(section.id, this.isTrusted)) return undefined;
    return [new RestrictedNode(section)];
  }

  /** `provider` with no lenses while the workspace is not trusted. */
  codeLensesWhenTrusted(provider: vscode.CodeLensProvider): vscode.CodeLensProvider {
    return {
      onDidChangeCodeLenses: provider.onDidChangeCodeLenses,
      provideCodeLenses: (document, token) => (this.isTrusted ? provider.provideCodeLenses(document, token) : []),
      resolveCodeLens: provider.resolveCodeLens ? (lens, token) => provider.resolveCodeLens!(lens, token) : undefined,
    };
  }
}

class RestrictedNode implements TreeNode {
  constructor(readonly parent: TreeSection) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Restricted Mode: trust this workspace to list these'), vscode.TreeItemCollapsibleState.None);
    item.id = `${this.parent.id}:restricted`;
    item.iconPath = new vscode.ThemeIcon('shield');
    item.contextValue = 'custodian.restricted';
    item.tooltip = vscode.l10n.t('Custodian does not read this workspace\'s encrypted files, MFA seeds or share sets by itself until you trust the workspace. Commands you run on a file you pick still work.');
    item.command = { command: 'workbench.trust.manage', title: vscode.l10n.t('Manage Workspace Trust') };
    return item;
  }
}
