// A save keeps a file's recipients. When one of them has left the team since (their roster file removed,
// or their entry broken), saving would write the new text for them too: the person who saves is asked
// first, and "Save Without Them" (the first button) leaves them out. "Save for Them Too" covers the people
// it named in the version read, as SigningConsent's answer does: a version read again from disk, or
// another former teammate, is asked about again. Shared by the custodian-enc and the value-encrypted file
// systems.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import type { CryptoSession, KnownKey } from '../crypto-session';

export class FormerRecipientsConsent {
  /** Documents (decrypted URIs) saved for former teammates by choice: the fingerprints that choice named. */
  private readonly kept = new Map<string, ReadonlySet<string>>();

  constructor(private readonly session: CryptoSession) {}

  /** The document was read again from disk: what I agreed to was for the version before. */
  forget(uri: vscode.Uri): void {
    this.kept.delete(uri.toString());
  }

  /**
   * The recipients a save of `file` writes for: `recipients` when none has left the team or the user
   * keeps them; without those who left when the user says so. Dismissing throws: nothing is saved.
   */
  async recipientsForSave(uri: vscode.Uri, file: vscode.Uri, what: string, recipients: readonly string[], known: readonly KnownKey[]): Promise<readonly string[]> {
    const broken = await this.session.brokenRosterKeys(this.session.teamFolder(file));
    const gone = recipients.map((fp) => this.session.party(fp, known)).filter((p) => p.former !== undefined || broken.has(p.fingerprint));
    const remaining = recipients.filter((fp) => !gone.some((p) => p.fingerprint === fp));
    if (gone.length === 0 || remaining.length === 0) return recipients;
    const agreed = this.kept.get(uri.toString());
    if (agreed && gone.every((p) => agreed.has(p.fingerprint))) return recipients;
    const names = gone.map((p) => p.name).join(', ');
    const WITHOUT = vscode.l10n.t('Save Without Them');
    const KEEP = vscode.l10n.t('Save for Them Too');
    // A removed teammate's key is no longer known: the file cannot be saved for them.
    const keepable = gone.every((p) => known.some((k) => k.fingerprint === p.fingerprint));
    const choice = await vscode.window.showWarningMessage(
      gone.length === 1 ? vscode.l10n.t('{0} is still encrypted for {1}, who is no longer on the team.', what, names) : vscode.l10n.t('{0} is still encrypted for {1}, who are no longer on the team.', what, names),
      {
        modal: true,
        detail: vscode.l10n.t('A save keeps the file\'s recipients, so they could read what you write. "Save Without Them" saves it for the others only: {0}.', this.session.parties(remaining, known).map((p) => p.name).join(', ')),
      },
      WITHOUT,
      ...(keepable ? [KEEP] : []),
    );
    if (choice === WITHOUT) return remaining;
    if (choice === KEEP) {
      this.kept.set(uri.toString(), new Set(gone.map((p) => p.fingerprint)));
      return recipients;
    }
    throw new CustodianError(vscode.l10n.t('Not saved: {0} is still encrypted for {1}.', what, names), {
      hint: vscode.l10n.t('Save again and choose "Save Without Them", or run "Re-encrypt for Team" on it.'),
    });
  }
}
