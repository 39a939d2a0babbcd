// Armored blocks inside text documents: finding them and decrypting one in memory.
import * as vscode from 'vscode';
import { isValidUtf8 } from '../../../core/bytes';
import type { ArmoredBlock } from '../../../core/armor';
import { CustodianError } from '../../../core/errors';
import type { EnvelopeDescription } from '../../crypto-session';
import type { EncDeps } from '../encrypt/deps';

export interface DecryptedBlock {
  plaintext: Uint8Array;
  /** UTF-8 text without NUL bytes. */
  text: string | undefined;
  description: EnvelopeDescription;
}

export async function blocksIn(document: vscode.TextDocument): Promise<ArmoredBlock[]> {
  const { ARMOR_BEGIN, findArmoredBlocks } = await import('../../../core/armor');
  const text = document.getText();
  return text.includes(ARMOR_BEGIN) ? findArmoredBlocks(text) : [];
}

export function blockRange(document: vscode.TextDocument, block: ArmoredBlock): vscode.Range {
  return new vscode.Range(document.positionAt(block.start), document.positionAt(block.end));
}

/** Decrypts one armored block (checks the header first, so "not a recipient" names who is). */
export async function decryptBlock(deps: EncDeps, block: ArmoredBlock, what: string): Promise<DecryptedBlock> {
  const [{ decryptBytes, inspectEnvelope }, backend] = await Promise.all([import('../../../core/envelope'), deps.services.backend()]);
  const header = await inspectEnvelope(block.text);
  const identities = await deps.session.identitiesFor(header.recipients, what);
  let result;
  try {
    result = await decryptBytes(block.text, { identities, backend });
  } finally {
    deps.session.release(...identities);
  }
  const description = deps.session.describe(result.header, result.signature, await deps.session.knownKeys());
  const isText = isValidUtf8(result.plaintext) && !result.plaintext.includes(0);
  return { plaintext: result.plaintext, text: isText ? new TextDecoder().decode(result.plaintext) : undefined, description };
}

export function notTextError(what: string): CustodianError {
  return new CustodianError(`${what} holds binary data, which cannot be shown as text.`, { hint: 'Save the block to a .enc file and use "Decrypt to File".' });
}
