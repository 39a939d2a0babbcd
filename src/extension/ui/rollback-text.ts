// How an older version back (a rollback, git/git-blobs.ts) is named wherever it shows: the notice, the
// Encrypted Files view, the status bar and the question a save asks. One wording, so a person who met
// it in one place recognises it in the next.
import * as vscode from 'vscode';
import type { Rollback } from '../git/git-blobs';

/** "back to an older version (abc1234)": a row's description, a status bar's suffix. */
export function rollbackLabel(rollback: Rollback): string {
  return vscode.l10n.t('back to an older version ({0})', rollback.sameAs.slice(0, 7));
}

/** "FILE is back to an older version (commit A), undoing commit B: secrets rotated since may be back." */
export function rollbackSentence(what: string, rollback: Rollback): string {
  return vscode.l10n.t('{0} is back to an older version (commit {1}), undoing commit {2}: secrets rotated since may be back.', what, rollback.sameAs.slice(0, 7), rollback.undone.slice(0, 7));
}
