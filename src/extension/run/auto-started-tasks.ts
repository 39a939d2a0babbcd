// Whether custodian tasks of a workspace may start without the person: a task with `"runOptions":
// { "runOn": "folderOpen" }` in tasks.json starts when the folder opens (in a trusted workspace, with no
// prompt), and so does every task it depends on (`dependsOn`, transitively). Anyone who can push to the
// repository can add one, and a custodian task gets the decrypted env files: secrets sent to a command
// nobody started, where the CLI's use of a key always asks first (docs/AGENT.md). While there is one, no
// custodian task gets secrets. VS Code's task API does not say how a task was started, hence the reading
// of the files themselves. The ES module build of jsonc-parser: esbuild cannot follow the UMD build's own
// require() calls.
import { parse } from 'jsonc-parser/lib/esm/main.js';

/**
 * Whether a task that runs on folder open is, or leads through `dependsOn` to, a custodian task. Matching
 * a started task to its entry is not attempted: VS Code resolves `${…}` variables in a definition first,
 * names a task without a label itself, and finds a `dependsOn` by label, `identifier` or legacy
 * `taskName` (a red-team trial got secrets past a check by label and command line both ways). So when
 * the answer is yes, no custodian task of the workspace gets secrets until that is changed.
 */
export interface AutoStarted {
  /** The label (or command) of the task that runs on folder open and leads to a custodian task. */
  readonly startedBy?: string;
}

interface TaskEntry {
  readonly label?: unknown;
  readonly identifier?: unknown;
  readonly taskName?: unknown;
  readonly type?: unknown;
  readonly command?: unknown;
  readonly runOptions?: { readonly runOn?: unknown };
  readonly dependsOn?: unknown;
}

const CUSTODIAN = 'custodian';

/** What a tasks file that could not be read stands for: it may hold such a task. */
export const UNREADABLE_TASKS: AutoStarted = Object.freeze({ startedBy: '(a tasks file too large to read)' });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** The names a `dependsOn` string may find an entry by. */
function namesOf(task: TaskEntry): string[] {
  return [task.label, task.identifier, task.taskName].filter((n): n is string => typeof n === 'string');
}

/**
 * Whether `dependsOn` names a task no file here defines that may be a custodian one: a provider's task is
 * named "SOURCE: name", and Custodian's ready-made tasks are "custodian: npm run …" (named without their
 * source too, to be safe).
 */
function mayBeProvidedCustodianTask(name: string): boolean {
  return /^custodian: /.test(name) || /^npm run /.test(name);
}

/** Whether a task that runs on folder open is a custodian task or leads to one (see AutoStarted). */
export function autoStartedTasks(entries: readonly TaskEntry[]): AutoStarted {
  const byName = new Map<string, TaskEntry[]>();
  for (const e of entries) for (const name of namesOf(e)) byName.set(name, [...(byName.get(name) ?? []), e]);
  for (const start of entries) {
    if (!isRecord(start.runOptions) || start.runOptions.runOn !== 'folderOpen') continue;
    const startedBy = namesOf(start)[0] ?? (typeof start.command === 'string' ? start.command : '(a task without a label)');
    const seen = new Set<TaskEntry>();
    const queue = [start];
    while (queue.length > 0) {
      const task = queue.pop()!;
      if (seen.has(task)) continue;
      seen.add(task);
      if (task.type === CUSTODIAN) return { startedBy };
      const deps = Array.isArray(task.dependsOn) ? task.dependsOn : task.dependsOn === undefined ? [] : [task.dependsOn];
      for (const dep of deps) {
        if (typeof dep === 'string') {
          const named = byName.get(dep);
          if (named) queue.push(...named);
          else if (mayBeProvidedCustodianTask(dep)) return { startedBy };
        } else if (isRecord(dep) && (dep.type === CUSTODIAN || dep.type === undefined)) return { startedBy };
      }
    }
  }
  return {};
}
