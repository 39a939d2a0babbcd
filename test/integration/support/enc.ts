// Helpers for the encrypt/decrypt integration tests: a team of openssl keys in the roster, my own
// key in SecretStorage, and the core (bundled into the test) to check what the extension wrote.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { decryptBytes, encryptBytes, inspectEnvelope, type DecryptedBytes } from '../../../src/core/envelope';
import { parsePrivateKey, parsePublicKey, type RsaPrivateKey, type RsaPublicKey } from '../../../src/core/keys';
import type { EncryptionFeature } from '../../../src/extension/commands/encrypt/register';
import type { Services } from '../../../src/extension/services';
import type { KeyInfo } from '../../../src/extension/storage/key-store';
import { createNodeCryptoBackend } from '../../../src/node/node-crypto-backend';
import { getApi, opensslPublicPem, opensslRsa, resetState, run, teamDir, workspaceFolder } from './custodian';

export const backend = createNodeCryptoBackend();

export interface Person {
  name: string;
  privatePem: string;
  key: RsaPrivateKey;
  publicKey: RsaPublicKey;
  fingerprint: string;
}

export interface Team {
  services: Services;
  encryption: EncryptionFeature;
  me: KeyInfo;
  alice: Person;
  bob: Person;
  /** Not in the roster: a stranger (for foreign files, unknown signers). */
  mallory: Person;
}

export async function person(name: string): Promise<Person> {
  const privatePem = opensslRsa(2048);
  const key = await parsePrivateKey(privatePem);
  const publicKey = parsePublicKey(opensslPublicPem(privatePem));
  return { name, privatePem, key, publicKey, fingerprint: publicKey.fingerprint };
}

export function addToRoster(p: Person): string {
  fs.mkdirSync(teamDir(), { recursive: true });
  const file = path.join(teamDir(), `${p.name}.pub`);
  fs.writeFileSync(file, opensslPublicPem(p.privatePem));
  return file;
}

/** Adds `p` through Add Teammate (its fingerprint confirmed): the addition is signed by me. */
export async function readdToRoster(p: Person): Promise<void> {
  assert.ok(await run('custodian.addTeammate', { text: opensslPublicPem(p.privatePem), name: p.name, confirm: true }));
}

/** Fresh state: my key "me" (default, in the roster), alice and bob in the roster, mallory outside. */
export async function setupTeam(): Promise<Team> {
  const api = await getApi();
  const services = api.services;
  await resetState(services);
  removeEncFiles(workspaceFolder().uri.fsPath);
  const me = await run<KeyInfo>('custodian.generateKey', { name: 'me', label: 'me@example.com', bits: 2048 });
  assert.ok(me, 'generated my key');
  assert.ok(await run('custodian.addMyselfToTeam', { id: me.id, name: 'me' }));
  const [alice, bob, mallory] = await Promise.all([person('alice'), person('bob'), person('mallory')]);
  // Added the way a user adds them (their fingerprints checked): signed by me, so verified and pinned.
  for (const p of [alice, bob]) assert.ok(await run('custodian.addTeammate', { text: opensslPublicPem(p.privatePem), name: p.name, confirm: true }));
  await waitForRoster(services, 3);
  return { services, encryption: api.encryption, me, alice, bob, mallory };
}

/**
 * Mocha hooks: a fresh team (setupTeam) before the suite; after it, `settings` back to their defaults and
 * every editor closed. The fields are set once the suite's first `before` hook ran.
 */
export function useTeam(...settings: string[]): Team {
  const team = {} as Team;
  before(async () => {
    Object.assign(team, await setupTeam());
  });
  after(async () => {
    for (const key of settings) await setSetting(key, undefined);
    await closeAllEditors();
  });
  return team;
}

export async function waitForRoster(services: Services, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await services.roster.members()).length === count) return;
    await sleep(50);
  }
  assert.fail(`the roster never reached ${count} members`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function wsPath(...parts: string[]): string {
  return path.join(workspaceFolder().uri.fsPath, ...parts);
}

export function wsUri(...parts: string[]): vscode.Uri {
  return vscode.Uri.file(wsPath(...parts));
}

/** Decrypts with the core as `who` (a teammate's private key). */
export async function decryptAs(who: Person, ciphertext: Uint8Array | string): Promise<DecryptedBytes> {
  return decryptBytes(ciphertext, { identities: [who.key], backend });
}

export async function encryptFor(recipients: RsaPublicKey[], plaintext: string, signer?: RsaPrivateKey): Promise<Uint8Array> {
  return encryptBytes(new TextEncoder().encode(plaintext), { recipients, signer, backend });
}

export async function recipientsOf(bytes: Uint8Array | string): Promise<string[]> {
  return [...(await inspectEnvelope(bytes)).recipients].sort();
}

/** Every file under `dir` whose bytes contain `marker` (UTF-8). */
export function filesContaining(dir: string, marker: string): string[] {
  const needle = Buffer.from(marker, 'utf8');
  const hits: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        try {
          if (fs.readFileSync(p).includes(needle)) hits.push(p);
        } catch {
          // vanished or unreadable
        }
      }
    }
  }
  return hits;
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('custodian').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Deletes every `.enc` file in the workspace (test files share one workspace). */
export function removeEncFiles(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== '.custodian') removeEncFiles(p);
    else if (e.isFile() && e.name.toLowerCase().endsWith('.enc')) fs.rmSync(p);
  }
}
