// Open Decrypted (value-encrypted files): shows a value-encrypted .env/JSON/YAML file decrypted in a
// normal editor (custodian-values:), in the file's own language. Saving there re-seals what changed.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import { basename } from '../../fs/enc-uri';
import { fromValuesUri, looksValueEncrypted, toValuesUri } from '../../fs/values-uri';
import { formatOf, readText } from '../../fs/values-file-system';
import { lazyCore } from '../../lazy-core';
import { noKeysError } from '../pick';
import { valuesTarget, type ValuesDeps } from './deps';

export async function openValuesDecrypted(deps: ValuesDeps, first: unknown): Promise<vscode.Uri> {
  const target = valuesTarget(first) ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) throw new CustodianError(vscode.l10n.t('Open a value-encrypted .env, JSON or YAML file first.'));
  const file = fromValuesUri(target);
  const text = await readText(file, basename(file.path));
  if (!looksValueEncrypted(text)) {
    throw new CustodianError(vscode.l10n.t('{0} has no values encrypted by Custodian.', basename(file.path)), {
      hint: vscode.l10n.t('Run "Custodian: Encrypt Values for Team" on it first.'),
    });
  }
  // Said here, as the .enc editor says it: an editor that fails to open shows only VS Code's
  // "Cannot open custodian-values:…" with our reason cut off.
  if (deps.services.keyStore.list().length === 0) throw noKeysError();
  const recipients = await valuesFileRecipients(file, text);
  if (!deps.session.canDecrypt(recipients)) throw await deps.session.notARecipient(basename(file.path), recipients);
  return showInPlaceOfTokens(file);
}

/** Shows `file` (one of my keys opens it) decrypted, in place of a tab of its tokens. */
export async function showInPlaceOfTokens(file: vscode.Uri): Promise<vscode.Uri> {
  const uri = toValuesUri(file);
  await vscode.window.showTextDocument(uri, { preview: false });
  const group = vscode.window.tabGroups.activeTabGroup;
  // The decrypted view takes the place of the tokens it was opened from (its CodeLens, title bar or
  // palette): two tabs of one name, one unreadable, is what a new user trips over. Unsaved edits to the
  // tokens keep their tab.
  const tokens = group.tabs.filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file.toString() && !t.isDirty);
  if (tokens.length > 0) await vscode.window.tabGroups.close(tokens, true);
  return uri;
}

/** Who a value-encrypted file (its text) is for. A file the merge driver left in conflict holds both sides between markers: ours says. */
export async function valuesFileRecipients(file: vscode.Uri, text: string): Promise<readonly string[]> {
  const [values, conflict, format] = await Promise.all([lazyCore.values(), lazyCore.valuesConflict(), formatOf(file)]);
  return values.valuesRecipients(conflict.isConflictedValues(text, format) ? conflict.splitConflict(text)!.ours : text, format);
}
