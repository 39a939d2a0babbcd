// "Contacts": people outside this repository whose public keys I keep (globalState).
import * as vscode from 'vscode';
import type { Contacts } from '../../storage/contacts';
import type { Contact } from '../../storage/contacts';
import type { FingerprintCheck, FingerprintChecks } from '../../storage/fingerprint-checks';
import { appendCheck, mismatchDescription } from '../fingerprint-check';
import { SectionBase, warningIcon, type TreeNode } from '../tree';
import { escapeMd } from '../markdown';
import { lazyCore } from '../../lazy-core';

export class ContactNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly contact: Contact,
    private readonly shortFingerprint: string,
    /** My last Verify Fingerprint of this contact's key, if any. */
    private readonly check?: FingerprintCheck,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const c = this.contact;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
    item.id = `contact:${c.id}`;
    const mismatch = this.check?.result === 'mismatch';
    item.iconPath = mismatch ? warningIcon() : new vscode.ThemeIcon('account');
    item.contextValue = 'custodian.contact';
    const key = vscode.l10n.t('{0}-bit · {1}', c.bits, this.shortFingerprint);
    item.description = mismatch ? `${mismatchDescription()} · ${key}` : key;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(vscode.l10n.t('$(account) **{0}** — contact\n\n', escapeMd(c.name)));
    if (c.comment && c.comment !== c.name) md.appendMarkdown(`${escapeMd(c.comment)}\n\n`);
    md.appendMarkdown(vscode.l10n.t('RSA {0}-bit · added {1}\n\n', c.bits, c.added.slice(0, 10)));
    md.appendCodeblock(c.fingerprint, 'text');
    if (this.check) appendCheck(md, this.check, c.fingerprint);
    item.tooltip = md;
    return item;
  }
}

export class ContactsSection extends SectionBase {
  readonly id = 'contacts';
  override readonly onDidChange: vscode.Event<void>;

  constructor(
    private readonly contacts: Contacts,
    private readonly checks: FingerprintChecks,
  ) {
    super();
    const changed = new vscode.EventEmitter<void>();
    contacts.onDidChange(() => changed.fire());
    checks.onDidChange(() => changed.fire());
    this.onDidChange = changed.event;
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
    return contacts.map((c) => new ContactNode(this, c, shortFingerprint(c.fingerprint), this.checks.get(c.fingerprint)));
  }
}
