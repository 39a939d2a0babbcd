// custodian pubkey: the public half of a key, as an OpenSSH line or SPKI PEM.
import { displayText } from '../../core/display-text';
import { exportPublicKeyOpenSsh, exportPublicKeyPem } from '../../core/keys';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { IDENTITY_ENV, KEY_ENV, resolveSigner } from '../identities';
import { checkCommentOption, loadPublicKey } from '../key-files';

export const pubkeyCommand: Command = {
  name: 'pubkey',
  options: {
    pem: { type: 'boolean' },
    comment: { type: 'string', short: 'C' },
    // As every other command names a private key (a newcomer's `pubkey -i KEY` was an unknown flag).
    identity: { type: 'string', short: 'i' },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian pubkey [--pem] [-C COMMENT] [--passphrase-file FILE] [-i KEY | KEY]

Prints the public key of KEY: a private key (PKCS#8, encrypted PKCS#8, PKCS#1 or OpenSSH; an
encrypted one asks for its passphrase), a public key (PEM, OpenSSH line) or an X.509 certificate.
Without KEY: your default key, the one encrypt -S signs with (the first of $${IDENTITY_ENV},
$${KEY_ENV}, or the VS Code agent's default key; "custodian identities" shows which).
The output is one OpenSSH "ssh-rsa …" line, or with --pem a "PUBLIC KEY" (SPKI) PEM block.

Flags:
      --pem               print SPKI PEM instead of an OpenSSH line
  -C, --comment TEXT      comment for the OpenSSH line (default: the key's own comment, if any)
  -i, --identity KEY      the key, as the other commands name it (the same as KEY)
${PASSPHRASE_HELP}

Examples:
  custodian pubkey ~/.custodian/alice.pem > .custodian/team/alice.pub
  custodian pubkey --pem alice.pub > alice-spki.pem
  custodian pubkey > me.pub                  # in a VS Code terminal: your key kept in VS Code
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    const comment = checkCommentOption(args.string('comment'), args);
    const passphrases = ctx.passphrases(args);
    const identity = args.string('identity');
    if (identity !== undefined && args.positionals.length === 1) throw args.usageError('name the key once: -i KEY or KEY');
    const file = identity ?? args.positionals[0];
    const key =
      file !== undefined
        ? await loadPublicKey(file, passphrases)
        : (await resolveSigner({ files: [], env: ctx.io.env, passphrases, agent: ctx.agent() })).key.publicKey;
    if (args.flag('pem')) {
      if (args.has('comment')) throw args.usageError('--comment applies to OpenSSH lines, not to --pem');
      ctx.io.stdout.write(exportPublicKeyPem(key));
    } else {
      // A comment from the file (a certificate CN, an OpenSSH key's comment) may hold controls.
      ctx.print(exportPublicKeyOpenSsh(key, comment ?? (key.comment === undefined ? undefined : displayText(key.comment))));
    }
  },
};

export const main = commandMain(pubkeyCommand);
