// A CodeLens at the top of a value-encrypted .env/JSON/YAML file ("Open Decrypted"), and of a plain
// .env file ("Encrypt Values for Team", or, beside its .enc, that it is a plaintext copy). The test is a
// cheap text search: the core loads on click.
import * as vscode from 'vscode';
import { CommandId } from '../ids';
import { looksValueEncrypted } from '../../fs/values-uri';
import { basename } from '../../fs/enc-uri';
import { exists } from '../../storage/workspace-files';

const DOTENV_NAME = /(^|\/)\.env(\.[^/]*)?$|\.env$/i;
const STRUCTURED_NAME = /\.(json|ya?ml)$/i;

export class ValuesCodeLensProvider implements vscode.CodeLensProvider {
  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const path = document.uri.path;
    if (!DOTENV_NAME.test(path) && !STRUCTURED_NAME.test(path)) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    if (looksValueEncrypted(document.getText())) {
      return [
        new vscode.CodeLens(top, { title: vscode.l10n.t('$(unlock) Open Decrypted'), command: CommandId.OpenValuesDecrypted, arguments: [document.uri] }),
        new vscode.CodeLens(top, { title: vscode.l10n.t('Decrypt to New File…'), command: CommandId.DecryptValuesToFile, arguments: [document.uri] }),
      ];
    }
    // A file whose values are encrypted one by one with Encrypt Selection has lenses of its own.
    if (!DOTENV_NAME.test(path) || document.uri.scheme !== 'file' || document.getText().includes('custodian-enc1.')) return [];
    // Encrypt File with Keep Original leaves the plaintext beside its .enc, and edits go to the .enc: a
    // newcomer took the stale copy, its Encrypt Values lens the only word on it, for the real file.
    const twin = document.uri.with({ path: `${path}.enc` });
    if (await exists(twin)) {
      // Said as what to do (a newcomer read "may be out of date" seconds after encrypting, "copy" of their own source).
      return [new vscode.CodeLens(top, { title: vscode.l10n.t('$(warning) Edit the encrypted {0}: this plaintext beside it does not follow its changes', basename(twin.path)), command: 'vscode.open', arguments: [twin] })];
    }
    return [
      new vscode.CodeLens(top, { title: vscode.l10n.t('$(shield) Encrypt Values for Team'), command: CommandId.EncryptValues, arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: vscode.l10n.t('Choose Which Stay Readable…'), command: CommandId.EncryptValuesChoosing, arguments: [document.uri] }),
    ];
  }
}
