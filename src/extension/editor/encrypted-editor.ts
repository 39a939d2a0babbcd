// Double-clicking a `.enc` file: a custom editor (the default for *.enc) that decrypts it and hands
// over to a normal text editor on custodian-enc:, then closes itself. When that is not possible
// (binary plaintext, not a recipient, damaged file) it stays and explains, with the useful actions.
// With custodian.openEncryptedInline off it reopens the file in VS Code's default editor.
import * as vscode from 'vscode';
import { ActionableError } from '../ui/error-reporter';
import { NotARecipientError } from '../crypto-session';
import { errorMessageWithHint } from '../ui/messages';
import { CommandId } from '../commands/ids';
import { toDecryptedUri } from '../fs/enc-uri';
import type { EncryptedFileSystem } from '../fs/encrypted-file-system';
import type { EncryptionServices } from '../commands/encrypt/deps';
import type { EncryptedDiffs } from '../git/encrypted-diffs';

export const ENCRYPTED_EDITOR_VIEW_TYPE = 'custodian.encryptedFile';

export class EncryptedEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly services: EncryptionServices,
    private readonly fs: EncryptedFileSystem,
    /** Takes over when the editor is a side of a diff (Source Control, Timeline): a decrypted diff instead. */
    private readonly diffs?: EncryptedDiffs,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const uri = document.uri;
    const column = panel.viewColumn;
    if (this.services.config(uri).openEncryptedInline && this.diffs?.claim(uri, panel)) return;
    if (!this.services.config(uri).openEncryptedInline) {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'default', column);
      panel.dispose();
      return;
    }
    panel.webview.options = { enableCommandUris: [CommandId.RunPageAction], enableScripts: false };
    panel.webview.html = page(vscode.l10n.t('Decrypting…'), '', []);
    if (await this.show(uri, panel, column)) return;
    // What stops it may go away while the page is open: the file re-keyed for me and pulled, a key
    // imported. The page tries again then, and hands over once the file opens (a trial's newcomer
    // looked at "not a recipient" after the pull that made them one).
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), name), false, false, true);
    let closed = false;
    let attempt = Promise.resolve(false);
    const retry = (): void => {
      // One attempt at a time; none once the page is closed (by the person, or by a handover).
      attempt = attempt.then((done) => done || closed || this.show(uri, panel, column)).catch(() => true);
    };
    // The roster too: after Add Myself to Team the page says what is left to do (a recipient re-keys).
    const subscriptions = vscode.Disposable.from(watcher, watcher.onDidChange(retry), watcher.onDidCreate(retry), this.services.onDidChangeKeys(retry), this.services.roster.onDidChange(retry));
    panel.onDidDispose(() => {
      closed = true;
      subscriptions.dispose();
    });
  }

  /** Opens the file decrypted and closes the page (true), or shows on the page why it does not open. */
  private async show(uri: vscode.Uri, panel: vscode.WebviewPanel, column: vscode.ViewColumn | undefined): Promise<boolean> {
    try {
      const doc = await this.fs.prepare(uri);
      if (doc.binary) {
        doc.plaintext.fill(0);
        panel.webview.html = page(
          vscode.l10n.t('This file decrypts to binary data'),
          vscode.l10n.t('{0}. A text editor would corrupt binary data; decrypt it to a file instead.', doc.description.summary),
          [
            [vscode.l10n.t('Decrypt to File…'), CommandId.DecryptToFile, uri],
            [vscode.l10n.t('Show Recipients and Signer'), CommandId.ShowRecipients, uri],
          ],
        );
        return false;
      }
      await vscode.window.showTextDocument(toDecryptedUri(uri), { viewColumn: column, preview: true });
      panel.dispose();
      return true;
    } catch (err) {
      this.services.log.warn(`open ${uri.path.slice(uri.path.lastIndexOf('/') + 1)}: ${err instanceof Error ? err.name : 'Error'}`);
      panel.webview.html = page(vscode.l10n.t('Cannot open this file decrypted'), errorMessageWithHint(err), unreadableActions(uri, err));
      return false;
    }
  }
}

/** A button of the page: a label, a Custodian command, and the file it is for (none: no argument). */
export type PageAction = [label: string, command: string, uri?: vscode.Uri];

/**
 * The buttons shown when a file does not open decrypted: the ways out of that error (no key yet:
 * Generate Key, Import Private Key), who can open it, and its bytes as they are. Only commands of
 * Custodian: a webview's command link cannot run the API's own (vscode.openWith), and did nothing.
 */
export function unreadableActions(uri: vscode.Uri, err: unknown): PageAction[] {
  const fixes: PageAction[] = err instanceof ActionableError ? err.actions.map((a) => [a.title, a.command]) : [];
  // Not a recipient: the way in for a newcomer (on the roster, then re-keyed by a recipient), and the
  // public key a recipient encrypts to.
  if (err instanceof NotARecipientError) {
    if (!err.onTeam && err.policy !== 'chosen') fixes.push([vscode.l10n.t('Add Myself to Team'), CommandId.AddMyselfToTeam]);
    fixes.push([vscode.l10n.t('Export Public Key…'), CommandId.ExportPublicKey]);
  }
  return [...fixes, [vscode.l10n.t('Show Recipients and Signer'), CommandId.ShowRecipients, uri], [vscode.l10n.t('Open the Encrypted Bytes'), CommandId.OpenValuesEncrypted, uri]];
}

/** The link of a page button: Run Page Action with the command and the file as strings (register.ts says why). */
export function pageActionLink([, command, uri]: PageAction): string {
  return `command:${CommandId.RunPageAction}?${encodeURIComponent(JSON.stringify(uri ? [command, uri.toString()] : [command]))}`;
}

function page(title: string, body: string, actions: PageAction[]): string {
  const links = actions.map((action) => `<a class="button" href="${escapeHtml(pageActionLink(action))}">${escapeHtml(action[0])}</a>`).join(' ');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:2em;max-width:48em}
.button{display:inline-block;margin:.5em .5em 0 0;padding:.4em 1em;background:var(--vscode-button-background);color:var(--vscode-button-foreground);text-decoration:none;border:1px solid var(--vscode-button-border,transparent);border-radius:2px}
.button:hover,.button:active{background:var(--vscode-button-hoverBackground);color:var(--vscode-button-foreground);text-decoration:none}
.button:focus-visible{outline:1px solid var(--vscode-focusBorder);outline-offset:2px}</style>
</head><body><h2>${escapeHtml(title)}</h2><p>${escapeHtml(body)}</p><p>${links}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
