// The encrypted files of a working tree, as git lists them (tracked, and untracked but not ignored):
// `.enc` files and value-encrypted .env/JSON/YAML files. `git setup` gives the value files the merge
// driver; `roster remove` names the files a removed teammate can still open.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { utf8DecodeKeepingBom } from '../core/bytes';
import { readEnvelopeHeader } from './envelope-files';
import { git, runGit } from './git';
import { readRegularFile } from './regular-files';

/** Value-encrypted files are config files; a larger candidate is not read when looking for them. */
const MAX_VALUES_CANDIDATE_BYTES = 4 * 1024 * 1024;
// The names the core gives a format (.env, .env.*, *.env, *.json, *.yaml, *.yml) and the metadata block's
// first line or member (VALUES.md §4), tested without loading the core's values module: the extension
// imports this file at activation, and that module brings the yaml package. Readers validate fully.
const VALUES_FILE_NAME = /(^|\/)\.env(\.[^/]*)?$|\.env$|\.(json|ya?ml)$/i;
const VALUES_MARKERS = [/^#custodian:values=/m, /"custodian:values"\s*:/];

/** Repository-relative paths (`/` separators) of the working tree's files that git tracks or would. */
async function workingTreeFiles(root: string): Promise<string[]> {
  return (await git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])).toString('utf8').split('\0').filter((p) => p !== '');
}

/**
 * The text of a value-encrypted file at `p`, or undefined when it is not one (or cannot be read). A
 * committed link (to /dev/zero, to another project's file) is not one: git merges the link, not where it leads.
 */
async function valuesText(root: string, p: string): Promise<string | undefined> {
  if (!VALUES_FILE_NAME.test(p)) return undefined;
  try {
    const bytes = await readRegularFile(path.join(root, p), MAX_VALUES_CANDIDATE_BYTES);
    if (bytes === undefined) return undefined;
    const text = utf8DecodeKeepingBom(bytes);
    return VALUES_MARKERS.some((re) => re.test(text)) ? text : undefined;
  } catch {
    return undefined; // deleted in the working tree, or unreadable
  }
}

/** The working tree's value-encrypted files (VALUES.md §11: recognised by their metadata block). */
export async function valueEncryptedFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const p of await workingTreeFiles(root)) if ((await valuesText(root, p)) !== undefined) found.push(p);
  return found;
}

/**
 * The working tree's encrypted files that `fingerprint` is a recipient of, by their headers (no key
 * needed). A file whose header cannot be read is left out: it opens for no one until restored.
 */
export async function filesEncryptedTo(root: string, fingerprint: string): Promise<string[]> {
  const found: string[] = [];
  for (const p of await workingTreeFiles(root)) {
    let recipients: readonly string[] | undefined;
    try {
      if (p.endsWith('.enc')) {
        // A link (to another project's file, to a FIFO) is not the repository's file: not read, not named for `rekey`.
        if (!(await fs.lstat(path.join(root, p))).isFile()) continue;
        recipients = (await readEnvelopeHeader(path.join(root, p))).recipients;
      } else {
        const text = await valuesText(root, p);
        if (text === undefined) continue;
        const { valuesFormatForFileName, valuesRecipients } = await import('../core/values');
        const format = valuesFormatForFileName(p);
        recipients = format === undefined ? undefined : valuesRecipients(text, format);
      }
    } catch {
      continue;
    }
    if (recipients?.includes(fingerprint)) found.push(p);
  }
  return found;
}

/** A text file holding encrypted selections is read whole up to this size (a config file, a README). */
const MAX_SELECTIONS_CANDIDATE_BYTES = 4 * 1024 * 1024;

/**
 * The working tree's text files holding encrypted selections (Encrypt Selection's blocks and tokens,
 * FORMAT.md §7) that `fingerprint` is a recipient of, with how many: re-keying files does not reach
 * them, so a removed teammate goes on reading them unless each is decrypted and encrypted again (a red
 * team's block in config.yaml, after "no file in this working tree is encrypted to eve"). Found by
 * `git grep` (tracked and untracked, not ignored; in a folder outside a repository, its files), read by
 * their headers: no key needed.
 */
export async function selectionsEncryptedTo(root: string, fingerprint: string): Promise<{ file: string; count: number }[]> {
  const search = ['grep', '-l', '-z', '-I', '-F', '-e', 'BEGIN CUSTODIAN ENCRYPTED', '-e', 'custodian-enc1.'];
  let r = await runGit(root, [...search, '--untracked']);
  // 128: not a repository (a folder opened in VS Code): its files, as git would list them.
  if (r.status === 128) r = await runGit(root, [...search, '--no-index', '--exclude-standard']);
  if (r.status !== 0) return []; // 1: nothing found
  const [{ findEncryptedSpans, spanCiphertext }, { inspectEnvelope }] = await Promise.all([import('../core/selection-armor'), import('../core/envelope')]);
  const found: { file: string; count: number }[] = [];
  for (const p of r.stdout.toString('utf8').split('\0').filter((f) => f !== '' && !f.endsWith('.enc'))) {
    let count = 0;
    try {
      const bytes = await readRegularFile(path.join(root, p), MAX_SELECTIONS_CANDIDATE_BYTES);
      if (bytes === undefined) continue;
      for (const span of findEncryptedSpans(utf8DecodeKeepingBom(bytes))) {
        const recipients: readonly string[] = await inspectEnvelope(spanCiphertext(span)).then((h) => h.recipients, () => []);
        if (recipients.includes(fingerprint)) count++;
      }
    } catch {
      continue; // not UTF-8, deleted, unreadable
    }
    if (count > 0) found.push({ file: p, count });
  }
  return found;
}
