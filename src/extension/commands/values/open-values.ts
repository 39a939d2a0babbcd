// Open Decrypted (value-encrypted files): shows a value-encrypted .env/JSON/YAML file decrypted in a
// normal editor (custodian-values:), in the file's own language. Saving there re-seals what changed.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import { basename } from '../../fs/enc-uri';
import { fromValuesUri, looksValueEncrypted, toValuesUri } from '../../fs/values-uri';
import { readText } from '../../fs/values-file-system';
import { valuesTarget, type ValuesDeps } from './deps';

export async function openValuesDecrypted(_deps: ValuesDeps, first: unknown): Promise<vscode.Uri> {
  const target = valuesTarget(first) ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) throw new CustodianError(vscode.l10n.t('Open a value-encrypted .env, JSON or YAML file first.'));
  const file = fromValuesUri(target);
  if (!looksValueEncrypted(await readText(file, basename(file.path)))) {
    throw new CustodianError(vscode.l10n.t('{0} has no values encrypted by Custodian.', basename(file.path)), {
      hint: vscode.l10n.t('Run "Custodian: Encrypt Values for Team" on it first.'),
    });
  }
  const uri = toValuesUri(file);
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}
