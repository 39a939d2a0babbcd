// What every command receives: the stores, the lazily loaded core, error reporting and the tree.
// Later features add their services here as readonly fields (constructed in activate()).
import * as vscode from 'vscode';
import type { CryptoBackend } from '../core/crypto-backend';
import { SecretClipboard } from './clipboard';
import { readConfig, type CustodianConfig } from './config';
import { CryptoSession } from './crypto-session';
import { SharedMfa } from './mfa/shared-mfa';
import type { Contacts } from './storage/contacts';
import { KeyStore } from './storage/key-store';
import type { Roster } from './storage/roster';
import type { ErrorReporter } from './ui/error-reporter';
import { CustodianTreeProvider } from './views/tree';
import { WorkspaceTrust } from './workspace-trust';

export type KeysModule = typeof import('../core/keys');

export interface ServicesInit {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  errors: ErrorReporter;
  keyStore: KeyStore;
  roster: Roster;
  contacts: Contacts;
}

export class Services implements vscode.Disposable {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly errors: ErrorReporter;
  readonly roster: Roster;
  readonly contacts: Contacts;
  /** The sidebar; sections are added in activate() and by later features. */
  readonly tree: CustodianTreeProvider;
  /** Shared MFA seeds (`.custodian/mfa/`) and the codes currently shown. */
  readonly mfa: SharedMfa;
  /** The one clipboard for secrets (passwords, MFA codes, decrypted files, recovered secrets), cleared after `custodian.clipboardClearSeconds`. */
  readonly clipboard: SecretClipboard;
  /** Who is who by fingerprint, my identities and my signing key; stateless, so one serves every feature. */
  readonly session: CryptoSession;
  /** Restricted Mode: what may read workspace files by itself. */
  readonly trust: WorkspaceTrust;

  private currentKeyStore: KeyStore;
  private readonly keysChanged = new vscode.EventEmitter<void>();
  /** Fires when my keys change (here, in another window, or when the key store is replaced). */
  readonly onDidChangeKeys = this.keysChanged.event;
  private keyStoreListener: vscode.Disposable;
  private keysModule: Promise<KeysModule> | undefined;
  private backendPromise: Promise<CryptoBackend> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(init: ServicesInit) {
    this.context = init.context;
    this.log = init.log;
    this.errors = init.errors;
    this.roster = init.roster;
    this.contacts = init.contacts;
    this.currentKeyStore = init.keyStore;
    this.keyStoreListener = init.keyStore.onDidChange(() => this.keysChanged.fire());
    this.trust = new WorkspaceTrust();
    this.tree = new CustodianTreeProvider(
      () => this.keyStore.list().length === 0,
      (section) => this.trust.restrictedChildren(section),
    );
    this.subscriptions.push(this.trust, this.trust.onDidChange(() => this.tree.refresh()), this.tree, this.keysChanged, init.keyStore, init.roster, init.contacts, init.errors);
    this.session = new CryptoSession(this);
    this.mfa = new SharedMfa(this);
    this.clipboard = new SecretClipboard(() => this.config().clipboardClearSeconds);
    this.subscriptions.push(this.mfa, this.clipboard);
  }

  dispose(): void {
    this.keyStoreListener.dispose();
    for (const d of this.subscriptions) d.dispose();
  }

  get keyStore(): KeyStore {
    return this.currentKeyStore;
  }

  /**
   * Puts a key store over another SecretStorage (same metadata) until the returned disposable runs.
   * For tests that simulate a failing OS keychain, and for hosts with their own secret backend.
   */
  replaceSecretStorage(secrets: vscode.SecretStorage): vscode.Disposable {
    const previous = this.currentKeyStore;
    const replacement = new KeyStore(secrets, this.context.globalState);
    this.swapKeyStore(replacement);
    return new vscode.Disposable(() => {
      if (this.currentKeyStore === replacement) this.swapKeyStore(previous);
      replacement.dispose();
    });
  }

  /** The core key module, loaded on first use so activate() never pays for node-forge. */
  keys(): Promise<KeysModule> {
    this.keysModule ??= import('../core/keys');
    return this.keysModule;
  }

  /** The Node crypto backend (the extension host is Node), created on first use. */
  backend(): Promise<CryptoBackend> {
    this.backendPromise ??= import('../node/node-crypto-backend').then((m) => m.createNodeCryptoBackend());
    return this.backendPromise;
  }

  config(scope?: vscode.ConfigurationScope): CustodianConfig {
    return readConfig(scope);
  }

  refresh(): void {
    this.tree.refresh();
  }

  private swapKeyStore(store: KeyStore): void {
    this.keyStoreListener.dispose();
    this.currentKeyStore = store;
    this.keyStoreListener = store.onDidChange(() => this.keysChanged.fire());
    this.keysChanged.fire();
  }
}
