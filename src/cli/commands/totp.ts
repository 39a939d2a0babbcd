// custodian totp: the current (or given-time) TOTP code for an otpauth:// URI or a base32 secret.
import { base32Decode } from '../../core/base32';
import { zeroize } from '../../core/bytes';
import { OtpFormatError } from '../../core/errors';
import { assertSecret, DEFAULT_ALGORITHM, DEFAULT_DIGITS, MAX_DIGITS, MIN_DIGITS, OTP_ALGORITHMS, type OtpAlgorithm } from '../../core/hotp';
import { parseOtpAuthUri } from '../../core/otpauth';
import { DEFAULT_PERIOD, secondsRemaining, totp } from '../../core/totp';
import { type Command } from '../command';
import { commandMain } from '../command-main';
import { decodeText, readSmallInput } from '../io';

const MAX_URI_INPUT_BYTES = 64 * 1024;

export const totpCommand: Command = {
  name: 'totp',
  options: {
    secret: { type: 'string' },
    algorithm: { type: 'string' },
    digits: { type: 'string' },
    period: { type: 'string' },
    at: { type: 'string' },
  },
  help: `Usage: custodian totp (URI | - | --secret BASE32 [--algorithm ALG] [--digits N] [--period S])
                      [--at UNIX_SECONDS]

Prints the RFC 6238 TOTP code for an "otpauth://totp/…" URI, a URI read from standard input
("-"), or a base32 secret. Uses the current time unless --at is given. The seconds until the
code changes are shown on standard error when it is a terminal.

Arguments on a command line are visible to other local users (ps); prefer "-" and a pipe, e.g.
from an encrypted MFA seed.

Flags:
      --secret BASE32     the shared secret in base32 (spaces and lower case allowed)
      --algorithm ALG     SHA1 (default), SHA256 or SHA512
      --digits N          6 (default), 7 or 8
      --period S          time step in seconds (default 30)
      --at UNIX_SECONDS   compute the code for this time instead of now

Examples:
  custodian decrypt -i ~/.custodian/alice.pem .custodian/mfa/aws-root.enc | custodian totp -
  custodian totp --secret JBSWY3DPEHPK3PXP --at 59 --digits 8
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    const uriArg = args.positionals[0];
    const secretArg = args.string('secret');
    if ((uriArg === undefined) === (secretArg === undefined)) {
      throw args.usageError(uriArg === undefined ? 'pass an otpauth:// URI, "-" or --secret BASE32' : 'pass either a URI or --secret, not both');
    }
    const at = args.integer('at', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const now = at ?? Date.now() / 1000;

    let secret: Uint8Array;
    let algorithm: OtpAlgorithm;
    let digits: number;
    let period: number;
    if (uriArg !== undefined) {
      for (const flag of ['algorithm', 'digits', 'period']) {
        if (args.has(flag)) throw args.usageError(`--${flag} applies only with --secret; a URI carries its own parameters`);
      }
      let uri = uriArg;
      if (uriArg === '-') {
        const bytes = await readSmallInput('-', ctx.io, MAX_URI_INPUT_BYTES);
        uri = decodeText(bytes, 'standard input').trim();
        zeroize(bytes);
      }
      const key = parseOtpAuthUri(uri);
      if (key.type !== 'totp') throw new OtpFormatError('this is an HOTP (counter-based) URI; custodian totp needs otpauth://totp/…');
      ({ secret, algorithm, digits, period } = key);
    } else {
      try {
        secret = base32Decode(secretArg as string, { loose: true });
      } catch (err) {
        throw new OtpFormatError('--secret is not valid base32', { cause: err });
      }
      try {
        assertSecret(secret);
      } catch (err) {
        throw new OtpFormatError(`--secret is ${secret.length * 8} bits; at least 80 are required`, { cause: err });
      }
      algorithm = args.choice('algorithm', OTP_ALGORITHMS, (s) => s.toUpperCase().replace('-', '')) ?? DEFAULT_ALGORITHM;
      digits = args.integer('digits', { min: MIN_DIGITS, max: MAX_DIGITS }) ?? DEFAULT_DIGITS;
      period = args.integer('period', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? DEFAULT_PERIOD;
    }
    try {
      ctx.print(totp(secret, now, { algorithm, digits, period }));
    } finally {
      zeroize(secret);
    }
    if (at === undefined && ctx.io.stderr.isTTY) ctx.info(`valid for ${secondsRemaining(now, period)} more seconds`);
  },
};

export const main = commandMain(totpCommand);
