// Small commands on one of my keys (and Copy Fingerprint, which works on any tree item with a key).
import * as vscode from 'vscode';
import type { KeysDeps } from './register';
import type { KeyInfo } from '../../storage/key-store';
import { secretLocation } from '../../storage/secret-location';
import { CommandId } from '../ids';
import { fromArgument, is, type Shape } from '../arguments';
import { pickMyKey, TARGET_ARGS, type TargetArgs } from '../pick';

export interface RenameKeyArgs extends TargetArgs {
  name?: string;
  label?: string;
}

const RENAME_KEY_ARGS: Shape<RenameKeyArgs> = { ...TARGET_ARGS, name: is.string, label: is.string };

export async function renameKey(deps: KeysDeps, arg: unknown): Promise<KeyInfo | undefined> {
  const a = fromArgument(arg, RENAME_KEY_ARGS);
  const info = await pickMyKey(deps.keys.current, arg, 'Rename which key?');
  if (!info) return undefined;
  const name =
    a.name ??
    (await vscode.window.showInputBox({
      title: 'Rename Key',
      value: info.name,
      prompt: `New name for ${info.fingerprint}`,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a name.'),
    }));
  if (name === undefined) return undefined;
  return deps.keys.current.rename(info.id, name, a.label);
}

export async function setDefaultKey(deps: KeysDeps, arg: unknown): Promise<KeyInfo | undefined> {
  const info = await pickMyKey(deps.keys.current, arg, 'Which key should decrypt first and sign?');
  if (!info) return undefined;
  const updated = await deps.keys.current.setDefault(info.id);
  void vscode.window.setStatusBarMessage(`Custodian: "${updated.name}" is now your default key`, 4000);
  return updated;
}

/** Copies the full fingerprint of my key, a teammate's or a contact's; resolves to it. */
export async function copyFingerprint(deps: KeysDeps, arg: unknown): Promise<string | undefined> {
  const a = fromArgument(arg, TARGET_ARGS);
  let fingerprint: string | undefined;
  let who: string | undefined;
  // A teammate's or contact's fingerprint is public, and it is what the caller's object says: copying
  // it needs no lookup (this feature is not given the roster).
  if (a.entry) {
    if (a.entry.kind !== 'member' || !is.string(a.entry.key?.fingerprint)) return undefined;
    fingerprint = a.entry.key.fingerprint;
    who = a.entry.name;
  } else if (a.contact) {
    if (!is.string(a.contact.fingerprint)) return undefined;
    fingerprint = a.contact.fingerprint;
    who = a.contact.name;
  } else {
    const info = await pickMyKey(deps.keys.current, arg, 'Copy the fingerprint of…');
    if (!info) return undefined;
    fingerprint = info.fingerprint;
    who = info.name;
  }
  await vscode.env.clipboard.writeText(fingerprint);
  void vscode.window.setStatusBarMessage(`Custodian: copied the fingerprint of "${who}"`, 4000);
  return fingerprint;
}

export interface DeleteKeyArgs extends TargetArgs {
  /** Skip the modal confirmation. */
  confirm?: boolean;
}

const DELETE_KEY_ARGS: Shape<DeleteKeyArgs> = { ...TARGET_ARGS, confirm: is.boolean };

const DELETE = 'Delete Key';
const BACKUP_FIRST = 'Export Backup First…';

export async function deleteKey(deps: KeysDeps, arg: unknown): Promise<{ deleted: string } | undefined> {
  const a = fromArgument(arg, DELETE_KEY_ARGS);
  const info = await pickMyKey(deps.keys.current, arg, 'Delete which key?');
  if (!info) return undefined;
  if (!a.confirm) {
    const choice = await vscode.window.showWarningMessage(
      `Delete the key "${info.name}"?`,
      {
        modal: true,
        detail:
          `${info.fingerprint} (RSA ${info.bits}-bit${info.isDefault ? ', your default key' : ''})\n\n` +
          `The private key is removed from ${secretLocation().where}. Files encrypted only to this key become unreadable ` +
          'for good, unless you have a backup of it. This cannot be undone.',
      },
      DELETE,
      BACKUP_FIRST,
    );
    if (choice === BACKUP_FIRST) {
      await vscode.commands.executeCommand(CommandId.ExportPrivateKey, { id: info.id });
      return undefined;
    }
    if (choice !== DELETE) return undefined;
  }
  await deps.keys.current.delete(info.id);
  void vscode.window.showInformationMessage(`Deleted the key "${info.name}".`);
  return { deleted: info.id };
}

