// Before a plaintext original is deleted, its editors go: an open tab keeps the text in memory, and one
// Save (or Save All, or auto save) would write the deleted file back. A dirty tab is reverted first so
// closing it neither asks to save nor writes anything; its unsaved edits were never encrypted.
import * as vscode from 'vscode';

export interface ClosedOriginal {
  /** Every tab of the file is gone. */
  closed: boolean;
  /** It had unsaved changes, which were discarded. */
  discarded: boolean;
}

export async function closeOriginal(uri: vscode.Uri): Promise<ClosedOriginal> {
  const key = uri.toString();
  let discarded = false;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  if (doc?.isDirty) {
    // Revert works on the active editor only.
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    if (doc.isDirty) return { closed: false, discarded: false };
    discarded = true;
  }
  const tabs = tabsOf(key);
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs, true);
  return { closed: tabsOf(key).length === 0, discarded };
}

function tabsOf(key: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => {
      const input = t.input;
      if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputNotebook) return input.uri.toString() === key;
      if (input instanceof vscode.TabInputTextDiff || input instanceof vscode.TabInputNotebookDiff) return input.original.toString() === key || input.modified.toString() === key;
      return false;
    });
}
