// The password feature: its commands and what they are given.
import type * as vscode from 'vscode';
import type { SecretClipboard } from '../../clipboard';
import type { CustodianConfig } from '../../config';
import { CommandId } from '../ids';
import { registerHandlers, type CommandHost, type Handlers } from '../register';
import { generatePassword } from './generate-password';

export interface PasswordDeps {
  log: vscode.LogOutputChannel;
  clipboard: SecretClipboard;
  config: (scope?: vscode.ConfigurationScope) => CustodianConfig;
}

const HANDLERS: Handlers<PasswordDeps> = [
  [CommandId.GeneratePassword, generatePassword],
];

export function registerPasswordCommands(context: vscode.ExtensionContext, host: CommandHost, deps: PasswordDeps): void {
  registerHandlers(context, host, deps, HANDLERS);
}
