import * as vscode from 'vscode';

export interface VersionInfo {
  extension: string;
  vscode: string;
}

/** Shows (and returns, for tests) the extension's and VS Code's versions. */
export async function showVersion(context: vscode.ExtensionContext): Promise<VersionInfo> {
  const info: VersionInfo = {
    extension: String(context.extension.packageJSON.version),
    vscode: vscode.version,
  };
  void vscode.window.showInformationMessage(vscode.l10n.t('Custodian {0} (VS Code {1})', info.extension, info.vscode));
  return info;
}
