// A CodeLens at the top of a value-encrypted .env/JSON/YAML file ("Open Decrypted"), and of a plain
// .env file ("Encrypt Values for Team"). The test is a cheap text search: the core loads on click.
import * as vscode from 'vscode';
import { CommandId } from '../ids';
import { looksValueEncrypted } from '../../fs/values-uri';

const DOTENV_NAME = /(^|\/)\.env(\.[^/]*)?$|\.env$/i;
const STRUCTURED_NAME = /\.(json|ya?ml)$/i;

export class ValuesCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
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
    return [
      new vscode.CodeLens(top, { title: vscode.l10n.t('$(shield) Encrypt Values for Team'), command: CommandId.EncryptValues, arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: vscode.l10n.t('Choose Which Stay Readable…'), command: CommandId.EncryptValuesChoosing, arguments: [document.uri] }),
    ];
  }
}
