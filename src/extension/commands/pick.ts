// Resolving a command's target: from an argument object (tests, other commands), a tree item
// (context menus pass the node), or interactively with a QuickPick. Every picker resolves to
// undefined when the user cancels.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import { ActionableError } from '../ui/error-reporter';
import { CommandId } from './ids';
import type { Contact, Contacts } from '../storage/contacts';
import type { KeyInfo, KeyStore } from '../storage/key-store';
import type { Roster, RosterEntry } from '../storage/roster';
import { MessageNode } from '../views/tree';
import { lazyCore } from '../lazy-core';
import { fromArgument, is, type Shape } from './arguments';

/** Fields a command argument may carry to name its target; tree nodes carry them too. */
export interface TargetArgs {
  /** One of my keys (KeyNode has `keyId`). */
  id?: string;
  keyId?: string;
  /** A roster entry (TeammateNode has `entry`), by file name (without `.pub`) or by uri. */
  entry?: RosterEntry;
  name?: string;
  uri?: vscode.Uri;
  /** A contact (ContactNode has `contact`). */
  contact?: Contact;
}

/** Guards of the target fields; commands spread them into their own shapes. */
export const TARGET_ARGS: Shape<TargetArgs> = {
  id: is.string,
  keyId: is.string,
  entry: is.reference<RosterEntry>('a roster entry', { uri: is.uri, name: is.string }),
  name: is.string,
  uri: is.uri,
  contact: is.reference<Contact>('a contact', { id: is.string }),
};

/**
 * The roster entry of the file `uri`, as the roster holds it now. An argument's `entry` is looked up
 * by its file only: a tree node's entry may be stale, and an entry object from another caller may
 * claim any key.
 */
export async function rosterEntryAt(roster: Roster, uri: vscode.Uri): Promise<RosterEntry> {
  const wanted = uri.toString();
  const found = (await roster.list()).find((e) => e.uri.toString() === wanted);
  if (!found) throw new CustodianError(vscode.l10n.t('{0} is not in the team roster.', vscode.workspace.asRelativePath(uri)));
  return found;
}

/** The stored contact with this id (an argument's `contact` is looked up by id, as entries by file). */
export function contactWithId(contacts: Contacts, id: string): Contact {
  const found = contacts.get(id);
  if (!found) throw new CustodianError(vscode.l10n.t('That contact no longer exists.'));
  return found;
}

/**
 * True when a person runs the command: without arguments (palette, view title, welcome button) or
 * on a tree item (context menu). Then missing values are asked for; with an argument object from
 * code or tests, they take their defaults instead, so nothing waits for input that never comes.
 */
export function isInteractive(arg: unknown): boolean {
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg) || arg instanceof vscode.Uri) return true;
  if (arg instanceof MessageNode) return true;
  return Object.keys(arg).length === 0 || typeof (arg as { getTreeItem?: unknown }).getTreeItem === 'function';
}

export function noKeysError(): CustodianError {
  return new ActionableError(vscode.l10n.t('You have no keys yet.'), { hint: vscode.l10n.t('Run "Custodian: Generate Key" or "Custodian: Import Private Key" first.') }, [
    { title: vscode.l10n.t('Generate Key…'), command: CommandId.GenerateKey },
    { title: vscode.l10n.t('Import Private Key…'), command: CommandId.ImportPrivateKey },
  ]);
}

export async function pickMyKey(keyStore: KeyStore, arg: unknown, placeHolder: string): Promise<KeyInfo | undefined> {
  const a = fromArgument(arg, TARGET_ARGS);
  const id = a.keyId ?? a.id;
  if (typeof id === 'string') return keyStore.require(id);
  const keys = keyStore.list();
  if (keys.length === 0) throw noKeysError();
  if (keys.length === 1) return keys[0];
  const { shortFingerprint } = await lazyCore.keys();
  const picked = await vscode.window.showQuickPick(
    keys.map((k) => ({
      label: `${k.isDefault ? '$(star-full)' : '$(key)'} ${k.name}`,
      description: k.isDefault ? vscode.l10n.t('{0}-bit · {1} · default', k.bits, shortFingerprint(k.fingerprint)) : vscode.l10n.t('{0}-bit · {1}', k.bits, shortFingerprint(k.fingerprint)),
      detail: k.label,
      key: k,
    })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.key;
}

/** `mine`: my keys' fingerprints, so that my own entry is marked "you" (a trial could not tell which one was theirs). */
export async function pickRosterEntry(roster: Roster, arg: unknown, placeHolder: string, mine: ReadonlySet<string> = new Set()): Promise<RosterEntry | undefined> {
  const a = fromArgument(arg, TARGET_ARGS);
  const uri = a.entry?.uri ?? a.uri;
  if (uri) return rosterEntryAt(roster, uri);
  const entries = await roster.list();

  if (typeof a.name === 'string') {
    const found = await roster.find(a.name);
    if (!found) throw new CustodianError(vscode.l10n.t('"{0}" is not in the team roster.', a.name));
    return found;
  }
  if (entries.length === 0) throw new CustodianError(vscode.l10n.t('This workspace has no team roster yet.'), { hint: vscode.l10n.t('Add yourself or a teammate first.') });
  const { shortFingerprint } = await lazyCore.keys();
  const picked = await vscode.window.showQuickPick(
    entries.map((e) => ({
      label: `${e.kind === 'member' ? (mine.has(e.key.fingerprint) ? '$(account)' : '$(person)') : '$(error)'} ${e.name}`,
      description:
        e.kind !== 'member'
          ? e.problem
          : mine.has(e.key.fingerprint)
            ? vscode.l10n.t('you · {0} · {1}-bit · {2}', e.identity, e.key.bits, shortFingerprint(e.key.fingerprint))
            : vscode.l10n.t('{0} · {1}-bit · {2}', e.identity, e.key.bits, shortFingerprint(e.key.fingerprint)),
      entry: e,
    })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.entry;
}

export async function pickContact(contacts: Contacts, arg: unknown, placeHolder: string): Promise<Contact | undefined> {
  const a = fromArgument(arg, TARGET_ARGS);
  const id = a.contact?.id ?? a.id;
  if (id !== undefined) return contactWithId(contacts, id);
  const all = contacts.list();
  if (all.length === 0) throw new CustodianError(vscode.l10n.t('You have no contacts yet.'));
  const { shortFingerprint } = await lazyCore.keys();
  const picked = await vscode.window.showQuickPick(
    all.map((c) => ({ label: `$(account) ${c.name}`, description: vscode.l10n.t('{0}-bit · {1}', c.bits, shortFingerprint(c.fingerprint)), contact: c })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.contact;
}

/** A modal warning; resolves true only when the user chose `action`. */
export async function confirmModal(message: string, detail: string, action: string): Promise<boolean> {
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
}
