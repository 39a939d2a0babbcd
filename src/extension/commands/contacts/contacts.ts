// Add Contact / Remove Contact: people outside this repository, kept in globalState.
import * as vscode from 'vscode';
import type { TeamDeps } from '../team/register';
import type { Contact } from '../../storage/contacts';
import { InvalidArgumentError } from '../../../core/errors';
import { fromArgument, is, type Shape } from '../arguments';
import { confirmModal, isInteractive, pickContact, TARGET_ARGS, type TargetArgs } from '../pick';
import { confirmFingerprint, PUBLIC_KEY_ARGS, readPublicKey, type PublicKeyArgs } from '../team/trust-key';

export interface AddContactArgs extends PublicKeyArgs {
  name?: string;
}

const ADD_CONTACT_ARGS: Shape<AddContactArgs> = { ...PUBLIC_KEY_ARGS, name: is.string };

export async function addContact(deps: TeamDeps, arg: unknown): Promise<Contact | undefined> {
  const a = fromArgument(arg, ADD_CONTACT_ARGS);
  // A Uri alone is a key file to add, as Import Private Key's button passes it; the rest is asked.
  const read = await readPublicKey(arg instanceof vscode.Uri ? { uri: arg } : a, vscode.l10n.t('Add Contact'), 'contact');
  if (!read) return undefined;
  const who = read.key.comment ?? a.name ?? vscode.l10n.t('this contact');
  const compared = !a.confirm;
  if (compared && !(await confirmFingerprint(read.key, who, 'contact'))) return undefined;
  if (!a.name && !read.key.comment && !isInteractive(arg)) throw new InvalidArgumentError(vscode.l10n.t('The key has no comment to name the contact after: pass a name.'));
  const name =
    a.name ??
    (!isInteractive(arg) ? read.key.comment : undefined) ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Add Contact: name'),
      value: read.key.comment,
      prompt: vscode.l10n.t('A name for {0}', read.key.fingerprint),
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name.')),
      ignoreFocusOut: true,
    }));
  if (name === undefined) return undefined;
  const contact = await deps.contacts.add(read.key, name);
  // "They read me this same fingerprint" is the check Verify Fingerprint makes: kept as one.
  if (compared) await deps.fingerprintChecks.record(read.key.fingerprint, { result: 'match', name: who, time: new Date().toISOString() });
  void vscode.window.showInformationMessage(vscode.l10n.t('Added the contact "{0}".', contact.name));
  return contact;
}

export interface RemoveContactArgs extends TargetArgs {
  confirm?: boolean;
}

const REMOVE_CONTACT_ARGS: Shape<RemoveContactArgs> = { ...TARGET_ARGS, confirm: is.boolean };

export async function removeContact(deps: TeamDeps, arg: unknown): Promise<{ removed: string } | undefined> {
  const a = fromArgument(arg, REMOVE_CONTACT_ARGS);
  const contact = await pickContact(deps.contacts, arg, vscode.l10n.t('Remove which contact?'));
  if (!contact) return undefined;
  if (
    !a.confirm &&
    !(await confirmModal(
      vscode.l10n.t('Remove the contact "{0}"?', contact.name),
      vscode.l10n.t('{0}\n\nYou can add the key again later.', contact.fingerprint),
      vscode.l10n.t('Remove Contact'),
    ))
  ) {
    return undefined;
  }
  await deps.contacts.remove(contact.id);
  return { removed: contact.id };
}
