// The two programs git runs for `.enc` files once `custodian git setup` registered them (docs/GIT.md):
//   textconv  `git diff`/`log -p`/`show` read the plaintext from our stdout, in memory;
//   merge     git's merge driver (%O %A %B %L %P): decrypts three versions in memory, merges them
//             line-wise as `git merge-file` does and writes the result, encrypted, over %A.
// Plaintext goes to a pipe (textconv) or stays in memory (merge): never to a file.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as os from 'node:os';
import { constantTimeEqual } from '../core/bytes';
import { displayText } from '../core/display-text';
import { decryptBytes, encryptBytes, inspectEnvelope, type DecryptionIdentity, type EnvelopeInfo, type SignatureStatus } from '../core/envelope';
import { armor, isArmored } from '../core/armor';
import { describeError, NoIdentityMatchedError } from '../core/errors';
import { parsePublicKey, shortFingerprint, type RsaPublicKey } from '../core/keys';
import { looksBinary, mergeBytes } from '../core/line-merge';
import { keepReason, policyForSave } from '../core/recipient-policy';
import type { RecipientPolicy } from '../core/envelope-header';
import { writeFileAtomic } from '../node/atomic-file';
import { InputTooLargeError, readFileChunks, readSmallFile } from '../node/node-streams';
import { pathVersions, readBlobs, runGit } from '../node/git';
import { readRegularFile } from '../node/regular-files';
import { envelopeVersionId, MAX_VERSION_ID_BYTES, versionKey, type VersionId } from '../node/version-id';
import type { CommandContext } from './command';
import { resolveIdentities, resolveSigner, type IdentityRequest } from './identities';
import { CliError } from './output';
import { ROSTER_DIR } from './repository';
import { PassphraseSource } from './passphrase';
import { vettedFingerprints, type LoadedMember } from './roster-trust';
import { deployKeys } from './team-signers';
import { confusableGroups, rosterNameProblem } from '../core/roster-names';
import type { CryptoBackend } from '../core/crypto-backend';

/** Versions of a `.enc` file git hands a driver are read whole: the merge needs all three in memory. */
export const MAX_DRIVER_INPUT_BYTES = 256 * 1024 * 1024;

/** A roster `.pub` file is a few kilobytes (the extension's roster history takes the same bound). */
const MAX_PUB_BYTES = 64 * 1024;

/** What vetting a roster's names against the user's pins needs (`rosterNames`). */
export interface NameVetting {
  readonly env: NodeJS.ProcessEnv;
  readonly backend: CryptoBackend;
}

/**
 * Names for fingerprints, from the roster of the working tree (git runs drivers at its top). A name is
 * who signed a version, so it is given as the rest of the CLI gives it (docs/ROSTER.md §2, §6): a file
 * name that is not a roster name ("bob (9szz1q27)") or looks like another member's names no one, and
 * with `vet`, neither does a key the user's pins do not vouch for (changed or planted since they last
 * used the roster, `vettedFingerprints`). Those are shown by fingerprint alone.
 */
export async function rosterNames(root: string, vet?: NameVetting): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const dir = path.join(root, ROSTER_DIR);
  let files: string[];
  try {
    files = (await fs.readdir(dir)).filter((n) => n.endsWith('.pub')).sort();
  } catch {
    return names;
  }
  const lookalikes = new Set(confusableGroups(files.map((f) => path.basename(f, '.pub'))).flat());
  const members: LoadedMember[] = [];
  for (const file of files) {
    const name = path.basename(file, '.pub');
    if (rosterNameProblem(name) !== undefined || lookalikes.has(name)) continue;
    try {
      // A committed link (to /dev/zero, /dev/stdin) is not read: the driver runs inside git's merge.
      const bytes = await readRegularFile(path.join(dir, file), MAX_PUB_BYTES);
      if (bytes === undefined) continue;
      members.push({ file: path.join(dir, file), name, key: parsePublicKey(new TextDecoder().decode(bytes)) });
    } catch {
      // Not a key: the fingerprint is shown instead of a name.
    }
  }
  const vouched = vet && members.length > 0 ? await vettedFingerprints(dir, members, vet.env, vet.backend) : undefined;
  for (const { name, key } of members) {
    if (vouched && !vouched.has(key.fingerprint)) continue;
    if (!names.has(key.fingerprint)) names.set(key.fingerprint, name);
  }
  return names;
}

function who(fingerprint: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(fingerprint);
  return name === undefined ? fingerprint : `${displayText(name)} (${shortFingerprint(fingerprint)})`;
}

function recipientsLine(info: EnvelopeInfo, names: ReadonlyMap<string, string>): string {
  return `[custodian] recipients: ${info.recipients.map((fp) => who(fp, names)).sort().join(', ')}`;
}

function signerLine(status: SignatureStatus, names: ReadonlyMap<string, string>): string {
  return status.kind === 'signed' ? `[custodian] signed by ${who(status.signer.fingerprint, names)}` : '[custodian] not signed';
}

/** The one line shown for a version that cannot be opened here: what anyone can read from its header. */
function summaryLine(bytes: Uint8Array, info: EnvelopeInfo | undefined, reason: string, names: ReadonlyMap<string, string>): string {
  // Size and a digest of the ciphertext tell two versions apart, so a change still shows in the diff.
  const id = `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`;
  if (!info) return `[custodian] not a readable Custodian file (${reason}); ${id}`;
  const signer = info.signer ? `signed by ${who(info.signer.fingerprint, names)} (claimed, not verified)` : 'not signed';
  return `[custodian] cannot decrypt (${reason}); encrypted for ${info.recipients.map((fp) => who(fp, names)).sort().join(', ')}; ${signer}; ${id}`;
}

/**
 * The one line shown for a version over MAX_DRIVER_INPUT_BYTES: its size, a digest (streamed, so two
 * such versions still differ in the diff) and how to read it, since textconv holds a version in memory.
 */
async function tooLargeLine(file: string): Promise<string> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of readFileChunks(file)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return `[custodian] too large to show in a diff (${size} bytes; versions are read up to ${MAX_DRIVER_INPUT_BYTES} bytes); to read it: git show COMMIT:PATH | custodian decrypt -o FILE; sha256 ${hash.digest('hex').slice(0, 12)}`;
}

export function identityRequest(ctx: CommandContext, keys: DriverKeys, file: string): IdentityRequest {
  const passphrases = new PassphraseSource({ passphraseFile: keys.passphraseFile, env: ctx.io.env, stdin: ctx.io.stdin, stderr: ctx.io.stderr });
  return { files: keys.identityFiles, env: ctx.io.env, passphrases, agent: ctx.agent(), file };
}

export interface DriverKeys {
  /** `-i` files (else the resolution order of identities.ts). */
  readonly identityFiles: readonly string[];
  readonly passphraseFile?: string;
}

/**
 * textconv: writes what `git diff` compares for one version: two header lines (recipients, verified
 * signer) and the plaintext; or, when this user cannot open it, one summary line. Never fails a diff.
 */
/**
 * The name a consent prompt shows for a version git hands textconv. A version that is not the working
 * file is written by git to a temporary file in $TMPDIR, `git-blob-XXXXXX/<name>` (current git) or
 * `XXXXXX_<name>` (older git; diff.c, prep_temp_blob): the prompt names the file and says it is a
 * version from git, rather than a temporary path the user cannot place. Anything else is named as given.
 */
export function versionLabel(file: string, tmp: string = os.tmpdir()): string {
  const dir = path.dirname(path.resolve(file));
  const name = path.basename(file);
  if (/^git-blob-[0-9A-Za-z]{6}$/.test(path.basename(dir)) && path.dirname(dir) === path.resolve(tmp)) return `${name} (a version from git)`;
  const old = /^[0-9A-Za-z]{6}_(.+)$/.exec(name);
  return old && dir === path.resolve(tmp) ? `${old[1]} (a version from git)` : file;
}

export async function textconv(file: string, keys: DriverKeys, ctx: CommandContext): Promise<void> {
  const root = process.cwd();
  const names = await rosterNames(root, { env: ctx.io.env, backend: ctx.backend() });
  let bytes: Uint8Array;
  try {
    bytes = await readSmallFile(file, MAX_DRIVER_INPUT_BYTES, file);
  } catch (err) {
    // git stops the whole diff (and `log -p`) at a textconv that fails: one line says why instead.
    if (!(err instanceof InputTooLargeError)) throw err;
    ctx.io.stdout.write(`${await tooLargeLine(file)}\n`);
    return;
  }
  let info: EnvelopeInfo | undefined;
  try {
    info = await inspectEnvelope(bytes);
  } catch (err) {
    ctx.io.stdout.write(summaryLine(bytes, undefined, describeError(err), names) + '\n');
    return;
  }
  let identities: DecryptionIdentity[];
  try {
    identities = (await resolveIdentities(identityRequest(ctx, keys, versionLabel(file)))).map((i) => i.key);
  } catch (err) {
    const message = describeError(err);
    // "no private key" from the resolver already says it; another failure (an unreadable key file) says why.
    const reason = message.startsWith('no private key') ? message : `no private key: ${message}`;
    ctx.io.stdout.write(summaryLine(bytes, info, reason, names) + '\n');
    return;
  }
  try {
    const opened = await decryptBytes(isArmored(bytes) ? new TextDecoder().decode(bytes) : bytes, { identities, backend: ctx.backend() });
    ctx.io.stdout.write(`${recipientsLine(opened.header, names)}\n${signerLine(opened.signature, names)}\n`);
    // Zeroed once written: on a pipe the write may still hold the buffer when write() returns (macOS).
    ctx.io.stdout.write(opened.plaintext, () => opened.plaintext.fill(0));
  } catch (err) {
    const reason = err instanceof NoIdentityMatchedError ? 'none of your keys is a recipient' : describeError(err);
    ctx.io.stdout.write(summaryLine(bytes, info, reason, names) + '\n');
  }
}

export interface MergeFiles {
  readonly base: string;
  readonly ours: string;
  readonly theirs: string;
  readonly markerSize: number;
  /** The path in the repository (%P), for messages. */
  readonly repoPath: string;
}

/** One entry of a roster: `NAME.pub` and its key. */
interface RosterEntry {
  readonly name: string;
  readonly key: RsaPublicKey;
}

/** The roster (`.custodian/team/*.pub`) at a commit; keys that do not parse are left out. */
async function rosterAt(root: string, rev: string): Promise<RosterEntry[]> {
  const list = await runGit(root, ['ls-tree', '-z', `${rev}:${ROSTER_DIR}`]);
  if (list.status !== 0) return [];
  const files = list.stdout
    .toString('utf8')
    .split('\0')
    .map((line) => /^100\d{3} blob ([0-9a-f]+)\t(.+)\.pub$/s.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ oid: m[1], name: m[2] }));
  const blobs = await readBlobs(root, files.map((f) => f.oid), 1024 * 1024);
  const entries: RosterEntry[] = [];
  for (const { oid, name } of files) {
    try {
      const bytes = blobs.get(oid);
      if (bytes) entries.push({ name, key: parsePublicKey(new TextDecoder().decode(bytes)) });
    } catch {
      // A broken .pub names no one.
    }
  }
  return entries;
}

/**
 * The fingerprints of HEAD's roster this user relies on (`vettedFingerprints`, pinning a first use): a
 * merge neither adds any other as a recipient nor takes its signature.
 */
async function vettedAtHead(root: string, entries: readonly RosterEntry[], env: NodeJS.ProcessEnv, backend: CryptoBackend, info: (line: string) => void): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const dir = path.join(root, ROSTER_DIR);
  return vettedFingerprints(dir, entries.map((e) => ({ file: path.join(dir, `${e.name}.pub`), name: e.name, key: e.key })), env, backend, {
    pinned: (names, store) => info(`pinned ${names.map((n) => displayText(n)).join(', ')} for ${ROSTER_DIR} (${store}): the roster as this merge found it`),
    unreviewed: (why) => info(`${ROSTER_DIR} at HEAD vouches for no one in this merge: ${why}`),
  });
}

export interface MergeRosters {
  /** In the roster at the merge base, but removed on our side or on theirs. */
  readonly removed: ReadonlySet<string>;
  /** Public keys by fingerprint, from the rosters of both sides. */
  readonly keys: ReadonlyMap<string, RsaPublicKey>;
  /** The roster at HEAD, as this user vetted it (`vettedAtHead`): the team as this side knows it, and the keys whose signature it takes. */
  readonly ours: ReadonlySet<string>;
  /** Deploy keys of the roster (`deployKeys`): they read the files, but their signature vouches for nothing merged. */
  readonly deploy: ReadonlySet<string>;
  /** A rebase is replaying the user's commit onto HEAD (`byTrust`). */
  readonly rebasing: boolean;
  /** The commit whose version comes in (`byTrust`'s other side): HEAD in a rebase; unknown when git did not say. */
  readonly incoming?: string;
  /** The commit of the user's side (`byTrust`'s own): HEAD in a merge, the replayed commit in a rebase; unknown when git did not say. */
  readonly own?: string;
}

/**
 * The rosters of the merge in progress: ours (HEAD), theirs (the commit `git merge` is merging, or the
 * one a rebase, cherry-pick or revert is applying, when git has recorded it) and their merge base.
 * When the other side is unknown, only HEAD's roster counts.
 */
export async function mergeRosters(root: string, env: NodeJS.ProcessEnv, backend: CryptoBackend, info: (line: string) => void): Promise<MergeRosters> {
  // `git merge` names the commit being merged in GITHEAD_<id> (MERGE_HEAD is written only afterwards).
  let other = Object.keys(env)
    .map((k) => /^GITHEAD_([0-9a-f]{40,64})$/.exec(k)?.[1])
    .find((id) => id !== undefined);
  let rebasing = false;
  if (other === undefined) {
    // One git call for where the state files are, then the first that names a commit. A rebase writes
    // REBASE_HEAD only when it stops: while it picks, the commit is the last line of rebase-merge/done.
    const states = [
      { file: 'MERGE_HEAD', id: /^([0-9a-f]{40,64})/, rebase: false },
      { file: 'rebase-merge/done', id: /(?:^|\n)(?:p|pick|r|reword|e|edit|s|squash|f|fixup)\s+([0-9a-f]{40,64})\b[^\n]*\n?$/, rebase: true },
      { file: 'rebase-apply/original-commit', id: /^([0-9a-f]{40,64})/, rebase: true },
      { file: 'REBASE_HEAD', id: /^([0-9a-f]{40,64})/, rebase: true },
      { file: 'CHERRY_PICK_HEAD', id: /^([0-9a-f]{40,64})/, rebase: false },
      { file: 'REVERT_HEAD', id: /^([0-9a-f]{40,64})/, rebase: false },
    ];
    const where = await runGit(root, ['rev-parse', ...states.flatMap((st) => ['--git-path', st.file])]);
    const files = where.status === 0 ? where.stdout.toString('utf8').split('\n').filter((l) => l !== '') : [];
    for (const [i, file] of files.entries()) {
      const id = states[i]?.id.exec(await fs.readFile(path.resolve(root, file), 'utf8').catch(() => ''))?.[1];
      if (id !== undefined) {
        other = id;
        rebasing = states[i].rebase;
        break;
      }
    }
  }
  const baseRev = other === undefined ? undefined : await runGit(root, ['merge-base', 'HEAD', other]);
  const [ours, theirs, base] = await Promise.all([
    rosterAt(root, 'HEAD'),
    other === undefined ? Promise.resolve([]) : rosterAt(root, other),
    baseRev?.status === 0 ? rosterAt(root, baseRev.stdout.toString('utf8').trim()) : Promise.resolve([]),
  ]);
  const has = (list: RosterEntry[], fp: string): boolean => list.some((e) => e.key.fingerprint === fp);
  const removed = new Set(base.map((e) => e.key.fingerprint).filter((fp) => !has(ours, fp) || (other !== undefined && !has(theirs, fp))));
  const keys = new Map<string, RsaPublicKey>();
  for (const { key } of [...ours, ...theirs]) if (!keys.has(key.fingerprint)) keys.set(key.fingerprint, key);
  // Only a known operation says that ours is HEAD: `git checkout -m` merges into the branch it switches to.
  const own = other === undefined ? undefined : rebasing ? other : 'HEAD';
  const [vetted, deploy] = await Promise.all([vettedAtHead(root, ours, env, backend, info), deployKeys(path.join(root, ROSTER_DIR), backend)]);
  return { removed, keys, ours: vetted, deploy, rebasing, incoming: rebasing ? 'HEAD' : other, own };
}

/** How many commits of a file's history a merge looks through for an older version put back. */
const PUT_BACK_HISTORY = 200;

/**
 * When the version of `repoPath` at `rev` is one its history had before, then changed, and now has
 * again, the commit that first had it: a signed older version put back (a replay) passes every
 * signature check, yet takes back what was changed since (a rotated password). Versions are compared
 * by `versionId`. Undefined when it is not, or git cannot say.
 */
export async function putBackFrom(root: string, rev: string | undefined, repoPath: string, versionId: VersionId): Promise<{ commit: string; date: string } | undefined> {
  if (rev === undefined) return undefined;
  const [history, at] = await Promise.all([pathVersions(root, rev, [repoPath], PUT_BACK_HISTORY), runGit(root, ['rev-parse', '--verify', '--quiet', `${rev}:${repoPath}`])]);
  const current = at.stdout.toString('utf8').trim();
  // The version at `rev` itself: with every line of history listed, the newest commit may be on another.
  const versions = history?.get(repoPath) ?? [];
  if (at.status !== 0 || !/^[0-9a-f]{40,64}$/.test(current) || versions.length < 2) return undefined;
  const blobs = [...new Set([current, ...versions.map((v) => v.blob).filter((b) => b !== '')])];
  const contents = await readBlobs(root, blobs, MAX_VERSION_ID_BYTES).catch(() => new Map<string, Uint8Array | undefined>());
  const now = versionKey(contents.get(current), current, versionId);
  const ids = versions.map((v) => (v.blob === '' ? '' : versionKey(contents.get(v.blob), v.blob, versionId)));
  // A deletion in between changed nothing a restore takes back; another version did.
  const changed = ids.findIndex((id) => id !== '' && id !== now);
  if (changed < 0) return undefined;
  const again = ids.findIndex((id, i) => i > changed && id === now);
  return again < 0 ? undefined : { commit: versions[again].commit, date: versions[again].date };
}

/** The warnings for either side of a merge being an older version put back (`putBackFrom`). */
export async function putBackWarnings(root: string, rosters: MergeRosters, repoPath: string, versionId: VersionId): Promise<string[]> {
  const what = displayText(repoPath);
  const warnings: string[] = [];
  const incoming = await putBackFrom(root, rosters.incoming, repoPath, versionId);
  if (incoming) warnings.push(putBackWarning(what, 'the version merged in', incoming));
  const own = rosters.own === rosters.incoming ? undefined : await putBackFrom(root, rosters.own, repoPath, versionId);
  if (own) warnings.push(putBackWarning(what, 'the version on your side', own));
  return warnings;
}

/**
 * The two sides of a merge as trust sees them: `own`, the user's work, and `other`, what comes in and
 * is checked. In a merge, a cherry-pick or a revert, ours is the user's branch; a rebase replays the
 * user's commits onto what came in, so there ours is upstream's and theirs the user's own (a removed
 * teammate's replayed version upstream kept every recipient it had, unchecked).
 */
export function byTrust<T>(rosters: MergeRosters, ours: T, theirs: T): { own: T; other: T } {
  return rosters.rebasing ? { own: theirs, other: ours } : { own: ours, other: theirs };
}

export class MergeSideError extends CliError {}

/** One side of a merge as the recipients see it: git's name for it, its recipients and whether its signer is vouched for. */
export interface RecipientSide {
  readonly name: 'ours' | 'theirs';
  readonly recipients: readonly string[];
  /** The verified signer's fingerprint; undefined when unsigned. */
  readonly signer?: string;
  /** Signed by a key of the roster at HEAD as vetted, or by one of mine (`vouchedFor`). */
  readonly vouched: boolean;
}

/**
 * The recipients of a merged file: everyone who could read ours, and those who could read theirs who are
 * in the roster at HEAD, minus anyone removed from the roster on either side since the merge base (a
 * removal is not undone by merging a branch that still had the person). A recipient of theirs alone who
 * is not in this side's roster is left out (`leftOut`): a branch cannot give itself a new reader by
 * re-encrypting a file for them; once its roster change is merged and checked, `rekey` adds them.
 * A side whose signer this user does not vouch for (either side: in a stash pop or `git merge main` on
 * someone's branch, ours is theirs to write) brings only the recipients the base had: whoever it added
 * is left out (`unvouched`), whatever the roster says. Throws when no one is left.
 */
export function mergedRecipients(rosters: MergeRosters, sides: { own: RecipientSide; other: RecipientSide; base: readonly string[] }, what: string): { fingerprints: string[]; leftOut: string[]; dropped: string[]; unvouched: { fingerprint: string; side: RecipientSide }[] } {
  const inBase = new Set(sides.base);
  const brought = (side: RecipientSide): string[] => (side.vouched ? [...side.recipients] : side.recipients.filter((fp) => inBase.has(fp)));
  const own = brought(sides.own);
  const other = brought(sides.other);
  const mine = new Set(own);
  const fingerprints = [...new Set([...own, ...other])].filter((fp) => !rosters.removed.has(fp));
  const leftOut = fingerprints.filter((fp) => !mine.has(fp) && !rosters.ours.has(fp));
  const kept = fingerprints.filter((fp) => !leftOut.includes(fp));
  const unvouched: { fingerprint: string; side: RecipientSide }[] = [];
  for (const side of [sides.own, sides.other]) {
    for (const fp of side.recipients) {
      if (!kept.includes(fp) && !leftOut.includes(fp) && !rosters.removed.has(fp) && !unvouched.some((u) => u.fingerprint === fp)) unvouched.push({ fingerprint: fp, side });
    }
  }
  if (kept.length === 0) throw new MergeSideError(`cannot merge ${what}: every recipient was removed from the roster`, { hint: 'add someone to .custodian/team, or resolve by hand' });
  return { fingerprints: kept, leftOut, dropped: own.filter((fp) => rosters.removed.has(fp)), unvouched };
}

/** The recipient policy (FORMAT.md §3.4) a merged file records: a side's "chosen" counts only when this user vouches for its signer. */
export function mergedPolicy(repoPath: string, own: { policy?: RecipientPolicy; vouched: boolean }, other: { policy?: RecipientPolicy; vouched: boolean }): RecipientPolicy | undefined {
  return policyForSave(repoPath, own.policy, own.vouched) ?? policyForSave(repoPath, other.policy, other.vouched);
}

const SIDE_NAMES = { ours: 'our version', theirs: 'their version' } as const;

/** The warnings for recipients a merge left out or dropped (mergedRecipients): who no longer reads the file, said. */
export function recipientWarnings(what: string, recipients: { readonly leftOut: readonly string[]; readonly dropped: readonly string[]; readonly unvouched: readonly { fingerprint: string; side: RecipientSide }[] }, names: ReadonlyMap<string, string>): string[] {
  const warnings: string[] = [];
  if (recipients.leftOut.length > 0) {
    warnings.push(`${what}: left out ${recipients.leftOut.map((fp) => who(fp, names)).join(', ')}: a recipient of their version only, not in your roster (${ROSTER_DIR} at HEAD) or not checked by you since it changed; once the roster change that adds them is merged and checked, run "custodian rekey ${what}"`);
  }
  for (const name of ['ours', 'theirs'] as const) {
    const added = recipients.unvouched.filter((u) => u.side.name === name);
    if (added.length === 0) continue;
    const signer = added[0].side.signer;
    const by = signer === undefined ? 'which is not signed' : `signed by ${who(signer, names)}, whom you do not vouch for (not in your roster, ${ROSTER_DIR} at HEAD, or not checked by you since it changed)`;
    warnings.push(`${what}: left out ${added.map((u) => who(u.fingerprint, names)).join(', ')}: added as a recipient by ${SIDE_NAMES[name]} only, ${by}; if they should read it, a teammate re-encrypts it for them ("custodian rekey ${what}")`);
  }
  if (recipients.dropped.length > 0) {
    warnings.push(`${what}: no longer for ${recipients.dropped.map((fp) => who(fp, names)).join(', ')}: removed from the roster (${ROSTER_DIR}) on one side since the merge base; if that is a mistake, restore their .pub and run "custodian rekey ${what}"`);
  }
  return warnings;
}

/** Whether this user vouches for `signer`: a key of the roster at HEAD as vetted, not a deploy key, or one of their own. */
export function vouchedFor(rosters: MergeRosters, mine: readonly RsaPublicKey[], signer: string | undefined): boolean {
  if (signer === undefined) return false;
  return (rosters.ours.has(signer) && !rosters.deploy.has(signer)) || mine.some((k) => k.fingerprint === signer);
}

/** One side of a merge as the signer check sees it (git's names: ours is %A, theirs %B). */
export interface SignedSide {
  readonly name: 'ours' | 'theirs';
  /** Changed since the merge base. */
  readonly changed: boolean;
  readonly signer?: string;
  /** No version on this side: nothing signed it. */
  readonly empty?: boolean;
}

/**
 * The merged content is signed by the merging user, so what either side changed since the base must
 * come from someone this user vouches for (`vouchedFor`; as `rekey` asks before it re-signs content of
 * unknown origin). Both sides alike: ours is not always the user's own work (a stash pop or
 * `git pull --autostash` over a pulled commit, `git checkout -m`, `git merge main` on someone's branch,
 * a rebase). A side unchanged since the base contributes nothing to check. `decrypt`: the command that
 * reads a version from standard input (a value-encrypted file's needs --values and its format).
 */
export function checkSideSigners(rosters: MergeRosters, mine: readonly RsaPublicKey[], sides: readonly SignedSide[], what: string, decrypt = 'custodian decrypt'): void {
  for (const side of sides) {
    if (!side.changed || vouchedFor(rosters, mine, side.signer)) continue;
    const by = side.empty
      ? 'is empty (not signed)'
      : side.signer === undefined
        ? 'is not signed'
        : rosters.deploy.has(side.signer)
          ? `is signed by ${side.signer}, a deploy key of the roster: no one on the team writes with one, so its changes may be a leaked key's`
          : `is signed by ${side.signer}, who is not in your roster (${ROSTER_DIR} at HEAD), or was added or changed there without your checking it ("custodian roster verify")`;
    if (side.name === 'theirs') {
      throw new MergeSideError(`cannot merge ${what}: their version ${by}, and merging would sign its changes as you; the file is left as it was on your side`, {
        hint: `look at their version first (git show :3:${what} | ${decrypt} names its signer), then resolve by hand: open ${what} in VS Code, or "git checkout --ours ${what}"; then "git add ${what}"`,
      });
    }
    // Ours is not the user's own work in a rebase, a stash pop, an --autostash pull, "git checkout -m" or "git merge main" on someone's branch.
    const where = rosters.rebasing ? ' (git\'s "ours": in a rebase, the upstream version your commit is replayed onto)' : ' (git\'s "ours": the version at HEAD, or the one a stash pop, a pull with --autostash or "git checkout -m" brings in under your change)';
    throw new MergeSideError(`cannot merge ${what}: our version${where} ${by}, and merging would sign its changes as you and seal the other side's values for whoever it names; the file is left as that version, unmerged`, {
      hint: `look at it first (git show :2:${what} | ${decrypt} names its signer); to keep the other version instead, "git checkout --theirs ${what}", then "git add ${what}" (after a stash pop, your change is also still in the stash)`,
    });
  }
}

/**
 * A version kept for chosen people (a file encrypted with -r, a Shamir share, an MFA seed: `keepReason`)
 * holds what only they may read, so what it changed since the base goes to no one else: the merge stops
 * when its result would be read by anyone that side is not for. Its recipients are not widened by the
 * roster, as a team file's are: a byte copy of such a file over a team file (no key needed) would
 * otherwise have its secrets merged into the team's file and sealed for the whole team, signed by me.
 * A side unchanged since the base brings nothing of its own.
 */
export function checkChosenSides(repoPath: string, sides: readonly (SignedSide & RecipientSide & { policy?: RecipientPolicy })[], merged: readonly string[], what: string, names: ReadonlyMap<string, string>): void {
  for (const side of sides) {
    if (!side.changed || keepReason(repoPath, side.policy, side.vouched) === undefined) continue;
    const readers = new Set(side.recipients);
    const added = merged.filter((fp) => !readers.has(fp));
    if (added.length === 0) continue;
    const version = side.name === 'theirs' ? 'their version' : 'our version';
    const list = (fps: readonly string[]): string => fps.map((fp) => who(fp, names)).join(', ');
    throw new MergeSideError(
      `cannot merge ${what}: ${version} is encrypted for chosen people (${list(side.recipients)}), and the merge would also be read by ${list(added)}, who could not read what it changed; the file is left as it was on your side`,
      {
        hint: `decide who may read it: keep one version ("git checkout --ours ${what}" or "git checkout --theirs ${what}", then "git add ${what}"), or merge by hand and encrypt the result for the people who may read both; if ${version} is a copy of another file, it does not belong here`,
      },
    );
  }
}

/** What a merge says of a side (`version`: "the version merged in") that is an older one put back (`putBackFrom`). */
function putBackWarning(what: string, version: string, older: { commit: string; date: string }): string {
  return `${what}: ${version} is the one committed in ${older.commit.slice(0, 12)} (${older.date}) and changed since: an older version put back, so the merge takes back what was changed after it (a rotated secret?); check it ('git log -p ${what}') and, if it was not meant, change those values again`;
}

/** Public keys by fingerprint: the rosters of both sides, then `extra` (our own keys, verified signers). */
export function knownKeys(rosters: MergeRosters, extra: readonly RsaPublicKey[]): Map<string, RsaPublicKey> {
  const known = new Map(rosters.keys);
  for (const k of extra) if (!known.has(k.fingerprint)) known.set(k.fingerprint, k);
  return known;
}

export function recipientKeys(fingerprints: readonly string[], known: ReadonlyMap<string, RsaPublicKey>, what: string): RsaPublicKey[] {
  return fingerprints.map((fp) => {
    const key = known.get(fp);
    if (!key) throw new MergeSideError(`cannot merge ${what}: no public key for recipient ${fp} (not in the roster at either side)`, { hint: "add the recipient's .pub to .custodian/team, or resolve by hand" });
    return key;
  });
}

/**
 * The merge driver. Returns the number of conflicts (the exit status git reads: 0 clean). Throws,
 * leaving %A untouched, when a version cannot be decrypted or verified.
 */
export async function mergeDriver(files: MergeFiles, keys: DriverKeys, ctx: CommandContext): Promise<number> {
  const root = process.cwd();
  const what = displayText(files.repoPath);
  const request = identityRequest(ctx, keys, files.repoPath);
  const identities = (await resolveIdentities(request)).map((i) => i.key);
  const backend = ctx.backend();
  const sides = [
    { name: 'base', file: files.base },
    { name: 'ours', file: files.ours },
    { name: 'theirs', file: files.theirs },
  ];
  const opened: { plaintext: Uint8Array; header?: EnvelopeInfo; signer?: RsaPublicKey; armored: boolean }[] = [];
  for (const side of sides) {
    const bytes = await readSmallFile(side.file, MAX_DRIVER_INPUT_BYTES, side.file);
    try {
      // An empty version is a side where the file did not exist (an add/add merge has an empty base).
      if (bytes.length === 0) opened.push({ plaintext: new Uint8Array(0), header: undefined, signer: undefined, armored: false });
      else {
        const d = await decryptBytes(isArmored(bytes) ? new TextDecoder().decode(bytes) : bytes, { identities, backend });
        opened.push({ plaintext: d.plaintext, header: d.header, signer: d.signature.kind === 'signed' ? d.signature.signer : undefined, armored: isArmored(bytes) });
      }
    } catch (err) {
      for (const o of opened) o.plaintext.fill(0);
      const reason = err instanceof NoIdentityMatchedError ? 'none of your keys is a recipient' : describeError(err);
      throw new MergeSideError(`cannot merge ${what}: the ${side.name} version cannot be opened (${reason}); the file is left as it was on your side`, {
        cause: err,
        hint: `resolve it by hand: open ${what} in VS Code, or ask a recipient of that version to merge; then "git add ${what}"`,
      });
    }
  }
  const [base, ours, theirs] = opened;
  try {
    if ([base, ours, theirs].some((s) => looksBinary(s.plaintext))) {
      throw new MergeSideError(`cannot merge ${what}: its plaintext is binary, which git does not merge line by line either; the file is left as it was on your side`, {
        hint: `pick a side: "git checkout --ours ${what}" or "git checkout --theirs ${what}", then "git add ${what}"`,
      });
    }
    const result = mergeBytes(base.plaintext, ours.plaintext, theirs.plaintext, { ours: 'ours', theirs: 'theirs' }, files.markerSize);
    const rosters = await mergeRosters(root, ctx.io.env, backend, (line) => ctx.info(line));
    const mine = identities.map((i) => i.publicKey);
    const sideOf = (name: 'ours' | 'theirs', s: typeof ours): SignedSide & RecipientSide & { policy?: RecipientPolicy } => {
      const signer = s.signer?.fingerprint;
      return { name, changed: !constantTimeEqual(s.plaintext, base.plaintext), signer, empty: s.header === undefined, recipients: s.header?.recipients ?? [], policy: s.header?.recipientPolicy, vouched: vouchedFor(rosters, mine, signer) };
    };
    const gitSides = [sideOf('ours', ours), sideOf('theirs', theirs)];
    checkSideSigners(rosters, mine, gitSides, what);
    for (const warning of await putBackWarnings(root, rosters, files.repoPath, envelopeVersionId)) ctx.warn(warning);
    const { own, other } = byTrust(rosters, gitSides[0], gitSides[1]);
    const merging = mergedRecipients(rosters, { own, other, base: base.header?.recipients ?? [] }, what);
    const { fingerprints } = merging;
    const names = await rosterNames(root);
    checkChosenSides(files.repoPath, gitSides, fingerprints, what, names);
    for (const warning of recipientWarnings(what, merging, names)) ctx.warn(warning);
    const known = knownKeys(rosters, [...mine, ...[ours, theirs].flatMap((sd) => (sd.signer ? [sd.signer] : []))]);
    const recipients = recipientKeys(fingerprints, known, what);
    const signer = (await resolveSigner(request)).key;
    const policy = mergedPolicy(files.repoPath, own, other);
    const sealed = await encryptBytes(result.merged, { recipients, signer, backend, recipientPolicy: policy });
    result.merged.fill(0);
    const out = ours.armored ? new TextEncoder().encode(armor(sealed)) : sealed;
    await writeFileAtomic(files.ours, out, { force: true });
    if (result.conflicts > 0) ctx.warn(`${what}: ${result.conflicts} conflict(s); the markers are inside the encrypted file: open it in VS Code, resolve, save, then "git add ${what}"`);
    return result.conflicts;
  } finally {
    for (const s of opened) s.plaintext.fill(0);
  }
}
