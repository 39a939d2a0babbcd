// The CodeLens "Decrypt": shows one armored block's plaintext in a read-only peek under the block
// (or beside the editor when peeking is not possible). The document is not changed.
import * as vscode from 'vscode';
import { displayText } from '../../../core/display-text';
import { CustodianError } from '../../../core/errors';
import type { EnvelopeDescription } from '../../crypto-session';
import { basename } from '../../fs/enc-uri';
import type { EncDeps } from '../encrypt/deps';
import { fromArgument, is, type Shape } from '../arguments';
import { blockRange, blocksIn, decryptBlock, notTextError } from './blocks';

export interface PreviewBlockArgs {
  uri?: vscode.Uri;
  /** The block's range (from the CodeLens), or any position inside it. */
  range?: vscode.Range;
  /** Show beside instead of peeking (tests). */
  beside?: boolean;
}

const PREVIEW_BLOCK_ARGS: Shape<PreviewBlockArgs> = { uri: is.uri, range: is.range, beside: is.boolean };

export interface PreviewBlockResult {
  /** custodian-peek: URI of the read-only preview. */
  uri: vscode.Uri;
  description: EnvelopeDescription;
}

export async function previewBlock(deps: EncDeps, arg: unknown): Promise<PreviewBlockResult> {
  const a = fromArgument(arg, PREVIEW_BLOCK_ARGS);
  const editor = vscode.window.activeTextEditor;
  const docUri = a.uri ?? editor?.document.uri;
  if (!docUri) throw new CustodianError('Open a file with an encrypted block first.');
  const document = await vscode.workspace.openTextDocument(docUri);
  const at = a.range?.start ?? editor?.selection.active;
  const blocks = await blocksIn(document);
  const index = blocks.findIndex((b) => (at ? blockRange(document, b).contains(at) : true));
  if (index < 0) throw new CustodianError('There is no encrypted block there.');
  const block = blocks[index];
  const what = `the encrypted block in ${displayText(vscode.workspace.asRelativePath(docUri))}`;
  const decrypted = await decryptBlock(deps, block, what);
  decrypted.plaintext.fill(0);
  if (decrypted.text === undefined) throw notTextError(what);
  const uri = deps.peek.add(`${displayText(basename(docUri.path)) || 'untitled'} (block ${index + 1}, decrypted)`, decrypted.text);
  const range = blockRange(document, block);
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === docUri.toString());
  let peeked = false;
  if (shown && !a.beside) {
    if (vscode.window.activeTextEditor !== shown) await vscode.window.showTextDocument(shown.document, shown.viewColumn);
    try {
      await vscode.commands.executeCommand('editor.action.peekLocations', docUri, range.start, [new vscode.Location(uri, new vscode.Position(0, 0))], 'peek');
      peeked = true;
    } catch {
      peeked = false;
    }
  }
  if (!peeked) await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  if (decrypted.description.warning) void vscode.window.showWarningMessage(`Decrypted block: ${decrypted.description.warning}`);
  else void vscode.window.setStatusBarMessage(`$(unlock) ${decrypted.description.summary}`, 8000);
  return { uri, description: decrypted.description };
}
