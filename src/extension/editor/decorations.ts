// A tooltip on decrypted documents (custodian-enc:) in tabs and breadcrumbs: where the text came from
// and what saving does. The name itself (`app.env.enc`, see fs/enc-uri.ts) already tells a decrypted
// document from a plaintext `app.env` on disk, so there is no badge letter to decode.
import * as vscode from 'vscode';
import { ENC_SCHEME, toEncryptedUri } from '../fs/enc-uri';

export class DecryptedDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== ENC_SCHEME) return undefined;
    const source = vscode.workspace.asRelativePath(toEncryptedUri(uri));
    return new vscode.FileDecoration(undefined, vscode.l10n.t('Decrypted in memory from {0}; saving re-encrypts it', source));
  }
}
