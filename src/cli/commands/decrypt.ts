// custodian decrypt: opens a `.enc` file (binary or armored) with one or more private keys, streaming.
// To a file: atomic, so a file that fails authentication anywhere leaves nothing behind. To stdout: a
// signed file's signature is verified in a first pass over the ciphertext (two-pass-input.ts) before
// any plaintext is written, so a file claiming a signer it was not signed by releases nothing.
import { isArmored } from '../../core/armor';
import { decryptStream, verifyEnvelopeSignature, type DecryptionIdentity, type SignatureStatus, type VerifiedSignature } from '../../core/envelope';
import { ArmorError, FormatError, HeaderAuthError, PayloadAuthError, SignatureError, SignerMismatchError } from '../../core/errors';
import { readRegularFile } from '../../node/regular-files';
import type { RsaPublicKey } from '../../core/keys';
import { FORCE_HELP, FORCE_OPTION, PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command, type CommandContext } from '../command';
import { commandMain } from '../command-main';
import { CliError } from '../output';
import { shellQuote } from '../../core/shell-quote';
import { checkInput, checkOutput, isStdio, openInput, writeOutput } from '../io';
import { IDENTITY_HELP, resolveIdentities } from '../identities';
import { reportSigner } from '../team-signers';
import { REQUIRE_SIGNER_OPTION, loadRequiredSigners, requireSigner } from '../required-signer';
import { openTwoPassInput } from '../two-pass-input';
import { VALUES_FORMAT_HELP_WITH_OUTPUT, valuesFlagHint } from '../values-files';
import { decryptValuesFile } from '../values-crypt';

function signerOf(status: SignatureStatus): string | undefined {
  return status.kind === 'signed' ? status.signer.fingerprint : undefined;
}

/** Passes the plaintext through, then (before a file output is committed) checks the verified signer. */
async function* thenCheck(plaintext: AsyncIterable<Uint8Array>, check: () => void): AsyncIterable<Uint8Array> {
  yield* plaintext;
  check();
}

interface Decryption {
  identities: readonly DecryptionIdentity[];
  required?: readonly RsaPublicKey[];
  out?: string;
  force: boolean;
}

/** To a file: one pass; the output file appears only after the signature and signer were verified. */
async function decryptToFile(inputArg: string | undefined, d: Decryption, ctx: CommandContext): Promise<SignatureStatus> {
  const input = await openInput(inputArg, ctx.io);
  const opened = await decryptStream(input.chunks, { identities: d.identities, backend: ctx.backend() });
  // The header is MAC-verified but its signer is only a claim: refuse a wrong one early.
  if (d.required) requireSigner(opened.header.signer?.fingerprint, d.required, false);
  const check = (): void => {
    if (d.required) requireSigner(signerOf(opened.signature()), d.required, true);
  };
  await writeOutput(d.out, thenCheck(opened.plaintext, check), ctx.io, { force: d.force, mode: 0o600 });
  return opened.signature();
}

/** To stdout: a signed file is verified in a first pass, and only then decrypted and written. */
async function decryptToStream(inputArg: string | undefined, d: Decryption, ctx: CommandContext): Promise<SignatureStatus> {
  const input = await openTwoPassInput(inputArg, ctx.io);
  try {
    const backend = ctx.backend();
    const required = d.required;
    const firstPass: VerifiedSignature = await verifyEnvelopeSignature(input.first(), {
      backend,
      checkClaim: required && ((claimed) => requireSigner(claimed?.fingerprint, required, false)),
    });
    if (required) requireSigner(signerOf(firstPass.status), required, true);
    const opened = await decryptStream(await input.second(), { identities: d.identities, backend, firstPass });
    await writeOutput(undefined, opened.plaintext, ctx.io, {});
    return opened.signature();
  } finally {
    await input.close();
  }
}

/** The most of a file read to look for converted line endings after a failure (it was read whole already). */
const MAX_LINE_ENDING_SCAN = 256 * 1024 * 1024;

/**
 * A binary `.enc` that fails as damaged (malformed, a MAC or signature that does not verify) while its
 * bytes hold CR LF: git may have converted its line endings on checkout (`*.enc text eol=crlf`,
 * `core.autocrlf` with `text`). The error stands as it is; the hint says where to look.
 */
async function withLineEndingHint(err: unknown, inputArg: string | undefined): Promise<unknown> {
  const damaged = (err instanceof FormatError && !(err instanceof ArmorError)) || err instanceof HeaderAuthError || err instanceof PayloadAuthError || (err instanceof SignatureError && !(err instanceof SignerMismatchError));
  if (!damaged || inputArg === undefined || isStdio(inputArg)) return err;
  const bytes = await readRegularFile(inputArg, MAX_LINE_ENDING_SCAN).catch(() => undefined);
  if (bytes === undefined || isArmored(bytes.subarray(0, 256)) || !Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('\r\n')) return err;
  const hint = `its bytes hold CR LF pairs: git may have converted its line endings when checking it out (a .gitattributes text or eol attribute, or core.autocrlf); "git check-attr -a ${shellQuote(inputArg)}" shows its attributes. If so, add "*.enc -text" to .gitattributes after the line that sets them, delete the file and "git checkout -- ${shellQuote(inputArg)}"`;
  return new CliError(err.message, { cause: err, hint: err.hint === undefined ? hint : `${hint}; if not: ${err.hint}` });
}

export const decryptCommand: Command = {
  name: 'decrypt',
  options: {
    identity: { type: 'string', short: 'i', multiple: true },
    out: { type: 'string', short: 'o' },
    ...REQUIRE_SIGNER_OPTION,
    values: { type: 'boolean' },
    format: { type: 'string' },
    ...PASSPHRASE_FILE_OPTION,
    ...FORCE_OPTION,
  },
  help: `Usage: custodian decrypt [-i KEY]… [--require-signer PUB]… [-o OUT] [-f] [--passphrase-file FILE] [IN]
       custodian decrypt --values [-i KEY]… [--require-signer PUB]… [--format FMT] [-o OUT] [-f]
                         [--passphrase-file FILE] [IN]

Decrypts IN (a file, or standard input when IN is absent or "-"; binary or ASCII-armored) with
the first private key that is a recipient, and writes the plaintext to OUT (or standard output).
Reports the sender on standard error:
  custodian: signed by SHA256:… (comment)
  custodian: warning: not signed

Every chunk is authenticated before it is released, and a signature before any plaintext: until
then the header's signer is only a claim ("claims to be signed by"). With -o, OUT appears only
after the whole file, its signature and its end were verified (written to a temporary file, then
renamed); on any failure nothing is written. On standard output, a signed file (or any file with
--require-signer) is read twice: once to verify the signature, then to decrypt; standard input
is first copied to a temporary file (the ciphertext as received, mode 0600, already unlinked). An
unsigned file streams: data already written stays written when a later chunk fails, so a consumer
of stdout MUST check the exit status and discard the output unless it is 0 ("set -o pipefail").

Flags:
  -i, --identity KEY      private key file (PKCS#8, encrypted PKCS#8, PKCS#1, OpenSSH); repeatable
${IDENTITY_HELP}
      --require-signer PUB  fail unless the file is signed by this key (public or private key file,
                          or an "ssh-rsa …" line); verified before any plaintext is written;
                          repeatable: signed by any one of them; a roster directory: by a
                          verified member of it who is not a deploy key
  -o, --out FILE          output file, mode 0600 (default: standard output)
${PASSPHRASE_HELP}
${FORCE_HELP}

Value-encrypted files (--values): IN is a .env, JSON or YAML file written by "encrypt --values";
OUT is the plaintext document, byte for byte as it was, written only after every value, the file's
MAC and its signature were verified (docs/VALUES.md).
  --values                decrypt a value-encrypted file
${VALUES_FORMAT_HELP_WITH_OUTPUT}

Examples:
  custodian decrypt -i ~/.custodian/alice.pem -o secrets.env secrets.env.enc
  custodian decrypt -i ~/.custodian/alice.pem --require-signer .custodian/team/bob.pub < note.enc
  set -o pipefail; custodian decrypt -i ci.pem --passphrase-file /run/secrets/pass app.tgz.enc | tar xz
  CUSTODIAN_KEY="$CI_SECRET_KEY" custodian decrypt -o .env .env.enc
  custodian decrypt -o secrets.env secrets.env.enc   # in a VS Code terminal: the agent's key
  custodian decrypt --values -i ~/.custodian/alice.pem -o plain.env .env
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    if (args.flag('values')) return decryptValuesFile(args, ctx);
    if (args.has('format')) throw args.usageError('--format needs --values');
    const out = args.string('out');
    const force = args.flag('force');
    await checkOutput(out, { force, mode: 0o600 });
    const inputArg = args.positionals[0];
    await checkInput(inputArg); // a missing file fails now, before any prompt

    const passphrases = ctx.passphrases(args);
    const resolved = await resolveIdentities({ files: args.strings('identity'), env: ctx.io.env, passphrases, agent: ctx.agent(), file: inputArg });
    const identities = resolved.map((i) => i.key);
    const required = await loadRequiredSigners(args, () => passphrases, ctx.backend());

    const decryption: Decryption = { identities, required, out, force };
    let status: SignatureStatus;
    try {
      status = isStdio(out) ? await decryptToStream(inputArg, decryption, ctx) : await decryptToFile(inputArg, decryption, ctx);
    } catch (err) {
      throw await valuesFlagHint(await withLineEndingHint(err, inputArg), inputArg, 'decrypt');
    }
    await reportSigner(ctx, status.kind === 'signed' ? (required?.find((k) => k.fingerprint === status.signer.fingerprint) ?? status.signer) : undefined, inputArg);
  },
};

export const main = commandMain(decryptCommand);
