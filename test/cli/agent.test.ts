// The CLI with the agent as its identity source: the real CLI in a child process, an agent served by
// this test process over a real socket (the VS Code side is test/integration/agent.test.ts).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signTranscriptDigest, unwrapHeaderFileKey } from '../../src/core/envelope';
import { parsePrivateKey, type RsaPrivateKey } from '../../src/core/keys';
import { sealValues, signValuesDigest, unwrapValuesDataKey, valuesRecipients } from '../../src/core/values';
import { HeaderAuthError } from '../../src/core/errors';
import { versionLabel } from '../../src/cli/git-drivers';
import { AgentClient } from '../../src/node/agent-client';
import { agentAddress } from '../../src/node/agent-address';
import { linuxPeerInspector, unknownPeerInspector } from '../../src/node/agent-peer';
import { AgentServer, type AuditEntry, type ConsentRequest } from '../../src/node/agent-server';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { cleanEnv, cliPath, makeOpensslKey, removeDir, tempDir, type TestKey } from './helpers';

const backend = createNodeCryptoBackend();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A program without blocking this process's event loop (the agent answers from it). */
function spawnAsync(program: string, args: string[], env: Record<string, string>, cwd?: string, input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    // A program may exit before reading its input (git init does, on a loaded machine): EPIPE, not its failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The CLI, as spawnAsync runs it. */
function runAsync(args: string[], env: Record<string, string>, input?: string): Promise<Result> {
  return spawnAsync(process.execPath, [cliPath(), ...args], env, undefined, input);
}

(process.platform === 'win32' ? describe.skip : describe)('cli: the agent as the last identity source', function () {
  this.timeout(60_000);
  let dir: string;
  let alice: TestKey;
  let bob: TestKey;
  let aliceKey: RsaPrivateKey;
  let server: AgentServer;
  let address: string;
  const consents: ConsentRequest[] = [];
  const audit: AuditEntry[] = [];
  /** How the fake VS Code answers; `meanwhile` runs while it asks (an editor saving, say). */
  const answer: { allow: boolean; delayMs: number; meanwhile?: () => void } = { allow: true, delayMs: 0 };
  let toAlice: string;

  before(async () => {
    dir = tempDir();
    alice = makeOpensslKey(dir, 'alice');
    bob = makeOpensslKey(dir, 'bob');
    aliceKey = await parsePrivateKey(fs.readFileSync(alice.privatePath, 'utf8'));
    address = agentAddress(path.join(dir, 'agent'));
    server = new AgentServer({
      keyring: {
        list: async () => [aliceKey.publicKey],
        unwrap: (_fp, header) => unwrapHeaderFileKey(header, [aliceKey], backend),
        sign: (_fp, digest) => signTranscriptDigest(aliceKey, digest, backend),
        unwrapValues: (_fp, text, format) => unwrapValuesDataKey(text, format, aliceKey, backend),
        signValues: (_fp, digest) => signValuesDigest(aliceKey, digest, backend),
      },
      valuesRecipients: async (text, format) => valuesRecipients(text, format),
      consent: async (r) => {
        consents.push(r);
        answer.meanwhile?.();
        if (answer.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
        return answer.allow ? 'allowed' : 'denied';
      },
      audit: (e) => audit.push(e),
      inspectPeer: process.platform === 'linux' ? linuxPeerInspector : unknownPeerInspector,
      ownUid: process.getuid?.(),
    });
    await server.listen(address);
    const plain = path.join(dir, 'plain.txt');
    fs.writeFileSync(plain, 'via the agent\n');
    toAlice = path.join(dir, 'secrets.env.enc');
    const e = await runAsync(['encrypt', '-r', alice.sshPubPath, '-o', toAlice, plain], {});
    assert.equal(e.code, 0, e.stderr);
  });
  after(async () => {
    await server.close();
    removeDir(dir);
  });
  beforeEach(() => {
    consents.length = 0;
    audit.length = 0;
    answer.allow = true;
    answer.meanwhile = undefined;
  });

  it('decrypt with only CUSTODIAN_AGENT_SOCK: the agent unwraps, after a consent that names the command and file', async () => {
    const r = await runAsync(['decrypt', toAlice], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'via the agent\n');
    assert.equal(consents.length, 1);
    assert.equal(consents[0].op, 'unwrap');
    assert.equal(consents[0].file, toAlice);
    if (process.platform === 'linux') assert.match(consents[0].peer.commandLine ?? '', /decrypt .*secrets\.env\.enc/);
    assert.deepEqual(audit.map((e) => [e.op, e.outcome]), [['list', 'allowed'], ['unwrap', 'allowed']]);
  });

  it('git diff through the agent: each consent names the file git compares, a committed version as "(a version from git)", never git\'s temporary path', async () => {
    const repo = path.join(dir, 'diff-repo');
    fs.mkdirSync(repo);
    const gitEnv = { CUSTODIAN_AGENT_SOCK: address, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.com' };
    const git = (args: string[]): Promise<Result> => spawnAsync('git', args, gitEnv, repo);
    for (const args of [['init', '-q'], ['config', 'diff.custodian.textconv', `"${process.execPath}" "${cliPath()}" git textconv`]]) assert.equal((await git(args)).code, 0);
    fs.writeFileSync(path.join(repo, '.gitattributes'), '*.enc diff=custodian\n');
    fs.copyFileSync(toAlice, path.join(repo, 'secrets.env.enc'));
    assert.equal((await git(['add', '-A'])).code, 0);
    assert.equal((await git(['commit', '-q', '-m', 'one'])).code, 0);
    fs.writeFileSync(path.join(dir, 'plain2.txt'), 'changed via the agent\n');
    assert.equal((await runAsync(['encrypt', '-r', alice.sshPubPath, '-f', '-o', path.join(repo, 'secrets.env.enc'), path.join(dir, 'plain2.txt')], {})).code, 0);
    const d = await git(['diff']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /-via the agent\n\+changed via the agent/);
    // git names the working file by its path in the repository.
    assert.deepEqual(consents.map((c) => c.file).sort(), ['secrets.env.enc', 'secrets.env.enc (a version from git)']);
  });

  it('the label of a version from git: both temporary-file forms git has used, and nothing else', () => {
    const tmp = os.tmpdir();
    assert.equal(versionLabel(path.join(tmp, 'git-blob-a1B2c3', 'app.env.enc'), tmp), 'app.env.enc (a version from git)');
    assert.equal(versionLabel(path.join(tmp, 'Xy12Zq_app.env.enc'), tmp), 'app.env.enc (a version from git)');
    for (const f of ['app.env.enc', path.join(dir, 'Xy12Zq_app.env.enc'), path.join(tmp, 'notes', 'app.env.enc')]) assert.equal(versionLabel(f, tmp), f);
  });

  it('while VS Code asks, the terminal says so; an answer given at once prints nothing more', async () => {
    answer.delayMs = 1500;
    try {
      const slow = await runAsync(['decrypt', toAlice], { CUSTODIAN_AGENT_SOCK: address });
      assert.equal(slow.code, 0, slow.stderr);
      assert.match(slow.stderr, /^custodian: waiting for your answer in VS Code: it asks whether this command may use your key$/m);
    } finally {
      answer.delayMs = 0;
    }
    const quick = await runAsync(['decrypt', toAlice], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(quick.code, 0, quick.stderr);
    assert.doesNotMatch(quick.stderr, /waiting/);
  });

  it('denied: custodian: error: … denied, with a hint, and no output', async () => {
    answer.allow = false;
    const out = path.join(dir, 'denied.txt');
    const r = await runAsync(['decrypt', '-o', out, toAlice], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^custodian: error: .*denied.*\ncustodian: hint: to use the key held by VS Code, choose "Allow Once" in the dialog.*, or pass -i KEY$/m);
    assert.ok(!fs.existsSync(out));
    // A denied signature points at the flag that names a signing key: encrypt has -s, not -i.
    const plain = path.join(dir, 'to-sign.txt');
    fs.writeFileSync(plain, 'x\n');
    const signed = await runAsync(['encrypt', '-r', bob.sshPubPath, '-S', '-o', path.join(dir, 'denied.enc'), plain], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(signed.code, 1);
    assert.match(signed.stderr, /^custodian: hint: .*, or pass -s KEY to sign with a key file$/m);
    assert.ok(!fs.existsSync(path.join(dir, 'denied.enc')));
  });

  it('an earlier source wins: with CUSTODIAN_IDENTITY set, the agent is not asked', async () => {
    const r = await runAsync(['decrypt', toAlice], { CUSTODIAN_AGENT_SOCK: address, CUSTODIAN_IDENTITY: bob.privatePath });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no identity matched/);
    assert.equal(audit.length, 0);
  });

  it('pubkey without KEY prints the agent\'s default key, and -r SHA256:… encrypts to a key of the agent\'s: no consent needed; a fingerprint that is not mine is refused', async () => {
    const printed = await runAsync(['pubkey'], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(printed.code, 0, printed.stderr);
    const typeAndKey = (line: string) => line.trim().split(' ').slice(0, 2).join(' ');
    assert.equal(typeAndKey(printed.stdout), typeAndKey(fs.readFileSync(alice.sshPubPath, 'utf8')));
    const plain = path.join(dir, 'to-me.txt');
    fs.writeFileSync(plain, 'for my VS Code key\n');
    const out = path.join(dir, 'to-me.enc');
    const e = await runAsync(['encrypt', '-r', alice.fingerprint, '-o', out, plain], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(e.code, 0, e.stderr);
    assert.deepEqual(consents, [], 'listing public keys asks nothing');
    const d = await runAsync(['decrypt', '-i', alice.privatePath, out], {});
    assert.equal(d.stdout, 'for my VS Code key\n');
    const values = path.join(dir, 'to-me.env');
    fs.writeFileSync(path.join(dir, 'plain.env'), 'A=1\n');
    const v = await runAsync(['encrypt', '--values', '-r', alice.fingerprint, '-o', values, path.join(dir, 'plain.env')], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(v.code, 0, v.stderr);
    const notMine = await runAsync(['encrypt', '-r', bob.fingerprint, '-o', path.join(dir, 'x.enc'), plain], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(notMine.code, 1);
    assert.match(notMine.stderr, new RegExp(`no key ${bob.fingerprint.replace(/[+/]/g, '\\$&')} among your keys \\(agent\\): ${alice.fingerprint.replace(/[+/]/g, '\\$&')}`));
    assert.match(notMine.stderr, /hint: .*for a teammate's key give their \.pub file, or -R \.custodian\/team/);
    assert.ok(!fs.existsSync(path.join(dir, 'x.enc')));
    // A name or an e-mail is not a file: the hint says what -r takes.
    const byName = await runAsync(['encrypt', '-r', 'alice@example.com', '-o', path.join(dir, 'x.enc'), plain], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(byName.code, 1);
    assert.match(byName.stderr, /key file alice@example\.com does not exist\ncustodian: hint: -r takes a public key file, .*the full fingerprint \(SHA256:…\) of one of your own keys/);
  });

  it('encrypt -S signs with the agent\'s default key', async () => {
    const signed = path.join(dir, 'signed.enc');
    const plain = path.join(dir, 'plain.txt');
    const e = await runAsync(['encrypt', '-r', bob.sshPubPath, '-S', '-o', signed, plain], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(e.code, 0, e.stderr);
    assert.deepEqual(consents.map((c) => c.op), ['sign']);
    const d = await runAsync(['decrypt', '-i', bob.privatePath, '--require-signer', alice.sshPubPath, signed], {});
    assert.equal(d.code, 0, d.stderr);
  });

  describe('value-encrypted files through the agent', () => {
    let envFile: string;
    before(async () => {
      const bobKey = await parsePrivateKey(fs.readFileSync(bob.privatePath, 'utf8'));
      envFile = path.join(dir, 'values.env');
      fs.writeFileSync(envFile, await sealValues('API_TOKEN=agent-opens-3Kq\nPORT=8080\n', { format: 'dotenv', recipients: [aliceKey.publicKey, bobKey.publicKey], signer: aliceKey, backend }));
    });

    it('get, decrypt --values and run -e open it with the agent, after one consent naming the file and key', async () => {
      const r = await runAsync(['get', envFile, 'API_TOKEN'], { CUSTODIAN_AGENT_SOCK: address });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'agent-opens-3Kq\n');
      assert.equal(consents.length, 1);
      assert.equal(consents[0].op, 'unwrap');
      assert.equal(consents[0].file, envFile);
      assert.equal(consents[0].key.fingerprint, aliceKey.publicKey.fingerprint);
      assert.deepEqual(audit.map((e) => [e.op, e.outcome]), [['list', 'allowed'], ['unwrap-values', 'allowed']]);
      const d = await runAsync(['decrypt', '--values', envFile], { CUSTODIAN_AGENT_SOCK: address });
      assert.equal(d.code, 0, d.stderr);
      assert.equal(d.stdout, 'API_TOKEN=agent-opens-3Kq\nPORT=8080\n');
      const run = await runAsync(['run', '-e', envFile, '--', process.execPath, '-e', 'process.stdout.write(process.env.API_TOKEN)'], { CUSTODIAN_AGENT_SOCK: address });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'agent-opens-3Kq');
    });

    it('a file that starts with a byte order mark: get and run -e open it with the agent (the mark is part of the first covered line, so the agent keeps it)', async () => {
      const bobKey = await parsePrivateKey(fs.readFileSync(bob.privatePath, 'utf8'));
      const bomFile = path.join(dir, 'bom-values.env');
      fs.writeFileSync(bomFile, await sealValues('\uFEFFAPI_TOKEN=bom-via-agent-8Yw\n', { format: 'dotenv', recipients: [aliceKey.publicKey, bobKey.publicKey], signer: aliceKey, backend }));
      const r = await runAsync(['get', bomFile, 'API_TOKEN'], { CUSTODIAN_AGENT_SOCK: address });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'bom-via-agent-8Yw\n');
      const run = await runAsync(['run', '-e', bomFile, '--', process.execPath, '-e', 'process.stdout.write(process.env.API_TOKEN)'], { CUSTODIAN_AGENT_SOCK: address });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'bom-via-agent-8Yw');
    });

    it('set signs with the agent\'s key (a consent to sign), and the file verifies as signed by it', async () => {
      const copy = path.join(dir, 'set.env');
      fs.copyFileSync(envFile, copy);
      const r = await new Promise<Result>((resolve, reject) => {
        const child = spawn(process.execPath, [cliPath(), 'set', copy, 'PORT'], { env: cleanEnv({ CUSTODIAN_AGENT_SOCK: address }), stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (x: Buffer) => (stdout += x.toString()));
        child.stderr.on('data', (x: Buffer) => (stderr += x.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end('9090\n');
      });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(consents.map((c) => c.op), ['unwrap']);
      assert.deepEqual(audit.map((e) => [e.op, e.outcome]), [['list', 'allowed'], ['unwrap-values', 'allowed'], ['sign-values', 'allowed']]);
      const g = await runAsync(['get', '-i', bob.privatePath, copy, 'PORT'], {});
      assert.equal(g.code, 0, g.stderr);
      assert.equal(g.stdout, '9090\n');
      assert.match(g.stderr, new RegExp(`signed by ${alice.fingerprint.replace(/[+/]/g, '.')}`));
    });

    it('set leaves alone a file saved in an editor while VS Code asked: nothing written, that save kept, "run again"', async () => {
      const copy = path.join(dir, 'set-raced.env');
      fs.copyFileSync(envFile, copy);
      // What the editor saves: the file as another value-encrypted version (here, PORT set by bob's key).
      const other = path.join(dir, 'set-raced-other.env');
      fs.copyFileSync(envFile, other);
      const edited = await runAsync(['set', '-i', bob.privatePath, '--sign-unverified', other, 'PORT'], {}, '7070\n');
      assert.equal(edited.code, 0, edited.stderr);
      const saved = fs.readFileSync(other, 'utf8');
      answer.meanwhile = () => fs.writeFileSync(copy, saved);
      const r = await runAsync(['set', copy, 'API_TOKEN'], { CUSTODIAN_AGENT_SOCK: address }, 'from-the-terminal-8Hv\n');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^custodian: error: .*set-raced\.env changed while this command ran \(saved in an editor\?\): nothing was written, and that change stays\ncustodian: hint: run the command again/m);
      assert.equal(fs.readFileSync(copy, 'utf8'), saved, 'the editor\'s save is what the file holds');
    });

    it('denied: exit 1, the value is not printed', async () => {
      answer.allow = false;
      const r = await runAsync(['get', envFile, 'API_TOKEN'], { CUSTODIAN_AGENT_SOCK: address });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^custodian: error: .*denied/);
    });

    it('a merge whose key is denied in VS Code (Deny is the default button) keeps both sides, sealed between markers, as a merge with no key does: theirs is never dropped unseen', async () => {
      const repo = path.join(dir, 'denied-merge');
      fs.mkdirSync(repo);
      const gitEnv = { CUSTODIAN_AGENT_SOCK: address, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.com' };
      const git = (args: string[]): Promise<Result> => spawnAsync('git', args, gitEnv, repo);
      const set = async (name: string, value: string) => assert.equal((await spawnAsync(process.execPath, [cliPath(), 'set', '.env', name], { CUSTODIAN_IDENTITY: alice.privatePath }, repo, `${value}\n`)).code, 0);
      assert.equal((await git(['init', '-q', '-b', 'main'])).code, 0);
      fs.writeFileSync(path.join(repo, '.env'), await sealValues('A=one\nB=two\nC=three\nD=four\nE=five\n', { format: 'dotenv', recipients: [aliceKey.publicKey], signer: aliceKey, backend }));
      assert.equal((await spawnAsync(process.execPath, [cliPath(), 'git', 'setup'], {}, repo)).code, 0);
      assert.equal((await git(['add', '-A'])).code, 0);
      assert.equal((await git(['commit', '-q', '-m', 'values'])).code, 0);
      assert.equal((await git(['checkout', '-q', '-b', 'theirs'])).code, 0);
      await set('B', 'theirs-rotated-7Pq');
      assert.equal((await git(['commit', '-q', '-am', 'theirs'])).code, 0);
      assert.equal((await git(['checkout', '-q', 'main'])).code, 0);
      await set('D', 'ours-rotated-2Zx');
      assert.equal((await git(['commit', '-q', '-am', 'ours'])).code, 0);
      answer.allow = false;
      const merge = await git(['merge', '--no-edit', 'theirs']);
      assert.notEqual(merge.code, 0);
      assert.equal(consents.length > 0, true, 'VS Code was asked');
      assert.match(merge.stdout + merge.stderr, /your key was not used to merge it \(.*denied.*\), so both versions are in the file between conflict markers, each still sealed/);
      assert.match(fs.readFileSync(path.join(repo, '.env'), 'utf8'), /^<<<<<<< /m);
      // Opened where the key is allowed, both rotations are there to decide between.
      const d = await runAsync(['decrypt', '--values', '-i', alice.privatePath, path.join(repo, '.env')], {});
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout, /B=theirs-rotated-7Pq/);
      assert.match(d.stdout, /D=ours-rotated-2Zx/);
    });

    it('attacker: alice\'s recipient line copied into a file of mallory\'s unwraps nothing (the MAC must verify with the key)', async () => {
      const real = fs.readFileSync(envFile, 'utf8');
      const line = /^#custodian:recipient=.*$/m.exec(real)![0];
      const forged = (await sealValues('STOLEN=x\n', { format: 'dotenv', recipients: [aliceKey.publicKey], backend })).replace(/^#custodian:recipient=.*$/m, line);
      const client = new AgentClient(address);
      try {
        const [key] = await client.keys({ file: 'innocent.env' });
        await assert.rejects(key.unwrapValuesKey(forged, 'dotenv'), HeaderAuthError);
      } finally {
        client.close();
      }
      assert.deepEqual(audit.map((e) => [e.op, e.outcome]), [['list', 'allowed'], ['unwrap-values', 'failed']]);
      assert.match(audit[1].detail ?? '', /MAC does not verify/);
    });
  });

  it('custodian identities shows the agent\'s keys; a stale address is a clean error', async () => {
    const r = await runAsync(['identities'], { CUSTODIAN_AGENT_SOCK: address });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^VS Code agent: \\(used\\)\\n {2}${alice.fingerprint.replace(/[+/]/g, '\\$&')} .*agent ${address.replace(/[/.]/g, '\\$&')}`, 'm'));
    assert.equal(consents.length, 0);
    // In a directory with no agent alive: a clean error.
    fs.mkdirSync(path.join(dir, 'no-agent'), { mode: 0o700 });
    const stale = await runAsync(['decrypt', toAlice], { CUSTODIAN_AGENT_SOCK: path.join(dir, 'no-agent', 'agent-4242.sock') });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /^custodian: error: no Custodian agent answers at .*agent-4242\.sock/);
    assert.match(stale.stderr, /hint: CUSTODIAN_AGENT_SOCK may be left from a VS Code window that was closed/);
  });

  it('a terminal kept across a reload of its window names the agent that is gone: the one agent alive in the same private directory answers, and the terminal is told', async () => {
    // A reload starts a new extension host with a new socket; the terminal still names the old one.
    const gone = path.join(path.dirname(address), 'agent-999999999.sock');
    const r = await runAsync(['decrypt', toAlice], { CUSTODIAN_AGENT_SOCK: gone });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'via the agent\n');
    assert.equal(r.stderr.split('\n').filter((l) => l.includes('is gone')).length, 1, r.stderr);
    assert.match(r.stderr, /^custodian: the VS Code agent this terminal was given \(.*agent-999999999\.sock\) is gone, as after a reload of the window; using the one agent running now \(/m);
    assert.equal(consents.length, 1, 'asked in that window, as always');
  });
});
