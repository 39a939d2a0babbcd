// Where a secret (plaintext, a key backup) is written, asked with the save dialog. A file inside the
// workspace is one `git add .` from being committed, so pressing Enter at every step must never put it there.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface SecretPlacePrompt {
  /** The file name the save dialog proposes, in a folder outside every workspace folder. */
  fileName: string;
  dialog: Omit<vscode.SaveDialogOptions, 'defaultUri'>;
  /** The question asked when the place chosen is inside the workspace, its detail and its "… Here Anyway" button. */
  question: string;
  detail: (uri: vscode.Uri) => string;
  anyway: string;
  /** What else the person should know before writing there, said first in that question (a file git tracks). */
  concern?: (uri: vscode.Uri) => Promise<string | undefined>;
}

/**
 * Asks where to write (or questions `given`, a place already chosen). A place inside a workspace folder
 * is questioned with "Choose Another Place…" as the default button, which goes back to the save dialog;
 * "… Here Anyway" has to be chosen on purpose. Undefined when the person cancels.
 */
export async function askSecretPlace(prompt: SecretPlacePrompt, given?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const elsewhere = vscode.l10n.t('Choose Another Place…');
  let uri = given;
  for (;;) {
    const chosen = !uri;
    uri ??= await vscode.window.showSaveDialog({ ...prompt.dialog, defaultUri: outsideWorkspace(prompt.fileName) });
    if (!uri) return undefined;
    if (vscode.workspace.getWorkspaceFolder(uri)) {
      // In a modal the first item is the default (Enter) button: the safe one.
      const concern = await prompt.concern?.(uri);
      const detail = concern ? `${concern} ${prompt.detail(uri)}` : prompt.detail(uri);
      const choice = await vscode.window.showWarningMessage(prompt.question, { modal: true, detail }, elsewhere, prompt.anyway);
      if (choice === elsewhere) {
        uri = undefined;
        continue;
      }
      if (choice !== prompt.anyway) return undefined;
    }
    if (chosen) await createFolder(uri);
    return uri;
  }
}

/**
 * The save dialog offers to create a missing folder ("… does not exist. Would you like to create it?"), but
 * its OK only returns the path (code-server's dialog); the writers refuse a missing folder (the CLI's
 * `mkdir -p` hint), which failed here after the backup passphrase was typed twice. The person chose this
 * place and agreed to the folder, so it is made now; a place given by a caller is taken as it is.
 */
async function createFolder(uri: vscode.Uri): Promise<void> {
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
}

/**
 * The home folder, as for an SSH key; the temp folder when a workspace folder holds the home folder
 * (someone who opened ~). Only a proposal: the dialog shows it and the person picks.
 */
function outsideWorkspace(fileName: string): vscode.Uri {
  const folders = [os.homedir(), os.tmpdir()].map((dir) => vscode.Uri.file(path.join(dir, fileName)));
  return folders.find((uri) => !vscode.workspace.getWorkspaceFolder(uri)) ?? folders[0];
}
