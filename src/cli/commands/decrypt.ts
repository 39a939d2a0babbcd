// custodian decrypt: opens a `.enc` file (binary or armored) with one or more private keys, streaming.
// To a file: atomic, so a file that fails authentication anywhere leaves nothing behind. To stdout:
// only authenticated chunks are written, but a later failure still means "discard it" (exit status 1).
import { decryptStream } from '../../core/envelope';
import { hasEnvelopeMagic } from '../../core/envelope-header';
import { SignatureError, SignerMismatchError } from '../../core/errors';
import type { RsaPrivateKey, RsaPublicKey } from '../../core/keys';
import { stopOptimizingCompiler } from '../../node/optimizing-compiler';
import { FORCE_HELP, FORCE_OPTION, PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { checkOutput, openInput, writeOutput } from '../io';
import { describeKey, loadPrivateKey, loadPublicKey } from '../key-files';

function requireSigner(actual: string | undefined, required: RsaPublicKey): void {
  if (actual === undefined) {
    throw new SignatureError(`the file is not signed, but --require-signer asks for ${describeKey(required)}`);
  }
  if (actual !== required.fingerprint) {
    throw new SignerMismatchError(`the file is signed by ${actual}, not by the required signer ${describeKey(required)}`);
  }
}

/**
 * Passes `chunks` through, calling `onBinary` first if the input starts as a binary envelope does:
 * its time then goes to native crypto, whereas dearmoring an armored one is JavaScript.
 */
async function* whenBinary(chunks: AsyncIterable<Uint8Array>, onBinary: () => void): AsyncIterable<Uint8Array> {
  let first = true;
  for await (const piece of chunks) {
    if (first && piece.length > 0) {
      first = false;
      if (hasEnvelopeMagic(piece)) onBinary();
    }
    yield piece;
  }
}

export const decryptCommand: Command = {
  name: 'decrypt',
  summary: 'decrypt a .enc file (binary or armored) with your private key',
  options: {
    identity: { type: 'string', short: 'i', multiple: true },
    out: { type: 'string', short: 'o' },
    'require-signer': { type: 'string' },
    ...PASSPHRASE_FILE_OPTION,
    ...FORCE_OPTION,
  },
  help: `Usage: custodian decrypt (-i KEY)… [--require-signer PUB] [-o OUT] [-f] [IN]

Decrypts IN (a file, or standard input when IN is absent or "-"; binary or ASCII-armored) with
the first private key that is a recipient, and writes the plaintext to OUT (or standard output).
Reports the sender on standard error:
  custodian: signed by SHA256:… (comment)
  custodian: warning: not signed

Every chunk is authenticated before it is released. With -o, OUT appears only after the whole
file, its signature and its end were verified (written to a temporary file, then renamed); on
any failure nothing is written. On standard output, data already written stays written when a
later chunk fails: a consumer of stdout MUST check the exit status and discard the output
unless it is 0 (e.g. "set -o pipefail").

Flags:
  -i, --identity KEY      private key file (PKCS#8, encrypted PKCS#8, PKCS#1, OpenSSH); repeatable
      --require-signer PUB  fail unless the file is signed by this key (public or private key file,
                          or an "ssh-rsa …" line); checked before any plaintext is written
  -o, --out FILE          output file, mode 0600 (default: standard output)
${PASSPHRASE_HELP}
${FORCE_HELP}

Examples:
  custodian decrypt -i ~/.custodian/alice.pem -o secrets.env secrets.env.enc
  custodian decrypt -i ~/.custodian/alice.pem --require-signer .custodian/team/bob.pub < note.enc
  set -o pipefail; custodian decrypt -i ci.pem --passphrase-file /run/secrets/pass app.tgz.enc | tar xz
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    const identityPaths = args.strings('identity');
    if (identityPaths.length === 0) throw args.usageError('no private key: pass -i KEY');
    const out = args.string('out');
    const force = args.flag('force');
    await checkOutput(out, { force, mode: 0o600 });
    const input = await openInput(args.positionals[0], ctx.io);

    const passphrases = ctx.passphrases(args);
    const identities: RsaPrivateKey[] = [];
    for (const p of identityPaths) identities.push(await loadPrivateKey(p, passphrases));
    const requiredArg = args.string('require-signer');
    const required = requiredArg === undefined ? undefined : await loadPublicKey(requiredArg, passphrases);

    const opened = await decryptStream(whenBinary(input.chunks, stopOptimizingCompiler), { identities, backend: ctx.backend() });
    // The header (MAC-verified) names the signer: refuse a wrong one before releasing any plaintext.
    if (required) requireSigner(opened.header.signer?.fingerprint, required);
    await writeOutput(out, opened.plaintext, ctx.io, { force, mode: 0o600 });

    const status = opened.signature();
    if (required) requireSigner(status.kind === 'signed' ? status.signer.fingerprint : undefined, required);
    if (status.kind === 'signed') {
      const known = required?.fingerprint === status.signer.fingerprint ? required : status.signer;
      ctx.info(`signed by ${describeKey(known)}`);
    } else {
      ctx.warn('not signed: anyone with the recipients\' public keys could have written this file');
    }
  },
};
