// The agent over a real Unix socket: what it answers, what it refuses, and that it keeps serving.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { base64Encode, utf8Decode, utf8Encode } from '../../src/core/bytes';
import { decryptBytes, encryptBytes, signTranscriptDigest, unwrapHeaderFileKey } from '../../src/core/envelope';
import { parseHeader } from '../../src/core/envelope-header';
import { AgentDeniedError, AgentError, HeaderAuthError, NoIdentityMatchedError } from '../../src/core/errors';
import type { RsaPrivateKey } from '../../src/core/keys';
import { signValuesDigest, unwrapValuesDataKey, valuesRecipients } from '../../src/core/values';
import { agentAddress, liveAgentAddress, preparePrivateDirectory } from '../../src/node/agent-address';
import { AgentClient } from '../../src/node/agent-client';
import { linuxPeerInspector, peerAllowed, pidOfPeer, statFields, uidFromStatus, type PeerInfo } from '../../src/node/agent-peer';
import { preloadsInEnv, preloadsOf } from '../../src/node/preloads';
import { FrameDecoder, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, encodeFrame } from '../../src/node/agent-protocol';
import { AgentServer, type AuditEntry, type ConsentAnswer, type ConsentRequest } from '../../src/node/agent-server';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from '../core/envelope-fixtures';

const backend = createNodeCryptoBackend();
const alice = loadKey('alice');
const bob = loadKey('bob');
const carol = loadKey('carol');
const unix = process.platform !== 'win32';
const myUid = process.getuid?.();

interface Harness {
  server: AgentServer;
  address: string;
  consents: ConsentRequest[];
  audit: AuditEntry[];
  answer: { allow: boolean; with?: ConsentAnswer };
  /** Who the next connection is (the inspector's answer). */
  peer: { current?: PeerInfo };
}

/** The agent's clock in these tests: moved by hand. */
const clock = { now: 1_000_000 };

async function start(keys: RsaPrivateKey[], opts: { peer?: PeerInfo; ownUid?: number } = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-agent-test-'));
  const address = agentAddress(path.join(dir, 'custodian'));
  const consents: ConsentRequest[] = [];
  const audit: AuditEntry[] = [];
  const answer: Harness['answer'] = { allow: true };
  const peer: Harness['peer'] = { current: opts.peer };
  const find = (fp: string): RsaPrivateKey => keys.find((k) => k.publicKey.fingerprint === fp)!;
  const server = new AgentServer({
    keyring: {
      list: async () => keys.map((k) => k.publicKey),
      unwrap: (fp, header) => unwrapHeaderFileKey(header, [find(fp)], backend),
      sign: (fp, digest) => signTranscriptDigest(find(fp), digest, backend),
      unwrapValues: (fp, text, format) => unwrapValuesDataKey(text, format, find(fp), backend),
      signValues: (fp, digest) => signValuesDigest(find(fp), digest, backend),
    },
    valuesRecipients: async (text, format) => valuesRecipients(text, format),
    consent: async (r) => {
      consents.push(r);
      return answer.with ?? (answer.allow ? 'allowed' : 'denied');
    },
    audit: (e) => audit.push(e),
    inspectPeer: async () => peer.current ?? { pid: process.pid, uid: myUid, commandLine: 'test' },
    ownUid: 'ownUid' in opts ? opts.ownUid : myUid,
    gitGrantMs: () => 10 * 60_000,
    now: () => clock.now,
  });
  await server.listen(address);
  return { server, address, consents, audit, answer, peer };
}

/** Sends raw bytes on a fresh connection and collects the agent's answer frames until it closes or `count` arrive. */
function raw(address: string, bytes: Uint8Array, count = 1): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(address);
    const decoder = new FrameDecoder(MAX_RESPONSE_BYTES);
    const out: Record<string, unknown>[] = [];
    socket.on('data', (d: Buffer) => {
      for (const f of decoder.push(new Uint8Array(d))) out.push(JSON.parse(utf8Decode(f)) as Record<string, unknown>);
      if (out.length >= count) {
        socket.destroy();
        resolve(out);
      }
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

const frame = (v: unknown): Uint8Array => encodeFrame(v);
const codeOf = (r: Record<string, unknown>): unknown => (r.error as { code?: string } | undefined)?.code;

(unix ? describe : describe.skip)('agent server', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => {
    h = await start([alice, bob]);
  });
  afterEach(async () => {
    await h.server.close();
    fs.rmSync(path.dirname(path.dirname(h.address)), { recursive: true, force: true });
  });

  it('the socket is 0600 inside a 0700 directory', () => {
    assert.equal(fs.statSync(h.address).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(h.address)).mode & 0o777, 0o700);
    assert.ok(fs.statSync(h.address).isSocket());
  });

  it('lists public keys only, the default first, without asking', async () => {
    const client = new AgentClient(h.address);
    const keys = await client.keys();
    client.close();
    assert.deepEqual(keys.map((k) => k.publicKey.fingerprint), [alice.publicKey.fingerprint, bob.publicKey.fingerprint]);
    assert.equal(h.consents.length, 0);
    const [answer] = await raw(h.address, frame({ v: 1, id: 3, op: 'list' }));
    const text = JSON.stringify(answer);
    for (const k of [alice, bob]) assert.ok(!text.includes(base64Encode(k.pkcs8Der).slice(40, 100)), 'no private key in the answer');
    assert.deepEqual(Object.keys(answer).sort(), ['id', 'keys', 'ok']);
  });

  it('a CLI-like client decrypts and signs through the agent, after consent naming the file and key', async () => {
    const client = new AgentClient(h.address);
    const [aliceKey] = await client.keys({ file: 'secrets.env.enc' });
    const file = await encryptBytes(utf8Encode('s3cret'), { recipients: [alice.publicKey], signer: aliceKey, backend });
    const out = await decryptBytes(file, { identities: [aliceKey], backend });
    client.close();
    assert.equal(utf8Decode(out.plaintext), 's3cret');
    assert.equal(out.signature.kind === 'signed' && out.signature.signer.fingerprint, alice.publicKey.fingerprint);
    // Signing a file does not cover decrypting it: each is asked; every use is recorded.
    assert.deepEqual(h.consents.map((c) => [c.op, c.file, c.key.fingerprint]), [['sign', 'secrets.env.enc', alice.publicKey.fingerprint], ['unwrap', 'secrets.env.enc', alice.publicKey.fingerprint]]);
    assert.deepEqual(h.audit.map((e) => [e.op, e.outcome]), [['list', 'allowed'], ['sign', 'allowed'], ['unwrap', 'allowed']]);
    assert.ok(h.audit.every((e) => !JSON.stringify(e).includes('s3cret')));
    // Another process is asked again.
    const other = new AgentClient(h.address);
    const [again] = await other.keys({ file: 'other.enc' });
    await decryptBytes(file, { identities: [again], backend });
    // Decrypting a file covers signing that file when the process writes it back (custodian set, a merge).
    await encryptBytes(utf8Encode('s3cret, edited'), { recipients: [alice.publicKey], signer: again, backend });
    other.close();
    assert.deepEqual(h.consents.map((c) => [c.op, c.file]), [['sign', 'secrets.env.enc'], ['unwrap', 'secrets.env.enc'], ['unwrap', 'other.enc']]);
  });

  it('"Allow Once" covers what the prompt named: code in the allowed process (a preload) that decrypts another file, signs for another file or uses another key is asked again, and a denial gives it nothing', async () => {
    const client = new AgentClient(h.address);
    const [aliceKey] = await client.keys({ file: '.env.enc' });
    const allowed = await encryptBytes(utf8Encode('the file the user ran it on'), { recipients: [alice.publicKey], backend });
    await decryptBytes(allowed, { identities: [aliceKey], backend });
    assert.deepEqual(h.consents.map((c) => [c.op, c.file]), [['unwrap', '.env.enc']]);
    // Then, on the same connection, what a hook loaded into that process would ask: other files, or none.
    h.answer.allow = false;
    const prod = await encryptBytes(utf8Encode('prod-secret-Qz81'), { recipients: [alice.publicKey], backend });
    const [forProd] = await client.keys({ file: 'prod.env.enc' });
    await assert.rejects(decryptBytes(prod, { identities: [forProd], backend }), AgentDeniedError);
    const [unnamed] = await client.keys();
    await assert.rejects(unnamed.signTranscript(new Uint8Array(32)), AgentDeniedError);
    await assert.rejects(forProd.signTranscript(new Uint8Array(32)), AgentDeniedError);
    const [, bobKey] = await client.keys({ file: '.env.enc' });
    await assert.rejects(bobKey.signTranscript(new Uint8Array(32)), AgentDeniedError, 'another key of the window');
    // The same name on the other kind of file: a value-encrypted file's key, or its signature, is asked for.
    const [sameName] = await client.keys({ file: '.env.enc' });
    await assert.rejects(sameName.signValuesDigest(new Uint8Array(32)), AgentDeniedError, 'sign-values under the name of a .enc');
    // What the prompt named still works without asking.
    const [again] = await client.keys({ file: '.env.enc' });
    assert.equal((await again.signTranscript(new Uint8Array(32))).length, 256);
    client.close();
    assert.deepEqual(h.consents.map((c) => [c.op, c.file ?? null, c.key.fingerprint === alice.publicKey.fingerprint ? 'alice' : 'bob']), [
      ['unwrap', '.env.enc', 'alice'],
      ['unwrap', 'prod.env.enc', 'alice'],
      ['sign', null, 'alice'],
      ['sign', 'prod.env.enc', 'alice'],
      ['sign', '.env.enc', 'bob'],
      ['sign', '.env.enc', 'alice'],
    ]);
  });

  it('"Allow for This git Command" covers every textconv driver that one git process runs with that key (a git log -p asks once), and nothing else: not signing, not another command, not a driver of a later git process with the same pid', async () => {
    const git = { pid: 4242, started: '991', commandLine: 'git log -p' };
    const driver = (file: string, g = git): PeerInfo => ({ pid: 5000, uid: myUid, argv: ['node', '/x/dist/cli.js', 'git', 'textconv', file], exe: fs.realpathSync(process.execPath), gitCommand: g });
    const versions = await Promise.all(['v1', 'v2', 'v3'].map((v) => encryptBytes(utf8Encode(`API=${v}`), { recipients: [alice.publicKey], backend })));
    const decryptAs = async (peer: PeerInfo, file: Uint8Array, name: string): Promise<string> => {
      h.peer.current = peer;
      const client = new AgentClient(h.address);
      try {
        const keys = await client.keys({ file: name });
        return utf8Decode((await decryptBytes(file, { identities: keys, backend })).plaintext);
      } finally {
        client.close();
      }
    };
    h.answer.with = 'allowed-git-command';
    assert.equal(await decryptAs(driver('app.env.enc'), versions[0], 'app.env.enc'), 'API=v1');
    assert.deepEqual(h.consents.map((c) => c.gitCommand), [git], 'the prompt was told which git command it may cover');
    // The other versions git hands its driver, each a new process: not asked.
    h.answer.with = 'denied';
    assert.equal(await decryptAs(driver('app.env.enc (a version from git)'), versions[1], 'app.env.enc (a version from git)'), 'API=v2');
    assert.equal(await decryptAs(driver('other.env.enc'), versions[2], 'other.env.enc'), 'API=v3');
    assert.equal(h.consents.length, 1);
    // Asked again: the same git command's driver signing; a process under it that is no textconv; a later
    // git process that got the same pid; another git command.
    h.peer.current = driver('app.env.enc');
    const signer = new AgentClient(h.address);
    const [signKey] = await signer.keys({ file: 'app.env.enc' });
    await assert.rejects(signKey.signTranscript(new Uint8Array(32)), AgentDeniedError);
    signer.close();
    await assert.rejects(decryptAs({ ...driver('app.env.enc'), argv: ['node', '/x/dist/cli.js', 'decrypt', 'app.env.enc'] }, versions[0], 'app.env.enc'), AgentDeniedError);
    await assert.rejects(decryptAs(driver('app.env.enc', { ...git, started: '992' }), versions[0], 'app.env.enc'), AgentDeniedError);
    await assert.rejects(decryptAs(driver('app.env.enc', { ...git, pid: 4343 }), versions[0], 'app.env.enc'), AgentDeniedError);
    assert.deepEqual(h.consents.map((c) => [c.op, c.gitCommand?.started ?? null]), [['unwrap', '991'], ['sign', null], ['unwrap', null], ['unwrap', '992'], ['unwrap', '991']]);
    // With bob's key the same git command is asked again: the answer named one key.
    const forBob = await encryptBytes(utf8Encode('API=bob'), { recipients: [bob.publicKey], backend });
    await assert.rejects(decryptAs(driver('bob.env.enc'), forBob, 'bob.env.enc'), AgentDeniedError);
    // A driver of that git started with code loaded into it is asked, and offered nothing wider (a red team
    // found the grant used before the preload was looked at).
    const asked = h.consents.length;
    await assert.rejects(decryptAs({ ...driver('app.env.enc'), preloads: ['NODE_OPTIONS=--require /repo/hook.js'] }, versions[0], 'app.env.enc'), AgentDeniedError);
    assert.equal(h.consents.length, asked + 1);
    assert.equal(h.consents[asked].gitCommand, undefined);
    // Nor is another program whose arguments say it is the driver (a red team's `exec -a node perl …`).
    await assert.rejects(decryptAs({ ...driver('app.env.enc'), exe: '/usr/bin/perl' }, versions[0], 'app.env.enc'), AgentDeniedError);
    assert.equal(h.consents.length, asked + 2);
    assert.equal(h.consents[asked + 1].gitCommand, undefined);
    // Still covered; then not once custodian.agent.allowMinutes have passed, though the git process runs on
    // (a process that names itself git lives as long as it likes); nor after Ask Again Before Each Use.
    assert.equal(await decryptAs(driver('app.env.enc'), versions[0], 'app.env.enc'), 'API=v1');
    clock.now += 10 * 60_000 + 1;
    await assert.rejects(decryptAs(driver('app.env.enc'), versions[0], 'app.env.enc'), AgentDeniedError, 'expired');
    h.answer.with = 'allowed-git-command';
    assert.equal(await decryptAs(driver('app.env.enc'), versions[0], 'app.env.enc'), 'API=v1');
    assert.equal(h.server.revokeGitGrants(), true);
    h.answer.with = 'denied';
    await assert.rejects(decryptAs(driver('app.env.enc'), versions[0], 'app.env.enc'), AgentDeniedError, 'revoked');
    assert.equal(h.server.revokeGitGrants(), false);
  });

  it('statFields: the parent and start time of /proc/PID/stat, a name with spaces and parentheses included', () => {
    const fields = (ppid: number, started: number) => ['S', String(ppid), ...Array.from({ length: 17 }, (_, i) => String(i)), String(started), '0'].join(' ');
    assert.deepEqual(statFields(`77 (git) ${fields(12, 345678)}`), { ppid: 12, started: '345678' });
    assert.deepEqual(statFields(`78 (a) b (c) ${fields(13, 9)}`), { ppid: 13, started: '9' });
    assert.equal(statFields(''), undefined);
    const own = statFields(fs.readFileSync('/proc/self/stat', 'utf8'));
    assert.equal(own?.ppid, process.ppid);
  });

  it('a denied process is asked again on its next request, not remembered as allowed', async () => {
    h.answer.allow = false;
    const client = new AgentClient(h.address);
    const [aliceKey] = await client.keys();
    await assert.rejects(aliceKey.signTranscript(new Uint8Array(32)), AgentDeniedError);
    h.answer.allow = true;
    assert.equal((await aliceKey.signTranscript(new Uint8Array(32))).length, 256);
    client.close();
    assert.equal(h.consents.length, 2);
  });

  it('a denial (or a prompt left unanswered) reaches the client as "denied"; nothing is unwrapped', async () => {
    h.answer.allow = false;
    const client = new AgentClient(h.address);
    const [aliceKey] = await client.keys();
    const file = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend });
    await assert.rejects(decryptBytes(file, { identities: [aliceKey], backend }), (e: unknown) => e instanceof AgentDeniedError && /denied/.test(e.message) && /Allow/.test(e.hint ?? ''));
    await assert.rejects(aliceKey.signTranscript(new Uint8Array(32)), AgentDeniedError);
    client.close();
    assert.deepEqual(h.audit.filter((e) => e.op !== 'list').map((e) => e.outcome), ['denied', 'denied']);
  });

  it('a header no key matches is refused without a prompt', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [carol.publicKey], backend });
    const [r] = await raw(h.address, frame({ v: 1, id: 5, op: 'unwrap', header: base64Encode(parseHeader(file).bytes) }));
    assert.equal(codeOf(r), 'no-match');
    assert.equal(r.id, 5);
    assert.equal(h.consents.length, 0);
    // Through the client, the core sees "no identity matched".
    const client = new AgentClient(h.address);
    await assert.rejects(client.request({ id: 9, op: 'unwrap', header: parseHeader(file).bytes }), NoIdentityMatchedError);
    client.close();
  });

  it('a header with a bad MAC gets a header failure, not a file key', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend });
    const header = parseHeader(file).bytes.slice();
    header[header.length - 1] ^= 1;
    const [r] = await raw(h.address, frame({ v: 1, id: 6, op: 'unwrap', header: base64Encode(header) }));
    assert.equal(codeOf(r), 'header-auth');
    assert.ok(!('fileKey' in r));
    const client = new AgentClient(h.address);
    await assert.rejects(client.request({ id: 1, op: 'unwrap', header }), HeaderAuthError);
    client.close();
  });

  it('malformed requests get clear errors and the same connection keeps working', async () => {
    const bytes = new Uint8Array([
      ...frame({ v: 1, id: 1, op: 'export' }),
      ...new Uint8Array([0, 0, 0, 3, 0x7b, 0x7b, 0x7b]), // "{{{"
      ...frame({ v: 1, id: 2, op: 'unwrap', header: base64Encode(utf8Encode('CUSTODIAN nonsense')) }),
      ...frame({ v: 1, id: 3, op: 'sign', digest: base64Encode(new Uint8Array(20)) }),
      ...frame({ v: 1, id: 4, op: 'list' }),
    ]);
    const answers = await raw(h.address, bytes, 5);
    assert.deepEqual(answers.map(codeOf), ['unknown-op', 'malformed', 'format', 'malformed', undefined]);
    assert.equal(answers[4].ok, true);
    assert.equal(h.consents.length, 0);
  });

  it('an oversized request is refused from its length; the agent keeps serving others', async () => {
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, MAX_REQUEST_BYTES + 1);
    const [r] = await raw(h.address, prefix);
    assert.equal(codeOf(r), 'too-large');
    const client = new AgentClient(h.address);
    assert.equal((await client.keys()).length, 2);
    client.close();
  });

  it('a client sees a clean error when no agent answers at the address', async () => {
    const client = new AgentClient(path.join(path.dirname(h.address), 'nobody.sock'));
    await assert.rejects(client.keys(), (e: unknown) => e instanceof AgentError && /no Custodian agent answers/.test(e.message) && /CUSTODIAN_AGENT_SOCK/.test(e.hint ?? ''));
  });
});

(unix ? describe : describe.skip)('agent server: who may connect', function () {
  this.timeout(30_000);

  it('refuses a peer of another uid (played with an injected uid), and records it', async () => {
    const h = await start([alice], { peer: { pid: 4242, uid: (myUid ?? 0) + 1, commandLine: 'evil' } });
    try {
      const [r] = await raw(h.address, frame({ v: 1, id: 1, op: 'list' }));
      assert.equal(codeOf(r), 'refused');
      assert.ok(!('keys' in r));
      assert.equal(h.audit[0].outcome, 'refused');
      assert.match(h.audit[0].detail ?? '', /uid/);
    } finally {
      await h.server.close();
      fs.rmSync(path.dirname(path.dirname(h.address)), { recursive: true, force: true });
    }
  });

  it('refuses a peer the system hides (another user\'s process is invisible in /proc)', async () => {
    const h = await start([alice], { peer: { hidden: true } });
    try {
      const [r] = await raw(h.address, frame({ v: 1, id: 1, op: 'list' }));
      assert.equal(codeOf(r), 'refused');
    } finally {
      await h.server.close();
      fs.rmSync(path.dirname(path.dirname(h.address)), { recursive: true, force: true });
    }
  });

  it('peerAllowed: same uid yes, other uid no, hidden no, unknown only without a way to ask', () => {
    assert.equal(peerAllowed({ uid: 1000 }, 1000), true);
    assert.equal(peerAllowed({ uid: 1001 }, 1000), false);
    assert.equal(peerAllowed({ hidden: true }, 1000), false);
    assert.equal(peerAllowed({}, 1000), true);
    assert.equal(peerAllowed({ uid: 5 }, undefined), true);
  });

  it('the directory: created 0700, a looser one of ours tightened, a symlink or another owner refused', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-agent-dir-'));
    const loose = path.join(base, 'loose');
    fs.mkdirSync(loose, { mode: 0o755 });
    fs.chmodSync(loose, 0o755);
    await preparePrivateDirectory(loose);
    assert.equal(fs.statSync(loose).mode & 0o777, 0o700);
    const link = path.join(base, 'link');
    fs.symlinkSync(loose, link);
    await assert.rejects(preparePrivateDirectory(link), /not a directory/);
    await assert.rejects(preparePrivateDirectory(loose, (myUid ?? 0) + 1), /belongs to another user/);
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('an address whose agent is gone (a reloaded window) is taken over only by the one agent alive in the same private directory; several, none, or a directory open to others leave it as it is', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-agent-live-'));
    const dir = path.join(base, 'custodian');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const gone = path.join(dir, 'agent-100.sock');
    for (const pid of [200, 300]) fs.writeFileSync(path.join(dir, `agent-${pid}.sock`), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    assert.deepEqual(liveAgentAddress(gone, (pid) => pid === 200), { address: path.join(dir, 'agent-200.sock'), instead: gone });
    assert.deepEqual(liveAgentAddress(gone, () => true), { address: gone }, 'several: which one is not known');
    assert.deepEqual(liveAgentAddress(gone, () => false), { address: gone });
    fs.writeFileSync(gone, '');
    assert.deepEqual(liveAgentAddress(gone, (pid) => pid === 200), { address: gone }, 'it is there: nothing to replace');
    fs.rmSync(gone);
    fs.chmodSync(dir, 0o755);
    assert.deepEqual(liveAgentAddress(gone, (pid) => pid === 200), { address: gone }, 'a directory others can write to is not an agents\' directory');
    fs.chmodSync(dir, 0o700);
    assert.deepEqual(liveAgentAddress(gone, (pid) => pid === 200, (myUid ?? 0) + 1), { address: gone }, 'another user\'s directory');
    fs.rmSync(base, { recursive: true, force: true });
  });
});

(process.platform === 'linux' ? describe : describe.skip)('agent peer on Linux', function () {
  this.timeout(30_000);

  it('after a denial, a CLI started with code loaded into it says so first in its hint, and where such a setting comes from; otherwise the usual hint', async () => {
    const { deniedHint } = await import('../../src/node/agent-client');
    assert.deepEqual(preloadsInEnv({ NODE_OPTIONS: '--require /repo/.vscode/hook.js --max-old-space-size=99', PATH: '/usr/bin' }), ['NODE_OPTIONS=--require /repo/.vscode/hook.js']);
    assert.deepEqual(preloadsInEnv({ NODE_OPTIONS: '--max-old-space-size=99' }), []);
    assert.match(deniedHint('unwrap', { LD_PRELOAD: '/repo/x.so' }), /^this command was started with LD_PRELOAD=\/repo\/x\.so, code that runs inside it before its own: if you did not set that, find what did \(a repository's \.vscode\/settings\.json can, with terminal\.integrated\.env\)/);
    assert.equal(deniedHint('unwrap', {}), 'to use the key held by VS Code, choose "Allow Once" in the dialog VS Code shows (Enter denies), or pass -i KEY');
  });

  it('NODE_OPTIONS is read as Node reads it (quotes included): a preload is seen exactly when Node runs it (node itself the oracle)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-preload-'));
    try {
      const hook = path.join(dir, 'hook.js');
      const marker = path.join(dir, 'ran');
      fs.writeFileSync(hook, `require('fs').writeFileSync(${JSON.stringify(marker)}, '1');\n`);
      const cases = [`--require ${hook}`, `"--require" ${hook}`, `--require "${hook}"`, `"-r"   "${hook}"`, `"--require=${hook}"`, `--max-old-space-size=99`, `--trace-warnings "--require" ${hook}`];
      for (const options of cases) {
        fs.rmSync(marker, { force: true });
        const r = spawnSync(process.execPath, ['-e', '0'], { env: { PATH: process.env.PATH, NODE_OPTIONS: options } });
        assert.equal(r.status, 0, `${options}: ${r.stderr}`);
        assert.equal(preloadsInEnv({ NODE_OPTIONS: options }).length > 0, fs.existsSync(marker), options);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('preloadsOf: what a process\'s environment loads into it (NODE_OPTIONS --require/-r/--import/--loader, the inspector, --openssl-config; LD_PRELOAD, LD_AUDIT, OPENSSL_CONF), and nothing else', () => {
    const environ = (vars: string[]): Uint8Array => Buffer.from(`${vars.join('\0')}\0`);
    assert.deepEqual(preloadsOf(environ(['PATH=/usr/bin', 'HOME=/root', 'NODE_OPTIONS=--max-old-space-size=4096'])), []);
    assert.deepEqual(preloadsOf(environ(['NODE_OPTIONS=--require /repo/.vscode/hook.js'])), ['NODE_OPTIONS=--require /repo/.vscode/hook.js']);
    assert.deepEqual(preloadsOf(environ(['NODE_OPTIONS=-r ./a.js --import=./b.mjs --loader ./c.mjs --max-old-space-size=99'])), ['NODE_OPTIONS=-r ./a.js --import=./b.mjs --loader ./c.mjs']);
    // The inspector: whoever connects to its port runs code in the process (a red team attached to --inspect-brk).
    assert.deepEqual(preloadsOf(environ(['NODE_OPTIONS=--inspect-brk=127.0.0.1:9333'])), ['NODE_OPTIONS=--inspect-brk=127.0.0.1:9333']);
    assert.deepEqual(preloadsOf(environ(['NODE_OPTIONS=--inspect --inspect-wait'])), ['NODE_OPTIONS=--inspect --inspect-wait']);
    // OpenSSL's configuration can load an engine or provider (native code): Node reads it at start.
    assert.deepEqual(preloadsOf(environ(['OPENSSL_CONF=/repo/evil.cnf', 'NODE_OPTIONS=--openssl-config /repo/b.cnf'])), ['OPENSSL_CONF=/repo/evil.cnf', 'NODE_OPTIONS=--openssl-config /repo/b.cnf']);
    assert.deepEqual(preloadsOf(environ(['LD_PRELOAD=/repo/evil.so', 'LD_AUDIT=', 'X=LD_PRELOAD=no'])), ['LD_PRELOAD=/repo/evil.so']);
  });

  it('parses ss and /proc status lines', () => {
    const ss = 'u_str ESTAB 0 0 /run/user/1000/custodian/agent-1.sock 965302 * 965301 users:(("code",pid=10,fd=21))\n' + 'u_str ESTAB 0 0 * 965301 * 965302 users:(("node",pid=6409,fd=20))\n';
    assert.equal(pidOfPeer(ss, 965302), 6409);
    assert.equal(pidOfPeer(ss, 1), undefined);
    assert.equal(uidFromStatus('Name:\tnode\nUid:\t1000\t1000\t1000\t1000\n'), 1000);
  });

  it('finds the git command a diff driver runs under (real git log -p, through the shell git starts the driver with): one pid and start time for all its drivers', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-agent-git-'));
    const address = path.join(dir, 'p.sock');
    const seen: PeerInfo[] = [];
    const server = net.createServer((s) => {
      void linuxPeerInspector(s).then((p) => {
        seen.push(p);
        s.end();
      });
    });
    await new Promise<void>((r) => server.listen(address, r));
    try {
      const repo = path.join(dir, 'repo');
      fs.mkdirSync(repo);
      fs.writeFileSync(path.join(dir, 'driver.js'), "const c = require('net').connect(process.argv[2]); c.on('close', () => console.log('shown')); c.on('error', () => undefined);\n");
      const git = (...args: string[]): void => {
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'ignore' });
      };
      git('init', '-q');
      git('config', 'diff.probe.textconv', `"${process.execPath}" "${path.join(dir, 'driver.js')}" "${address}"`);
      fs.writeFileSync(path.join(repo, '.gitattributes'), '*.enc diff=probe\n');
      for (const v of ['one', 'two']) {
        fs.writeFileSync(path.join(repo, 'a.enc'), v);
        git('add', '.');
        git('commit', '-qm', v);
      }
      const log = spawn('git', ['log', '-p', '--', 'a.enc'], { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      log.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((r) => log.on('close', () => r()));
      if (seen.some((p) => p.pid === undefined)) this.skip(); // no ss on this machine
      assert.match(out, /shown/);
      assert.ok(seen.length >= 2, `${seen.length} drivers`);
      for (const p of seen) {
        assert.equal(p.gitCommand?.pid, log.pid);
        assert.equal(p.gitCommand?.commandLine, 'git log -p -- a.enc');
        assert.equal(p.gitCommand?.started, seen[0].gitCommand?.started);
      }
      assert.ok(seen.every((p) => p.pid !== log.pid), 'the drivers are other processes than git');

      // A process under git whose output git does not read (here a driver's own child, printing to the
      // driver; a pager running the CLI to print some other file to itself is the same): no git command.
      seen.length = 0;
      fs.writeFileSync(
        path.join(dir, 'driver.js'),
        `const { spawnSync } = require('child_process'); spawnSync(process.execPath, ['-e', "const c = require('net').connect(process.argv[1]); c.on('close', () => console.log('inner')); c.on('error', () => undefined);", process.argv[2]], { stdio: ['ignore', 'pipe', 'ignore'] }); console.log('outer');\n`,
      );
      const again = spawn('git', ['log', '-p', '-1', '--', 'a.enc'], { cwd: repo, stdio: ['ignore', 'ignore', 'ignore'] });
      await new Promise<void>((r) => again.on('close', () => r()));
      assert.ok(seen.length >= 1, `${seen.length} requests`);
      for (const p of seen) assert.equal(p.gitCommand, undefined, JSON.stringify(p.gitCommand));
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the real peer process, its uid and command line', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-agent-peer-'));
    const address = path.join(dir, 'p.sock');
    let seen: PeerInfo | undefined;
    const server = net.createServer((s) => {
      void linuxPeerInspector(s).then((p) => {
        seen = p;
        s.end();
      });
    });
    await new Promise<void>((r) => server.listen(address, r));
    const client = net.connect(address);
    await new Promise<void>((r) => client.on('close', () => r()));
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (seen && seen.pid === undefined) this.skip(); // no ss on this machine
    assert.equal(seen?.pid, process.pid);
    assert.equal(seen?.uid, myUid);
    assert.ok(seen?.commandLine?.includes(process.argv[1].split('/').pop()!), seen?.commandLine);
  });
});
