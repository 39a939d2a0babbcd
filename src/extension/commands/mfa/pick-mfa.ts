// Resolving which shared MFA entry a command acts on: a tree item, `{ name }`, or a QuickPick.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import type { MfaEntry } from '../../mfa/mfa-store';
import type { MfaDeps } from './register';
import { fromArgument, is, type Shape } from '../arguments';

export interface MfaTargetArgs {
  /** The file name without `.otpauth.enc` (MfaNode has it too). */
  name?: string;
  /** Workspace folder (multi-root); default: the first folder that has the name. */
  folder?: vscode.Uri;
  /** The tree item's entry (MfaNode). */
  entry?: MfaEntry;
}

export const MFA_TARGET_ARGS: Shape<MfaTargetArgs> = { name: is.string, folder: is.uri, entry: is.reference<MfaEntry>('a shared MFA entry', { uri: is.uri, name: is.string }) };

export async function pickMfaEntry(deps: MfaDeps, arg: unknown, placeHolder: string): Promise<MfaEntry | undefined> {
  const a = fromArgument(arg, MFA_TARGET_ARGS);
  if (a.entry) return entryAt(deps, a.entry.uri);
  if (typeof a.name === 'string') return deps.mfa.store.require(a.name, a.folder);
  const entries = await deps.mfa.store.list();
  if (entries.length === 0) {
    throw new CustodianError(vscode.l10n.t('This workspace has no shared MFA seeds yet.'), { hint: vscode.l10n.t('Run "Custodian: Add Shared MFA…" first.') });
  }
  const picked = await vscode.window.showQuickPick(
    entries.map((e) => {
      const label = deps.mfa.store.label(e);
      return {
        label: `${e.problem ? '$(error)' : '$(shield)'} ${e.name}`,
        description: e.problem ? e.problem.message : label ? [label.issuer, label.account].filter(Boolean).join(' · ') : undefined,
        entry: e,
      };
    }),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.entry;
}

/** The stored entry of the seed file `uri`: an argument's entry is looked up by its file only (pick.ts says why). */
async function entryAt(deps: MfaDeps, uri: vscode.Uri): Promise<MfaEntry> {
  const wanted = uri.toString();
  const found = (await deps.mfa.store.list()).find((e) => e.uri.toString() === wanted);
  if (!found) throw new CustodianError(vscode.l10n.t('{0} is not a shared MFA seed of this workspace.', vscode.workspace.asRelativePath(uri)));
  return found;
}
