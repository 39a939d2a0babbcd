// Reading a `.enc` blob named by a `git:` URI (the built-in git extension's scheme: `path` is the file,
// the query's `ref` the version) as git stores it. The git extension's own file system reads blobs with
// `git show --textconv`, which, once `custodian git setup` registered the textconv driver, yields the
// driver's text instead of the ciphertext; `git cat-file blob` never converts.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import { pathVersions, readBlobs, runGit } from '../../node/git';
import { lazyCore } from '../lazy-core';

export const GIT_SCHEME = 'git';

/** The `git:` URI of `file` at `ref`, in the git extension's form (`":1"`…`":3"`: a merge stage). */
export function toGitUri(file: vscode.Uri, ref: string): vscode.Uri {
  return file.with({ scheme: GIT_SCHEME, query: JSON.stringify({ path: file.fsPath, ref }) });
}

/** `git cat-file`'s spec for a `git:` URI: `REF:./NAME` run in the file's folder; `""`/`"~"` is the index. */
function blobSpec(uri: vscode.Uri): { cwd: string; spec: string } {
  let ref: unknown;
  try {
    ref = (JSON.parse(uri.query) as { ref?: unknown }).ref;
  } catch {
    ref = undefined;
  }
  if (typeof ref !== 'string' || /[\s]/.test(ref) || ref.startsWith('-')) throw new CustodianError(vscode.l10n.t('Cannot tell which version of {0} to read.', path.posix.basename(uri.path)));
  const file = vscode.Uri.from({ scheme: 'file', path: uri.path }).fsPath;
  const name = `./${path.basename(file)}`;
  // "" / "~" is the index; ":N" (a merge stage) gives ":N:./NAME", a revision "REV:./NAME".
  const spec = ref === '' || ref === '~' ? `:${name}` : `${ref}:${name}`;
  return { cwd: path.dirname(file), spec };
}

/**
 * A blob as a read-only file, from git itself (the git extension's provider answers only for
 * repositories it has open). Its mtime is taken from the blob id, so another version reads as changed;
 * an absent blob is an empty file, as readGitBlob reads it.
 */
export async function statGitBlob(uri: vscode.Uri): Promise<vscode.FileStat> {
  const { cwd, spec } = blobSpec(uri);
  const check = await runGit(cwd, ['cat-file', '--batch-check'], new TextEncoder().encode(`${spec}\n`));
  const m = /^([0-9a-f]{12,}) blob (\d+)$/m.exec(check.stdout.toString('utf8'));
  const readonly = { type: vscode.FileType.File, ctime: 0, permissions: vscode.FilePermission.Readonly };
  return m ? { ...readonly, mtime: parseInt(m[1].slice(0, 12), 16), size: Number(m[2]) } : { ...readonly, mtime: 0, size: 0 };
}

/**
 * A committed version of a file: the commit that wrote it, its blob id ("" where it deleted the file), and
 * what identifies it as a version (node/version-id.ts: what its signature covers, else `blob:` its blob
 * id; "" where deleted). The same signed content re-wrapped (armor, a comment) has another blob, the same id.
 */
export interface FileVersion {
  readonly commit: string;
  readonly blob: string;
  readonly id: string;
}

/** A file's committed versions, newest first, and the blob id and version id of its bytes on disk. */
export interface FileHistory {
  readonly working?: string;
  readonly workingId?: string;
  readonly versions: readonly FileVersion[];
}

/** The working file is an older committed version back: the commit it is the same as, and the newest version it undid. */
export interface Rollback {
  readonly sameAs: string;
  readonly undone: string;
}

/** How many commits back the histories go (per repository): rollbacks and the team's version are recent. */
const MAX_COMMITS = 300;

/**
 * The histories of `files` in the history of HEAD (the last `max` commits that changed any of them, per
 * repository), with one git process per folder and two per repository, whatever the number of files:
 * the Encrypted Files view looks for rollbacks among all of them on each scan. Files outside a repository, and all of a
 * repository's files when git cannot read one of them, are left out. Runs git with the repository's
 * config: trusted workspaces only.
 */
export async function fileHistories(files: readonly vscode.Uri[], max = MAX_COMMITS): Promise<Map<string, FileHistory>> {
  const byRoot = new Map<string, { fsPath: string; path: string }[]>();
  const where = new Map<string, Promise<{ root: string; prefix: string } | undefined>>();
  for (const file of files) {
    const dir = path.dirname(file.fsPath);
    if (!where.has(dir)) {
      where.set(
        dir,
        runGit(dir, ['rev-parse', '--show-toplevel', '--show-prefix']).then((r) => {
          if (r.status !== 0) return undefined;
          const [root, prefix = ''] = r.stdout.toString('utf8').split('\n');
          return { root, prefix };
        }),
      );
    }
    const repo = await where.get(dir);
    // hash-object --stdin-paths reads one path per line.
    if (!repo || /[\r\n]/.test(file.fsPath)) continue;
    if (!byRoot.has(repo.root)) byRoot.set(repo.root, []);
    byRoot.get(repo.root)!.push({ fsPath: file.fsPath, path: `${repo.prefix}${path.basename(file.fsPath)}` });
  }
  const out = new Map<string, FileHistory>();
  for (const [root, list] of byRoot) {
    const [hashed, head] = await Promise.all([
      runGit(root, ['hash-object', '--no-filters', '--stdin-paths'], new TextEncoder().encode(list.map((f) => `${f.path}\n`).join(''))),
      runGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD']),
    ]);
    const versions = head.status === 0 ? await committedVersions(root, head.stdout.toString('utf8').trim(), list.map((f) => f.path), max) : new Map<string, FileVersion[]>();
    if (!versions) continue;
    const working = hashed.status === 0 ? hashed.stdout.toString('utf8').split('\n') : [];
    for (const [i, f] of list.entries()) {
      const blob = /^[0-9a-f]{40,64}$/.test(working[i] ?? '') ? working[i] : undefined;
      out.set(f.fsPath, { working: blob, workingId: blob && (await workingVersionId(f.fsPath, blob)), versions: versions.get(f.path) ?? [] });
    }
  }
  return out;
}

/**
 * Per repository, the last history read. A scan runs on every change to an encrypted file, and walking a
 * long history costs more than the rest of it: kept until the repository's HEAD or the paths change.
 */
const versionsCache = new Map<string, { key: string; versions: ReadonlyMap<string, FileVersion[]> }>();

/** The last `max` commits' versions of `paths` from `head`, by path; undefined when git cannot read the history. */
async function committedVersions(root: string, head: string, paths: readonly string[], max: number): Promise<ReadonlyMap<string, FileVersion[]> | undefined> {
  const key = JSON.stringify([head, max, [...paths].sort()]);
  const cached = versionsCache.get(root);
  if (cached?.key === key) return cached.versions;
  const history = await pathVersions(root, head, paths, max);
  if (!history) return undefined;
  const versions = new Map([...history].map(([file, list]) => [file, list.map(({ commit, blob }) => ({ commit, blob }))]));
  const identified = await identify(root, versions);
  versionsCache.set(root, { key, versions: identified });
  return identified;
}

/** Each version's id (FileVersion), its blobs read in one `git cat-file --batch`; a blob git cannot read is told by its id. */
async function identify(root: string, versions: ReadonlyMap<string, { commit: string; blob: string }[]>): Promise<Map<string, FileVersion[]>> {
  const { versionIdFor, versionKey, MAX_VERSION_ID_BYTES } = await lazyCore.versionId();
  const blobs = [...new Set([...versions.values()].flatMap((list) => list.map((v) => v.blob)).filter((b) => b !== ''))];
  const contents = await readBlobs(root, blobs, MAX_VERSION_ID_BYTES).catch(() => new Map<string, Uint8Array | undefined>());
  const out = new Map<string, FileVersion[]>();
  for (const [file, list] of versions) {
    const versionId = versionIdFor(file);
    out.set(
      file,
      list.map((v) => ({ ...v, id: v.blob === '' ? '' : versionKey(contents.get(v.blob), v.blob, versionId) })),
    );
  }
  return out;
}

/** The version id (FileVersion) of the file on disk, whose blob id is `blob`. */
async function workingVersionId(fsPath: string, blob: string): Promise<string> {
  const { versionIdFor, versionKey, MAX_VERSION_ID_BYTES } = await lazyCore.versionId();
  const bytes = await fs
    .stat(fsPath)
    .then((st) => (st.size > 0 && st.size <= MAX_VERSION_ID_BYTES ? fs.readFile(fsPath) : undefined))
    .catch(() => undefined);
  return versionKey(bytes === undefined ? undefined : new Uint8Array(bytes), blob, versionIdFor(fsPath));
}

/**
 * Whether `versions[at]` is an older version back (a rollback: `git checkout OLD -- FILE` committed, or a
 * revert, maybe re-wrapped): the same version id as an older version, with another version in between.
 */
export function isRollbackAt(versions: readonly FileVersion[], at: number): boolean {
  const id = versions[at].id;
  const older = versions.findIndex((v, i) => i > at && v.id === id);
  return older > at + 1 && versions.slice(at + 1, older).some((v) => v.id !== id);
}

/** Whether a committed version of `file` names a signer Custodian vouches for (the caller reads its header). */
export type TeamSignedVersion = (file: vscode.Uri, version: FileVersion) => Promise<boolean>;

/**
 * When the file on disk is an older committed version of itself (by what its signature covers: the same
 * signed content in ASCII armor, or with a full-line comment added, is that version), and a version the
 * team wrote came in between (one whose signer Custodian vouches for, itself no older version back),
 * the commit it is the same as and the newest version it undid: what was rotated since may be back.
 * Undoing versions no one vouches for (a planted one, a rollback) is restoring, not rolling back.
 */
export async function rollbackIn(file: vscode.Uri, history: FileHistory, teamSigned: TeamSignedVersion): Promise<Rollback | undefined> {
  const { workingId, versions } = history;
  if (workingId === undefined) return undefined;
  // The newest version that is not this one, then an older one that is.
  const undoneAt = versions.findIndex((v) => v.id !== workingId);
  if (undoneAt < 0) return undefined;
  const sameAt = versions.findIndex((v, i) => i > undoneAt && v.id === workingId);
  if (sameAt < 0) return undefined;
  for (let i = undoneAt; i < sameAt; i++) {
    const v = versions[i];
    if (v.blob !== '' && v.id !== workingId && !isRollbackAt(versions, i) && (await teamSigned(file, v).catch(() => false))) {
      return { sameAs: versions[sameAt].commit, undone: versions[undoneAt].commit };
    }
  }
  return undefined;
}

/** The rollbacks among `files`, by fsPath (see rollbackIn). Trusted workspaces only. */
export async function rollbacksAmong(files: readonly vscode.Uri[], teamSigned: TeamSignedVersion): Promise<Map<string, Rollback>> {
  const out = new Map<string, Rollback>();
  const byPath = new Map(files.map((f) => [f.fsPath, f]));
  for (const [fsPath, history] of await fileHistories(files)) {
    const rollback = await rollbackIn(byPath.get(fsPath)!, history, teamSigned);
    if (rollback) out.set(fsPath, rollback);
  }
  return out;
}

/** rollbackIn for one file. Trusted workspaces only. */
export async function rollbackOf(file: vscode.Uri, teamSigned: TeamSignedVersion): Promise<Rollback | undefined> {
  return (await rollbacksAmong([file], teamSigned)).get(file.fsPath);
}

/**
 * Whether the file on disk was written after `rosterFile` (a teammate's `.pub`) was deleted: its version is
 * not the one its newest commit wrote (not committed, or changed since), or that commit descends from the
 * commit that deleted the roster file. Commit dates can be set by whoever commits; ancestry cannot be
 * rewritten under a pull. False when the deletion is not committed (every committed version is from
 * before) and outside a repository (nothing says when anything was written). Trusted workspaces only.
 */
export async function writtenAfterDeletion(file: vscode.Uri, rosterFile: vscode.Uri): Promise<boolean> {
  const history = (await fileHistories([file])).get(file.fsPath);
  if (!history) return false;
  const newest = history.versions[0];
  if (!history.working || !newest || newest.blob !== history.working) return true;
  const { cwd, name } = gitName(rosterFile);
  // --full-history: a deletion on a merge's other parent is in HEAD's history too (git's default follows one).
  const deleted = await runGit(cwd, ['log', '--no-show-signature', '--full-history', '--diff-filter=D', '--format=%H', '--max-count=1', '--', name]);
  const deletion = deleted.status === 0 ? deleted.stdout.toString('utf8').trim() : '';
  if (!/^[0-9a-f]{40,64}$/.test(deletion)) return false;
  return (await runGit(cwd, ['merge-base', '--is-ancestor', deletion, newest.commit])).status === 0;
}

/** Whether the working file is byte for byte what HEAD holds (false outside a repository). Trusted workspaces only. */
export async function sameAsHead(file: vscode.Uri): Promise<boolean> {
  const { cwd, name } = gitName(file);
  const [working, head] = await Promise.all([workingBlob(file), runGit(cwd, ['rev-parse', '--verify', '--quiet', `HEAD:${name}`])]);
  return working !== undefined && head.status === 0 && working === head.stdout.toString('utf8').trim();
}

/** The folder git runs in for `file`, and its name there (`./NAME`: never read as an option). */
function gitName(file: vscode.Uri): { cwd: string; name: string } {
  return { cwd: path.dirname(file.fsPath), name: `./${path.basename(file.fsPath)}` };
}

/** The blob id git would give the working file's bytes as they are (no filters); undefined when git cannot say. */
async function workingBlob(file: vscode.Uri): Promise<string | undefined> {
  const { cwd, name } = gitName(file);
  const r = await runGit(cwd, ['hash-object', '--no-filters', '--', name]);
  return r.status === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** The blob's bytes; an absent blob (a file added or deleted on that side) reads as empty, as git shows it. */
export async function readGitBlob(uri: vscode.Uri, maxBytes: number): Promise<Uint8Array> {
  const { cwd, spec } = blobSpec(uri);
  const size = await runGit(cwd, ['cat-file', '-s', spec]);
  if (size.status !== 0) return new Uint8Array(0);
  if (Number(size.stdout.toString('utf8')) > maxBytes) throw new CustodianError(vscode.l10n.t('{0} is too large to open in an editor.', path.posix.basename(uri.path)), { hint: vscode.l10n.t('Use "Decrypt to File" instead.') });
  const blob = await runGit(cwd, ['cat-file', 'blob', spec]);
  if (blob.status !== 0) {
    const name = path.posix.basename(uri.path);
    const rev = spec.split(':')[0];
    const why = blob.stderr.trim();
    throw new CustodianError(rev ? vscode.l10n.t('git cannot read {0} at {1}: {2}', name, rev, why) : vscode.l10n.t('git cannot read {0} in the index: {1}', name, why));
  }
  return new Uint8Array(blob.stdout);
}
