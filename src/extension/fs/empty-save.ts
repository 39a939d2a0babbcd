// Saving a decrypted document that was emptied (select all, delete; with auto-save, no Save pressed)
// would write an encrypted file that holds nothing: every secret gone from it at once. Asked each time,
// as a mistake this large should be; refused, the file on disk stays as it was and the editor keeps its
// undo history. Shared by the custodian-enc and the value-encrypted file systems.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';

/** Nothing but spaces, tabs and line breaks. */
export function isBlank(content: Uint8Array | string): boolean {
  if (typeof content === 'string') return content.trim() === '';
  return content.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
}

/** Returns when the user confirms saving `what` empty; otherwise throws an error that says how to. */
export async function confirmEmptySave(what: string): Promise<void> {
  const SAVE_EMPTY = vscode.l10n.t('Save Empty File');
  // Keeping the file is the first button, the one Enter presses: emptying it takes a deliberate click.
  const KEEP = vscode.l10n.t('Keep the File as It Is');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Save {0} with nothing in it?', what),
    { modal: true, detail: vscode.l10n.t('Every secret it holds would be gone from the file. Versions committed to git stay in its history; Undo brings the text back.') },
    KEEP,
    SAVE_EMPTY,
  );
  if (choice !== SAVE_EMPTY) {
    throw new CustodianError(vscode.l10n.t('Not saved: {0} would be empty. The file on disk is unchanged.', what), {
      hint: vscode.l10n.t('Undo to bring the text back, or save again and choose "Save Empty File".'),
    });
  }
}
