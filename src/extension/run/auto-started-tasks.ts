// Which custodian tasks of a workspace start without the person: a task with `"runOptions": { "runOn":
// "folderOpen" }` in tasks.json starts when the folder opens (in a trusted workspace, with no prompt), and
// so does every task it depends on (`dependsOn`, transitively). Anyone who can push to the repository can
// add one, and a custodian task gets the decrypted env files: secrets sent to a command nobody started,
// where the CLI's use of a key always asks first (docs/AGENT.md). Such tasks are refused their secrets.
// VS Code's task API does not say how a task was started, hence the reading of the files themselves.
// The ES module build: esbuild cannot follow the UMD build's own require() calls.
import { parse } from 'jsonc-parser/lib/esm/main.js';

/** A custodian task as the check sees it: its label, and its command line. */
export interface TaskIdentity {
  readonly label: string;
  readonly command: unknown;
  readonly args?: unknown;
}

/** The custodian tasks that start without the person, from the `tasks` lists of every tasks.json. */
export interface AutoStarted {
  readonly labels: ReadonlySet<string>;
  /** `commandLine` of each one: a task without a label is known by its command. */
  readonly commandLines: ReadonlySet<string>;
  /** A `dependsOn` names a custodian task by its type and definition: any of them may be it. */
  readonly everyCustodianTask: boolean;
}

/** What a tasks file that could not be read stands for: any custodian task may start by itself. */
export const EVERY_CUSTODIAN_TASK: AutoStarted = Object.freeze({ labels: new Set<string>(), commandLines: new Set<string>(), everyCustodianTask: true });

interface TaskEntry {
  readonly label?: unknown;
  readonly type?: unknown;
  readonly command?: unknown;
  readonly args?: unknown;
  readonly runOptions?: { readonly runOn?: unknown };
  readonly dependsOn?: unknown;
}

const CUSTODIAN = 'custodian';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function commandLine(task: { command?: unknown; args?: unknown }): string {
  return JSON.stringify([task.command, Array.isArray(task.args) ? task.args : []]);
}

/**
 * The `tasks` of a tasks.json (or of a .code-workspace's `tasks` member: `member`), read as VS Code reads
 * JSON with comments and trailing commas; none when it does not parse.
 */
export function taskEntries(text: string, member?: string): TaskEntry[] {
  const root: unknown = parse(text, [], { allowTrailingComma: true, disallowComments: false });
  const file = member === undefined ? root : isRecord(root) ? root[member] : undefined;
  const tasks = isRecord(file) ? file.tasks : undefined;
  return Array.isArray(tasks) ? tasks.filter(isRecord) : [];
}

/** The custodian tasks reached from the tasks that run on folder open, through `dependsOn`. */
export function autoStartedTasks(entries: readonly TaskEntry[]): AutoStarted {
  const byLabel = new Map<string, TaskEntry[]>();
  for (const e of entries) if (typeof e.label === 'string') byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
  const labels = new Set<string>();
  const commandLines = new Set<string>();
  let everyCustodianTask = false;
  const seen = new Set<TaskEntry>();
  const queue = entries.filter((e) => isRecord(e.runOptions) && e.runOptions.runOn === 'folderOpen');
  while (queue.length > 0) {
    const task = queue.pop()!;
    if (seen.has(task)) continue;
    seen.add(task);
    if (task.type === CUSTODIAN) {
      if (typeof task.label === 'string') labels.add(task.label);
      commandLines.add(commandLine(task));
    }
    const deps = Array.isArray(task.dependsOn) ? task.dependsOn : task.dependsOn === undefined ? [] : [task.dependsOn];
    for (const dep of deps) {
      if (typeof dep === 'string') {
        const named = byLabel.get(dep);
        if (named) queue.push(...named);
        else {
          // Not in the files: a task a provider gives, Custodian's ready-made ones among them ("custodian: npm run dev").
          labels.add(dep);
          labels.add(dep.replace(/^custodian: /, ''));
        }
      }
      // A task identifier ({ "type": "custodian", … }) or one of a folder's (`${folder}: label` forms are not read).
      else if (isRecord(dep) && dep.type === CUSTODIAN) everyCustodianTask = true;
    }
  }
  return { labels, commandLines, everyCustodianTask };
}

/** Whether `task` is one of those that start without the person. */
export function startsByItself(auto: AutoStarted, task: TaskIdentity): boolean {
  return auto.everyCustodianTask || auto.labels.has(task.label) || auto.commandLines.has(commandLine(task));
}
