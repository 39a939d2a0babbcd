// Whether a file, every link resolved, is inside a folder: env files named by a repository's own
// configuration (launch.json, tasks.json, .custodian/config) must stay inside it (docs/SECURITY.md).
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * `file` with every link resolved. A file that does not exist (yet: its reader then says so, or a writer
 * creates it) keeps its missing part as written, under its nearest folder that exists, resolved: a
 * link above it still counts.
 */
export async function resolvedPath(file: string): Promise<string> {
  const absolute = path.resolve(file);
  let missing = '';
  for (let at = absolute; ; ) {
    try {
      return path.join(await realpath(at), missing);
    } catch {
      const up = path.dirname(at);
      if (up === at) return absolute;
      missing = path.join(path.basename(at), missing);
      at = up;
    }
  }
}

/** Whether `child` is `parent` or below it; both resolved by the caller (resolvedPath). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
