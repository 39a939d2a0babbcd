// The passphrase prompt (and set's value prompt) on a real terminal: runs the CLI under `script` (util-linux), which gives it
// a pseudo-terminal, and types into it. Skipped where `script` is not available.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, cliPath, makeOpensslKey, removeDir, run, tempDir } from './helpers';

const SCRIPT = '/usr/bin/script';

/** Runs `command` (no single quotes in it) on a pseudo-terminal, typing each of `lines` after a pause (so raw mode is on). */
function onTerminal(command: string, lines: string[]): { code: number | null; output: string } {
  assert.ok(!command.includes("'"));
  const typing = lines.map((l) => `sleep 1.5; printf '%s\\r' '${l}';`).join(' ');
  const r = spawnSync('bash', ['-c', `(${typing} sleep 2) | ${SCRIPT} -qec '${command}' /dev/null`], {
    env: cleanEnv(),
    timeout: 30_000,
  });
  return { code: r.status, output: r.stdout.toString('utf8') };
}

describe('cli: passphrase prompt on a terminal', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    if (!fs.existsSync(SCRIPT) || process.platform !== 'linux') this.skip();
    dir = tempDir();
  });
  after(() => {
    if (dir) removeDir(dir);
  });

  it('keygen asks twice without echo', () => {
    const key = path.join(dir, 'typed.pem');
    const r = onTerminal(`${process.execPath} ${cliPath()} keygen -b 2048 -o ${key}`, ['typed secret of six words', 'typed secret of six words']);
    assert.match(r.output, /Passphrase for the new key: \r?\nRepeat the passphrase: \r?\nssh-rsa /);
    assert.ok(!r.output.includes('typed secret'), 'the passphrase is not echoed');
    const check = run(['fingerprint', key], { env: { CUSTODIAN_PASSPHRASE: 'typed secret of six words' } });
    assert.equal(check.code, 0, check.stderr);
  });

  it('decrypt with data on stdin asks on the terminal (/dev/tty)', () => {
    const key = makeOpensslKey(dir, 'tty', 2048, 'tty pass');
    const enc = path.join(dir, 'msg.enc');
    assert.equal(run(['encrypt', '-r', key.sshPubPath, '-o', enc], { input: 'over the tty\n' }).code, 0);
    const r = onTerminal(`${process.execPath} ${cliPath()} decrypt -i ${key.privatePath} < ${enc}`, ['tty pass']);
    assert.match(r.output, /Passphrase for .*tty\.pem: /);
    assert.match(r.output, /over the tty/);
    assert.ok(!r.output.includes('tty pass'));
  });

  it('set asks for the new value on the terminal without echo (a trial saw the secret typed in clear)', () => {
    const key = makeOpensslKey(dir, 'setter');
    const plain = path.join(dir, 'typed.env');
    const sealed = path.join(dir, 'typed-sealed.env');
    fs.writeFileSync(plain, 'API_TOKEN=old-1\n');
    assert.equal(run(['encrypt', '--values', '-r', key.publicPemPath, '-s', key.privatePath, '-o', sealed, plain]).code, 0);
    const r = onTerminal(`${process.execPath} ${cliPath()} set -i ${key.privatePath} ${sealed} API_TOKEN`, ['typed-value-6Wd']);
    assert.match(r.output, /New value of API_TOKEN \(not shown; Enter when done\): /);
    assert.ok(!r.output.includes('typed-value-6Wd'), 'the value is not echoed');
    assert.equal(run(['get', '-i', key.privatePath, sealed, 'API_TOKEN']).out, 'typed-value-6Wd\n');
  });

  it('two different passphrases at keygen fail without writing a key', () => {
    const key = path.join(dir, 'mismatch.pem');
    const r = onTerminal(`${process.execPath} ${cliPath()} keygen -b 2048 -o ${key}; echo "exit=$?"`, ['one', 'two']);
    assert.match(r.output, /custodian: error: the two passphrases differ/);
    assert.match(r.output, /exit=1/);
    assert.equal(fs.existsSync(key), false);
  });
});
