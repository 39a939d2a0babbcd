// custodian set: changes one value of a value-encrypted .env, JSON or YAML file (docs/VALUES.md). The
// new value comes from standard input, never from argv (which other users can read in the process
// list). Only that value is re-sealed: every other token stays byte for byte, so the diff is one line
// plus the metadata's mac= and signature= lines.
import { displayText } from '../../core/display-text';
import { namesInTheClear, openValues, replaceValue, ruleToString, sealedValueNames } from '../../core/values';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command, type CommandContext } from '../command';
import { commandMain } from '../command-main';
import { decodeText, readSmallInput } from '../io';
import { deployKeys, reportSigner } from '../team-signers';
import { IDENTITY_HELP, rewriteSigner } from '../identities';
import { loadRoster } from '../key-files';
import { CliError, UsageError } from '../output';
import { promptHidden } from '../passphrase';
import { findRoster } from '../repository';
import { vettedRosterKeys } from '../roster-trust';
import { namingFile, readValuesText, refuseConflicted, VALUES_FORMAT_HELP, valuesFormatOf, valuesIdentities, valuesSigner, writeValuesText } from '../values-files';

/** A secret value is small; this bounds a mistaken pipe. */
const MAX_VALUE_BYTES = 1024 * 1024;

export const setCommand: Command = {
  name: 'set',
  options: {
    identity: { type: 'string', short: 'i', multiple: true },
    sign: { type: 'string', short: 's' },
    'sign-unverified': { type: 'boolean' },
    pins: { type: 'string' },
    format: { type: 'string' },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian set [-i KEY]… [-s KEY] [--sign-unverified] [--pins FILE] [--format FMT]
                     [--passphrase-file FILE] FILE NAME < VALUE

Reads the new value of NAME from standard input (piped: all of it, one final line break
removed, so "echo secret |" works; at a terminal: one line, typed without echo) and writes FILE
again, atomically, in place, unless FILE changed meanwhile (an editor's save is kept). Only NAME's
value is re-sealed; every other value keeps its token byte for byte. A NAME not yet in a .env file
(or a new top-level key of a YAML file) is added at the end; in JSON, add the member in an editor
first. The file is verified before it is changed, and signed again: by the key that opened it,
unless -s names another. Since the whole file is then signed by you, a file that is unsigned, or
signed by a key that is neither yours nor in the repository's roster (vetted against your pins, as
encrypt -R vets it; without a roster, one of the file's recipients), is refused unless
--sign-unverified. A recipient outside the roster is warned
about: they can read the new value too. The value is never taken from the command line.

Flags:
  -i, --identity KEY      private key file that opens FILE; repeatable
${IDENTITY_HELP}
  -s, --sign KEY          sign with this private key file, or the key of this fingerprint
                          (SHA256:…) among the -i keys (default: the key that opened FILE)
      --sign-unverified   sign even a file of unknown origin: you checked its content yourself
      --pins FILE         pins to vet the roster against, for CI (see custodian roster --help)
${VALUES_FORMAT_HELP}
${PASSPHRASE_HELP}

Examples:
  custodian set .env DATABASE_PASSWORD < new-password.txt
  printf %s "$TOKEN" | custodian set -i ~/.custodian/alice.pem config/secrets.yaml api.token
  custodian genpass --token | custodian set .env SESSION_SECRET
`,
  async run(args, ctx) {
    if (args.positionals.length > 2) {
      // Most likely the value: not quoted back, and not taken.
      throw args.usageError('set takes FILE and NAME only: the value comes from standard input, never from the command line, where shell history and the process list keep it');
    }
    args.expectPositionals(2, 2, 'FILE NAME');
    const [file, name] = args.positionals;
    if (file === '-') throw new UsageError('set changes a file in place: FILE cannot be standard input, which carries the value');
    // The write is a new file renamed into place: over a link, it would replace the link and leave the
    // file it leads to as it was, while saying the value was set (a red team's .env link).
    const link = await fs.readlink(file).catch(() => undefined);
    if (link !== undefined) {
      const target = path.resolve(path.dirname(file), link);
      throw new CliError(`${file} is a symbolic link to ${displayText(target)}: set writes a new file in its place, which would leave the file it leads to unchanged`, {
        hint: `set the value in the file itself: custodian set ${displayText(path.relative(process.cwd(), target) || target)} NAME`,
      });
    }
    // Read first: a .enc file is refused as what it is, before its name asks for --format or a key is asked for.
    const text = await readValuesText(file, ctx);
    const format = valuesFormatOf(args, file);
    refuseConflicted(text, format, file);
    // Names are in the clear: a name that can be neither found nor added is refused before a key is asked for.
    await namingFile(file, async () => sealedValueNames(text, format, name));
    const identities = await valuesIdentities(args, ctx, file);
    const explicitSigner = await valuesSigner(args, ctx, file);
    const opened = await namingFile(file, () => openValues(text, { format, identities, backend: ctx.backend() }));
    try {
      const signedBy = opened.signature.kind === 'signed' ? opened.signature.signer.fingerprint : undefined;
      const mine = identities.map((k) => k.publicKey.fingerprint);
      await checkOrigin(file, signedBy, mine, opened.info.recipients, { signUnverified: args.flag('sign-unverified'), pins: args.string('pins') }, ctx);
      const value = await readNewValue(name, ctx);
      // The key that opened the file signs it again (a local key, or the agent's).
      const signer = rewriteSigner(explicitSigner, identities, [opened.openedBy.publicKey.fingerprint]);
      const document = replaceValue(opened.document, format, name, value);
      const rule = opened.info.rule;
      const inClear = rule.kind !== 'all' && namesInTheClear(document, format, rule).includes(name);
      const resealed = await opened.reseal(document, { backend: ctx.backend(), signer });
      // The value may have been typed for a while: an editor's save meanwhile is not undone unseen.
      await writeValuesText(file, resealed, ctx, { replace: true, unchangedSince: text });
      // Someone who piped a secret under a name the rule leaves readable must notice: said, not refused.
      if (inClear) ctx.warn(`${name} set in ${file} in the clear, not encrypted: the file's rule (encrypt=${ruleToString(rule)}) leaves it readable`);
      else ctx.info(`${name} set in ${file}`);
      await reportSigner(ctx, signer.publicKey, file);
    } finally {
      opened.dispose();
    }
  },
};

/**
 * The new value: from a pipe or file, all of it (one final line break removed); typed at a terminal, one
 * line, not echoed, as a passphrase is (a value longer than a line is piped from a file).
 */
async function readNewValue(name: string, ctx: CommandContext): Promise<string> {
  if (ctx.io.stdin.isTTY) {
    const typed = await promptHidden(`New value of ${name} (not shown; Enter when done): `, { env: ctx.io.env, stdin: ctx.io.stdin, stderr: ctx.io.stderr }, 'value');
    if (typed === '') throw new CliError(`no value typed: ${name} is unchanged`, { hint: 'to set an empty value, pipe it: printf "" | custodian set FILE NAME' });
    return typed;
  }
  return decodeText(await readSmallInput(undefined, ctx.io, MAX_VALUE_BYTES), 'standard input').replace(/\r?\n$/, '');
}

/**
 * `set` signs the whole file as the user, so what it holds must come from someone they trust with it:
 * one of their keys, or a member of the repository's roster (vetted against the pins, so a key added
 * to the roster by the same commit is asked about first; without a roster, a recipient), as `rekey`
 * asks before re-signing. Recipients
 * outside the roster are told about: the new value is sealed to them too.
 */
async function checkOrigin(
  file: string,
  signer: string | undefined,
  mine: readonly string[],
  recipients: readonly string[],
  options: { signUnverified: boolean; pins: string | undefined },
  ctx: CommandContext,
): Promise<void> {
  const rosterDir = findRoster(path.dirname(path.resolve(file)));
  const members = rosterDir === undefined ? [] : (await loadRoster(rosterDir)).map((m) => m.key.fingerprint);
  // Without a roster there is no team to ask: a recipient's signature counts, as rekey counts one.
  const vouchers = rosterDir === undefined ? recipients : members;
  // A deploy key reads the team's files, but what it wrote may be a leaked key's (team-signers.ts).
  const deploy = rosterDir === undefined ? new Set<string>() : await deployKeys(rosterDir, ctx.backend());
  const trusted = signer !== undefined && (mine.includes(signer) || (vouchers.includes(signer) && !deploy.has(signer)));
  if (!trusted && !options.signUnverified) {
    const whose = rosterDir === undefined ? 'neither your key nor a recipient' : deploy.has(signer ?? '') ? 'a deploy key of the roster: no one on the team writes with one, so its values may be a leaked key\'s' : 'neither your key nor in the team roster';
    throw new CliError(`${file} is ${signer === undefined ? 'not signed' : `signed by ${signer}, which is ${whose}`}: setting a value signs the whole file as you`, {
      hint: 'check where its content came from (custodian decrypt --values shows it and its recipients), then run again with --sign-unverified',
    });
  }
  // A roster member's signature counts once the roster itself passes the review (a newcomer is asked about).
  if (trusted && !mine.includes(signer) && rosterDir !== undefined) await vettedRosterKeys([rosterDir], options.pins, ctx);
  if (rosterDir === undefined) return;
  const outside = recipients.filter((fp) => !members.includes(fp) && !mine.includes(fp));
  if (outside.length > 0) {
    ctx.warn(`${file} is also encrypted for ${outside.join(', ')}, not in the team roster: they can read the new value too (custodian rekey re-encrypts it for the team)`);
  }
}

export const main = commandMain(setCommand);
