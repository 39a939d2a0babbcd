// custodian roster: check and change a team roster's signed records (docs/ROSTER.md). `verify` is for
// CI (non-zero on anything not verified); `trust` pins keys the user checked out of band; `sign`,
// `add` and `remove` write records signed with the user's key, one file per change.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { displayText } from '../../core/display-text';
import { shellQuote } from '../../core/shell-quote';
import { exportPublicKeyOpenSsh, type RsaPrivateKey } from '../../core/keys';
import { keepReason } from '../../core/recipient-policy';
import { confusableGroups, rosterNameProblem } from '../../core/roster-names';
import { pinsAfterVouching, reviewRoster } from '../../core/roster-pins';
import type { EntryVerdict, RecordBody, RosterVerification } from '../../core/roster-records';
import { readRosterRecords, writeRosterRecord } from '../../node/roster-records-dir';
import { writeFileAtomic } from '../../node/atomic-file';
import { filesEncryptedTo, selectionsEncryptedTo } from '../../node/encrypted-files';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command, type CommandContext } from '../command';
import { commandMain } from '../command-main';
import type { Args } from '../args';
import { IDENTITY_ENV, KEY_ENV, resolveSigner } from '../identities';
import { loadPublicKey, loadRoster } from '../key-files';
import { CliError, PROGRAM } from '../output';
import { findRepositoryRoot, ROSTER_DIR } from '../repository';
import { pinSource, verifyMembers, type LoadedMember } from '../roster-trust';

/**
 * Without -R: the roster of the repository the current directory is in, found from any subfolder (as
 * `rekey` and `run` find it), so `roster add` in a subfolder never starts a second roster there.
 * Outside any repository, `.custodian/team` here.
 */
function defaultRosterDir(): string {
  const root = findRepositoryRoot(process.cwd());
  return root === undefined ? path.join(...ROSTER_DIR.split('/')) : path.relative(process.cwd(), path.join(root, ...ROSTER_DIR.split('/'))) || '.';
}
const SUBCOMMANDS = ['verify', 'trust', 'sign', 'add', 'remove'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

export const rosterCommand: Command = {
  name: 'roster',
  options: {
    roster: { type: 'string', short: 'R' },
    identity: { type: 'string', short: 'i', multiple: true },
    pins: { type: 'string' },
    json: { type: 'boolean' },
    deploy: { type: 'boolean' },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian roster verify [-R DIR] [--pins FILE] [--json]
       custodian roster trust [-R DIR] NAME…
       custodian roster sign [-R DIR] -i KEY [--passphrase-file FILE] [NAME…]
       custodian roster add [-R DIR] -i KEY [--passphrase-file FILE] [--deploy] NAME PUBLIC-KEY
       custodian roster remove [-R DIR] -i KEY [--passphrase-file FILE] NAME

A roster (DIR, default the repository's .custodian/team) holds one NAME.pub per teammate. Signed
records in DIR/records/ say who vouched for each one: a root of trust (the first members) and one
record per later addition or removal, each signed by a member (docs/ROSTER.md).

  verify   check every entry: verified (a chain of signers reaches the root), unverified, or
           broken (a forged record, a key that is not the one signed, a removed member back).
           Prints the root of trust's id first ("root of trust: SHA256:…": what a pins file's
           "@root" line takes). Exits 1 unless every entry is verified. With --pins FILE (or
           $CUSTODIAN_ROSTER_PINS), the root and members must also match the fingerprints pinned
           in FILE: use this in CI, since whoever can commit can also replace the whole records
           directory. Needs the git history (a reverted removal hides there): a shallow clone
           fails until fetched.
  trust    pin NAME's current key in your pin store after checking its fingerprint with its
           owner over a channel you trust; "encrypt -R" then uses it without stopping.
  sign     sign the roster with KEY (yours, already in it): the first time, records the current
           members as the root of trust; afterwards signs each unverified entry (a broken one
           only when NAME is given: re-signing a changed key is a deliberate act).
  add      write DIR/NAME.pub for PUBLIC-KEY and a record of the addition signed with KEY.
           With --deploy, a deploy key (CI): files for the team are encrypted to it, but its
           signature vouches for no one, so a leaked CI secret cannot sign anyone in or out.
  remove   delete DIR/NAME.pub and write a removal signed with KEY (a revert is then detected).

Flags:
  -R, --roster DIR        the roster directory (default: the .custodian/team of the repository
                          you are in, found from any subfolder)
  -i, --identity KEY      your private key file, for sign, add and remove; without -i, the
                          key files in $${IDENTITY_ENV}, else the key text in $${KEY_ENV} (the
                          VS Code agent signs .enc files only, not roster records)
      --pins FILE         a pins file CI controls, kept outside the repository: "NAME SHA256:…"
                          lines, "@root SHA256:…"
                          (the root of trust's id, which verify prints)
      --json              verify: print a JSON object
      --deploy            add: a deploy key, which reads but cannot vouch (docs/ROSTER.md §5)
${PASSPHRASE_HELP}

Pins: your pin store is $XDG_CONFIG_HOME/custodian/roster-pins.json (~/.config/… by default),
shared with the VS Code extension, outside every repository.

Examples:
  custodian roster verify --pins "$RUNNER_TEMP/roster-pins.txt"
  custodian roster trust alice
  custodian roster sign -i ~/.custodian/me.pem
  custodian roster add -i ~/.custodian/me.pem carol carol.pub
  custodian roster add -i ~/.custodian/me.pem --deploy ci ci.pub
`,
  async run(args, ctx) {
    const sub = args.positionals[0] as Subcommand | undefined;
    if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
      throw args.usageError(sub === undefined ? `missing subcommand (${SUBCOMMANDS.join(', ')})` : `unknown subcommand "${displayText(sub)}" (${SUBCOMMANDS.join(', ')})`);
    }
    if (args.flag('deploy') && sub !== 'add') throw args.usageError('--deploy goes with "roster add"');
    const dir = args.string('roster') ?? defaultRosterDir();
    const names = args.positionals.slice(1);
    switch (sub) {
      case 'verify':
        if (names.length > 0) throw args.usageError(`unexpected argument "${displayText(names[0])}"`);
        return verify(dir, args, ctx);
      case 'trust':
        if (names.length === 0) throw args.usageError('missing NAME (custodian roster trust NAME…)');
        return trust(dir, names, args, ctx);
      case 'sign':
        return sign(dir, names, args, ctx);
      case 'add':
        if (names.length !== 2) throw args.usageError('expected NAME PUBLIC-KEY (custodian roster add -i KEY NAME PUBLIC-KEY)');
        return add(dir, names[0], names[1], args, ctx);
      case 'remove':
        if (names.length !== 1) throw args.usageError('expected NAME (custodian roster remove -i KEY NAME)');
        return remove(dir, names[0], args, ctx);
    }
  },
};

function describeVerdict(v: EntryVerdict, members: readonly LoadedMember[]): string {
  if (v.status === 'verified') {
    const by = v.by === undefined ? 'the root of trust' : displayText(v.by);
    if (v.deploy) return `verified deploy key (${by}, ${v.time}; cannot vouch)`;
    return members.some((m) => m.key.fingerprint === v.byFingerprint) || v.by === undefined ? `verified (${by}, ${v.time})` : `verified (${by}, ${v.time}; signer since removed)`;
  }
  return `${v.status}: ${v.reason}`;
}

async function verify(dir: string, args: Args, ctx: CommandContext): Promise<void> {
  const members = await loadRoster(dir);
  const verification = await verifyMembers(dir, members, ctx.backend());
  const source = await pinSource(dir, args.string('pins'), ctx.io.env);
  // Pins are only read here: verify never changes what the user trusts.
  const pinned = source.pins && (source.pins.root !== undefined || Object.keys(source.pins.members).length > 0) ? source.pins : undefined;
  const review = pinned ? reviewRoster(entriesOf(members), verification, pinned, { tofu: false }) : undefined;
  const pinProblems: string[] = [];
  if (review && verification.signed && !review.rootTrusted) pinProblems.push(`the root of trust ${verification.rootId} is not the one pinned${source.kind === 'file' ? ` in ${source.file}` : ''}`);
  for (const q of review?.questions ?? []) {
    if (q.verdict.status === 'broken') continue;
    pinProblems.push(q.pinned ? `${q.name}: key ${q.fingerprint} is not the pinned ${q.pinned}` : `${q.name}: ${q.fingerprint} is not pinned and not verified through a pinned root`);
  }
  const ok = verification.signed && members.every((m) => verification.entries.get(m.name)?.status === 'verified') && verification.problems.length === 0 && pinProblems.length === 0;
  if (args.flag('json')) {
    ctx.print(
      JSON.stringify(
        {
          ok,
          signed: verification.signed,
          root: verification.rootId ?? null,
          entries: members.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint, ...verification.entries.get(m.name) })),
          problems: [...verification.problems, ...pinProblems],
          pins: source.kind === 'file' ? source.file : pinned ? 'store' : null,
        },
        null,
        2,
      ),
    );
  } else {
    // The id a CI pins file's `@root` line takes (readPinsFile), shown where people look for it.
    if (verification.rootId !== undefined) ctx.print(`root of trust: ${verification.rootId}`);
    for (const m of members) ctx.print(`${displayText(m.name)}  ${m.key.fingerprint}  ${describeVerdict(verification.entries.get(m.name)!, members)}`);
    for (const p of [...verification.problems, ...pinProblems]) ctx.print(`problem: ${displayText(p, 400)}`);
    if (!pinned && verification.signed) {
      ctx.warn(
        `no pins for ${dir}: the chain was checked from the root in the repository, which a commit could replace. ` +
          `On your machine, the first "${PROGRAM} encrypt -R" (or "${PROGRAM} roster trust NAME…") pins it; in CI pass --pins FILE`,
      );
    }
  }
  if (!ok) {
    throw new CliError(verification.signed ? `roster ${dir} does not verify` : `roster ${dir} is not signed`, { hint: verifyHint(dir, members, verification, pinProblems.length > 0) });
  }
}

/** What to do about a roster that does not verify: the fix for what is actually wrong. */
function verifyHint(dir: string, members: readonly LoadedMember[], verification: RosterVerification, pinsDiffer: boolean): string {
  if (!verification.signed) return `a member signs it once: '${PROGRAM} roster sign -i KEY'`;
  const status = (s: string) => members.filter((m) => verification.entries.get(m.name)?.status === s).map((m) => m.name);
  const [unverified, brokenAll] = [status('unverified'), status('broken')];
  // A teammate removed by a signed record whose file came back: the removal stands until a member re-adds them.
  const cameBack = brokenAll.filter((name) => {
    const v = verification.entries.get(name);
    return v?.status === 'broken' && /^.+ removed .+ \(signed, /.test(v.reason);
  });
  const broken = brokenAll.filter((name) => !cameBack.includes(name));
  const hints: string[] = [];
  if (unverified.length > 0) hints.push(`a verified member checks the fingerprints of ${unverified.join(', ')} with their owners and signs them ('${PROGRAM} roster sign -i KEY ${unverified.join(' ')}'), or removes the files`);
  if (cameBack.length > 0) {
    const files = cameBack.map((name) => path.join(dir, `${name}.pub`)).join(' ');
    hints.push(`${cameBack.join(', ')} ${cameBack.length === 1 ? 'was' : 'were'} removed by a signed record and came back without a signed addition: delete ${files} again (git rm ${files}), or, to take them back, a verified member adds them ('${PROGRAM} roster add -i KEY NAME FILE')`);
  }
  if (broken.length > 0) hints.push(`restore ${broken.join(', ')} from git, or have a verified member re-sign a key checked with its owner ('${PROGRAM} roster sign -i KEY NAME')`);
  if (pinsDiffer) hints.push('a root or key that is not the one pinned was put in place: find the commit (git log -- ' + dir + ') before updating the pins');
  if (hints.length === 0) hints.push('each problem above says what to do');
  return hints.join('; ');
}

async function trust(dir: string, names: readonly string[], args: Args, ctx: CommandContext): Promise<void> {
  const source = await pinSource(dir, args.string('pins'), ctx.io.env);
  if (source.kind === 'file') throw args.usageError(`pins from ${source.file} are read-only: add the fingerprints to that file instead`);
  const members = await loadRoster(dir);
  const chosen = names.map((n) => {
    const m = members.find((x) => x.name === n);
    if (!m) throw new CliError(`${path.join(dir, `${displayText(n)}.pub`)} does not exist`, { hint: `the roster has: ${members.map((x) => x.name).join(', ')}` });
    return m;
  });
  const verification = await verifyMembers(dir, members, ctx.backend());
  await source.store.set(source.key, pinsAfterVouching(entriesOf(members), verification, source.pins, entriesOf(chosen)));
  for (const m of chosen) {
    const before = source.pins?.members[m.name];
    ctx.info(`pinned ${displayText(m.name)} ${m.key.fingerprint}${before && before !== m.key.fingerprint ? ` (was ${before})` : ''}`);
    const v = verification.entries.get(m.name);
    if (v?.status === 'broken') ctx.warn(`${displayText(m.name)} stays refused while its entry is broken (${v.reason}); a member re-signs it with '${PROGRAM} roster sign -i KEY ${m.name}'`);
  }
}

/**
 * My key, from the CLI's one identity order (-i, CUSTODIAN_IDENTITY, CUSTODIAN_KEY, the agent). The
 * agent signs `.enc` transcripts only: a roster record needs the key here (docs/ROSTER.md §4).
 */
async function identity(args: Args, ctx: CommandContext): Promise<RsaPrivateKey> {
  const { key, source } = await resolveSigner({ files: args.strings('identity'), env: ctx.io.env, passphrases: ctx.passphrases(args), agent: ctx.agent() });
  if (!('pkcs8Der' in key)) {
    throw new CliError(`the key from ${source} cannot sign roster records (the VS Code agent signs .enc files only)`, {
      hint: `pass -i KEY, or set ${IDENTITY_ENV} or ${KEY_ENV}; in VS Code, use Sign the Current Roster or Add Teammate`,
    });
  }
  return key;
}

function entriesOf(members: readonly LoadedMember[]): { name: string; fingerprint: string }[] {
  return members.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint }));
}

/** After my signature changed the roster: the names I vouched for, and what the roster now verifies. */
async function pinAfterSigning(dir: string, signed: readonly LoadedMember[], args: Args, ctx: CommandContext): Promise<void> {
  const source = await pinSource(dir, args.string('pins'), ctx.io.env);
  if (source.kind !== 'store') return;
  const members = await loadRoster(dir);
  const verification = await verifyMembers(dir, members, ctx.backend());
  await source.store.set(source.key, pinsAfterVouching(entriesOf(members), verification, source.pins, entriesOf(signed)));
}

/**
 * On a signed roster a record counts only when its signer is a verified member that is not a deploy key
 * (docs/ROSTER.md §5): refuse to write one that would count for nothing rather than report success.
 */
function requireVouchingSigner(dir: string, members: readonly LoadedMember[], verification: RosterVerification, me: RsaPrivateKey): void {
  const mine = members.find((m) => m.key.fingerprint === me.publicKey.fingerprint);
  const v = mine && verification.entries.get(mine.name);
  if (mine && v?.status === 'verified' && v.deploy) {
    throw new CliError(`your key is ${displayText(mine.name)}, a deploy key of ${dir}: its signature vouches for no one`, { hint: 'sign roster changes with the key of a member (-i KEY); a deploy key only reads' });
  }
  if (v?.status !== 'verified') {
    throw new CliError(`${mine ? `you (${displayText(mine.name)}) are` : `your key ${me.publicKey.fingerprint} is`} not a verified member of ${dir}: your signature would not count`, {
      hint: 'ask a verified member to sign your entry first, or sign with the key of a verified member',
    });
  }
}

async function sign(dir: string, names: readonly string[], args: Args, ctx: CommandContext): Promise<void> {
  const me = await identity(args, ctx);
  const backend = ctx.backend();
  const members = await loadRoster(dir);
  const mine = members.find((m) => m.key.fingerprint === me.publicKey.fingerprint);
  if (!mine) throw new CliError(`your key ${me.publicKey.fingerprint} is not in ${dir}`, { hint: `add yourself first ('${PROGRAM} roster add -i KEY NAME PUBLIC-KEY'), or sign with the key of a member` });
  for (const n of names) if (!members.some((m) => m.name === n)) throw new CliError(`${path.join(dir, `${displayText(n)}.pub`)} does not exist`);
  const { root } = await readRosterRecords(dir);
  if (!root) {
    const chosen = names.length > 0 ? members.filter((m) => names.includes(m.name) || m === mine) : members;
    await writeRosterRecord(dir, { op: 'root', members: chosen.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint })) }, me, backend);
    for (const m of chosen) ctx.info(`root of trust: ${displayText(m.name)} ${m.key.fingerprint}`);
    await pinAfterSigning(dir, chosen, args, ctx);
    return;
  }
  const verification = await verifyMembers(dir, members, backend);
  requireVouchingSigner(dir, members, verification, me);
  const targets = members.filter((m) => {
    const v = verification.entries.get(m.name)!;
    return names.length > 0 ? names.includes(m.name) && v.status !== 'verified' : v.status === 'unverified';
  });
  if (targets.length === 0) {
    ctx.info('nothing to sign: every entry is verified' + (members.some((m) => verification.entries.get(m.name)?.status === 'broken') ? ' or broken (name a broken entry to re-sign it)' : ''));
    return;
  }
  for (const m of targets) {
    await writeRosterRecord(dir, { op: 'add', name: m.name, fingerprint: m.key.fingerprint }, me, backend);
    ctx.info(`signed ${displayText(m.name)} ${m.key.fingerprint}`);
  }
  await pinAfterSigning(dir, targets, args, ctx);
}

async function add(dir: string, name: string, keyArg: string, args: Args, ctx: CommandContext): Promise<void> {
  const problem = rosterNameProblem(name);
  if (problem) throw args.usageError(`"${displayText(name)}" cannot be a roster name. ${problem}`);
  const me = await identity(args, ctx);
  const key = await loadPublicKey(keyArg, ctx.passphrases(args));
  const existing = await fs.readdir(dir).catch(() => [] as string[]);
  const others = existing.filter((n) => n.endsWith('.pub')).map((n) => n.slice(0, -4));
  if (others.includes(name)) throw new CliError(`${path.join(dir, `${name}.pub`)} already exists`, { hint: `remove it first ('${PROGRAM} roster remove -i KEY ${name}')` });
  const lookalike = confusableGroups([...others, name]).find((g) => g.includes(name));
  if (lookalike) throw new CliError(`"${name}" looks like ${lookalike.filter((n) => n !== name).join(', ')} already in the roster`, { hint: 'choose a name that cannot be mistaken for a teammate' });
  // One key, one entry: under a second name, a teammate removed by the first would go on reading.
  const holder = others.length === 0 ? undefined : (await loadRoster(dir).catch(() => [])).find((m) => m.key.fingerprint === key.fingerprint);
  if (holder) {
    throw new CliError(`${key.fingerprint} is already in the roster as ${displayText(holder.name)}: one person, two roster files`, {
      hint: `a second computer gets its own key; to rename ${displayText(holder.name)}, remove that entry first ('${PROGRAM} roster remove -i KEY ${displayText(holder.name)}'), then add the new name`,
    });
  }
  const deploy = args.flag('deploy');
  const myself = key.fingerprint === me.publicKey.fingerprint;
  if (deploy && myself) throw args.usageError('--deploy is for a key that is not yours (a CI or deploy key); your own key is added as a member');
  const { root } = await readRosterRecords(dir);
  // Anyone may add themselves (unverified until a member signs them); adding someone else must count.
  if (root && !myself) {
    const members = await loadRoster(dir);
    requireVouchingSigner(dir, members, await verifyMembers(dir, members, ctx.backend()), me);
  }
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.pub`);
  await writeFileAtomic(file, new TextEncoder().encode(exportPublicKeyOpenSsh(key, key.comment) + '\n'));
  const body: RecordBody =
    !root && others.length === 0 && key.fingerprint === me.publicKey.fingerprint
      ? { op: 'root', members: [{ name, fingerprint: key.fingerprint }] }
      : { op: deploy ? 'deploy' : 'add', name, fingerprint: key.fingerprint };
  try {
    await writeRosterRecord(dir, body, me, ctx.backend());
  } catch (err) {
    // No half-done addition: an unsigned NAME.pub would look like someone else's doing.
    await fs.rm(file, { force: true });
    throw err;
  }
  const unverified = root !== undefined && myself ? ` (unverified until a verified member signs it: '${PROGRAM} roster sign -i KEY ${name}')` : '';
  ctx.info(`added ${name} ${key.fingerprint}${body.op === 'root' ? ' as the root of trust' : body.op === 'deploy' ? ' as a deploy key (it reads; it cannot vouch)' : unverified}; commit ${file} and ${path.join(dir, 'records')}, then re-encrypt the team's files so they can open them ("custodian rekey FILE…")`);
  await pinAfterSigning(dir, [{ file, name, key }], args, ctx);
}

async function remove(dir: string, name: string, args: Args, ctx: CommandContext): Promise<void> {
  const me = await identity(args, ctx);
  const members = await loadRoster(dir);
  const m = members.find((x) => x.name === name);
  if (!m) throw new CliError(`${path.join(dir, `${displayText(name)}.pub`)} does not exist`);
  const verification = await verifyMembers(dir, members, ctx.backend());
  if (verification.signed) requireVouchingSigner(dir, members, verification, me);
  const record = await writeRosterRecord(dir, { op: 'remove', name, fingerprint: m.key.fingerprint }, me, ctx.backend());
  try {
    await fs.rm(m.file);
  } catch (err) {
    if (record !== undefined) await fs.rm(record, { force: true });
    throw err;
  }
  const source = await pinSource(dir, args.string('pins'), ctx.io.env);
  if (source.kind === 'store' && source.pins && Object.prototype.hasOwnProperty.call(source.pins.members, name)) {
    const members2 = { ...source.pins.members };
    delete members2[name];
    await source.store.set(source.key, { ...source.pins, members: members2 });
  }
  await vouchAgainAfterRemoval(dir, name, verification, me, ctx);
  ctx.info(`removed ${name}; commit the deletion and the signed record. ${await stillReadable(dir, name, m.key.fingerprint)}`);
  const same = members.filter((x) => x.name !== name && x.key.fingerprint === m.key.fingerprint).map((x) => displayText(x.name));
  if (same.length > 0) {
    ctx.warn(`${displayText(name)}'s key ${m.key.fingerprint} is still in the roster as ${same.join(', ')}: whoever holds it goes on reading what is encrypted for the team; if ${displayText(name)} is leaving, remove ${same.length === 1 ? 'it' : 'them'} too (${same.map((n) => `'${PROGRAM} roster remove -i KEY ${n}'`).join(', ')})`);
  }
}

/**
 * A removed member's records count for nothing from now on (ROSTER.md §5: one could be dated back), so
 * whom they had vouched for would turn unverified in every fresh clone: the remover, a verified member
 * who saw them verified a moment ago, signs those entries again, and says whom.
 */
async function vouchAgainAfterRemoval(dir: string, name: string, before: RosterVerification, me: RsaPrivateKey, ctx: CommandContext): Promise<void> {
  if (!before.signed) return;
  const members = await loadRoster(dir);
  const after = await verifyMembers(dir, members, ctx.backend());
  const again = members.filter((x) => x.name !== name && before.entries.get(x.name)?.status === 'verified' && after.entries.get(x.name)?.status === 'unverified');
  for (const x of again) await writeRosterRecord(dir, { op: 'add', name: x.name, fingerprint: x.key.fingerprint }, me, ctx.backend());
  if (again.length > 0) ctx.info(`signed again ${again.map((x) => displayText(x.name)).join(', ')}, vouched for through ${displayText(name)}: a removed member's records no longer count`);
}

/**
 * What a removed teammate can still open, as the next step: the working tree's encrypted files to
 * re-key, by name; either way, git history keeps the versions they could read.
 */
async function stillReadable(dir: string, name: string, fingerprint: string): Promise<string> {
  const history = `Rotate the secrets ${name} could read: older versions stay readable to them in git history.`;
  const root = findRepositoryRoot(dir);
  const files = root === undefined ? undefined : await filesEncryptedTo(root, fingerprint).catch(() => undefined);
  if (root === undefined || files === undefined) return `Re-encrypt the team's files without them ("custodian rekey FILE…"). ${history}`;
  const selections = await selectionsEncryptedTo(root, fingerprint).catch(() => []);
  const inText =
    selections.length === 0
      ? ''
      : `${name} can still open ${selections.reduce((n, s) => n + s.count, 0)} encrypted selection(s) in ${selections.map((s) => shellQuote(path.relative(process.cwd(), path.join(root, s.file)) || s.file)).join(' ')}, which rekey does not reach: decrypt each in place and encrypt it again without ${name} (VS Code: Decrypt in Place, then Encrypt Selection), and rotate what it holds. `;
  if (files.length === 0) return `${selections.length === 0 ? `No file in this working tree is encrypted to ${name}. ` : inText}${history}`;
  const shown = (list: string[]) => list.map((f) => shellQuote(path.relative(process.cwd(), path.join(root, f)) || f)).join(' ');
  // A Shamir share is not re-keyed away from its custodian (rekey refuses it): the set is dealt again.
  const shares = files.filter((f) => keepReason(f, undefined) === 'share');
  const others = files.filter((f) => !shares.includes(f));
  const rekey = others.length === 0 ? '' : `${name} can still open ${others.length} file(s) here; re-encrypt them without ${name}: ${PROGRAM} rekey ${shown(others)}. `;
  const split =
    shares.length === 0
      ? ''
      : `${name} holds ${shares.length} Shamir share(s) here (${shown(shares)}), which still count towards recovering each secret: re-keying cannot take a share back, so have the dealer split each secret again without ${name}, and change it where it must stay split. `;
  return `${rekey}${split}${inText}${history}`;
}

export const main = commandMain(rosterCommand);
