// The CodeLens "Decrypt": shows one armored block's plaintext read-only in a preview tab beside the
// document, named after the block ("notes.yaml (block 1, decrypted)"). The document is not changed.
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
  /** Accepted for older callers: the preview is always beside the document now. */
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
  if (!docUri) throw new CustodianError(vscode.l10n.t('Open a file with an encrypted block first.'));
  const document = await vscode.workspace.openTextDocument(docUri);
  const at = a.range?.start ?? editor?.selection.active;
  const blocks = await blocksIn(document);
  const index = blocks.findIndex((b) => (at ? blockRange(document, b).contains(at) : true));
  if (index < 0) throw new CustodianError(vscode.l10n.t('There is no encrypted block there.'));
  const block = blocks[index];
  const what = vscode.l10n.t('the encrypted block in {0}', displayText(vscode.workspace.asRelativePath(docUri)));
  const decrypted = await decryptBlock(deps, block, what);
  decrypted.plaintext.fill(0);
  if (decrypted.text === undefined) throw notTextError(vscode.l10n.t('The encrypted block in {0}', displayText(vscode.workspace.asRelativePath(docUri))));
  const uri = deps.peek.add(vscode.l10n.t('{0} (block {1}, decrypted)', displayText(basename(docUri.path)) || 'untitled', index + 1), decrypted.text);
  // A preview tab beside the document, named after the block: a peek would be titled "Locations (1)".
  await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  if (decrypted.description.warning) void vscode.window.showWarningMessage(vscode.l10n.t('Decrypted block: {0}', decrypted.description.warning));
  else void vscode.window.setStatusBarMessage(`$(unlock) ${decrypted.description.summary}`, 8000);
  return { uri, description: decrypted.description };
}
