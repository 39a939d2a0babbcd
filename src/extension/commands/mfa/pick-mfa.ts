// Resolving which shared MFA entry a command acts on: a tree item, `{ name }`, or a QuickPick.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import type { MfaEntry } from '../../mfa/mfa-store';
import type { MfaDeps } from './register';
import { asObject } from '../pick';

export interface MfaTargetArgs {
  /** The file name without `.otpauth.enc` (MfaNode has it too). */
  name?: string;
  /** Workspace folder (multi-root); default: the first folder that has the name. */
  folder?: vscode.Uri;
  /** The tree item's entry (MfaNode). */
  entry?: MfaEntry;
}

export async function pickMfaEntry(deps: MfaDeps, arg: unknown, placeHolder: string): Promise<MfaEntry | undefined> {
  const a = asObject<MfaTargetArgs>(arg);
  if (a.entry) return a.entry;
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
