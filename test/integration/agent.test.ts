// The agent in the real VS Code: the CLI (dist/cli.js), spawned with the agent's address, decrypts a
// file encrypted to the keychain key and signs with it after the consent notification is answered;
// a denial or no answer fails cleanly; the private key never crosses the socket; the log shows it all.
import * as assert from 'assert';
import { execFileSync, spawn } from 'child_process';
import { createHash, createPrivateKey } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { decryptBytes } from '../../src/core/envelope';
import { parseHeader } from '../../src/core/envelope-header';
import { exportPublicKeyOpenSsh, privateKeyFromPkcs8Der, type RsaPrivateKey, type RsaPublicKey } from '../../src/core/keys';
import type { AgentFeature } from '../../src/extension/agent/agent-feature';
import { AGENT_SOCK_ENV } from '../../src/node/agent-address';
import { EXTENSION_ID, getApi, recordInformationMessages, waitFor } from './support/custodian';
import { backend, encryptFor, setSetting, useTeam, wsPath } from './support/enc';

/** The part of the built-in git extension's API this test uses. */
interface GitApi {
  openRepository(root: vscode.Uri): Promise<{ diffWithHEAD(path: string): Promise<string> } | null>;
}

type Answer = 'Allow Once' | 'Allow for 10 Minutes' | 'Allow for This git Command' | 'Deny' | 'never' | { late: 'Allow Once' | 'Allow for 10 Minutes'; afterMs: number };

interface Prompt {
  message: string;
  modal: boolean;
  detail: string;
  items: string[];
}

/** Until disposed, the agent's consent dialogs are recorded and answered (`never`: left open). */
function answerConsent(answer: () => Answer): vscode.Disposable & { prompts: Prompt[] } {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
  const prompts: Prompt[] = [];
  window.showWarningMessage = (message: string, ...rest: unknown[]): Thenable<unknown> => {
    if (!/ asks to (decrypt|sign) /.test(message)) return original.call(vscode.window, message, ...rest);
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as vscode.MessageOptions) : {};
    const items = rest.map(String);
    prompts.push({ message, modal: options.modal === true, detail: options.detail ?? '', items });
    const a = answer();
    if (a === 'never') return new Promise(() => undefined);
    if (typeof a === 'object') return new Promise((resolve) => setTimeout(() => resolve(items.find((i) => i === a.late)), a.afterMs));
    return Promise.resolve(items.find((i) => i === a));
  };
  return { prompts, dispose: () => (window.showWarningMessage = original) };
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cliPath(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  return path.join(ext.extensionPath, 'dist', 'cli.js');
}

/** The CLI as a child process (asynchronously: the agent answers from this very process). */
function custodian(args: string[], address: string, extraEnv: NodeJS.ProcessEnv = {}, runtime = process.execPath): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CUSTODIAN_')) env[k] = v;
  Object.assign(env, extraEnv);
  env[AGENT_SOCK_ENV] = address;
  return new Promise((resolve, reject) => {
    const child = spawn(runtime, [cliPath(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A socket that forwards to the agent and keeps every byte both ways: what crossed the wire. */
async function recordingProxy(target: string): Promise<{ address: string; traffic: Buffer[]; close(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-agent-proxy-'));
  const address = path.join(dir, 'proxy.sock');
  const traffic: Buffer[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    client.on('data', (d: Buffer) => {
      traffic.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      traffic.push(Buffer.from(d));
      client.write(d);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(address, r));
  return { address, traffic, close: () => (server.close(), fs.rmSync(dir, { recursive: true, force: true })) };
}

/** Every form of the private key that could leak: the DER, its base64/hex, the primes and exponents. */
function secretForms(key: RsaPrivateKey): { name: string; bytes: Buffer }[] {
  const jwk = createPrivateKey({ key: Buffer.from(key.pkcs8Der), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  const forms = [{ name: 'PKCS#8 DER', bytes: Buffer.from(key.pkcs8Der) }];
  for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) forms.push({ name: `RSA ${part}`, bytes: Buffer.from(jwk[part]!, 'base64url') });
  return forms;
}

function leaks(traffic: Buffer, forms: { name: string; bytes: Buffer }[]): string[] {
  const text = traffic.toString('latin1');
  // Every base64 run in the JSON frames, decoded: a key inside a longer field would show there.
  const decoded = Buffer.concat([...text.matchAll(/[A-Za-z0-9+/=]{16,}/g)].map((m) => Buffer.from(m[0], 'base64')));
  const found: string[] = [];
  for (const { name, bytes } of forms) {
    const probe = bytes.subarray(0, Math.min(bytes.length, 64));
    if (traffic.includes(probe) || decoded.includes(probe)) found.push(`${name} (bytes)`);
    for (const [enc, s] of [['base64', bytes.toString('base64')], ['base64url', bytes.toString('base64url')], ['hex', bytes.toString('hex')]] as const) {
      if (text.includes(s.slice(0, 64))) found.push(`${name} (${enc})`);
    }
  }
  if (text.includes('PRIVATE KEY')) found.push('PEM');
  return found;
}

describe('agent', function () {
  this.timeout(120_000);
  const team = useTeam('agent.consentTimeoutSeconds');
  let agent: AgentFeature;
  let address: string;
  let myPublic: RsaPublicKey;
  let file: string;

  before(async () => {
    agent = (await getApi()).agent;
    const a = await agent.address();
    assert.ok(a, 'the agent serves');
    address = a;
    myPublic = await team.services.keyStore.getPublicKey(team.me.id);
    file = wsPath('agent-secret.env.enc');
    fs.writeFileSync(file, await encryptFor([myPublic], 'API_TOKEN=from-the-keychain\n'));
  });

  it('serves on a 0600 socket in a 0700 directory, and tells this window\'s children and git where', async () => {
    assert.strictEqual(fs.statSync(address).mode & 0o777, 0o600);
    assert.strictEqual(fs.statSync(path.dirname(address)).mode & 0o777, 0o700);
    assert.strictEqual(process.env[AGENT_SOCK_ENV], address, 'git spawned by the Source Control view inherits it');
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(ext.isActive);
  });

  it('the CLI decrypts a file encrypted to the keychain key, after "Allow Once" naming the command and file', async () => {
    const consent = answerConsent(() => 'Allow Once');
    try {
      const r = await custodian(['decrypt', file], address);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(r.stdout, 'API_TOKEN=from-the-keychain\n');
      assert.strictEqual(consent.prompts.length, 1);
      assert.match(consent.prompts[0].message, /decrypt .*agent-secret\.env\.enc/);
      // The process by its command line; the CLI this extension ships as the `custodian …` that was typed.
      assert.ok(consent.prompts[0].message.startsWith(`"custodian decrypt ${file}" (process `), consent.prompts[0].message);
      // The key as the Keys view shows it (name, short fingerprint), not by the e-mail it carries as a comment.
      assert.ok(consent.prompts[0].message.includes(`with your key "me" (${team.me.fingerprint.slice(7, 15)})`), consent.prompts[0].message);
      assert.ok(!consent.prompts[0].message.includes('me@example.com'), consent.prompts[0].message);
      assert.ok(consent.prompts[0].message.includes('asks to decrypt agent-secret.env.enc with'), 'the file as the Explorer shows it');
      // Deny first: the dialog's default button, so an Enter typed by habit in the terminal denies.
      assert.deepStrictEqual(consent.prompts[0].items, ['Deny', 'Allow Once', 'Allow for 10 Minutes']);
      // A modal dialog: focus goes back where it was (a notification's button leaves it in the editor).
      assert.strictEqual(consent.prompts[0].modal, true);
      assert.match(consent.prompts[0].detail, /^Allow Once lets this process do what this dialog names, for this file and key only, until it exits \(decrypting a file covers signing it when the process writes it back/);
      assert.match(consent.prompts[0].detail, /Allow for 10 Minutes approves every process of yours, for any file, without asking, for the next 10 minutes/);
      assert.match(consent.prompts[0].detail, /Enter, Escape and Cancel deny/);
    } finally {
      consent.dispose();
    }
  });

  it('a program whose arguments only say it is the CLI (another binary, started as "node …/dist/cli.js") is not named "custodian …": a red team\'s exec -a perl got the genuine dialog', async () => {
    // Another copy of the runtime stands for any other program: /proc/PID/exe names it, whatever argv says.
    const other = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-other-')), 'node');
    try {
      fs.linkSync(process.execPath, other);
    } catch {
      fs.copyFileSync(process.execPath, other);
      fs.chmodSync(other, 0o755);
    }
    const consent = answerConsent(() => 'Deny');
    try {
      const r = await custodian(['decrypt', file], address, {}, other);
      assert.notStrictEqual(r.code, 0, 'denied');
      assert.strictEqual(consent.prompts.length, 1);
      assert.ok(!consent.prompts[0].message.startsWith('"custodian '), consent.prompts[0].message);
      assert.ok(consent.prompts[0].message.includes(`/dist/cli.js decrypt`), consent.prompts[0].message);
    } finally {
      consent.dispose();
      fs.rmSync(path.dirname(other), { recursive: true, force: true });
    }
  });

  it('a process denied is not asked again for a while: a red team\'s loop of requests held the window, a new dialog 0.2 s after each denial', async () => {
    const header = parseHeader(new Uint8Array(fs.readFileSync(file))).bytes;
    // Two requests in one process, one after the other, over the agent's framing (docs/AGENT.md).
    const script = `
      const net = require('net');
      const frame = (o) => { const b = Buffer.from(JSON.stringify(o)); const l = Buffer.alloc(4); l.writeUInt32BE(b.length); return Buffer.concat([l, b]); };
      const socket = net.connect(process.env.ADDRESS);
      let buf = Buffer.alloc(0); let id = 0; const out = [];
      const ask = () => socket.write(frame({ v: 1, id: ++id, op: 'unwrap', header: process.env.HEADER, file: 'loop-' + id }));
      socket.on('connect', ask);
      socket.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          const r = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString()); buf = buf.subarray(4 + buf.readUInt32BE(0));
          out.push(r.ok ? 'ok' : r.error.code);
          if (out.length < 3) ask(); else { console.log(out.join(',')); socket.end(); }
        }
      });`;
    const consent = answerConsent(() => 'Deny');
    try {
      const answers = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ADDRESS: address, HEADER: Buffer.from(header).toString('base64') }, stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('error', reject);
        child.on('close', () => resolve(stdout.trim()));
      });
      assert.strictEqual(answers, 'denied,denied,denied');
      assert.strictEqual(consent.prompts.length, 1, 'one dialog for the three requests');
    } finally {
      consent.dispose();
    }
  });

  it('a CLI started with code loaded into it (NODE_OPTIONS=--require, as a repository\'s terminal settings can set) is named so in the dialog, first', async function () {
    if (process.platform !== 'linux') this.skip(); // the environment is read from /proc
    const hook = path.join(os.tmpdir(), `custodian-preload-${process.pid}.js`);
    fs.writeFileSync(hook, '// a preload: it could use the connection the person allows\n');
    const consent = answerConsent(() => 'Deny');
    try {
      const r = await custodian(['decrypt', file], address, { NODE_OPTIONS: `--require ${hook}` });
      assert.strictEqual(r.code, 1);
      assert.strictEqual(consent.prompts.length, 1);
      assert.ok(consent.prompts[0].message.startsWith(`Warning: this process was started with extra code loaded into it. "custodian decrypt ${file}" (process `), consent.prompts[0].message);
      assert.ok(consent.prompts[0].detail.startsWith(`It was started with NODE_OPTIONS=--require ${hook}: that code runs inside the process and would use what you allow. Deny unless you set this yourself; a repository's .vscode/settings.json can set it for your terminals (terminal.integrated.env).`), consent.prompts[0].detail);
      // Nothing wider than Allow Once for such a process.
      assert.deepStrictEqual(consent.prompts[0].items, ['Deny', 'Allow Once']);
      // …and the text describes only the buttons shown.
      assert.ok(!consent.prompts[0].detail.includes('Minutes'), consent.prompts[0].detail);
      assert.match(consent.prompts[0].detail, /Allow Once lets this process .* Enter, Escape and Cancel deny; so does no answer within \d+ seconds\.$/s);
      // And the CLI's own message after the denial says it first.
      assert.match(r.stderr, /this command was started with NODE_OPTIONS=--require \S+, code that runs inside it before its own: if you did not set that, find what did/);
    } finally {
      consent.dispose();
      fs.rmSync(hook, { force: true });
    }
  });

  it('the CLI opens a value-encrypted .env with the keychain key (custodian get), after "Allow Once" naming the file; Deny gives nothing', async () => {
    const { sealValues } = await import('../../src/core/values');
    const envFile = wsPath('agent-values.env');
    fs.writeFileSync(envFile, await sealValues('API_TOKEN=values-via-agent-7Rx\n', { format: 'dotenv', recipients: [myPublic], signer: team.alice.key, backend }));
    const consent = answerConsent(() => 'Allow Once');
    try {
      const r = await custodian(['get', envFile, 'API_TOKEN'], address);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(r.stdout, 'values-via-agent-7Rx\n');
      assert.strictEqual(consent.prompts.length, 1);
      assert.match(consent.prompts[0].message, /decrypt .*agent-values\.env/);
    } finally {
      consent.dispose();
    }
    const deny = answerConsent(() => 'Deny');
    try {
      const r = await custodian(['get', envFile, 'API_TOKEN'], address);
      assert.strictEqual(r.code, 1);
      assert.strictEqual(r.stdout, '');
      assert.match(r.stderr, /denied/);
    } finally {
      deny.dispose();
      fs.rmSync(envFile, { force: true });
    }
  });

  it('in a new integrated terminal, `custodian` runs with nothing installed (first on PATH, before a folder the workspace\'s settings put there) and decrypts with the keychain key after "Allow Once"', async () => {
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-terminal-'));
    const out = path.join(dir, 'out');
    // A committer's shim, put first on PATH by the workspace's settings (a red-team trial's).
    const shims = path.join(dir, 'tools');
    fs.mkdirSync(shims);
    fs.writeFileSync(path.join(shims, 'custodian'), '#!/bin/sh\necho shim\n', { mode: 0o755 });
    const terminalSettings = vscode.workspace.getConfiguration('terminal.integrated');
    await terminalSettings.update('env.linux', { PATH: `${shims}:\${env:PATH}` }, vscode.ConfigurationTarget.Workspace);
    const consent = answerConsent(() => 'Allow Once');
    const terminal = vscode.window.createTerminal({ name: 'custodian from the terminal', cwd: path.dirname(file) });
    try {
      // No plaintext on disk: the terminal keeps only a hash of what custodian printed.
      // The commands run in sh: the shell integration of the terminal's bash writes to the output of the commands it sees.
      terminal.sendText(`sh -c 'command -v custodian; printf "%s\\n" "$PATH"; custodian decrypt "$1" | sha256sum' sh ${quote(path.basename(file))} > ${quote(out)} 2>&1; mv ${quote(out)} ${quote(out)}.done`);
      const done = await waitFor('the terminal\'s output', async () => fs.existsSync(`${out}.done`) && fs.readFileSync(`${out}.done`, 'utf8'), 60_000);
      const [launcher, pathVar] = done.split('\n');
      const hash = done.split('\n').find((l) => /^[0-9a-f]{64} /.test(l)) ?? done;
      assert.match(launcher, /\/bin\/custodian$/, done);
      assert.ok(launcher.includes('custodian-dev.custodian'), `in the extension's global storage: ${launcher}`);
      assert.strictEqual(fs.statSync(launcher).mode & 0o777, 0o700);
      const entries = pathVar.split(path.delimiter);
      // Before the folder the workspace's settings put first (the shell's own startup files may add theirs before both).
      assert.ok(entries.includes(shims), `the workspace's setting applied: ${pathVar}`);
      assert.ok(entries.indexOf(path.dirname(launcher)) < entries.indexOf(shims), pathVar);
      assert.strictEqual(hash.split(' ')[0], createHash('sha256').update('API_TOKEN=from-the-keychain\n').digest('hex'), done);
      assert.strictEqual(consent.prompts.length, 1);
      // Through the launcher, VS Code's runtime runs dist/cli.js: the prompt shows what was typed.
      assert.ok(consent.prompts[0].message.startsWith('"custodian decrypt agent-secret.env.enc" (process '), consent.prompts[0].message);
    } finally {
      consent.dispose();
      terminal.dispose();
      await terminalSettings.update('env.linux', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI signs with the keychain key (encrypt -S)', async () => {
    const consent = answerConsent(() => 'Allow Once');
    const plain = wsPath('agent-note.txt');
    const out = wsPath('agent-note.txt.enc');
    fs.writeFileSync(plain, 'signed through the agent\n');
    try {
      const r = await custodian(['encrypt', '-r', exportPublicKeyOpenSsh(myPublic, 'me'), '-S', '-o', out, plain], address);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(consent.prompts.length, 1);
      assert.match(consent.prompts[0].message, / asks to sign /);
      const der = await team.services.keyStore.getPrivateKeyDer(team.me.id);
      const opened = await decryptBytes(new Uint8Array(fs.readFileSync(out)), { identities: [privateKeyFromPkcs8Der(der)], backend });
      assert.strictEqual(opened.signature.kind === 'signed' && opened.signature.signer.fingerprint, myPublic.fingerprint);
    } finally {
      consent.dispose();
      fs.rmSync(plain, { force: true });
    }
  });

  it('denied, or left unanswered past the time limit: custodian: error: … denied, and nothing written', async () => {
    const out = wsPath('agent-denied.txt');
    const deny = answerConsent(() => 'Deny');
    try {
      const r = await custodian(['decrypt', '-o', out, file], address);
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /^custodian: error: .*denied.*\ncustodian: hint: to use the key held by VS Code, choose "Allow Once" in the dialog/);
    } finally {
      deny.dispose();
    }
    await setSetting('agent.consentTimeoutSeconds', 1);
    const silent = answerConsent(() => 'never');
    try {
      const started = Date.now();
      const r = await custodian(['decrypt', '-o', out, file], address);
      assert.strictEqual(r.code, 1);
      // While the dialog waits the terminal says so; then the refusal.
      assert.match(r.stderr, /^custodian: waiting for your answer in VS Code: it asks whether this command may use your key\ncustodian: error: the Custodian agent: the request to decrypt was not answered in VS Code in time, so it was denied\n/);
      assert.ok(Date.now() - started < 30_000);
      assert.strictEqual(silent.prompts.length, 1);
    } finally {
      silent.dispose();
      await setSetting('agent.consentTimeoutSeconds', undefined);
    }
    assert.ok(!fs.existsSync(out));
  });

  it('an "Allow" clicked after the time limit grants nothing, and says the request was already denied', async () => {
    await setSetting('agent.consentTimeoutSeconds', 1);
    const late = answerConsent(() => ({ late: 'Allow for 10 Minutes', afterMs: 1500 }));
    const { told, dispose: stopRecording } = recordInformationMessages();
    try {
      const r = await custodian(['decrypt', file], address);
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /not answered in VS Code in time, so it was denied/);
      await waitFor('the late answer to be told', async () => told.some((m) => /Too late: that request had timed out and was denied/.test(m)));
    } finally {
      late.dispose();
      stopRecording();
      await setSetting('agent.consentTimeoutSeconds', undefined);
    }
    // Nothing was granted: the next request asks again.
    const next = answerConsent(() => 'Deny');
    try {
      assert.strictEqual((await custodian(['decrypt', file], address)).code, 1);
      assert.strictEqual(next.prompts.length, 1);
    } finally {
      next.dispose();
    }
  });

  it('"Allow for N minutes" answers the next request without asking, says so in the status bar, and ends when asked', async () => {
    const consent = answerConsent(() => 'Allow for 10 Minutes');
    try {
      assert.strictEqual(agent.grantStatus.text, undefined, 'nothing shown before');
      assert.strictEqual((await custodian(['decrypt', file], address)).code, 0);
      assert.strictEqual((await custodian(['decrypt', file], address)).code, 0);
      assert.strictEqual(consent.prompts.length, 1);
      assert.strictEqual(agent.grantStatus.text, '$(unlock) Keys without asking: 10 min');
      const told = recordInformationMessages(() => undefined);
      await vscode.commands.executeCommand('custodian.revokeAgentApproval');
      told.dispose();
      assert.strictEqual(agent.grantStatus.text, undefined);
      assert.deepStrictEqual(told.told, ['Approval ended: Custodian asks again before a terminal or git uses your keys.'], 'the click is answered');
      assert.strictEqual((await custodian(['decrypt', file], address)).code, 0);
      assert.strictEqual(consent.prompts.length, 2, 'asked again');
      assert.ok(agent.audit.recent().some((line) => line.includes('ended by the user')), agent.audit.recent().join('\n'));
    } finally {
      consent.dispose();
      await vscode.commands.executeCommand('custodian.revokeAgentApproval');
    }
  });

  it('no private key bytes cross the socket: the traffic holds no form of the key or its primes', async () => {
    const der = await team.services.keyStore.getPrivateKeyDer(team.me.id);
    const forms = secretForms(privateKeyFromPkcs8Der(der));
    const proxy = await recordingProxy(address);
    const consent = answerConsent(() => 'Allow Once');
    try {
      const r = await custodian(['decrypt', file], proxy.address);
      assert.strictEqual(r.code, 0, r.stderr);
      const plain = wsPath('agent-proxy.txt');
      fs.writeFileSync(plain, 'x');
      assert.strictEqual((await custodian(['encrypt', '-r', exportPublicKeyOpenSsh(myPublic, 'me'), '-S', '-a', plain], proxy.address)).code, 0);
      fs.rmSync(plain);
      const traffic = Buffer.concat(proxy.traffic);
      assert.ok(traffic.length > 1000, 'the proxy saw the requests');
      // The check can fail: the key's own bytes in the stream are found.
      assert.ok(leaks(Buffer.concat([traffic, Buffer.from(JSON.stringify({ k: Buffer.from(der).toString('base64') }))]), forms).length > 0);
      assert.deepStrictEqual(leaks(traffic, forms), []);
    } finally {
      consent.dispose();
      proxy.close();
    }
  });

  it('git run by the Source Control view (the built-in git extension) reaches the agent: a textconv driver shows a diff of plaintext', async function () {
    const gitExt = vscode.extensions.getExtension<{ getAPI(v: 1): GitApi }>('vscode.git');
    if (!gitExt) this.skip();
    const git = (gitExt.isActive ? gitExt.exports : await gitExt.activate()).getAPI(1);
    // Inside the workspace: the git extension opens repositories outside it only after asking.
    const repoDir = wsPath('agent-git-repo');
    fs.rmSync(repoDir, { recursive: true, force: true });
    fs.mkdirSync(repoDir);
    const gitIn = (...args: string[]): void => {
      execFileSync('git', args, { cwd: repoDir, stdio: 'ignore' });
    };
    const consent = answerConsent(() => 'Allow Once');
    try {
      gitIn('init', '-q');
      gitIn('config', 'user.email', 'me@example.com');
      gitIn('config', 'user.name', 'me');
      // The driver finds the agent only through the environment git inherits from the extension host.
      gitIn('config', 'diff.custodian.textconv', `"${process.execPath}" "${cliPath()}" decrypt`);
      fs.writeFileSync(path.join(repoDir, '.gitattributes'), '*.enc diff=custodian\n');
      fs.writeFileSync(path.join(repoDir, 'app.env.enc'), await encryptFor([myPublic], 'API=one\n'));
      gitIn('add', '.');
      gitIn('commit', '-qm', 'one');
      fs.writeFileSync(path.join(repoDir, 'app.env.enc'), await encryptFor([myPublic], 'API=two\n'));
      const repo = await git.openRepository(vscode.Uri.file(repoDir));
      assert.ok(repo, 'the git extension opened the repository');
      const diff = await repo.diffWithHEAD(path.join(repoDir, 'app.env.enc'));
      assert.match(diff, /^-API=one$/m);
      assert.match(diff, /^\+API=two$/m);
      assert.ok(agent.audit.recent().some((l) => /allowed {2}decrypt \(unwrap\) .*app\.env\.enc/.test(l)), 'the agent logged the driver');
    } finally {
      // The repository stays (the workspace is temporary): the git extension keeps watching it, and
      // deleting it under the extension makes its next git run fail noisily.
      consent.dispose();
    }
  });

  it('git log -p in a terminal: the driver of each version asks, and "Allow for This git Command" answers for all of that command\'s drivers; the next git command asks again', async function () {
    const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-agent-log-'));
    const consent = answerConsent(() => 'Allow for This git Command');
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, [AGENT_SOCK_ENV]: address, GIT_PAGER: 'cat', GIT_CONFIG_NOSYSTEM: '1' };
      for (const k of Object.keys(env)) if (k.startsWith('CUSTODIAN_') && k !== AGENT_SOCK_ENV) delete env[k];
      const gitIn = (...args: string[]): void => {
        execFileSync('git', ['-c', 'user.email=me@example.com', '-c', 'user.name=me', ...args], { cwd: repoDir, stdio: 'ignore', env });
      };
      gitIn('init', '-q');
      // As Set Up Git writes it: the CLI this extension ships, `git textconv --`.
      gitIn('config', 'diff.custodian.textconv', `"${process.execPath}" "${cliPath()}" git textconv --`);
      fs.writeFileSync(path.join(repoDir, '.gitattributes'), '*.enc diff=custodian\n');
      for (const v of ['one', 'two', 'three']) {
        fs.writeFileSync(path.join(repoDir, 'history.env.enc'), await encryptFor([myPublic], `API=${v}\n`));
        gitIn('add', '.');
        gitIn('commit', '-qm', v);
      }
      const gitLog = (): Promise<{ code: number | null; out: string }> =>
        new Promise((resolve, reject) => {
          const child = spawn('git', ['log', '-p', '--', 'history.env.enc'], { cwd: repoDir, env, stdio: ['ignore', 'pipe', 'ignore'] });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, out }));
        });
      const first = await gitLog();
      assert.strictEqual(first.code, 0);
      for (const v of ['one', 'two', 'three']) assert.match(first.out, new RegExp(`^\\+API=${v}$`, 'm'));
      assert.strictEqual(consent.prompts.length, 1, 'five driver runs, one question');
      // Named as git's driver, not by git's temporary file names, which told a newcomer nothing.
      assert.match(consent.prompts[0].message, /^"custodian git textconv" \(git's diff driver, process \d+\) asks to decrypt history\.env\.enc \(a version from git\) with your key/);
      assert.deepStrictEqual(consent.prompts[0].items, ['Deny', 'Allow Once', 'Allow for This git Command', 'Allow for 10 Minutes']);
      assert.match(consent.prompts[0].detail, /Allow for This git Command lets the diff driver that "git log -p -- history\.env\.enc" \(process \d+\) runs decrypt any file with this key until that git command ends/);
      assert.ok(agent.audit.recent().filter((l) => /allowed {2}decrypt \(unwrap\) /.test(l) && l.includes('history.env.enc')).length >= 5, 'each driver run is still logged');
      // Shown only while its git runs (a trial read "allowed" left there after git ended): gone by the next
      // tick of the status bar item; the same command as a minutes grant's ends it sooner.
      await waitFor('the status item gone once git ended', async () => agent.grantStatus.text === undefined, 20_000);
      const told = recordInformationMessages(() => undefined);
      await vscode.commands.executeCommand('custodian.revokeAgentApproval');
      told.dispose();
      assert.strictEqual(agent.grantStatus.text, undefined);
      assert.deepStrictEqual(told.told, ['Approval ended: Custodian asks again before a terminal or git uses your keys.']);
      assert.ok(agent.audit.recent().some((l) => l.includes('"Allow for This git Command" answers ended by the user')));
      const second = await gitLog();
      assert.strictEqual(second.code, 0);
      assert.strictEqual(consent.prompts.length, 2, 'a new git command is asked again');
      // A CLI command that is no diff driver is never offered it.
      const direct = await custodian(['decrypt', path.join(repoDir, 'history.env.enc')], address);
      assert.strictEqual(direct.code, 1, 'answered with a button it was not offered: denied');
      assert.deepStrictEqual(consent.prompts[2].items, ['Deny', 'Allow Once', 'Allow for 10 Minutes']);
    } finally {
      consent.dispose();
      fs.rmSync(repoDir, { recursive: true, force: true });
    }
  });

  it('the status bar shows a git command\'s answer while that git runs, until allowMinutes at the latest, and Ask Again ends it', async () => {
    const { AgentConsent } = await import('../../src/extension/agent/consent');
    const { AgentGrantStatus } = await import('../../src/extension/agent/grant-status');
    const clock = { now: Date.now() };
    const running = { yes: true };
    const consent = new AgentConsent(() => ({ enabled: true, consentTimeoutSeconds: 60, allowMinutes: 10 }), () => undefined, undefined, () => clock.now, () => running.yes);
    const status = new AgentGrantStatus(consent);
    const answer = answerConsent(() => 'Allow for This git Command');
    try {
      const git = { pid: 4242, started: '991', commandLine: 'git log -p' };
      const peer = { pid: 5000, argv: ['node', 'cli.js', 'git', 'textconv', 'a.enc'], commandLine: 'custodian git textconv a.enc' };
      assert.strictEqual(await consent.ask({ peer, op: 'unwrap', file: 'a.enc', key: myPublic, gitCommand: git }), 'allowed-git-command');
      assert.strictEqual(answer.prompts[0].items.includes('Allow for This git Command'), true);
      assert.match(answer.prompts[0].detail, /until that git command ends, for 10 minutes at most/);
      assert.ok(consent.gitGrantEnd() !== undefined);
      assert.strictEqual(status.text, '$(unlock) git command allowed: 10 min');
      running.yes = false;
      assert.strictEqual(consent.gitGrantEnd(), undefined, 'its git ended');
      running.yes = true;
      await consent.ask({ peer, op: 'unwrap', file: 'a.enc', key: myPublic, gitCommand: git });
      clock.now += 10 * 60_000 + 1;
      assert.strictEqual(consent.gitGrantEnd(), undefined, 'allowMinutes passed');
      await consent.ask({ peer, op: 'unwrap', file: 'a.enc', key: myPublic, gitCommand: git });
      assert.ok(consent.gitGrantEnd() !== undefined);
      consent.revoke();
      assert.strictEqual(consent.gitGrantEnd(), undefined, 'Ask Again ended it');
      assert.strictEqual(status.text, undefined);
    } finally {
      answer.dispose();
      status.dispose();
      consent.dispose();
    }
  });

  it('does not serve while the workspace is untrusted (Restricted Mode), and serves again once trusted', async () => {
    const untrusted = team.services.trust.simulate(false);
    try {
      assert.strictEqual(await agent.address(), undefined);
      assert.ok(!fs.existsSync(address), 'the socket is gone');
      assert.strictEqual(process.env[AGENT_SOCK_ENV], undefined);
      const r = await custodian(['decrypt', file], address);
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /no Custodian agent answers at/);
    } finally {
      untrusted.dispose();
    }
    assert.strictEqual(await agent.address(), address);
    assert.strictEqual(process.env[AGENT_SOCK_ENV], address);
  });

  it('the log shows every use (time, client, file, operation, outcome) and no secret, not even one typed on a command line', async () => {
    // A careless user's secret on the command line: the prompt shows it (on screen), the log does not
    // (the Custodian output channel is a file on disk; a trial found it there).
    const consent = answerConsent(() => 'Allow Once');
    try {
      const r = await custodian(['run', '-e', file, '--', process.execPath, '-e', 'process.exit(0)', 'token=argv-secret-4Rf'], address);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(consent.prompts[0]?.message ?? '', /argv-secret-4Rf/, 'the prompt shows who asks, whole');
    } finally {
      consent.dispose();
    }
    const lines = await vscode.commands.executeCommand<readonly string[]>('custodian.showAgentLog');
    assert.ok(lines && lines.length > 0);
    const text = lines.join('\n');
    assert.match(text, /allowed {2}decrypt \(unwrap\) {2}client "custodian decrypt …" \(process \d+\) {2}file .*agent-secret\.env\.enc {2}key SHA256:/);
    assert.match(text, /allowed {2}decrypt \(unwrap\) {2}client "custodian run …" \(process \d+\) {2}file /);
    assert.ok(!text.includes('argv-secret-4Rf'), 'no argument of the client is logged');
    assert.match(text, /allowed {2}sign {2}client /);
    assert.match(text, /denied {2}decrypt \(unwrap\) /);
    assert.match(text, /denied {2}decrypt \(unwrap\) .*\(no answer in time\)/);
    assert.match(text, /^\d{4}-\d\d-\d\dT/m);
    assert.ok(!text.includes('from-the-keychain'));
    const doc = vscode.window.activeTextEditor?.document;
    assert.strictEqual(doc?.uri.scheme, 'custodian-agent-log');
    assert.ok(doc.getText().includes('allowed  decrypt (unwrap)'));
  });
});
