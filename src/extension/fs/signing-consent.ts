// Saving a decrypted document signs its whole content as me, including what I did not write. When the
// content is unsigned or signed by a key Custodian does not know, the user is asked first, once per
// document: a teammate must not end up vouching for text an outsider slipped in. Shared by the
// custodian-enc and the value-encrypted file systems.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import { unknownSignerText, type EnvelopeDescription } from '../crypto-session';

export class SigningConsent {
  /** Documents (decrypted URIs) whose unverified content I agreed to sign. */
  private readonly agreed = new Set<string>();

  /**
   * The document was read again from disk (opened, or reloaded after a pull): what I agreed to sign was
   * the content before, so the next save asks again.
   */
  forget(uri: vscode.Uri): void {
    this.agreed.delete(uri.toString());
  }

  /**
   * Returns when saving may sign: the signer is known, or I agreed for this document. Otherwise asks;
   * a refusal throws an error that says how to save after all. `detail` explains what signing means
   * for this kind of file (the caller knows whether a save re-encrypts the whole or re-seals values).
   */
  async confirm(uri: vscode.Uri, what: string, description: EnvelopeDescription, detail: (summary: string) => string): Promise<void> {
    const signer = description.signer;
    if (signer.kind !== 'unsigned' && signer.known) return;
    const key = uri.toString();
    if (this.agreed.has(key)) return;
    const status = signer.kind === 'unsigned' ? vscode.l10n.t('unsigned') : unknownSignerText(signer.party);
    const SIGN_AND_SAVE = vscode.l10n.t('Save and Sign as Me');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} is {1}. Saving signs it as you.', what, status),
      { modal: true, detail: detail(description.summary) },
      SIGN_AND_SAVE,
    );
    if (choice !== SIGN_AND_SAVE) {
      throw new CustodianError(vscode.l10n.t('Not saved: {0} is {1}, and saving would sign it as you.', what, status), {
        hint: vscode.l10n.t('Save again and choose "Save and Sign as Me" if you trust its content.'),
      });
    }
    this.agreed.add(key);
  }
}
