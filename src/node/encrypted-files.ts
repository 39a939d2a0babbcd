// The encrypted files of a working tree, as git lists them (tracked, and untracked but not ignored):
// `.enc` files and value-encrypted .env/JSON/YAML files. `git setup` gives the value files the merge
// driver; `roster remove` names the files a removed teammate can still open.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { utf8DecodeKeepingBom } from '../core/bytes';
import { readEnvelopeHeader } from './envelope-files';
import { git } from './git';
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
