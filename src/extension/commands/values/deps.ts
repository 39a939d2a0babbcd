// What the value-encryption commands share; built once in registerValuesFeature.
import type * as vscode from 'vscode';
import type { CryptoSession } from '../../crypto-session';
import type { ValuesFileSystem } from '../../fs/values-file-system';
import type { Services } from '../../services';

export interface ValuesDeps {
  services: Services;
  session: CryptoSession;
  fs: ValuesFileSystem;
}


/** The file a command acts on: a Uri (explorer, CodeLens), `{ uri }`, or the active editor's file. */
export function valuesTarget(first: unknown): vscode.Uri | undefined {
  const arg = first as { uri?: unknown; scheme?: unknown } | undefined;
  if (arg && typeof arg.scheme === 'string' && typeof (arg as vscode.Uri).path === 'string') return arg as vscode.Uri;
  if (arg && arg.uri && typeof (arg.uri as vscode.Uri).path === 'string') return arg.uri as vscode.Uri;
  return undefined;
}
