// A pull, merge or rebase that leaves an encrypted file in conflict: git's own message ("There are merge
// conflicts") does not say that the file's markers are inside ciphertext, or where to resolve it, and the
// merge driver's advice goes to a terminal the person may never see (a pull from the Source Control view).
// This names each such file once per conflict and offers Custodian's merge editor, where every side is
// decrypted in memory. A `.enc` file in conflict is found by its name; a value-encrypted one (its name is
// an ordinary .env, JSON or YAML name) by the metadata block of one of its sides in git's index.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runGit } from '../../node/git';
import { CommandId } from '../commands/ids';
import { MAX_INLINE_BYTES } from '../fs/encrypted-documents';
import { hasValuesFileName, looksValueEncrypted } from '../fs/values-uri';
import { lookWhenSettled } from '../storage/workspace-files';
import { readGitBlob, toGitUri } from './git-blobs';

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

/** One conflicted path of a repository: its unmerged stages' blob ids (`git ls-files -u`). */
interface Unmerged {
  readonly file: vscode.Uri;
  /** Stage number → blob id. */
  readonly stages: ReadonlyMap<number, string>;
}

async function unmergedIn(repo: string): Promise<Unmerged[]> {
  const r = await runGit(repo, ['ls-files', '-u', '-z']);
  if (r.status !== 0) return [];
  const byPath = new Map<string, Map<number, string>>();
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    const m = /^\d+ ([0-9a-f]+) ([123])\t(.+)$/s.exec(entry);
    if (!m) continue;
    const stages = byPath.get(m[3]) ?? new Map<number, string>();
    stages.set(Number(m[2]), m[1]);
    byPath.set(m[3], stages);
  }
  return [...byPath].map(([p, stages]) => ({ file: vscode.Uri.file(path.join(repo, ...p.split('/'))), stages }));
}

/** Whether a conflicted file is Custodian's to resolve: a `.enc` file, or a value-encrypted side in the index. */
async function isEncrypted(u: Unmerged): Promise<boolean> {
  if (u.file.path.endsWith('.enc')) return true;
  if (!hasValuesFileName(u.file)) return false;
  for (const stage of [2, 3]) {
    if (!u.stages.has(stage)) continue;
    const text = await readGitBlob(toGitUri(u.file, `:${stage}`), MAX_INLINE_BYTES).then((b) => new TextDecoder().decode(b), () => '');
    if (looksValueEncrypted(text)) return true;
  }
  return false;
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
      for (const u of await unmergedIn(repo).catch((): Unmerged[] => [])) {
        const id = `${u.file.fsPath}\0${[...u.stages].sort(([a], [b]) => a - b).join(',')}`;
        if (this.told.has(id) || !(await isEncrypted(u))) continue;
        this.told.add(id);
        fresh.push(u.file);
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
