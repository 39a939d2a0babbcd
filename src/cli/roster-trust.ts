// The CLI's side of roster integrity (docs/ROSTER.md §6–§7): before `encrypt -R DIR` encrypts to a
// roster, its entries are checked against the signed records and the pins (the user's pin store, or a
// pins file CI names with --pins / CUSTODIAN_ROSTER_PINS). A changed key, a newcomer nobody verifiably
// signed, or a broken entry stops the command with the names, fingerprints, the commit that changed
// the file, and the command that confirms them. Nothing is encrypted to them unasked.
import type { CryptoBackend } from '../core/crypto-backend';
import { displayText } from '../core/display-text';
import type { RsaPublicKey } from '../core/keys';
import { reviewRoster, samePins, type PinQuestion, type PinReview, type RosterPins } from '../core/roster-pins';
import { verifyRoster, type RosterVerification } from '../core/roster-records';
import { defaultPinStoreFile, PINS_FILE_ENV, PinStore, readPinsFile, rosterKey } from '../node/roster-pin-store';
import { historyProblems, lastChange, readRosterRecords } from '../node/roster-records-dir';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CommandContext } from './command';
import { loadRoster } from './key-files';
import { isInside, resolvedPath } from '../node/path-inside';
import { CliError, PROGRAM } from './output';

export interface LoadedMember {
  file: string;
  name: string;
  key: RsaPublicKey;
}

/**
 * A roster is a folder committed in its repository. Its pins are kept under its real path, so a commit
 * that turned `.custodian/team` (or `.custodian`) into a link to another folder of keys would read as a
 * roster seen for the first time, pinned without a question: such a roster is refused.
 */
async function refuseLinkedRoster(dir: string): Promise<void> {
  const resolved = path.resolve(dir);
  const links = [resolved, ...(path.basename(path.dirname(resolved)) === '.custodian' ? [path.dirname(resolved)] : [])];
  for (const p of links) {
    const isLink = await fs.lstat(p).then(
      (st) => st.isSymbolicLink(),
      () => false, // missing: loadRoster says so
    );
    if (isLink) {
      throw new CliError(`the roster ${dir} is reached through a symbolic link (${p}): a commit could point it at other keys`, {
        hint: 'a roster is a plain folder of .pub files committed in the repository: replace the link with the folder (git log -- ' + path.relative(process.cwd(), p) + ' shows who made it)',
      });
    }
  }
}

/**
 * The folder whoever can write the roster can write too: the git work tree it is in (the nearest folder
 * up from it holding `.git`), however deep in it the roster is; without one, the roster's own folder
 * (for `.custodian/team`, the folder holding `.custodian`), not whatever folder it happens to sit in.
 */
async function rosterRepository(dir: string): Promise<string> {
  const resolved = path.resolve(dir);
  for (let d = resolved; ; d = path.dirname(d)) {
    if (await fs.lstat(path.join(d, '.git')).then(() => true, () => false)) return d;
    if (path.dirname(d) === d) break;
  }
  return path.basename(path.dirname(resolved)) === '.custodian' ? path.dirname(path.dirname(resolved)) : resolved;
}

/**
 * Pins say whom to trust in a roster, so whoever can push to its repository must not be able to write
 * them: a pins file or pin store inside that repository (named by an environment a repository's own
 * terminal settings can set) is refused.
 */
async function refuseInRepository(dir: string, file: string, what: string): Promise<void> {
  if (isInside(await resolvedPath(file), await resolvedPath(await rosterRepository(dir)))) {
    throw new CliError(`${what} is inside the repository of the roster ${dir}: anyone who can push could change whom it trusts`, {
      hint: `keep pins outside the repository (CI: a file the pipeline controls; you: unset ${PINS_FILE_ENV}, or set XDG_CONFIG_HOME elsewhere)`,
    });
  }
}

/** Where pins come from: a read-only file CI controls, or the user's store (which grows on first use). */
export type PinSource = { kind: 'file'; file: string; pins: RosterPins } | { kind: 'store'; store: PinStore; key: string; pins: RosterPins | undefined };

export async function pinSource(dir: string, pinsFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<PinSource> {
  await refuseLinkedRoster(dir);
  const file = pinsFlag ?? (env[PINS_FILE_ENV] || undefined);
  if (file !== undefined) {
    await refuseInRepository(dir, file, `the pins file ${file}`);
    return { kind: 'file', file, pins: await readPinsFile(file) };
  }
  const storeFile = defaultPinStoreFile(env);
  await refuseInRepository(dir, storeFile, `your pin store ${storeFile} ($XDG_CONFIG_HOME)`);
  const store = new PinStore(storeFile);
  const key = await rosterKey(dir);
  return { kind: 'store', store, key, pins: await store.get(key) };
}

/** A roster's verification, with why its git history could not be read in full (also among its problems). */
export type CheckedRoster = RosterVerification & { readonly historyGaps: readonly string[] };

export async function verifyMembers(dir: string, members: readonly LoadedMember[], backend: CryptoBackend): Promise<CheckedRoster> {
  const files = await readRosterRecords(dir);
  const verification = await verifyRoster(
    members.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint })),
    files.root,
    files.records,
    backend,
  );
  verification.problems.push(...historyProblems(files));
  for (const { names } of sharedKeys(members)) verification.problems.push(`${names.map((n) => `${displayText(n)}.pub`).join(' and ')} hold the same key: one person, two roster files`);
  return { ...verification, historyGaps: files.historyGaps };
}

/**
 * The names that share a key, per key held by more than one roster file (VS Code's roster calls the
 * second one invalid: "one person, two roster files"). Someone offboarded by one name would keep reading
 * everything for the team under the other.
 */
export function sharedKeys(members: readonly LoadedMember[]): { fingerprint: string; names: string[] }[] {
  const byKey = new Map<string, string[]>();
  for (const m of members) byKey.set(m.key.fingerprint, [...(byKey.get(m.key.fingerprint) ?? []), m.name]);
  return [...byKey].filter(([, names]) => names.length > 1).map(([fingerprint, names]) => ({ fingerprint, names: names.sort() }));
}

/**
 * A signed roster is trusted only with its whole history read: a signed removal someone reverted (or
 * undid in a merge) shows only there, and without it the person removed is "verified" again. So
 * whatever relies on its verified members (encrypting to it, `--require-signer`, a merge's vouching)
 * stops when a gap is left (a shallow clone, git failing). An unsigned roster has no records to hide.
 */
export function refuseUnreadHistory(dir: string, roster: CheckedRoster, what: string): void {
  if (!roster.signed || roster.historyGaps.length === 0) return;
  throw new CliError(`the git history of roster ${dir} could not be read in full, so a signed removal someone reverted would go unseen; ${what}:\n${roster.historyGaps.map((g) => `${PROGRAM}:   ${g}`).join('\n')}`, {
    hint: `fetch the whole history first ('git fetch --unshallow'; in GitHub Actions, actions/checkout with fetch-depth: 0), or name each recipient's or signer's key file instead of the roster`,
  });
}

/** A roster entry that needs the user before anything is encrypted to it. */
export class RosterChangedError extends CliError {
  constructor(
    message: string,
    readonly questions: readonly PinQuestion[],
    hint: string,
  ) {
    super(message, { hint });
  }
}

async function describeQuestion(dir: string, q: PinQuestion): Promise<string> {
  const name = displayText(q.name);
  let what: string;
  if (q.verdict.status === 'broken') what = `${name}: broken (${q.verdict.reason}), key ${q.fingerprint}`;
  else if (q.pinned) what = `${name}: key changed from ${q.pinned} (pinned) to ${q.fingerprint}`;
  else what = `${name}: new in the roster, key ${q.fingerprint}`;
  if (q.verdict.status === 'unverified') what += ` (unverified: ${q.verdict.reason})`;
  const change = await lastChange(path.join(dir, `${q.name}.pub`));
  if (change) what += `; last changed in commit ${change.commit.slice(0, 12)} by ${displayText(change.author)} on ${change.date}`;
  return what;
}

/**
 * Checks `members` of roster `dir` before encrypting to them: returns when every one may be used
 * (pinning them in the user's store), throws RosterChangedError otherwise. A pins file is never written.
 */
export async function vetRoster(dir: string, members: readonly LoadedMember[], source: PinSource, backend: CryptoBackend, info: (line: string) => void): Promise<PinReview> {
  const verification = await verifyMembers(dir, members, backend);
  refuseUnreadHistory(dir, verification, 'nothing was encrypted');
  if (verification.missing.length > 0) {
    // Deleting a teammate's file without a signed removal would otherwise drop them from this file unnoticed.
    const lines = await Promise.all(
      verification.missing.map(async (m) => {
        const change = await lastChange(path.join(dir, `${m.name}.pub`));
        const removal = m.unverifiedRemovalBy === undefined ? 'no member signed a removal' : `the removal is signed by ${displayText(m.unverifiedRemovalBy)}, who is not a verified member, so it does not count`;
        return `${displayText(m.name)} (${m.fingerprint}): ${m.name}.pub is gone, and ${removal}${change ? `; deleted in commit ${change.commit.slice(0, 12)} by ${displayText(change.author)} on ${change.date}` : ''}`;
      }),
    );
    throw new CliError(`roster ${dir} lost signed members; nothing was encrypted:\n${lines.map((l) => `${PROGRAM}:   ${l}`).join('\n')}`, {
      hint: `restore the file from git ('git checkout COMMIT^ -- ${path.join(dir, 'NAME.pub')}'); if they are leaving, a verified member then removes them ('${PROGRAM} roster remove -R ${dir} -i KEY NAME')`,
    });
  }
  const shared = sharedKeys(members);
  if (shared.length > 0) {
    const lines = shared.map(({ fingerprint, names }) => `${names.map((n) => displayText(n)).join(', ')}: one key, ${fingerprint}`);
    throw new CliError(`roster ${dir} holds one person's key under several names; nothing was encrypted:\n${lines.map((l) => `${PROGRAM}:   ${l}`).join('\n')}`, {
      hint: `find out whose key it is (git log -- ${dir}) and remove the other names ('${PROGRAM} roster remove -R ${dir} -i KEY NAME'): a teammate removed by one name would go on reading under another`,
    });
  }
  const review = reviewMembers(members, verification, source);
  if (review.questions.length > 0) {
    const lines = await Promise.all(review.questions.map((q) => describeQuestion(dir, q)));
    const broken = review.questions.filter((q) => q.verdict.status === 'broken');
    const askable = review.questions.filter((q) => q.verdict.status !== 'broken').map((q) => q.name);
    const n = review.questions.length;
    // On a signed roster, a newcomer is signed in by a verified member, so every teammate (and CI) sees it
    // verified; trust pins it for this user only.
    const signIn = verification.signed ? `sign them in as a verified member ('${PROGRAM} roster sign -R ${dir} -i KEY ${askable.join(' ')}'), or pin them for yourself only ('${PROGRAM} roster trust -R ${dir} ${askable.join(' ')}')` : `run '${PROGRAM} roster trust -R ${dir} ${askable.join(' ')}'`;
    const fix =
      source.kind === 'file'
        ? `add the fingerprints to ${source.file} once they are checked`
        : askable.length > 0
          ? `check each fingerprint with its owner over a channel you trust (in person, a call), then ${signIn}, or remove the file`
          : '';
    const hints = [fix, broken.length > 0 ? `run '${PROGRAM} roster verify -R ${dir}' to see what is broken and restore or re-sign it` : ''].filter(Boolean);
    throw new RosterChangedError(
      `roster ${dir} changed since you last used it; nothing was encrypted. ${n === 1 ? 'This entry needs' : `These ${n} entries need`} checking:\n${lines.map((l) => `${PROGRAM}:   ${l}`).join('\n')}`,
      review.questions,
      hints.join('; '),
    );
  }
  const pinned = await pinAccepted(source, review);
  if (pinned) info(`pinned ${pinned.names.map((n) => displayText(n)).join(', ')} for ${dir} (${pinned.store})`);
  return review;
}

/** `members` reviewed against `source`'s pins (docs/ROSTER.md §6): the user's store grows on first use, a pins file does not. */
function reviewMembers(members: readonly LoadedMember[], verification: RosterVerification, source: PinSource): PinReview {
  return reviewRoster(
    members.map((m) => ({ name: m.name, fingerprint: m.key.fingerprint })),
    verification,
    source.pins,
    { tofu: source.kind === 'store' },
  );
}

/** Pins in the user's store what `review` accepted (a pins file is never written): the names newly pinned, when any. */
async function pinAccepted(source: PinSource, review: PinReview): Promise<{ names: string[]; store: string } | undefined> {
  if (source.kind !== 'store' || samePins(review.next, source.pins)) return undefined;
  const names = review.accepted.filter((e) => source.pins?.members[e.name] !== e.fingerprint).map((e) => e.name);
  await source.store.set(source.key, review.next);
  return names.length > 0 ? { names, store: source.store.file } : undefined;
}

/**
 * The fingerprints of `members` (a roster's entries, as read from the working tree or a commit) this user
 * relies on, as `vetRoster` would take them without asking: pinned, or verified under a trusted root, or
 * all of them the first time. A key that changed, a newcomer nobody vouched for or a broken entry is not.
 * `report.pinned` given: what is accepted is pinned (a first use is first once) and said. Never throws: a
 * roster that cannot be reviewed (a link, pins inside the repository, a signed roster whose history could
 * not be read: `refuseUnreadHistory`) vouches for no one, and `report.unreviewed` says why.
 */
export async function vettedFingerprints(
  dir: string,
  members: readonly LoadedMember[],
  env: NodeJS.ProcessEnv,
  backend: CryptoBackend,
  report: { pinned?: (names: string[], store: string) => void; unreviewed?: (why: string) => void } = {},
): Promise<Set<string>> {
  try {
    const source = await pinSource(dir, undefined, env);
    const verification = await verifyMembers(dir, members, backend);
    refuseUnreadHistory(dir, verification, 'no member of it is vouched for');
    const review = reviewMembers(members, verification, source);
    if (report.pinned) {
      const pinned = await pinAccepted(source, review);
      if (pinned) report.pinned(pinned.names, pinned.store);
    }
    return new Set(review.accepted.map((e) => e.fingerprint));
  } catch (err) {
    report.unreviewed?.(err instanceof Error ? err.message : String(err));
    return new Set();
  }
}

/**
 * The keys of every roster DIR given with -R, each roster vetted first (`vetRoster`): what every command
 * that encrypts to a roster uses, so none of them encrypts to a changed key or an unvetted newcomer.
 * `pinsFlag`: --pins FILE, if given.
 */
export async function vettedRosterKeys(dirs: readonly string[], pinsFlag: string | undefined, ctx: Pick<CommandContext, 'io' | 'backend' | 'info'>): Promise<RsaPublicKey[]> {
  const keys: RsaPublicKey[] = [];
  for (const dir of dirs) {
    const members = await loadRoster(dir);
    await vetRoster(dir, members, await pinSource(dir, pinsFlag, ctx.io.env), ctx.backend(), (line) => ctx.info(line));
    for (const { key } of members) keys.push(key);
  }
  return keys;
}
