// Resolve in Merge Editor: VS Code's three-way merge editor over a conflicted `.enc` or value-encrypted
// file, decrypted. git keeps the three versions of a conflicted file as index stages (1 the common
// ancestor, 2 ours, 3 theirs); each is read from git and decrypted in memory through a read-only
// `custodian-enc:` (`custodian-values:`) view of its `git:` URI, and the result is the decrypted working
// file, so saving it re-encrypts. Nothing is written in the clear, and a version that cannot be decrypted
// stops the command before anything opens. VS Code's own merge editor would show a value-encrypted file's
// tokens, and its result (the file itself, saved by auto-save) could drop both sides' changes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasConflictMarkers } from '../../core/conflict-markers';
import { CustodianError, describeError } from '../../core/errors';
import { displayText } from '../../core/display-text';
import type { EnvelopeInfo } from '../../core/envelope';
import { keepReason } from '../../core/recipient-policy';
import type { KnownKey } from '../crypto-session';
import { runGit } from '../../node/git';
import { fromArgument, is, type Shape } from '../commands/arguments';
import { encTargets, rel } from '../commands/decrypt/target';
import type { EncDeps } from '../commands/encrypt/deps';
import { utf8DecodeKeepingBom } from '../../core/bytes';
import { ENC_SCHEME, isEncryptedFileUri, toDecryptedUri, toEncryptedUri, toMergeResultUri } from '../fs/enc-uri';
import { MAX_INLINE_BYTES } from '../fs/encrypted-documents';
import { valuesHeaderOf } from '../fs/values-files';
import { fromValuesUri, hasValuesFileName, looksValueEncrypted, toValuesMergeResultUri, toValuesUri, VALUES_SCHEME } from '../fs/values-uri';
import { lazyCore } from '../lazy-core';
import { readGitBlob, toGitUri } from './git-blobs';
import { until } from '../until';

export interface ResolveInMergeEditorArgs {
  uri?: vscode.Uri;
  /** What the Source Control view passes: the resource state of a merge change. */
  resourceUri?: vscode.Uri;
}

const RESOLVE_ARGS: Shape<ResolveInMergeEditorArgs> = { uri: is.uri, resourceUri: is.uri };

/** What the merge editor was opened on (for callers and tests). */
export interface ResolveInMergeEditorResult {
  base: vscode.Uri;
  /** Left: theirs in a merge, ours in a rebase (as VS Code's git extension lays them out). */
  input1: vscode.Uri;
  input2: vscode.Uri;
  result: vscode.Uri;
}

type Stage = 1 | 2 | 3;

/** One unmerged index entry (`git ls-files -u -z`): a path (relative to where git ran), a stage and its blob. */
export interface UnmergedEntry {
  readonly path: string;
  readonly stage: Stage;
  readonly blob: string;
}

/** The unmerged index entries under `cwd` (`pathspec`: only those); none outside a repository. */
export async function unmergedEntries(cwd: string, pathspec: readonly string[] = []): Promise<UnmergedEntry[]> {
  const r = await runGit(cwd, ['ls-files', '-u', '-z', '--', ...pathspec]);
  if (r.status !== 0) return [];
  return r.stdout
    .toString('utf8')
    .split('\0')
    .flatMap((entry) => {
      const m = /^\d+ ([0-9a-f]+) ([123])\t(.+)$/s.exec(entry);
      return m ? [{ path: m[3], stage: Number(m[2]) as Stage, blob: m[1] }] : [];
    });
}

/** Which merge stages the index holds for `file`: none when it is not in conflict. */
export async function conflictStages(file: vscode.Uri): Promise<Set<Stage>> {
  return new Set((await unmergedEntries(path.dirname(file.fsPath), [`./${path.basename(file.fsPath)}`])).map((e) => e.stage));
}

/** The side of the conflict a version is, for titles and errors. */
function sideName(stage: Stage | 'working'): string {
  switch (stage) {
    case 1:
      return vscode.l10n.t('the base version (the common ancestor, stage 1)');
    case 2:
      return vscode.l10n.t('the current version (ours, stage 2)');
    case 3:
      return vscode.l10n.t('the incoming version (theirs, stage 3)');
    default:
      return vscode.l10n.t('the working-tree version');
  }
}

interface Commit {
  short: string;
  /** A branch that names it, when one does. */
  name?: string;
}

async function commitOf(cwd: string, ref: string): Promise<Commit | undefined> {
  const hash = await runGit(cwd, ['rev-parse', '-q', '--verify', '--short', `${ref}^{commit}`]);
  if (hash.status !== 0) return undefined;
  const short = hash.stdout.toString('utf8').trim();
  const name = await runGit(cwd, ['name-rev', '--name-only', '--no-undefined', '--refs=refs/heads/*', '--refs=refs/remotes/*', `${ref}`]);
  return { short, name: name.status === 0 ? name.stdout.toString('utf8').trim().replace(/^remotes\//, '') : undefined };
}

/** The commit being merged in, and whether it is a rebase (which swaps the merge editor's columns). */
async function incoming(cwd: string): Promise<{ commit?: Commit; rebase: boolean }> {
  for (const ref of ['MERGE_HEAD', 'REBASE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD']) {
    const commit = await commitOf(cwd, ref);
    if (commit) return { commit, rebase: ref === 'REBASE_HEAD' };
  }
  return { rebase: false };
}

/** Decrypts one version to check it can be shown; the error names the version and the file. */
async function checkDecrypts(deps: EncDeps, encrypted: vscode.Uri, stage: Stage | 'working', file: vscode.Uri): Promise<void> {
  let binary = false; // a value-encrypted file is text whenever it opens
  try {
    if (isEncryptedFileUri(file)) binary = stage === 'working' ? (await deps.fs.prepare(encrypted)).binary : (await deps.fs.documents.open(encrypted)).binary;
    else await deps.valuesFs.readFile(toValuesUri(encrypted));
  } catch (err) {
    throw new CustodianError(vscode.l10n.t('Cannot open {0} in the merge editor: {1} cannot be decrypted ({2}).', rel(file), sideName(stage), describeError(err)), {
      hint: vscode.l10n.t('Ask someone who can read every version to merge it, or resolve the conflict markers in the decrypted editor.'),
      cause: err,
    });
  }
  if (binary) {
    throw new CustodianError(vscode.l10n.t('Cannot open {0} in the merge editor: {1} is binary data, not text.', rel(file), sideName(stage)), {
      hint: vscode.l10n.t('Decrypt each version to a file and merge them by hand.'),
    });
  }
}

/** Whether the conflicted `file` is a value-encrypted file: one of its sides in the index is. */
export async function isConflictedValuesFile(file: vscode.Uri): Promise<boolean> {
  if (file.scheme !== 'file' || isEncryptedFileUri(file) || !hasValuesFileName(file)) return false;
  for (const stage of [2, 3] as const) {
    const text = await readGitBlob(toGitUri(file, `:${stage}`), MAX_INLINE_BYTES).then((b) => new TextDecoder().decode(b), () => '');
    if (looksValueEncrypted(text)) return true;
  }
  return false;
}

export async function resolveInMergeEditor(deps: EncDeps, first: unknown, second: unknown): Promise<ResolveInMergeEditorResult | undefined> {
  const { resourceUri } = fromArgument(first, RESOLVE_ARGS);
  // The Source Control view cannot show a menu item for some file types only (its menus get no
  // resource keys), so a plaintext file chosen there goes to VS Code's own merge editor.
  if (resourceUri?.scheme === 'file' && !isEncryptedFileUri(resourceUri) && !(await isConflictedValuesFile(resourceUri))) {
    await vscode.commands.executeCommand('git.openMergeEditor', resourceUri);
    return undefined;
  }
  const { uris } = encTargets(resourceUri ?? first, second, RESOLVE_ARGS, (uri) => isEncryptedFileUri(uri) || hasValuesFileName(uri));
  const file = uris[0];
  const values = !isEncryptedFileUri(file);
  const entries = await unmergedEntries(path.dirname(file.fsPath), [`./${path.basename(file.fsPath)}`]);
  const stages = new Set(entries.map((e) => e.stage));
  if (!stages.has(2) || !stages.has(3)) {
    if (stages.size === 0) {
      throw new CustodianError(vscode.l10n.t('{0} has no merge conflict to resolve.', rel(file)), {
        hint: vscode.l10n.t('The merge editor is for an encrypted file git reports as conflicted (both modified) after a merge, rebase or cherry-pick.'),
      });
    }
    throw new CustodianError(vscode.l10n.t('{0} was deleted on one side of the merge: there are no two versions to merge.', rel(file)), {
      hint: vscode.l10n.t('Keep the file with "git add" or delete it with "git rm", then continue the merge.'),
    });
  }
  const version = (stage: Stage) => (values ? toValuesUri : toDecryptedUri)(toGitUri(file, `:${stage}`));
  // Checked one by one, so the first that fails is the one named; an added-on-both-sides file has no base.
  for (const stage of [1, 2, 3] as const) if (stages.has(stage)) await checkDecrypts(deps, toGitUri(file, `:${stage}`), stage, file);
  await checkDecrypts(deps, file, 'working', file);
  await checkSideSigners(deps, file, entries);

  const cwd = path.dirname(file.fsPath);
  const [head, other] = await Promise.all([commitOf(cwd, 'HEAD'), incoming(cwd)]);
  const describe = (c: Commit | undefined) => (c ? `$(git-commit) ${c.short}` : '');
  const current = { uri: version(2), title: vscode.l10n.t('Current'), description: describe(head), detail: head?.name ?? '' };
  const theirs = { uri: version(3), title: vscode.l10n.t('Incoming'), description: describe(other.commit), detail: other.commit?.name ?? '' };
  const [input1, input2] = other.rebase ? [current, theirs] : [theirs, current];
  const opened: ResolveInMergeEditorResult = { base: version(1), input1: input1.uri, input2: input2.uri, result: values ? toValuesMergeResultUri(file) : toMergeResultUri(file) };
  // A value-encrypted file the driver could not merge holds both sides between markers (VALUES.md §12).
  if (!values && (await writeDriverMerge(deps, opened.result, stages.has(1) ? opened.base : undefined, version(2), version(3)))) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} held only the current version (the merge driver could not decrypt it where git ran). It now holds the merge of both versions, encrypted, and the merge editor shows each conflict to decide.', rel(file)),
    );
  }
  await reloadIfStale(deps, opened.result);
  await vscode.commands.executeCommand('_open.mergeEditor', { base: opened.base, input1, input2, output: opened.result });
  return opened;
}

/**
 * The merge driver's rule (docs/GIT.md, "Each side's author"), applied before the merge editor opens: a
 * side that changed since the base must be signed by someone I vouch for (as everywhere in the extension:
 * one of my keys, a teammate or a contact; CryptoSession.unverifiedSigner). The driver stops at such a
 * side and leaves ours in the working file, which the merge editor's result is: saved, it would be
 * encrypted for ours' recipients (an outsider's ours added them) and signed as mine, laundering what the
 * driver refused. Refusing here, rather than opening with narrowed recipients, keeps one rule for both
 * tools and leaves nothing that a later save or Complete Merge could seal for the outsider. "Changed" is
 * any other bytes than the base's: content, recipients and policy would all be carried into the result.
 * A `.enc` side's signer is verified: checkDecrypts decrypted it.
 */
async function checkSideSigners(deps: EncDeps, file: vscode.Uri, entries: readonly UnmergedEntry[]): Promise<void> {
  const base = entries.find((e) => e.stage === 1)?.blob;
  const known = await deps.session.knownKeys();
  const headerOf = async (bytes: Uint8Array) => (isEncryptedFileUri(file) ? (await lazyCore.envelope()).inspectEnvelope(bytes) : valuesHeaderOf(utf8DecodeKeepingBom(bytes), file));
  // Whom a save of the result encrypts for: the working file's recipients (a value-encrypted file left
  // in its conflict form by the driver reads as ours, which the driver already checked).
  const working = async (): Promise<EnvelopeInfo> =>
    headerOf(await vscode.workspace.fs.readFile(file)).catch(async () => headerOf(await readGitBlob(toGitUri(file, ':2'), MAX_INLINE_BYTES)));
  for (const stage of [2, 3] as const) {
    const blob = entries.find((e) => e.stage === stage)?.blob;
    if (blob === undefined || blob === base) continue;
    const version = toGitUri(file, `:${stage}`);
    const header = await headerOf(await readGitBlob(version, MAX_INLINE_BYTES));
    const status = deps.session.unverifiedSigner(header, known);
    // git's commands take the path in the repository.
    const prefix = await runGit(path.dirname(file.fsPath), ['rev-parse', '--show-prefix']);
    const name = `${prefix.status === 0 ? prefix.stdout.toString('utf8').trim() : ''}${path.basename(file.fsPath)}`;
    if (status === undefined) {
      await checkChosenSide(file, stage, header, await working(), known, name);
      continue;
    }
    throw new CustodianError(
      vscode.l10n.t(
        'Cannot open {0} in the merge editor: {1} changed it since the base and is {2}. Merged, your save would sign its content as yours and encrypt the result for whoever that version added.',
        rel(file),
        sideName(stage),
        status === 'unsigned' ? vscode.l10n.t('unsigned') : status,
      ),
      {
        hint:
          stage === 2
            ? vscode.l10n.t('Look at it with "git show :2:{0} | custodian decrypt". To keep the incoming version instead, run "git checkout --theirs {0}" (after a stash pop, your change is also still in the stash), then "git add {0}".', name)
            : vscode.l10n.t('Look at it with "git show :3:{0} | custodian decrypt". To keep the current version instead, run "git checkout --ours {0}", then "git add {0}".', name),
      },
    );
  }
}

/**
 * The merge driver's other rule (docs/GIT.md, "Files for chosen people"): a side kept for chosen people
 * (recipient-policy.ts keepReason) that changed since the base goes to no one it is not for. The result is
 * saved for the working file's recipients, so a version for alice alone (a byte copy of her admin file
 * over the team's file, say) merged here would be sealed for the whole team: refused, naming who.
 */
async function checkChosenSide(file: vscode.Uri, stage: Stage, side: EnvelopeInfo, working: EnvelopeInfo, known: readonly KnownKey[], name: string): Promise<void> {
  if (keepReason(file.fsPath, side.recipientPolicy) === undefined) return;
  const readers = new Set(side.recipients);
  const added = working.recipients.filter((fp) => !readers.has(fp));
  if (added.length === 0) return;
  const names = (fps: readonly string[]) => fps.map((fp) => displayText(known.find((k) => k.fingerprint === fp)?.name ?? fp)).join(', ');
  throw new CustodianError(
    vscode.l10n.t(
      'Cannot open {0} in the merge editor: {1} is encrypted for chosen people ({2}), and the merged file would also be read by {3}, who could not read what it changed.',
      rel(file),
      sideName(stage),
      names(side.recipients),
      names(added),
    ),
    {
      hint: vscode.l10n.t('Decide who may read it: keep one version ("git checkout --ours {0}" or "git checkout --theirs {0}", then "git add {0}"), or merge by hand and encrypt the result for the people who may read both. If that version is a copy of another file, it does not belong here.', name),
    },
  );
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/**
 * When the merge driver could not run (no key where git ran the merge), git leaves ours in the working
 * file, without markers. The merge editor would take that text as the resolution: every conflict
 * silently decided for ours, the incoming change lost on "Complete Merge". Then the working file gets
 * what the driver would have written: git's line merge of the three versions, markers included,
 * encrypted (the file system re-encrypts it to its recipients, signed by me), and the merge editor
 * starts from it as after a driver that ran. A working file that differs from ours (markers, or a
 * resolution the user saved) is left as it is. Returns whether the file was rewritten.
 */
async function writeDriverMerge(deps: EncDeps, result: vscode.Uri, base: vscode.Uri | undefined, ours: vscode.Uri, theirs: vscode.Uri): Promise<boolean> {
  const [text, baseText, oursText, theirsText] = await Promise.all([readText(result), base ? readText(base) : '', readText(ours), readText(theirs)]);
  if (hasConflictMarkers(text) || text !== oursText || oursText === theirsText) return false;
  const { mergeLines } = await lazyCore.lineMerge();
  const merged = mergeLines(baseText, oursText, theirsText, { ours: 'ours', theirs: 'theirs' }).text;
  // Through the provider itself: workspace.fs.writeFile would first create the parent "folder" of a decrypted URI.
  await deps.fs.writeFile(result, new TextEncoder().encode(merged), { create: false, overwrite: true });
  return true;
}

/**
 * The merge editor takes the result's open document as it is, and decides from its text whether to start
 * from its own merge (markers) or keep a resolution. An unmodified document left from an earlier merge of
 * the same file would be taken for the file on disk: have VS Code reload it first (for up to 5 s).
 */
async function reloadIfStale(deps: EncDeps, result: vscode.Uri): Promise<void> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.toString());
  if (!document || document.isDirty) return;
  const onDisk = await readText(result);
  if (document.getText() === onDisk) return;
  const reloaded = until([vscode.workspace.onDidChangeTextDocument], () => document.getText() === onDisk, 5_000);
  (result.scheme === VALUES_SCHEME ? deps.valuesFs : deps.fs).announceChange(result);
  await reloaded;
}

/** The result of the merge editor in the active tab, when it is a decrypted `.enc` or value-encrypted file. */
function activeMergeResult(): vscode.Uri | undefined {
  // TabInputTextMerge is not in the stable API's types; its instances carry base, input1, input2 and result.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { result?: unknown; input1?: unknown } | undefined;
  const result = input?.result;
  return result instanceof vscode.Uri && input?.input1 instanceof vscode.Uri && (result.scheme === ENC_SCHEME || result.scheme === VALUES_SCHEME) ? result : undefined;
}

/**
 * Complete Merge for a decrypted `.enc` or value-encrypted file: what the git extension's button does for a plaintext
 * file (it is not offered for a result outside git's own files). VS Code's own "Complete Merge" saves
 * the result (re-encrypted) and closes the editor, asking first if conflicts are left; then the file
 * is staged, which marks it resolved.
 */
export async function completeMerge(): Promise<boolean> {
  const result = activeMergeResult();
  if (!result) {
    throw new CustodianError(vscode.l10n.t('No merge of an encrypted file is open.'), { hint: vscode.l10n.t('Run "Resolve in Merge Editor" on a conflicted encrypted file first.') });
  }
  const file = result.scheme === VALUES_SCHEME ? fromValuesUri(result) : toEncryptedUri(result);
  const accepted = await vscode.commands.executeCommand<{ successful?: boolean } | undefined>('mergeEditor.acceptMerge');
  if (!accepted?.successful) return false;
  const added = await runGit(path.dirname(file.fsPath), ['add', '--', `./${path.basename(file.fsPath)}`]);
  if (added.status !== 0) throw new CustodianError(vscode.l10n.t('Saved, but git could not stage {0}: {1}', rel(file), added.stderr.trim()), { hint: vscode.l10n.t('Stage it from the Source Control view or with "git add".') });
  void vscode.commands.executeCommand('workbench.view.scm');
  return true;
}
