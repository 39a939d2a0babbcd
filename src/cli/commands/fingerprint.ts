// custodian fingerprint: `BITS SHA256:… COMMENT (RSA)`, the same line `ssh-keygen -lf` prints.
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { displayText } from '../../core/display-text';
import { loadPublicKey } from '../key-files';

export const fingerprintCommand: Command = {
  name: 'fingerprint',
  options: { ...PASSPHRASE_FILE_OPTION },
  help: `Usage: custodian fingerprint [--passphrase-file FILE] KEY…

For each KEY (a public or private key file, a certificate, or a quoted "ssh-rsa …" line) prints
  BITS SHA256:FINGERPRINT COMMENT (RSA)
exactly like "ssh-keygen -lf": the SHA-256 of the OpenSSH public key blob, unpadded base64.
Keys without a comment show "no comment". Custodian shows the same fingerprints in VS Code, in
"custodian inspect" and in decrypt's "signed by" line, so they can be compared by eye.

Flags:
${PASSPHRASE_HELP}

Examples:
  custodian fingerprint .custodian/team/*.pub
  custodian fingerprint ~/.custodian/alice.pem
`,
  async run(args, ctx) {
    args.expectPositionals(1, Infinity, 'a key file (custodian fingerprint KEY…)');
    const passphrases = ctx.passphrases(args);
    for (const arg of args.positionals) {
      const key = await loadPublicKey(arg, passphrases);
      // The comment comes from the file: shown through displayText so it cannot drive the terminal.
      ctx.print(`${key.bits} ${key.fingerprint} ${key.comment === undefined ? 'no comment' : displayText(key.comment)} (RSA)`);
    }
  },
};

export const main = commandMain(fingerprintCommand);
