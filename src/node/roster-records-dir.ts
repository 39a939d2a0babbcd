// The signed records of a roster on disk (docs/ROSTER.md §5): `<team dir>/records/root.json` and one
// file per later change beside it, so two teammates adding people at the same time commit two new files
// and git merges them without a conflict. Also: who last changed a roster file, from git, for the
// question a changed key raises.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CryptoBackend } from '../core/crypto-backend';
import { FormatError } from '../core/errors';
import type { RsaPrivateKey } from '../core/keys';
import { createRecord, MAX_RECORD_BYTES, recordFileName, rootIdOf, type RecordBody, type RecordFile } from '../core/roster-records';
import { writeFileAtomic } from './atomic-file';
import { gitInvocation } from './git';

export const RECORDS_DIR = 'records';
export const ROOT_RECORD = 'root.json';
/** More record files than this is not a team roster; refuse rather than read without bound. */
const MAX_RECORD_FILES = 10_000;

export interface RosterRecordFiles {
  root?: RecordFile;
  records: RecordFile[];
  /** Records deleted in git history (records are append-only, §5): still replayed, and a problem. */
  deleted: { file: string; commit: string }[];
  /** History was read from a shallow clone: records deleted before its cut are not in `deleted`. */
  shallow: boolean;
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
  const out: RosterRecordFiles = { records: [], deleted: [], shallow: false };
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
    out.shallow = (await git(dir, ['rev-parse', '--is-shallow-repository'], 64))?.trim() === 'true';
    for (const d of await deletedRecords(dir)) {
      if (json.includes(d.name)) continue;
      out.deleted.push({ file: `${RECORDS_DIR}/${d.name}`, commit: d.commit });
      if (d.name !== ROOT_RECORD) out.records.push({ file: `${RECORDS_DIR}/${d.name} (deleted in ${d.commit.slice(0, 12)})`, text: d.text });
    }
  }
  return out;
}

/**
 * What the history says is wrong (§5: records are append-only): a sentence per record deleted in it,
 * and one when the history is cut short, since a reverted removal would then pass unseen.
 */
export function historyProblems(files: Pick<RosterRecordFiles, 'deleted' | 'shallow'>): string[] {
  const problems = files.deleted.map((d) => `${d.file} was deleted in commit ${d.commit.slice(0, 12)}: records are append-only (it still counts)`);
  if (files.shallow) {
    problems.push('this is a shallow clone: a record deleted in the history it lacks cannot be checked, so a reverted removal would pass unseen; fetch the whole history first (git fetch --unshallow; in GitHub Actions, actions/checkout with fetch-depth: 0)');
  }
  return problems;
}

/** Bounds for reading history: a team's records are far fewer. */
const MAX_DELETED_RECORDS = 200;
const MAX_LOG_BYTES = 1024 * 1024;

function git(cwd: string, args: string[], maxBuffer: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const run = gitInvocation(cwd, args);
    execFile('git', run.args, { cwd, env: run.env, timeout: GIT_TIMEOUT_MS, maxBuffer, encoding: 'utf8', windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/** Record files deleted in `dir`'s git history, newest deletion first, as they were before it. */
async function deletedRecords(dir: string): Promise<{ name: string; commit: string; text: string }[]> {
  try {
    await fs.access(dir);
  } catch {
    return [];
  }
  const log = await git(dir, ['log', '--diff-filter=D', '--no-renames', '--name-only', '--relative', '--format=%x00%H', '--', RECORDS_DIR], MAX_LOG_BYTES);
  if (log === undefined) return [];
  const found: { name: string; commit: string }[] = [];
  let commit = '';
  for (const line of log.split('\n')) {
    if (line.startsWith('\0')) commit = line.slice(1);
    else if (commit && line.startsWith(`${RECORDS_DIR}/`) && line.endsWith('.json') && !line.slice(RECORDS_DIR.length + 1).includes('/')) found.push({ name: line.slice(RECORDS_DIR.length + 1), commit });
    if (found.length >= MAX_DELETED_RECORDS) break;
  }
  const out: { name: string; commit: string; text: string }[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    if (seen.has(f.name) || !/^[0-9a-f]{40,64}$/.test(f.commit)) continue;
    seen.add(f.name);
    const text = await git(dir, ['show', `${f.commit}^:./${RECORDS_DIR}/${f.name}`], MAX_RECORD_BYTES + 1);
    if (text !== undefined) out.push({ ...f, text });
  }
  return out;
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
