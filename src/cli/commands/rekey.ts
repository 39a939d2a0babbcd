// custodian rekey: re-encrypts files in place for the team (or the recipients given), as VS Code's
// "Re-encrypt for Team" does: after a teammate joins or leaves, without a plaintext file on disk.
// A `.enc` file streams from the old envelope into the new one (atomic replace); a value-encrypted file
// is opened in memory and sealed again under a new data key (every token changes: whoever was removed
// knew the old key), keeping its rule. The new version is signed by me, so a file whose signer is not
// among the new recipients or my keys is refused unless asked for: re-keying must not launder content.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isArmored } from '../../core/armor';
import type { EnvelopeInfo } from '../../core/envelope';
import { hasEnvelopeMagic, type RecipientPolicy } from '../../core/envelope-header';
import { CustodianError, describeError } from '../../core/errors';
import type { RsaPrivateKey, RsaPublicKey } from '../../core/keys';
import { hasValuesMetadata, openValues, sealValues } from '../../core/values';
import { describeKeepReason, keepReason } from '../../core/recipient-policy';
import { readEnvelopeHeader, reencryptFile } from '../../node/envelope-files';
import { refuseLinkedFile } from '../../node/regular-files';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command, type CommandContext } from '../command';
import { commandMain } from '../command-main';
import { IDENTITY_HELP, resolveIdentities, resolveSigner, rewriteSigner, type RemoteKey } from '../identities';
import { checkInput } from '../io';
import { describeKey } from '../key-files';
import { CliError, UsageError } from '../output';
import type { PassphraseSource } from '../passphrase';
import { encryptRecipients } from '../recipients';
import { findRepositoryRoot, findRoster, ROSTER_DIR } from '../repository';
import { vettedRosterKeys } from '../roster-trust';
import { deployKeys } from '../team-signers';
import { readValuesText, VALUES_FORMAT_HELP, valuesFormatOf, writeValuesText } from '../values-files';

type Key = RsaPrivateKey | RemoteKey;

interface Plan {
  readonly recipients: readonly RsaPublicKey[];
  /** True when -r/-R named them; false for the repository's roster. */
  readonly explicit: boolean;
  /** True when any came from a roster (-R, or the repository's): a team, never the holder of a share. */
  readonly fromRoster: boolean;
  readonly identities: readonly Key[];
  readonly signer?: Key;
  readonly signUnverified: boolean;
  /** The roster's deploy keys: a recipient, but not one whose content is re-signed unasked (team-signers.ts). */
  readonly deploy: ReadonlySet<string>;
}

/** `.enc`, `.enc.asc`, or a file that starts like an envelope (binary or armored). */
async function isEnvelopeFile(file: string): Promise<boolean> {
  if (/\.enc(\.asc)?$/i.test(file)) return true;
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    return hasEnvelopeMagic(bytes) || isArmored(bytes);
  } finally {
    await handle.close();
  }
}

function sameRecipients(current: readonly string[], wanted: readonly RsaPublicKey[]): boolean {
  const set = new Set(current);
  return set.size === wanted.length && wanted.every((k) => set.has(k.fingerprint));
}

/**
 * Chosen recipients (a share, a seed for some, a subset) are never widened to the team unasked. A file's
 * location counts as the extension's does (FORMAT.md §3.4): a share is a share whatever its header says,
 * and a seed under .custodian/mfa/ without the field was shared with some. Throws when the plan would
 * widen such a file; else returns whom it adds to it (said once the file is written).
 */
async function refuseChosen(file: string, policy: RecipientPolicy | undefined, plan: Plan, current: readonly string[]): Promise<RsaPublicKey[]> {
  const keep = keepReason(path.resolve(file), policy);
  if (keep === undefined) return [];
  // A roster names a team, which is what a file for chosen people is not (an -R given "to name its
  // recipients" widened a seed for some to the whole team: a red-team trial).
  if (!plan.explicit || plan.fromRoster) {
    throw new CliError(`${file} keeps its recipients: ${describeKeepReason(keep)}; rekey re-encrypts it only for recipients named one by one with -r, never for a roster`, {
      hint:
        keep === 'share'
          ? 'a share is sealed to its one custodian: name their new key with -r alone, or have the dealer split the secret again'
          : 'name each of its recipients with -r (their .pub files) to re-encrypt it for them',
    });
  }
  if (keep === 'share') await refuseWidenedShare(file, plan);
  return plan.recipients.filter((k) => !current.includes(k.fingerprint));
}

/**
 * A Shamir share goes to one custodian, and never to one who holds another share of its set: either way
 * one person would hold two shares, and a 2-of-3 set would open for one (a red-team trial re-keyed every
 * share with -r for three people, and one custodian then combined the secret alone).
 */
async function refuseWidenedShare(file: string, plan: Plan): Promise<void> {
  if (plan.recipients.length !== 1) {
    throw new CliError(`${file} is a Shamir share, sealed to one custodian: it cannot be re-encrypted for ${plan.recipients.length} recipients, since each could then recover with one share fewer`, {
      hint: 'name its custodian\'s new key with -r alone',
    });
  }
  const [holder] = plan.recipients;
  const dir = path.dirname(path.resolve(file));
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const sibling = path.join(dir, entry.name);
    if (!entry.isFile() || !entry.name.endsWith('.enc') || sibling === path.resolve(file)) continue;
    const recipients = await readEnvelopeHeader(sibling).then((h) => h.recipients, () => []);
    if (recipients.length === 1 && recipients[0] === holder.fingerprint) {
      throw new CliError(`${file}: ${describeKey(holder)} already holds ${entry.name}, another share of the same set: with this one too, one person would count twice towards the threshold`, {
        hint: 'name the key of the custodian this share belongs to; to pass custodians\' duties on, have the dealer split the secret again',
      });
    }
  }
}

/**
 * The new version is signed by me: the old one must be signed by someone the new recipients trust with
 * it (one of them, or one of my keys), or --sign-unverified says I vouch for its content.
 */
function checkSigner(file: string, signer: string | undefined, plan: Plan): void {
  if (plan.signUnverified) return;
  const mine = plan.identities.some((k) => k.publicKey.fingerprint === signer);
  const recipient = plan.recipients.some((k) => k.fingerprint === signer);
  if (signer !== undefined && (mine || (recipient && !plan.deploy.has(signer)))) return;
  const by = signer === undefined ? 'not signed' : recipient ? `signed by ${signer}, a deploy key of the roster: no one on the team writes with one, so its content may be a leaked key's` : `signed by ${signer}, who is not among the new recipients`;
  throw new CliError(`${file} is ${by}: re-encrypting signs its content as you`, {
    hint: 'check where its content came from (custodian decrypt shows it), then run again with --sign-unverified',
  });
}

/** What re-keying one file did: whether it changed, who signed it, and who it newly gave a file for chosen people. */
interface Rekeyed {
  readonly changed: boolean;
  readonly signer: Key;
  readonly added?: readonly RsaPublicKey[];
}

async function rekeyEnvelope(file: string, plan: Plan, ctx: CommandContext): Promise<Rekeyed> {
  const header = await readEnvelopeHeader(file);
  const added = await refuseChosen(file, header.recipientPolicy, plan, header.recipients);
  const signer = rewriteSigner(plan.signer, plan.identities, header.recipients);
  if (sameRecipients(header.recipients, plan.recipients)) return { changed: false, signer };
  checkSigner(file, header.signer?.fingerprint, plan);
  // The signer the header names is the one whose signature must verify before the new file is committed.
  const expect = (current: EnvelopeInfo): boolean => current.signer?.fingerprint === header.signer?.fingerprint && current.recipients.join() === header.recipients.join();
  await reencryptFile(file, { identities: plan.identities, recipients: plan.recipients, signer, backend: ctx.backend(), recipientPolicy: header.recipientPolicy, expect });
  return { changed: true, signer, added };
}

async function rekeyValues(file: string, plan: Plan, ctx: CommandContext, format: ReturnType<typeof valuesFormatOf>): Promise<Rekeyed> {
  const text = await readValuesText(file, ctx);
  // A file that cannot be read as its format gets that error (as get gives it), not "not encrypted".
  if (!hasValuesMetadata(text, format)) {
    throw new CliError(`${file} is not encrypted by Custodian (neither a .enc file nor a value-encrypted ${format} file)`, { hint: 'encrypt it with "custodian encrypt" or "custodian encrypt --values"' });
  }
  const opened = await openValues(text, { format, identities: plan.identities, backend: ctx.backend() });
  try {
    const added = await refuseChosen(file, opened.info.recipientPolicy, plan, opened.info.recipients);
    const signer = rewriteSigner(plan.signer, plan.identities, [opened.openedBy.publicKey.fingerprint]);
    if (sameRecipients(opened.info.recipients, plan.recipients)) return { changed: false, signer };
    checkSigner(file, opened.signature.kind === 'signed' ? opened.signature.signer.fingerprint : undefined, plan);
    const sealed = await sealValues(opened.document, {
      format,
      recipients: plan.recipients,
      signer,
      backend: ctx.backend(),
      rule: opened.info.rule,
      recipientPolicy: opened.info.recipientPolicy,
    });
    await writeValuesText(file, sealed, ctx, { replace: true, unchangedSince: text });
    return { changed: true, signer, added };
  } finally {
    opened.dispose();
  }
}

/** -r/-R when given, else the roster of the files' repository (one repository for all of them). */
async function recipientsOf(files: readonly string[], args: Parameters<Command['run']>[0], ctx: CommandContext, passphrases: PassphraseSource): Promise<{ keys: RsaPublicKey[]; explicit: boolean; roster?: string }> {
  if (args.strings('recipient').length > 0 || args.strings('roster').length > 0) return { keys: await encryptRecipients(args, ctx, passphrases), explicit: true };
  const rosters = new Set(files.map((f) => findRoster(path.dirname(path.resolve(f)))));
  const [roster] = rosters;
  if (rosters.size > 1) throw new UsageError('the files are in different repositories: rekey them one repository at a time, or pass -R');
  if (roster === undefined) {
    throw new UsageError(`no team roster (${ROSTER_DIR}) in the repository of ${files[0]}`, { hint: 'pass the recipients with -R ROSTER-DIR or -r KEY' });
  }
  return { keys: await vettedRosterKeys([roster], args.string('pins'), ctx), explicit: false, roster };
}

export const rekeyCommand: Command = {
  name: 'rekey',
  options: {
    recipient: { type: 'string', short: 'r', multiple: true },
    roster: { type: 'string', short: 'R', multiple: true },
    pins: { type: 'string' },
    identity: { type: 'string', short: 'i', multiple: true },
    sign: { type: 'string', short: 's' },
    'sign-unverified': { type: 'boolean' },
    format: { type: 'string' },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian rekey [-R ROSTER-DIR]… [-r RECIPIENT]… [--pins FILE] [-i KEY]… [-s KEY]
                       [--sign-unverified] [--format FMT] [--passphrase-file FILE] FILE…

Re-encrypts each FILE in place for the team: after a teammate joined (so they can open it) or left
(so new versions are not for them). FILE is a .enc file (binary or armored) or a value-encrypted
.env, JSON or YAML file. Nothing is written in the clear: a .enc file streams from the old envelope
into the new one; a value-encrypted file is opened in memory and sealed again under a new data key
(every value line changes; its rule of values left readable is kept). Each file is replaced
atomically, and only once it verified in full. A file already encrypted to exactly these recipients
is left as it is.

The recipients are the team roster of the files' repository (${ROSTER_DIR}), vetted like
"encrypt -R" (a changed key or an unconfirmed newcomer stops everything), unless -r/-R name them.
A file whose recipients were chosen (a Shamir share, a seed for some) is re-keyed only with -r/-R.
A symbolic link (or a file under a linked folder of the repository) is never re-keyed: it leads to
a file that is not the repository's, which re-keying would copy here for new recipients.
The new version is signed by the key that opened it, unless -s names another. A file that is
unsigned, or signed by someone outside the new recipients, is refused (re-encrypting would sign
its content as you) unless --sign-unverified.

A removed teammate can still read every version they could read before, in git history: rotate the
secrets themselves.

Flags:
  -R, --roster DIR        every *.pub file in DIR is a recipient (default: the repository's
                          ${ROSTER_DIR}); repeatable, combines with -r
  -r, --recipient KEY     a recipient, as for "encrypt -r"; repeatable
      --pins FILE         check the roster against the fingerprints pinned in FILE (CI)
  -i, --identity KEY      private key file that opens FILE; repeatable
${IDENTITY_HELP}
  -s, --sign KEY          sign with this private key file, or the key of this fingerprint
                          (SHA256:…) among your keys (default: the key that opened the file)
      --sign-unverified   re-encrypt a file that is unsigned or signed by someone outside the new
                          recipients, vouching for its content with your signature
${VALUES_FORMAT_HELP}
${PASSPHRASE_HELP}

Examples:
  custodian rekey .env.enc config/secrets.yaml         # after "custodian roster add" or "remove"
  git ls-files '*.enc' | xargs custodian rekey
  custodian rekey -r ci.pub -r alice.pub deploy-key.enc
`,
  async run(args, ctx) {
    args.expectPositionals(1, Infinity, 'FILE…');
    const files = args.positionals;
    if (files.includes('-')) throw args.usageError('rekey rewrites files in place: FILE cannot be standard input');
    for (const file of files) await checkInput(file);
    // A link (or a linked folder inside the repository) leads to a file that is not this repository's:
    // refused before any key is asked for, the others still re-keyed (docs/SECURITY.md).
    let failed = 0;
    const own: string[] = [];
    for (const file of files) {
      try {
        await refuseLinkedFile(file, { root: findRepositoryRoot(path.dirname(path.resolve(file))) });
        own.push(file);
      } catch (err) {
        if (!(err instanceof CustodianError)) throw err;
        failed++;
        ctx.warn(`${file}: not re-encrypted (left as it was): ${describeError(err)}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
      }
    }
    if (own.length === 0) throw notReencrypted(failed, files.length);
    const passphrases = ctx.passphrases(args);
    const { keys: recipients, explicit, roster } = await recipientsOf(own, args, ctx, passphrases);
    if (recipients.length === 0) throw new UsageError('no recipients: the roster is empty', { hint: 'add the team with "custodian roster add", or pass -r KEY' });
    const request = { files: args.strings('identity'), env: ctx.io.env, passphrases, agent: ctx.agent(), file: own.join(', ') };
    const identities = (await resolveIdentities(request)).map((i) => i.key);
    const signArg = args.string('sign');
    const byFingerprint = signArg?.startsWith('SHA256:') === true;
    const signer = signArg === undefined ? undefined : (await resolveSigner(byFingerprint ? request : { ...request, files: [signArg] }, byFingerprint ? signArg : undefined)).key;
    const fromRoster = !explicit || args.strings('roster').length > 0;
    const deploy = roster === undefined ? new Set<string>() : await deployKeys(roster, ctx.backend());
    const plan: Plan = { recipients, explicit, fromRoster, identities, signer, signUnverified: args.flag('sign-unverified'), deploy };
    const who = roster ? `the team (${path.relative(process.cwd(), roster) || '.'}: ${recipients.length} keys)` : `${recipients.length} recipient${recipients.length === 1 ? '' : 's'}`;
    for (const file of own) {
      try {
        const result = (await isEnvelopeFile(file)) ? await rekeyEnvelope(file, plan, ctx) : await rekeyValues(file, plan, ctx, valuesFormatOf(args, file));
        if (result.changed) {
          ctx.info(`${file}: re-encrypted for ${who}, signed by ${describeKey(result.signer.publicKey)}`);
          if (result.added?.length) ctx.warn(`${file}: now also for ${result.added.map((k) => describeKey(k)).join(', ')}, who could not read it before (its recipients were chosen: check that each is meant to)`);
        } else ctx.info(`${file}: already encrypted for ${who}; left as it is`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        failed++;
        ctx.warn(`${file}: not re-encrypted (left as it was): ${describeError(err)}${err instanceof CustodianError && err.hint ? `\n  hint: ${err.hint}` : ''}`);
      }
    }
    if (failed > 0) throw notReencrypted(failed, files.length);
  },
};

function notReencrypted(failed: number, total: number): CliError {
  return new CliError(`${failed} of ${total} file${total === 1 ? '' : 's'} not re-encrypted`, {
    hint: failed === total ? 'see the messages above' : 'see the messages above; the others were re-encrypted',
  });
}

export const main = commandMain(rekeyCommand);
