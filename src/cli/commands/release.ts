// custodian release: VS Code's "Release My Share…" on the command line (docs/SHAMIR.md §9). A custodian
// opens their `<c>.share.enc` (checked as Recover checks it), re-seals the share to the person recovering
// alone, signs it with their own key, and writes `<c>.release-to-<who>.share.enc` beside it, atomically.
// The share is only ever in memory.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { zeroize } from '../../core/bytes';
import type { RsaPublicKey } from '../../core/keys';
import { sealShare } from '../../core/share-file';
import { fileNamePart, releaseFileName, shareFileName } from '../../core/share-set';
import { inspectEnvelope } from '../../core/envelope';
import { writeFileAtomic } from '../../node/atomic-file';
import { displayText } from '../../core/display-text';
import { rosterNameProblem } from '../../core/roster-names';
import { FORCE_HELP, FORCE_OPTION, PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { IDENTITY_HELP, recipientKey, resolveIdentities } from '../identities';
import { describeKey, loadRoster } from '../key-files';
import { CliError } from '../output';
import { vettedFingerprints } from '../roster-trust';
import { openSetFile, readSetFile, type SetFile } from '../share-files';

export const releaseCommand: Command = {
  name: 'release',
  options: {
    recipient: { type: 'string', short: 'r' },
    identity: { type: 'string', short: 'i', multiple: true },
    ...PASSPHRASE_FILE_OPTION,
    ...FORCE_OPTION,
  },
  help: `Usage: custodian release -r RECIPIENT [-i KEY]… [--passphrase-file FILE] [-f] SHARE-FILE

VS Code's "Release My Share…" on the command line. SHARE-FILE is your share of a Shamir set,
.custodian/shares/SET/YOU.share.enc. It is opened with your key and checked (sealed to you, signed
by the set's dealer, its set id, threshold and index as manifest.json says); the share is sealed
to RECIPIENT alone, signed by you, and written beside it as YOU.release-to-WHO.share.enc, the file
VS Code's "Recover Secret…" and "custodian combine" read. Commit it so they can recover. Nothing
is written in the clear.

Flags:
  -r, --recipient WHO     who recovers: a teammate's name in the repository's roster
                          (.custodian/team/WHO.pub, vetted against your pins), a public key file,
                          a quoted "ssh-rsa AAAA…" line, or the fingerprint (SHA256:…) of one of
                          your own keys; WHO in the file name is their roster name, else the key's
                          comment
  -i, --identity KEY      your private key file (the custodian's key); repeatable
${IDENTITY_HELP}
${PASSPHRASE_HELP}
${FORCE_HELP}

Examples:
  custodian release -r alice .custodian/shares/db-root/bob.share.enc
  custodian release -r ~/alice.pub -i ~/.custodian/bob.pem .custodian/shares/db-root/bob.share.enc
`,
  async run(args, ctx) {
    args.expectPositionals(1, 1, 'SHARE-FILE (your .custodian/shares/SET/NAME.share.enc)');
    const recipientArg = args.string('recipient');
    if (recipientArg === undefined) throw args.usageError('missing -r RECIPIENT: who recovers the secret');
    const force = args.flag('force');
    const set = await readSetFile(args.positionals[0]);
    const m = set.manifest;
    const custodian = set.custodian;
    if (set.releasedTo !== undefined) {
      throw new CliError(`${set.file} is a released share, not a custodian's own share file`, {
        hint: `release your own ${shareFileName(custodian.name)}; a released share is for the person it was released to`,
      });
    }

    const passphrases = ctx.passphrases(args);
    const request = { files: args.strings('identity'), env: ctx.io.env, passphrases, agent: ctx.agent(), file: set.file };
    const recipient = await resolveRecipient(recipientArg, set, request, ctx);
    if (recipient.key.fingerprint === custodian.fingerprint) {
      throw new CliError(`that is ${custodian.name}'s own key: your share already counts when you recover with it`, {
        hint: 'release it to the person who will recover the secret',
      });
    }
    const target = path.join(set.dir, releaseFileName(custodian.name, recipient.filePart));
    // An earlier release of this share: replaced only when it was for the same person (as in VS Code).
    const earlier = await fs
      .readFile(target)
      .then((bytes) => inspectEnvelope(bytes))
      .then(
        (h) => h,
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : { recipients: [] as readonly string[] }),
      );
    if (earlier && !(earlier.recipients.length === 1 && earlier.recipients[0] === recipient.key.fingerprint)) {
      throw new CliError(`${target} already exists and is sealed to someone else`, { hint: 'delete it first if that release is no longer wanted' });
    }
    if (earlier && !force) throw new CliError(`${target} already exists (a release to ${recipient.label})`, { hint: 'pass -f to replace it' });

    const identities = await resolveIdentities(request);
    const mine = identities.find((i) => i.key.publicKey.fingerprint === custodian.fingerprint);
    if (!mine) {
      throw new CliError(`none of your keys (${identities[0].source}) is ${custodian.name}'s key ${custodian.fingerprint}`, {
        hint: `${set.file} is ${custodian.name}'s share; run this with that key (-i KEY, or "custodian identities" to see yours)`,
      });
    }
    const share = await openSetFile(set, [mine.key], mine.origin, ctx.backend());
    let sealed: Uint8Array;
    try {
      sealed = await sealShare(share, recipient.key, mine.key, ctx.backend());
    } finally {
      zeroize(share.value);
    }
    await writeFileAtomic(target, sealed, { force: earlier !== undefined, mode: 0o644 });

    const held = await sharesHeldBy(set, recipient.key.fingerprint);
    ctx.info(`released ${custodian.name}'s share of "${m.name}" to ${recipient.label} (${recipient.key.fingerprint}): ${target}`);
    ctx.info(
      held >= m.threshold
        ? `with it, ${recipient.label} holds ${m.threshold} of the ${m.threshold} shares needed and can recover the secret alone, now or at any later time`
        : `with it, ${recipient.label} holds ${held} of the ${m.threshold} shares needed`,
    );
    ctx.info(`commit ${target} so they can recover`);
  },
};

interface Recipient {
  key: RsaPublicKey;
  /** Shown in messages. */
  label: string;
  /** WHO in `<c>.release-to-WHO.share.enc`. */
  filePart: string;
}

/**
 * RECIPIENT as VS Code's picker names people: a roster member by their roster name (their entry vetted
 * against the pins, as every encryption to the team), anyone else by their key's comment.
 */
async function resolveRecipient(arg: string, set: SetFile, request: Parameters<typeof recipientKey>[1], ctx: Parameters<Command['run']>[1]): Promise<Recipient> {
  const rosterDir = path.join(set.dir, '..', '..', 'team');
  const members = await loadRoster(rosterDir).catch(() => []);
  const byName = rosterNameProblem(arg) === undefined ? members.find((mem) => mem.name === arg) : undefined;
  const key = byName?.key ?? (await recipientKey(arg, request));
  const member = members.find((mem) => mem.key.fingerprint === key.fingerprint);
  if (member) {
    const vetted = await vettedFingerprints(rosterDir, members, ctx.io.env, ctx.backend(), {
      pinned: (names, store) => ctx.info(`pinned ${names.map((n) => displayText(n)).join(', ')} for ${rosterDir} (${store})`),
      unreviewed: (why) => ctx.warn(why),
    });
    if (!vetted.has(key.fingerprint)) {
      throw new CliError(`${member.name}'s key in ${rosterDir} is not confirmed: it changed since you last used the roster, or nobody verified it`, {
        hint: `check ${key.fingerprint} with ${member.name}, then run: custodian roster trust -R ${rosterDir} ${member.name}`,
      });
    }
    return { key, label: member.name, filePart: member.name };
  }
  const slug = key.comment === undefined ? undefined : fileNamePart(key.comment);
  return { key, label: key.comment === undefined ? describeKey(key) : displayText(key.comment), filePart: slug ?? `contact-${key.fingerprint.slice(7, 15).replace(/[^A-Za-z0-9]/g, 'x')}` };
}

/** How many of the set's shares are sealed to `fingerprint` now (distinct custodians), this release included. */
async function sharesHeldBy(set: SetFile, fingerprint: string): Promise<number> {
  const held = new Set<number>();
  for (const file of await fs.readdir(set.dir)) {
    const f = await readSetFile(path.join(set.dir, file)).catch(() => undefined);
    if (f && f.header.recipients.includes(fingerprint)) held.add(f.custodian.index);
  }
  return held.size;
}

export const main = commandMain(releaseCommand);
