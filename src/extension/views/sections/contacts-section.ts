// "Contacts": people outside this repository whose public keys I keep (globalState).
import * as vscode from 'vscode';
import { CommandId } from '../../commands/ids';
import type { Contacts } from '../../storage/contacts';
import type { Contact } from '../../storage/contacts';
import { MessageNode, SectionBase, type TreeNode } from '../tree';
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
  readonly label = vscode.l10n.t('Contacts');
  readonly order = 20;
  protected readonly icon = 'book';
  override readonly onDidChange: vscode.Event<void>;

  constructor(private readonly contacts: Contacts) {
    super();
    this.onDidChange = contacts.onDidChange;
  }

  protected override description(): string | undefined {
    const n = this.contacts.list().length;
    return n === 0 ? undefined : n === 1 ? vscode.l10n.t('1 contact') : vscode.l10n.t('{0} contacts', n);
  }

  async getChildren(): Promise<TreeNode[]> {
    const contacts = this.contacts.list();
    if (contacts.length === 0) {
      return [
        new MessageNode(this, {
          id: 'contacts:empty',
          label: vscode.l10n.t('Add a contact…'),
          description: vscode.l10n.t('people outside this repository'),
          icon: new vscode.ThemeIcon('add'),
          command: { command: CommandId.AddContact, title: vscode.l10n.t('Add Contact') },
        }),
      ];
    }
    const { shortFingerprint } = await lazyCore.keys();
    return contacts.map((c) => new ContactNode(this, c, shortFingerprint(c.fingerprint)));
  }
}
