// custodian set: changes one value of a value-encrypted .env, JSON or YAML file (docs/VALUES.md). The
// new value comes from standard input, never from argv (which other users can read in the process
// list). Only that value is re-sealed: every other token stays byte for byte, so the diff is one line
// plus the metadata's mac= and signature= lines.
import { openValues, replaceValue } from '../../core/values';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { decodeText, readSmallInput } from '../io';
import { reportSigner } from '../team-signers';
import { IDENTITY_HELP, rewriteSigner } from '../identities';
import { UsageError } from '../output';
import { readValuesText, refuseConflicted, VALUES_FORMAT_HELP, valuesFormatOf, valuesIdentities, valuesSigner, writeValuesText } from '../values-files';

/** A secret value is small; this bounds a mistaken pipe. */
const MAX_VALUE_BYTES = 1024 * 1024;

export const setCommand: Command = {
  name: 'set',
  options: {
    identity: { type: 'string', short: 'i', multiple: true },
    sign: { type: 'string', short: 's' },
    format: { type: 'string' },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian set [-i KEY]… [-s KEY] [--format FMT] [--passphrase-file FILE] FILE NAME < VALUE

Reads the new value of NAME from standard input (one final line break is removed, so
"echo secret |" and a typed line work) and writes FILE again, atomically, in place. Only NAME's
value is re-sealed; every other value keeps its token byte for byte. A NAME not yet in a .env file
(or a new top-level key of a YAML file) is added at the end; in JSON, add the member in an editor
first. The file is verified before it is changed, and signed again: by the key that opened it,
unless -s names another. The value is never taken from the command line.

Flags:
  -i, --identity KEY      private key file that opens FILE; repeatable
${IDENTITY_HELP}
  -s, --sign KEY          sign with this private key file, or the key of this fingerprint (SHA256:…)
                          among the -i keys (default: the key that opened FILE)
${VALUES_FORMAT_HELP}
${PASSPHRASE_HELP}

Examples:
  custodian set .env DATABASE_PASSWORD < new-password.txt
  printf %s "$TOKEN" | custodian set -i ~/.custodian/alice.pem config/secrets.yaml api.token
  custodian genpass | custodian set .env SESSION_SECRET
`,
  async run(args, ctx) {
    args.expectPositionals(2, 2, 'FILE NAME');
    const [file, name] = args.positionals;
    if (file === '-') throw new UsageError('set changes a file in place: FILE cannot be standard input, which carries the value');
    // Read first: a .enc file is refused as what it is, before its name asks for --format or a key is asked for.
    const text = await readValuesText(file, ctx);
    const format = valuesFormatOf(args, file);
    refuseConflicted(text, format, file);
    const identities = await valuesIdentities(args, ctx, file);
    const explicitSigner = await valuesSigner(args, ctx, file);
    const opened = await openValues(text, { format, identities, backend: ctx.backend() });
    try {
      if (ctx.io.stdin.isTTY) ctx.info(`type the new value of ${name}, then Enter and Ctrl-D`);
      const value = decodeText(await readSmallInput(undefined, ctx.io, MAX_VALUE_BYTES), 'standard input').replace(/\r?\n$/, '');
      // The key that opened the file signs it again (a local key, or the agent's).
      const signer = rewriteSigner(explicitSigner, identities, [opened.openedBy.publicKey.fingerprint]);
      const resealed = await opened.reseal(replaceValue(opened.document, format, name, value), { backend: ctx.backend(), signer });
      await writeValuesText(file, resealed, ctx, { replace: true });
      ctx.info(`${name} set in ${file}`);
      await reportSigner(ctx, signer.publicKey, file);
    } finally {
      opened.dispose();
    }
  },
};

export const main = commandMain(setCommand);
