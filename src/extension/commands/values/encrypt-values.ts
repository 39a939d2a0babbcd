// Encrypt Values for Team: turns a plain .env, JSON or YAML file into a value-encrypted one in place
// (docs/VALUES.md): keys, comments and layout stay, each value becomes a token, for the team of the
// file's folder, signed by my default key. Then opens it decrypted.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import { basename } from '../../fs/enc-uri';
import { writeFileAtomic } from '../../storage/workspace-files';
import { formatOf, readText } from '../../fs/values-file-system';
import { looksValueEncrypted, toValuesUri } from '../../fs/values-uri';
import { lazyCore } from '../../lazy-core';
import { policyForNewFile } from '../../recipient-policy';
import { valuesTarget, type ValuesDeps } from './deps';

export async function encryptValues(deps: ValuesDeps, first: unknown): Promise<vscode.Uri> {
  const file = valuesTarget(first) ?? vscode.window.activeTextEditor?.document.uri;
  if (!file || file.scheme !== 'file') throw new CustodianError(vscode.l10n.t('Choose a .env, JSON or YAML file in the workspace.'));
  const what = basename(file.path);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
  if (open?.isDirty) throw new CustodianError(vscode.l10n.t('{0} has unsaved changes.', what), { hint: vscode.l10n.t('Save or revert it first.') });
  const format = await formatOf(file);
  const text = await readText(file, what);
  if (looksValueEncrypted(text)) throw new CustodianError(vscode.l10n.t('The values of {0} are already encrypted.', what));
  const { session, services } = deps;
  const team = await session.teamRecipients(file);
  if (team.length === 0) throw new CustodianError(vscode.l10n.t('The team roster is empty.'), { hint: vscode.l10n.t('Add yourself to the team first.') });
  const fingerprints = team.map((k) => k.fingerprint);
  const recipientPolicy = policyForNewFile(file.path, fingerprints, await session.teamFingerprints(file));
  const [{ sealValues }, backend, signer] = await Promise.all([lazyCore.values(), services.backend(), session.signer()]);
  let sealed: string;
  try {
    sealed = await sealValues(text, { format, recipients: team.map((k) => k.key), signer, backend, recipientPolicy });
  } finally {
    session.release(signer);
  }
  await writeFileAtomic(file, new TextEncoder().encode(sealed), { overwrite: true });
  const uri = toValuesUri(file);
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}
