// custodian inspect: what a `.enc` file's header says (recipients, signer, sizes), without any key.
import { displayText } from '../../core/display-text';
import { encodePem } from '../../core/pem';
import { inspectEnvelope } from '../../core/envelope';
import { type Command } from '../command';
import { commandMain } from '../command-main';
import { openInput } from '../io';
import { loadRoster } from '../key-files';
import * as path from 'node:path';
import { inspectValues, plaintextValues, ruleToString } from '../../core/values';
import type { Args } from '../args';
import type { CommandContext } from '../command';
import { CliError } from '../output';
import { namingFile, readValuesText, VALUES_FORMAT_HELP, valuesFlagHint, valuesFormatOf } from '../values-files';

/** `inspect --values`: a value-encrypted file's metadata, its signer verified, its values in the clear. */
async function inspectValuesFile(args: Args, ctx: CommandContext, names: ReadonlyMap<string, string>): Promise<void> {
  const file = args.positionals[0];
  const text = await readValuesText(file, ctx);
  const format = valuesFormatOf(args, file);
  const info = await namingFile(file, () => inspectValues(text, format, ctx.backend()));
  const leaked = plaintextValues(text, format);
  const named = (fingerprint: string): { fingerprint: string; name?: string } => ({ fingerprint, ...(names.has(fingerprint) ? { name: names.get(fingerprint) } : {}) });
  const signer = info.signature.kind === 'signed' ? info.signature.signer.fingerprint : undefined;
  if (args.flag('json')) {
    ctx.print(
      JSON.stringify(
        {
          format,
          recipients: info.recipients.map(named),
          recipientPolicy: info.recipientPolicy ?? null,
          rule: ruleToString(info.rule),
          signer: signer ? { ...named(signer), verified: true } : null,
          entries: info.entries.map((e) => ({ name: e.name, encrypted: e.encrypted })),
          inClearAgainstRule: leaked,
        },
        null,
        2,
      ),
    );
  } else {
    const label = (fp: string): string => (names.has(fp) ? `${fp} (${names.get(fp)})` : fp);
    ctx.print(`format:     ${format} (value-encrypted, docs/VALUES.md)`);
    ctx.print(`recipients: ${info.recipients.map(label).join('\n            ')}`);
    ctx.print(`rule:       ${ruleToString(info.rule)}`);
    ctx.print(`signer:     ${signer ? `${label(signer)} (signature verified)` : 'none (unsigned)'}`);
    ctx.print(`entries:    ${info.entries.length} (${info.entries.filter((e) => !e.encrypted).length} in the clear by the rule)`);
    for (const e of info.entries) ctx.print(`  ${e.encrypted ? 'encrypted ' : 'clear     '} ${displayText(e.name)}`);
  }
  if (leaked.length > 0) {
    throw new CliError(`values in the clear although the file's rule says they are encrypted: ${leaked.map((n) => displayText(n)).join(', ')}`, { hint: 'the file was edited by hand; encrypt those values again' });
  }
}

export const inspectCommand: Command = {
  name: 'inspect',
  options: {
    roster: { type: 'string', short: 'R', multiple: true },
    json: { type: 'boolean' },
    values: { type: 'boolean' },
    format: { type: 'string' },
  },
  help: `Usage: custodian inspect [-R ROSTER-DIR]… [--json] [FILE]
       custodian inspect --values [--json] [-R ROSTER-DIR]… [--format FMT] FILE

Reads the header of a Custodian encrypted file (binary or armored; standard input when FILE is
absent or "-") and prints its recipients' fingerprints, the signer named in the header and the
sizes. No key is needed and nothing is decrypted or verified: the signer shown is the one the
header claims, and the payload and plaintext sizes are computed from the file's length, so bytes
appended to the file count too; only "custodian decrypt" checks the signature and the payload.

Flags:
  -R, --roster DIR        label fingerprints with the names of matching DIR/*.pub files
      --json              print a JSON object instead of text

Value-encrypted files (--values, docs/VALUES.md): prints the recipients, the rule, every key with
whether its value is encrypted, and the signer, whose signature IS verified (no key needed); values
the file's rule says must be encrypted but are in the clear are listed (exit status 1).
      --values            FILE is a value-encrypted .env, JSON or YAML file
${VALUES_FORMAT_HELP}

Examples:
  custodian inspect secrets.env.enc
  custodian inspect --values --json .env
  custodian inspect -R .custodian/team --json secrets.env.enc
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    const names = new Map<string, string>();
    for (const dir of args.strings('roster')) {
      for (const { file, key } of await loadRoster(dir)) {
        const label = displayText(path.basename(file, '.pub') + (key.comment ? ` (${key.comment})` : ''));
        if (!names.has(key.fingerprint)) names.set(key.fingerprint, label);
      }
    }
    if (args.flag('values')) return inspectValuesFile(args, ctx, names);
    if (args.has('format')) throw args.usageError('--format needs --values');
    const input = await openInput(args.positionals[0], ctx.io);
    const info = await inspectEnvelope(input.chunks).catch(async (err: unknown) => {
      throw await valuesFlagHint(err, args.positionals[0], 'inspect');
    });
    if (args.flag('json')) {
      const json = {
        version: info.version,
        recipients: info.recipients.map((fingerprint) => ({ fingerprint, ...(names.has(fingerprint) ? { name: names.get(fingerprint) } : {}) })),
        // "team" or "chosen" (FORMAT.md §3.4); null in files written before the field.
        recipientPolicy: info.recipientPolicy ?? null,
        signer: info.signer
          ? { fingerprint: info.signer.fingerprint, ...(names.has(info.signer.fingerprint) ? { name: names.get(info.signer.fingerprint) } : {}), publicKeyPem: encodePem('PUBLIC KEY', info.signer.spkiDer) }
          : null,
        chunkSize: info.chunkSize,
        headerSize: info.headerSize,
        payloadSize: info.payloadSize ?? null,
        plaintextSize: info.plaintextSize ?? null,
        // Computed from the file's length: nothing here is authenticated without a key.
        sizesAuthenticated: false,
      };
      ctx.print(JSON.stringify(json, null, 2));
      return;
    }
    const label = (fp: string): string => (names.has(fp) ? `${fp}  ${names.get(fp)}` : fp);
    ctx.print(`${displayText(input.name)}: Custodian encrypted file, format version ${info.version}`);
    ctx.print(`recipients (${info.recipients.length}):`);
    for (const fp of info.recipients) ctx.print(`  ${label(fp)}`);
    if (info.recipientPolicy) ctx.print(`recipients chosen for: ${info.recipientPolicy === 'team' ? 'the team (re-keyed with it)' : 'these people only (never widened to the team)'}`);
    ctx.print(`signer: ${info.signer ? `${label(info.signer.fingerprint)}  (claimed by the header; decrypt verifies it)` : 'none (not signed)'}`);
    ctx.print(`header: ${info.headerSize} bytes, chunk size ${info.chunkSize} bytes`);
    const unverified = '(from the file\'s length, not authenticated; decrypt verifies it)';
    if (info.payloadSize !== undefined) ctx.print(`payload: ${info.payloadSize} bytes ${unverified}`);
    if (info.plaintextSize !== undefined) ctx.print(`plaintext: ${info.plaintextSize} bytes ${unverified}`);
  },
};

export const main = commandMain(inspectCommand);
