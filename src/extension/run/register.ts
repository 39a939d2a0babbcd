// Secrets where programs run: launch configurations (`custodianEnvFiles`), `custodian` tasks and the
// secrets terminal. Each gets only the loader of env files, which decrypts through the crypto session.
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import { registerHandlers, type CommandHost } from '../commands/register';
import { DebugEnvProvider } from './debug-env';
import type { EnvLoader } from './env-source';
import { SecretsTerminals } from './secrets-terminal';
import { CustodianTaskProvider, TASK_TYPE } from './task-env';

export function registerRunFeature(context: vscode.ExtensionContext, host: CommandHost, load: EnvLoader): SecretsTerminals {
  context.subscriptions.push(
    // '*': every debugger type; resolved after ${…} substitution, so paths may use ${workspaceFolder}.
    vscode.debug.registerDebugConfigurationProvider('*', new DebugEnvProvider(load, host.errors)),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new CustodianTaskProvider(load, host.errors)),
  );
  const terminals = new SecretsTerminals(load, context.workspaceState);
  context.subscriptions.push(terminals);
  registerHandlers(context, host, terminals, [[CommandId.NewTerminalWithSecrets, (t, first, second) => t.newTerminal(first, second)]]);
  return terminals;
}
