// Show Changes Since the Team's Version. A version of an encrypted file written by someone Custodian
// does not vouch for (a teammate removed who can still push, a stranger, or no one: unsigned) is to be
// read before it is used or re-encrypted, and re-encrypting signs it as mine. This opens the decrypted
// diff from the team's version (team-version.ts: the newest committed version a vouched signer verifiably
// signed) to the file as it is now, so what such a writer changed can be read, and only that, and offers
// to put the team's version back. A file that is an older version back (a rollback: it brings back
// secrets rotated since, even when a teammate signed that version) is compared with the version it undid
// instead. It runs git with the repository's config (git log): trusted workspaces only.
import * as vscode from 'vscode';
import { is, type Shape } from '../arguments';
import { CustodianError } from '../../../core/errors';
import { basename, isEncryptedFileUri } from '../../fs/enc-uri';
import { MAX_INLINE_BYTES } from '../../fs/encrypted-documents';
import { hasValuesFileName } from '../../fs/values-uri';
import { sameAsHead, toGitUri } from '../../git/git-blobs';
import type { EncDeps } from '../encrypt/deps';
import { encTargets, rel } from './target';
import { decryptedViewOf, TeamVersions, workingFileOf, type TeamVersion } from './team-version';

export interface ShowTeamChangesArgs {
  uri?: vscode.Uri;
}

const SHOW_TEAM_CHANGES_ARGS: Shape<ShowTeamChangesArgs> = { uri: is.uri };

export interface ShowTeamChangesResult {
  uri: vscode.Uri;
  /** The team's version (team-version.ts): the diff's left side, or for a rollback the version Restore puts back; undefined when none was found. */
  teamVersion?: TeamVersion;
  /** Set when the file is an older version back: the commit it equals, and the version it undid (the diff's left side). */
  rollback?: { sameAs: string; undone: string };
  /** The diff opened (left: the team's version, or the version a rollback undid; right: the file now), both decrypted views. */
  diff?: { left: vscode.Uri; right: vscode.Uri };
}

export async function showTeamChanges(deps: EncDeps, first: unknown, second: unknown): Promise<ShowTeamChangesResult> {
  const { uris } = encTargets(first, second, SHOW_TEAM_CHANGES_ARGS, (uri) => isEncryptedFileUri(uri) || hasValuesFileName(uri));
  const uri = workingFileOf(uris[0]);
  if (!deps.services.trust.isTrusted) {
    throw new CustodianError(vscode.l10n.t('Reading the history of {0} runs git with this repository\'s settings: trust the workspace first.', rel(uri)));
  }
  if ((await vscode.workspace.fs.stat(uri)).size > MAX_INLINE_BYTES) throw new CustodianError(vscode.l10n.t('{0} is too large to open in an editor.', rel(uri)));
  const teams = await TeamVersions.load(deps);
  // A version that is an older one back (a rollback committed by someone who can push) brings back what
  // was rotated since, whoever signed it then: what it undid is what to read.
  const rollback = await teams.rollbackOf(uri);
  if (rollback) {
    const left = decryptedViewOf(toGitUri(uri, rollback.undone));
    const right = await nowView(uri);
    const title = vscode.l10n.t('{0} (the version it undid, {1}) ↔ now (back to {2})', basename(uri.path), rollback.undone.slice(0, 7), rollback.sameAs.slice(0, 7));
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false, override: true } as vscode.TextDocumentShowOptions);
    const teamVersion = await teams.last(uri);
    if (teamVersion) {
      offerRestore(
        uri,
        teamVersion,
        vscode.l10n.t(
          '{0} is back to the version of commit {1}; the diff shows what that undid. The team\'s version is the one {2} signed in commit {3}.',
          rel(uri),
          rollback.sameAs.slice(0, 7),
          teamVersion.signer.name,
          teamVersion.commit.slice(0, 7),
        ),
      );
    }
    return { uri, rollback, teamVersion, diff: { left, right } };
  }
  // The version on disk is the team's only when its signature verifies too (a header can claim anyone).
  const signer = await teams.ofWorkingFile(uri);
  if (signer) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} is signed by {1}, whom Custodian vouches for: this version is the team\'s.', rel(uri), signer.name));
    return { uri };
  }
  const teamVersion = await teams.last(uri);
  if (!teamVersion) {
    const open = vscode.l10n.t('Open Decrypted');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('No committed version of {0} is signed by someone Custodian vouches for, so there is nothing to compare it with: read all of it before you use it.', rel(uri)),
      open,
    );
    if (choice === open) await vscode.commands.executeCommand('vscode.open', decryptedViewOf(uri));
    return { uri };
  }
  const left = decryptedViewOf(toGitUri(uri, teamVersion.commit));
  const right = await nowView(uri);
  const title = vscode.l10n.t('{0} (the version {1} signed, {2}) ↔ now', basename(uri.path), teamVersion.signer.name, teamVersion.commit.slice(0, 7));
  // `override`: the decrypted path keeps its `.enc` name, which would open Custodian's custom editor (see git/encrypted-diffs.ts).
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false, override: true } as vscode.TextDocumentShowOptions);
  offerRestore(uri, teamVersion, vscode.l10n.t('The diff shows what changed in {0} since the team\'s version, which {1} signed in commit {2}.', rel(uri), teamVersion.signer.name, teamVersion.commit.slice(0, 7)));
  return { uri, teamVersion, diff: { left, right } };
}

/** Beside the diff: what its sides are, and a way to put the team's version back once it is read. */
function offerRestore(uri: vscode.Uri, teamVersion: TeamVersion, text: string): void {
  const restore = vscode.l10n.t('Restore the Team\'s Version');
  void vscode.window.showInformationMessage(text, restore).then((choice) => {
    if (choice === restore) void vscode.commands.executeCommand('custodian.restoreTeamVersion', { uri, commit: teamVersion.commit });
  });
}

/**
 * The file as it is now, decrypted: HEAD's version (read-only) when the file on disk is what HEAD holds,
 * as after the pull that brought it, so reading it cannot start a save (auto-save included) that would
 * sign it as mine; the editable file otherwise (changes not committed yet).
 */
async function nowView(uri: vscode.Uri): Promise<vscode.Uri> {
  return decryptedViewOf((await sameAsHead(uri)) ? toGitUri(uri, 'HEAD') : uri);
}

