// Add Myself to Team, Add Teammate and Add Deploy Key: each writes `.custodian/team/<name>.pub` and its signed record.
import * as vscode from 'vscode';
import { CommandId } from '../ids';
import { CustodianError, InvalidArgumentError } from '../../../core/errors';
import type { TeamDeps } from './register';
import { entryNameProblem } from '../../ui/name-rules';
import { normalizeRosterName, suggestRosterName, type RosterEntry } from '../../storage/roster';
import { targetFolder } from '../../storage/workspace-files';
import { fromArgument, is, type Shape } from '../arguments';
import { confirmModal, isInteractive, pickMyKey, TARGET_ARGS, type TargetArgs } from '../pick';
import { confirmFingerprint, PUBLIC_KEY_ARGS, readPublicKey, type PublicKeyArgs } from './trust-key';
import { lazyCore } from '../../lazy-core';
import { reencryptAvailable } from './remove-teammate';
import { recordChange } from './sign-roster';

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

const NAME_ARGS: Shape<NameArgs> = { name: is.string, folder: is.uri, overwrite: is.boolean };

export type AddMyselfArgs = TargetArgs &
  NameArgs & {
    /** Add this key although another of mine is on the team already (asked otherwise). */
    confirm?: boolean;
    /** Ask for my name on the team, as from the palette: a button a person clicked names the key only. */
    askName?: boolean;
  };

const ADD_MYSELF_ARGS: Shape<AddMyselfArgs> = { ...TARGET_ARGS, ...NAME_ARGS, confirm: is.boolean, askName: is.boolean };

export async function addMyselfToTeam(deps: TeamDeps, arg: unknown): Promise<RosterWriteResult | undefined> {
  const a = fromArgument(arg, ADD_MYSELF_ARGS);
  targetFolder(a.folder);
  const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Which of your keys joins the team?'));
  if (!info) return undefined;
  const existing = await findByFingerprint(deps, info.fingerprint);
  if (existing) {
    void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" is already in the team as {1}.pub.', info.name, existing.name));
    return { name: existing.name, uri: existing.uri, fingerprint: info.fingerprint, existed: true };
  }
  if (!a.confirm && !(await confirmSecondKey(deps, info.name))) return undefined;
  const identity = info.label ?? info.name;
  const suggested = suggestRosterName(identity);
  const ask = isInteractive(arg) || a.askName === true;
  if (!a.name && !suggested && !ask) throw new InvalidArgumentError(vscode.l10n.t('Cannot derive a roster file name from the key name: pass a name.'));
  const name = a.name ?? (ask ? await promptRosterName(suggested, vscode.l10n.t('The name your teammates see for you (your key: {0}). Change it or press Enter.', identity)) : suggested);
  if (name === undefined) return undefined;
  const { exportPublicKeyOpenSsh } = await lazyCore.keys();
  const line = exportPublicKeyOpenSsh(await deps.keys.current.getPublicKey(info.id), identity);
  const folder = targetFolder(a.folder);
  const first = (await deps.roster.list()).every((e) => e.folder.index !== folder.index);
  deps.expectRosterChange(info.fingerprint);
  const uri = await deps.roster.write(name, line, { folderUri: a.folder, overwrite: a.overwrite });
  await undoOnFailure(deps, uri, a.overwrite, () => recordChange(deps, folder, { op: 'add', name: normalizeRosterName(name), fingerprint: info.fingerprint }, first));
  const added = vscode.l10n.t('Added "{0}" to the team as {1}. Commit it so teammates can encrypt to you.', info.name, vscode.workspace.asRelativePath(uri));
  // The first member starts the roster's signed records (its root of trust). A teammate who adds
  // themselves before pulling it starts a second one, and git then refuses their pull.
  // Short, the instruction early: a notification among others shows its first line only (a newcomer
  // could not parse the longer one about records/root.json).
  const started = vscode.l10n.t(
    'Added "{0}" as the team\'s first member ({1}). Commit and push .custodian/team now, and have teammates pull it before they add themselves: one who adds themselves first starts a second roster, which git then refuses to merge.',
    info.name,
    vscode.workspace.asRelativePath(uri),
  );
  void vscode.window.showInformationMessage(first ? started : added);
  return { name: normalizeRosterName(name), uri, fingerprint: info.fingerprint };
}

export type AddTeammateArgs = PublicKeyArgs & NameArgs;

const ADD_TEAMMATE_ARGS: Shape<AddTeammateArgs> = { ...PUBLIC_KEY_ARGS, ...NAME_ARGS };

export function addTeammate(deps: TeamDeps, arg: unknown): Promise<RosterWriteResult | undefined> {
  return addKey(deps, arg, 'add');
}

/**
 * A CI or deploy key (docs/ROSTER.md §5, `deploy`): files for the team are encrypted to it, but its
 * signature vouches for no one, so its secret leaking from a CI system cannot sign anyone into the roster.
 */
export function addDeployKey(deps: TeamDeps, arg: unknown): Promise<RosterWriteResult | undefined> {
  return addKey(deps, arg, 'deploy');
}

async function addKey(deps: TeamDeps, arg: unknown, op: 'add' | 'deploy'): Promise<RosterWriteResult | undefined> {
  const a = fromArgument(arg, ADD_TEAMMATE_ARGS);
  targetFolder(a.folder);
  // A Uri alone is a key file to add, as Import Private Key's button passes it; the rest is asked.
  const read = await readPublicKey(arg instanceof vscode.Uri ? { uri: arg } : a, op === 'deploy' ? vscode.l10n.t('Add Deploy Key') : vscode.l10n.t('Add Teammate'), op === 'deploy' ? 'deploy' : 'teammate');
  if (!read) return undefined;
  const { key, text } = read;
  const existing = await findByFingerprint(deps, key.fingerprint);
  if (existing) {
    throw new CustodianError(vscode.l10n.t('This key is already in the team as {0}.pub.', existing.name));
  }
  const suggested = suggestRosterName(key.comment);
  if (!a.name && !suggested && !isInteractive(arg)) {
    throw new InvalidArgumentError(vscode.l10n.t('The key has no comment to name the roster file after: pass a name.'));
  }
  // A key without a comment (a PEM key) names no one: its name is asked first, so that the fingerprint
  // question and the notice name the teammate (a newcomer read "this teammate read me this same fingerprint").
  let name = a.name;
  if (name === undefined && !suggested && isInteractive(arg)) {
    name = await promptRosterName(undefined, op === 'deploy' ? vscode.l10n.t('The name the team sees for this deploy key (e.g. ci): its key holds none.') : vscode.l10n.t('The name the team sees for this teammate (e.g. alice): their key holds none.'));
    if (name === undefined) return undefined;
  }
  const who = key.comment ?? name ?? (op === 'deploy' ? vscode.l10n.t('this deploy key') : vscode.l10n.t('this teammate'));
  const compared = !a.confirm;
  if (compared && !(await confirmFingerprint(key, who, op === 'deploy' ? 'deploy' : 'teammate'))) return undefined;
  const prompt = op === 'deploy' ? vscode.l10n.t('The name the team sees for this deploy key (e.g. ci). Change it or press Enter.') : vscode.l10n.t('The name the team sees for {0}. Change it or press Enter.', who);
  name ??= isInteractive(arg) ? await promptRosterName(suggested, prompt) : suggested;
  if (name === undefined) return undefined;
  deps.expectRosterChange(key.fingerprint);
  const uri = await deps.roster.write(name, text, { folderUri: a.folder, overwrite: a.overwrite });
  // The user just confirmed the fingerprint: the addition is signed by them (and pinned).
  await undoOnFailure(deps, uri, a.overwrite, () => recordChange(deps, targetFolder(a.folder), { op, name: normalizeRosterName(name), fingerprint: key.fingerprint }, false));
  // "They read me this same fingerprint" is the check Verify Fingerprint makes: kept as one (a newcomer saw
  // the entry still say it was unchecked).
  if (compared && op === 'add') await deps.fingerprintChecks.record(key.fingerprint, { result: 'match', name: who, time: new Date().toISOString() });
  // The files already there are not for them yet: the way to change that is one click away, as after a
  // removal. With none, there is nothing to re-encrypt; with none I can open, a teammate who can must.
  const reencrypt = vscode.l10n.t('Re-encrypt Workspace Files');
  const files = await deps.driftingFiles();
  const added =
    op === 'deploy'
      ? vscode.l10n.t('Added {0} to the team as a deploy key ({1}): files for the team are encrypted to it, and its signature vouches for no one.', who, vscode.workspace.asRelativePath(uri))
      : vscode.l10n.t('Added {0} to the team as {1}.', who, vscode.workspace.asRelativePath(uri));
  const next =
    files?.total === 0
      ? vscode.l10n.t('Files encrypted for the team from now on include them.')
      : files?.mine === 0
        ? files.total === 1
          ? vscode.l10n.t('None of your keys opens the file encrypted for the team here: a teammate who can must re-encrypt it (Encrypted Files view).')
          : vscode.l10n.t('None of your keys opens the {0} files encrypted for the team here: a teammate who can must re-encrypt them (Encrypted Files view).', files.total)
        : op === 'deploy'
          ? vscode.l10n.t('Re-encrypt existing files so it can read them.')
          : vscode.l10n.t('Re-encrypt existing files so they can read them.');
  const offer = (files === undefined || files.mine > 0) && (await reencryptAvailable());
  void vscode.window
    .showInformationMessage(`${added} ${next}`, ...(offer ? [reencrypt] : []))
    .then((choice) => (choice === reencrypt ? vscode.commands.executeCommand(CommandId.ReencryptWorkspace) : undefined));
  return { name: normalizeRosterName(name), uri, fingerprint: key.fingerprint };
}

/**
 * When another of my keys is on the team already, a second entry for me is rarely meant (the person
 * picked another key, or wanted to replace theirs): asked first. True when there is none or they say so.
 */
async function confirmSecondKey(deps: TeamDeps, keyName: string): Promise<boolean> {
  const mine = new Set(deps.keys.current.list().map((k) => k.fingerprint));
  const me = (await deps.roster.list()).find((e) => e.kind === 'member' && mine.has(e.key.fingerprint));
  if (!me || me.kind !== 'member') return true;
  const { shortFingerprint } = await lazyCore.keys();
  return confirmModal(
    vscode.l10n.t('You are already on the team as {0}, with your key {1}.', me.name, shortFingerprint(me.key.fingerprint)),
    vscode.l10n.t('Adding "{0}" too makes a second roster entry for you: files for the team are then encrypted to both of your keys.', keyName),
    vscode.l10n.t('Add This Key Too'),
  );
}

/** A new roster file whose signed record could not be written is removed again: no half-done addition. */
async function undoOnFailure(deps: TeamDeps, uri: vscode.Uri, overwrite: boolean | undefined, sign: () => Promise<void>): Promise<void> {
  try {
    await sign();
  } catch (err) {
    if (!overwrite) await deps.roster.remove(uri);
    throw err;
  }
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
