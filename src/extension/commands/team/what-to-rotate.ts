// Show What to Rotate: the secrets a removed teammate could read (storage/rotation-lists.ts), each file
// with what to rotate in it: a value-encrypted file's encrypted values by name, a share or an MFA seed
// by what to do instead. Choosing a file opens it decrypted, where the new secret goes; the last item
// marks the list as done.
import * as vscode from 'vscode';
import { displayText } from '../../../core/display-text';
import { fromArgument, is, type Shape } from '../arguments';
import { CommandId } from '../ids';
import type { TeamDeps } from './register';
import type { RotationList } from '../../storage/rotation-lists';

export interface ShowWhatToRotateArgs {
  /** Whose list: the removed teammate's key fingerprint (a target, as the Team view passes it); asked when there are several. */
  id?: string;
  /** Mark the list as rotated without showing it (an answer: tests only, caller-arguments.ts). */
  done?: boolean;
}

const SHOW_WHAT_TO_ROTATE_ARGS: Shape<ShowWhatToRotateArgs> = { id: is.string, done: is.boolean };

/** Names of values a list entry shows before "…". */
const MAX_NAMES_SHOWN = 5;

export async function showWhatToRotate(deps: TeamDeps, arg: unknown): Promise<RotationList | undefined> {
  const a = fromArgument(arg, SHOW_WHAT_TO_ROTATE_ARGS);
  const lists = deps.rotation.list();
  if (lists.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to rotate: Remove Teammate lists the secrets a removed teammate could read.'));
    return undefined;
  }
  const list = a.id !== undefined ? deps.rotation.get(a.id) : lists.length === 1 ? lists[0] : await pickList(lists);
  if (!list) return undefined;
  if (a.done) {
    await deps.rotation.done(list.fingerprint);
    return list;
  }
  const who = displayText(list.name);
  const done = { label: vscode.l10n.t('$(check) I rotated these: forget this list'), file: undefined };
  const items = [
    ...list.files.map((f) => ({ label: vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri, true)), description: describe(f), file: f })),
    { label: '', kind: vscode.QuickPickItemKind.Separator, file: undefined },
    done,
  ];
  const chosen = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('What {0} could read: rotate these secrets', who),
    placeHolder: vscode.l10n.t('Choose a file to open it decrypted and put new secrets in it'),
  });
  if (!chosen) return list;
  if (chosen === done) {
    await deps.rotation.done(list.fingerprint);
    return list;
  }
  if (!chosen.file) return list;
  const uri = vscode.Uri.parse(chosen.file.uri, true);
  if (chosen.file.values) await vscode.commands.executeCommand(CommandId.OpenValuesDecrypted, uri);
  else await vscode.commands.executeCommand('vscode.open', uri);
  return list;
}

function describe(f: RotationList['files'][number]): string {
  if (f.values) {
    if (f.values.length === 0) return vscode.l10n.t('no encrypted values');
    return vscode.l10n.t('{0} values: {1}', f.values.length, f.values.slice(0, MAX_NAMES_SHOWN).map((v) => displayText(v, 60)).join(', ') + (f.values.length > MAX_NAMES_SHOWN ? ', …' : ''));
  }
  if (f.keep === 'share') return vscode.l10n.t('Shamir share: split the secret again');
  if (f.keep === 'mfa') return vscode.l10n.t('MFA seed: reset it at the service and share the new one');
  return vscode.l10n.t('every secret in it');
}

async function pickList(lists: readonly RotationList[]): Promise<RotationList | undefined> {
  const chosen = await vscode.window.showQuickPick(
    lists.map((l) => ({ label: displayText(l.name), description: vscode.l10n.t('{0} files', l.files.length), list: l })),
    { title: vscode.l10n.t('Show What to Rotate'), placeHolder: vscode.l10n.t('Whose access to clean up?') },
  );
  return chosen?.list;
}
