import * as vscode from 'vscode';
import type { TeamDeps } from './register';
import { CommandId } from '../ids';
import { fromArgument, is, type Shape } from '../arguments';
import { confirmModal, pickRosterEntry, TARGET_ARGS, type TargetArgs } from '../pick';
import { recordChange } from './sign-roster';

export interface RemoveTeammateArgs extends TargetArgs {
  /** Skip the modal confirmation. */
  confirm?: boolean;
  /** Re-encrypt the workspace's `.enc` files right after (true), or not (false); asked when absent. */
  reencrypt?: boolean;
}

const REMOVE_TEAMMATE_ARGS: Shape<RemoveTeammateArgs> = { ...TARGET_ARGS, confirm: is.boolean, reencrypt: is.boolean };

export type ReencryptOutcome = 'done' | 'unavailable' | 'skipped' | 'offered';

export interface RemoveTeammateResult {
  removed: string;
  reencrypt: ReencryptOutcome;
  /** The workspace's encrypted files they could open before the removal (what to rotate); absent when not searched. */
  couldRead?: { path: string; values?: readonly string[]; entries?: readonly string[]; selections?: number }[];
}

export async function removeTeammate(deps: TeamDeps, arg: unknown): Promise<RemoveTeammateResult | undefined> {
  const a = fromArgument(arg, REMOVE_TEAMMATE_ARGS);
  const entry = await pickRosterEntry(deps.roster, arg, vscode.l10n.t('Remove whom from the team?'), new Set(deps.keys.current.list().map((k) => k.fingerprint)));
  if (!entry) return undefined;
  const path = vscode.workspace.asRelativePath(entry.uri);
  const who = entry.kind === 'member' ? entry.identity : entry.name;
  if (
    !a.confirm &&
    !(await confirmModal(
      vscode.l10n.t('Remove {0} from the team?', who),
      vscode.l10n.t(
        'This deletes {0}. Files already encrypted to {1} stay readable by them until they are re-encrypted without them, and anything they could read before may already be copied: rotate those secrets.',
        path,
        who,
      ),
      vscode.l10n.t('Remove Teammate'),
    ))
  ) {
    return undefined;
  }
  // What they could read, before re-keying shuts them out of it: the secrets to rotate.
  const couldRead = entry.kind === 'member' ? await deps.filesReadableBy(entry.key.fingerprint) : undefined;
  // A signed removal: a later revert that brings the file back is caught (docs/ROSTER.md §5).
  if (entry.kind === 'member') await recordChange(deps, entry.folder, { op: 'remove', name: entry.name, fingerprint: entry.key.fingerprint }, false);
  if (entry.kind === 'member') deps.expectRosterChange(entry.key.fingerprint);
  await deps.roster.remove(entry.uri);
  // Once removed, kept until marked as done (the Team view shows it): a notice is gone once dismissed.
  if (entry.kind === 'member' && couldRead && couldRead.length > 0) {
    await deps.rotation.record({
      fingerprint: entry.key.fingerprint,
      name: entry.name,
      removed: new Date().toISOString(),
      files: couldRead.map((f) => ({
        uri: f.uri.toString(),
        ...(f.values ? { values: [...f.values] } : {}),
        ...(f.entries ? { entries: [...f.entries] } : {}),
        ...(f.keep ? { keep: f.keep } : {}),
        ...(f.selections ? { selections: f.selections } : {}),
      })),
    });
  }

  const rotate =
    couldRead && couldRead.length > 0
      ? vscode.l10n.t('Rotate the secrets {0} could read ({1} files): removing them does not make them forget.', who, couldRead.length)
      : vscode.l10n.t('Rotate the secrets {0} could read: removing them does not make them forget.', who);
  // The removal reaches the team's clones, and their next encryption, only once it is committed.
  const commit = vscode.l10n.t('Commit .custodian/team/ and the re-encrypted files so that your teammates\' copies leave {0} out too.', who);
  const showList = vscode.l10n.t('Show What to Rotate');
  const listed = couldRead && couldRead.length > 0 ? [showList] : [];
  const act = (choice: string | undefined, action?: string): void => {
    if (choice === showList && entry.kind === 'member') void vscode.commands.executeCommand(CommandId.ShowWhatToRotate, { id: entry.key.fingerprint });
    else if (choice !== undefined && choice === action) void vscode.commands.executeCommand(CommandId.ReencryptWorkspace);
  };
  let outcome: ReencryptOutcome;
  if (a.reencrypt === false) outcome = 'skipped';
  else if (!(await reencryptAvailable())) {
    outcome = 'unavailable';
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t(
          'Removed {0} from the team. Re-encrypting the workspace\'s .enc files is not available in this version of Custodian yet; until they are re-encrypted, {0} can still open them. {1}',
          who,
          rotate,
        ) + ` ${commit}`,
        ...listed,
      )
      .then((choice) => act(choice));
  } else if (a.reencrypt === true) {
    // The same command as the drift view: it leaves shares and chosen files alone, skips unverified
    // files, and lists what it will do in a confirmation unless the caller already confirmed all of it.
    await vscode.commands.executeCommand(CommandId.ReencryptWorkspace, { confirm: a.confirm === true });
    outcome = 'done';
    void vscode.window.showInformationMessage(`${vscode.l10n.t('Removed {0}; the workspace\'s team files were re-encrypted without them. {1}', who, rotate)} ${commit}`, ...listed).then((choice) => act(choice));
  } else {
    outcome = 'offered';
    const action = vscode.l10n.t('Re-encrypt Workspace Files');
    void vscode.window.showWarningMessage(`${vscode.l10n.t('Removed {0} from the team. {1}', who, rotate)} ${commit}`, action, ...listed).then((choice) => act(choice, action));
  }
  const result: RemoveTeammateResult = { removed: entry.name, reencrypt: outcome };
  if (couldRead) result.couldRead = couldRead.map((f) => ({ path: vscode.workspace.asRelativePath(f.uri), ...(f.values ? { values: f.values } : {}), ...(f.entries ? { entries: f.entries } : {}), ...(f.selections ? { selections: f.selections } : {}) }));
  return result;
}

/** Re-encrypt Workspace Files is registered (not on every host). */
export async function reencryptAvailable(): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(CommandId.ReencryptWorkspace);
}
