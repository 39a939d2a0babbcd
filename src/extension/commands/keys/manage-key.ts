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
  const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Rename which key?'));
  if (!info) return undefined;
  const name =
    a.name ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Rename Key'),
      value: info.name,
      prompt: vscode.l10n.t('New name for {0}', info.fingerprint),
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name.')),
    }));
  if (name === undefined) return undefined;
  return deps.keys.current.rename(info.id, name, a.label);
}

export async function setDefaultKey(deps: KeysDeps, arg: unknown): Promise<KeyInfo | undefined> {
  const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Which key should decrypt first and sign?'));
  if (!info) return undefined;
  const updated = await deps.keys.current.setDefault(info.id);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Custodian: "{0}" is now your default key', updated.name), 4000);
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
    const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Copy the fingerprint of…'));
    if (!info) return undefined;
    fingerprint = info.fingerprint;
    who = info.name;
  }
  await vscode.env.clipboard.writeText(fingerprint);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Custodian: copied the fingerprint of "{0}"', who), 4000);
  return fingerprint;
}

export interface DeleteKeyArgs extends TargetArgs {
  /** Skip the modal confirmation. */
  confirm?: boolean;
}

const DELETE_KEY_ARGS: Shape<DeleteKeyArgs> = { ...TARGET_ARGS, confirm: is.boolean };

const DELETE = (): string => vscode.l10n.t('Delete Key');
const BACKUP_FIRST = (): string => vscode.l10n.t('Export Backup First…');

export async function deleteKey(deps: KeysDeps, arg: unknown): Promise<{ deleted: string } | undefined> {
  const a = fromArgument(arg, DELETE_KEY_ARGS);
  const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Delete which key?'));
  if (!info) return undefined;
  if (!a.confirm) {
    const others = new Set(deps.keys.current.list().filter((k) => k.id !== info.id).map((k) => k.fingerprint));
    const locked = await deps.filesOpenedOnlyWith(info.fingerprint, others);
    // Export Backup First is the first button, so Enter does not delete.
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the key "{0}"?', info.name),
      {
        modal: true,
        detail: [
          info.isDefault ? vscode.l10n.t('{0} (RSA {1}-bit, your default key)', info.fingerprint, info.bits) : vscode.l10n.t('{0} (RSA {1}-bit)', info.fingerprint, info.bits),
          vscode.l10n.t('The private key is removed from {0}. This cannot be undone.', secretLocation().where),
          ...lockedFilesText(locked),
        ].join('\n\n'),
      },
      BACKUP_FIRST(),
      DELETE(),
    );
    if (choice === BACKUP_FIRST()) {
      await vscode.commands.executeCommand(CommandId.ExportPrivateKey, { id: info.id });
      return undefined;
    }
    if (choice !== DELETE()) return undefined;
  }
  await deps.keys.current.delete(info.id);
  void vscode.window.showInformationMessage(vscode.l10n.t('Deleted the key "{0}".', info.name));
  return { deleted: info.id };
}

/** Names shown per list in Delete Key's warning; the rest are counted. */
const SHOWN_FILES = 6;

/** Delete Key's account of the files the key alone opens here, and for whom that is for good. */
function lockedFilesText(locked: { uri: vscode.Uri; alone: boolean }[] | undefined): string[] {
  const names = (files: { uri: vscode.Uri }[]): string => {
    const shown = files.slice(0, SHOWN_FILES).map((f) => vscode.workspace.asRelativePath(f.uri));
    return files.length > SHOWN_FILES ? vscode.l10n.t('{0} and {1} more', shown.join(', '), files.length - SHOWN_FILES) : shown.join(', ');
  };
  if (locked === undefined) return [vscode.l10n.t('Files encrypted only to this key become unreadable for good, unless you have a backup of it.')];
  if (locked.length === 0) return [vscode.l10n.t('No encrypted file in this workspace needs it; files encrypted to it elsewhere (other repositories, files sent to you) still do.')];
  const alone = locked.filter((f) => f.alone);
  const shared = locked.filter((f) => !f.alone);
  const lost =
    alone.length === 1
      ? vscode.l10n.t('Only this key opens {0} (no one else is a recipient): without a backup of it, it is lost for good.', names(alone))
      : vscode.l10n.t('Only this key opens {0} (no one else is a recipient): without a backup of it, they are lost for good.', names(alone));
  const kept =
    shared.length === 1
      ? vscode.l10n.t('You could no longer open {0}; another recipient can still open it and re-encrypt it for you.', names(shared))
      : vscode.l10n.t('You could no longer open {0}; another recipient can still open them and re-encrypt them for you.', names(shared));
  return [...(alone.length > 0 ? [lost] : []), ...(shared.length > 0 ? [kept] : [])];
}
