// Names of teammates who left the roster, from git history: every `.custodian/team/<name>.pub` a commit
// deleted, read as it was in the commit before, so the drift view can say "bob" rather than a bare
// fingerprint even when this window never saw bob in the roster (he left in a commit pulled since).
// git runs without a shell, bounded in time, output and number of files; only in trusted workspaces
// (a repository's own git config can run commands).
import { execFile } from 'node:child_process';
import { rosterNameProblem } from '../../core/roster-names';
import { gitInvocation } from '../../node/git';

const GIT_TIMEOUT_MS = 5_000;
/** Deleted roster files looked at, newest first. */
const MAX_DELETED_FILES = 50;
/** A `git log` listing of that many paths is far below this. */
const MAX_LOG_BYTES = 256 * 1024;
/** The roster's own limit for a `.pub` file. */
const MAX_PUB_BYTES = 64 * 1024;

function git(cwd: string, args: string[], maxBuffer: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const run = gitInvocation(cwd, args);
    execFile('git', run.args, { cwd, env: run.env, timeout: GIT_TIMEOUT_MS, maxBuffer, encoding: 'utf8', windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/**
 * Fingerprint → roster name for the files `<rosterDir>/<name><ext>` deleted in `folderPath`'s git
 * history (newest deletion wins); a file whose name is not a valid roster name is left out. Undefined
 * when git did not answer (not a repository, no git, timeout).
 * `fingerprintOf` parses a key file's text (undefined when it is not a usable key).
 */
export async function rosterNamesFromGit(
  folderPath: string,
  roster: { dir: string; ext: string },
  fingerprintOf: (text: string) => string | undefined,
): Promise<Map<string, string> | undefined> {
  const { dir, ext } = roster;
  const log = await git(folderPath, ['log', '--diff-filter=D', '--name-only', '--format=%H', '--no-renames', '--', dir], MAX_LOG_BYTES);
  if (log === undefined) return undefined;
  const names = new Map<string, string>();
  const deleted: { commit: string; path: string }[] = [];
  let commit = '';
  for (const line of log.split('\n')) {
    if (/^[0-9a-f]{40,64}$/.test(line)) commit = line;
    else if (commit && line.startsWith(`${dir}/`) && line.endsWith(ext) && !line.slice(dir.length + 1).includes('/')) deleted.push({ commit, path: line });
    if (deleted.length >= MAX_DELETED_FILES) break;
  }
  for (const { commit: c, path } of deleted) {
    const text = await git(folderPath, ['show', `${c}^:${path}`], MAX_PUB_BYTES);
    const fingerprint = text === undefined ? undefined : fingerprintOf(text);
    const name = path.slice(dir.length + 1, -ext.length);
    // Shown as "who" in tooltips and messages: a name the roster would refuse today (docs/ROSTER.md §2,
    // "![x](https:host)") is no name, whoever committed it then.
    if (fingerprint && !names.has(fingerprint) && rosterNameProblem(name) === undefined) names.set(fingerprint, name);
  }
  return names;
}
