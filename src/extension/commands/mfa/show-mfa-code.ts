// Show MFA Code (selecting an item runs it) and Copy MFA Code. Both decrypt the seed in memory; the
// tree then shows the code, refreshing, until it goes idle. Neither logs the code.
import * as vscode from 'vscode';
import { groupCode } from '../../mfa/live-codes';
import type { ShownCode } from '../../mfa/shared-mfa';
import type { MfaDeps } from './register';
import { CommandId } from '../ids';
import { isInteractive } from '../pick';
import { pickMfaEntry } from './pick-mfa';

const COPY = (): string => vscode.l10n.t('Copy');

function isTreeItem(arg: unknown): boolean {
  return typeof (arg as { getTreeItem?: unknown } | undefined)?.getTreeItem === 'function';
}

export async function showMfaCode(deps: MfaDeps, arg: unknown): Promise<ShownCode | undefined> {
  const entry = await pickMfaEntry(deps, arg, vscode.l10n.t('Show the code of…'));
  if (!entry) return undefined;
  const shown = await deps.mfa.show(entry);
  if (isInteractive(arg) && !isTreeItem(arg)) {
    // From the palette (no argument, not a tree item) the tree may be hidden: say the code here too.
    void vscode.window
      .showInformationMessage(vscode.l10n.t('{0}: {1} ({2}s left)', describe(shown), groupCode(shown.code), shown.secondsRemaining), COPY())
      .then((choice) => {
        if (choice === COPY()) void vscode.commands.executeCommand(CommandId.CopyMfaCode, { entry });
      });
  }
  return shown;
}

export interface CopiedMfaCode {
  name: string;
  secondsRemaining: number;
  /** Seconds until the clipboard is cleared (0: clearing disabled). */
  clearsInSeconds: number;
}

export async function copyMfaCode(deps: MfaDeps, arg: unknown): Promise<CopiedMfaCode | undefined> {
  const entry = await pickMfaEntry(deps, arg, vscode.l10n.t('Copy the code of…'));
  if (!entry) return undefined;
  const shown = await deps.mfa.show(entry);
  const { clearsInSeconds } = await deps.clipboard.copy(shown.code);
  void vscode.window.setStatusBarMessage(
    clearsInSeconds > 0
      ? vscode.l10n.t('Custodian: copied the {0} code, valid {1}s more; the clipboard clears in {2}s', describe(shown), shown.secondsRemaining, clearsInSeconds)
      : vscode.l10n.t('Custodian: copied the {0} code, valid {1}s more', describe(shown), shown.secondsRemaining),
    4000,
  );
  return { name: shown.name, secondsRemaining: shown.secondsRemaining, clearsInSeconds };
}

function describe(shown: ShownCode): string {
  return shown.issuer ? `${shown.issuer} (${shown.account})` : shown.name;
}
