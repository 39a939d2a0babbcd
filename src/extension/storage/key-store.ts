// My private keys. The PKCS#8 DER lives only in SecretStorage (the OS keychain, or the browser profile on
// a web host: see secret-location.ts), one entry per key
// under SECRET_PREFIX; public keys and metadata live in globalState beside them. There is no fallback:
// when SecretStorage fails the operation fails, because a private key must never be stored in the clear.
import * as vscode from 'vscode';
import { base64Decode, base64Encode, hexEncode } from '../../core/bytes';
import { CustodianError, InvalidArgumentError } from '../../core/errors';
import type { RsaPrivateKey, RsaPublicKey } from '../../core/keys';
import { secretLocation } from './secret-location';
import { lazyCore } from '../lazy-core';

/** SecretStorage key of a private key: `custodian.key.<id>`, value base64(PKCS#8 DER). */
export const SECRET_PREFIX = 'custodian.key.';
/** globalState key of the metadata record (public data only). */
export const KEYS_STATE_KEY = 'custodian.keys';


/** SecretStorage (the OS keychain, or the browser profile on a web host) refused or failed an operation. */
/** The refusal of a second copy of a key (Import says it before asking for a name). */
export function alreadyStored(existing: KeyInfo): CustodianError {
  return new CustodianError(vscode.l10n.t('This key is already in your keys as "{0}".', existing.name), {
    hint: vscode.l10n.t('Rename it instead of importing it again.'),
  });
}

export class SecretStorageError extends CustodianError {
  constructor(operation: string, cause?: unknown) {
    const location = secretLocation();
    super(vscode.l10n.t('Custodian could not access {0} (SecretStorage) to {1}. No private key was stored anywhere else.', location.where, operation), {
      cause,
      hint: location.inBrowser
        ? vscode.l10n.t('Allow this site to store data (cookies and site data) in the browser settings, and do not use a private window.')
        : vscode.l10n.t(
            'On Linux, install and unlock a Secret Service keyring (gnome-keyring or KWallet), or start VS Code with `--password-store=gnome-libsecret` (set "password-store" in argv.json via "Preferences: Configure Runtime Arguments"). On macOS and Windows, make sure the keychain / Credential Manager is unlocked.',
          ),
    });
  }
}

/** A key id that is not (or no longer) in the store. */
export class KeyNotFoundError extends CustodianError {}

/** Metadata of one of my keys: public, safe to show and to keep in globalState. */
export interface KeyInfo {
  /** Stable id: hex of the first 12 bytes of the SHA-256 fingerprint. */
  id: string;
  name: string;
  /** Email or free-form label; used as the OpenSSH comment when the key joins a roster. */
  label?: string;
  bits: number;
  /** "SHA256:…" */
  fingerprint: string;
  /** SubjectPublicKeyInfo DER, base64. */
  spki: string;
  /** ISO 8601 */
  created: string;
  isDefault: boolean;
}

interface StoredKeys {
  version: 1;
  defaultId?: string;
  keys: Omit<KeyInfo, 'isDefault'>[];
}

export interface NewKey {
  name: string;
  label?: string;
}

export function keyIdFor(publicKey: RsaPublicKey): string {
  return hexEncode(publicKey.fingerprintBytes.subarray(0, 12));
}

export class KeyStore implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires after any change made here or, through SecretStorage, in another window. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {
    this.subscriptions.push(
      secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) this.changeEmitter.fire();
      }),
    );
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  /** Cheap (globalState only; never touches the keychain or parses a key): safe in activate(). */
  list(): KeyInfo[] {
    const stored = this.read();
    return stored.keys.map((k) => ({ ...k, isDefault: k.id === stored.defaultId }));
  }

  get(id: string): KeyInfo | undefined {
    return this.list().find((k) => k.id === id);
  }

  /** Throws KeyNotFoundError instead of returning undefined. */
  require(id: string): KeyInfo {
    const info = this.get(id);
    if (!info) throw new KeyNotFoundError(vscode.l10n.t('That key is no longer in your keys (it may have been deleted in another window).'));
    return info;
  }

  getDefault(): KeyInfo | undefined {
    const keys = this.list();
    return keys.find((k) => k.isDefault) ?? keys[0];
  }

  findByFingerprint(fingerprint: string): KeyInfo | undefined {
    return this.list().find((k) => k.fingerprint === fingerprint);
  }

  /** Stores a private key: keychain first (read back to be sure), metadata only once that succeeded. */
  async add(key: RsaPrivateKey, meta: NewKey): Promise<KeyInfo> {
    const name = meta.name.trim();
    if (!name) throw new InvalidArgumentError(vscode.l10n.t('A key needs a name.'));
    const existing = this.findByFingerprint(key.publicKey.fingerprint);
    if (existing) throw alreadyStored(existing);
    const id = keyIdFor(key.publicKey);
    const encoded = base64Encode(key.pkcs8Der);
    try {
      await this.secrets.store(SECRET_PREFIX + id, encoded);
      const readBack = await this.secrets.get(SECRET_PREFIX + id);
      if (readBack !== encoded) throw new Error('the stored value did not read back');
    } catch (err) {
      await this.secrets.delete(SECRET_PREFIX + id).then(undefined, () => undefined);
      throw new SecretStorageError(vscode.l10n.t('store the private key'), err);
    }
    const stored = this.read();
    const info: Omit<KeyInfo, 'isDefault'> = {
      id,
      name,
      label: meta.label?.trim() || undefined,
      bits: key.publicKey.bits,
      fingerprint: key.publicKey.fingerprint,
      spki: base64Encode(key.publicKey.spkiDer),
      created: new Date().toISOString(),
    };
    await this.write({ ...stored, defaultId: stored.defaultId ?? id, keys: [...stored.keys, info] });
    return this.require(id);
  }

  /** The private key's PKCS#8 DER. The caller owns the buffer and should zeroize it when done. */
  async getPrivateKeyDer(id: string): Promise<Uint8Array> {
    this.require(id);
    let encoded: string | undefined;
    try {
      encoded = await this.secrets.get(SECRET_PREFIX + id);
    } catch (err) {
      throw new SecretStorageError(vscode.l10n.t('read a private key'), err);
    }
    if (encoded === undefined) {
      throw new KeyNotFoundError(vscode.l10n.t('The private key is missing from {0} (it was reset or cleared, or the key was deleted elsewhere).', secretLocation().where), {
        hint: vscode.l10n.t('Import it again from a backup, or delete this entry.'),
      });
    }
    return base64Decode(encoded);
  }

  /** Whether the keychain still holds the private key (false when missing; throws SecretStorageError on failure). */
  async hasPrivateKey(id: string): Promise<boolean> {
    try {
      return (await this.secrets.get(SECRET_PREFIX + id)) !== undefined;
    } catch (err) {
      throw new SecretStorageError(vscode.l10n.t('read a private key'), err);
    }
  }

  async rename(id: string, name: string, label?: string): Promise<KeyInfo> {
    const trimmed = name.trim();
    if (!trimmed) throw new InvalidArgumentError(vscode.l10n.t('A key needs a name.'));
    this.require(id);
    const stored = this.read();
    await this.write({
      ...stored,
      keys: stored.keys.map((k) => (k.id === id ? { ...k, name: trimmed, label: label === undefined ? k.label : label.trim() || undefined } : k)),
    });
    return this.require(id);
  }

  async setDefault(id: string): Promise<KeyInfo> {
    this.require(id);
    await this.write({ ...this.read(), defaultId: id });
    return this.require(id);
  }

  /** Deletes the keychain entry first: a failure there leaves the metadata so the key stays visible. */
  async delete(id: string): Promise<void> {
    this.require(id);
    try {
      await this.secrets.delete(SECRET_PREFIX + id);
    } catch (err) {
      throw new SecretStorageError(vscode.l10n.t('delete the private key'), err);
    }
    const stored = this.read();
    const keys = stored.keys.filter((k) => k.id !== id);
    const defaultId = stored.defaultId === id ? keys[0]?.id : stored.defaultId;
    await this.write({ version: 1, defaultId, keys });
  }

  /** The public key of one of my keys (parsed lazily; core keys module loaded on first use). */
  async getPublicKey(id: string): Promise<RsaPublicKey> {
    const info = this.require(id);
    const { publicKeyFromSpkiDer } = await lazyCore.keys();
    return publicKeyFromSpkiDer(base64Decode(info.spki), info.label ?? info.name);
  }

  private read(): StoredKeys {
    const stored = this.state.get<StoredKeys>(KEYS_STATE_KEY);
    if (!stored || stored.version !== 1 || !Array.isArray(stored.keys)) return { version: 1, keys: [] };
    return stored;
  }

  private async write(value: StoredKeys): Promise<void> {
    await this.state.update(KEYS_STATE_KEY, value);
    this.changeEmitter.fire();
  }
}
