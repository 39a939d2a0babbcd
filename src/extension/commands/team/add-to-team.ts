// Add Myself to Team and Add Teammate: both write `.custodian/team/<name>.pub`.
import * as vscode from 'vscode';
import { CustodianError, InvalidArgumentError } from '../../../core/errors';
import type { TeamDeps } from './register';
import { entryNameProblem } from '../../ui/name-rules';
import { normalizeRosterName, suggestRosterName, type RosterEntry } from '../../storage/roster';
import { targetFolder } from '../../storage/workspace-files';
import { asObject, isInteractive, pickMyKey, type TargetArgs } from '../pick';
import { confirmFingerprint, readPublicKey, type PublicKeyArgs } from './trust-key';
import { lazyCore } from '../../lazy-core';

export interface RosterWriteResult {
  name: string;
  uri: vscode.Uri;
  fingerprint: string;
  /** True when the key was already in the roster and nothing was written. */
  existed?: boolean;
}

interface NameArgs {
  /** Roster file name, without `.pub`. */
  name?: string;
  /** Workspace folder to write into (multi-root); defaults to the first. */
  folder?: vscode.Uri;
  /** Replace an existing roster file of that name. */
  overwrite?: boolean;
}

export type AddMyselfArgs = TargetArgs & NameArgs;

export async function addMyselfToTeam(deps: TeamDeps, arg: unknown): Promise<RosterWriteResult | undefined> {
  const a = asObject<AddMyselfArgs>(arg);
  targetFolder(a.folder);
  const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Which of your keys joins the team?'));
  if (!info) return undefined;
  const existing = await findByFingerprint(deps, info.fingerprint);
  if (existing) {
    void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" is already in the team as {1}.pub.', info.name, existing.name));
    return { name: existing.name, uri: existing.uri, fingerprint: info.fingerprint, existed: true };
  }
  const identity = info.label ?? info.name;
  const suggested = suggestRosterName(identity);
  if (!a.name && !suggested && !isInteractive(arg)) throw new InvalidArgumentError(vscode.l10n.t('Cannot derive a roster file name from the key name: pass a name.'));
  const name = a.name ?? (isInteractive(arg) ? await promptRosterName(suggested, vscode.l10n.t('Your roster file name ({0})', identity)) : suggested);
  if (name === undefined) return undefined;
  const { exportPublicKeyOpenSsh } = await lazyCore.keys();
  const line = exportPublicKeyOpenSsh(await deps.keys.current.getPublicKey(info.id), identity);
  const uri = await deps.roster.write(name, line, { folderUri: a.folder, overwrite: a.overwrite });
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Added "{0}" to the team as {1}. Commit it so teammates can encrypt to you.', info.name, vscode.workspace.asRelativePath(uri)),
  );
  return { name: normalizeRosterName(name), uri, fingerprint: info.fingerprint };
}

export type AddTeammateArgs = PublicKeyArgs & NameArgs;

export async function addTeammate(deps: TeamDeps, arg: unknown): Promise<RosterWriteResult | undefined> {
  const a = asObject<AddTeammateArgs>(arg);
  targetFolder(a.folder);
  const read = await readPublicKey(a, vscode.l10n.t('Add Teammate'));
  if (!read) return undefined;
  const { key, text } = read;
  const existing = await findByFingerprint(deps, key.fingerprint);
  if (existing) {
    throw new CustodianError(vscode.l10n.t('This key is already in the team as {0}.pub.', existing.name));
  }
  const who = key.comment ?? a.name ?? vscode.l10n.t('this teammate');
  if (!a.confirm && !(await confirmFingerprint(key, who, 'teammate'))) return undefined;
  const suggested = suggestRosterName(key.comment);
  if (!a.name && !suggested && !isInteractive(arg)) {
    throw new InvalidArgumentError(vscode.l10n.t('The key has no comment to name the roster file after: pass a name.'));
  }
  const name = a.name ?? (isInteractive(arg) ? await promptRosterName(suggested, vscode.l10n.t('Roster file name for {0}', who)) : suggested);
  if (name === undefined) return undefined;
  const uri = await deps.roster.write(name, text, { folderUri: a.folder, overwrite: a.overwrite });
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Added {0} to the team as {1}. Re-encrypt existing files so they can read them.', who, vscode.workspace.asRelativePath(uri)),
  );
  return { name: normalizeRosterName(name), uri, fingerprint: key.fingerprint };
}

async function findByFingerprint(deps: TeamDeps, fingerprint: string): Promise<RosterEntry | undefined> {
  return (await deps.roster.list()).find((e) => e.kind === 'member' && e.key.fingerprint === fingerprint);
}

async function promptRosterName(suggested: string | undefined, prompt: string): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Team roster: .custodian/team/<name>.pub'),
    prompt,
    value: suggested,
    placeHolder: vscode.l10n.t('e.g. alice'),
    validateInput: (v) => entryNameProblem(normalizeRosterName(v)),
    ignoreFocusOut: true,
  });
  return name === undefined ? undefined : normalizeRosterName(name);
}
