// "Encrypted Files": the drift report. `.enc` files whose recipients are not the current team (someone
// missing, someone removed) and files that cannot be read are listed, each with what differs; the
// section's action re-encrypts them for the team after a confirmation listing each file and its new
// recipients. Files whose recipients were chosen (shares, MFA seeds, "chosen") are not listed: they are
// not drift. Scans only when expanded.
import * as vscode from 'vscode';
import { CommandId } from '../../commands/ids';
import type { DriftEntry, DriftScanner } from '../../commands/rekey/drift';
import { ENC_GLOB } from '../../commands/rekey/drift';
import type { EncryptionServices } from '../../commands/encrypt/deps';
import { Debouncer, watchFiles, workspaceFolders } from '../../storage/workspace-files';
import { MessageNode, SectionBase, errorIcon, warningIcon, type TreeNode } from '../tree';

const RESCAN_DEBOUNCE_MS = 300;

export class EncryptedFileNode implements TreeNode {
  constructor(
    readonly parent: TreeNode,
    readonly entry: DriftEntry,
  ) {}

  /** Commands given this node act on this file. */
  get fileUri(): vscode.Uri {
    return this.entry.uri;
  }

  getTreeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(vscode.workspace.asRelativePath(e.uri), vscode.TreeItemCollapsibleState.None);
    item.id = `enc:${e.uri.toString()}`;
    item.resourceUri = e.uri;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [e.uri] };
    const md = new vscode.MarkdownString(undefined, true);
    if (e.status === 'invalid') {
      item.iconPath = errorIcon();
      item.description = 'damaged';
      item.contextValue = 'custodian.encFile.invalid';
      md.appendMarkdown(`$(error) Not a readable Custodian file: ${e.problem ?? ''}\n\nRe-encrypting cannot repair it: restore it from git if it was committed, or ask whoever encrypted it to do it again.`);
    } else {
      const parts: string[] = [];
      if (e.missing.length) parts.push(`missing ${e.missing.map((p) => p.name).join(', ')}`);
      if (e.extra.length) parts.push(`not in team: ${e.extra.map((p) => p.name).join(', ')}`);
      if (!e.canDecrypt) parts.push('you cannot decrypt it');
      if (e.unverified) parts.push(e.unverified === 'unsigned' ? 'unsigned' : 'unknown signer');
      item.description = parts.join(' · ');
      item.iconPath = e.canDecrypt ? warningIcon() : new vscode.ThemeIcon('lock');
      item.contextValue = e.canDecrypt ? 'custodian.encFile.drift' : 'custodian.encFile.locked';
      md.appendMarkdown(`**Recipients:** ${e.recipients.map((p) => p.name).join(', ')}\n\n`);
      if (e.missing.length) md.appendMarkdown(`$(person-add) Teammates who cannot open it: ${e.missing.map((p) => p.name).join(', ')}\n\n`);
      if (e.extra.length) md.appendMarkdown(`$(person) Recipients no longer in the team: ${e.extra.map((p) => p.name).join(', ')}\n\n`);
      if (e.unverified) {
        md.appendMarkdown(`$(warning) It is ${e.unverified}: re-encrypting signs it as you, so "Re-encrypt File" asks first and "Re-encrypt All" skips it.\n\n`);
      }
      md.appendMarkdown(e.canDecrypt ? 'Re-encrypt it for the team to fix this.' : 'None of your keys can open it: ask one of its recipients to re-encrypt it for the team.');
    }
    item.tooltip = md;
    return item;
  }
}

export class EncryptedFilesSection extends SectionBase implements vscode.Disposable {
  readonly id = 'encrypted';
  readonly label = 'Encrypted Files';
  readonly order = 25;
  protected readonly icon = 'file-binary';
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  override readonly onDidChange = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];
  private readonly debounce = new Debouncer(RESCAN_DEBOUNCE_MS, () => this.changeEmitter.fire());
  private counts: { total: number; drift: number } | undefined;

  constructor(
    private readonly services: EncryptionServices,
    private readonly scanner: DriftScanner,
  ) {
    super();
    const changed = () => this.debounce.schedule();
    this.subscriptions.push(
      watchFiles(ENC_GLOB, changed),
      services.roster.onDidChange(changed),
      services.onDidChangeKeys(changed),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('custodian.alwaysIncludeMyself')) changed();
      }),
      this.debounce,
    );
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  protected override description(): string | undefined {
    if (!this.counts) return undefined;
    if (this.counts.total === 0) return 'none';
    return this.counts.drift ? `${this.counts.drift} of ${this.counts.total} need attention` : `${this.counts.total} up to date`;
  }

  async getChildren(): Promise<TreeNode[]> {
    if (workspaceFolders().length === 0) {
      return [new MessageNode(this, { id: 'enc:no-folder', label: 'Open a folder to see its encrypted files', icon: new vscode.ThemeIcon('info') })];
    }
    const report = await this.scanner.scan();
    const attention = report.entries.filter((e) => e.status === 'drift' || e.status === 'invalid');
    const previous = this.counts;
    this.counts = { total: report.entries.length, drift: attention.length };
    if (previous?.total !== this.counts.total || previous?.drift !== this.counts.drift) setTimeout(() => this.services.tree.refresh(this), 0);
    const nodes: TreeNode[] = attention.map((e) => new EncryptedFileNode(this, e));
    if (report.entries.length === 0) {
      nodes.push(new MessageNode(this, { id: 'enc:none', label: 'No .enc files in this workspace', icon: new vscode.ThemeIcon('info'), tooltip: 'Right-click a file in the Explorer and choose "Encrypt File".' }));
    } else if (!report.hasTeam) {
      nodes.push(new MessageNode(this, { id: 'enc:no-team', label: `${report.entries.length} .enc files · no team roster to compare with`, icon: new vscode.ThemeIcon('info') }));
    } else if (attention.length === 0) {
      const kept = report.entries.filter((e) => e.status === 'kept').length;
      const label = kept ? `All up to date · ${kept} keep chosen recipients` : report.entries.length === 1 ? 'Encrypted for the current team' : `All ${report.entries.length} encrypted for the current team`;
      nodes.push(
        new MessageNode(this, {
          id: 'enc:ok',
          label,
          icon: new vscode.ThemeIcon('check'),
          tooltip: kept ? 'Shamir shares, MFA seeds for a subset and files encrypted to chosen people keep their recipients: re-keying never widens them to the team.' : undefined,
        }),
      );
    } else {
      nodes.push(
        new MessageNode(this, {
          id: 'enc:fix',
          label: 'Re-encrypt all for the team',
          icon: new vscode.ThemeIcon('sync'),
          command: { command: CommandId.ReencryptWorkspace, title: 'Re-encrypt All for Team' },
          contextValue: 'custodian.encFixAll',
        }),
      );
    }
    return nodes;
  }
}
