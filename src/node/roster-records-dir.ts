// The signed records of a roster on disk (docs/ROSTER.md §5): `<team dir>/records/root.json` and one
// file per later change beside it, so two teammates adding people at the same time commit two new files
// and git merges them without a conflict. Also: who last changed a roster file, from git, for the
// question a changed key raises.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CryptoBackend } from '../core/crypto-backend';
import { FormatError } from '../core/errors';
import type { RsaPrivateKey } from '../core/keys';
import { createRecord, MAX_RECORD_BYTES, recordFileName, rootIdOf, type RecordBody, type RecordFile } from '../core/roster-records';
import { writeFileAtomic } from './atomic-file';
import { gitInvocation, readBlobs, workTreeTop } from './git';

export const RECORDS_DIR = 'records';
export const ROOT_RECORD = 'root.json';
/** More record files than this is not a team roster; refuse rather than read without bound. */
const MAX_RECORD_FILES = 10_000;

export interface RosterRecordFiles {
  root?: RecordFile;
  records: RecordFile[];
  /**
   * Records deleted or rewritten in git history (records are append-only, §5): each earlier content is
   * still replayed, and a problem. `rewritten`: the file is still there with other content.
   */
  deleted: { file: string; commit: string; rewritten?: true }[];
  /**
   * Why the history could not be read in full (a shallow clone, git failing or too slow, a deleted
   * record's content missing): a reverted removal could pass unseen, so encrypting to a signed roster
   * stops. Empty when it was read, or not asked for.
   */
  historyGaps: string[];
}

export interface ReadRecordsOptions {
  /**
   * Also read records deleted in git history, so a revert of a signed removal (which deletes the
   * removal's record with it) is still caught. Editors pass false in untrusted workspaces: a
   * repository's git config can run commands.
   */
  history?: boolean;
}

/** Reads `<dir>/records/*.json`; a missing directory is a roster that was never signed. */
export async function readRosterRecords(dir: string, options: ReadRecordsOptions = {}): Promise<RosterRecordFiles> {
  const recordsDir = path.join(dir, RECORDS_DIR);
  let names: string[];
  try {
    names = await fs.readdir(recordsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    names = [];
  }
  const json = names.filter((n) => n.endsWith('.json')).sort();
  if (json.length > MAX_RECORD_FILES) {
    throw new FormatError(`${recordsDir} holds more than ${MAX_RECORD_FILES} records: not a team roster`, { hint: 'check what was committed under records/ (git log)' });
  }
  const out: RosterRecordFiles = { records: [], deleted: [], historyGaps: [] };
  for (const name of json) {
    const file = path.join(recordsDir, name);
    const stat = await fs.lstat(file);
    const shown = `${RECORDS_DIR}/${name}`;
    // Oversized or not a regular file: handed on as text the parser refuses, so it is reported.
    const text = !stat.isFile() ? '' : stat.size > MAX_RECORD_BYTES ? ' '.repeat(MAX_RECORD_BYTES + 1) : await fs.readFile(file, 'utf8');
    if (name === ROOT_RECORD) out.root = { file: shown, text };
    else out.records.push({ file: shown, text });
  }
  if (options.history !== false) {
    const history = await deletedRecords(dir);
    out.historyGaps.push(...history.gaps);
    const onDisk = new Map([...(out.root ? [out.root] : []), ...out.records].map((r) => [r.file, r.text]));
    // A signed roster is the one its first root began: records are append-only, so a root.json deleted (the
    // whole records/ folder, say) or replaced by another root since still counts. Read as a plain roster,
    // or under a root someone put in its place, its removals would count for nothing, and whoever still
    // pins a removed teammate's key would take them back unasked. A root on disk that is not it is a
    // second root (a problem).
    const original = history.found.find((d) => d.original);
    if (original && !(out.root && sameRecordText(original.text, out.root.text))) {
      if (out.root) out.records.push(out.root);
      out.root = { file: `${RECORDS_DIR}/${ROOT_RECORD} (${original.rewritten ? 'rewritten' : 'deleted'} in ${original.commit.slice(0, 12)})`, text: original.text };
    }
    for (const d of history.found) {
      // A content the file still has is replayed from disk already. Any other is a record that was there
      // and is gone, whether its file was deleted or overwritten: a removal erased by rewriting its file in
      // place (git sees a change, not a deletion), or by deleting it and committing the name again with
      // other content, must count as a deleted one does.
      const current = onDisk.get(`${RECORDS_DIR}/${d.name}`);
      if (current !== undefined && sameRecordText(current, d.text)) continue;
      out.deleted.push({ file: `${RECORDS_DIR}/${d.name}`, commit: d.commit, ...(d.rewritten ? { rewritten: true as const } : {}) });
      if (d.name !== ROOT_RECORD) out.records.push({ file: `${RECORDS_DIR}/${d.name} (${d.rewritten ? 'rewritten' : 'deleted'} in ${d.commit.slice(0, 12)})`, text: d.text });
    }
  }
  return out;
}

/**
 * Whether two versions of a record file say the same: equal text, or the same JSON once parsed (line
 * endings renormalized by git, or a formatter run over the file, change no record).
 */
function sameRecordText(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/**
 * What the history says is wrong (§5: records are append-only): a sentence per record deleted in it,
 * and one per reason it could not be read in full, since a reverted removal would then pass unseen.
 */
export function historyProblems(files: Pick<RosterRecordFiles, 'deleted' | 'historyGaps'>): string[] {
  return [
    ...files.deleted.map((d) =>
      d.rewritten
        ? `${d.file} was rewritten in commit ${d.commit.slice(0, 12)}: records are append-only (what it said before still counts)`
        : `${d.file} was deleted in commit ${d.commit.slice(0, 12)}: records are append-only (it still counts)`,
    ),
    ...files.historyGaps,
  ];
}

/** A team's records are far fewer; more deletions than this is not a roster's history (MAX_RECORD_FILES). */
const MAX_DELETED_RECORDS = MAX_RECORD_FILES;
/** Reading the whole history of `records/` may take a while in a large repository; a timeout is a gap, not a pass. */
const HISTORY_TIMEOUT_MS = 60_000;

function git(cwd: string, args: string[], maxBuffer: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const run = gitInvocation(cwd, args);
    execFile('git', run.args, { cwd, env: run.env, timeout: GIT_TIMEOUT_MS, maxBuffer, encoding: 'utf8', windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

interface DeletedRecord {
  name: string;
  commit: string;
  text: string;
  /** The commit changed the file's content (or type) rather than deleting it. */
  rewritten: boolean;
  /** `root.json` as it was first lost: the oldest root in the history, the one the roster began with. */
  original?: true;
}

/**
 * Record files deleted in `dir`'s git history, newest deletion first, as they were before it, and why
 * the history could not be read in full (never a silent pass: each gap is a sentence).
 *
 * Every commit is looked at, merges included and each against every parent: a merge that keeps the side
 * from before a removal deletes the removal's record only as seen from the other parent, and git's
 * default history simplification would follow the side where nothing changed and never list it. The log
 * is read as it streams and filtered here, so deletions elsewhere under `records/` cost time, never a
 * buffer overflow that hides the rest; the records' contents come from their blob ids in one
 * `git cat-file --batch`, so a merge's record is read from the parent that had it.
 */
async function deletedRecords(dir: string): Promise<{ found: DeletedRecord[]; gaps: string[] }> {
  // A roster outside any clone (or a folder that is gone) has no history to hide a revert in.
  try {
    await fs.access(dir);
  } catch {
    return { found: [], gaps: [] };
  }
  if (workTreeTop(dir) === undefined) return { found: [], gaps: [] };
  // Nor does a repository without a commit yet (git log would fail there).
  const state = await git(dir, ['rev-parse', '--is-shallow-repository', '--verify', '-q', 'HEAD'], 1024);
  if (state === undefined) return { found: [], gaps: [] };
  // The history of records/ changes only with HEAD (or when a shallow clone is deepened): a full read is
  // kept per commit, since the Team view, the status bar and each CLI command verify the roster often.
  const cacheKey = `${path.resolve(dir)}\0${state}`;
  const cached = completeReads.get(cacheKey);
  if (cached) return { found: cached, gaps: [] };
  const gaps: string[] = [];
  if (state.startsWith('true')) {
    gaps.push('this is a shallow clone: a record deleted in the history it lacks cannot be checked, so a reverted removal would pass unseen; fetch the whole history first (git fetch --unshallow; in GitHub Actions, actions/checkout with fetch-depth: 0)');
  }
  const listed = await deletionsInHistory(dir);
  if ('gap' in listed) return { found: [], gaps: [...gaps, listed.gap] };
  // Every content a record file lost, once each (its newest loss): not only a name's latest, since a name
  // deleted, committed again with other content and deleted again would otherwise hide what it first said.
  const lost = new Map<string, { name: string; commit: string; blob: string; rewritten: boolean }>();
  for (const d of listed.deletions) if (!lost.has(`${d.name}\0${d.blob}`)) lost.set(`${d.name}\0${d.blob}`, d);
  let blobs: Map<string, Uint8Array | undefined>;
  try {
    blobs = await readBlobs(dir, [...new Set([...lost.values()].map((d) => d.blob))], MAX_RECORD_BYTES);
  } catch (err) {
    // A partial clone (`--filter=blob:none`) with its remote out of reach lacks the blobs.
    return { found: [], gaps: [...gaps, `the roster's history lacks the content of a deleted record (${(err as Error).message.split('\n')[0]}), so a reverted removal would pass unseen; run this again where git can reach the remote (a partial clone fetches what it lacks), or use a full clone`] };
  }
  // The root the history lost first (git lists newest first): however often root.json changed after.
  const firstRoot = listed.deletions.filter((d) => d.name === ROOT_RECORD).pop()?.blob;
  const found: DeletedRecord[] = [];
  for (const d of lost.values()) {
    const bytes = blobs.get(d.blob);
    // Oversized: handed on as text the parser refuses, so it is reported, as on disk.
    found.push({ name: d.name, commit: d.commit, rewritten: d.rewritten, ...(d.name === ROOT_RECORD && d.blob === firstRoot ? { original: true as const } : {}), text: bytes === undefined ? ' '.repeat(MAX_RECORD_BYTES + 1) : new TextDecoder().decode(bytes) });
  }
  // Only a read without gaps is kept: a shallow clone deepened, or a remote back in reach, reads again.
  if (gaps.length === 0) {
    if (completeReads.size >= MAX_READS_KEPT) completeReads.delete(completeReads.keys().next().value as string);
    completeReads.set(cacheKey, found);
  }
  return { found, gaps };
}

/** Complete reads of a roster's deleted records, by folder and HEAD (`deletedRecords`); a few rosters' worth. */
const completeReads = new Map<string, DeletedRecord[]>();
const MAX_READS_KEPT = 8;

/**
 * `git log` of what `records/*.json` files lost, newest first: each deletion, change of content or change
 * of type, with the blob the file held before it; a gap when git failed or the history is too long to read.
 */
function deletionsInHistory(dir: string): Promise<{ deletions: { name: string; commit: string; blob: string; rewritten: boolean }[] } | { gap: string }> {
  const args = ['log', '--full-history', '--diff-merges=separate', '--diff-filter=DMT', '--no-renames', '--raw', '--no-abbrev', '-z', '--relative', '--format=%x00%H', '--', RECORDS_DIR];
  return new Promise((resolve) => {
    const run = gitInvocation(dir, args);
    const child = spawn('git', run.args, { cwd: dir, env: run.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const deletions: { name: string; commit: string; blob: string; rewritten: boolean }[] = [];
    let settled = false;
    const finish = (result: { deletions: typeof deletions } | { gap: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ gap: `reading the roster's history took more than ${HISTORY_TIMEOUT_MS / 1000} s, so a reverted removal could pass unseen; run 'git log --diff-filter=DMT -- ${RECORDS_DIR}' in ${dir} to see why` }), HISTORY_TIMEOUT_MS);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    // Fields are NUL-separated (-z): a commit id, then per file ":MODE MODE OLD-BLOB NEW-BLOB D|M|T" and its path.
    let pending = '';
    let commit = '';
    let blob: string | undefined;
    let rewritten = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const fields = (pending + chunk).split('\0');
      pending = fields.pop() ?? '';
      for (const field of fields) {
        const trimmed = field.replace(/^\n+/, '');
        if (/^[0-9a-f]{40,64}$/.test(trimmed)) {
          commit = trimmed;
          blob = undefined;
          continue;
        }
        // A file that was a submodule's commit before (mode 160000) held no record.
        const raw = /^:(\d+) \d+ ([0-9a-f]{40,64}) [0-9a-f]{40,64} ([DMT])$/.exec(trimmed);
        if (raw) {
          blob = raw[1] === '160000' ? undefined : raw[2];
          rewritten = raw[3] !== 'D';
          continue;
        }
        if (blob !== undefined && commit) {
          const name = field.startsWith(`${RECORDS_DIR}/`) ? field.slice(RECORDS_DIR.length + 1) : '';
          if (name.endsWith('.json') && !name.includes('/')) deletions.push({ name, commit, blob, rewritten });
          blob = undefined;
          if (deletions.length > MAX_DELETED_RECORDS) {
            finish({ gap: `the roster's history deletes more than ${MAX_DELETED_RECORDS} record files: not a team roster's history, and not read to the end, so a reverted removal could pass unseen; check what was committed under ${RECORDS_DIR}/ (git log --diff-filter=DMT -- ${RECORDS_DIR})` });
          }
        }
      }
    });
    child.on('error', (err) => finish({ gap: `git could not be run to read the roster's history (${err.message}), so a reverted removal would pass unseen; install git` }));
    child.on('close', (code) => {
      if (code === 0) finish({ deletions });
      else finish({ gap: `git could not read the roster's history (${stderr.trim().split('\n')[0] || `exit status ${code}`}), so a reverted removal would pass unseen` });
    });
  });
}

/**
 * Signs and writes one record (root.json for a root); never replaces an existing file. Returns its path,
 * or undefined for a change in a roster that is not signed: every later record names the root it
 * belongs to (docs/ROSTER.md §3), so it counts in no other roster, and a plain roster has none (its
 * records would count for nothing anyway, §5). Signing the roster later makes a root of its entries.
 */
export async function writeRosterRecord(dir: string, body: RecordBody, signer: RsaPrivateKey, backend: CryptoBackend, now: Date = new Date()): Promise<string | undefined> {
  const recordsDir = path.join(dir, RECORDS_DIR);
  let root: string | undefined;
  if (body.op !== 'root') {
    const shown = `${RECORDS_DIR}/${ROOT_RECORD}`;
    const text = await fs.readFile(path.join(recordsDir, ROOT_RECORD), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    root = await rootIdOf({ file: shown, text }, backend);
  }
  const text = await createRecord(body, signer, now, backend, root);
  await fs.mkdir(recordsDir, { recursive: true });
  const file = path.join(recordsDir, body.op === 'root' ? ROOT_RECORD : recordFileName(body, now, backend.randomBytes(4)));
  await writeFileAtomic(file, new TextEncoder().encode(text));
  return file;
}

export interface GitChange {
  commit: string;
  author: string;
  date: string;
  subject: string;
}

const GIT_TIMEOUT_MS = 5_000;

/**
 * The last commit that touched `file`, or undefined (not in a repository, no git, uncommitted). git
 * runs without a shell and bounded in time; callers in an editor run it only in trusted workspaces.
 */
export function lastChange(file: string): Promise<GitChange | undefined> {
  return new Promise((resolve) => {
    const run = gitInvocation(path.dirname(file), ['log', '-1', '--format=%H%x00%an <%ae>%x00%aI%x00%s', '--', path.basename(file)]);
    execFile(
      'git',
      run.args,
      { cwd: path.dirname(file), env: run.env, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024, encoding: 'utf8', windowsHide: true },
      (err, stdout) => {
        const [commit, author, date, subject] = err ? [] : stdout.trim().split('\0');
        resolve(commit && /^[0-9a-f]{40,64}$/.test(commit) ? { commit, author, date, subject } : undefined);
      },
    );
  });
}
