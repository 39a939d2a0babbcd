// Loading keys named on the command line: key files, literal `ssh-rsa …` lines, roster directories.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { displayText, hasUnsafeDisplayCharacters } from '../core/display-text';
import { KeyFormatError, PassphraseError } from '../core/errors';
import { isEncryptedPrivateKey, parsePrivateKey, parsePublicKey, type RsaPrivateKey, type RsaPublicKey } from '../core/keys';
import { isSshKeyType } from '../core/openssh';
import { confusableGroups, rosterNameProblem } from '../core/roster-names';
import { readSmallFile } from '../node/node-streams';
import type { Args } from './args';
import { CliError } from './output';
import { PROMPT_ATTEMPTS, type PassphraseSource } from './passphrase';
import { findRoster, fromRepositoryRoot, ROSTER_DIR } from './repository';

/** Key files are small; a larger file is not a key (and must not be read whole). */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** Reads a key file as text; read errors name the file and say what was expected. */
export async function readKeyFile(file: string, what: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readSmallFile(file, MAX_KEY_FILE_BYTES, `${what} ${file}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${what} ${file} does not exist`, { cause: err });
    if (code === 'EISDIR') throw new CliError(`${what} ${file} is a directory`, { cause: err });
    if (code === 'EACCES') throw new CliError(`${what} ${file} is not readable (permission denied)`, { cause: err });
    throw err;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KeyFormatError(`${what} ${file} is not a text key file (PEM or OpenSSH)`);
  } finally {
    bytes.fill(0);
  }
}

/** Adds which file a key error is about, keeping its class and hint. */
function inFile<E extends Error>(err: E, file: string): E {
  if (err instanceof KeyFormatError || err instanceof PassphraseError || (err instanceof Error && err.name.endsWith('KeyError'))) {
    err.message = `${file}: ${err.message}`;
  }
  return err;
}

function looksLikePrivateKey(text: string): boolean {
  return /-----BEGIN (?:ENCRYPTED |RSA |OPENSSH )?PRIVATE KEY-----/.test(text);
}

/**
 * Loads a private key, asking for its passphrase when it is encrypted. At an interactive prompt a
 * wrong passphrase may be retried; from a file or the environment it fails at once.
 */
export async function loadPrivateKey(file: string, passphrases: PassphraseSource): Promise<RsaPrivateKey> {
  return privateKeyFromText(await readKeyFile(file, 'private key file'), file, passphrases);
}

/**
 * A private key from its text (a file's, or an environment variable's); `where` names it in
 * messages and at the passphrase prompt, and is never the text itself.
 */
export async function privateKeyFromText(text: string, where: string, passphrases: PassphraseSource): Promise<RsaPrivateKey> {
  try {
    if (!isEncryptedPrivateKey(text)) return await parsePrivateKey(text);
    const attempts = passphrases.interactive ? PROMPT_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const passphrase = await passphrases.get({ prompt: `Passphrase for ${where}: ` });
      try {
        return await parsePrivateKey(text, passphrase);
      } catch (err) {
        if (!(err instanceof PassphraseError) || attempt >= attempts) {
          if (err instanceof PassphraseError && !err.hint) {
            throw new PassphraseError(err.message, {
              cause: err,
              hint: passphrases.interactive ? 'check the passphrase and try again' : 'check the passphrase in --passphrase-file or CUSTODIAN_PASSPHRASE',
            });
          }
          throw err;
        }
        // Wrong passphrase at a prompt: ask again.
      }
    }
  } catch (err) {
    throw inFile(err as Error, where);
  }
}

/**
 * A public key from an argument: a literal `ssh-rsa AAAA… comment` line, or a file holding a public
 * key (PEM, OpenSSH, certificate). A private key file is accepted too (its public half is used), so
 * `-r my-key.pem` encrypts to oneself; an encrypted one asks for its passphrase.
 */
export async function loadPublicKey(arg: string, passphrases: PassphraseSource): Promise<RsaPublicKey> {
  const firstWord = arg.trim().split(/\s+/)[0];
  if (isSshKeyType(firstWord) && /\s/.test(arg.trim())) return parsePublicKey(arg);
  const text = await readKeyFile(arg, 'key file');
  if (looksLikePrivateKey(text)) return (await loadPrivateKey(arg, passphrases)).publicKey;
  try {
    const key = parsePublicKey(text);
    return key;
  } catch (err) {
    throw inFile(err as Error, arg);
  }
}

/**
 * DIR is taken from the current directory (as every path argument is), so `-R .custodian/team` in a
 * subfolder misses the repository's roster: name the path that reaches it from here.
 */
function missingRosterHint(dir: string): string {
  const there = fromRepositoryRoot(dir);
  if (there !== undefined) return `paths are taken from the current directory: from here, the repository's ${dir} is ${there} (pass -R ${there})`;
  let roster: string | undefined;
  try {
    roster = findRoster(process.cwd());
  } catch {
    roster = undefined; // two rosters: no suggestion
  }
  if (roster !== undefined) {
    const from = path.relative(process.cwd(), roster) || '.';
    return `the team roster of this repository is ${from} (pass -R ${from})`;
  }
  return `the team roster is usually ${ROSTER_DIR}, at the repository's root`;
}

/** Every `*.pub` in a roster directory (e.g. `.custodian/team`), sorted by file name. */
export async function loadRoster(dir: string): Promise<{ file: string; name: string; key: RsaPublicKey }[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`roster directory ${dir} does not exist`, { cause: err, hint: missingRosterHint(dir) });
    if (code === 'ENOTDIR') throw new CliError(`${dir} is not a directory`, { cause: err, hint: 'use -r FILE for a single public key' });
    throw err;
  }
  const files = names.filter((n) => n.endsWith('.pub')).sort();
  if (files.length === 0) {
    throw new CliError(`roster directory ${dir} holds no .pub files`, {
      hint: `add team members' public keys as NAME.pub; yours: custodian pubkey > ${path.join(dir, 'NAME.pub')} (or "Add Myself to Team" in VS Code)`,
    });
  }
  // Names are shown as "who" (docs/ROSTER.md §2): checked on read, whoever wrote the file.
  for (const name of files) {
    const problem = rosterNameProblem(name.slice(0, -'.pub'.length));
    if (problem) throw new CliError(`${path.join(dir, displayText(name))}: not a valid roster name. ${problem}`, { hint: 'rename or remove the file' });
  }
  for (const group of confusableGroups(files.map((n) => n.slice(0, -'.pub'.length)))) {
    throw new CliError(`roster names ${group.join(', ')} in ${dir} look alike: one of them may impersonate the other`, { hint: 'remove the file that does not belong (check git log), or rename one of them' });
  }
  const out: { file: string; name: string; key: RsaPublicKey }[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    // A roster entry is a file of the repository: a committed link could point anywhere (a FIFO or
    // /dev/stdin would wait for ever, another project's key would join this team), and VS Code's roster
    // does not list one either.
    const stat = await fs.lstat(file);
    if (!stat.isFile()) {
      const what = stat.isSymbolicLink() ? `a symbolic link (to ${displayText(await fs.readlink(file))})` : stat.isDirectory() ? 'a directory' : 'not a regular file';
      throw new CliError(`${path.join(dir, displayText(name))} is ${what}: a roster entry is a NAME.pub file holding one public key`, { hint: 'replace it with the key file itself, or remove it (git log says who added it)' });
    }
    const text = await readKeyFile(file, 'public key file');
    try {
      out.push({ file, name: name.slice(0, -'.pub'.length), key: parsePublicKey(text) });
    } catch (err) {
      throw inFile(err as Error, file);
    }
  }
  return out;
}

/** How a key is shown in messages: `SHA256:… (comment)`. */
export function describeKey(key: RsaPublicKey): string {
  return key.comment ? `${key.fingerprint} (${displayText(key.comment)})` : key.fingerprint;
}

/** A `-C/--comment` value goes into a public key line others will read: printable, one line. */
export function checkCommentOption(comment: string | undefined, args: Args): string | undefined {
  if (comment !== undefined && hasUnsafeDisplayCharacters(comment)) throw args.usageError('--comment must be printable text on one line (no control characters)');
  return comment;
}
