// Marks decrypted documents (custodian-enc:) with an "E" badge in tabs and breadcrumbs (a letter, like
// git's: emoji badges need fonts not every system has), so a decrypted `app.env` is never
// mistaken for a plaintext `app.env` on disk.
import * as vscode from 'vscode';
import { ENC_SCHEME, toEncryptedUri } from '../fs/enc-uri';

export class DecryptedDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== ENC_SCHEME) return undefined;
    const source = vscode.workspace.asRelativePath(toEncryptedUri(uri));
    return new vscode.FileDecoration('E', `Decrypted in memory from ${source}; saving re-encrypts it`);
  }
}
