// Tasks of type `custodian` (tasks.json): `command` and `args` run with the variables of `envFiles`
// added to the environment. The files are decrypted when the task runs, not when tasks are listed,
// so the task is a CustomExecution: its terminal starts the command itself (pipes, no shell) and
// reports a file that cannot be used by name, before the command starts.
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CustodianError, describeError } from '../../core/errors';
import { readProjectConfig } from '../../node/project-config';
import { looksValueEncrypted } from '../fs/values-uri';
import type { ErrorReporter } from '../ui/error-reporter';
import type { EnvLoader } from './env-source';
import { envFileUris, insideWorkspace, stringEnv } from './env-files-arg';
import type { AutoStarted } from './auto-started-tasks';
import { lazyCore } from '../lazy-core';

export const TASK_TYPE = 'custodian';
/** package.json and .env files are small; a larger one is not read to list tasks. */
const MAX_LISTED_FILE_BYTES = 1024 * 1024;

/** A task definition as tasks.json gives it (mirrors contributes.taskDefinitions in package.json). */
export interface CustodianTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: string;
  args?: string[];
  envFiles: string[];
  cwd?: string;
  env?: Record<string, string>;
}

function parseDefinition(value: vscode.TaskDefinition): CustodianTaskDefinition {
  if (typeof value.command !== 'string' || value.command.trim() === '') throw new CustodianError(vscode.l10n.t('A custodian task needs a "command".'));
  if (value.args !== undefined && !(Array.isArray(value.args) && value.args.every((a) => typeof a === 'string'))) {
    throw new CustodianError(vscode.l10n.t('The "args" of a custodian task must be a list of strings.'));
  }
  if (value.cwd !== undefined && typeof value.cwd !== 'string') throw new CustodianError(vscode.l10n.t('The "cwd" of a custodian task must be a path.'));
  return value as CustodianTaskDefinition;
}

async function readSmall(uri: vscode.Uri): Promise<string | undefined> {
  try {
    if ((await vscode.workspace.fs.stat(uri)).size > MAX_LISTED_FILE_BYTES) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** The names of the scripts of `package.json` in `folder`, in file order. */
async function npmScripts(folder: vscode.Uri): Promise<string[]> {
  const text = await readSmall(vscode.Uri.joinPath(folder, 'package.json'));
  try {
    const scripts = text === undefined ? undefined : (JSON.parse(text) as { scripts?: unknown }).scripts;
    return scripts && typeof scripts === 'object' ? Object.keys(scripts).filter((k) => typeof (scripts as Record<string, unknown>)[k] === 'string') : [];
  } catch {
    return []; // not JSON: npm will say so when run
  }
}

/** `dir`'s `.env.enc`, else its value-encrypted `.env`, relative to `dir`; none when it has neither. */
async function envFilesIn(dir: vscode.Uri): Promise<string[]> {
  if (await vscode.workspace.fs.stat(vscode.Uri.joinPath(dir, '.env.enc')).then(() => true, () => false)) return ['.env.enc'];
  const env = await readSmall(vscode.Uri.joinPath(dir, '.env'));
  return env !== undefined && looksValueEncrypted(env) ? ['.env'] : [];
}

/**
 * The env files a ready-made task of `folder` gets: `run.envFiles` of its .custodian/config (what
 * `custodian run` reads without `-e`), else its `.env.enc`, else its value-encrypted `.env`; none when
 * it has neither. A missing listed file is left for the run to report.
 */
async function defaultEnvFiles(folder: vscode.Uri): Promise<string[]> {
  // A config that does not parse is left for the run to report.
  const listed = folder.scheme === 'file' ? (await readProjectConfig(folder.fsPath).catch(() => undefined))?.run.envFiles : undefined;
  if (listed !== undefined && listed.length > 0) return [...listed];
  return envFilesIn(folder);
}

/** How many package.json files below a folder's own are looked at (a monorepo's packages, not node_modules). */
const MAX_NESTED_PACKAGES = 50;

/** The folders of a workspace folder that hold a package.json: `''` for its own, then relative paths. */
async function packageDirs(folder: vscode.WorkspaceFolder): Promise<string[]> {
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '*/**/package.json'), '**/node_modules/**', MAX_NESTED_PACKAGES);
  const nested = found.map((u) => path.posix.dirname(path.posix.relative(folder.uri.path, u.path))).sort();
  return ['', ...nested];
}

/** Terminal text from process output: lone LF becomes CRLF, as a terminal needs. */
function forTerminal(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** A file's text; undefined when it does not exist; null when it exists but is not read (too large, unreadable). */
async function readTasksFile(uri: vscode.Uri): Promise<string | undefined | null> {
  const size = await vscode.workspace.fs.stat(uri).then((s) => s.size, () => undefined);
  if (size === undefined) return undefined;
  if (size > MAX_LISTED_FILE_BYTES) return null;
  return vscode.workspace.fs.readFile(uri).then((bytes) => new TextDecoder().decode(bytes), () => null);
}

/**
 * Whether a task of the workspace that runs on folder open leads to a custodian task (auto-started-tasks.ts),
 * from the tasks.json of every workspace folder and the workspace file's `tasks`. A file that exists but is
 * not read (made too large, say) counts as one that does: VS Code would still read it.
 */
async function autoStartedInWorkspace(): Promise<AutoStarted> {
  const { autoStartedTasks, taskEntries, UNREADABLE_TASKS } = await lazyCore.autoStartedTasks();
  const files: { uri: vscode.Uri; member?: string }[] = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ uri: vscode.Uri.joinPath(f.uri, '.vscode', 'tasks.json') }));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile?.scheme === 'file') files.push({ uri: workspaceFile, member: 'tasks' });
  const entries = [];
  for (const { uri, member } of files) {
    const text = await readTasksFile(uri);
    if (text === null) return UNREADABLE_TASKS;
    if (text !== undefined) entries.push(...taskEntries(text, member));
  }
  return autoStartedTasks(entries);
}

class EnvTaskTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidClose = this.closeEmitter.event;
  private child?: ChildProcess;
  private closed = false;
  private finished = false;

  constructor(
    private readonly definition: vscode.TaskDefinition,
    private readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly load: EnvLoader,
    private readonly errors: Pick<ErrorReporter, 'report'>,
  ) {}

  open(): void {
    void this.start();
  }

  close(): void {
    this.closed = true;
    this.child?.kill('SIGTERM');
  }

  handleInput(data: string): void {
    // No pseudo-terminal under the command: Ctrl-C typed in the task's terminal becomes the signal.
    if (data === '\x03') this.child?.kill('SIGINT');
    else this.child?.stdin?.write(data.replace(/\r/g, '\n'));
  }

  private finish(status: number): void {
    if (this.finished) return;
    this.finished = true;
    this.writeEmitter.dispose();
    this.closeEmitter.fire(status);
    this.closeEmitter.dispose();
  }

  private async start(): Promise<void> {
    let env: Record<string, string | undefined>;
    let def: CustodianTaskDefinition;
    try {
      def = parseDefinition(this.definition);
      const { startedBy } = await autoStartedInWorkspace();
      if (startedBy !== undefined) {
        throw new CustodianError(
          vscode.l10n.t('The task "{0}" in tasks.json runs when the folder opens (runOptions.runOn "folderOpen") and is, or leads through dependsOn to, a custodian task: no custodian task gets the secrets of env files here while that is so, since it would start without you.', startedBy),
          { hint: vscode.l10n.t('Remove "runOn": "folderOpen" from it, or the dependsOn that leads to a custodian task; then start the task from Terminal › Run Task.') },
        );
      }
      const own = stringEnv(def.env);
      const vars = await this.load(await insideWorkspace(envFileUris(def.envFiles, 'envFiles', this.folder), 'envFiles'), Object.keys(own));
      // The task's own `env` wins over the files, which win over the editor's environment.
      env = { ...process.env, ...Object.fromEntries(vars), ...own };
      vars.clear();
    } catch (err) {
      const shown = this.errors.report(err, TASK_TYPE);
      this.writeEmitter.fire(forTerminal(`${shown.message}\n`));
      this.finish(1);
      return;
    }
    if (this.closed) return;
    const base = this.folder?.uri.fsPath;
    const cwd = def.cwd === undefined ? base : path.resolve(base ?? '.', def.cwd);
    // No shell: `args` reach the command as written (a shell line is `"command": "sh", "args": ["-c", …]`).
    const child = spawn(def.command, def.args ?? [], { cwd, env, shell: false, stdio: 'pipe' });
    this.child = child;
    child.once('spawn', () => {
      // The child has its copy; drop ours (strings cannot be wiped, only unreferenced).
      for (const name of Object.keys(env)) delete env[name];
    });
    const decoders = [new TextDecoder(), new TextDecoder()];
    child.stdout?.on('data', (d: Uint8Array) => this.writeEmitter.fire(forTerminal(decoders[0].decode(d, { stream: true }))));
    child.stderr?.on('data', (d: Uint8Array) => this.writeEmitter.fire(forTerminal(decoders[1].decode(d, { stream: true }))));
    child.once('error', (err: NodeJS.ErrnoException) => {
      const message = err.code === 'ENOENT' ? vscode.l10n.t('Command not found: {0}', def.command) : describeError(err);
      this.writeEmitter.fire(forTerminal(`${message}\n`));
      this.finish(err.code === 'ENOENT' ? 127 : 1);
    });
    child.once('close', (code, signal) => this.finish(signal ? 128 + (os.constants.signals[signal] ?? 0) : (code ?? 1)));
  }
}

export class CustodianTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly load: EnvLoader,
    private readonly errors: Pick<ErrorReporter, 'report'>,
  ) {}

  /**
   * Ready-made tasks, so Run Task lists some: each npm script of a folder's package.json, with the
   * folder's env files (`defaultEnvFiles`), and of each package.json below it (a monorepo's), run in its
   * folder with that folder's own `.env.enc` or value-encrypted `.env`. None where there is no such file.
   */
  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const dir of await packageDirs(folder)) {
        const at = dir === '' ? folder.uri : vscode.Uri.joinPath(folder.uri, dir);
        const [scripts, own] = await Promise.all([npmScripts(at), dir === '' ? defaultEnvFiles(at) : envFilesIn(at)]);
        if (own.length === 0) continue;
        // envFiles are read relative to the workspace folder, the command runs in the package's.
        const envFiles = dir === '' ? own : own.map((f) => path.posix.join(dir, f));
        for (const script of scripts) {
          const definition: CustodianTaskDefinition = { type: TASK_TYPE, command: 'npm', args: ['run', script], envFiles, ...(dir === '' ? {} : { cwd: dir }) };
          const name = dir === '' ? `npm run ${script}` : `npm run ${script} (${dir})`;
          const task = this.resolveTask(new vscode.Task(definition, folder, name, TASK_TYPE));
          if (task) {
            task.detail = vscode.l10n.t('with the secrets of {0}', envFiles.join(', '));
            tasks.push(task);
          }
        }
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    if (task.definition.type !== TASK_TYPE) return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : undefined;
    // The callback runs when the task starts, with ${…} variables in the definition resolved.
    const execution = new vscode.CustomExecution(async (resolved) => new EnvTaskTerminal(resolved, folder, this.load, this.errors));
    // No problem matchers, said explicitly (a tasks.json entry's own "problemMatcher" still applies, as VS
    // Code merges it in): left unsaid, Run Task asked "Select for which kind of errors and warnings to
    // scan the task output" before every task it had not run yet.
    return new vscode.Task(task.definition, task.scope ?? vscode.TaskScope.Workspace, task.name, TASK_TYPE, execution, []);
  }
}
