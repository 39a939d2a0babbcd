// Plaintext left on disk that git neither tracks nor ignores: an original kept beside its new `.enc` file
// (Cancel at "Delete the plaintext original?"), or a copy written by Decrypt to File / Decrypt Values to New
// File. Source Control's "Stage All Changes" stages it, and `git add` has stored it in .git/objects before the
// pre-commit guard refuses the commit; the guard only knows a plaintext named like its `.enc` twin, so a
// decrypted copy under another name is committed outright (a newcomer's trials did both). And a plaintext git
// already tracks: Encrypt File of a committed `.env` leaves its secrets in the history of every clone, which
// no encryption now takes back (rotating them does), and a kept or staged copy rides along in the next
// commit; so does a decrypted copy written over a tracked file. Said right away, with the fix one click away.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { repositoryPath, runGit } from '../../node/git';

/**
 * The file's path in its repository when it is in a git work tree, untracked and not ignored (what
 * "Stage All" would add); undefined otherwise, or when git cannot say.
 */
export async function unignoredPlaintext(file: vscode.Uri): Promise<{ root: string; path: string } | undefined> {
  if (file.scheme !== 'file') return undefined;
  try {
    const where = await repositoryPath(file.fsPath);
    // --others --exclude-standard: untracked files git does not ignore; a literal pathspec, as names may hold `*`.
    const r = await runGit(where.root, ['ls-files', '-z', '--others', '--exclude-standard', '--', `:(literal)${where.path}`]);
    return r.status === 0 && r.stdout.toString('utf8').split('\0').includes(where.path) ? where : undefined;
  } catch {
    return undefined; // not in a repository, or no git
  }
}

/**
 * The file's path in its repository when git tracks it (the index holds it, even once the file is
 * deleted), and whether a commit reachable from HEAD holds it: then its plaintext is in the history.
 */
export async function trackedPlaintext(file: vscode.Uri): Promise<{ root: string; path: string; committed: boolean } | undefined> {
  if (file.scheme !== 'file') return undefined;
  try {
    const where = await repositoryPath(file.fsPath);
    const spec = `:(literal)${where.path}`;
    const index = await runGit(where.root, ['ls-files', '-z', '--cached', '--', spec]);
    if (index.status !== 0 || !index.stdout.toString('utf8').split('\0').includes(where.path)) return undefined;
    const commit = await runGit(where.root, ['rev-list', '-n', '1', 'HEAD', '--', spec]);
    return { ...where, committed: commit.status === 0 && commit.stdout.toString('utf8').trim() !== '' };
  } catch {
    return undefined;
  }
}

/**
 * Tells, for each plaintext git tracks, what encrypting it now cannot undo: committed, its secrets are in
 * the repository's history and every clone (rotate them); only staged, `git add` stored it and the next
 * commit would carry it. A kept original is offered *Stop Tracking and Ignore* (or *Unstage and Ignore*),
 * a deleted one only staged *Unstage It*: `git rm --cached`, which touches no file on disk. Resolves once
 * every notice is answered.
 */
export async function warnTrackedPlaintext(files: readonly { file: vscode.Uri; deleted: boolean }[]): Promise<void> {
  await Promise.all(
    files.map(async ({ file, deleted }) => {
      const where = await trackedPlaintext(file);
      if (!where) return;
      const name = where.path;
      const ignore = !deleted;
      let message: string;
      let action: string | undefined;
      if (where.committed) {
        message = deleted
          ? vscode.l10n.t('{0} was committed in the clear: its secrets stay in the repository\'s history and in every clone, also once its deletion is committed. Rotate them.', name)
          : vscode.l10n.t('{0} was committed in the clear: its secrets stay in the repository\'s history and in every clone; rotate them. Stop tracking it (git rm --cached) and add it to .gitignore, so that commits no longer carry it?', name);
        action = deleted ? undefined : vscode.l10n.t('Stop Tracking and Ignore');
      } else {
        message = deleted
          ? vscode.l10n.t('{0} is staged in the clear: git add stored it in .git/objects, and the next commit would carry it. Unstage it?', name)
          : vscode.l10n.t('{0} is staged in the clear: git add stored it in .git/objects, and the next commit would carry it. Unstage it and add it to .gitignore?', name);
        action = deleted ? vscode.l10n.t('Unstage It') : vscode.l10n.t('Unstage and Ignore');
      }
      const choice = await (action ? vscode.window.showWarningMessage(message, action) : vscode.window.showWarningMessage(message));
      if (!action || choice !== action) return;
      await stopTrackingAndIgnore(where.root, name, ignore);
    }),
  );
}

/**
 * For copies written by Decrypt to File and Decrypt Values to New File: one git does not ignore is named
 * (warnUnignoredPlaintext), and so is one written over a file git tracks (a committed template, a copy
 * committed before): the decrypted secrets show as a change to it, and "Commit All" or `git commit -a`
 * carries them. Offered *Stop Tracking and Ignore*, which stages its removal from the repository and
 * leaves the file on disk. Resolves once every notice is answered.
 */
export async function warnDecryptedCopies(files: readonly vscode.Uri[]): Promise<void> {
  await Promise.all([warnUnignoredPlaintext(files), ...files.map(warnTrackedDecryptedCopy)]);
}

async function warnTrackedDecryptedCopy(file: vscode.Uri): Promise<void> {
  const where = await trackedPlaintext(file);
  if (!where) return;
  const action = vscode.l10n.t('Stop Tracking and Ignore');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      '{0} is tracked by git and now holds the decrypted secrets: they show as a change to it, and the next commit of all changes would carry them. Stop tracking it (the next commit removes it from the repository; the file stays on disk) and add it to .gitignore?',
      where.path,
    ),
    action,
  );
  if (choice !== action) return;
  await stopTrackingAndIgnore(where.root, where.path, true);
}

/** `git rm --cached` (which touches no file on disk) and, when `ignore`, a .gitignore line naming the file. */
async function stopTrackingAndIgnore(root: string, name: string, ignore: boolean): Promise<void> {
  const r = await runGit(root, ['rm', '--cached', '--quiet', '--', `:(literal)${name}`]);
  if (r.status !== 0) {
    void vscode.window.showErrorMessage(vscode.l10n.t('git could not stop tracking {0}: {1}', name, r.stderr.trim()));
    return;
  }
  if (ignore) await appendLines(vscode.Uri.file(path.join(root, '.gitignore')), [ignoreLine(name)]);
}

/** A repository path as a .gitignore line that matches that one file: anchored, its special characters escaped. */
export function ignoreLine(repoPath: string): string {
  const escaped = repoPath.replace(/[\\*?[\]]/g, (c) => `\\${c}`).replace(/ $/, '\\ ');
  return `/${escaped}`;
}

/**
 * Tells that the plaintext files would be committed, with a button that adds them to the repository's
 * top-level .gitignore. Not .git/info/exclude, which suits a personal leftover of this clone only: the
 * plaintext beside a team's `NAME.enc` is where every teammate's decrypted copy lands (Decrypt to File),
 * and the guard's own fix says .gitignore; the line names a path, nothing of the secret. Resolves once
 * the notice is answered (tests wait for it; the command does not).
 */
export async function warnUnignoredPlaintext(files: readonly vscode.Uri[]): Promise<void> {
  const found: { root: string; path: string }[] = [];
  for (const f of files) {
    const where = await unignoredPlaintext(f);
    if (where) found.push(where);
  }
  if (found.length === 0) return;
  const names = found.map((w) => w.path).join(', ');
  const add = vscode.l10n.t('Add to .gitignore');
  const choice = await vscode.window.showWarningMessage(
    found.length === 1
      ? vscode.l10n.t('{0} is kept in the clear, and git does not ignore it: "Stage All Changes" would stage it, and git add stores it in .git/objects even when the commit is refused. Add it to .gitignore?', names)
      : vscode.l10n.t('{0} are kept in the clear, and git does not ignore them: "Stage All Changes" would stage them, and git add stores them in .git/objects even when the commit is refused. Add them to .gitignore?', names),
    add,
  );
  if (choice !== add) return;
  const byRoot = new Map<string, string[]>();
  for (const w of found) byRoot.set(w.root, [...(byRoot.get(w.root) ?? []), ignoreLine(w.path)]);
  for (const [root, lines] of byRoot) await appendLines(vscode.Uri.file(path.join(root, '.gitignore')), lines);
}

/** Appends `lines` to the file through its document: an editor open on it is not left in conflict with the disk. */
async function appendLines(uri: vscode.Uri, lines: readonly string[]): Promise<void> {
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const text = doc.getText();
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, doc.positionAt(text.length), separator + lines.join(eol) + eol);
  if (!(await vscode.workspace.applyEdit(edit)) || !(await doc.save())) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not add {0} to {1}.', lines.join(', '), vscode.workspace.asRelativePath(uri)));
  }
}
