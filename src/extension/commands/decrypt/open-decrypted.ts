// Open Decrypted: shows a `.enc` file's plaintext in a normal text editor (custodian-enc:). The file is
// decrypted first so binary plaintext is never put into a text editor: Decrypt to File is offered instead.
import * as vscode from 'vscode';
import { FILE_ARGS, is, type Shape } from '../arguments';
import { CommandId } from '../ids';
import type { EncDeps } from '../encrypt/deps';
import { toDecryptedUri } from '../../fs/enc-uri';
import { encTargets, rel } from './target';

export interface OpenDecryptedArgs {
  uri?: vscode.Uri;
  uris?: vscode.Uri[];
  viewColumn?: vscode.ViewColumn;
  preview?: boolean;
}

const OPEN_DECRYPTED_ARGS: Shape<OpenDecryptedArgs> = { ...FILE_ARGS, viewColumn: is.viewColumn, preview: is.boolean };

export interface OpenDecryptedResult {
  /** custodian-enc: URIs of the documents opened. */
  opened: vscode.Uri[];
  /** `.enc` files whose plaintext is binary (not opened; Decrypt to File offered). */
  binary: vscode.Uri[];
}

export async function openDecrypted(deps: EncDeps, first: unknown, second: unknown): Promise<OpenDecryptedResult> {
  const { args, uris } = encTargets(first, second, OPEN_DECRYPTED_ARGS);
  const result: OpenDecryptedResult = { opened: [], binary: [] };
  for (const uri of uris) {
    const doc = await deps.fs.prepare(uri);
    if (doc.binary) {
      result.binary.push(uri);
      offerDecryptToFile(uri);
      continue;
    }
    const decrypted = toDecryptedUri(uri);
    await vscode.window.showTextDocument(decrypted, { viewColumn: args.viewColumn, preview: args.preview ?? uris.length === 1 });
    result.opened.push(decrypted);
  }
  return result;
}

export function offerDecryptToFile(uri: vscode.Uri): void {
  const action = vscode.l10n.t('Decrypt to File…');
  void vscode.window
    .showWarningMessage(vscode.l10n.t('{0} decrypts to binary data, which a text editor would corrupt.', rel(uri)), action)
    .then((choice) => (choice === action ? vscode.commands.executeCommand(CommandId.DecryptToFile, uri) : undefined));
}
