// What the value-encryption commands share (encrypt --values, decrypt --values, set, get): the format
// of a file, its keys, reading it whole and replacing it atomically. Spec: docs/VALUES.md.
import { promises as fs } from 'node:fs';
import { isArmored } from '../core/armor';
import { hasEnvelopeMagic } from '../core/envelope-header';
import type { RsaPrivateKey } from '../core/keys';
import { isValueEncrypted, parseRule, readableChoices, ruleNaming, valuesFormatForFileName, type SelectionRule, type ValuesFormatName } from '../core/values';
import { isConflictedValues } from '../core/values-conflict';
import { DotenvSyntaxError } from '../core/dotenv';
import { FormatError, NoIdentityMatchedError, SignatureError, ValueAuthError, ValuesMacError } from '../core/errors';
import type { Args } from './args';
import type { CommandContext } from './command';
import { resolveIdentities, resolveSigner, type RemoteKey } from './identities';
import { decodeText, isStdio, readSmallInput, writeOutput } from './io';
import { shellQuote } from '../core/shell-quote';
import { readRegularFile } from '../node/regular-files';
import { CliError, UsageError } from './output';

/** A value-encrypted file is read whole: config files are small, and 64 MiB bounds a mistake. */
export const MAX_VALUES_FILE_BYTES = 64 * 1024 * 1024;

export const VALUES_FORMAT_HELP = `      --format FMT        dotenv, json or yaml (default: from the file name: .env, .env.*, *.env,
                          *.json, *.yaml, *.yml)`;
/** encrypt/decrypt --values: standard input takes its format from -o's name. */
export const VALUES_FORMAT_HELP_WITH_OUTPUT = `      --format FMT        dotenv, json or yaml (default: from the file name: .env, .env.*, *.env,
                          *.json, *.yaml, *.yml; for standard input, from -o's)`;

export function valuesFormatOf(args: Args, file: string | undefined, output?: string): ValuesFormatName {
  const given = args.string('format');
  if (given !== undefined) {
    if (given !== 'dotenv' && given !== 'json' && given !== 'yaml') throw args.usageError(`unknown --format "${given}": use dotenv, json or yaml`);
    return given;
  }
  const named = (f: string | undefined) => (f === undefined || isStdio(f) ? undefined : valuesFormatForFileName(f));
  // The output's name when the input has none that says (standard input: `encrypt --values -o .env -`).
  const format = named(file) ?? named(output);
  if (!format) throw new UsageError(`cannot tell the format of ${file === undefined || isStdio(file) ? 'standard input' : file}`, { hint: 'pass --format dotenv, --format json or --format yaml' });
  return format;
}

/**
 * decrypt or inspect without --values on a value-encrypted file fails for want of .enc magic, and the
 * core's hint says to check it is not the plaintext: said of a file whose values are sealed, it misleads.
 */
export async function valuesFlagHint(err: unknown, file: string | undefined, command: 'decrypt' | 'inspect'): Promise<unknown> {
  if (!(err instanceof FormatError) || file === undefined || isStdio(file)) return err;
  const format = valuesFormatForFileName(file);
  const bytes = format && (await readRegularFile(file, MAX_VALUES_FILE_BYTES).catch(() => undefined));
  // Lenient decoding: only whether a metadata block is there matters.
  if (!format || !bytes || !isValueEncrypted(new TextDecoder().decode(bytes), format)) return err;
  return new CliError(`${file} is value-encrypted (its values are sealed where they stand), not a .enc file`, {
    cause: err,
    hint: `run: custodian ${command} --values ${shellQuote(file)}${command === 'decrypt' ? ` (one value: custodian get ${shellQuote(file)} NAME)` : ''}`,
  });
}

/**
 * `--unencrypted-suffix S`, `--unencrypted-regex R` or `--readable KEY`… (one kind at most); undefined:
 * encrypt every value. `--readable` names keys as VS Code's Choose Which Stay Readable does: only keys that
 * hold no other keys or list (a rule reaches a key wherever it stands), written as a rule naming exactly them.
 */
export function selectionRuleOf(args: Args, document: string, format: ValuesFormatName, file: string | undefined): SelectionRule | undefined {
  const suffix = args.string('unencrypted-suffix');
  const regex = args.string('unencrypted-regex');
  const readable = args.strings('readable');
  if ([suffix !== undefined, regex !== undefined, readable.length > 0].filter(Boolean).length > 1) {
    throw args.usageError('pass one of --unencrypted-suffix, --unencrypted-regex or --readable, not several');
  }
  if (suffix !== undefined) return parseRule(`unencrypted-suffix:${suffix}`);
  if (regex !== undefined) return parseRule(`unencrypted-regex:${regex}`);
  if (readable.length === 0) return undefined;
  const { offered } = readableChoices(document, format);
  const unknown = readable.filter((key) => !offered.some((c) => c.key === key));
  if (unknown.length > 0) {
    const what = file === undefined || isStdio(file) ? 'the input' : file;
    throw new UsageError(`--readable ${unknown.join(', ')}: ${what} has no value of that name`, {
      hint: 'name a key of a value as written (--readable NODE_ENV --readable PORT); a key that holds other keys or a list cannot be named: a rule naming it would leave everything below it readable, values added later too',
    });
  }
  return ruleNaming(readable);
}

/**
 * Runs `work` so that what is wrong with the file's text says which file: "line 2: expected =" says where,
 * the name says which (run -e and rekey name it too). Errors of the command line itself (a key file that
 * does not exist, a usage error) name what they are about already and pass unchanged.
 */
export async function namingFile<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const aboutTheText = [FormatError, DotenvSyntaxError, ValueAuthError, ValuesMacError, SignatureError, NoIdentityMatchedError].some((kind) => err instanceof kind);
    if (aboutTheText && !isStdio(file) && !(err as Error).message.startsWith(`${file as string}: `)) (err as Error).message = `${file as string}: ${(err as Error).message}`;
    throw err;
  }
}

/** A file the git merge driver left in conflict is resolved first: no value is read from one side of it. */
export function refuseConflicted(text: string, format: ValuesFormatName, file: string | undefined): void {
  if (!isConflictedValues(text, format)) return;
  const what = file === undefined || isStdio(file) ? 'the input' : file;
  throw new CliError(`${what} has unresolved merge conflicts (git)`, {
    hint: `see them with "custodian decrypt --values ${what}"; resolve in VS Code (open it decrypted, edit, save), or take a side with "git checkout --ours ${what}"`,
  });
}

/**
 * Reads a document whole. A whole-file `.enc` is refused by what it is: a binary one would otherwise
 * fail as "not UTF-8 text" and an armored one as a document without metadata, neither of which says
 * that set, get and --values are the wrong tools for it.
 */
export async function readValuesText(file: string | undefined, ctx: CommandContext): Promise<string> {
  const bytes = await readSmallInput(file, ctx.io, MAX_VALUES_FILE_BYTES);
  const name = isStdio(file) ? 'standard input' : (file as string);
  const kind = hasEnvelopeMagic(bytes) ? 'binary' : isArmored(bytes) ? 'armored' : undefined;
  if (kind !== undefined) {
    const f = isStdio(file) ? 'FILE' : name;
    throw new CliError(`${name} is a whole-file encrypted file (${kind} .enc), not a .env, JSON or YAML document`, {
      // No advice that writes the plaintext to a file: VS Code edits it in memory, and a pipe converts it.
      hint: `set, get and --values work on .env, JSON and YAML files whose values were encrypted with "custodian encrypt --values"; ${f} is encrypted whole: "custodian decrypt ${f}" prints it, VS Code edits it decrypted in memory (saving re-encrypts it), and "custodian decrypt ${f} | custodian encrypt --values --format dotenv -R .custodian/team -S -o NEW.env -" makes a value-encrypted copy without writing the plaintext (for set and get)`,
    });
  }
  // A byte order mark stays part of the document: decrypt(encrypt(x)) is x byte for byte (VALUES.md §3).
  return decodeText(bytes, name, { keepBom: true });
}

/**
 * Writes text atomically: to a new file (mode 0600 unless `mode`), or over `file` when `replace` is set
 * (keeping its mode), or to standard output. With `unchangedSince`, the text the new one was made from,
 * the file is read again first and left alone when it no longer holds that text: a save in an editor
 * while the command waited (for a typed value, for VS Code's answer) is not undone unseen. What is left
 * is the moment between that read and the rename.
 */
export async function writeValuesText(out: string | undefined, text: string, ctx: CommandContext, options: { force?: boolean; replace?: boolean; mode?: number; unchangedSince?: string }): Promise<void> {
  if (options.unchangedSince !== undefined && !isStdio(out)) {
    const now = await readValuesText(out, ctx).catch(() => undefined);
    if (now !== options.unchangedSince) {
      throw new CliError(`${out as string} changed while this command ran (saved in an editor?): nothing was written, and that change stays`, {
        hint: 'run the command again: it starts from the file as it is now',
      });
    }
  }
  let mode = options.mode;
  if (options.replace && !isStdio(out)) mode = (await fs.stat(out as string)).mode & 0o777;
  async function* one(): AsyncIterable<Uint8Array> {
    yield new TextEncoder().encode(text);
  }
  await writeOutput(out, one(), ctx.io, { force: options.force || options.replace, mode });
}

/** The private keys to open a value-encrypted file with, in the order of identities.ts (the agent's included). */
export async function valuesIdentities(args: Args, ctx: CommandContext, file: string | undefined): Promise<(RsaPrivateKey | RemoteKey)[]> {
  const resolved = await resolveIdentities({ files: args.strings('identity'), env: ctx.io.env, passphrases: ctx.passphrases(args), agent: ctx.agent(), file });
  return resolved.map((i) => i.key);
}

/**
 * `-s KEY` (a key file, or `SHA256:…` among the resolved keys) or, where the command has it, `-S` (the
 * first resolved key), as a local private key; undefined when neither is given.
 */
export async function valuesSigner(args: Args, ctx: CommandContext, file: string | undefined): Promise<RsaPrivateKey | RemoteKey | undefined> {
  const signArg = args.string('sign');
  const signDefault = args.flag('sign-default');
  if (signArg !== undefined && signDefault) throw args.usageError('pass either -s KEY or -S, not both');
  if (signArg === undefined && !signDefault) return undefined;
  const byFingerprint = signArg?.startsWith('SHA256:') === true;
  const files = signArg !== undefined && !byFingerprint ? [signArg] : args.strings('identity');
  const request = { files, env: ctx.io.env, passphrases: ctx.passphrases(args), agent: ctx.agent(), file };
  return (await resolveSigner(request, byFingerprint ? signArg : undefined)).key;
}
