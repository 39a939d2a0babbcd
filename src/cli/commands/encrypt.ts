// custodian encrypt: streams a file into a `.enc` envelope for one or more recipients, optionally
// signed and ASCII-armored. Memory use does not depend on the input size.
import { armorStream } from '../../core/armor';
import { encryptStream, type SigningKey } from '../../core/envelope';
import { READ_CHUNK_SIZE } from '../../node/node-streams';
import { FORCE_HELP, FORCE_OPTION, PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { checkOutput, isStdio, openInput, writeOutput } from '../io';
import { IDENTITY_ENV, KEY_ENV, resolveSigner } from '../identities';
import { UsageError } from '../output';
import { encryptRecipients, recipientPolicyOf } from '../recipients';
import { VALUES_FORMAT_HELP_WITH_OUTPUT } from '../values-files';
import { encryptValuesFile } from '../values-crypt';

/**
 * Chunk size (and read size) of armored output; binary output uses the envelope's 256 KiB default.
 * Armor turns every sealed chunk into strings, and smaller chunks keep fewer of them alive at once.
 */
const ARMORED_CHUNK_SIZE = READ_CHUNK_SIZE;

export const encryptCommand: Command = {
  name: 'encrypt',
  options: {
    recipient: { type: 'string', short: 'r', multiple: true },
    roster: { type: 'string', short: 'R', multiple: true },
    sign: { type: 'string', short: 's' },
    pins: { type: 'string' },
    'sign-default': { type: 'boolean', short: 'S' },
    armor: { type: 'boolean', short: 'a' },
    out: { type: 'string', short: 'o' },
    values: { type: 'boolean' },
    format: { type: 'string' },
    'unencrypted-suffix': { type: 'string' },
    'unencrypted-regex': { type: 'string' },
    readable: { type: 'string', multiple: true },
    ...PASSPHRASE_FILE_OPTION,
    ...FORCE_OPTION,
  },
  help: `Usage: custodian encrypt (-r RECIPIENT)… (-R ROSTER-DIR)… [--pins FILE] [-s KEY | -S] [-a] [-o OUT] [-f]
                         [--passphrase-file FILE] [IN]
       custodian encrypt --values (-r RECIPIENT)… (-R ROSTER-DIR)… [--pins FILE] [-s KEY | -S]
                         [--format FMT] [--unencrypted-suffix S | --unencrypted-regex R | --readable KEY…]
                         [-o OUT] [-f]
                         [--passphrase-file FILE] [IN]

Encrypts IN (a file, or standard input when IN is absent or "-") to every recipient and writes a
Custodian encrypted file to OUT (or standard output). Any recipient's private key can open it.
Input is streamed in 256 KiB chunks (64 KiB with -a); memory use is constant. OUT is written
atomically and never replaces an existing file unless -f is given.

Flags:
  -r, --recipient KEY     a recipient: a public key file (OpenSSH .pub, PEM, certificate), a
                          private key file (its public half), a quoted "ssh-rsa AAAA…" line, or
                          the fingerprint (SHA256:…) of one of your keys ("custodian identities":
                          e.g. your key in VS Code, from its terminal); repeatable
  -R, --roster DIR        every *.pub file in DIR is a recipient (the team roster, usually
                          .custodian/team); repeatable, combines with -r. Refused when a
                          teammate's key changed or someone new appeared since you last used
                          DIR, until you confirm them ('custodian roster trust'); see
                          docs/ROSTER.md
      --pins FILE         check -R rosters against the fingerprints pinned in FILE (CI; also
                          $CUSTODIAN_ROSTER_PINS) instead of your own pin store
  -s, --sign KEY          sign with this private key file (decrypt then shows and can require the
                          signer), or with the key of this fingerprint (SHA256:…) among those of
                          $${IDENTITY_ENV}, $${KEY_ENV} or the VS Code agent
  -S, --sign-default      sign with your key: the first of $${IDENTITY_ENV}, else
                          $${KEY_ENV}, else the VS Code agent's default key ("custodian
                          identities" shows which)
  -a, --armor             ASCII-armored output (-----BEGIN CUSTODIAN ENCRYPTED FILE-----)
  -o, --out FILE          output file (default: standard output; binary output to a terminal is
                          refused, use -a)
${PASSPHRASE_HELP}
${FORCE_HELP}

Value-level encryption (--values): IN (a .env, JSON or YAML file) keeps its keys, comments and
layout; each value is replaced by a token and a metadata block is added at the end (docs/VALUES.md).
  --values                encrypt the values of IN, not the whole file; written in IN's own format
${VALUES_FORMAT_HELP_WITH_OUTPUT}
  --unencrypted-suffix S  leave values whose key ends with S in the clear (e.g. _PUBLIC)
  --unencrypted-regex R   leave values whose key matches the regular expression R in the clear
  --readable KEY          leave the values of KEY in the clear, exactly that key wherever it stands
                          (repeatable; a key that holds no other keys or list: VS Code's Choose
                          Which Stay Readable writes the same rule)

Examples:
  custodian encrypt -R .custodian/team -o secrets.env.enc secrets.env
  custodian encrypt -r bob.pub -r "ssh-rsa AAAAB3… carol" -s ~/.custodian/alice.pem -a < notes.txt
  tar cz data/ | custodian encrypt -R .custodian/team > data.tgz.enc
  custodian encrypt -R .custodian/team -S -o secrets.env.enc secrets.env   # signed by the agent's key
  custodian encrypt --values -R .custodian/team -s ~/.custodian/alice.pem -o .env plain.env
  custodian encrypt --values --unencrypted-suffix _PUBLIC -R .custodian/team -o config.json config.plain.json
  custodian encrypt --values --readable tag --readable replicaCount -R .custodian/team -f -o values.yaml values.yaml
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    const recipientArgs = args.strings('recipient');
    const rosterDirs = args.strings('roster');
    if (recipientArgs.length === 0 && rosterDirs.length === 0) {
      throw args.usageError('no recipients: pass -r KEY or -R ROSTER-DIR');
    }
    if (args.flag('values')) return encryptValuesFile(args, ctx);
    for (const flag of ['format', 'unencrypted-suffix', 'unencrypted-regex', 'readable']) if (args.has(flag)) throw args.usageError(`--${flag} needs --values`);
    const out = args.string('out');
    const force = args.flag('force');
    const armored = args.flag('armor');
    if (isStdio(out) && !armored && ctx.io.stdout.isTTY) {
      throw new UsageError('refusing to write binary ciphertext to the terminal', { hint: 'pass -a for armored text, -o FILE, or redirect stdout' });
    }
    await checkOutput(out, { force });
    const chunkSize = armored ? ARMORED_CHUNK_SIZE : undefined;
    const input = await openInput(args.positionals[0], ctx.io, undefined, chunkSize);
    const passphrases = ctx.passphrases(args);
    const recipients = await encryptRecipients(args, ctx, passphrases);
    const signArg = args.string('sign');
    const signDefault = args.flag('sign-default');
    if (signArg !== undefined && signDefault) throw args.usageError('pass either -s KEY or -S, not both');
    let signer: SigningKey | undefined;
    if (signArg !== undefined || signDefault) {
      const byFingerprint = signArg?.startsWith('SHA256:') === true;
      const files = signArg !== undefined && !byFingerprint ? [signArg] : [];
      const request = { files, env: ctx.io.env, passphrases, agent: ctx.agent(), file: out ?? args.positionals[0] };
      signer = (await resolveSigner(request, byFingerprint ? signArg : undefined)).key;
    }

    const sealed = encryptStream(input.chunks, { recipients, signer, backend: ctx.backend(), chunkSize, recipientPolicy: recipientPolicyOf(args) });
    await writeOutput(out, armored ? armorStream(sealed) : sealed, ctx.io, { force });
  },
};

export const main = commandMain(encryptCommand);
