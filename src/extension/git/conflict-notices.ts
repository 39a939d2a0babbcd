// A pull, merge or rebase that leaves an encrypted file in conflict: git's own message ("There are merge
// conflicts") does not say that the file's markers are inside ciphertext, or where to resolve it, and the
// merge driver's advice goes to a terminal the person may never see (a pull from the Source Control view).
// This names each such file once per conflict and offers Custodian's merge editor, where every side is
// decrypted in memory. A `.enc` file in conflict is found by its name; a value-encrypted one (its name is
// an ordinary .env, JSON or YAML name) by the metadata block of one of its sides in git's index.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import { lookWhenSettled } from '../storage/workspace-files';
import { isConflictedValuesFile, unmergedEntries } from './merge-editor';

/** Files change one by one during a merge: one look once they have settled. */
const SETTLE_MS = 750;
/** A notice about several files names this many. */
const FILES_NAMED = 3;

export interface ConflictNoticesDeps {
  /** The repositories to look in (the workspace's); git runs only when this says it may (a trusted workspace). */
  repositories: () => Promise<readonly string[]>;
  /** Subscriptions to what may have brought a conflict (file watchers, trust granted); undefined: only `look()` looks (tests). */
  changes?: readonly ((listener: () => void) => vscode.Disposable)[];
}

/** The conflicted files of a repository, each with its stages' blob ids (which tell one conflict from the next). */
async function conflictedIn(repo: string): Promise<{ file: vscode.Uri; id: string }[]> {
  const byPath = new Map<string, string[]>();
  for (const e of await unmergedEntries(repo)) byPath.set(e.path, [...(byPath.get(e.path) ?? []), `${e.stage}:${e.blob}`]);
  return [...byPath].map(([p, stages]) => {
    const file = vscode.Uri.file(path.join(repo, ...p.split('/')));
    return { file, id: `${file.fsPath}\0${stages.sort().join(',')}` };
  });
}

export class ConflictNotices implements vscode.Disposable {
  /** Conflicts already named: the file and its sides' blob ids (the same conflict is not named twice). */
  private readonly told = new Set<string>();
  private readonly watching: vscode.Disposable | undefined;

  constructor(private readonly deps: ConflictNoticesDeps) {
    this.watching = deps.changes && lookWhenSettled(deps.changes, () => void this.look(), SETTLE_MS);
  }

  dispose(): void {
    this.watching?.dispose();
  }

  /** Looks for encrypted files in conflict and names the new ones; returns them (for tests). */
  async look(): Promise<vscode.Uri[]> {
    const fresh: vscode.Uri[] = [];
    for (const repo of await this.deps.repositories()) {
      for (const { file, id } of await conflictedIn(repo).catch(() => [])) {
        // A `.enc` file by its name; a value-encrypted one (an ordinary name) by its sides in the index.
        if (this.told.has(id) || !(file.path.endsWith('.enc') || (await isConflictedValuesFile(file)))) continue;
        this.told.add(id);
        fresh.push(file);
      }
    }
    if (fresh.length > 0) void this.notify(fresh);
    return fresh;
  }

  private async notify(files: readonly vscode.Uri[]): Promise<void> {
    const names = files.map((f) => vscode.workspace.asRelativePath(f));
    const listed = names.slice(0, FILES_NAMED).join(', ') + (names.length > FILES_NAMED ? ', …' : '');
    const resolve = vscode.l10n.t('Resolve in Merge Editor');
    const choice = await vscode.window.showWarningMessage(
      files.length === 1
        ? vscode.l10n.t('{0} has a merge conflict inside its encryption: resolve it in the merge editor, which shows every side decrypted in memory, then Complete Merge.', listed)
        : vscode.l10n.t('{0} encrypted files have merge conflicts inside their encryption ({1}): resolve each in the merge editor, which shows every side decrypted in memory, then Complete Merge.', files.length, listed),
      resolve,
    );
    if (choice !== resolve) return;
    let file: vscode.Uri | undefined = files[0];
    if (files.length > 1) {
      const picked = await vscode.window.showQuickPick(
        files.map((f, i) => ({ label: names[i], file: f })),
        { title: vscode.l10n.t('Resolve in Merge Editor'), placeHolder: vscode.l10n.t('Which file?') },
      );
      file = picked?.file;
    }
    if (file) await vscode.commands.executeCommand(CommandId.ResolveInMergeEditor, { resourceUri: file });
  }
}
