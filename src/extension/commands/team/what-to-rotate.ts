// Show What to Rotate: the secrets a removed teammate could read (storage/rotation-lists.ts), each file
// with what to rotate in it: a value-encrypted file's encrypted values or a .env/JSON/YAML .enc file's
// entries by name, a share or an MFA seed by what to do instead. Choosing a file opens it decrypted,
// where the new secret goes; a button marks a file rotated, and the last item marks the list as done.
import * as vscode from 'vscode';
import { displayText } from '../../../core/display-text';
import { isMfaSeedPath } from '../../../core/recipient-policy';
import { exists } from '../../storage/workspace-files';
import { fromArgument, is, type Shape } from '../arguments';
import { CommandId } from '../ids';
import type { TeamDeps } from './register';
import type { RotationFile, RotationList } from '../../storage/rotation-lists';

export interface ShowWhatToRotateArgs {
  /** Whose list: the removed teammate's key fingerprint (a target, as the Team view passes it); asked when there are several. */
  id?: string;
  /** Mark the list as rotated without showing it (an answer: tests only, caller-arguments.ts). */
  done?: boolean;
  /** Mark one file (its URI) as rotated without showing the list (an answer, as `done`). */
  rotated?: string;
}

const SHOW_WHAT_TO_ROTATE_ARGS: Shape<ShowWhatToRotateArgs> = { id: is.string, done: is.boolean, rotated: is.string };

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
  if (a.rotated !== undefined) {
    await deps.rotation.markRotated(list.fingerprint, a.rotated, true);
    return deps.rotation.get(list.fingerprint);
  }
  const chosen = await pickFile(deps, list);
  if (chosen === 'done') {
    await deps.rotation.done(list.fingerprint);
    return list;
  }
  if (!chosen) return deps.rotation.get(list.fingerprint);
  const uri = vscode.Uri.parse(chosen.uri, true);
  // Deleted since (a Shamir set split again, a file given up): nothing to open, only a list to keep.
  if (!(await exists(uri))) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} is no longer in the workspace. Once what it held is changed where it is used, mark it as rotated (✓) in Show What to Rotate.', vscode.workspace.asRelativePath(uri)),
    );
    return deps.rotation.get(list.fingerprint);
  }
  if (chosen.values) await vscode.commands.executeCommand(CommandId.OpenValuesDecrypted, uri);
  else await vscode.commands.executeCommand('vscode.open', uri);
  return deps.rotation.get(list.fingerprint);
}

type Item = vscode.QuickPickItem & { file?: RotationFile; done?: true };

/**
 * The list, each file with what to rotate in it and a button that marks it rotated (or not yet), so the
 * list keeps the progress; choosing a file opens it decrypted, the last item forgets the list.
 */
function pickFile(deps: TeamDeps, first: RotationList): Promise<RotationFile | 'done' | undefined> {
  const fingerprint = first.fingerprint;
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = vscode.l10n.t('What {0} could read: rotate these secrets', displayText(first.name));
  pick.placeholder = vscode.l10n.t('Choose a file to open it decrypted and put new secrets in it; ✓ marks it rotated');
  const mark = { iconPath: new vscode.ThemeIcon('check'), tooltip: vscode.l10n.t('Mark as Rotated') };
  const unmark = { iconPath: new vscode.ThemeIcon('discard'), tooltip: vscode.l10n.t('Mark as Not Rotated Yet') };
  const show = (list: RotationList): void => {
    pick.items = [
      ...list.files.map((f) => ({
        label: `${f.rotated ? '$(pass-filled)' : '$(circle-large-outline)'} ${vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri, true))}`,
        description: f.rotated ? vscode.l10n.t('rotated') : describe(f),
        buttons: [f.rotated ? unmark : mark],
        file: f,
      })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: vscode.l10n.t('$(check) I rotated these: forget this list'), done: true },
    ];
  };
  show(first);
  return new Promise((resolve) => {
    pick.onDidTriggerItemButton(async ({ item }) => {
      if (!item.file) return;
      await deps.rotation.markRotated(fingerprint, item.file.uri, !item.file.rotated);
      const now = deps.rotation.get(fingerprint);
      if (now) show(now);
    });
    pick.onDidAccept(() => {
      const [item] = pick.selectedItems;
      resolve(item?.done ? 'done' : item?.file);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

function describe(f: RotationFile): string {
  if (f.values) {
    if (f.values.length === 0) return vscode.l10n.t('no encrypted values');
    return vscode.l10n.t('{0} values: {1}', f.values.length, names(f.values));
  }
  if (f.entries && f.entries.length > 0) return vscode.l10n.t('{0} entries: {1}', f.entries.length, names(f.entries));
  if (f.selections === 1) return vscode.l10n.t('1 encrypted selection: rotate what it holds, then Decrypt in Place and Encrypt Selection again without them');
  if (f.selections) return vscode.l10n.t('{0} encrypted selections: rotate what each holds, then Decrypt in Place and Encrypt Selection again without them', f.selections);
  if (f.keep === 'share') return vscode.l10n.t('Shamir share: change the secret at its service, split the new one and delete this set');
  // A seed shared with the whole team keeps no recipients (keep is unset), but is a seed all the same.
  if (f.keep === 'mfa' || isMfaSeedPath(vscode.Uri.parse(f.uri, true).path)) return vscode.l10n.t('MFA seed: reset it at the service and share the new one');
  return vscode.l10n.t('every secret in it');
}

function names(list: readonly string[]): string {
  return list.slice(0, MAX_NAMES_SHOWN).map((v) => displayText(v, 60)).join(', ') + (list.length > MAX_NAMES_SHOWN ? ', …' : '');
}

async function pickList(lists: readonly RotationList[]): Promise<RotationList | undefined> {
  const chosen = await vscode.window.showQuickPick(
    lists.map((l) => ({ label: displayText(l.name), description: vscode.l10n.t('{0} files', l.files.length), list: l })),
    { title: vscode.l10n.t('Show What to Rotate'), placeHolder: vscode.l10n.t('Whose access to clean up?') },
  );
  return chosen?.list;
}
