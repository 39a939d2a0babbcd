// Where a file's repository and its team roster are, for the commands that default to them (`run`
// without -e, `rekey` without -r/-R) and for hints that name them (`-R DIR` given from a subfolder).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from './output';

/** The team roster, relative to the repository root (docs/ROSTER.md); also a git path, hence the slash. */
export const ROSTER_DIR = '.custodian/team';

/** The nearest folder from `start` upwards holding one of `names`; undefined when none does. */
function nearestHolding(start: string, names: readonly string[]): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (names.some((name) => fs.existsSync(path.join(dir, name)))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The repository `start` is in: the nearest folder upwards holding `.custodian/` or `.git`;
 * undefined outside any. (A repository's own .git ends the search: a .custodian/ above it belongs to
 * another project.)
 */
export function findRepositoryRoot(start: string): string | undefined {
  return nearestHolding(start, ['.custodian', '.git']);
}

/**
 * The roster of the repository `start` is in, when it has one. A roster nested inside a git work tree
 * that has another one further up is refused: it would decide, silently and on first use, who a file
 * below it is encrypted to, and a commit can add one (docs/ROSTER.md §6).
 */
export function findRoster(start: string): string | undefined {
  const root = findRepositoryRoot(start);
  if (root === undefined) return undefined;
  const dir = path.join(root, ROSTER_DIR);
  if (!fs.existsSync(dir)) return undefined;
  // The top of the git work tree the roster is in: a roster between it and this one claims the file too.
  const top = nearestHolding(root, ['.git']);
  for (let up = root; top !== undefined && up !== top; ) {
    up = path.dirname(up);
    const outer = path.join(up, ROSTER_DIR);
    if (fs.existsSync(outer)) {
      const shown = (p: string): string => path.relative(process.cwd(), p) || '.';
      throw new CliError(`two team rosters claim ${shown(start)}: ${shown(dir)} inside the repository whose roster is ${shown(outer)}`, {
        hint: `Custodian takes one roster per repository: if no one meant ${shown(dir)}, remove it (git log -- ${shown(dir)} shows who added it); to use one on purpose, pass it with -R`,
      });
    }
  }
  return dir;
}

/**
 * `relative` (a path given on the command line, which is taken from `cwd`) as found from the root of the
 * repository `cwd` is in, when it exists there: what `-R .custodian/team` typed in a subfolder meant. As
 * a path from `cwd` (`../../.custodian/team`), for a hint; undefined when it is not there either.
 */
export function fromRepositoryRoot(relative: string, cwd: string = process.cwd()): string | undefined {
  if (path.isAbsolute(relative)) return undefined;
  const root = findRepositoryRoot(cwd);
  if (root === undefined || root === path.resolve(cwd)) return undefined;
  const there = path.join(root, relative);
  return fs.existsSync(there) ? path.relative(cwd, there) : undefined;
}
