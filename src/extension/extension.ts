// Entry point: activate() builds the objects and registers every disposable; nothing global.
// It must stay cheap: no key parsing and no node-forge here (core modules load on first use).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerAgentFeature, type AgentFeature } from './agent/agent-feature';
import { keyStoreKeyring } from './agent/keyring';
import { registerEncryptionCommands, type EncryptionFeature } from './commands/encrypt/register';
import { watchEncFiles } from './commands/rekey/drift';
import { registerKeysCommands } from './commands/keys/register';
import { registerMfaFeature } from './commands/mfa/register';
import { registerPasswordCommands } from './commands/password/register';
import { registerCommands, type CommandHost } from './commands/register';
import { registerShamirCommands } from './commands/shamir/register';
import { OutsiderFiles } from './outsider-files';
import { TeamVersions } from './commands/decrypt/team-version';
import { RosterChanges } from './roster-changes';
import { registerTeamCommands } from './commands/team/register';
import { readConfig } from './config';
import { EnvSource } from './run/env-source';
import { registerRunFeature } from './run/register';
import { registerGitFeature, type GitFeature } from './git/register';
import { createServices, type Services } from './services';
import { installTerminalCli } from './terminal-cli';
import { Contacts } from './storage/contacts';
import { FingerprintChecks } from './storage/fingerprint-checks';
import { KeyStore } from './storage/key-store';
import { Roster } from './storage/roster';
import { errorContext } from './ui/error-context';
import { ErrorReporter } from './ui/error-reporter';
import { ContextKeys } from './views/context-keys';
import { ContactsSection } from './views/sections/contacts-section';
import { KeysSection } from './views/sections/keys-section';
import { TeamSection } from './views/sections/team-section';
import { RotationLists } from './storage/rotation-lists';

/**
 * The test hooks: what `getExtension('custodian-dev.custodian').exports` is when the integration tests
 * run (ExtensionMode.Test). Never exported otherwise: any extension can read `exports`, and these
 * objects reach the key store.
 */
export interface CustodianApi {
  activatedInMs: number;
  services: Services;
  /** Encrypt/decrypt in the editor: its file system, status bar, … */
  encryption: EncryptionFeature;
  /** Git set-up and decrypted diffs. */
  git: GitFeature;
  /** The agent: its address once serving, its audit trail. */
  agent: AgentFeature;
  /** What the status bar says of the active secrets terminal (out of date, or undefined); not the terminals, whose loader decrypts. */
  terminalStaleness: () => string | undefined;
}

export function activate(context: vscode.ExtensionContext): CustodianApi | undefined {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Custodian', { log: true });
  const diagnostics = vscode.languages.createDiagnosticCollection('custodian');
  const errors = new ErrorReporter(log);
  const services = createServices({
    context,
    log,
    errors,
    keyStore: new KeyStore(context.secrets, context.globalState),
    roster: new Roster(diagnostics),
    contacts: new Contacts(context.globalState),
    fingerprintChecks: new FingerprintChecks(context.globalState),
  });
  const { views, keys, roster, contacts, fingerprintChecks } = services;
  const host: CommandHost = {
    errors,
    errorContext: (arg) => errorContext({ keys, roster, contacts }, arg),
    refresh: () => views.refresh(),
  };
  const contextKeys = new ContextKeys(keys, roster);
  const rotation = new RotationLists(context.workspaceState);
  void contextKeys.updateRoster();
  context.subscriptions.push(
    log,
    diagnostics,
    services,
    contextKeys,
    views.addSection(new KeysSection(keys)),
    rotation,
    views.addSection(new TeamSection(roster, keys, services.rosterTrust, rotation, fingerprintChecks)),
    views.addSection(new ContactsSection(contacts, fingerprintChecks)),
  );
  registerMfaFeature(context, host, { mfa: services.mfa, log, clipboard: services.clipboard }, views);
  registerCommands(context, host);
  registerPasswordCommands(context, host, { log, clipboard: services.clipboard, config: readConfig });
  const { session, backend, clipboard, trust } = services;
  registerShamirCommands(context, host, {
    get keyStore() {
      return keys.current;
    },
    roster,
    contacts,
    session,
    backend,
    log,
    clipboard,
    views,
    onDidChangeKeys: keys.onDidChange,
    globalStorageUri: context.globalStorageUri,
  });
  const encryption = registerEncryptionCommands(context, host, {
    get keyStore() {
      return keys.current;
    },
    roster,
    session,
    backend,
    log,
    errors,
    clipboard,
    trust,
    views,
    onDidChangeKeys: keys.onDidChange,
    extensionMode: context.extensionMode,
    globalStorageUri: context.globalStorageUri,
    config: readConfig,
  });
  // Reading the workspace's file headers runs only in a trusted workspace, as the Encrypted Files view does.
  const driftingFiles = async () => (trust.isTrusted ? encryption.deps.drift.drifting() : undefined);
  const rosterChanges = new RosterChanges({
    roster,
    drifting: driftingFiles,
    log,
    myKeys: () => new Set(keys.current.list().map((k) => k.fingerprint)),
    unverified: async () => services.rosterTrust.unverified(await roster.members()),
  });
  context.subscriptions.push(
    rosterChanges,
    new OutsiderFiles({
      scan: async () => (trust.isTrusted ? encryption.deps.drift.scan() : undefined),
      // Runs git: only where the scan runs (a trusted workspace).
      revertedValues: async (uri) => (trust.isTrusted ? (await TeamVersions.load(encryption.deps)).revertedValues(uri) : []),
      rolledBack: (uri) => rotation.unmarkRotated(uri.toString()),
      changes: [watchEncFiles, encryption.valueFiles.onDidChange, trust.onDidChange],
      log,
    }),
  );
  registerTeamCommands(context, host, {
    keys,
    roster,
    contacts,
    fingerprintChecks,
    session: services.session,
    rosterTrust: services.rosterTrust,
    extensionMode: context.extensionMode,
    driftingFiles,
    filesReadableBy: async (fingerprint) => (trust.isTrusted ? encryption.deps.drift.filesReadableBy(fingerprint) : undefined),
    rotation,
    expectRosterChange: (fingerprint) => rosterChanges.expect(fingerprint),
  });
  registerKeysCommands(context, host, {
    keys,
    backend: services.backend,
    config: readConfig,
    // Reading the workspace's file headers runs only in a trusted workspace, as the Encrypted Files view does.
    filesOpenedOnlyWith: async (fingerprint, otherKeys) => (trust.isTrusted ? encryption.deps.drift.filesOpenedOnlyWith(fingerprint, otherKeys) : undefined),
    rosterNames: async (fingerprint) => (await roster.members()).filter((m) => m.key.fingerprint === fingerprint).map((m) => m.name),
  });
  // What this window's terminals, tasks and debug sessions are given (not kept for a restart): the
  // `custodian` command, and the agent's address while it serves.
  context.environmentVariableCollection.persistent = false;
  context.environmentVariableCollection.description = vscode.l10n.t('The custodian command, and where the Custodian agent of this window listens (your keys stay in VS Code).');
  const launcher = installTerminalCli(context, log);
  const git = registerGitFeature(context, host, log, launcher, encryption.valueFiles);
  // The agent may use my keys (unwrap, sign) but is not given the key store.
  const agent = registerAgentFeature(context, {
    keyring: keyStoreKeyring(keys),
    log,
    trust: services.trust,
    config: () => readConfig().agent,
    keyName: (fingerprint) => keys.current.findByFingerprint(fingerprint)?.name,
    cliScript: path.join(context.extensionPath, 'dist', 'cli.js'),
  });
  const terminals = registerRunFeature(context, host, new EnvSource({ session: services.session, backend: services.backend }).load);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return { activatedInMs: performance.now() - started, services, encryption, git, agent, terminalStaleness: () => terminals.staleness };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
