import * as vscode from 'vscode';
import type { MfaDeps } from './register';
import { fromArgument, is, type Shape } from '../arguments';
import { confirmModal } from '../pick';
import { MFA_TARGET_ARGS, pickMfaEntry, type MfaTargetArgs } from './pick-mfa';

export interface RemoveSharedMfaArgs extends MfaTargetArgs {
  /** Skip the modal confirmation. */
  confirm?: boolean;
}

const REMOVE_SHARED_MFA_ARGS: Shape<RemoveSharedMfaArgs> = { ...MFA_TARGET_ARGS, confirm: is.boolean };

export async function removeSharedMfa(deps: MfaDeps, arg: unknown): Promise<{ removed: string } | undefined> {
  const a = fromArgument(arg, REMOVE_SHARED_MFA_ARGS);
  const entry = await pickMfaEntry(deps, arg, vscode.l10n.t('Remove which shared MFA seed?'));
  if (!entry) return undefined;
  const path = vscode.workspace.asRelativePath(entry.uri);
  if (
    !a.confirm &&
    !(await confirmModal(
      vscode.l10n.t('Remove the shared MFA seed "{0}"?', entry.name),
      vscode.l10n.t(
        'This deletes {0}. Teammates lose it once the deletion is committed, but anyone who could open it may have kept the seed and can still make codes: reset the MFA device at the service to revoke it.',
        path,
      ),
      vscode.l10n.t('Remove'),
    ))
  ) {
    return undefined;
  }
  deps.mfa.codes.forget(entry.uri.toString());
  await deps.mfa.store.remove(entry);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Custodian: removed {0}', path), 4000);
  return { removed: entry.name };
}
