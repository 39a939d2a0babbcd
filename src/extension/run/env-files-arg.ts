// The `custodianEnvFiles` of a launch configuration and the `envFiles` of a `custodian` task: a list
// of paths, relative to the workspace folder. Parsed once, from `unknown`, with errors naming the key.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';

export function envFileUris(value: unknown, key: string, folder: vscode.WorkspaceFolder | undefined): vscode.Uri[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
    throw new CustodianError(vscode.l10n.t('"{0}" must be a list of env file paths, e.g. [".env.enc"].', key));
  }
  const base = folder ?? vscode.workspace.workspaceFolders?.[0];
  return (value as string[]).map((file) => {
    if (path.isAbsolute(file)) return vscode.Uri.file(file);
    if (!base) throw new CustodianError(vscode.l10n.t('"{0}": {1} is relative, but no folder is open.', key, file), { hint: vscode.l10n.t('Open the folder, or give an absolute path.') });
    return vscode.Uri.joinPath(base.uri, file);
  });
}

/** The string values of an `env` object (a launch configuration's or a task's); other values are dropped. */
export function stringEnv(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
