// Where a value-encrypted file is shown decrypted: `custodian-values:/dir/.env?<uri of /dir/.env>`.
// The path is the file's own, so VS Code picks the same language (dotenv, JSON, YAML) and the tab shows
// the file's name; the query keeps the exact file URI.
import * as vscode from 'vscode';

export const VALUES_SCHEME = 'custodian-values';

/** The metadata block's first line (dotenv, YAML) and member name (JSON), docs/VALUES.md §4. */
const MARKERS = [/^#custodian:values=/m, /"custodian:values"\s*:/];

/**
 * A cheap test, without loading the core, for a CodeLens or a menu: the text has a value-encryption
 * metadata block. The core validates the file when it is opened.
 */
export function looksValueEncrypted(text: string): boolean {
  return MARKERS.some((re) => re.test(text));
}

/** `.env`, `.env.*`, `*.env`, `*.json`, `*.yaml`, `*.yml`: the names the core knows a format for (without loading it). */
export function hasValuesFileName(uri: vscode.Uri): boolean {
  return /(^|\/)\.env(\.[^/]*)?$|\.env$|\.(json|ya?ml)$/i.test(uri.path);
}

export function toValuesUri(file: vscode.Uri): vscode.Uri {
  return file.with({ scheme: VALUES_SCHEME, query: file.toString(), fragment: '' });
}

/** True for a URI `toValuesUri` makes: its path is the file's own (not what "Save As…" leaves). */
export function isShownValuesUri(uri: vscode.Uri): boolean {
  return uri.scheme === VALUES_SCHEME && uri.query !== '' && fromValuesUri(uri).path === uri.path;
}

/** The file behind a decrypted view (any other URI is returned as it is). */
export function fromValuesUri(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === VALUES_SCHEME ? vscode.Uri.parse(uri.query, true) : uri;
}
