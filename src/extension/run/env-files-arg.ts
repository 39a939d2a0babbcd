// The `custodianEnvFiles` of a launch configuration and the `envFiles` of a `custodian` task: a list
// of paths, relative to the workspace folder. Parsed once, from `unknown`, with errors naming the key.
// Both files travel with the repository, so whoever can push writes them: the paths must stay inside
// the workspace's folders, links followed, or a committer could name any file the person's key opens
// (another project's secrets, a red-team trial showed) and have it decrypted into a command.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import { isInside, resolvedPath } from '../../node/path-inside';

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

/** `files` as they are, once each one (links resolved) is inside one of the workspace's folders. */
export async function insideWorkspace(files: readonly vscode.Uri[], key: string): Promise<vscode.Uri[]> {
  const folders = await Promise.all((vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => resolvedPath(f.uri.fsPath)));
  for (const file of files) {
    const real = file.scheme === 'file' ? await resolvedPath(file.fsPath) : undefined;
    if (real !== undefined && folders.some((folder) => isInside(real, folder))) continue;
    throw new CustodianError(vscode.l10n.t('"{0}": {1} is outside the workspace\'s folders: Custodian reads env files named by tasks and launch configurations only inside them.', key, vscode.workspace.asRelativePath(file)), {
      hint: vscode.l10n.t('tasks.json and launch.json travel with the repository, so anyone who can push could name any file your key opens. Move the file into the folder, or run the command with "custodian run -e FILE" in a terminal.'),
    });
  }
  return [...files];
}

/** The string values of an `env` object (a launch configuration's or a task's); other values are dropped. */
export function stringEnv(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
