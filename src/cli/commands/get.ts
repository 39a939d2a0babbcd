// custodian get: prints one value of a value-encrypted .env, JSON or YAML file (docs/VALUES.md), after
// the whole file (every value, the MAC, the signature) was verified.
import { openValues, readValue, sealedValueNames } from '../../core/values';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { reportSigner } from '../team-signers';
import { IDENTITY_HELP } from '../identities';
import { CliError } from '../output';
import { namingFile, readValuesText, refuseConflicted, VALUES_FORMAT_HELP, valuesFormatOf, valuesIdentities } from '../values-files';

export const getCommand: Command = {
  name: 'get',
  options: {
    identity: { type: 'string', short: 'i', multiple: true },
    format: { type: 'string' },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian get [-i KEY]… [--format FMT] [--passphrase-file FILE] FILE NAME

Opens FILE (written by "custodian encrypt --values" or Custodian in VS Code) and prints the value of
NAME on standard output, followed by a line break: the value a program reads (a .env value
without its quotes, a JSON string's content, a YAML scalar's value). NAME is the key, or the path
of a nested key with dots (db.password, hosts.0). Nothing is printed unless every value of the
file, its MAC and its signature verify. The signer is reported on standard error.

Flags:
  -i, --identity KEY      private key file; repeatable
${IDENTITY_HELP}
${VALUES_FORMAT_HELP}
${PASSPHRASE_HELP}

Examples:
  custodian get .env DATABASE_URL
  custodian get -i ~/.custodian/alice.pem config/secrets.yaml db.password
  export API_TOKEN="$(custodian get .env API_TOKEN)"
`,
  async run(args, ctx) {
    args.expectPositionals(2, 2, 'FILE NAME');
    const [file, name] = args.positionals;
    // Read first: a .enc file is refused as what it is, before its name asks for --format or a key is asked for.
    const text = await readValuesText(file, ctx);
    const format = valuesFormatOf(args, file);
    refuseConflicted(text, format, file);
    // Names are in the clear: a wrong one is said before a key is asked for (VS Code's question included).
    const names = await namingFile(file, async () => sealedValueNames(text, format));
    if (!names.includes(name)) throw noValue(file, name, names);
    const identities = await valuesIdentities(args, ctx, file);
    const opened = await namingFile(file, () => openValues(text, { format, identities, backend: ctx.backend() }));
    try {
      const value = readValue(opened.document, format, name);
      if (value === undefined) throw noValue(file, name, opened.info.entries.map((e) => e.name));
      const status = opened.signature;
      await reportSigner(ctx, status.kind === 'signed' ? status.signer : undefined, file);
      ctx.io.stdout.write(`${value}\n`);
    } finally {
      opened.dispose();
    }
  },
};

function noValue(file: string, name: string, names: readonly string[]): CliError {
  return new CliError(`${file} has no value "${name}"`, { hint: names.length > 0 ? `its keys: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}` : 'the file has no values' });
}

export const main = commandMain(getCommand);
