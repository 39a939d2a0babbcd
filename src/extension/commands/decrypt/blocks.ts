// Encrypted values inside text documents (armored blocks and compact tokens, FORMAT.md §7.2):
// finding them and decrypting one in memory.
import * as vscode from 'vscode';
import { isValidUtf8 } from '../../../core/bytes';
import { CustodianError, FormatError, HeaderAuthError, PayloadAuthError, SignatureError, SignerMismatchError } from '../../../core/errors';
import type { EncryptedSpan } from '../../../core/selection-armor';
import type { EnvelopeDescription } from '../../crypto-session';
import type { EncDeps } from '../encrypt/deps';
import { lazyCore } from '../../lazy-core';
import { sentence } from '../../ui/messages';

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
  let result;
  try {
    const ciphertext = spanCiphertext(block);
    const header = await inspectEnvelope(ciphertext);
    const identities = await deps.session.identitiesFor(header.recipients, what, header.recipientPolicy);
    try {
      result = await decryptBytes(ciphertext, { identities, backend });
    } finally {
      deps.session.release(...identities);
    }
  } catch (err) {
    throw damagedBlock(err, what);
  }
  const description = deps.session.describe(result.header, result.signature, await deps.session.knownKeys());
  const isText = isValidUtf8(result.plaintext) && !result.plaintext.includes(0);
  return { plaintext: result.plaintext, text: isText ? new TextDecoder().decode(result.plaintext) : undefined, description };
}

/**
 * A block or value whose bytes do not decrypt is said to be one, in the document: the general message
 * names "this file" as damaged (a red team's glued tokens were reported so), which sends a person to
 * restore a file that is fine but for one value.
 */
function damagedBlock(err: unknown, what: string): unknown {
  const damaged = err instanceof FormatError || err instanceof HeaderAuthError || err instanceof PayloadAuthError;
  const forged = err instanceof SignatureError && !(err instanceof SignerMismatchError);
  if (!damaged && !forged) return err;
  const message = damaged
    ? sentence(vscode.l10n.t('{0} is damaged or was changed after it was encrypted: it does not decrypt.', what))
    : sentence(vscode.l10n.t('{0} is damaged or was changed after it was signed: its signature does not verify. Do not trust its contents.', what));
  return new CustodianError(message, {
    cause: err,
    hint: vscode.l10n.t('Undo the edit that changed it, or take the line from the last commit (git diff shows it); whoever encrypted it can encrypt it again.'),
  });
}

export function notTextError(what: string): CustodianError {
  return new CustodianError(vscode.l10n.t('{0} holds binary data, which cannot be shown as text.', what), { hint: vscode.l10n.t('Save the block to a .enc file and use "Decrypt to File".') });
}
