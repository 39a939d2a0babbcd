// Opening a value-encrypted .env/JSON/YAML file shows it decrypted, as opening a `.enc` file does: the
// file keeps its ordinary name, so no editor can be registered for it by name; instead, when a tab opens
// on such a file (from the explorer, Quick Open, a link) and one of my keys opens it, the decrypted view
// takes the tab's place (open-values.ts, after the same checks, which here leave the tab as it is). Its encrypted form stays one command away (Open Encrypted
// Form), and a tab opened that way is left alone. Setting: custodian.openEncryptedInline, as for `.enc`.
import * as vscode from 'vscode';
import { basename, ENC_SCHEME, isEncryptedFileUri, toEncryptedUri } from '../../fs/enc-uri';
import { hasValuesFileName, looksValueEncrypted, VALUES_SCHEME, fromValuesUri } from '../../fs/values-uri';
import { readText } from '../../fs/values-file-system';
import { CustodianError } from '../../../core/errors';
import { CommandId } from '../ids';
import { until } from '../../until';
import { valuesTarget, type ValuesDeps } from './deps';
import { showInPlaceOfTokens, valuesFileRecipients } from './open-values';

export class ValuesAutoOpen implements vscode.Disposable {
  /** fsPaths whose encrypted form was asked for: their tabs stay as they are until closed. */
  private readonly keepEncrypted = new Set<string>();
  /** Editors on an encrypted file's own bytes made read-only once in this session (`readOnlyOnce`). */
  private readonly madeReadOnly = new Set<string>();
  /** Files whose tokens were edited after their read-only state was lifted, and said so (`warnEditedTokens`). */
  private readonly warnedEdits = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly deps: ValuesDeps) {
    this.subscriptions = [
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          if (tab.input instanceof vscode.TabInputText && !this.anyTabOn(tab.input.uri)) {
            this.keepEncrypted.delete(tab.input.uri.fsPath);
            this.madeReadOnly.delete(tab.input.uri.toString());
          }
        }
        for (const tab of e.opened) {
          if (tab.input instanceof vscode.TabInputText) void this.maybeDecrypt(tab.input.uri);
        }
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => void this.readOnlyOnce(editor)),
      vscode.workspace.onDidChangeTextDocument((e) => this.warnEditedTokens(e)),
    ];
    // A tab VS Code restored (a reload) may be the active one already.
    void this.readOnlyOnce(vscode.window.activeTextEditor);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  /**
   * The first time in this session that an editor on an encrypted file's own bytes (a `.enc` file, or a
   * value-encrypted file's tokens: not their decrypted views) is the active one, it becomes read-only, as
   * Open Encrypted Form leaves it. VS Code restores such a tab after a reload without that state: a
   * newcomer typed a value among the tokens and auto-save wrote it in the clear. Once only: the person
   * may lift it (for a comment, say). With openEncryptedInline off such files open as on disk.
   */
  private async readOnlyOnce(editor: vscode.TextEditor | undefined): Promise<void> {
    const uri = editor?.document.uri;
    if (!uri || uri.scheme !== 'file' || this.madeReadOnly.has(uri.toString())) return;
    if (!this.deps.services.config(uri).openEncryptedInline) return;
    if (!isEncryptedFileUri(uri) && !(hasValuesFileName(uri) && looksValueEncrypted(editor.document.getText()))) return;
    // VS Code's command acts on the active editor: only while it is still this one.
    if (vscode.window.activeTextEditor?.document.uri.toString() !== uri.toString()) return;
    this.madeReadOnly.add(uri.toString());
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
  }

  /**
   * Open Encrypted Form: the file's tokens, in a tab this leaves alone, read-only for this session: a
   * value typed there would be saved in the clear (a red-team trial did), and the file would no longer
   * open. Values are edited decrypted; VS Code's "Toggle Active Editor Read-only in Session" lifts it,
   * for a comment say.
   */
  async openEncrypted(first: unknown): Promise<vscode.Uri> {
    const target = valuesTarget(first) ?? vscode.window.activeTextEditor?.document.uri;
    // A .enc file (or its decrypted view): its bytes in VS Code's own editor, past Custodian's custom editor.
    if (target && (target.scheme === ENC_SCHEME || isEncryptedFileUri(target))) {
      const encrypted = target.scheme === ENC_SCHEME ? toEncryptedUri(target) : target;
      await vscode.commands.executeCommand('vscode.openWith', encrypted, 'default');
      await readOnlyWhenActive(encrypted);
      return encrypted;
    }
    if (!target || (target.scheme !== VALUES_SCHEME && !hasValuesFileName(target))) throw new CustodianError(vscode.l10n.t('Open a value-encrypted .env, JSON or YAML file first.'));
    const file = fromValuesUri(target);
    this.keepEncrypted.add(file.fsPath);
    await vscode.window.showTextDocument(file, { preview: false });
    await readOnlyWhenActive(file);
    return file;
  }

  /**
   * Typing among a value-encrypted file's tokens, once the person lifted the read-only state Custodian set
   * ("Click here to set writeable"), is said once per session: a value typed there is saved in the clear
   * (auto-save at once) and the file no longer opens. A newcomer did, and saw only "damaged" later.
   */
  private warnEditedTokens(e: vscode.TextDocumentChangeEvent): void {
    const uri = e.document.uri;
    // Dirty: typed here, not a new version read from disk (custodian set, a pull). VS Code says a document
    // became dirty in an event of its own, after the one with the change.
    if (!e.document.isDirty || !this.madeReadOnly.has(uri.toString()) || this.warnedEdits.has(uri.toString()) || isEncryptedFileUri(uri)) return;
    this.warnedEdits.add(uri.toString());
    const open = vscode.l10n.t('Open Decrypted');
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t('You are editing the encrypted form of {0}: a value typed here is saved in the clear, and the file no longer opens. Undo, and edit values in the decrypted editor.', basename(uri.path)),
        open,
      )
      .then((choice) => choice === open && vscode.commands.executeCommand(CommandId.OpenValuesDecrypted, uri));
  }

  private anyTabOn(uri: vscode.Uri): boolean {
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()));
  }

  private async maybeDecrypt(uri: vscode.Uri): Promise<void> {
    if (uri.scheme !== 'file' || !hasValuesFileName(uri) || this.keepEncrypted.has(uri.fsPath)) return;
    if (!this.deps.services.config(uri).openEncryptedInline) return;
    try {
      const text = await readText(uri, basename(uri.path));
      if (!looksValueEncrypted(text)) return;
      // Only where one of my keys opens it: otherwise its tokens are all there is to see, and the CodeLens
      // says why. Read-only then, as Open Encrypted Form leaves them: a value typed among the tokens would
      // be saved in the clear (a trial did, in a browser profile without keys).
      if (this.deps.services.keyStore.list().length === 0 || !this.deps.session.canDecrypt(await valuesFileRecipients(uri, text))) {
        await readOnlyWhenActive(uri);
        return;
      }
      await showInPlaceOfTokens(uri);
    } catch (err) {
      // Not readable as a value-encrypted file (damaged, too large…): its tokens stay; the CodeLens and Problems say why.
      this.deps.services.log.info(`values: left ${basename(uri.path)} encrypted (${err instanceof Error ? err.name : 'Error'})`);
    }
  }
}

/** How long a tab just opened may take to become the active editor. */
const ACTIVE_WAIT_MS = 2_000;

/**
 * Makes `uri`'s editor read-only for the session once it is the active one (VS Code's command acts on the
 * active editor only; another editor must not be made read-only instead). The person can lift it.
 */
async function readOnlyWhenActive(uri: vscode.Uri): Promise<void> {
  const isActive = (): boolean => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString();
  if (await until([vscode.window.onDidChangeActiveTextEditor], isActive, ACTIVE_WAIT_MS)) {
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
  }
}
