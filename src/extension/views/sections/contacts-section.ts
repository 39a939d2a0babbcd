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
    item.description = `${c.bits}-bit · ${this.shortFingerprint}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`$(account) **${escapeMd(c.name)}** — contact\n\n`);
    if (c.comment && c.comment !== c.name) md.appendMarkdown(`${escapeMd(c.comment)}\n\n`);
    md.appendMarkdown(`RSA ${c.bits}-bit · added ${c.added.slice(0, 10)}\n\n`);
    md.appendCodeblock(c.fingerprint, 'text');
    item.tooltip = md;
    return item;
  }
}

export class ContactsSection extends SectionBase {
  readonly id = 'contacts';
  readonly label = 'Contacts';
  readonly order = 20;
  protected readonly icon = 'book';
  override readonly onDidChange: vscode.Event<void>;

  constructor(private readonly contacts: Contacts) {
    super();
    this.onDidChange = contacts.onDidChange;
  }

  protected override description(): string | undefined {
    const n = this.contacts.list().length;
    return n === 0 ? undefined : n === 1 ? '1 contact' : `${n} contacts`;
  }

  async getChildren(): Promise<TreeNode[]> {
    const contacts = this.contacts.list();
    if (contacts.length === 0) {
      return [
        new MessageNode(this, {
          id: 'contacts:empty',
          label: 'Add a contact…',
          description: 'people outside this repository',
          icon: new vscode.ThemeIcon('add'),
          command: { command: CommandId.AddContact, title: 'Add Contact' },
        }),
      ];
    }
    const { shortFingerprint } = await lazyCore.keys();
    return contacts.map((c) => new ContactNode(this, c, shortFingerprint(c.fingerprint)));
  }
}
