import * as vscode from 'vscode';
import { CommandId } from './ids';
import { showVersion } from './show-version';

export function registerCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand(CommandId.ShowVersion, () => showVersion(context)));
}
