// Add Contact / Remove Contact: people outside this repository, kept in globalState.
import * as vscode from 'vscode';
import type { TeamDeps } from '../team/register';
import type { Contact } from '../../storage/contacts';
import { InvalidArgumentError } from '../../../core/errors';
import { asObject, confirmModal, isInteractive, pickContact, type TargetArgs } from '../pick';
import { confirmFingerprint, readPublicKey, type PublicKeyArgs } from '../team/trust-key';

export interface AddContactArgs extends PublicKeyArgs {
  name?: string;
}

export async function addContact(deps: TeamDeps, arg: unknown): Promise<Contact | undefined> {
  const a = asObject<AddContactArgs>(arg);
  const read = await readPublicKey(a, 'Add Contact');
  if (!read) return undefined;
  const who = read.key.comment ?? a.name ?? 'this contact';
  if (!a.confirm && !(await confirmFingerprint(read.key, who, 'contact'))) return undefined;
  if (!a.name && !read.key.comment && !isInteractive(arg)) throw new InvalidArgumentError('The key has no comment to name the contact after: pass a name.');
  const name =
    a.name ??
    (!isInteractive(arg) ? read.key.comment : undefined) ??
    (await vscode.window.showInputBox({
      title: 'Add Contact: name',
      value: read.key.comment,
      prompt: `A name for ${read.key.fingerprint}`,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a name.'),
      ignoreFocusOut: true,
    }));
  if (name === undefined) return undefined;
  const contact = await deps.contacts.add(read.key, name);
  void vscode.window.showInformationMessage(`Added the contact "${contact.name}".`);
  return contact;
}

export interface RemoveContactArgs extends TargetArgs {
  confirm?: boolean;
}

export async function removeContact(deps: TeamDeps, arg: unknown): Promise<{ removed: string } | undefined> {
  const a = asObject<RemoveContactArgs>(arg);
  const contact = await pickContact(deps.contacts, arg, 'Remove which contact?');
  if (!contact) return undefined;
  if (
    !a.confirm &&
    !(await confirmModal(`Remove the contact "${contact.name}"?`, `${contact.fingerprint}\n\nYou can add the key again later.`, 'Remove Contact'))
  ) {
    return undefined;
  }
  await deps.contacts.remove(contact.id);
  return { removed: contact.id };
}
