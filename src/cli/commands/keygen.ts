// custodian keygen: a new RSA key pair, private half passphrase-encrypted (PKCS#8), public half as an
// OpenSSH line ready for the team roster.
import type { RsaKeySize } from '../../core/crypto-backend';
import { estimatePassphraseStrength } from '../../core/passphrase-strength';
import { exportPrivateKeyEncrypted, exportPublicKeyOpenSsh, generateRsaKeyPair } from '../../core/keys';
import { utf8Encode } from '../../core/bytes';
import { FORCE_HELP, FORCE_OPTION, PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { checkOutput, isStdio, writeOutput } from '../io';
import { checkCommentOption } from '../key-files';
import { CliError, UsageError } from '../output';

const SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];

export const keygenCommand: Command = {
  name: 'keygen',
  options: {
    bits: { type: 'string', short: 'b' },
    out: { type: 'string', short: 'o' },
    comment: { type: 'string', short: 'C' },
    ...PASSPHRASE_FILE_OPTION,
    ...FORCE_OPTION,
  },
  help: `Usage: custodian keygen [-b BITS] [-o FILE] [-C COMMENT] [--passphrase-file FILE] [-f]

Generates an RSA key pair. The private key is written as passphrase-encrypted PKCS#8 PEM
("ENCRYPTED PRIVATE KEY": PBKDF2-HMAC-SHA256, AES-256-CBC; openssl reads it), mode 0600.
The public key goes to stdout as one OpenSSH line (add it to the team roster as NAME.pub);
its fingerprint goes to stderr.

Without -o, the private key is written to stdout instead and only the public key line to
stderr; this is refused when stdout is a terminal. Prefer -o: a file the shell creates for a
redirect gets your umask's mode (often 0644, readable by other users), not 0600; if you must
redirect, run it under "umask 077".

The passphrase comes from --passphrase-file, else $CUSTODIAN_PASSPHRASE, else a prompt on the
terminal (typed twice, not echoed). It must have at least 12 characters and about 50 bits
of entropy (as the extension's key backup): a few random words make one.

Flags:
  -b, --bits BITS         2048, 3072 (default) or 4096
  -o, --out FILE          write the encrypted private key to FILE
  -C, --comment TEXT      comment at the end of the public key line (e.g. alice@example.com)
${PASSPHRASE_HELP}
${FORCE_HELP}

Examples:
  custodian keygen -o ~/.custodian/alice.pem -C alice@example.com > .custodian/team/alice.pub
  CUSTODIAN_PASSPHRASE=… custodian keygen --bits 4096 -o ci-key.pem > ci-key.pub
`,
  async run(args, ctx) {
    args.expectPositionals(0, 0, '');
    const bitsText = args.string('bits');
    const bits = bitsText === undefined ? 3072 : SIZES.find((s) => String(s) === bitsText);
    if (bits === undefined) throw args.usageError(`--bits must be 2048, 3072 or 4096, got "${bitsText}"`);
    const out = args.string('out');
    const force = args.flag('force');
    const toStdout = isStdio(out);
    if (toStdout && ctx.io.stdout.isTTY) {
      throw new UsageError('refusing to print a private key to the terminal', { hint: 'pass -o FILE, or redirect stdout to a file' });
    }
    await checkOutput(out, { force });
    const comment = checkCommentOption(args.string('comment'), args);

    const passphrase = await ctx.passphrases(args).get({ prompt: 'Passphrase for the new key: ', confirm: true });
    if (passphrase.length === 0) {
      throw new CliError('the passphrase is empty', { hint: 'Custodian writes private keys encrypted; choose a passphrase' });
    }
    // The floor the extension's key backup has: this key, too, protects every secret shared with it.
    const strength = estimatePassphraseStrength(passphrase);
    if (!strength.ok) throw new CliError(`the passphrase is too weak: ${strength.problem ?? ''}`, { hint: 'six random words (custodian genpass -w 6) make a strong one' });

    const key = await generateRsaKeyPair(ctx.backend(), bits);
    const pem = await exportPrivateKeyEncrypted(key, passphrase);
    const publicLine = exportPublicKeyOpenSsh(key.publicKey, comment);
    await writeOutput(out, (async function* () { yield utf8Encode(pem); })(), ctx.io, { force, mode: 0o600 });
    if (toStdout) {
      // Only the public line, so `2> key.pub` captures a usable public key file.
      ctx.io.stderr.write(`${publicLine}\n`);
    } else {
      ctx.print(publicLine);
      ctx.info(`generated a ${bits}-bit RSA key ${key.publicKey.fingerprint}; private key in ${out}`);
    }
  },
};

export const main = commandMain(keygenCommand);
