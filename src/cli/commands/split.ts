// custodian split: Shamir-splits a secret into N shares, any T of which recover it (docs/SHAMIR.md).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { utf8Encode, zeroize } from '../../core/bytes';
import { InvalidArgumentError } from '../../core/errors';
import { MAX_SECRET_BYTES, MAX_SHARES, MIN_THRESHOLD, checkSplitLimits, splitSecret, splitSecretRaw } from '../../core/shamir';
import { encodeShareArmored, encodeShareText, encodeVaultShare } from '../../core/share-encoding';
import { hexEncode } from '../../core/bytes';
import { assertWritable, writeFileAtomic } from '../../node/atomic-file';
import { InputTooLargeError } from '../../node/node-streams';
import { FORCE_HELP, FORCE_OPTION, type Command } from '../command';
import { commandMain } from '../command-main';
import { isStdio, readSmallInput } from '../io';
import { CliError } from '../output';
import { promptHidden } from '../passphrase';

export const splitCommand: Command = {
  name: 'split',
  options: {
    threshold: { type: 'string', short: 't' },
    shares: { type: 'string', short: 'n' },
    'out-dir': { type: 'string', short: 'o' },
    armor: { type: 'boolean', short: 'a' },
    vault: { type: 'boolean' },
    hex: { type: 'boolean' },
    ...FORCE_OPTION,
  },
  help: `Usage: custodian split -t T -n N [-a | --vault [--hex]] [-o DIR] [-f] [FILE]

Splits the secret in FILE (or standard input; on a terminal it is asked for without echo) into N
shares such that any T of them recover it and fewer reveal nothing. Prints the shares one per
line ("custodian-share1:…"), or writes one file per share into DIR. Shares carry a set id, T, N,
their index and a checksum; combining wrong, mixed or too few shares fails with an error instead
of producing garbage.

Limits: the secret is at most 64 KiB, and N × (T−1) × (size + 64) at most 300 000 000 (any T and
N for a secret up to 4 KiB; a 64 KiB secret into 255 shares takes T ≤ 18). To share a larger
file, encrypt it and split the key or passphrase that protects it.

Flags:
  -t, --threshold T       shares needed to recover (2..255)
  -n, --shares N          shares to create (T..255)
  -a, --armor             armored blocks (-----BEGIN CUSTODIAN SHARE-----) instead of lines
      --vault             HashiCorp Vault's raw layout: base64(y || x), no metadata, NO integrity
      --hex               with --vault: hex instead of base64
  -o, --out-dir DIR       write DIR/share-I-of-N.txt (mode 0600) instead of printing
${FORCE_HELP}

Examples:
  custodian split -t 2 -n 3 root-password.txt
  printf %s "$RECOVERY_KEY" | custodian split -t 3 -n 5 -o shares/
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    if (!args.has('threshold') || !args.has('shares')) throw args.usageError('both -t THRESHOLD and -n SHARES are required');
    const threshold = args.integer('threshold', { min: MIN_THRESHOLD, max: MAX_SHARES }) as number;
    const total = args.integer('shares', { min: MIN_THRESHOLD, max: MAX_SHARES }) as number;
    if (threshold > total) throw args.usageError(`the threshold (${threshold}) cannot exceed the number of shares (${total})`);
    const vault = args.flag('vault');
    if (args.flag('hex') && !vault) throw args.usageError('--hex applies only with --vault');
    if (vault && args.flag('armor')) throw args.usageError('--armor and --vault cannot be combined');
    const outDir = args.string('out-dir');
    const force = args.flag('force');
    const files = Array.from({ length: total }, (_, i) => (outDir === undefined ? '' : path.join(outDir, `share-${i + 1}-of-${total}.txt`)));
    if (outDir !== undefined) for (const f of files) await assertWritable(f, { force });

    const source = args.positionals[0];
    let secret: Uint8Array;
    if (isStdio(source) && ctx.io.stdin.isTTY) {
      secret = utf8Encode(await promptHidden('Secret to split: ', { env: ctx.io.env, stdin: ctx.io.stdin, stderr: ctx.io.stderr }, 'secret'));
    } else {
      try {
        secret = await readSmallInput(source, ctx.io, MAX_SECRET_BYTES, 'secret file');
      } catch (err) {
        if (!(err instanceof InputTooLargeError)) throw err;
        throw new InvalidArgumentError(`${err.message}: the secret to split may be at most ${MAX_SECRET_BYTES} bytes (64 KiB)`, {
          hint: 'encrypt the file instead (custodian encrypt) and split the key or passphrase that protects it',
        });
      }
    }
    if (secret.length === 0) throw new CliError('the secret is empty');
    try {
      checkSplitLimits(secret.length, threshold, total, !vault);
    } catch (err) {
      zeroize(secret);
      throw err;
    }

    let texts: string[];
    let setLabel = '';
    try {
      if (vault) {
        texts = splitSecretRaw(secret, { threshold, shares: total }).map((s) => encodeVaultShare(s, args.flag('hex') ? 'hex' : 'base64') + '\n');
      } else {
        const shares = splitSecret(secret, { threshold, shares: total });
        setLabel = ` (set ${hexEncode(shares[0].setId)})`;
        texts = shares.map((s) => (args.flag('armor') ? encodeShareArmored(s) : encodeShareText(s) + '\n'));
      }
    } finally {
      zeroize(secret);
    }

    if (outDir === undefined) {
      ctx.io.stdout.write(texts.join(args.flag('armor') ? '\n' : ''));
    } else {
      await fs.mkdir(outDir, { recursive: true, mode: 0o700 });
      for (let i = 0; i < total; i++) await writeFileAtomic(files[i], utf8Encode(texts[i]), { force, mode: 0o600 });
    }
    ctx.info(`split into ${total} shares${setLabel}; any ${threshold} recover the secret${outDir === undefined ? '' : `; written to ${outDir}`}`);
    if (vault) ctx.warn('Vault-layout shares carry no integrity check: wrong or too few shares combine into wrong bytes without an error');
  },
};

export const main = commandMain(splitCommand);
