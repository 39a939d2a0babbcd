// Copy Decrypted to Clipboard: a small text `.enc` file's plaintext, cleared again after
// custodian.clipboardClearSeconds if the clipboard still holds it.
import * as vscode from 'vscode';
import { FILE_ARGS } from '../arguments';
import { CustodianError } from '../../../core/errors';
import type { EnvelopeDescription } from '../../crypto-session';
import type { EncDeps } from '../encrypt/deps';
import { encTargets, rel } from './target';

/** More than this is not a clipboard secret. */
const MAX_CLIPBOARD_BYTES = 1024 * 1024;

export interface CopyDecryptedResult {
  bytes: number;
  clearsInSeconds: number;
  description: EnvelopeDescription;
}

export async function copyDecrypted(deps: EncDeps, first: unknown, second: unknown): Promise<CopyDecryptedResult> {
  const { uris } = encTargets(first, second, FILE_ARGS);
  if (uris.length !== 1) throw new CustodianError('Copy one .enc file at a time.');
  const uri = uris[0];
  const doc = await deps.fs.prepare(uri);
  if (doc.binary) throw new CustodianError(`${rel(uri)} decrypts to binary data, which cannot go to the clipboard.`, { hint: 'Use "Decrypt to File" instead.' });
  if (doc.plaintext.length > MAX_CLIPBOARD_BYTES) throw new CustodianError(`${rel(uri)} is too large for the clipboard.`, { hint: 'Use "Open Decrypted" instead.' });
  const { clearsInSeconds } = await deps.services.clipboard.copy(new TextDecoder().decode(doc.plaintext));
  const when = clearsInSeconds > 0 ? ` It will be cleared in ${clearsInSeconds} s.` : '';
  void vscode.window.showInformationMessage(`Copied the decrypted ${rel(uri)}.${when}`);
  return { bytes: doc.plaintext.length, clearsInSeconds, description: doc.description };
}
