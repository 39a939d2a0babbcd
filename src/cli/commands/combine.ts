// custodian combine: recovers a secret from Shamir shares: text (files, or standard input), and the sealed
// share files of a set (docs/SHAMIR.md §9), opened with my key and checked as VS Code's Recover Secret…
// checks them. The shares and the secret stay in memory; the secret goes to stdout or -o (atomic, 0600).
import * as path from 'node:path';
import { isArmored } from '../../core/armor';
import { constantTimeEqual, zeroize } from '../../core/bytes';
import type { DecryptionIdentity } from '../../core/envelope';
import { hasEnvelopeMagic } from '../../core/envelope-header';
import { ShareFormatError, ShareCombineError } from '../../core/errors';
import { combineShares, type RawShare, type Share } from '../../core/shamir';
import { combineVaultShares, parseShares, parseVaultShares } from '../../core/share-encoding';
import { SHARE_FILE_SUFFIX, shareFileName, type ShareSetManifest } from '../../core/share-set';
import { FORCE_HELP, FORCE_OPTION, PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command, type CommandContext } from '../command';
import { commandMain } from '../command-main';
import { IDENTITY_HELP, resolveIdentities } from '../identities';
import { checkOutput, decodeText, readSmallInput, writeOutput } from '../io';
import { CliError } from '../output';
import { openSetFile, readSetFile, RELEASE_COMMAND, type SetFile } from '../share-files';
import { describeTeamSigner } from '../team-signers';

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
    identity: { type: 'string', short: 'i', multiple: true },
    ...PASSPHRASE_FILE_OPTION,
    ...FORCE_OPTION,
  },
  help: `Usage: custodian combine [--vault [--hex]] [-i KEY]… [--passphrase-file FILE] [-o OUT] [-f] [FILE…]

Reads shares from the FILEs (each may hold one or more shares, as lines or armored blocks), or
from standard input when no FILE is given (one share per line), and writes the recovered secret
to OUT (mode 0600, atomic) or standard output. Fails, naming the share, when a share is
malformed or mistyped, repeated, from another split, or when too few shares are given.

A FILE may also be a sealed share file of a set, as VS Code and "custodian release" write them:
.custodian/shares/SET/NAME.share.enc (your own share) or NAME.release-to-YOU.share.enc (a share
released to you). It is opened with your key and checked as VS Code's "Recover Secret…" checks
it, against the manifest.json beside it: sealed to you, signed by the dealer (your own share) or
by its custodian (a release), and holding that custodian's share of that set. The shares are
never written anywhere.

Flags:
      --vault             shares are in HashiCorp Vault's raw layout (no integrity: wrong shares
                          give wrong bytes, not an error)
      --hex               with --vault: hex instead of base64
  -i, --identity KEY      private key file, for sealed share files; repeatable
${IDENTITY_HELP}
  -o, --out FILE          write the secret to FILE instead of standard output
${PASSPHRASE_HELP}
${FORCE_HELP}

Examples:
  custodian combine share-1-of-3.txt share-3-of-3.txt > root-password.txt
  pbpaste | custodian combine -o recovery.key
  custodian combine -o root.txt .custodian/shares/db-root/alice.share.enc .custodian/shares/db-root/bob.release-to-alice.share.enc
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
    const sealed: SetFile[] = [];
    for (const source of sources) {
      const bytes = await readSmallInput(source, ctx.io, MAX_SHARE_INPUT_BYTES, 'share file');
      const name = source === '-' ? 'standard input' : source;
      if (source.endsWith(SHARE_FILE_SUFFIX) || hasEnvelopeMagic(bytes) || isArmored(bytes)) {
        zeroize(bytes);
        if (vault) throw args.usageError(`${name}: --vault reads Vault-layout text shares, not encrypted files`);
        sealed.push(await sealedShareFile(source, name));
        continue;
      }
      let text: string;
      try {
        text = decodeText(bytes, name);
      } catch (err) {
        throw new CliError((err as Error).message, { cause: err, hint: NOT_SHARES_HINT });
      } finally {
        zeroize(bytes);
      }
      try {
        // Each list holds at most MAX_SHARES (the parsers refuse more); combining refuses more in all.
        if (vault) for (const share of parseVaultShares(text, args.flag('hex') ? 'hex' : 'base64')) raw.push(share);
        else for (const share of parseShares(text)) shares.push(share);
      } catch (err) {
        throw sources.length > 1 || source !== '-' ? prefixed(err as Error, name) : err;
      }
    }
    const opened = sealed.length > 0 ? await openSealed(sealed, args.strings('identity'), args, ctx) : [];
    try {
      shares.push(...opened.map((o) => o.share));
      if (opened.length > 0) enoughShares(opened, shares);
    } catch (err) {
      for (const s of shares) zeroize(s.value);
      throw err;
    }
    let secret: Uint8Array;
    try {
      secret = vault ? combineVaultShares(raw) : combineShares(shares);
    } finally {
      for (const s of shares) zeroize(s.value);
    }
    try {
      await writeOutput(out, (async function* () { yield secret; })(), ctx.io, { force, mode: 0o600 });
    } finally {
      zeroize(secret);
    }
    if (vault) ctx.warn('Vault-layout shares carry no integrity check: verify the recovered secret');
    if (opened.length > 0) await reportProvenance(opened, ctx);
  },
};

const NOT_SHARES_HINT =
  'combine reads shares as text (custodian-share1:… lines or armored blocks) and sealed share files of a set (.custodian/shares/SET/NAME.share.enc, beside its manifest.json)';

/** A sealed input must be a share file in its set's folder: only there does the manifest say who must have signed it. */
async function sealedShareFile(source: string, name: string): Promise<SetFile> {
  if (source === '-' || !source.endsWith(SHARE_FILE_SUFFIX)) {
    throw new CliError(`${name} is an encrypted file, not a share file of a set`, {
      hint:
        source === '-'
          ? 'give a sealed share file by its path in the set (.custodian/shares/SET/NAME.share.enc), so it is checked against the set\'s manifest.json'
          : `combine opens sealed shares in their set's folder (.custodian/shares/SET/NAME.share.enc, beside manifest.json); an encrypted file of another kind is opened with: custodian decrypt ${path.basename(source)}`,
    });
  }
  return readSetFile(source);
}

interface OpenedShare {
  file: SetFile;
  share: Share;
}

/**
 * Opens every sealed share file with my keys (the identities order) and checks each (§9 steps 1–3). Two
 * files for one custodian must hold the same share; the second is then dropped (it counts once).
 */
async function openSealed(files: readonly SetFile[], identityFiles: string[], args: Parameters<Command['run']>[0], ctx: CommandContext): Promise<OpenedShare[]> {
  const resolved = await resolveIdentities({ files: identityFiles, env: ctx.io.env, passphrases: ctx.passphrases(args), agent: ctx.agent(), file: files[0].file });
  const identities: DecryptionIdentity[] = resolved.map((i) => i.key);
  const out: OpenedShare[] = [];
  try {
    for (const file of files) {
      const share = await openSetFile(file, identities, resolved[0].source, ctx.backend());
      const same = out.find((o) => o.file.manifest.setId === file.manifest.setId && o.share.index === share.index);
      if (same) {
        const agree = constantTimeEqual(same.share.value, share.value);
        zeroize(share.value);
        if (!agree) throw new CliError(`${same.file.file} and ${file.file} hold different shares for ${file.custodian.name}: the set was tampered with`, { hint: 'use neither; ask the dealer and the custodian how the files changed' });
        continue;
      }
      out.push({ file, share });
    }
  } catch (err) {
    for (const o of out) zeroize(o.share.value);
    throw err;
  }
  return out;
}

/** Fewer than T shares of a set recover nothing: say how many more, and who can release theirs (as VS Code does). */
function enoughShares(opened: readonly OpenedShare[], shares: readonly Share[]): void {
  const m: ShareSetManifest = opened[0].file.manifest;
  const have = new Set(shares.filter((s) => s.threshold === m.threshold && s.total === m.total).map((s) => s.index));
  if (have.size >= m.threshold) return;
  const need = m.threshold - have.size;
  const from = m.custodians.filter((c) => have.has(c.index)).map((c) => c.name);
  const waitingFor = m.custodians.filter((c) => !have.has(c.index)).map((c) => c.name);
  const dir = opened[0].file.dir;
  throw new ShareCombineError(`"${m.name}": ${have.size} of ${m.threshold} needed shares are available to you (${from.join(', ')}); ${need} more needed`, {
    hint: `ask ${need === 1 ? 'one more custodian' : `${need} more custodians`} (${waitingFor.join(', ')}) to release their share to you: ${RELEASE_COMMAND} -r YOU ${path.join(dir, shareFileName('NAME'))} on the command line, or "Release My Share…" in VS Code; then run combine with the files released to you`,
  });
}

/** Whose shares made the secret, and who dealt the set: what to check before relying on it (SHAMIR.md §9, Trust). */
async function reportProvenance(opened: readonly OpenedShare[], ctx: CommandContext): Promise<void> {
  const m = opened[0].file.manifest;
  const from = [...new Set(opened.map((o) => o.file.custodian.name))].join(', ');
  const team = await describeTeamSigner(m.dealer.fingerprint, opened[0].file.file, ctx.backend());
  ctx.info(`recovered the secret of "${m.name}" from the shares of ${from}; dealt by ${team?.label ?? `${m.dealer.fingerprint} (${m.dealer.name})`}`);
  if (team?.warning) ctx.warn(`the dealer: ${team.warning}`);
}

export const main = commandMain(combineCommand);
