// Encrypted values inside text documents (armored blocks and compact tokens, FORMAT.md §7.2):
// finding them and decrypting one in memory.
import * as vscode from 'vscode';
import { isValidUtf8 } from '../../../core/bytes';
import { CustodianError } from '../../../core/errors';
import type { EncryptedSpan } from '../../../core/selection-armor';
import type { EnvelopeDescription } from '../../crypto-session';
import type { EncDeps } from '../encrypt/deps';
import { lazyCore } from '../../lazy-core';

export interface DecryptedBlock {
  plaintext: Uint8Array;
  /** UTF-8 text without NUL bytes. */
  text: string | undefined;
  description: EnvelopeDescription;
}

export async function blocksIn(document: vscode.TextDocument): Promise<EncryptedSpan[]> {
  const { findEncryptedSpans } = await lazyCore.selectionArmor();
  return findEncryptedSpans(document.getText());
}

export function blockRange(document: vscode.TextDocument, block: EncryptedSpan): vscode.Range {
  return new vscode.Range(document.positionAt(block.start), document.positionAt(block.end));
}

/** Decrypts one block or token (checks the header first, so "not a recipient" names who is). */
export async function decryptBlock(deps: EncDeps, block: EncryptedSpan, what: string): Promise<DecryptedBlock> {
  const [{ decryptBytes, inspectEnvelope }, { spanCiphertext }, backend] = await Promise.all([
    lazyCore.envelope(),
    lazyCore.selectionArmor(),
    deps.services.backend(),
  ]);
  const ciphertext = spanCiphertext(block);
  const header = await inspectEnvelope(ciphertext);
  const identities = await deps.session.identitiesFor(header.recipients, what, header.recipientPolicy);
  let result;
  try {
    result = await decryptBytes(ciphertext, { identities, backend });
  } finally {
    deps.session.release(...identities);
  }
  const description = deps.session.describe(result.header, result.signature, await deps.session.knownKeys());
  const isText = isValidUtf8(result.plaintext) && !result.plaintext.includes(0);
  return { plaintext: result.plaintext, text: isText ? new TextDecoder().decode(result.plaintext) : undefined, description };
}

export function notTextError(what: string): CustodianError {
  return new CustodianError(vscode.l10n.t('{0} holds binary data, which cannot be shown as text.', what), { hint: vscode.l10n.t('Save the block to a .enc file and use "Decrypt to File".') });
}
