// "Contacts": people outside this repository whose public keys I keep (globalState).
import * as vscode from 'vscode';
import type { Contacts } from '../../storage/contacts';
import type { Contact } from '../../storage/contacts';
import { SectionBase, type TreeNode } from '../tree';
import { escapeMd } from '../markdown';
import { lazyCore } from '../../lazy-core';

export class ContactNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly contact: Contact,
    private readonly shortFingerprint: string,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const c = this.contact;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
    item.id = `contact:${c.id}`;
    item.iconPath = new vscode.ThemeIcon('account');
    item.contextValue = 'custodian.contact';
    item.description = vscode.l10n.t('{0}-bit · {1}', c.bits, this.shortFingerprint);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(vscode.l10n.t('$(account) **{0}** — contact\n\n', escapeMd(c.name)));
    if (c.comment && c.comment !== c.name) md.appendMarkdown(`${escapeMd(c.comment)}\n\n`);
    md.appendMarkdown(vscode.l10n.t('RSA {0}-bit · added {1}\n\n', c.bits, c.added.slice(0, 10)));
    md.appendCodeblock(c.fingerprint, 'text');
    item.tooltip = md;
    return item;
  }
}

export class ContactsSection extends SectionBase {
  readonly id = 'contacts';
  override readonly onDidChange: vscode.Event<void>;

  constructor(private readonly contacts: Contacts) {
    super();
    this.onDidChange = contacts.onDidChange;
  }

  override description(): string | undefined {
    const n = this.contacts.list().length;
    return n === 0 ? undefined : n === 1 ? vscode.l10n.t('1 contact') : vscode.l10n.t('{0} contacts', n);
  }

  async getChildren(): Promise<TreeNode[]> {
    const contacts = this.contacts.list();
    // None: empty, so the view shows its welcome (Add Contact).
    if (contacts.length === 0) return [];
    const { shortFingerprint } = await lazyCore.keys();
    return contacts.map((c) => new ContactNode(this, c, shortFingerprint(c.fingerprint)));
  }
}
