// Decrypt Selection: armored blocks that touch a selection (or hold the cursor) are replaced in place
// by their plaintext, re-indented like the block. Only when the user asks: the CodeLens "Decrypt"
// only previews.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import type { Party, SignerState } from '../../crypto-session';
import type { EncDeps } from '../encrypt/deps';
import { asObject } from '../pick';
import { blockRange, blocksIn, decryptBlock, notTextError } from './blocks';

export interface DecryptSelectionArgs {
  /** Defaults to the active editor (or the editor showing `uri`). */
  editor?: vscode.TextEditor;
  /** A document and a block range (from the CodeLens) instead of the selections. */
  uri?: vscode.Uri;
  range?: vscode.Range;
}

export interface DecryptSelectionResult {
  blocks: number;
  signers: SignerState[];
  recipients: Party[][];
}

export async function decryptSelection(deps: EncDeps, arg: unknown): Promise<DecryptSelectionResult | undefined> {
  const a = asObject<DecryptSelectionArgs>(arg);
  let editor = a.editor ?? vscode.window.activeTextEditor;
  if (a.uri) {
    editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === a.uri!.toString()) ?? (await vscode.window.showTextDocument(a.uri));
  }
  if (!editor) throw new CustodianError('Open a file with an encrypted block first.');
  const document = editor.document;
  const targets = a.range ? [a.range] : editor.selections;
  const blocks = (await blocksIn(document)).filter((b) => {
    const r = blockRange(document, b);
    return targets.some((t) => (t.isEmpty ? r.contains(t.start) : r.intersection(t) !== undefined));
  });
  if (blocks.length === 0) {
    throw new CustodianError('There is no encrypted block at the selection.', { hint: 'Put the cursor inside a "-----BEGIN CUSTODIAN ENCRYPTED FILE-----" block.' });
  }
  const version = document.version;
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const what = vscode.workspace.asRelativePath(document.uri);
  const edits: [vscode.Range, string][] = [];
  const result: DecryptSelectionResult = { blocks: 0, signers: [], recipients: [] };
  for (const block of blocks) {
    const decrypted = await decryptBlock(deps, block, `the encrypted block in ${what}`);
    if (decrypted.text === undefined) throw notTextError(`The encrypted block in ${what}`);
    const text = decrypted.text.split(/\r?\n/).map((l, i) => (i === 0 || l === '' ? l : block.indent + l)).join(eol);
    // A block that replaced whole lines ends with the line break its plaintext also ends with.
    let range = blockRange(document, block);
    const after = document.getText(new vscode.Range(range.end, document.positionAt(block.end + 2)));
    const lineBreak = /^\r?\n/.exec(after)?.[0];
    if (lineBreak && /\n$/.test(decrypted.text)) range = new vscode.Range(range.start, document.positionAt(block.end + lineBreak.length));
    edits.push([range, text]);
    result.signers.push(decrypted.description.signer);
    result.recipients.push(decrypted.description.recipients);
    if (decrypted.description.warning) void vscode.window.showWarningMessage(`Decrypted block: ${decrypted.description.warning}`);
  }
  if (document.version !== version) throw new CustodianError('The document changed while decrypting; nothing was replaced. Try again.');
  const ok = await editor.edit((edit) => {
    for (const [range, text] of edits) edit.replace(range, text);
  });
  if (!ok) throw new CustodianError('The editor refused the change; nothing was replaced.');
  result.blocks = edits.length;
  return result;
}
