// Shared MFA: the `.custodian/mfa/` files and the codes currently shown. Built in activate(); cheap to
// construct (a file watcher, no crypto): core modules load when a code is first asked for.
import * as vscode from 'vscode';
import { LiveCodes, type LiveCode } from './live-codes';
import { MfaStore, type MfaEntry, type MfaStoreDeps } from './mfa-store';

export interface ShownCode extends LiveCode {
  name: string;
  issuer?: string;
  account: string;
}

export class SharedMfa implements vscode.Disposable {
  readonly store: MfaStore;
  readonly codes: LiveCodes;
  private readonly subscriptions: vscode.Disposable[];

  constructor(deps: MfaStoreDeps) {
    this.store = new MfaStore(deps);
    this.codes = new LiveCodes();
    this.subscriptions = [this.store, this.codes, this.store.onDidChangeFile((uri) => void this.dropIfChanged(uri))];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  /**
   * Decrypts the entry's seed into memory and returns the current code; the tree then shows it, refreshing, for
   * IDLE_MS. Every call decrypts again, so a file changed on disk a moment ago is never answered from memory.
   */
  async show(entry: MfaEntry): Promise<ShownCode> {
    const opened = await this.store.open(entry);
    const code = await this.codes.reveal(entry.uri.toString(), opened.key, opened.version);
    return { name: entry.name, issuer: opened.key.issuer, account: opened.key.account, ...code };
  }

  /** A seed decrypted from a file that changed (or went) since is stale: drop it. */
  private async dropIfChanged(uri: vscode.Uri): Promise<void> {
    const id = uri.toString();
    const shown = this.codes.version(id);
    if (shown !== undefined && (await this.store.version(uri)) !== shown) this.codes.forget(id);
  }
}
