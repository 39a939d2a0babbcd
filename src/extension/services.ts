// What every command receives: the stores, the lazily loaded core, error reporting and the tree.
// Later features add their services here as readonly fields (constructed in activate()).
import * as vscode from 'vscode';
import type { CryptoBackend } from '../core/crypto-backend';
import { SecretClipboard } from './clipboard';
import { readConfig, type CustodianConfig } from './config';
import { CryptoSession } from './crypto-session';
import { lazyCore } from './lazy-core';
import { SharedMfa } from './mfa/shared-mfa';
import { ActiveKeyStore } from './storage/active-key-store';
import type { Contacts } from './storage/contacts';
import type { FingerprintChecks } from './storage/fingerprint-checks';
import type { KeyStore } from './storage/key-store';
import type { Roster } from './storage/roster';
import type { ErrorReporter } from './ui/error-reporter';
import { SidebarViews } from './views/tree';
import { RosterTrust } from './roster-trust';
import { WorkspaceTrust } from './workspace-trust';

export type { KeysModule } from './lazy-core';

export interface ServicesInit {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  errors: ErrorReporter;
  keyStore: KeyStore;
  roster: Roster;
  contacts: Contacts;
  fingerprintChecks: FingerprintChecks;
}

/** What the commands still share; every part is built before it, in createServices(). */
export interface ServicesParts extends Omit<ServicesInit, 'keyStore'> {
  keys: ActiveKeyStore;
  views: SidebarViews;
  mfa: SharedMfa;
  clipboard: SecretClipboard;
  session: CryptoSession;
  trust: WorkspaceTrust;
  rosterTrust: RosterTrust;
}

/**
 * Builds the shared objects in dependency order, each from the finished objects it needs, and the
 * Services bundle over them. Disposing the bundle disposes what was built here.
 */
export function createServices(init: ServicesInit): Services {
  const keys = new ActiveKeyStore(init.keyStore, init.context.globalState);
  const trust = new WorkspaceTrust();
  const views = new SidebarViews((section) => trust.restrictedChildren(section));
  const backend = memoize(lazyCore.createBackend);
  const rosterTrust = new RosterTrust({ backend, trust, recordWritten: (file) => init.roster.wroteUnderTeamDir(file) });
  const session = new CryptoSession({
    keys,
    roster: init.roster,
    contacts: init.contacts,
    checks: init.fingerprintChecks,
    config: readConfig,
    workspaceState: init.context.workspaceState,
    trust,
    rosterTrust,
  });
  const mfa = new SharedMfa({ session, keys, roster: init.roster, backend });
  const clipboard = new SecretClipboard(() => readConfig().clipboardClearSeconds);
  const owned: vscode.Disposable[] = [trust, trust.onDidChange(() => views.refresh()), views, keys, init.keyStore, init.roster, init.contacts, init.fingerprintChecks, init.errors, mfa, clipboard];
  return new Services({ ...init, keys, views, mfa, clipboard, session, trust, rosterTrust }, backend, owned);
}

function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

export class Services implements vscode.Disposable {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly errors: ErrorReporter;
  readonly roster: Roster;
  readonly contacts: Contacts;
  /** What Verify Fingerprint found, by fingerprint: a mismatch is flagged and asked about before encrypting. */
  readonly fingerprintChecks: FingerprintChecks;
  /** The key store in use (tests can put another SecretStorage under it). */
  readonly keys: ActiveKeyStore;
  /** The sidebar's views, one per section; added in activate() and by each feature. */
  readonly views: SidebarViews;
  /** Shared MFA seeds (`.custodian/mfa/`) and the codes currently shown. */
  readonly mfa: SharedMfa;
  /** The one clipboard for secrets (passwords, MFA codes, decrypted files, recovered secrets), cleared after `custodian.clipboardClearSeconds`. */
  readonly clipboard: SecretClipboard;
  /** Who is who by fingerprint, my identities and my signing key; stateless, so one serves every feature. */
  readonly session: CryptoSession;
  /** Restricted Mode: what may read workspace files by itself. */
  readonly trust: WorkspaceTrust;
  /** Signed roster records and pinned fingerprints: who may be encrypted to without asking. */
  readonly rosterTrust: RosterTrust;
  /** Fires when my keys change (here, in another window, or when the key store is replaced). */
  readonly onDidChangeKeys: vscode.Event<void>;

  constructor(
    parts: ServicesParts,
    /** The Node crypto backend, created on first use. */
    readonly backend: () => Promise<CryptoBackend>,
    private readonly owned: readonly vscode.Disposable[],
  ) {
    this.context = parts.context;
    this.log = parts.log;
    this.errors = parts.errors;
    this.roster = parts.roster;
    this.contacts = parts.contacts;
    this.fingerprintChecks = parts.fingerprintChecks;
    this.keys = parts.keys;
    this.views = parts.views;
    this.mfa = parts.mfa;
    this.clipboard = parts.clipboard;
    this.session = parts.session;
    this.trust = parts.trust;
    this.rosterTrust = parts.rosterTrust;
    this.onDidChangeKeys = parts.keys.onDidChange;
  }

  dispose(): void {
    for (const d of this.owned) d.dispose();
  }

  get keyStore(): KeyStore {
    return this.keys.current;
  }

  /**
   * Puts a key store over another SecretStorage (same metadata) until the returned disposable runs.
   * For tests that simulate a failing OS keychain, and for hosts with their own secret backend.
   */
  replaceSecretStorage(secrets: vscode.SecretStorage): vscode.Disposable {
    return this.keys.replaceSecretStorage(secrets);
  }

  config(scope?: vscode.ConfigurationScope): CustodianConfig {
    return readConfig(scope);
  }

  refresh(): void {
    this.views.refresh();
  }
}
