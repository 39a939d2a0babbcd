// The status-bar item for a decrypted document: "Encrypted for alice, bob · signed by carol ✓",
// with a warning background when the file is unsigned or signed by a key Custodian does not know, when
// someone off the team can read it, or when it is an older version back (a rollback: signed by a
// teammate then, it holds what was rotated since, and "✓" alone would read as the team's latest).
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import { ENC_SCHEME, toEncryptedUri } from '../fs/enc-uri';
import type { EncryptedDocuments } from '../fs/encrypted-documents';
import type { ValuesFileSystem } from '../fs/values-file-system';
import { fromValuesUri, VALUES_SCHEME } from '../fs/values-uri';
import type { Rollback } from '../git/git-blobs';
import { rollbackLabel } from '../ui/rollback-text';
import { codeSpan, escapeMd } from '../views/markdown';

export class EncryptionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('custodian.encryption', vscode.StatusBarAlignment.Left, 100);
  private readonly subscriptions: vscode.Disposable[] = [this.item];

  constructor(
    private readonly documents: EncryptedDocuments,
    private readonly values?: ValuesFileSystem,
    /**
     * When a file is an older version back (git-blobs.ts; undefined where git may not run), and the
     * teammates it is not encrypted for yet (the Encrypted Files view's drift), by name: one answer, as
     * the drift scan works out both.
     */
    private readonly annotationOf: (file: vscode.Uri) => Promise<{ rollback?: Rollback; missing: string[] }> = async () => ({ missing: [] }),
  ) {
    this.item.name = vscode.l10n.t('Custodian: Encryption');
    // By the file behind the view: a view's URI may name it by its workspace-relative or absolute path.
    const onInfo = (uri: vscode.Uri): void => {
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active && backingFile(active).toString() === backingFile(uri).toString()) this.update();
    };
    this.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => this.update()), documents.onDidChangeInfo(onInfo));
    if (values) this.subscriptions.push(values.onDidChangeInfo(onInfo));
    this.update();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  /**
   * Shows the active file again: after a roster change (a teammate joined with a pull), "not yet for"
   * must not wait for the next save or editor switch.
   */
  refresh(): void {
    this.update();
  }

  /** What the item shows now (tests). */
  get text(): string | undefined {
    return this.visible ? this.item.text : undefined;
  }

  /** What clicking the item runs (tests). */
  get command(): vscode.Command | undefined {
    return this.visible ? (this.item.command as vscode.Command | undefined) : undefined;
  }

  get isWarning(): boolean {
    return this.item.backgroundColor !== undefined;
  }

  private visible = false;
  /**
   * Counts updates. An annotation is shown only over the summary it was made for (a save that re-signed
   * the file changes it) and never over a newer one's: updates come often (each roster change), so
   * waiting for the latest would never show one.
   */
  private generation = 0;
  /** The newest update whose late answer came, empty or not: an older answer arriving after it is stale. */
  private answered = 0;
  private summary: string | undefined;
  private shownUri: string | undefined;
  /** What `update` showed, for an answer with nothing to add to take back an older one's. */
  private plain: { text: string; tooltip: vscode.MarkdownString; background: vscode.ThemeColor | undefined } | undefined;

  private update(): void {
    const generation = ++this.generation;
    const uri = vscode.window.activeTextEditor?.document.uri;
    this.shownUri = uri?.toString();
    const info = uri?.scheme === ENC_SCHEME ? this.documents.describe(uri) : uri?.scheme === VALUES_SCHEME ? this.values?.describe(uri) : undefined;
    if (!uri || !info) {
      this.visible = false;
      this.item.hide();
      return;
    }
    // Readers outside the team: a teammate removed since (a save asks whether to leave them out,
    // fs/former-recipients.ts), or a key no one here knows. Either way the file is not the team's yet.
    const former = info.recipients.filter((r) => r.former !== undefined);
    const strangers = info.recipients.filter((r) => r.former === undefined && !r.source);
    const warn = info.warning !== undefined || former.length > 0 || strangers.length > 0;
    this.summary = info.summary;
    this.item.text = `${warn ? '$(warning)' : '$(lock)'} ${info.summary}`;
    this.item.backgroundColor = warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(info.summary)}**\n\n`);
    if (info.warning) md.appendMarkdown(`$(warning) ${escapeMd(info.warning)}\n\n`);
    if (former.length > 0) {
      const names = former.map((r) => r.name).join(', ');
      md.appendMarkdown(`$(warning) ${escapeMd(vscode.l10n.t('Still encrypted for {0}, no longer on the team: saving asks whether to leave them out. Rotate what they could read.', names))}\n\n`);
    }
    if (strangers.length > 0) {
      const names = strangers.map((r) => r.name).join(', ');
      md.appendMarkdown(`$(warning) ${escapeMd(vscode.l10n.t('Also encrypted for {0}: a key that is not yours, a teammate\'s or a contact\'s.', names))}\n\n`);
    }
    md.appendMarkdown(vscode.l10n.t('Recipients:\n\n'));
    for (const r of info.recipients) md.appendMarkdown(`- ${escapeMd(r.name)} — ${codeSpan(r.fingerprint)}\n`);
    if (uri.scheme === VALUES_SCHEME) {
      md.appendMarkdown(`\n${escapeMd(vscode.l10n.t('Values are encrypted one by one. Saving re-seals only the values you changed, for these recipients, signed by your default key.'))}`);
    } else if (former.length === 0) {
      md.appendMarkdown(vscode.l10n.t('\nSaving re-encrypts to these recipients, signed by your default key.'));
    }
    const file = uri.scheme === VALUES_SCHEME ? fromValuesUri(uri) : toEncryptedUri(uri);
    this.item.command = { command: CommandId.ShowRecipients, title: vscode.l10n.t('Show Recipients and Signer'), arguments: [file] };
    this.item.tooltip = md;
    this.plain = { text: this.item.text, tooltip: md, background: this.item.backgroundColor };
    this.visible = true;
    this.item.show();
    // The working file only (a version from git is what it is): said once git and the roster have answered.
    if (file.scheme === 'file') void this.annotate(generation, file, info.summary, warn, md);
  }

  /**
   * What needs git or the roster: an older version back (a warning), and teammates the file is not
   * encrypted for yet, which a newcomer found only in the Encrypted Files view ("for alice, bob" read as
   * the whole team after dave joined).
   */
  private async annotate(generation: number, file: vscode.Uri, summary: string, warn: boolean, md: vscode.MarkdownString): Promise<void> {
    const { rollback, missing } = await this.annotationOf(file).catch(() => ({ rollback: undefined, missing: [] as string[] }));
    // Another editor, or the same file shown anew since (a save changes its signer), or a newer answer: stale.
    if (summary !== this.summary || generation < this.answered || vscode.window.activeTextEditor?.document.uri.toString() !== this.shownUri) return;
    this.answered = generation;
    if (!rollback && missing.length === 0) {
      // Nothing to add now (the missing teammate was added since): an older answer shown meanwhile goes.
      if (this.plain) {
        this.item.text = this.plain.text;
        this.item.tooltip = this.plain.tooltip;
        this.item.backgroundColor = this.plain.background;
      }
      return;
    }
    const notYet = missing.length > 0 ? vscode.l10n.t('not yet for {0}', missing.join(', ')) : undefined;
    const parts = [summary, ...(notYet ? [notYet] : []), ...(rollback ? [rollbackLabel(rollback)] : [])];
    this.item.text = `${rollback || warn ? '$(warning)' : '$(lock)'} ${parts.join(' · ')}`;
    if (rollback) this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    const more = new vscode.MarkdownString(undefined, true);
    if (rollback) {
      more.appendMarkdown(
        `$(history) ${escapeMd(vscode.l10n.t('An older version back: the same as commit {0}, undoing commit {1}. Secrets rotated since may be back. Check it with "Show Changes Since the Team\'s Version", then "Restore the Team\'s Version".', rollback.sameAs.slice(0, 7), rollback.undone.slice(0, 7)))}\n\n`,
      );
    }
    if (missing.length > 0) {
      more.appendMarkdown(`$(person-add) ${escapeMd(vscode.l10n.t('Not yet encrypted for {0}, on the team: "Re-encrypt for Team" adds them.', missing.join(', ')))}\n\n`);
    }
    more.appendMarkdown(md.value);
    this.item.tooltip = more;
  }
}

function backingFile(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === VALUES_SCHEME ? fromValuesUri(uri) : toEncryptedUri(uri);
}
