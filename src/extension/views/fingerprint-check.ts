// How a key's last Verify Fingerprint result (storage/fingerprint-checks.ts) shows on its item, the
// same in the Team and Contacts views.
import * as vscode from 'vscode';
import { displayText } from '../../core/display-text';
import { checkAgain, type FingerprintCheck } from '../storage/fingerprint-checks';
import { escapeMd } from './markdown';

/** The first words of the item's description when the fingerprint did not match (a narrow sidebar cuts the end). */
export function mismatchDescription(): string {
  return vscode.l10n.t('fingerprint did not match');
}

/** The tooltip's paragraph on the check: when and with whom, and for a mismatch both fingerprints and what to do. */
export function appendCheck(md: vscode.MarkdownString, check: FingerprintCheck, fingerprint: string): void {
  const who = escapeMd(displayText(check.name));
  const date = check.time.slice(0, 10);
  if (check.result === 'match') {
    md.appendMarkdown(`\n\n${vscode.l10n.t('You checked this fingerprint with {0} on {1}.', who, date)}`);
    return;
  }
  md.appendMarkdown(`\n\n${vscode.l10n.t('$(warning) **The fingerprint did not match** when you checked it with {0} on {1}:', who, date)}`);
  md.appendCodeblock(vscode.l10n.t('You entered:  {0}\nOn file:      {1}', check.entered, fingerprint), 'text');
  md.appendMarkdown(`${vscode.l10n.t('Encrypting to this key asks first.')} ${checkAgain(who)}`);
}
