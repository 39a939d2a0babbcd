// Personal contacts: public keys of people outside this repository's roster, kept in globalState
// (public data only) so they follow me across workspaces.
import * as vscode from 'vscode';
import { base64Decode, base64Encode } from '../../core/bytes';
import { displayText } from '../../core/display-text';
import { CustodianError, InvalidArgumentError } from '../../core/errors';
import type { RsaPublicKey } from '../../core/keys';
import { keyIdFor } from './key-store';
import { lazyCore } from '../lazy-core';

export const CONTACTS_STATE_KEY = 'custodian.contacts';

export interface Contact {
  /** Derived from the fingerprint, like a key id. */
  id: string;
  name: string;
  /** The key's comment, if it had one. */
  comment?: string;
  bits: number;
  fingerprint: string;
  /** SubjectPublicKeyInfo DER, base64. */
  spki: string;
  /** ISO 8601 */
  added: string;
}

interface StoredContacts {
  version: 1;
  contacts: Contact[];
}

export class Contacts implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly state: vscode.Memento) {}

  dispose(): void {
    this.changeEmitter.dispose();
  }

  list(): Contact[] {
    const stored = this.state.get<StoredContacts>(CONTACTS_STATE_KEY);
    if (!stored || stored.version !== 1 || !Array.isArray(stored.contacts)) return [];
    return [...stored.contacts].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(id: string): Contact | undefined {
    return this.list().find((c) => c.id === id);
  }

  async add(key: RsaPublicKey, name: string): Promise<Contact> {
    const trimmed = name.trim();
    if (!trimmed) throw new InvalidArgumentError(vscode.l10n.t('A contact needs a name.'));
    const existing = this.list().find((c) => c.fingerprint === key.fingerprint);
    if (existing) throw new CustodianError(vscode.l10n.t('This key is already a contact: "{0}".', existing.name));
    const contact: Contact = {
      id: keyIdFor(key),
      name: trimmed,
      comment: key.comment,
      bits: key.bits,
      fingerprint: key.fingerprint,
      spki: base64Encode(key.spkiDer),
      added: new Date().toISOString(),
    };
    await this.write([...this.list(), contact]);
    return contact;
  }

  async remove(id: string): Promise<boolean> {
    const contacts = this.list();
    const kept = contacts.filter((c) => c.id !== id);
    if (kept.length === contacts.length) return false;
    await this.write(kept);
    return true;
  }

  async publicKey(contact: Contact): Promise<RsaPublicKey> {
    const { publicKeyFromSpkiDer } = await lazyCore.keys();
    try {
      return publicKeyFromSpkiDer(base64Decode(contact.spki), contact.comment ?? contact.name);
    } catch (err) {
      // A contact stored by an older version (or edited) that no longer passes: say which one.
      if (err instanceof CustodianError) err.message = vscode.l10n.t('contact "{0}": {1}', displayText(contact.name), err.message);
      throw err;
    }
  }

  private async write(contacts: Contact[]): Promise<void> {
    await this.state.update(CONTACTS_STATE_KEY, { version: 1, contacts } satisfies StoredContacts);
    this.changeEmitter.fire();
  }
}
