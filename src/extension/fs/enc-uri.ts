// Where decrypted documents live: `custodian-enc:/config/secrets.env.enc?<uri of the .enc file>`. The
// path is what the tab and breadcrumbs show: the file's own name (`.enc` kept, so a decrypted document is
// never mistaken for a plaintext file on disk) under its workspace-relative folder; the query keeps the
// exact ciphertext URI, so the mapping never guesses. The language comes from the inner name
// (editor/inner-language.ts).
import * as vscode from 'vscode';

export const ENC_SCHEME = 'custodian-enc';
export const ENC_SUFFIX = '.enc';

/** True for `*.enc` file URIs (any case), the files Custodian opens decrypted. */
export function isEncryptedFileUri(uri: vscode.Uri): boolean {
  return uri.scheme !== ENC_SCHEME && uri.path.toLowerCase().endsWith(ENC_SUFFIX) && basename(uri.path).length > ENC_SUFFIX.length;
}

/** The decrypted view of a `.enc` file. */
export function toDecryptedUri(encrypted: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: ENC_SCHEME, path: shownPath(encrypted), query: encrypted.toString() });
}

/**
 * The path a decrypted view shows in its tab and breadcrumbs: workspace-relative when the file is in the
 * workspace, else absolute. A version from git (the git extension's `git:` URIs: `path` is the file in
 * the working tree) is placed where its working-tree file is, so a diff's two sides read alike.
 */
export function shownPath(file: vscode.Uri): string {
  const onDisk = file.scheme === 'git' ? vscode.Uri.file(file.path) : file;
  return vscode.workspace.getWorkspaceFolder(onDisk) !== undefined ? `/${vscode.workspace.asRelativePath(onDisk)}` : file.path;
}

/**
 * The decrypted working file as the merge editor's result: saving re-encrypts, as for any decrypted
 * document. Its name does not end in `.enc`: VS Code opens a merge for the editor registered for the
 * result's name, and for `*.enc` that is Custodian's custom editor, which cannot show a merge.
 */
export function toMergeResultUri(encrypted: vscode.Uri): vscode.Uri {
  const decrypted = toDecryptedUri(encrypted);
  return decrypted.with({ path: `${decrypted.path}${MERGE_RESULT_SUFFIX}` });
}

const MERGE_RESULT_SUFFIX = ' (merge result)';

/**
 * True for a URI this module makes for its `.enc` file (the decrypted document or a merge result), or one
 * without a query (made by hand, mapped by its path); not for another path carrying a `.enc` file's query,
 * which is what "Save As…" leaves.
 */
export function isShownDecryptedUri(uri: vscode.Uri): boolean {
  if (uri.scheme !== ENC_SCHEME) return false;
  if (!uri.query) return true;
  const encrypted = toEncryptedUri(uri);
  return uri.path === toDecryptedUri(encrypted).path || uri.path === toMergeResultUri(encrypted).path;
}

/** The `.enc` file behind a decrypted document. */
export function toEncryptedUri(decrypted: vscode.Uri): vscode.Uri {
  if (decrypted.scheme !== ENC_SCHEME) return decrypted;
  if (decrypted.query) return vscode.Uri.parse(decrypted.query, true);
  // Without a query (made by hand): the path is the plaintext file's, or already the .enc file's.
  return vscode.Uri.file(decrypted.path.toLowerCase().endsWith(ENC_SUFFIX) ? decrypted.path : decrypted.path + ENC_SUFFIX);
}

/** A `.enc` file URI from whatever a command received: a `.enc` file, a decrypted document, or neither. */
export function encryptedUriOf(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === ENC_SCHEME ? toEncryptedUri(uri) : uri;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
