// Where SecretStorage (and so every private key) actually lives depends on the host: the OS keychain of
// the machine showing the window for desktop VS Code (also with a remote extension host: secrets stay on
// the local side), but the browser profile's site storage for VS Code in a browser (code-server,
// vscode.dev, Codespaces in a browser). Saying "OS keychain" there would be false comfort.
import * as vscode from 'vscode';

/** The parts of `vscode.env` that decide it (a seam for tests). */
export interface HostEnv {
  uiKind: vscode.UIKind;
  remoteName?: string;
  appHost: string;
  appName: string;
}

export interface SecretLocation {
  /** "the OS keychain", "this browser's storage for this site", …: fits "stored in …". */
  where: string;
  /** What that means for the user, one or two sentences. */
  detail: string;
  /** Keys are lost with the browser profile's site data: a backup matters more. */
  inBrowser: boolean;
}

export function secretLocation(env: HostEnv = vscode.env): SecretLocation {
  if (env.uiKind === vscode.UIKind.Web) {
    return {
      where: vscode.l10n.t('this browser profile\'s storage for this site'),
      detail: vscode.l10n.t('A browser has no OS keychain: clearing this site\'s data, another browser or a private window loses your keys. Keep an encrypted backup (Export Private Key).'),
      inBrowser: true,
    };
  }
  const keychain = vscode.l10n.t('the OS keychain (macOS Keychain, Windows Credential Manager or the Linux Secret Service)');
  if (env.remoteName) {
    return {
      where: vscode.l10n.t('the OS keychain of this computer'),
      detail: vscode.l10n.t('SecretStorage lives in {0} of the computer showing this window, not on the {1} host the extension runs on.', keychain, env.remoteName),
      inBrowser: false,
    };
  }
  return { where: vscode.l10n.t('the OS keychain'), detail: vscode.l10n.t('SecretStorage lives in {0} of this computer.', keychain), inBrowser: false };
}
