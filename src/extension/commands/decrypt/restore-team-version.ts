// Restore the Team's Version: once Show Changes Since the Team's Version has shown what someone Custodian
// does not vouch for changed (or what a rollback undid), this puts the team's version (team-version.ts)
// back, byte for byte as git holds it: ciphertext only, through an atomic write, and nothing is signed
// as mine. The version it replaces stays in git's history when it was committed; changes that were not
// committed are replaced only when the person says so. Committing the restored file is left to them,
// as every other change to the working tree is. Trusted workspaces only: it runs git.
import * as vscode from 'vscode';
import { is, type Shape } from '../arguments';
import { CustodianError } from '../../../core/errors';
import { ENC_SCHEME, encryptedUriOf, isEncryptedFileUri } from '../../fs/enc-uri';
import { MAX_INLINE_BYTES } from '../../fs/encrypted-documents';
import { fromValuesUri, hasValuesFileName, VALUES_SCHEME } from '../../fs/values-uri';
import { readGitBlob, sameAsHead, toGitUri } from '../../git/git-blobs';
import { writeFileAtomic } from '../../storage/workspace-files';
import type { EncDeps } from '../encrypt/deps';
import { encTargets, rel } from './target';
import { decryptedViewOf, TeamVersions, workingFileOf, type TeamVersion } from './team-version';

export interface RestoreTeamVersionArgs {
  uri?: vscode.Uri;
  /** The team's version the caller showed (Show Changes' notice): refused if the team's version is now another. */
  commit?: string;
  /** Replace changes not committed yet without asking (tests); false: leave them. */
  confirm?: boolean;
}

const RESTORE_TEAM_VERSION_ARGS: Shape<RestoreTeamVersionArgs> = { uri: is.uri, commit: is.string, confirm: is.boolean };

export interface RestoreTeamVersionResult {
  uri: vscode.Uri;
  /** The version written back; undefined when nothing was written. */
  restored?: TeamVersion;
}

export async function restoreTeamVersion(deps: EncDeps, first: unknown, second: unknown): Promise<RestoreTeamVersionResult> {
  const { args, uris } = encTargets(first, second, RESTORE_TEAM_VERSION_ARGS, (uri) => isEncryptedFileUri(uri) || hasValuesFileName(uri));
  const uri = workingFileOf(uris[0]);
  if (!deps.services.trust.isTrusted) {
    throw new CustodianError(vscode.l10n.t('Reading the history of {0} runs git with this repository\'s settings: trust the workspace first.', rel(uri)));
  }
  const teams = await TeamVersions.load(deps);
  // A rollback can carry a teammate's valid signature: it is still not the team's version.
  if (!(await teams.rollbackOf(uri))) {
    const signer = await teams.ofWorkingFile(uri);
    if (signer) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} is signed by {1}, whom Custodian vouches for: this version is the team\'s.', rel(uri), signer.name));
      return { uri };
    }
  }
  const teamVersion = await teams.last(uri);
  if (!teamVersion) {
    throw new CustodianError(vscode.l10n.t('No other committed version of {0} is signed by someone Custodian vouches for: there is no team\'s version to restore.', rel(uri)), {
      hint: vscode.l10n.t('Ask a teammate who can open it to encrypt it again for the team.'),
    });
  }
  if (args.commit !== undefined && args.commit !== teamVersion.commit) {
    throw new CustodianError(vscode.l10n.t('The team\'s version of {0} is now the one {1} signed in commit {2}: run "Show Changes Since the Team\'s Version" again to see what it would bring back.', rel(uri), teamVersion.signer.name, teamVersion.commit.slice(0, 7)));
  }
  // An editor's unsaved changes would be saved over the restored version, or lost with the old one.
  const view = decryptedViewOf(uri).toString();
  if (vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.toString() === view)) {
    throw new CustodianError(vscode.l10n.t('{0} has unsaved changes in an editor: revert them first (File: Revert File), or save them if you meant them.', rel(uri)));
  }
  // What is committed stays in git's history; what is not would be gone.
  if (!(await sameAsHead(uri)) && !(await confirmDiscard(uri, teamVersion, args.confirm))) return { uri };
  const bytes = await readGitBlob(toGitUri(uri, teamVersion.commit), MAX_INLINE_BYTES);
  await writeFileAtomic(uri, bytes, { overwrite: true });
  // The diffs that showed what to restore compare versions that are no longer the file's (one side may be
  // HEAD's, which the commit to come moves): closed, rather than left showing the undone version as "now".
  const diffs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && [t.input.original, t.input.modified].some((side) => sameFile(side, uri)));
  if (diffs.length > 0) await vscode.window.tabGroups.close(diffs, true);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('{0} is back to the version {1} signed in commit {2}. Commit it so the team gets it back too.', rel(uri), teamVersion.signer.name, teamVersion.commit.slice(0, 7)),
  );
  return { uri, restored: teamVersion };
}

async function confirmDiscard(uri: vscode.Uri, teamVersion: TeamVersion, answer: boolean | undefined): Promise<boolean> {
  if (answer !== undefined) return answer;
  const restore = vscode.l10n.t('Restore');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Replace {0} with the version {1} signed in commit {2}?', rel(uri), teamVersion.signer.name, teamVersion.commit.slice(0, 7)),
    { modal: true, detail: vscode.l10n.t('The file has changes that are not committed: they are replaced, and git cannot bring them back.') },
    restore,
  );
  return choice === restore;
}

/** Whether `view` (a decrypted view, of the file or of a version of it from git) shows `file`. */
function sameFile(view: vscode.Uri, file: vscode.Uri): boolean {
  if (view.scheme !== ENC_SCHEME && view.scheme !== VALUES_SCHEME) return false;
  return workingFileOf(fromValuesUri(encryptedUriOf(view))).fsPath === file.fsPath;
}
