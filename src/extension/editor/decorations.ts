// Marks decrypted documents (custodian-enc:) with an "E" badge in tabs and breadcrumbs (a letter, like
// git's: emoji badges need fonts not every system has), so a decrypted `app.env` is never
// mistaken for a plaintext `app.env` on disk.
import * as vscode from 'vscode';
import { ENC_SCHEME, toEncryptedUri } from '../fs/enc-uri';

export class DecryptedDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== ENC_SCHEME) return undefined;
    const source = vscode.workspace.asRelativePath(toEncryptedUri(uri));
    return new vscode.FileDecoration('E', vscode.l10n.t('Decrypted in memory from {0}; saving re-encrypts it', source));
  }
}
