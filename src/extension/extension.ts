// Entry point: activate() builds the objects and registers every disposable; nothing global.
// It must stay cheap: no key parsing and no node-forge here (core modules load on first use).
import * as vscode from 'vscode';
import { registerEncryptionCommands, type EncryptionFeature } from './commands/encrypt/register';
import { registerCommands } from './commands/register';
import { registerShamirCommands } from './commands/shamir/register';
import { createServices, type Services } from './services';
import { Contacts } from './storage/contacts';
import { KeyStore } from './storage/key-store';
import { Roster } from './storage/roster';
import { ErrorReporter } from './ui/error-reporter';
import { ContextKeys } from './views/context-keys';
import { ContactsSection } from './views/sections/contacts-section';
import { KeysSection } from './views/sections/keys-section';
import { MfaSection } from './views/sections/mfa-section';
import { TeamSection } from './views/sections/team-section';

export const TREE_VIEW_ID = 'custodian.keys';

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
}

export function activate(context: vscode.ExtensionContext): CustodianApi | undefined {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Custodian', { log: true });
  const diagnostics = vscode.languages.createDiagnosticCollection('custodian');
  const services = createServices({
    context,
    log,
    errors: new ErrorReporter(log),
    keyStore: new KeyStore(context.secrets, context.globalState),
    roster: new Roster(diagnostics),
    contacts: new Contacts(context.globalState),
  });
  const contextKeys = new ContextKeys(services);
  const treeView = vscode.window.createTreeView(TREE_VIEW_ID, { treeDataProvider: services.tree, showCollapseAll: true });
  const mfaSection = new MfaSection(services);
  void contextKeys.updateRoster();
  context.subscriptions.push(
    log,
    diagnostics,
    services,
    contextKeys,
    services.tree.addSection(new KeysSection(services)),
    services.tree.addSection(new TeamSection(services)),
    services.tree.addSection(new ContactsSection(services)),
    treeView,
    mfaSection,
    services.tree.addSection(mfaSection),
    mfaSection.attach(treeView),
  );
  registerCommands(context, services);
  registerShamirCommands(context, services);
  const encryption = registerEncryptionCommands(context, services);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return { activatedInMs: performance.now() - started, services, encryption };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
