// The Team feature: the committed roster (`.custodian/team/*.pub`) and my local contacts.
import type * as vscode from 'vscode';
import type { ActiveKeyStore } from '../../storage/active-key-store';
import type { Contacts } from '../../storage/contacts';
import type { FingerprintChecks } from '../../storage/fingerprint-checks';
import type { Roster } from '../../storage/roster';
import type { CryptoSession } from '../../crypto-session';
import type { RosterTrust } from '../../roster-trust';
import { signRoster } from './sign-roster';
import { addContact, removeContact } from '../contacts/contacts';
import { CommandId } from '../ids';
import { registerHandlers, type CommandHost, type Handlers } from '../register';
import { addDeployKey, addMyselfToTeam, addTeammate } from './add-to-team';
import { removeTeammate } from './remove-teammate';
import { verifyFingerprint } from './verify-fingerprint';
import type { ReadableFile } from '../rekey/drift';
import type { RotationLists } from '../../storage/rotation-lists';
import { showWhatToRotate } from './what-to-rotate';

export interface TeamDeps {
  keys: ActiveKeyStore;
  roster: Roster;
  contacts: Contacts;
  /** Where Verify Fingerprint keeps what it found. */
  fingerprintChecks: FingerprintChecks;
  session: CryptoSession;
  rosterTrust: RosterTrust;
  extensionMode: vscode.ExtensionMode;
  /**
   * The workspace's files encrypted for the team that do not include the whole team (`.enc` or
   * value-encrypted), and how many of them my keys open; undefined when the workspace is not searched.
   */
  driftingFiles: () => Promise<{ total: number; mine: number } | undefined>;
  /** The workspace's encrypted files this key can open (what a removed teammate could have copied); undefined when the workspace is not searched. */
  filesReadableBy: (fingerprint: string) => Promise<readonly ReadableFile[] | undefined>;
  /** What removed teammates could read, until rotated (the Team view lists them). */
  rotation: RotationLists;
  /** This command adds or removes this key itself, and says so: no "joined the team" notice for it (roster-changes.ts). */
  expectRosterChange: (fingerprint: string) => void;
}

const HANDLERS: Handlers<TeamDeps> = [
  [CommandId.AddMyselfToTeam, addMyselfToTeam],
  [CommandId.AddTeammate, addTeammate],
  [CommandId.AddDeployKey, addDeployKey],
  [CommandId.RemoveTeammate, removeTeammate],
  [CommandId.VerifyFingerprint, verifyFingerprint],
  [CommandId.SignRoster, signRoster],
  [CommandId.AddContact, addContact],
  [CommandId.RemoveContact, removeContact],
  [CommandId.ShowWhatToRotate, showWhatToRotate],
];

export function registerTeamCommands(context: vscode.ExtensionContext, host: CommandHost, deps: TeamDeps): void {
  registerHandlers(context, host, deps, HANDLERS);
}
