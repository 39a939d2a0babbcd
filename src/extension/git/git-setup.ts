// Custodian: Set Up Git for Encrypted Files, and the one-time suggestion to run it in a repository that
// holds `.enc` files but is not set up (docs/GIT.md). The set-up itself is the CLI's
// (src/node/git-setup.ts); the drivers it registers run the CLI, so this finds one git can start.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import { shellQuote } from '../../core/shell-quote';
import { repositoryRoot } from '../../node/git';
import { attributesToCommit, checkSetup, driverCommands, setUp, type DriverCommands, type SetupItem } from '../../node/git-setup';

/** workspaceState: repositories where the suggestion was answered (set up, not now, never). */
const SUGGESTED_KEY = 'custodian.git.suggested';

export class NoCliError extends CustodianError {}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '')) {
    const candidate = path.join(dir, name);
    try {
      await fs.access(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * The command line git will run: `custodian` from PATH (an npm install -g), else the launcher the
 * extension writes for terminals (terminal-cli.ts: VS Code's runtime runs the CLI this extension ships,
 * from a path that survives updates of the extension), else node from PATH with dist/cli.js, by
 * absolute paths.
 */
export async function cliForGit(extensionPath: string, launcher: Promise<string | undefined>): Promise<DriverCommands> {
  if (await onPath('custodian')) return driverCommands('custodian');
  const shipped = await launcher;
  if (shipped) return driverCommands(shellQuote(shipped));
  const node = await onPath('node');
  const script = path.join(extensionPath, 'dist', 'cli.js');
  if (!node) {
    throw new NoCliError(vscode.l10n.t('Git runs Custodian\'s command-line tool to diff and merge .enc files, and neither "custodian" nor "node" is on PATH.'), {
      hint: vscode.l10n.t('Install Node.js 20 or later, or the CLI ("npm install -g custodian"), then run this again.'),
    });
  }
  return driverCommands(`${shellQuote(node)} ${shellQuote(script)}`);
}

/**
 * The repositories of the workspace: those of the workspace folders and those holding a `.enc` file
 * (a repository nested in a folder), each once.
 */
export async function repositories(withEncryptedFiles: boolean): Promise<string[]> {
  const dirs = repositoriesOf(await vscode.workspace.findFiles('**/*.enc', '**/node_modules/**', 200));
  if (withEncryptedFiles) return dirs;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri);
  return [...new Set([...(await dirs), ...(await repositoriesOf(folders, true))])];
}

/** The repositories holding `uris` (files, or folders with `folders`), each once; outside one, nothing. */
async function repositoriesOf(uris: readonly vscode.Uri[], folders = false): Promise<string[]> {
  const dirs = new Set(uris.filter((u) => u.scheme === 'file').map((u) => (folders ? u.fsPath : path.dirname(u.fsPath))));
  const roots = new Set<string>();
  for (const dir of dirs) {
    try {
      roots.add(await repositoryRoot(dir));
    } catch {
      // Not in a repository.
    }
  }
  return [...roots];
}

export interface GitSetupResult {
  readonly repository: string;
  readonly done: readonly string[];
  /** `.gitattributes` differs from HEAD's: teammates get the attributes once it is committed. */
  readonly commitAttributes: boolean;
}

export class GitSetup {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly launcher: Promise<string | undefined>,
    /** The workspace's value-encrypted files (fs/value-file-index.ts): their repositories want set-up too. */
    private readonly valueFiles: () => Promise<readonly vscode.Uri[]> = () => Promise.resolve([]),
  ) {}

  /** The command: sets up every repository of the workspace (or `repository`), and says what it did. */
  async run(repository?: string): Promise<GitSetupResult[]> {
    const repos = repository ? [repository] : await repositories(false);
    if (repos.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No git repository is open: open a folder of a git repository first.'));
      return [];
    }
    const commands = await cliForGit(this.context.extensionPath, this.launcher);
    const results: GitSetupResult[] = [];
    // The workspace's value-encrypted files, ignored ones included (git lists only the others): a `.env`
    // encrypted before it was un-ignored gets its merge line now, not after a second set-up.
    const valueFiles: { file: string; root?: string }[] = [];
    for (const uri of await this.valueFiles()) {
      if (uri.scheme === 'file') valueFiles.push({ file: uri.fsPath, root: await repositoryRoot(path.dirname(uri.fsPath)).catch(() => undefined) });
    }
    for (const repo of repos) {
      const inRepo = valueFiles.filter((v) => v.root === repo).map((v) => path.relative(repo, v.file).split(path.sep).join('/'));
      const done = await setUp(repo, commands, inRepo);
      for (const line of done) this.log.info(`git setup ${repo}: ${line}`);
      await this.remember(repo);
      results.push({ repository: repo, done, commitAttributes: await attributesToCommit(repo) });
    }
    // The walkthrough's git step, however set-up was started (its button, the palette, the suggestion).
    void vscode.commands.executeCommand('setContext', 'custodian.gitSetUp', true);
    const changed = results.some((r) => r.done.length > 0);
    const commit = results.some((r) => r.commitAttributes);
    void vscode.window.showInformationMessage(
      !changed
        ? commit
          ? vscode.l10n.t('Git is already set up for encrypted files. Commit .gitattributes, so that teammates get it.')
          : vscode.l10n.t('Git is already set up for encrypted files.')
        : commit
          ? vscode.l10n.t('Git now shows .enc files decrypted in diffs, merges them encrypted and refuses commits of secret files in the clear (.env files, private keys: guard.plaintextPaths). Commit .gitattributes; each teammate runs this once in their clone.')
          : vscode.l10n.t('Git now shows .enc files decrypted in diffs, merges them encrypted and refuses commits of secret files in the clear (.env files, private keys: guard.plaintextPaths) in this clone. Its .gitattributes is already committed: nothing to commit.'),
    );
    return results;
  }

  /**
   * The walkthrough's git step for a clone set up before this window (another window, `custodian git
   * setup`): true once one of the workspace's repositories has everything set-up writes (a driver
   * command that differs, e.g. another launcher path, still counts). Git runs only in a trusted workspace.
   * `repos`: those to look at (default: the workspace's).
   */
  async publishSetUp(repos?: string[]): Promise<boolean> {
    if (!vscode.workspace.isTrusted) return false;
    for (const repo of repos ?? (await repositories(false))) {
      const items = await checkSetup(repo, driverCommands('custodian')).catch((): SetupItem[] => []);
      if (items.length > 0 && items.every((i) => i.status !== 'missing')) {
        void vscode.commands.executeCommand('setContext', 'custodian.gitSetUp', true);
        return true;
      }
    }
    return false;
  }

  /** Once per repository: when it has `.enc` or value-encrypted files and is not set up, offers to set it up. */
  async suggest(): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const answered = this.context.workspaceState.get<string[]>(SUGGESTED_KEY) ?? [];
    const withEnc = await repositories(true);
    const withValues = await repositoriesOf(await this.valueFiles());
    for (const repo of new Set([...withEnc, ...withValues])) {
      if (answered.includes(repo)) continue;
      const items = await checkSetup(repo, driverCommands('custodian'));
      if (!items.some((i) => i.status === 'missing')) continue;
      const setUpNow = vscode.l10n.t('Set Up Git');
      const notNow = vscode.l10n.t('Not Now');
      // The repository may ask for the drivers already (.gitattributes committed): only this clone lacks them.
      const attributesCommitted = items.some((i) => i.name === '.gitattributes' && i.status === 'present');
      const answer = await vscode.window.showInformationMessage(
        attributesCommitted
          ? vscode.l10n.t('The repository {0} asks git to diff and merge its encrypted files with Custodian (.gitattributes), but this clone is not set up yet: until it is, git shows them as binary and cannot merge them. Set up decrypted diffs, encrypted merges and a commit guard for this clone?', path.basename(repo))
          : withEnc.includes(repo)
            ? vscode.l10n.t('The repository {0} has encrypted files, but git shows them as binary and cannot merge them. Set up decrypted diffs, encrypted merges and a commit guard for this clone?', path.basename(repo))
            : vscode.l10n.t('The repository {0} has value-encrypted files, but git cannot merge them: a merge of two versions breaks their MAC. Set up encrypted merges and a commit guard for this clone?', path.basename(repo)),
        setUpNow,
        notNow,
      );
      // Asked once: any answer, or closing the message, is remembered for this repository.
      await this.remember(repo);
      if (answer === setUpNow) await vscode.commands.executeCommand('custodian.gitSetup', { folder: repo });
    }
  }

  private async remember(repo: string): Promise<void> {
    const answered = this.context.workspaceState.get<string[]>(SUGGESTED_KEY) ?? [];
    if (!answered.includes(repo)) await this.context.workspaceState.update(SUGGESTED_KEY, [...answered, repo]);
  }
}
