// `custodian` in this window's integrated terminals, tasks and debug sessions with nothing to install:
// the launcher (src/node/cli-launcher.ts) is written into the extension's global storage, and its folder
// is put first on their PATH. It was put last, so that a `custodian` installed with npm came first; but a
// workspace's settings (`terminal.integrated.env.*`, which VS Code applies before extensions' changes)
// could then put the repository's own `custodian` first, and a red-team trial's shim ran the real one
// under it, copying what it printed. Git's drivers are given the same launcher (git/git-setup.ts): its
// path stays the same when the extension updates; the extension's folder does not.
//
// Not on Windows (the launcher is a shell script; there the CLI is installed with npm), and not when the
// global storage is not a folder of the machine the extension runs on.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { installLauncher } from '../node/cli-launcher';

/** Writes the launcher and puts it on the terminals' PATH; its path, or undefined where there is none. */
export async function installTerminalCli(
  context: Pick<vscode.ExtensionContext, 'globalStorageUri' | 'extensionPath' | 'environmentVariableCollection'>,
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  if (process.platform === 'win32' || context.globalStorageUri.scheme !== 'file') return undefined;
  const dir = path.join(context.globalStorageUri.fsPath, 'bin');
  try {
    const launcher = await installLauncher(dir, process.execPath, path.join(context.extensionPath, 'dist', 'cli.js'));
    context.environmentVariableCollection.prepend('PATH', `${dir}${path.delimiter}`);
    return launcher;
  } catch (err) {
    log.warn(`the custodian command for terminals could not be written to ${dir}: ${describeError(err)}`);
    return undefined;
  }
}
