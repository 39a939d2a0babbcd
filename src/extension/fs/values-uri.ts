// Where a value-encrypted file is shown decrypted: `custodian-values:/config/.env?<uri of the file>`, as
// a `.enc` file is (enc-uri.ts). The path is what the tab, its tooltip and the breadcrumbs show: the
// file's workspace-relative path (VS Code does not relate another scheme's absolute path to the
// workspace folder, and would show every folder from the root). Its name is the file's own, so VS Code
// picks the same language; the query keeps the exact file URI.
import * as vscode from 'vscode';
import { shownPath } from './enc-uri';

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
  return vscode.Uri.from({ scheme: VALUES_SCHEME, path: shownPath(file), query: file.toString() });
}

/**
 * The result of a merge of the file in VS Code's merge editor: the decrypted working file under another
 * path, so it is not the document of a decrypted tab of the same file (as enc-uri.ts's toMergeResultUri).
 */
export function toValuesMergeResultUri(file: vscode.Uri): vscode.Uri {
  const shown = toValuesUri(file);
  return shown.with({ path: `${shown.path}${MERGE_RESULT_SUFFIX}` });
}

const MERGE_RESULT_SUFFIX = ' (merge result)';

/**
 * True for a URI `toValuesUri` or `toValuesMergeResultUri` makes, or one with the file's absolute path
 * (made by hand, or restored from an earlier version); not for another path carrying a file's query,
 * which is what "Save As…" leaves.
 */
export function isShownValuesUri(uri: vscode.Uri): boolean {
  if (uri.scheme !== VALUES_SCHEME || uri.query === '') return false;
  const file = fromValuesUri(uri);
  return uri.path === file.path || uri.path === toValuesUri(file).path || uri.path === toValuesMergeResultUri(file).path;
}

/** The file behind a decrypted view (any other URI is returned as it is). */
export function fromValuesUri(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === VALUES_SCHEME ? vscode.Uri.parse(uri.query, true) : uri;
}
