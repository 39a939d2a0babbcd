// custodian combine: recovers a secret from Shamir shares (files, or text on standard input).
import { ShareFormatError, ShareCombineError } from '../../core/errors';
import { combineShares, type RawShare, type Share } from '../../core/shamir';
import { combineVaultShares, parseShares, parseVaultShares } from '../../core/share-encoding';
import { zeroize } from '../../core/bytes';
import { FORCE_HELP, FORCE_OPTION, type Command } from '../command';
import { commandMain } from '../command-main';
import { checkOutput, decodeText, readSmallInput, writeOutput } from '../io';

/** 255 armored shares of the largest secret split accepts (64 KiB, SHAMIR.md §7) are about 23 MiB. */
const MAX_SHARE_INPUT_BYTES = 32 * 1024 * 1024;

function prefixed<E extends Error>(err: E, where: string): E {
  if (err instanceof ShareFormatError || err instanceof ShareCombineError) err.message = `${where}: ${err.message}`;
  return err;
}

export const combineCommand: Command = {
  name: 'combine',
  options: {
    out: { type: 'string', short: 'o' },
    vault: { type: 'boolean' },
    hex: { type: 'boolean' },
    ...FORCE_OPTION,
  },
  help: `Usage: custodian combine [--vault [--hex]] [-o OUT] [-f] [FILE…]

Reads shares from the FILEs (each may hold one or more shares, as lines or armored blocks), or
from standard input when no FILE is given (one share per line), and writes the recovered secret
to OUT (mode 0600, atomic) or standard output. Fails, naming the share, when a share is
malformed or mistyped, repeated, from another split, or when too few shares are given.

Flags:
      --vault             shares are in HashiCorp Vault's raw layout (no integrity: wrong shares
                          give wrong bytes, not an error)
      --hex               with --vault: hex instead of base64
  -o, --out FILE          write the secret to FILE instead of standard output
${FORCE_HELP}

Examples:
  custodian combine share-1-of-3.txt share-3-of-3.txt > root-password.txt
  pbpaste | custodian combine -o recovery.key
`,
  async run(args, ctx) {
    const vault = args.flag('vault');
    if (args.flag('hex') && !vault) throw args.usageError('--hex applies only with --vault');
    const out = args.string('out');
    const force = args.flag('force');
    await checkOutput(out, { force, mode: 0o600 });
    const sources = args.positionals.length === 0 ? ['-'] : [...args.positionals];

    const shares: Share[] = [];
    const raw: RawShare[] = [];
    for (const source of sources) {
      const bytes = await readSmallInput(source, ctx.io, MAX_SHARE_INPUT_BYTES, 'share file');
      const name = source === '-' ? 'standard input' : source;
      const text = decodeText(bytes, name);
      zeroize(bytes);
      try {
        // Each list holds at most MAX_SHARES (the parsers refuse more); combining refuses more in all.
        if (vault) for (const share of parseVaultShares(text, args.flag('hex') ? 'hex' : 'base64')) raw.push(share);
        else for (const share of parseShares(text)) shares.push(share);
      } catch (err) {
        throw sources.length > 1 || source !== '-' ? prefixed(err as Error, name) : err;
      }
    }
    const secret = vault ? combineVaultShares(raw) : combineShares(shares);
    try {
      await writeOutput(out, (async function* () { yield secret; })(), ctx.io, { force, mode: 0o600 });
    } finally {
      zeroize(secret);
    }
    if (vault) ctx.warn('Vault-layout shares carry no integrity check: verify the recovered secret');
  },
};

export const main = commandMain(combineCommand);
