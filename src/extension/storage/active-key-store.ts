// The key store in use. Tests (a failing OS keychain) and hosts with their own secret backend can put
// another SecretStorage under it for a while; everyone holding this object sees the swap and the event.
import * as vscode from 'vscode';
import { KeyStore } from './key-store';

export class ActiveKeyStore implements vscode.Disposable {
  private store: KeyStore;
  private storeListener: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when my keys change (here, in another window, or when the key store is replaced). */
  readonly onDidChange = this.changed.event;

  constructor(
    initial: KeyStore,
    private readonly globalState: vscode.Memento,
  ) {
    this.store = initial;
    this.storeListener = initial.onDidChange(() => this.changed.fire());
  }

  get current(): KeyStore {
    return this.store;
  }

  /** Puts a key store over another SecretStorage (same metadata) until the returned disposable runs. */
  replaceSecretStorage(secrets: vscode.SecretStorage): vscode.Disposable {
    const previous = this.store;
    const replacement = new KeyStore(secrets, this.globalState);
    this.swap(replacement);
    return new vscode.Disposable(() => {
      if (this.store === replacement) this.swap(previous);
      replacement.dispose();
    });
  }

  dispose(): void {
    this.storeListener.dispose();
    this.changed.dispose();
  }

  private swap(store: KeyStore): void {
    this.storeListener.dispose();
    this.store = store;
    this.storeListener = store.onDidChange(() => this.changed.fire());
    this.changed.fire();
  }
}
