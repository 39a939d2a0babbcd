// A repository's files as git holds them: regular files. Anyone who can push can commit a link, and what
// it leads to is not the repository's: a device (`zero.env -> /dev/zero`), which reading whole would never
// finish, or /dev/stdin, which would wait. So files found by listing the repository are read only when
// they are regular files, and only up to a bound.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';

/** Not followed by open(2) where the platform has it (not on Windows, where links need privileges). */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** A FIFO opened for reading would wait for a writer. */
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

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
