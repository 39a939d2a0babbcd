// Saving a decrypted document signs its whole content as me, including what I did not write. When the
// content is unsigned or signed by a key Custodian does not know, or the file is an older version back (a
// rollback: signed by a teammate then, it brings back what was rotated since), the user is asked first,
// once per document: a teammate must not end up vouching for text an outsider slipped in or put back.
// Shared by the custodian-enc and the value-encrypted file systems.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import { signerVouched, unknownSignerText, type EnvelopeDescription } from '../crypto-session';
import type { Rollback } from '../git/git-blobs';
import { rollbackSentence } from '../ui/rollback-text';

export class SigningConsent {
  /** Documents (decrypted URIs) whose content, unverified or an older version back, I agreed to sign since they were read. */
  private readonly agreed = new Set<string>();

  /** `rollbackOf`: when the file (on disk) is an older version back; undefined where git may not run. */
  constructor(private readonly rollbackOf: (file: vscode.Uri) => Promise<Rollback | undefined> = async () => undefined) {}

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
  async confirm(uri: vscode.Uri, file: vscode.Uri, what: string, description: EnvelopeDescription, detail: (summary: string) => string): Promise<void> {
    const signer = description.signer;
    const key = uri.toString();
    if (this.agreed.has(key)) return;
    // A deploy key is known, but what it wrote is asked about as a stranger's would be (signerVouched).
    if (signerVouched(description)) {
      // Looked at on every save: the file on disk may have become an older version since the last one
      // (`git checkout OLD -- FILE` under an editor with unsaved changes is not read again).
      const rollback = await this.rollbackOf(file).catch(() => undefined);
      if (rollback) {
        await this.confirmRollback(file, what, rollback, detail(description.summary));
        this.agreed.add(key);
      }
      return;
    }
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

  private async confirmRollback(file: vscode.Uri, what: string, rollback: Rollback, detail: string): Promise<void> {
    const SIGN_AND_SAVE = vscode.l10n.t('Save and Sign as Me');
    const SHOW_CHANGES = vscode.l10n.t('Show Changes');
    const choice = await vscode.window.showWarningMessage(
      `${rollbackSentence(what, rollback)} ${vscode.l10n.t('Saving signs it anew as yours.')}`,
      { modal: true, detail },
      // First, so that Enter reviews rather than signs.
      SHOW_CHANGES,
      SIGN_AND_SAVE,
    );
    if (choice === SHOW_CHANGES) void vscode.commands.executeCommand('custodian.showTeamChanges', { uri: file });
    if (choice !== SIGN_AND_SAVE) {
      throw new CustodianError(vscode.l10n.t('Not saved: {0} is back to an older version, and saving would sign it as yours.', what), {
        hint: vscode.l10n.t('Check it with "Show Changes Since the Team\'s Version" and restore the team\'s version; or save again and choose "Save and Sign as Me" if going back was meant.'),
      });
    }
  }
}
