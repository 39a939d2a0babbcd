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
  if (uris.length !== 1) throw new CustodianError(vscode.l10n.t('Copy one .enc file at a time.'));
  const uri = uris[0];
  const doc = await deps.fs.prepare(uri);
  if (doc.binary) throw new CustodianError(vscode.l10n.t('{0} decrypts to binary data, which cannot go to the clipboard.', rel(uri)), { hint: vscode.l10n.t('Use "Decrypt to File" instead.') });
  if (doc.plaintext.length > MAX_CLIPBOARD_BYTES) throw new CustodianError(vscode.l10n.t('{0} is too large for the clipboard.', rel(uri)), { hint: vscode.l10n.t('Use "Open Decrypted" instead.') });
  const { clearsInSeconds } = await deps.services.clipboard.copy(new TextDecoder().decode(doc.plaintext));
  void vscode.window.showInformationMessage(
    clearsInSeconds > 0
      ? vscode.l10n.t('Copied the decrypted {0}. It will be cleared in {1} s.', rel(uri), clearsInSeconds)
      : vscode.l10n.t('Copied the decrypted {0}.', rel(uri)),
  );
  return { bytes: doc.plaintext.length, clearsInSeconds, description: doc.description };
}
