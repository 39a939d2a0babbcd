// Helpers for integration tests of the key manager: the extension's exported API, commands with
// arguments, captured error reports, polling, and key material made by openssl / ssh-keygen.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CustodianApi } from '../../../src/extension/extension';
import type { Services } from '../../../src/extension/services';
import { FINGERPRINT_CHECKS_STATE_KEY } from '../../../src/extension/storage/fingerprint-checks';
import type { ReportedError } from '../../../src/extension/ui/error-reporter';
import type { SectionView, TreeNode } from '../../../src/extension/views/tree';

export const EXTENSION_ID = 'custodian-dev.custodian';

export async function getApi(): Promise<CustodianApi> {
  const ext = vscode.extensions.getExtension<CustodianApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  assert.ok(api?.services, 'activate() exports { services }');
  return api;
}

export async function getServices(): Promise<Services> {
  return (await getApi()).services;
}

export function run<T>(command: string, arg?: unknown): Promise<T | undefined> {
  return Promise.resolve(vscode.commands.executeCommand<T | undefined>(command, arg));
}

/** Records what commands report through ErrorReporter while `fn` runs. */
export async function captureErrors<T>(services: Services, fn: () => Promise<T>): Promise<{ result: T; errors: ReportedError[] }> {
  const errors: ReportedError[] = [];
  const sub = services.errors.onDidReport((e) => errors.push(e));
  try {
    return { result: await fn(), errors };
  } finally {
    sub.dispose();
  }
}

/**
 * Records the values Custodian sets for the context keys `names` (`setContext`), in order, until
 * disposed: what `when` clauses (menus, walkthrough steps) then see.
 */
export function recordContextKeys(...names: string[]): { published: [string, unknown][]; valuesOf(name: string): unknown[]; dispose(): void } {
  const published: [string, unknown][] = [];
  const commands = vscode.commands as unknown as Record<string, unknown>;
  const original = commands.executeCommand as (...args: unknown[]) => Thenable<unknown>;
  commands.executeCommand = (id: unknown, ...rest: unknown[]) => {
    if (id === 'setContext' && names.includes(rest[0] as string)) published.push([rest[0] as string, rest[1]]);
    return original.call(vscode.commands, id, ...rest);
  };
  return {
    published,
    valuesOf: (name) => published.filter(([k]) => k === name).map(([, v]) => v),
    dispose: () => {
      commands.executeCommand = original;
    },
  };
}

/**
 * Records what showInformationMessage is asked to show while `dispose` is not called: each message, and
 * with its items. Without `answer` the messages are shown as usual; with it, nothing is shown and the
 * item it returns is what the person clicked.
 */
export function recordInformationMessages(answer?: (message: string, items: string[]) => string | undefined): RecordedMessages {
  return recordMessages('showInformationMessage', answer);
}

/** As recordInformationMessages, for the non-modal warnings (modal ones: answerModals). */
export function recordWarningMessages(answer?: (message: string, items: string[]) => string | undefined): RecordedMessages {
  return recordMessages('showWarningMessage', answer);
}

/** As recordInformationMessages, for error notifications (ErrorReporter's). */
export function recordErrorMessages(answer?: (message: string, items: string[]) => string | undefined): RecordedMessages {
  return recordMessages('showErrorMessage', answer);
}

interface RecordedMessages {
  told: string[];
  asked: { message: string; items: string[] }[];
  dispose(): void;
}

function recordMessages(kind: 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage', answer?: (message: string, items: string[]) => string | undefined): RecordedMessages {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window[kind] as (...args: unknown[]) => Thenable<unknown>;
  const told: string[] = [];
  const asked: { message: string; items: string[] }[] = [];
  window[kind] = (message: string, ...rest: unknown[]) => {
    const options = rest[0];
    const modal = typeof options === 'object' && options !== null && !('title' in options) && (options as vscode.MessageOptions).modal === true;
    if (kind === 'showWarningMessage' && modal) return original.call(vscode.window, message, ...rest);
    const items = rest.filter((i): i is string => typeof i === 'string');
    told.push(message);
    asked.push({ message, items });
    return answer ? Promise.resolve(answer(message, items)) : original.call(vscode.window, message, ...rest);
  };
  return {
    told,
    asked,
    dispose: () => {
      window[kind] = original;
    },
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace has a folder');
  return folder;
}

export function teamDir(): string {
  return path.join(workspaceFolder().uri.fsPath, '.custodian', 'team');
}

/** A scratch directory outside the workspace, removed by the caller. */
export function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-keys-'));
}

export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** An RSA key made by openssl: PKCS#8 PEM (`openssl genpkey`). */
export function opensslRsa(bits: number): string {
  return sh('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`]);
}

export function opensslPublicPem(privatePem: string): string {
  return sh('openssl', ['pkey', '-pubout'], privatePem);
}

/** An ssh-keygen RSA key pair; returns the private key file text, the .pub line and `ssh-keygen -lf` output. */
export function sshKeygen(dir: string, name: string, comment: string, passphrase = ''): { privateKey: string; publicLine: string; fingerprintLine: string } {
  const file = path.join(dir, name);
  sh('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', passphrase, '-C', comment, '-f', file]);
  return {
    privateKey: fs.readFileSync(file, 'utf8'),
    publicLine: fs.readFileSync(`${file}.pub`, 'utf8').trim(),
    fingerprintLine: sh('ssh-keygen', ['-lf', `${file}.pub`]).trim(),
  };
}

export interface TreeSnapshot {
  label: string;
  description?: string;
  contextValue?: string;
  icon?: string;
  tooltip?: string;
  /** The command a click runs. */
  command?: string;
  node: TreeNode;
  children: TreeSnapshot[];
}

/** A section's view as VS Code shows it: its (localized) name, its title's description, its items. */
export interface ViewSnapshot {
  /** `custodian.keys`, `custodian.team`, … */
  view: string;
  label: string;
  description?: string;
  children: TreeSnapshot[];
}

/** The items under `node` of one section's view, with each TreeItem's visible fields. */
export async function itemsSnapshot(provider: SectionView, node?: TreeNode): Promise<TreeSnapshot[]> {
  const out: TreeSnapshot[] = [];
  for (const child of await provider.getChildren(node)) {
    const item = await provider.getTreeItem(child);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    // Duck-typed: the test bundle and the extension see the same API classes, but be robust anyway.
    const tooltip = typeof item.tooltip === 'object' && item.tooltip ? (item.tooltip as vscode.MarkdownString).value : item.tooltip;
    const icon = item.iconPath as { id?: unknown } | undefined;
    out.push({
      label,
      description: typeof item.description === 'string' ? item.description : undefined,
      contextValue: item.contextValue,
      icon: typeof icon?.id === 'string' ? icon.id : undefined,
      tooltip: typeof tooltip === 'string' ? tooltip : undefined,
      command: item.command?.command,
      node: child,
      children: item.collapsibleState ? await itemsSnapshot(provider, child) : [],
    });
  }
  return out;
}

/** The views of the Custodian container as contributed: id and (localized) name, in order. */
function contributedViews(services: Services): { id: string; name: string }[] {
  return (services.context.extension.packageJSON as { contributes: { views: { custodian: { id: string; name: string }[] } } }).contributes.views.custodian;
}

/** One section's view (`keys`, `team`, `contacts`, `encrypted`, `shamir`, `mfa`), listed as VS Code would list it. */
export async function section(services: Services, id: string): Promise<ViewSnapshot | undefined> {
  const provider = services.views.get(id);
  if (!provider) return undefined;
  const view = `custodian.${id}`;
  const children = await itemsSnapshot(provider);
  return { view, label: contributedViews(services).find((v) => v.id === view)?.name ?? id, description: provider.view.description, children };
}

/** Every section's view, in package.json order. */
export async function treeSnapshot(services: Services): Promise<ViewSnapshot[]> {
  const out: ViewSnapshot[] = [];
  for (const { id } of contributedViews(services)) {
    const snapshot = await section(services, id.replace(/^custodian\./, ''));
    if (snapshot) out.push(snapshot);
  }
  return out;
}

export interface CleanState {
  services: Services;
  /** A scratch directory outside the workspace. */
  scratch: string;
}

/**
 * Mocha hooks for a suite that starts from a known state (resetState) with a scratch directory, and
 * leaves both clean. The fields are set once the suite's first `before` hook ran.
 */
export function useCleanState(): CleanState {
  const state = {} as CleanState;
  before(async () => {
    state.services = await getServices();
    await resetState(state.services);
    state.scratch = scratchDir();
  });
  after(async () => {
    await resetState(state.services);
    fs.rmSync(state.scratch, { recursive: true, force: true });
  });
  return state;
}

/** Deletes every key, contact, roster file, roster pin, fingerprint check and list of what to rotate, so a test starts from a known state. */
export async function resetState(services: Services): Promise<void> {
  for (const k of services.keyStore.list()) await services.keyStore.delete(k.id);
  for (const c of services.contacts.list()) await services.contacts.remove(c.id);
  fs.rmSync(path.join(workspaceFolder().uri.fsPath, '.custodian'), { recursive: true, force: true });
  // Pins live outside the workspace (docs/ROSTER.md §6): a new roster at the same path starts unpinned.
  await services.rosterTrust.forget(workspaceFolder());
  // What a removed teammate could read (Remove Teammate's list, storage/rotation-lists.ts): another suite's people.
  await services.context.workspaceState.update('custodian.toRotate', undefined);
  // What Verify Fingerprint found (storage/fingerprint-checks.ts): per user, so it outlives the workspace.
  await services.context.globalState.update(FINGERPRINT_CHECKS_STATE_KEY, undefined);
  services.refresh();
}
