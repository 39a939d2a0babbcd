// The last commit's version of an encrypted file, for saves that put back exactly what it holds: an
// edit undone after auto-save wrote it, a value typed back as it was. Encrypting the same text again
// changes every byte (a new file key, a randomized signature), so git would list the file as modified
// with nothing changed in it; writing the committed bytes back leaves `git status` clean. The caller
// learns what a version holds once per blob (decrypting it), and compares only keyed digests.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { runGit } from '../../node/git';

/** Versions remembered at once: the files being edited, each at its HEAD. */
const MAX_VERSIONS_KEPT = 32;

export interface CommittedVersion<T> {
  /** The blob id, `HEAD:FILE`. */
  readonly id: string;
  /** What `learn` made of it; undefined when it cannot stand in for a save (not mine to open, damaged). */
  readonly facts: T | undefined;
}

export class CommittedVersions<T> {
  private readonly known = new Map<string, T | undefined>();

  constructor(
    /** git runs only in a trusted workspace: a repository's config can make it run commands. */
    private readonly trusted: () => boolean,
    /** What a version's bytes hold, for the caller's comparison; undefined when it cannot be used. */
    private readonly learn: (bytes: Uint8Array, file: vscode.Uri) => Promise<T | undefined>,
  ) {}

  /** HEAD's version of `file` (a `file:` URI): undefined outside a repository, or when HEAD has none. */
  async head(file: vscode.Uri): Promise<CommittedVersion<T> | undefined> {
    if (file.scheme !== 'file' || !this.trusted()) return undefined;
    const cwd = path.dirname(file.fsPath);
    const rev = await runGit(cwd, ['rev-parse', '--verify', '--quiet', `HEAD:./${path.basename(file.fsPath)}`]).catch(() => undefined);
    const id = rev?.status === 0 ? rev.stdout.toString('utf8').trim() : '';
    if (!/^[0-9a-f]{40,64}$/.test(id)) return undefined;
    if (!this.known.has(id)) {
      const bytes = await this.bytes(file, id);
      const facts = bytes === undefined ? undefined : await this.learn(bytes, file).catch(() => undefined);
      if (this.known.size >= MAX_VERSIONS_KEPT) this.known.delete(this.known.keys().next().value as string);
      this.known.set(id, facts);
    }
    return { id, facts: this.known.get(id) };
  }

  /** The bytes of blob `id`, read in `file`'s repository. */
  async bytes(file: vscode.Uri, id: string): Promise<Uint8Array | undefined> {
    const blob = await runGit(path.dirname(file.fsPath), ['cat-file', 'blob', id]).catch(() => undefined);
    return blob?.status === 0 ? new Uint8Array(blob.stdout) : undefined;
  }
}
