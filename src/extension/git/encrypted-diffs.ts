// Diffs of `.enc` files opened by the Source Control view, the Timeline or `git.openChange` show the
// decrypted contents. Those open `vscode.diff` on `git:` URIs (the built-in git extension's read-only
// file system, which serves blobs: ciphertext) and on the working file; a text diff of ciphertext is
// "binary". This replaces such a tab with the same diff over `custodian-enc:` views of the same URIs:
// the custodian-enc file system reads each blob through VS Code (the git extension) and decrypts it in
// memory, and the working-tree side stays editable (a save re-encrypts). No plaintext reaches a file.
import * as vscode from 'vscode';
import { isEncryptedFileUri, toDecryptedUri } from '../fs/enc-uri';

/** An empty side (a file added or deleted) has nothing to decrypt: it stays as the empty text it is. */
async function decryptedSide(uri: vscode.Uri): Promise<vscode.Uri> {
  try {
    if ((await vscode.workspace.fs.stat(uri)).size === 0) return uri;
  } catch {
    return uri;
  }
  return toDecryptedUri(uri);
}

function isEncryptedDiff(input: unknown): input is vscode.TabInputTextDiff {
  return input instanceof vscode.TabInputTextDiff && (isEncryptedFileUri(input.original) || isEncryptedFileUri(input.modified));
}

export class EncryptedDiffs implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscription = vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of e.opened) if (isEncryptedDiff(tab.input)) void this.replace(tab, tab.input);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** Opens the decrypted diff where `tab` was, then closes `tab`. */
  private async replace(tab: vscode.Tab, input: vscode.TabInputTextDiff): Promise<void> {
    try {
      const [original, modified] = await Promise.all([decryptedSide(input.original), decryptedSide(input.modified)]);
      const viewColumn = tab.group.viewColumn;
      await vscode.commands.executeCommand('vscode.diff', original, modified, tab.label, { viewColumn, preview: tab.isPreview, preserveFocus: !tab.isActive });
      const stale = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.original.toString() === input.original.toString() && t.input.modified.toString() === input.modified.toString());
      if (stale) await vscode.window.tabGroups.close(stale, true);
    } catch (err) {
      // The ciphertext diff stays open: better than none.
      this.log.warn(`decrypted diff: ${err instanceof Error ? err.name : 'Error'}`);
    }
  }
}
