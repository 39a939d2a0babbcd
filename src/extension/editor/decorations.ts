// A lock on decrypted documents (custodian-enc:, custodian-values:) in their tabs, with a
// tooltip saying where the text came from and what saving does: the tab reads like the file, with a
// lock. Files on disk get none: the Explorer's `.enc` names already say it, a value-encrypted file
// cannot be told without reading it, and a lock there would be joined to git's and the problems'
// badges ("🔒, M").
import * as vscode from 'vscode';
import { ENC_SCHEME, toEncryptedUri } from '../fs/enc-uri';
import { VALUES_SCHEME, fromValuesUri } from '../fs/values-uri';

/**
 * One grapheme of two UTF-16 units: VS Code drops a badge longer than two characters
 * (extHostTypes FileDecoration.validate), and a codicon badge needs a proposed API.
 */
const DECRYPTED_BADGE = '🔒';

export class DecryptedDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme === ENC_SCHEME) {
      const source = vscode.workspace.asRelativePath(toEncryptedUri(uri));
      return decoration(vscode.l10n.t('Encrypted file {0}, decrypted in memory; saving re-encrypts it', source));
    }
    if (uri.scheme === VALUES_SCHEME) {
      const source = vscode.workspace.asRelativePath(fromValuesUri(uri));
      return decoration(vscode.l10n.t('Values encrypted in {0}, decrypted in memory; saving re-encrypts the values you changed', source));
    }
    return undefined;
  }
}

function decoration(tooltip: string): vscode.FileDecoration {
  const d = new vscode.FileDecoration(DECRYPTED_BADGE, tooltip);
  d.propagate = false;
  return d;
}
