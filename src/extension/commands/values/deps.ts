// What the value-encryption commands share; built once in registerValuesFeature.
import type * as vscode from 'vscode';
import { FILE_ARGS, fromFileArguments } from '../arguments';
import type { CryptoSession } from '../../crypto-session';
import type { ValuesFileSystem } from '../../fs/values-file-system';
import type { EncryptionServices } from '../encrypt/deps';

export interface ValuesDeps {
  services: EncryptionServices;
  session: CryptoSession;
  fs: ValuesFileSystem;
}

/** The file a command acts on: a Uri (explorer, CodeLens) or `{ uri }`; undefined: the caller takes the active editor's. */
export function valuesTarget(first: unknown): vscode.Uri | undefined {
  return fromFileArguments(first, undefined, FILE_ARGS).uris?.[0];
}
