// How the agent shows who asks (src/node/agent-peer.ts): the arguments as the OS reports them, and one
// line a person reads as they typed it, for the consent dialog and the log. Read from this very process
// and from a child started with arguments a shell would split.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { argvOf, commandLineOf } from '../../src/node/agent-peer';

describe('agent-peer: the command line of who asks', () => {
  it('/proc/PID/cmdline gives the arguments as they were passed, empty ones included', async function () {
    if (process.platform !== 'linux') this.skip();
    const args = ['-e', 'setTimeout(() => {}, 5000)', 'echo token is $API_TOKEN', '', "it's"];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(argvOf(readFileSync(`/proc/${child.pid}/cmdline`)), [process.execPath, ...args]);
    } finally {
      child.kill();
    }
  });

  it('one line: each argument shell-quoted (the boundaries stay visible), long lines shortened', () => {
    assert.equal(commandLineOf(['sh', '-c', 'echo token is $API_TOKEN']), "sh -c 'echo token is $API_TOKEN'");
    assert.equal(commandLineOf(['custodian', 'decrypt', 'a b.env.enc', '']), "custodian decrypt 'a b.env.enc' ''");
    assert.equal(commandLineOf([]), undefined);
    const long = commandLineOf(['x'.repeat(400)])!;
    assert.equal(long.length, 301);
    assert.ok(long.endsWith('…'));
  });
});
