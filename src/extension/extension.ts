// Entry point: activate() builds the objects and registers every disposable; nothing global.
import * as vscode from 'vscode';
import { registerCommands } from './commands/register';

export function activate(context: vscode.ExtensionContext): { activatedInMs: number } {
  const started = performance.now();
  registerCommands(context);
  return { activatedInMs: performance.now() - started };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
