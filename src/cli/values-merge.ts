// The git merge driver for value-encrypted .env, JSON and YAML files (docs/VALUES.md §12, docs/GIT.md):
// the three versions are opened in memory, their documents merged line by line as `git merge-file`
// merges them, and the result sealed again, so a clean merge is an ordinary value-encrypted file whose
// unchanged values keep ours' tokens. A conflict is written as two sealed files interleaved by markers.
// A version that is no value-encrypted file at all (a plain JSON file under the same attribute) is
// merged by `git merge-file` itself: the driver then behaves exactly as git would.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { constantTimeEqual, utf8DecodeKeepingBom } from '../core/bytes';
import { AgentError, describeError, FormatError, NoIdentityMatchedError } from '../core/errors';
import { DotenvSyntaxError } from '../core/dotenv';
import type { RsaPrivateKey, RsaPublicKey } from '../core/keys';
import { mergeLines } from '../core/line-merge';
import { sameFingerprints } from '../core/fingerprint-set';
import { clearValues, isValueEncrypted, openValues, ruleToString, sealValues, valuesFormatForFileName, type OpenedValues, type ValuesFormatName } from '../core/values';
import { CONFLICT_LABELS, isConflictedValues, joinConflict, splitConflict } from '../core/values-conflict';
import { displayText } from '../core/display-text';
import type { RecipientPolicy } from '../core/envelope-header';
import { writeFileAtomic } from '../node/atomic-file';
import { gitInvocation } from '../node/git';
import { readSmallFile } from '../node/node-streams';
import { valuesVersionId } from '../node/version-id';
import type { CommandContext } from './command';
import { byTrust, checkChosenSides, checkSideSigners, identityRequest, knownKeys, mergedPolicy, mergedRecipients, mergeRosters, MergeSideError, putBackWarnings, recipientKeys, recipientWarnings, rosterNames, vouchedFor, type DriverKeys, type MergeFiles, type RecipientSide, type SignedSide } from './git-drivers';
import { resolveIdentities, resolveSigner, type RemoteKey } from './identities';
import { UsageError } from './output';
import { MAX_VALUES_FILE_BYTES } from './values-files';

interface Side {
  readonly name: 'base' | 'ours' | 'theirs';
  readonly text: string;
  /** Opened when the version is value-encrypted; a missing version (empty) or a plain base is not. */
  opened?: OpenedValues;
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8DecodeKeepingBom(bytes);
  } catch {
    return undefined;
  }
}

/** `git merge-file` on the three files, in place over ours, with the driver's labels; its exit status. */
function gitMergeFile(files: MergeFiles, ctx: CommandContext): number {
  const run = gitInvocation(process.cwd(), ['merge-file', `--marker-size=${files.markerSize}`, '-L', CONFLICT_LABELS.ours, '-L', 'base', '-L', CONFLICT_LABELS.theirs, files.ours, files.base, files.theirs], ctx.io.env);
  const r = spawnSync('git', run.args, { stdio: ['ignore', 'ignore', 'pipe'], env: run.env });
  if (r.error) throw new MergeSideError(`cannot run git merge-file: ${r.error.message}`, { hint: 'is git on PATH?' });
  if (r.stderr.length > 0) ctx.io.stderr.write(r.stderr);
  return r.status ?? 1;
}

/**
 * Returns the exit status for git: 0 clean, the number of conflicts (capped by the caller), or git
 * merge-file's own status for a file that is not value-encrypted. Throws, leaving ours untouched, when a
 * version cannot be opened or the result cannot be sealed.
 */
export async function valuesMergeDriver(files: MergeFiles, keys: DriverKeys, ctx: CommandContext): Promise<number> {
  const what = displayText(files.repoPath);
  const format = valuesFormatForFileName(files.repoPath);
  if (format === undefined) return gitMergeFile(files, ctx);
  // Larger than any value-encrypted file Custodian reads: not one, so git merges it as it would.
  const sizes = await Promise.all([files.base, files.ours, files.theirs].map(async (f) => (await fs.stat(f)).size));
  if (sizes.some((n) => n > MAX_VALUES_FILE_BYTES)) return gitMergeFile(files, ctx);
  const bytes = await Promise.all([files.base, files.ours, files.theirs].map((f) => readSmallFile(f, MAX_VALUES_FILE_BYTES, f)));
  const texts = bytes.map(decodeUtf8);
  const encrypted = texts.map((t) => t !== undefined && isValueEncrypted(t, format));
  const conflicted = texts.map((t) => t !== undefined && isConflictedValues(t, format));
  if (!encrypted.some((e) => e) && !conflicted.some((c) => c)) return gitMergeFile(files, ctx);

  const sides: Side[] = (['base', 'ours', 'theirs'] as const).map((name, i) => ({ name, text: texts[i] ?? '' }));
  for (const [i, side] of sides.entries()) {
    if (texts[i] === undefined) throw refused(what, side.name, 'it is not UTF-8 text');
    // A plain ours or theirs beside an encrypted one would put a stripped or never-sealed version into
    // the result unnoticed; a plain (or missing) base is a file that was encrypted on both sides since.
    if (conflicted[i]) throw refused(what, side.name, 'it still has merge conflicts');
    if (!encrypted[i] && side.name !== 'base' && side.text !== '') throw refused(what, side.name, 'it is not value-encrypted, but the other side is');
  }
  /**
   * No key to use here (none in this shell, or VS Code's agent denied it or is gone): failing would leave
   * ours in the file without markers, which VS Code's merge editor, or a "git add", takes as the
   * resolution, theirs dropped unseen. Both versions go into the file between markers instead, each still
   * sealed (no key is needed to write them): opening it where a key is at hand shows the conflict decrypted.
   */
  const bothBetweenMarkers = async (why: string): Promise<number | undefined> => {
    if (!encrypted[1] || !encrypted[2]) return undefined;
    await writeFileAtomic(files.ours, new TextEncoder().encode(joinConflict(sides[1].text, sides[2].text, files.markerSize)), { force: true });
    ctx.warn(
      `${what}: ${why}, so both versions are in the file between conflict markers, each still sealed: ` +
        `open it in VS Code (it shows them decrypted), resolve, save, then "git add ${what}"; or "git merge --abort" and merge again where your key is at hand, so the changes on both sides merge by themselves: in a terminal of VS Code, or with your key file (CUSTODIAN_IDENTITY=~/.ssh/id_rsa git merge …)`,
    );
    return 1;
  };
  const request = identityRequest(ctx, keys, files.repoPath);
  let identities: (RsaPrivateKey | RemoteKey)[];
  try {
    identities = (await resolveIdentities(request)).map((i) => i.key);
  } catch (err) {
    const written = err instanceof UsageError ? await bothBetweenMarkers(`no private key here to merge it (${describeError(err)})`) : undefined;
    if (written === undefined) throw err;
    return written;
  }
  try {
    for (const [i, side] of sides.entries()) {
      if (!encrypted[i]) continue;
      try {
        side.opened = await openValues(side.text, { format, identities, backend: ctx.backend() });
      } catch (err) {
        // A denial in VS Code (Deny is the prompt's default: an Enter typed by habit) is no key either.
        const written = err instanceof AgentError ? await bothBetweenMarkers(`your key was not used to merge it (${describeError(err)})`) : undefined;
        if (written !== undefined) return written;
        throw refused(what, side.name, err instanceof NoIdentityMatchedError ? 'none of your keys is a recipient' : describeError(err), err);
      }
    }
    const [base, ours, theirs] = sides;
    const doc = (s: Side): string => s.opened?.document ?? s.text;
    const merged = mergeLines(doc(base), doc(ours), doc(theirs), CONFLICT_LABELS, files.markerSize);
    const signer = (await resolveSigner(request)).key;
    const seal = await sealer(ctx, what, files.repoPath, format, identities, signer, sides);
    /** The conflict form (§12 step 6) of two documents: each sealed, both between markers around the lines that differ. */
    const sealedConflict = async (oursDocument: string, theirsDocument: string): Promise<string> => {
      // Ours sealed first; theirs re-sealed with its data key, so values equal on both sides share a
      // token and only the lines that really differ end up between markers.
      const oursSealed = await seal(oursDocument);
      const oursOpened = await openValues(oursSealed, { format, identities, backend: ctx.backend() });
      let theirsSealed: string;
      try {
        theirsSealed = await oursOpened.reseal(theirsDocument, { backend: ctx.backend(), signer });
      } finally {
        oursOpened.dispose();
      }
      const joined = joinConflict(oursSealed, theirsSealed, files.markerSize);
      if (joined === undefined) throw new MergeSideError(`cannot merge ${what}: the conflict cannot be written so that both sides read back exactly; the file is left as it was on your side`, { hint: `pick a side: "git checkout --ours ${what}" or "--theirs", then "git add ${what}"` });
      refuseNewlyClear(what, format, [oursSealed, theirsSealed], sides);
      return joined;
    };
    let out: string;
    let conflicts = merged.conflicts;
    if (merged.conflicts === 0) {
      try {
        out = await seal(merged.text);
        refuseNewlyClear(what, format, [out], sides);
      } catch (err) {
        if (!(err instanceof FormatError || err instanceof DotenvSyntaxError)) throw err;
        // A clean line merge can still make an invalid document: both sides added the same name, in
        // different places. Refused, ours would stay without markers and a "git add" drop theirs unseen:
        // both whole versions go between markers instead (§12 step 5).
        out = await sealedConflict(doc(ours), doc(theirs));
        conflicts = 1;
        ctx.warn(`${what}: merged line by line, the two versions make no valid file (${describeError(err)}), so both are in the file between conflict markers, around sealed values: open it in VS Code (it shows them decrypted), keep one of the two, save, then "git add ${what}"`);
      }
    } else {
      const resolved = splitConflict(merged.text);
      if (!resolved) throw new MergeSideError(`cannot merge ${what}: the merged document's conflict markers cannot be told from its content; the file is left as it was on your side`);
      out = await sealedConflict(resolved.ours, resolved.theirs);
      ctx.warn(`${what}: ${merged.conflicts} conflict(s); the markers are in the file, around sealed values: open it in VS Code (it shows them decrypted), resolve, save, then "git add ${what}"`);
    }
    await writeFileAtomic(files.ours, new TextEncoder().encode(out), { force: true });
    return Math.min(conflicts, 127);
  } finally {
    for (const s of sides) s.opened?.dispose();
  }
}

/** The same selection rule, recipients and recipient policy. */
function sameMetadata(a: OpenedValues, b: OpenedValues): boolean {
  return ruleToString(a.info.rule) === ruleToString(b.info.rule) && sameFingerprints(a.info.recipients, b.info.recipients) && a.info.recipientPolicy === b.info.recipientPolicy;
}

/** Plaintexts compared as secrets are: in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  return constantTimeEqual(encoder.encode(a), encoder.encode(b));
}

/**
 * A merge writes no value in the clear that no version of the file had in the clear, as it was: the
 * selection rule one side changed (VALUES.md §5) must not leave the other side's new or changed values
 * in the clear, where they would be committed with the merge. Throws, so ours stays as it was.
 */
function refuseNewlyClear(what: string, format: ValuesFormatName, results: readonly string[], sides: readonly Side[]): void {
  const before = sides.filter((s) => s.opened !== undefined).map((s) => clearValues(s.text, format));
  const exposed = new Set<string>();
  for (const result of results) {
    for (const [name, raw] of clearValues(result, format)) if (!before.some((clear) => clear.get(name) === raw)) exposed.add(name);
  }
  if (exposed.size === 0) return;
  const names = [...exposed].map((n) => `"${displayText(n)}"`).join(', ');
  throw new MergeSideError(`cannot merge ${what}: the merged file would hold ${names} in the clear, as no version had it: one side's selection rule (encrypt=) leaves it out of encryption, and the other side changed its value; the file is left as it was on your side`, {
    hint: `compare the rules ("custodian inspect --values" on each version), then resolve by hand: open ${what} in VS Code, or "git checkout --ours ${what}"; then "git add ${what}"`,
  });
}

function refused(what: string, side: string, reason: string, cause?: unknown): MergeSideError {
  return new MergeSideError(`cannot merge ${what}: the ${side} version cannot be opened (${reason}); the file is left as it was on your side`, {
    cause,
    hint: `resolve it by hand: open ${what} in VS Code, or ask a recipient of that version to merge; then "git add ${what}"`,
  });
}


/**
 * How the merged document is sealed: for ours' recipients (same data key, ours' tokens kept for every
 * unchanged value) when the merge keeps them; else under a new data key for the merged recipients
 * (VALUES.md §6: a change of recipients re-seals everything). Signed by the merging user.
 */
async function sealer(ctx: CommandContext, what: string, repoPath: string, format: ValuesFormatName, identities: readonly (RsaPrivateKey | RemoteKey)[], sign: RsaPrivateKey | RemoteKey, sides: readonly Side[]): Promise<(document: string) => Promise<string>> {
  const [base, ours, theirs] = sides.map((s) => s.opened);
  const rosters = await mergeRosters(process.cwd(), ctx.io.env, ctx.backend(), (line) => ctx.info(line));
  const mine = identities.map((i) => i.publicKey);
  const sideOf = (name: 'ours' | 'theirs', side: Side): SignedSide & RecipientSide & { policy?: RecipientPolicy } => {
    const o = side.opened;
    const signer = o?.signature.kind === 'signed' ? o.signature.signer.fingerprint : undefined;
    // A version emptied since the base is a change too, with no metadata and so no signature: merged, it
    // would wipe the values (or put a conflict against nothing in the file) under the merging user's name.
    const emptied = side.text === '' && sides[0].text !== '';
    // A change is to the values or to what the metadata says of them (rule, recipients, policy): each is
    // signed anew by the merging user, so each must come from someone this user vouches for.
    const changed = emptied || (o !== undefined && (!sameText(o.document, base?.document ?? sides[0].text) || base === undefined || !sameMetadata(o, base)));
    return { name, changed, signer, empty: emptied, recipients: o?.info.recipients ?? [], policy: o?.info.recipientPolicy, vouched: vouchedFor(rosters, mine, signer) };
  };
  const gitSides = [sideOf('ours', sides[1]), sideOf('theirs', sides[2])];
  checkSideSigners(rosters, mine, gitSides, what, `custodian decrypt --values --format ${format}`);
  for (const warning of await putBackWarnings(process.cwd(), rosters, repoPath, valuesVersionId(format))) ctx.warn(warning);
  const { own, other } = byTrust(rosters, gitSides[0], gitSides[1]);
  const merging = mergedRecipients(rosters, { own, other, base: base?.info.recipients ?? [] }, what);
  const { fingerprints } = merging;
  const names = await rosterNames(process.cwd());
  checkChosenSides(repoPath, gitSides, fingerprints, what, names);
  for (const warning of recipientWarnings(what, merging, names)) ctx.warn(warning);
  // The rule: ours', unless only theirs changed it since the base.
  const ruleOf = (o: OpenedValues | undefined): string | undefined => (o ? ruleToString(o.info.rule) : undefined);
  const ruleFrom = ours && ruleOf(ours) === ruleOf(base) && theirs && ruleOf(theirs) !== ruleOf(base) ? theirs : (ours ?? theirs);
  // Ours' data key is reused only from a signer vouched for: whoever sealed ours knows it, and every new
  // value would be sealed under it.
  const sameAsOurs = ours !== undefined && gitSides[0].vouched && ruleFrom === ours && sameFingerprints(fingerprints, ours.info.recipients);
  if (sameAsOurs) return (document) => ours.reseal(document, { backend: ctx.backend(), signer: sign });
  const signers = [ours, theirs].flatMap((o) => (o?.signature.kind === 'signed' ? [o.signature.signer] : []));
  const recipients: RsaPublicKey[] = recipientKeys(fingerprints, knownKeys(rosters, [...identities.map((i) => i.publicKey), ...signers]), what);
  const opened = ruleFrom as OpenedValues;
  const policy = mergedPolicy(repoPath, own, other);
  return (document) => sealValues(document, { format, recipients, signer: sign, backend: ctx.backend(), rule: opened.info.rule, recipientPolicy: policy });
}

