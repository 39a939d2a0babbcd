// Git for encrypted files (docs/GIT.md): the Set Up Git command and its one-time suggestion, and the
// notice of a file left in conflict. (Decrypted diffs belong to the .enc editor:
// commands/encrypt/register.ts, git/encrypted-diffs.ts.)
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import { registerHandlers, type CommandHost } from '../commands/register';
import { watchEncFiles } from '../commands/rekey/drift';
import { ConflictNotices } from './conflict-notices';
import { GitSetup, repositories } from './git-setup';

/** How long after activation the suggestion waits: activation stays cheap, git runs later. */
const SUGGEST_DELAY_MS = 5_000;
/**
 * After a new `.enc` or value-encrypted file: long enough for a batch of files (Encrypt All) to land, and
 * for the command's own notice to be read. Two toasts at once push the first into the notification
 * centre on a short window: a newcomer never saw that git ignored the file just encrypted.
 */
const NEW_FILE_DELAY_MS = 12_000;

export interface GitFeature {
  readonly setup: GitSetup;
  readonly conflicts: ConflictNotices;
}

/** `launcher`: the `custodian` launcher of terminal-cli.ts, which git's drivers run when no `custodian` is on PATH. */
export function registerGitFeature(
  context: vscode.ExtensionContext,
  host: CommandHost,
  log: vscode.LogOutputChannel,
  launcher: Promise<string | undefined>,
  /** The workspace's value-encrypted files (fs/value-file-index.ts), and when they change. */
  valueFiles: { scan(): Promise<readonly vscode.Uri[]>; readonly onDidChange: vscode.Event<void> },
): GitFeature {
  const setup = new GitSetup(context, log, launcher, () => valueFiles.scan());
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
    // After start-up, and again when a `.enc` or value-encrypted file appears (the first one in a
    // repository that had none): suggest() asks once per repository, so later files cost one `git` check.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const suggestSoon = (delay: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (running) return;
        running = true;
        void setup
          .publishSetUp()
          .then(() => setup.suggest())
          .catch((err: unknown) => log.warn(`git setup suggestion: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => (running = false));
      }, delay);
    };
    suggestSoon(SUGGEST_DELAY_MS);
    const created = vscode.workspace.createFileSystemWatcher('**/*.enc', false, true, true);
    created.onDidCreate(() => suggestSoon(NEW_FILE_DELAY_MS));
    // A file whose values were just encrypted (its name stays .env or .yaml): its repository may be new to it.
    context.subscriptions.push(created, valueFiles.onDidChange(() => suggestSoon(NEW_FILE_DELAY_MS)), { dispose: () => clearTimeout(timer) });
  }
  // git runs with the repository's config: only in a trusted workspace.
  const conflicts = new ConflictNotices({
    repositories: async () => (vscode.workspace.isTrusted ? repositories(false) : []),
    changes:
      context.extensionMode === vscode.ExtensionMode.Test
        ? undefined
        : [watchEncFiles, (listener) => valueFiles.onDidChange(listener), (listener) => vscode.workspace.onDidGrantWorkspaceTrust(listener)],
  });
  context.subscriptions.push(conflicts);
  return { setup, conflicts };
}
