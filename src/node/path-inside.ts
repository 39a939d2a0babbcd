// Whether a file, every link resolved, is inside a folder: env files named by a repository's own
// configuration (launch.json, tasks.json, .custodian/config) must stay inside it (docs/SECURITY.md).
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';

/** `file` with every link resolved; as written, made absolute, when it does not exist (its reader then says so). */
export function resolvedPath(file: string): Promise<string> {
  return realpath(file).catch(() => path.resolve(file));
}

/** Whether `child` is `parent` or below it; both resolved by the caller (resolvedPath). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
