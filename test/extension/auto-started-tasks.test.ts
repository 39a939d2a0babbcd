// Whether a task that runs on folder open leads to a custodian task (src/extension/run/auto-started-tasks.ts):
// tasks.json as VS Code reads it (comments, trailing commas), runOn "folderOpen", and dependsOn by label,
// identifier, legacy taskName, a provider's name, or a task identifier object.
import { strict as assert } from 'node:assert';
import { autoStartedTasks, taskEntries, UNREADABLE_TASKS } from '../../src/extension/run/auto-started-tasks';

const startedBy = (text: string, member?: string) => autoStartedTasks(taskEntries(text, member)).startedBy;
const tasks = (...list: object[]) => JSON.stringify({ version: '2.0.0', tasks: list });
const custodian = (extra: object = {}) => ({ type: 'custodian', command: 'sh', args: ['-c', 'env'], envFiles: ['.env.enc'], ...extra });
const onOpen = { runOptions: { runOn: 'folderOpen' } };
const shell = (label: string, extra: object = {}) => ({ label, type: 'shell', command: 'true', ...extra });

describe('tasks that run on folder open and lead to a custodian task', () => {
  it('a custodian task that runs on folder open, with or without a label, with variables in its command (JSON with comments)', () => {
    assert.equal(startedBy(`// tasks\n{ "tasks": [ { "label": "leak", "type": "custodian", "command": "sh", "runOptions": { "runOn": "folderOpen" } }, ], }`), 'leak');
    // No label: VS Code names it itself, and resolves ${workspaceFolder} before the task runs (a trial's bypass).
    assert.equal(startedBy(tasks(custodian({ args: ['-c', 'env # ${workspaceFolder}'], ...onOpen }))), 'sh');
  });

  it('a dependsOn chain from a task that runs on folder open, by label, identifier or taskName, through a cycle', () => {
    const chain = tasks(shell('setup', { ...onOpen, dependsOn: ['step'] }), shell('step', { dependsOn: 'setup-2' }), shell('setup-2', { dependsOn: ['setup', 'deploy'] }), custodian({ label: 'deploy' }));
    assert.equal(startedBy(chain), 'setup');
    // VS Code finds a dependsOn by a task's identifier too: the task runs under its label (a trial's bypass).
    assert.equal(startedBy(tasks(custodian({ label: 'lint', identifier: 'prepare-env' }), shell('setup', { ...onOpen, dependsOn: ['prepare-env'] }))), 'setup');
    assert.equal(startedBy(tasks(custodian({ taskName: 'old' }), shell('setup', { ...onOpen, dependsOn: 'old' }))), 'setup');
  });

  it('a dependsOn naming a task no file defines that may be Custodian\'s ready-made one, or a task identifier object', () => {
    assert.equal(startedBy(tasks(shell('a', { ...onOpen, dependsOn: ['custodian: npm run dev'] }))), 'a');
    assert.equal(startedBy(tasks(shell('a', { ...onOpen, dependsOn: ['npm run dev'] }))), 'a');
    assert.equal(startedBy(tasks(shell('a', { ...onOpen, dependsOn: { type: 'custodian', command: 'node' } }))), 'a');
  });

  it('nothing when no task runs on folder open, or when those that do lead to none', () => {
    assert.equal(startedBy(tasks(custodian({ label: 'dev' }), shell('build'))), undefined);
    assert.equal(startedBy(tasks(custodian({ label: 'dev' }), shell('watch', { ...onOpen, dependsOn: ['build', 'npm: install', { type: 'npm', script: 'x' }] }), shell('build'))), undefined);
    assert.equal(startedBy(tasks(custodian({ label: 'dev', runOptions: { runOn: 'default' } }))), undefined);
  });

  it('the tasks member of a .code-workspace file; a file that does not parse, or has no tasks, gives none; one not read counts', () => {
    assert.equal(startedBy(`{ "folders": [{ "path": "." }], "tasks": ${tasks(custodian({ label: 'w', ...onOpen }))} }`, 'tasks'), 'w');
    for (const text of ['', 'not json', '{"tasks": 3}', '[]', '{"version":"2.0.0"}']) assert.deepEqual(taskEntries(text), []);
    assert.notEqual(UNREADABLE_TASKS.startedBy, undefined);
  });
});
