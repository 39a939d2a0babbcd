// A repository's files as git holds them: regular files, not reached through a symbolic link. Anyone who
// can push can commit a link, and what it leads to is not the repository's: another project's secret
// (`config/prod.env.enc -> ../../infra/prod.env.enc`), which re-keying for this team would copy here for
// new recipients, or a device (`zero.env -> /dev/zero`), which reading whole would never finish. So
// re-keying refuses links (docs/SECURITY.md), and files found by listing the repository are read only
// when they are regular files, and only up to a bound.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { displayText } from '../core/display-text';
import { CustodianError } from '../core/errors';

/** Not where a symbolic link leads: a file is re-keyed only as itself, inside its repository. */
export class LinkedFileError extends CustodianError {
  constructor(
    message: string,
    options: { hint?: string },
    /** The link: the file itself, or a folder between the repository's root and it. */
    readonly link: string,
    /** What the link says it leads to, as written in it. */
    readonly target: string,
  ) {
    super(message, options);
  }
}

/** Not followed by open(2) where the platform has it (not on Windows, where links need privileges). */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** A FIFO opened for reading would wait for a writer. */
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * The first symbolic link on the way from `root` (not itself checked: it is where the user works) down
 * to `file`, `file` included; undefined when there is none. Without a `root`, or for a `file` outside it,
 * only `file` itself is checked.
 */
export async function linkOnPath(file: string, root?: string): Promise<{ link: string; target: string } | undefined> {
  const absolute = path.resolve(file);
  const steps = [absolute];
  const rel = root === undefined ? '' : path.relative(path.resolve(root), absolute);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    for (let dir = path.dirname(absolute); dir !== path.resolve(root as string) && dir !== path.dirname(dir); dir = path.dirname(dir)) steps.unshift(dir);
  }
  for (const step of steps) {
    const stat = await fs.lstat(step).catch(() => undefined);
    if (stat?.isSymbolicLink()) return { link: step, target: await fs.readlink(step).catch(() => '?') };
  }
  return undefined;
}

/**
 * Refuses to re-key `file` (shown as `shown`) when it, or a folder between `root` and it, is a symbolic
 * link: re-keying decrypts what the link leads to and writes it in the link's place, for new recipients.
 */
export async function refuseLinkedFile(file: string, options: { root?: string; shown?: string } = {}): Promise<void> {
  const found = await linkOnPath(file, options.root);
  if (found === undefined) return;
  const shown = options.shown ?? file;
  // Both written by whoever committed the link: one line, no terminal controls.
  const target = displayText(found.target);
  const folder = displayText(options.root === undefined ? found.link : path.relative(options.root, found.link));
  const what = found.link === path.resolve(file) ? `${shown} is a symbolic link to ${target}` : `${shown} is reached through a symbolic link (the folder ${folder} leads to ${target})`;
  throw new LinkedFileError(
    `${what}: Custodian never re-encrypts through a link, which would write the file it leads to here, readable by new recipients`,
    {
      hint: `re-encrypt the file where it lives, for its own team; if the link does not belong in this repository, remove it (git log -- ${shown} shows who added it)`,
    },
    found.link,
    found.target,
  );
}

/**
 * The bytes of `file` when it is a regular file of at most `maxBytes`, itself and not a link; undefined
 * otherwise (a link, a device, a FIFO, a folder, too large). For files whose names came from a listing
 * (git ls-files, a workspace search): a committed link to /dev/zero or /dev/stdin is never read. With
 * `followLinks`, a link to a regular file is read too (what it leads to is still checked, and bounded).
 * Errors other than those (the file vanished, no permission) are thrown.
 */
export async function readRegularFile(file: string, maxBytes: number, options: { followLinks?: boolean } = {}): Promise<Uint8Array | undefined> {
  const before = options.followLinks ? undefined : await fs.lstat(file);
  if (before && (!before.isFile() || before.size > maxBytes)) return undefined;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | O_NONBLOCK | (options.followLinks ? 0 : O_NOFOLLOW));
  } catch (err) {
    // Replaced by a link since the lstat (O_NOFOLLOW: ELOOP).
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
    throw err;
  }
  try {
    // What was opened is a regular file, small, and (links not followed) the one looked at.
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > maxBytes || (before && (stat.ino !== before.ino || stat.dev !== before.dev))) return undefined;
    // One byte more than its size: a file that grows while it is read is not taken half-read.
    const buf = new Uint8Array(stat.size + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got > stat.size ? undefined : buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}
