// Which `.enc` file(s) a decrypt command acts on: explorer `(uri, uris[])`, a tree node, an argument
// object, or the active editor (a decrypted document, a `.enc` file, or the page shown for one that does not open).
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import { encryptedUriOf, isEncryptedFileUri } from '../../fs/enc-uri';
import { fromFileArguments, type FileArgs, type Shape } from '../arguments';
import { fromValuesUri } from '../../fs/values-uri';
import { ENCRYPTED_EDITOR_VIEW_TYPE } from '../../editor/encrypted-editor';

export function encTargets<T extends FileArgs>(
  first: unknown,
  second: unknown,
  shape: Shape<T>,
  /** Re-keying also takes value-encrypted files (fs/values-files.ts). */
  accept: (uri: vscode.Uri) => boolean = isEncryptedFileUri,
): { args: Partial<T>; uris: vscode.Uri[] } {
  const { args, uris } = fromFileArguments(first, second, shape);
  let list = uris;
  if (!list) {
    // Tree nodes of the Encrypted Files section carry `resourceUri`-like `fileUri`.
    const node = first as { fileUri?: vscode.Uri } | undefined;
    if (node?.fileUri instanceof vscode.Uri) list = [node.fileUri];
  }
  if (!list) {
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active) list = [active];
  }
  if (!list) {
    // The page shown for a `.enc` this window cannot open is a custom editor, no text editor: its tab names the file.
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.viewType === ENCRYPTED_EDITOR_VIEW_TYPE) list = [input.uri];
  }
  const resolved = (list ?? []).map((u) => fromValuesUri(encryptedUriOf(u)));
  if (resolved.length === 0) throw new CustodianError(vscode.l10n.t('Choose a .enc file first (right-click it in the Explorer).'));
  for (const uri of resolved) {
    if (!accept(uri)) throw new CustodianError(vscode.l10n.t('{0} is not a .enc file.', vscode.workspace.asRelativePath(uri)));
  }
  return { args, uris: resolved };
}

export function rel(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri);
}
