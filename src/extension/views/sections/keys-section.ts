// "My Keys": the keys in SecretStorage, the default one starred; keys whose private half vanished
// from the keychain, and a keychain that cannot be read, are shown as problems.
import * as vscode from 'vscode';
import type { ActiveKeyStore } from '../../storage/active-key-store';
import type { KeyInfo } from '../../storage/key-store';
import { secretLocation } from '../../storage/secret-location';
import { errorMessageWithHint } from '../../ui/messages';
import { escapeMd } from '../markdown';
import { MessageNode, SectionBase, errorIcon, type TreeNode } from '../tree';
import { lazyCore } from '../../lazy-core';

export class KeyNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly info: KeyInfo,
    private readonly shortFingerprint: string,
    private readonly missing: boolean,
  ) {}

  /** Commands given this node as their argument act on this key. */
  get keyId(): string {
    return this.info.id;
  }

  getTreeItem(): vscode.TreeItem {
    const k = this.info;
    const item = new vscode.TreeItem(k.name, vscode.TreeItemCollapsibleState.None);
    item.id = `key:${k.id}`;
    const parts = [k.isDefault ? vscode.l10n.t('{0}-bit · {1} · default', k.bits, this.shortFingerprint) : vscode.l10n.t('{0}-bit · {1}', k.bits, this.shortFingerprint)];
    if (this.missing) parts.push(vscode.l10n.t('private key missing'));
    item.description = parts.join(' · ');
    if (this.missing) {
      item.iconPath = errorIcon();
      item.contextValue = 'custodian.myKey.missing';
    } else if (k.isDefault) {
      item.iconPath = new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow'));
      item.contextValue = 'custodian.myKey.default';
    } else {
      item.iconPath = new vscode.ThemeIcon('key');
      item.contextValue = 'custodian.myKey';
    }
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(
      k.isDefault ? vscode.l10n.t('$(key) **{0}** — default key (decrypts first, signs)\n\n', escapeMd(k.name)) : `$(key) **${escapeMd(k.name)}**\n\n`,
    );
    if (k.label) md.appendMarkdown(`${escapeMd(k.label)}\n\n`);
    md.appendMarkdown(vscode.l10n.t('RSA {0}-bit · created {1}\n\n', k.bits, k.created.slice(0, 10)));
    md.appendCodeblock(k.fingerprint, 'text');
    md.appendMarkdown(
      this.missing
        ? vscode.l10n.t('\n\n$(error) The private key is missing from {0}. Import it again from a backup, or delete this entry.', secretLocation().where)
        : vscode.l10n.t('\n\nThe private key is stored in {0} only.', secretLocation().where),
    );
    item.tooltip = md;
    return item;
  }
}

export class KeysSection extends SectionBase {
  readonly id = 'keys';
  override readonly onDidChange: vscode.Event<void>;

  constructor(private readonly keys: ActiveKeyStore) {
    super();
    this.onDidChange = keys.onDidChange;
  }

  override description(): string | undefined {
    const n = this.keys.current.list().length;
    if (n === 0) return undefined;
    return n === 1 ? vscode.l10n.t('1 key') : vscode.l10n.t('{0} keys', n);
  }

  async getChildren(): Promise<TreeNode[]> {
    const store = this.keys.current;
    const keys = store.list();
    const { shortFingerprint } = await lazyCore.keys();
    const nodes: TreeNode[] = [];
    let missing = new Set<string>();
    try {
      const present = await Promise.all(keys.map((k) => store.hasPrivateKey(k.id)));
      missing = new Set(keys.filter((_, i) => !present[i]).map((k) => k.id));
    } catch (err) {
      nodes.push(
        new MessageNode(this, {
          id: 'keys:keychain-error',
          label: secretLocation().inBrowser ? vscode.l10n.t('Browser key storage unavailable') : vscode.l10n.t('OS keychain unavailable'),
          description: vscode.l10n.t('cannot read private keys'),
          tooltip: errorMessageWithHint(err),
          icon: errorIcon(),
          contextValue: 'custodian.keychainError',
        }),
      );
    }
    for (const k of keys) nodes.push(new KeyNode(this, k, shortFingerprint(k.fingerprint), missing.has(k.id)));
    // No keys: empty, so the view shows its welcome (Generate Key, Import Private Key).
    return nodes;
  }
}
