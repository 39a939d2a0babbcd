// Git for `.enc` files (docs/GIT.md): the Set Up Git command and its one-time suggestion. (Decrypted
// diffs belong to the .enc editor: commands/encrypt/register.ts, git/encrypted-diffs.ts.)
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import { registerHandlers, type CommandHost } from '../commands/register';
import { GitSetup } from './git-setup';

/** How long after activation the suggestion waits: activation stays cheap, git runs later. */
const SUGGEST_DELAY_MS = 5_000;

export interface GitFeature {
  readonly setup: GitSetup;
}

export function registerGitFeature(context: vscode.ExtensionContext, host: CommandHost, log: vscode.LogOutputChannel): GitFeature {
  const setup = new GitSetup(context, log);
  registerHandlers(context, host, setup, [
    [
      CommandId.GitSetup,
      async (s, arg) => {
        const folder = typeof arg === 'object' && arg !== null && typeof (arg as { folder?: unknown }).folder === 'string' ? (arg as { folder: string }).folder : undefined;
        return s.run(folder);
      },
    ],
  ]);
  // Tests call suggest() themselves: a message popping up in every test window would get in the way.
  if (context.extensionMode !== vscode.ExtensionMode.Test) {
    const timer = setTimeout(() => void setup.suggest().catch((err: unknown) => log.warn(`git setup suggestion: ${err instanceof Error ? err.message : String(err)}`)), SUGGEST_DELAY_MS);
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }
  return { setup };
}
