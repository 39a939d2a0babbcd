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
  const entry = await pickMfaEntry(deps, arg, 'Remove which shared MFA seed?');
  if (!entry) return undefined;
  const path = vscode.workspace.asRelativePath(entry.uri);
  if (
    !a.confirm &&
    !(await confirmModal(
      `Remove the shared MFA seed "${entry.name}"?`,
      `This deletes ${path}. Teammates lose it once the deletion is committed, but anyone who could open it may have ` +
        'kept the seed and can still make codes: reset the MFA device at the service to revoke it.',
      'Remove',
    ))
  ) {
    return undefined;
  }
  deps.mfa.codes.forget(entry.uri.toString());
  await deps.mfa.store.remove(entry);
  void vscode.window.setStatusBarMessage(`Custodian: removed ${path}`, 4000);
  return { removed: entry.name };
}
