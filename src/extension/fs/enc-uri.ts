// Where decrypted documents live: `custodian-enc:/dir/secrets.env?<uri of /dir/secrets.env.enc>`.
// The path drops `.enc`, so VS Code picks the language from the inner name (`.env.enc` → the `.env`
// language, `x.json.enc` → JSON) and the tab shows what the file holds; the query keeps the exact
// ciphertext URI, so the mapping never guesses.
import * as vscode from 'vscode';

export const ENC_SCHEME = 'custodian-enc';
export const ENC_SUFFIX = '.enc';

/** True for `*.enc` file URIs (any case), the files Custodian opens decrypted. */
export function isEncryptedFileUri(uri: vscode.Uri): boolean {
  return uri.scheme !== ENC_SCHEME && uri.path.toLowerCase().endsWith(ENC_SUFFIX) && basename(uri.path).length > ENC_SUFFIX.length;
}

/** The decrypted view of a `.enc` file. */
export function toDecryptedUri(encrypted: vscode.Uri): vscode.Uri {
  const inner = isEncryptedFileUri(encrypted) ? encrypted.path.slice(0, -ENC_SUFFIX.length) : encrypted.path;
  return vscode.Uri.from({ scheme: ENC_SCHEME, path: inner, query: encrypted.toString() });
}

/** The `.enc` file behind a decrypted document. */
export function toEncryptedUri(decrypted: vscode.Uri): vscode.Uri {
  if (decrypted.scheme !== ENC_SCHEME) return decrypted;
  if (decrypted.query) return vscode.Uri.parse(decrypted.query, true);
  return vscode.Uri.file(decrypted.path + ENC_SUFFIX);
}

/** A `.enc` file URI from whatever a command received: a `.enc` file, a decrypted document, or neither. */
export function encryptedUriOf(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === ENC_SCHEME ? toEncryptedUri(uri) : uri;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
