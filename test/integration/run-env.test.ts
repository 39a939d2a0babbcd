// Secrets where programs run, in the real VS Code: a launch configuration with custodianEnvFiles, a
// `custodian` task and the secrets terminal give a Node program the decrypted variables (it writes a
// hash of them to a file the test reads); a normal terminal does not get them; a file that does not
// open stops the launch before the program runs, with an error naming it.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SecretsTerminalResult } from '../../src/extension/run/secrets-terminal';
import { captureErrors, getApi, recordInformationMessages, run, waitFor, workspaceFolder } from './support/custodian';
import { encryptFor, useTeam, wsPath, wsUri } from './support/enc';

// The program: writes the values of the names in argv[3] (comma-separated), and a hash of them, to argv[2].
const PROBE = `
const names = process.argv[3].split(',');
const seen = names.map((n) => [n, process.env[n] === undefined ? null : process.env[n]]);
const hash = require('crypto').createHash('sha256').update(JSON.stringify(seen)).digest('hex');
require('fs').writeFileSync(process.argv[2] + '.tmp', JSON.stringify({ hash, seen }));
require('fs').renameSync(process.argv[2] + '.tmp', process.argv[2]);
`;

const NAMES = ['API_TOKEN', 'MULTI', 'SHARED', 'EXPLICIT', 'PLAIN_ONLY'];

function hashOf(seen: Array<[string, string | null]>): string {
  return createHash('sha256').update(JSON.stringify(seen)).digest('hex');
}

async function readProbe(out: string, timeoutMs = 30_000): Promise<{ hash: string; seen: Array<[string, string | null]> }> {
  await waitFor(`${out} written by the program`, async () => fs.existsSync(out), timeoutMs);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

describe('secrets in debug sessions, tasks and terminals', function () {
  this.timeout(120_000);
  const team = useTeam();
  const SECRET = 'tok "en" # not a comment';
  let probe: string;

  before(async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('.env.enc'), await encryptFor([meKey], `API_TOKEN='${SECRET}'\nMULTI="a\\nb"\nSHARED=from-file\n`, team.alice.key));
    fs.writeFileSync(wsPath('.env.local'), 'PLAIN_ONLY=plain\n');
    fs.writeFileSync(wsPath('foreign.env.enc'), await encryptFor([team.bob.publicKey], 'API_TOKEN=bob\n'));
    probe = wsPath('probe.js');
    fs.writeFileSync(probe, PROBE);
  });
  after(() => {
    for (const f of ['.env.local', 'probe.js', '.vscode/tasks.json']) fs.rmSync(wsPath(f), { force: true });
    for (const t of vscode.window.terminals) t.dispose();
  });

  function outFile(name: string): string {
    const out = wsPath(`${name}.out.json`);
    fs.rmSync(out, { force: true });
    return out;
  }

  it('a launch configuration with custodianEnvFiles runs the program with the variables; its own env wins', async () => {
    const out = outFile('debug');
    const started = await vscode.debug.startDebugging(workspaceFolder(), {
      type: 'node',
      request: 'launch',
      name: 'custodian probe',
      program: probe,
      runtimeExecutable: process.execPath,
      args: [out, NAMES.join(',')],
      custodianEnvFiles: ['.env.enc', '${workspaceFolder}/.env.local'],
      env: { EXPLICIT: 'launch', SHARED: 'from-launch' },
      console: 'internalConsole',
    });
    assert.ok(started, 'the debug session started');
    const got = await readProbe(out);
    const expected: Array<[string, string | null]> = [['API_TOKEN', SECRET], ['MULTI', 'a\nb'], ['SHARED', 'from-launch'], ['EXPLICIT', 'launch'], ['PLAIN_ONLY', 'plain']];
    assert.deepStrictEqual(got.seen, expected);
    assert.strictEqual(got.hash, hashOf(expected));
    const launchJson = wsPath('.vscode', 'launch.json');
    assert.ok(!fs.existsSync(launchJson) || !fs.readFileSync(launchJson, 'utf8').includes(SECRET), 'nothing written to launch.json');
  });

  it('a launch configuration that asks for a terminal (console: integratedTerminal) runs in the Debug Console instead, and says why: VS Code would type the variables into the shell, whose history keeps them', async () => {
    const out = outFile('debug-terminal');
    const opened: string[] = [];
    const watch = vscode.window.onDidOpenTerminal((t) => opened.push(t.name));
    const sessions: vscode.DebugConfiguration[] = [];
    const started = vscode.debug.onDidStartDebugSession((s) => sessions.push(s.configuration));
    const info = recordInformationMessages();
    try {
      const started = await vscode.debug.startDebugging(workspaceFolder(), {
        type: 'node',
        request: 'launch',
        name: 'custodian probe (terminal)',
        program: probe,
        runtimeExecutable: process.execPath,
        args: [out, NAMES.join(',')],
        custodianEnvFiles: ['.env.enc'],
        console: 'integratedTerminal',
      });
      assert.ok(started, 'the debug session started');
      const got = await readProbe(out);
      assert.deepStrictEqual(got.seen[0], ['API_TOKEN', SECRET], 'the program has the variables');
      assert.deepStrictEqual(opened, [], 'no terminal was opened to type them into');
      // The Debug Console comes to the front: a person who asked for a terminal saw no output (a trial).
      const session = sessions.find((c) => c.name === 'custodian probe (terminal)');
      assert.strictEqual(session?.console, 'internalConsole');
      assert.strictEqual(session?.internalConsoleOptions, 'openOnSessionStart');
      assert.ok(vscode.window.terminals.every((t) => !(t.creationOptions as vscode.TerminalOptions).env || !JSON.stringify((t.creationOptions as vscode.TerminalOptions).env).includes(SECRET)));
      await waitFor('the note', async () => info.told.some((m) => /^"custodian probe \(terminal\)" runs in the Debug Console, not in a terminal: VS Code would type the decrypted variables into the terminal's command line, where the shell's history keeps them/.test(m)));
    } finally {
      watch.dispose();
      started.dispose();
      info.dispose();
    }
  });

  it('a file that does not open stops the launch before the program runs, naming the file', async () => {
    const out = outFile('debug-foreign');
    const { result, errors } = await captureErrors(team.services, async () =>
      vscode.debug.startDebugging(workspaceFolder(), {
        type: 'node',
        request: 'launch',
        name: 'custodian probe (foreign)',
        program: probe,
        runtimeExecutable: process.execPath,
        args: [out, NAMES.join(',')],
        custodianEnvFiles: ['foreign.env.enc'],
      }),
    );
    assert.strictEqual(result, false, 'not started');
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, /foreign\.env\.enc/);
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(!fs.existsSync(out), 'the program did not run');
  });

  it('env files outside the workspace\'s folders (a path up, a link out) are not read for a launch configuration or a task: they travel with the repository, and could name another project\'s secrets', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    const outside = path.join(path.dirname(workspaceFolder().uri.fsPath), `outside-${process.pid}.env.enc`);
    fs.writeFileSync(outside, await encryptFor([meKey], 'API_TOKEN=another-project\n', team.alice.key));
    fs.symlinkSync(outside, wsPath('linked.env.enc'));
    const out = outFile('outside');
    try {
      for (const envFiles of [[`../${path.basename(outside)}`], ['linked.env.enc'], [outside]]) {
        const launched = await captureErrors(team.services, async () =>
          vscode.debug.startDebugging(workspaceFolder(), { type: 'node', request: 'launch', name: 'outside', program: probe, runtimeExecutable: process.execPath, args: [out, NAMES.join(',')], custodianEnvFiles: envFiles }),
        );
        assert.strictEqual(launched.result, false, `${envFiles[0]}: not started`);
        assert.strictEqual(launched.errors.length, 1);
        assert.match(launched.errors[0].message, /^"custodianEnvFiles": .* is outside the workspace's folders: Custodian reads env files named by tasks and launch configurations only inside them\.$/);
      }
      fs.mkdirSync(wsPath('.vscode'), { recursive: true });
      fs.writeFileSync(wsPath('.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [{ type: 'custodian', label: 'outside', command: process.execPath, args: ['probe.js', out, NAMES.join(',')], envFiles: ['linked.env.enc'] }] }));
      const task = await waitFor('the task', async () => (await vscode.tasks.fetchTasks({ type: 'custodian' })).find((t) => t.name === 'outside'), 20_000);
      const { errors } = await captureErrors(team.services, async () => {
        const ended = new Promise<void>((resolve) => {
          const sub = vscode.tasks.onDidEndTask((e) => e.execution.task.name === 'outside' && (sub.dispose(), resolve()));
        });
        await vscode.tasks.executeTask(task);
        await ended;
      });
      assert.strictEqual(errors.length, 1);
      assert.match(errors[0].message, /^"envFiles": linked\.env\.enc is outside the workspace's folders/);
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(!fs.existsSync(out), 'no program ran');
    } finally {
      for (const f of [outside, wsPath('linked.env.enc'), wsPath('.vscode', 'tasks.json')]) fs.rmSync(f, { force: true });
    }
  });

  it('an env file that sets NODE_OPTIONS or PYTHONPATH (code the program would load) starts no debug session, task or secrets terminal, naming the file and the variables; a configuration\'s own env for them is the person\'s', async () => {
    // What an attacker who can push commits: a hook, and an encrypted file a reviewer sees as binary.
    const marker = wsPath('hijack-ran.txt');
    fs.rmSync(marker, { force: true });
    fs.writeFileSync(wsPath('hook.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'PWNED');`);
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('hijack.env.enc'), await encryptFor([meKey], `API_TOKEN=hijack\nNODE_OPTIONS=--require ${wsPath('hook.js')}\nPYTHONPATH=${wsPath('.cache')}\n`, team.alice.key));
    const refused = /^hijack\.env\.enc sets NODE_OPTIONS, PYTHONPATH: these decide which code programs load or which commands run, so Custodian does not take them from an env file; nothing was started\.$/;
    const opened: string[] = [];
    const sub = vscode.window.onDidOpenTerminal((t) => opened.push(t.name));
    try {
      const out = outFile('debug-hijack');
      const launch = { type: 'node', request: 'launch', name: 'custodian probe (hijack)', program: probe, runtimeExecutable: process.execPath, args: [out, 'API_TOKEN,PYTHONPATH'], custodianEnvFiles: ['hijack.env.enc'], console: 'internalConsole' };
      const debug = await captureErrors(team.services, async () => vscode.debug.startDebugging(workspaceFolder(), launch));
      assert.strictEqual(debug.result, false, 'not started');
      assert.strictEqual(debug.errors.length, 1);
      assert.match(debug.errors[0].message, refused);
      assert.match(debug.errors[0].hint ?? '', /own "env".*custodian run --allow-env NAME/);

      const taskOut = outFile('task-hijack');
      const definition = { type: 'custodian', label: 'custodian probe (hijack)', command: process.execPath, args: ['probe.js', taskOut, 'API_TOKEN'], envFiles: ['hijack.env.enc'] };
      fs.mkdirSync(wsPath('.vscode'), { recursive: true });
      fs.writeFileSync(wsPath('.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [definition] }, null, 2));
      const task = await waitFor('the task from tasks.json', async () => (await vscode.tasks.fetchTasks({ type: 'custodian' })).find((t) => t.name === 'custodian probe (hijack)'), 20_000);
      const tasked = await captureErrors(team.services, async () => {
        const ended = new Promise<void>((resolve) => {
          const done = vscode.tasks.onDidEndTask((e) => {
            if (e.execution.task.name === 'custodian probe (hijack)') {
              done.dispose();
              resolve();
            }
          });
        });
        await vscode.tasks.executeTask(task);
        await ended;
      });
      assert.strictEqual(tasked.errors.length, 1);
      assert.match(tasked.errors[0].message, refused);

      const terminal = await captureErrors(team.services, () => run('custodian.newTerminalWithSecrets', { uris: [wsUri('hijack.env.enc')] }));
      assert.strictEqual(terminal.result, undefined);
      assert.strictEqual(terminal.errors.length, 1);
      assert.match(terminal.errors[0].message, refused);
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepStrictEqual(opened, [], 'no terminal opened');
      assert.ok(!fs.existsSync(out) && !fs.existsSync(taskOut), 'neither program ran');
      assert.ok(!fs.existsSync(marker), 'the hook never ran');

      // Set in the launch configuration's own env (which a reviewer sees), the file's values are not used.
      const own = await vscode.debug.startDebugging(workspaceFolder(), { ...launch, name: 'custodian probe (hijack, own env)', env: { NODE_OPTIONS: '--no-deprecation', PYTHONPATH: 'mine' } });
      assert.ok(own, 'started');
      const got = await readProbe(out);
      assert.deepStrictEqual(got.seen, [['API_TOKEN', 'hijack'], ['PYTHONPATH', 'mine']]);
      assert.ok(!fs.existsSync(marker), 'the hook never ran');
    } finally {
      sub.dispose();
      for (const f of ['hijack.env.enc', 'hook.js', 'hijack-ran.txt']) fs.rmSync(wsPath(f), { force: true });
    }
  });

  it('a custodian task from tasks.json runs its command with the variables', async () => {
    const out = outFile('task');
    fs.mkdirSync(wsPath('.vscode'), { recursive: true });
    const definition = { type: 'custodian', label: 'custodian probe', command: process.execPath, args: ['probe.js', out, NAMES.join(',')], envFiles: ['.env.local', '.env.enc'], env: { EXPLICIT: 'task' } };
    fs.writeFileSync(wsPath('.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [definition] }, null, 2));
    const task = await waitFor('the task from tasks.json', async () => (await vscode.tasks.fetchTasks({ type: 'custodian' })).find((t) => t.name === 'custodian probe'), 20_000);
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.tasks.onDidEndTask((e) => {
        if (e.execution.task.name === 'custodian probe') {
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.tasks.executeTask(task);
    const got = await readProbe(out);
    const expected: Array<[string, string | null]> = [['API_TOKEN', SECRET], ['MULTI', 'a\nb'], ['SHARED', 'from-file'], ['EXPLICIT', 'task'], ['PLAIN_ONLY', 'plain']];
    assert.deepStrictEqual(got.seen, expected);
    assert.strictEqual(got.hash, hashOf(expected));
    await ended;
  });

  it('a value-encrypted .env saved with a byte order mark (as some Windows editors write it) gives a task its values: the mark is part of its first line, as when it was sealed', async () => {
    const { sealValues } = await import('../../src/core/values');
    const { backend } = await import('./support/enc');
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    fs.writeFileSync(wsPath('bom.env'), await sealValues(`\uFEFFAPI_TOKEN=bom-${SECRET.length}\nMULTI=m\n`, { format: 'dotenv', recipients: [meKey], signer: team.alice.key, backend }));
    assert.deepStrictEqual([...fs.readFileSync(wsPath('bom.env')).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const out = outFile('bom-task');
    fs.mkdirSync(wsPath('.vscode'), { recursive: true });
    const definition = { type: 'custodian', label: 'custodian bom probe', command: process.execPath, args: ['probe.js', out, 'API_TOKEN,MULTI'], envFiles: ['bom.env'] };
    fs.writeFileSync(wsPath('.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [definition] }, null, 2));
    try {
      const task = await waitFor('the task from tasks.json', async () => (await vscode.tasks.fetchTasks({ type: 'custodian' })).find((t) => t.name === 'custodian bom probe'), 20_000);
      await vscode.tasks.executeTask(task);
      const got = await readProbe(out);
      assert.deepStrictEqual(got.seen, [['API_TOKEN', `bom-${SECRET.length}`], ['MULTI', 'm']]);
    } finally {
      fs.rmSync(wsPath('bom.env'), { force: true });
    }
  });

  it('a custodian task whose file does not open ends without running its command, naming the file', async () => {
    const out = outFile('task-foreign');
    const definition = { type: 'custodian', label: 'custodian probe (foreign)', command: process.execPath, args: ['probe.js', out, NAMES.join(',')], envFiles: ['foreign.env.enc'] };
    fs.writeFileSync(wsPath('.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [definition] }, null, 2));
    const task = await waitFor('the task from tasks.json', async () => (await vscode.tasks.fetchTasks({ type: 'custodian' })).find((t) => t.name === 'custodian probe (foreign)'), 20_000);
    const { errors } = await captureErrors(team.services, async () => {
      const ended = new Promise<void>((resolve) => {
        const sub = vscode.tasks.onDidEndTask((e) => {
          if (e.execution.task.name === 'custodian probe (foreign)') {
            sub.dispose();
            resolve();
          }
        });
      });
      await vscode.tasks.executeTask(task);
      await ended;
    });
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, /foreign\.env\.enc/);
    assert.ok(!fs.existsSync(out), 'the command did not run');
  });

  it('no custodian task gets secrets while a task that runs on folder open leads to one: whoever can push could add it, and it would start with no prompt (the red team\'s forms too: no label and a variable, dependsOn by identifier)', async () => {
    const outs = { auto: outFile('task-auto'), lint: outFile('task-lint'), byHand: outFile('task-by-hand') };
    const probeTask = (out: string, extra: Record<string, unknown> = {}) => ({ type: 'custodian', command: process.execPath, args: ['probe.js', out, NAMES.join(',')], envFiles: ['.env.enc'], ...extra });
    const write = (tasks: object[], pad = '') => fs.writeFileSync(wsPath('.vscode', 'tasks.json'), `// tasks, as a committer would write them\n${JSON.stringify({ version: '2.0.0', tasks }, null, 2)}${pad}\n`);
    const run = async (label: string): Promise<ReturnType<typeof captureErrors> extends Promise<infer R> ? R : never> => {
      const task = await waitFor(`the task ${label}`, async () => (await vscode.tasks.fetchTasks({ type: 'custodian' })).find((t) => t.name === label), 20_000);
      return captureErrors(team.services, async () => {
        const ended = new Promise<void>((resolve) => {
          const sub = vscode.tasks.onDidEndTask((e) => e.execution.task.name === label && (sub.dispose(), resolve()));
        });
        await vscode.tasks.executeTask(task);
        await ended;
      });
    };
    const refused = async (label: string, by: string): Promise<void> => {
      const { errors } = await run(label);
      assert.strictEqual(errors.length, 1, label);
      assert.strictEqual(
        errors[0].message,
        `The task "${by}" in tasks.json runs when the folder opens (runOptions.runOn "folderOpen") and is, or leads through dependsOn to, a custodian task: no custodian task gets the secrets of env files here while that is so, since it would start without you.`,
      );
    };
    const byHand = probeTask(outs.byHand, { label: 'by hand' });
    try {
      // No label, and a variable VS Code resolves before the task runs.
      write([probeTask(outs.auto, { args: ['probe.js', outs.auto, NAMES.join(','), '${workspaceFolder}'], runOptions: { runOn: 'folderOpen' } }), byHand]);
      await refused('by hand', process.execPath);
      // Reached through dependsOn by its identifier, running under another label.
      write([probeTask(outs.lint, { label: 'lint', identifier: 'prepare-env' }), { label: 'setup', type: 'shell', command: 'true', dependsOn: ['prepare-env'], runOptions: { runOn: 'folderOpen' } }, byHand]);
      await refused('lint', 'setup');
      await refused('by hand', 'setup');
      assert.ok(!fs.existsSync(outs.auto) && !fs.existsSync(outs.lint) && !fs.existsSync(outs.byHand), 'no command ran');
      // Once nothing runs on folder open, a task started by hand runs with its secrets.
      write([probeTask(outs.lint, { label: 'lint' }), { label: 'setup', type: 'shell', command: 'true', dependsOn: ['build'] }, byHand]);
      assert.deepStrictEqual((await run('by hand')).errors, []);
      assert.deepStrictEqual((await readProbe(outs.byHand)).seen[0], ['API_TOKEN', SECRET]);
      // A tasks.json made too large to be read here (VS Code still reads it) counts as one that leads to a custodian task.
      fs.rmSync(outs.byHand);
      write([byHand], ' '.repeat(1_100_000));
      await refused('by hand', '(a tasks file too large to read)');
      assert.ok(!fs.existsSync(outs.byHand), 'the command did not run');
    } finally {
      fs.rmSync(wsPath('.vscode', 'tasks.json'), { force: true });
    }
  });

  it('Run Task lists each npm script as a custodian task with the env files custodian run would read, and it runs with them', async () => {
    const out = outFile('listed-task');
    fs.writeFileSync(wsPath('package.json'), JSON.stringify({ name: 'probe', scripts: { probe: `node probe.js ${out} ${NAMES.join(',')}`, other: 'true' } }));
    try {
      // tasks.json's own custodian tasks are fetched too: those Custodian provides have it as their source.
      const listed = (await vscode.tasks.fetchTasks({ type: 'custodian' })).filter((t) => t.source === 'custodian');
      assert.deepStrictEqual(
        listed.map((t) => [t.name, t.detail, t.definition.command, t.definition.args, t.definition.envFiles]),
        [
          ['npm run probe', 'with the secrets of .env.enc', 'npm', ['run', 'probe'], ['.env.enc']],
          ['npm run other', 'with the secrets of .env.enc', 'npm', ['run', 'other'], ['.env.enc']],
        ],
      );
      await vscode.tasks.executeTask(listed[0]);
      const seen = await readProbe(out, 60_000);
      assert.deepStrictEqual(seen.seen[0], ['API_TOKEN', SECRET]);
    } finally {
      fs.rmSync(wsPath('package.json'), { force: true });
    }
  });

  it('Run Task lists the npm scripts of a package.json below the folder (a monorepo\'s) with that package\'s own .env.enc, run in its folder; a package without one has none', async () => {
    const out = outFile('nested-task');
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    fs.mkdirSync(wsPath('svc'), { recursive: true });
    fs.mkdirSync(wsPath('lib'), { recursive: true });
    fs.writeFileSync(wsPath('svc/package.json'), JSON.stringify({ name: 'svc', scripts: { probe: `node ../probe.js ${out} ${NAMES.join(',')}` } }));
    fs.writeFileSync(wsPath('svc/.env.enc'), await encryptFor([meKey], 'API_TOKEN=the-service-token\n', team.alice.key));
    fs.writeFileSync(wsPath('lib/package.json'), JSON.stringify({ name: 'lib', scripts: { build: 'true' } }));
    try {
      const listed = (await vscode.tasks.fetchTasks({ type: 'custodian' })).filter((t) => t.source === 'custodian');
      assert.deepStrictEqual(
        listed.map((t) => [t.name, t.detail, t.definition.args, t.definition.envFiles, t.definition.cwd]),
        [['npm run probe (svc)', 'with the secrets of svc/.env.enc', ['run', 'probe'], ['svc/.env.enc'], 'svc']],
      );
      await vscode.tasks.executeTask(listed[0]);
      const seen = await readProbe(out, 60_000);
      assert.deepStrictEqual(seen.seen[0], ['API_TOKEN', 'the-service-token']);
    } finally {
      for (const d of ['svc', 'lib']) fs.rmSync(wsPath(d), { recursive: true, force: true });
    }
  });

  it('the secrets terminal has the variables; a normal terminal does not', async () => {
    const result = await run<SecretsTerminalResult>('custodian.newTerminalWithSecrets', { uris: [wsUri('.env.enc')] });
    assert.ok(result, 'the command returned');
    assert.deepStrictEqual(result.names, ['API_TOKEN', 'MULTI', 'SHARED']);
    const secrets = await waitFor('the secrets terminal', async () => vscode.window.terminals.find((t) => t.name === result.terminalName));
    const options = secrets.creationOptions as vscode.TerminalOptions;
    assert.strictEqual(options.env?.API_TOKEN, SECRET);
    assert.strictEqual(options.isTransient, true, 'not restored on reload');
    const plain = vscode.window.createTerminal({ name: 'plain' });
    assert.strictEqual((plain.creationOptions as vscode.TerminalOptions).env, undefined);

    // And in the shells themselves: the program started from each terminal reports what it sees.
    const secretOut = outFile('terminal-secrets');
    const plainOut = outFile('terminal-plain');
    const line = (out: string): string => `"${process.execPath}" "${probe}" "${out}" ${NAMES.join(',')}`;
    secrets.sendText(line(secretOut));
    plain.sendText(line(plainOut));
    const inSecrets = await readProbe(secretOut, 60_000);
    const inPlain = await readProbe(plainOut, 60_000);
    assert.deepStrictEqual(inSecrets.seen.slice(0, 3), [['API_TOKEN', SECRET], ['MULTI', 'a\nb'], ['SHARED', 'from-file']]);
    assert.deepStrictEqual(inPlain.seen.slice(0, 3), [['API_TOKEN', null], ['MULTI', null], ['SHARED', null]]);
    plain.dispose();
    secrets.dispose();
  });

  it('a secrets terminal whose file changed since it opened is said to be out of date, once, and Open a New One gets the new values', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsPath('rotating.env.enc');
    fs.writeFileSync(file, await encryptFor([meKey], 'API_TOKEN=before-rotation\n', team.alice.key));
    const told = recordInformationMessages((_message, items) => (items.includes('Open a New One') ? 'Open a New One' : undefined));
    try {
      const first = await run<SecretsTerminalResult>('custodian.newTerminalWithSecrets', { uris: [vscode.Uri.file(file)] });
      assert.ok(first);
      const old = vscode.window.terminals.find((t) => t.name === first.terminalName)!;
      // A rotation saved in the decrypted editor, or pulled: the file is replaced on disk.
      fs.writeFileSync(file, await encryptFor([meKey], 'API_TOKEN=after-rotation\n', team.alice.key));
      const said = await waitFor('the out-of-date notice', async () => told.told.find((m) => m.includes('rotating.env.enc changed since the terminal')));
      assert.strictEqual(said, 'rotating.env.enc changed since the terminal "Secrets: rotating.env.enc" opened: programs started there still get the values it had then.');
      const fresh = await waitFor('a new terminal with the new values', async () =>
        vscode.window.terminals.find((t) => t !== old && (t.creationOptions as vscode.TerminalOptions).env?.API_TOKEN === 'after-rotation'),
      );
      assert.ok(vscode.window.terminals.includes(old), 'the old terminal stays (a program may run in it)');
      // Told apart: the new one is numbered, and while the old one is the active terminal the status bar says it is out of date.
      assert.strictEqual(fresh.name, 'Secrets: rotating.env.enc (2)');
      const { terminalStaleness } = await getApi();
      old.show();
      await waitFor('the status bar on the old terminal', async () => terminalStaleness() === '$(warning) Terminal secrets out of date');
      fresh.show();
      await waitFor('no warning on the new one', async () => terminalStaleness() === undefined);
      fs.writeFileSync(file, await encryptFor([meKey], 'API_TOKEN=rotated-again\n', team.alice.key));
      await waitFor('the new terminal told in turn', async () => told.told.filter((m) => m.includes('rotating.env.enc changed since')).length === 2);
      await new Promise((r) => setTimeout(r, 1_000));
      assert.strictEqual(told.told.filter((m) => m.includes('rotating.env.enc changed since')).length, 2, 'once per terminal: the old one is not told again');
      old.dispose();
      fresh.dispose();
    } finally {
      told.dispose();
      for (const t of vscode.window.terminals) if (t.name.startsWith('Secrets: rotating')) t.dispose();
      fs.rmSync(file, { force: true });
    }
  });

  it('the secrets terminal picker: nothing ticked opens nothing and says how to tick; the files chosen last are ticked next time; a value-encrypted config.env is offered too, a plaintext copy beside its .enc is not', async () => {
    // A NAME.env (a value-encrypted file's usual name besides .env) was not offered: a trial's config.env.
    fs.writeFileSync(wsPath('config.env'), 'LOG_LEVEL=debug\n');
    // Encrypt File with Keep Original leaves one: a newcomer was offered the stale copy beside the real file.
    fs.writeFileSync(wsPath('kept.env'), 'STALE=1\n');
    fs.writeFileSync(wsPath('kept.env.enc'), await encryptFor([team.alice.publicKey], 'STALE=2\n', team.alice.key));
    // A newcomer was offered the team's Shamir shares and MFA seeds as env files.
    fs.mkdirSync(wsPath('.custodian', 'mfa'), { recursive: true });
    fs.mkdirSync(wsPath('.custodian', 'shares', 'root'), { recursive: true });
    fs.writeFileSync(wsPath('.custodian', 'mfa', 'aws.otpauth.enc'), await encryptFor([team.alice.publicKey], 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP', team.alice.key));
    fs.writeFileSync(wsPath('.custodian', 'shares', 'root', 'alice.share.enc'), await encryptFor([team.alice.publicKey], 'share', team.alice.key));
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showQuickPick;
    const offers: (vscode.QuickPickItem & { uri: vscode.Uri })[][] = [];
    const answers: ((items: (vscode.QuickPickItem & { uri: vscode.Uri })[]) => unknown)[] = [
      () => [],
      (items) => items.filter((i) => i.label === '.env.local'),
      (items) => items.filter((i) => i.picked),
    ];
    window.showQuickPick = async (items: (vscode.QuickPickItem & { uri: vscode.Uri })[]) => {
      offers.push(items);
      return answers[offers.length - 1](items);
    };
    const told = recordInformationMessages();
    const opened: vscode.Terminal[] = [];
    const sub = vscode.window.onDidOpenTerminal((t) => opened.push(t));
    try {
      assert.strictEqual(await run('custodian.newTerminalWithSecrets'), undefined);
      await waitFor('the message', async () => told.told.includes('No terminal opened: no env file was ticked. Tick one or more (Space), then press Enter.'));
      assert.ok(offers[0].some((i) => i.label === 'config.env'), offers[0].map((i) => i.label).join(', '));
      assert.ok(offers[0].some((i) => i.label === 'kept.env.enc') && !offers[0].some((i) => i.label === 'kept.env'), offers[0].map((i) => i.label).join(', '));
      assert.ok(!offers[0].some((i) => i.label.startsWith('.custodian/')), offers[0].map((i) => i.label).join(', '));
      const first = offers[0].filter((i) => i.picked).map((i) => i.label);
      assert.ok(first.includes('.env.enc') && first.every((l) => l.endsWith('.env.enc')), `first: the .env.enc files (${first.join(', ')})`);
      assert.ok(await run('custodian.newTerminalWithSecrets'));
      assert.ok(await run('custodian.newTerminalWithSecrets'));
      assert.deepStrictEqual(offers[2].filter((i) => i.picked).map((i) => i.label), ['.env.local'], 'then: the last choice');
      await waitFor('both terminals', async () => opened.length === 2);
      assert.deepStrictEqual(opened.map((t) => t.name), ['Secrets: .env.local', 'Secrets: .env.local (2)']);
    } finally {
      fs.rmSync(wsPath('config.env'), { force: true });
      fs.rmSync(wsPath('kept.env'), { force: true });
      fs.rmSync(wsPath('kept.env.enc'), { force: true });
      fs.rmSync(wsPath('.custodian', 'mfa', 'aws.otpauth.enc'), { force: true });
      fs.rmSync(wsPath('.custodian', 'shares', 'root'), { recursive: true, force: true });
      window.showQuickPick = original;
      told.dispose();
      sub.dispose();
      for (const t of opened) t.dispose();
    }
  });

  it('a workspace whose settings shape its terminals (terminal.integrated.env, a profile) asks before a secrets terminal opens, naming them; going on is remembered until they change', async () => {
    const config = vscode.workspace.getConfiguration('terminal.integrated');
    const prompts: { message: string; items: string[] }[] = [];
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
    let answer: string | undefined;
    window.showWarningMessage = (message: string, ...rest: unknown[]): Thenable<unknown> => {
      prompts.push({ message, items: rest.filter((r): r is string => typeof r === 'string') });
      return Promise.resolve(answer);
    };
    const opened: string[] = [];
    const sub = vscode.window.onDidOpenTerminal((t) => opened.push(t.name));
    try {
      // What a committer can put in .vscode/settings.json: a hook that copies every variable out.
      await config.update('env.linux', { PROMPT_COMMAND: 'env > leaked.txt' }, vscode.ConfigurationTarget.Workspace);
      await config.update('defaultProfile.linux', 'bash', vscode.ConfigurationTarget.Workspace);
      assert.strictEqual(await run('custodian.newTerminalWithSecrets', { uris: [wsUri('.env.enc')] }), undefined, 'declined: no terminal');
      assert.deepStrictEqual(prompts.map((p) => p.items), [['Show the Settings', 'Open Anyway']], 'the safe one first: the default');
      assert.match(prompts[0].message, /^This workspace's settings decide how its terminals start: terminal\.integrated\.env\.linux, terminal\.integrated\.defaultProfile\.linux\. Whatever they run would read this terminal's secrets\./);
      answer = 'Open Anyway';
      assert.ok(await run('custodian.newTerminalWithSecrets', { uris: [wsUri('.env.enc')] }));
      assert.ok(await run('custodian.newTerminalWithSecrets', { uris: [wsUri('.env.enc')] }), 'remembered');
      assert.strictEqual(prompts.length, 2);
      // A commit that changes them asks again.
      answer = undefined;
      await config.update('env.linux', { PROMPT_COMMAND: 'env > elsewhere.txt' }, vscode.ConfigurationTarget.Workspace);
      assert.strictEqual(await run('custodian.newTerminalWithSecrets', { uris: [wsUri('.env.enc')] }), undefined);
      assert.strictEqual(prompts.length, 3);
      await new Promise((r) => setTimeout(r, 500));
      assert.strictEqual(opened.filter((n) => n.startsWith('Secrets: .env.enc')).length, 2, 'only the two the person chose');
    } finally {
      window.showWarningMessage = original;
      sub.dispose();
      await config.update('env.linux', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('defaultProfile.linux', undefined, vscode.ConfigurationTarget.Workspace);
      for (const t of vscode.window.terminals) if (t.name.startsWith('Secrets: .env.enc')) t.dispose();
      fs.rmSync(wsPath('leaked.txt'), { force: true });
      fs.rmSync(wsPath('elsewhere.txt'), { force: true });
    }
  });

  it('an unsigned env file (one anyone who can push could write for the team) is used only once the person says so, asked once per version; declined, nothing runs and the error says why', async () => {
    const meKey = await team.services.keyStore.getPublicKey(team.me.id);
    const file = wsPath('forged.env.enc');
    // What a committer who is no recipient can write: the team's public keys are in the roster.
    fs.writeFileSync(file, await encryptFor([meKey], 'DATABASE_HOST=evil.example\n'));
    const prompts: string[] = [];
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
    let answer: string | undefined;
    const items: string[][] = [];
    window.showWarningMessage = (message: string, ...rest: unknown[]): Thenable<unknown> => {
      prompts.push(message);
      items.push(rest.filter((r): r is string => typeof r === 'string'));
      return Promise.resolve(answer);
    };
    try {
      const declined = await captureErrors(team.services, () => run('custodian.newTerminalWithSecrets', { uris: [vscode.Uri.file(file)] }));
      assert.strictEqual(declined.result, undefined, 'no terminal');
      assert.deepStrictEqual(prompts, ["forged.env.enc: The file is not signed: anyone with the recipients' public keys could have written it."]);
      assert.deepStrictEqual(items[0], ['Do Not Use', 'Use Anyway'], 'the safe one first: the default');
      assert.match(declined.errors[0]?.message ?? '', /^Not used, so nothing was started: forged\.env\.enc: The file is not signed/);
      answer = 'Use Anyway';
      const used = await run<SecretsTerminalResult>('custodian.newTerminalWithSecrets', { uris: [vscode.Uri.file(file)] });
      assert.deepStrictEqual(used?.names, ['DATABASE_HOST']);
      assert.ok(await run('custodian.newTerminalWithSecrets', { uris: [vscode.Uri.file(file)] }), 'the same bytes: not asked again');
      assert.strictEqual(prompts.length, 2);
      // A new version is asked about again; a file signed by a teammate is not asked about at all.
      answer = undefined;
      fs.writeFileSync(file, await encryptFor([meKey], 'DATABASE_HOST=evil2.example\n'));
      assert.strictEqual(await captureErrors(team.services, () => run('custodian.newTerminalWithSecrets', { uris: [vscode.Uri.file(file)] })).then((r) => r.result), undefined);
      assert.strictEqual(prompts.length, 3);
      assert.ok(await run('custodian.newTerminalWithSecrets', { uris: [wsUri('.env.enc')] }));
      assert.strictEqual(prompts.length, 3, 'signed by alice, a teammate');
    } finally {
      window.showWarningMessage = original;
      fs.rmSync(file, { force: true });
      // The open events of these terminals arrive late: let them, before the next test listens.
      await new Promise((r) => setTimeout(r, 1000));
      for (const t of vscode.window.terminals) if (t.name.startsWith('Secrets: ')) t.dispose();
    }
  });

  it('the secrets terminal is not opened when a file does not open, and the error names it', async () => {
    const opened: string[] = [];
    const sub = vscode.window.onDidOpenTerminal((t) => opened.push(t.name));
    const { result, errors } = await captureErrors(team.services, () => run('custodian.newTerminalWithSecrets', { uris: [wsUri('foreign.env.enc')] }));
    await new Promise((r) => setTimeout(r, 1000));
    sub.dispose();
    assert.strictEqual(result, undefined);
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, /foreign\.env\.enc/);
    assert.deepStrictEqual(opened, [], 'no terminal opened');
    assert.ok(!vscode.window.terminals.some((t) => t.name.startsWith('Secrets: foreign')));
  });
});
