// Signed roster records (docs/ROSTER.md §3–§5): the root of trust a roster gets when it is created
// (its first members) and one record per later change (a teammate added or removed), each signed with
// RSA-PSS by the member who made it. verifyRoster() replays the records in time order from the root and
// says, for each `.pub` file, whether its name and key were vouched for by a chain of members reaching
// the root. Pure: bytes and strings in, a verdict out; signatures through the injected backend.
import { base64Decode, base64Encode, base64EncodeUnpadded, utf8Encode } from './bytes';
import type { CryptoBackend } from './crypto-backend';
import { CryptoUnavailableError, FormatError } from './errors';
import { publicKeyFromSpkiDer, type RsaPrivateKey, type RsaPublicKey } from './keys';
import { rosterNameProblem } from './roster-names';

/** §3: the value of every record's "format" field. */
const RECORD_FORMAT = 'custodian-roster-record/1';
/** §4: the first line of every signed message (domain separation from envelope signatures). */
const SIGNED_MESSAGE_TAG = 'custodian-roster/v1';
/** §3: a record is a small JSON object; anything larger is refused before parsing. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** §3: members a root may list. */
const MAX_ROOT_MEMBERS = 1000;
const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** `deploy` adds an entry that can read (a CI or deploy key) but whose signature vouches for no one (§5). */
export type RecordOp = 'root' | 'add' | 'deploy' | 'remove';

/** A roster file as the verifier sees it: its name (file name without `.pub`) and key fingerprint. */
export interface RosterKeyEntry {
  name: string;
  fingerprint: string;
}

/** A record file's name (for messages) and text. */
export interface RecordFile {
  file: string;
  text: string;
}

export type RecordBody = { op: 'root'; members: RosterKeyEntry[] } | { op: 'add' | 'deploy' | 'remove'; name: string; fingerprint: string };

export interface RosterRecord {
  file: string;
  body: RecordBody;
  time: string;
  /** Every record but the root names the root of the roster it belongs to (§3), so it counts in no other. */
  root?: string;
  signer: RsaPublicKey;
  signature: Uint8Array;
}

export type EntryVerdict =
  /**
   * `by` is the signer's roster name when the record was applied, or undefined for a root member;
   * `deploy`: added as a deploy key, whose signature vouches for no one.
   */
  | { status: 'verified'; by?: string; byFingerprint: string; time: string; deploy?: true }
  | { status: 'unverified'; reason: string }
  | { status: 'broken'; reason: string };

export interface RosterVerification {
  /** A root record exists and its signature verifies. */
  signed: boolean;
  /** "SHA256:…" over the root's signed message and signature: what a pin store remembers (§6). */
  rootId?: string;
  rootMembers: RosterKeyEntry[];
  /** One verdict per roster entry given, by name. */
  entries: Map<string, EntryVerdict>;
  /** Sentences about records that are broken, or members vouched for whose `.pub` file is gone. */
  problems: string[];
  /** Members still vouched for (no signed removal) whose `.pub` file is gone: encrypting leaves them out. */
  missing: MissingMember[];
}

export interface MissingMember extends RosterKeyEntry {
  /**
   * Someone did sign their removal, but is not a verified member, so it counts for nothing: that signer's
   * roster name, or their fingerprint when no entry has their key. Said to them, or the fix reads as circular.
   */
  unverifiedRemovalBy?: string;
}

function fail(file: string, what: string): never {
  throw new FormatError(`${file}: ${what}`, { hint: 'Roster records are written by Custodian (docs/ROSTER.md §3); restore this file from git history or remove it.' });
}

function field(obj: Record<string, unknown>, file: string, name: string): string {
  const v = obj[name];
  if (typeof v !== 'string') fail(file, `"${name}" must be a string`);
  return v;
}

function checkEntry(file: string, name: string, fingerprint: string): RosterKeyEntry {
  const problem = rosterNameProblem(name);
  if (problem) fail(file, `"${name.slice(0, 80)}" is not a valid roster name`);
  if (!FINGERPRINT_PATTERN.test(fingerprint)) fail(file, '"key" must be a SHA256:… fingerprint');
  return { name, fingerprint };
}

/** §4: the exact bytes a record's signature covers (`root`: the root id, for every record but the root). */
function signedMessage(body: RecordBody, time: string, signerFingerprint: string, root?: string): Uint8Array {
  const lines = [SIGNED_MESSAGE_TAG, `op: ${body.op}`];
  if (body.op === 'root') {
    for (const m of [...body.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) lines.push(`member: ${m.name} ${m.fingerprint}`);
  } else {
    lines.push(`root: ${root}`, `name: ${body.name}`, `key: ${body.fingerprint}`);
  }
  lines.push(`time: ${time}`, `signer: ${signerFingerprint}`);
  return utf8Encode(lines.join('\n') + '\n');
}

/** Parses one record file (§3). Throws FormatError naming the file; the signature is not checked here. */
export function parseRecord(file: RecordFile): RosterRecord {
  if (typeof file?.text !== 'string') throw new TypeError('"file.text" expected a string');
  if (file.text.length > MAX_RECORD_BYTES) fail(file.file, `larger than ${MAX_RECORD_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch {
    fail(file.file, 'not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(file.file, 'not a JSON object');
  const obj = json as Record<string, unknown>;
  if (obj.format !== RECORD_FORMAT) fail(file.file, `"format" must be "${RECORD_FORMAT}"`);
  const op = field(obj, file.file, 'op');
  let body: RecordBody;
  let root: string | undefined;
  if (op === 'root') {
    const members = obj.members;
    if (!Array.isArray(members) || members.length === 0 || members.length > MAX_ROOT_MEMBERS) fail(file.file, `"members" must list 1–${MAX_ROOT_MEMBERS} members`);
    const parsed = members.map((m: unknown) => {
      if (typeof m !== 'object' || m === null) fail(file.file, 'each member must be an object');
      const mm = m as Record<string, unknown>;
      return checkEntry(file.file, field(mm, file.file, 'name'), field(mm, file.file, 'key'));
    });
    if (new Set(parsed.map((m) => m.name)).size !== parsed.length) fail(file.file, 'a name is listed twice');
    body = { op, members: parsed };
  } else if (op === 'add' || op === 'deploy' || op === 'remove') {
    const e = checkEntry(file.file, field(obj, file.file, 'name'), field(obj, file.file, 'key'));
    body = { op, ...e };
    root = field(obj, file.file, 'root');
    if (!FINGERPRINT_PATTERN.test(root)) fail(file.file, '"root" must be the SHA256:… id of the roster\'s root record');
  } else {
    fail(file.file, '"op" must be "root", "add", "deploy" or "remove"');
  }
  const time = field(obj, file.file, 'time');
  if (!TIME_PATTERN.test(time) || Number.isNaN(Date.parse(time))) fail(file.file, '"time" must be a UTC time like 2026-01-31T12:00:00.000Z');
  let signer: RsaPublicKey;
  let signature: Uint8Array;
  try {
    signer = publicKeyFromSpkiDer(base64Decode(field(obj, file.file, 'signerKey')));
    signature = base64Decode(field(obj, file.file, 'signature'));
  } catch (err) {
    if (err instanceof FormatError) throw err;
    fail(file.file, `"signerKey" or "signature" is not usable (${err instanceof Error ? err.message : String(err)})`);
  }
  return { file: file.file, body, time, ...(root !== undefined ? { root } : {}), signer, signature };
}

/**
 * A signed record's JSON text (§3), ready to be written as one file. `root` is the id of the roster's
 * root record (rootIdOf), required for every record but the root itself.
 */
export async function createRecord(body: RecordBody, signer: RsaPrivateKey, time: Date, backend: CryptoBackend, root?: string): Promise<string> {
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) throw new TypeError('"time" expected a valid Date');
  const entries = body.op === 'root' ? body.members : [body];
  if (entries.length === 0) throw new RangeError('"body.members" expected at least one member');
  for (const e of entries) checkEntry('record', e.name, e.fingerprint);
  if (body.op !== 'root' && (root === undefined || !FINGERPRINT_PATTERN.test(root))) throw new TypeError('"root" expected the SHA256:… id of the roster\'s root record');
  const iso = time.toISOString();
  const signature = await backend.rsaPssSign(signer.pkcs8Der, signedMessage(body, iso, signer.publicKey.fingerprint, root));
  const common = { format: RECORD_FORMAT, op: body.op };
  const payload =
    body.op === 'root'
      ? { ...common, members: body.members.map((m) => ({ name: m.name, key: m.fingerprint })) }
      : { ...common, root, name: body.name, key: body.fingerprint };
  return JSON.stringify({ ...payload, time: iso, signerKey: base64Encode(signer.publicKey.spkiDer), signature: base64Encode(signature) }, null, 2) + '\n';
}

/** §5: a file name for a record that sorts by time and never collides with a concurrent one. */
export function recordFileName(body: RecordBody, time: Date, random: Uint8Array): string {
  const stamp = time.toISOString().replace(/[-:]/g, '').replace('.', '');
  const who = body.op === 'root' ? 'root' : `${body.op}-${body.name}`;
  const tag = Array.from(random.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${stamp}-${who}-${tag}.json`;
}

async function signatureValid(record: RosterRecord, backend: CryptoBackend): Promise<boolean> {
  try {
    return await backend.rsaPssVerify(record.signer.spkiDer, signedMessage(record.body, record.time, record.signer.fingerprint, record.root), record.signature);
  } catch (err) {
    if (err instanceof CryptoUnavailableError) throw err;
    return false;
  }
}

interface Vouched {
  by?: string;
  byFingerprint: string;
  time: string;
  /** A deploy key: it reads, but its signature counts for nothing. */
  deploy?: true;
}

const keyOf = (name: string, fingerprint: string): string => `${name} ${fingerprint}`;

/** Who last vouched for a key (§5 step 4): the root, or a signer's key. */
type Voucher = { readonly root: true } | { readonly byFingerprint: string };

/**
 * §5 step 5: the vouched pairs whose chain of vouchers passes through a key of a name a member signed
 * out and that nobody vouched for again, with that name. A record's time is chosen by its signer, so a
 * member removed at t3 can later sign a record dated t2, when they were still a member (a red team signed
 * mallory in so, and rotated their own key to one the removal did not name). Such a key vouches for
 * nothing once its name is signed out, whatever a record's date says; vouched for again by a member whose
 * own chain holds, it counts again. Keys replaced by a rotation, their name never signed out, still count.
 */
function signedOutVouches(vouched: ReadonlyMap<string, Vouched>, vouchers: ReadonlyMap<string, Voucher>, keysOfName: ReadonlyMap<string, ReadonlySet<string>>, removedNames: ReadonlySet<string>): Map<string, string> {
  const fingerprintOf = (k: string): string => k.slice(k.indexOf(' ') + 1);
  const signedOut = new Map<string, string>();
  for (const name of removedNames) for (const fingerprint of keysOfName.get(name) ?? []) signedOut.set(fingerprint, name);
  const current = new Set([...vouched.keys()].map(fingerprintOf));
  // A key signed out counts as a voucher only when vouched for again since (it is on the roster now).
  const counts = (fingerprint: string, good: ReadonlySet<string>): boolean => good.has(fingerprint) && (!signedOut.has(fingerprint) || current.has(fingerprint));
  // Least fixpoint from the root: a cycle (carol vouching for the removed key that vouched for her) stays out.
  const good = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [fingerprint, v] of vouchers) {
      if (good.has(fingerprint) || !('root' in v || counts(v.byFingerprint, good))) continue;
      good.add(fingerprint);
      changed = true;
    }
  }
  const tainted = new Map<string, string>();
  for (const k of vouched.keys()) {
    if (good.has(fingerprintOf(k))) continue;
    // The first signed-out key up its chain of vouchers names whom it came through.
    let at = fingerprintOf(k);
    const seen = new Set<string>();
    let through = 'a member';
    for (;;) {
      seen.add(at);
      const v = vouchers.get(at);
      if (!v || 'root' in v) break;
      if (signedOut.has(v.byFingerprint) && !current.has(v.byFingerprint)) {
        through = signedOut.get(v.byFingerprint)!;
        break;
      }
      if (seen.has(v.byFingerprint)) {
        through = signedOut.get(v.byFingerprint) ?? through;
        break;
      }
      at = v.byFingerprint;
    }
    tainted.set(k, through);
  }
  return tainted;
}

/**
 * §5: replays `root` and `records` against the roster `entries` (every usable `.pub` file). Record
 * files that do not parse are problems, never skipped silently.
 */
export async function verifyRoster(entries: readonly RosterKeyEntry[], root: RecordFile | undefined, records: readonly RecordFile[], backend: CryptoBackend): Promise<RosterVerification> {
  const problems: string[] = [];
  const verdicts = new Map<string, EntryVerdict>();
  const result: RosterVerification = { signed: false, rootMembers: [], entries: verdicts, problems, missing: [] };
  if (!root) {
    for (const e of entries) verdicts.set(e.name, { status: 'unverified', reason: 'the roster is not signed yet' });
    return result;
  }
  let rootRecord: RosterRecord | undefined;
  try {
    rootRecord = parseRecord(root);
    if (rootRecord.body.op !== 'root') fail(root.file, '"op" must be "root" in the root record');
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  const rootBody = rootRecord?.body.op === 'root' ? rootRecord.body : undefined;
  if (!rootRecord || !rootBody || !rootBody.members.some((m) => m.fingerprint === rootRecord.signer.fingerprint) || !(await signatureValid(rootRecord, backend))) {
    if (rootRecord && rootBody) problems.push(`${root.file}: the root's signature does not verify, or its signer is not one of its members`);
    for (const e of entries) verdicts.set(e.name, { status: 'broken', reason: 'the roster\'s root of trust is damaged or forged' });
    return result;
  }
  result.signed = true;
  result.rootMembers = rootBody.members;
  result.rootId = await rootId(rootRecord, rootBody, backend);

  // The chain: who is vouched for, under which name, as the records are replayed in time order.
  const vouched = new Map<string, Vouched>();
  for (const m of rootBody.members) vouched.set(keyOf(m.name, m.fingerprint), { byFingerprint: rootRecord.signer.fingerprint, time: rootRecord.time });
  const removed = new Map<string, { by: string; time: string }>();
  /** Every key vouched for under a name so far, who last vouched for each key, and the names a member signed out. */
  const keysOfName = new Map<string, Set<string>>();
  for (const m of rootBody.members) keysOfName.set(m.name, new Set([m.fingerprint]));
  const vouchers = new Map<string, Voucher>(rootBody.members.map((m) => [m.fingerprint, { root: true }]));
  const removedNames = new Set<string>();
  const forged = new Map<string, string>();
  const unchained = new Map<string, string>();
  /** Removals signed by someone who is not a verified member: the signer's fingerprint. */
  const unverifiedRemovals = new Map<string, string>();
  const parsed: RosterRecord[] = [];
  for (const f of records) {
    try {
      const r = parseRecord(f);
      if (r.body.op === 'root') fail(f.file, 'a second root record');
      parsed.push(r);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  parsed.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const vouchedAs = (fingerprint: string): { name: string; deploy: boolean } | undefined => {
    for (const [k, v] of vouched) if (k.endsWith(` ${fingerprint}`)) return { name: k.slice(0, -fingerprint.length - 1), deploy: v.deploy === true };
    return undefined;
  };
  for (const r of parsed) {
    if (r.body.op === 'root') continue;
    const k = keyOf(r.body.name, r.body.fingerprint);
    if (!(await signatureValid(r, backend))) {
      forged.set(k, r.file);
      problems.push(`${r.file}: the signature does not verify (forged or damaged record for ${r.body.name})`);
      continue;
    }
    // A genuine record of another roster (copied from another repository where the same member signs):
    // it says nothing about this one, whatever it adds or removes.
    if (r.root !== result.rootId) {
      problems.push(`${r.file} belongs to another roster (its root is ${r.root}, this roster's is ${result.rootId}): it counts for nothing here`);
      continue;
    }
    const signer = vouchedAs(r.signer.fingerprint);
    if (signer === undefined || signer.deploy) {
      unchained.set(k, signer ? `${r.file} is signed by ${signer.name}, a deploy key, which cannot vouch for anyone` : `${r.file} is signed by a key that is not a verified member`);
      if (r.body.op === 'remove') unverifiedRemovals.set(k, r.signer.fingerprint);
      // Nobody on the team signs with a deploy key: a record signed by one says its secret is in other hands.
      if (signer) problems.push(`${r.file} is signed by ${signer.name}, a deploy key: it counts for nothing, and a deploy key signing roster records suggests its secret has leaked (rotate it: roster remove, then add --deploy a new key)`);
      continue;
    }
    const signerName = signer.name;
    if (r.body.op === 'add' || r.body.op === 'deploy') {
      // A new key for a name replaces the old one (key rotation, vouched for by a member).
      for (const [other] of [...vouched]) if (other.startsWith(`${r.body.name} `)) vouched.delete(other);
      vouched.set(k, { by: signerName, byFingerprint: r.signer.fingerprint, time: r.time, ...(r.body.op === 'deploy' ? { deploy: true as const } : {}) });
      removed.delete(k);
      if (!keysOfName.has(r.body.name)) keysOfName.set(r.body.name, new Set());
      keysOfName.get(r.body.name)!.add(r.body.fingerprint);
      vouchers.set(r.body.fingerprint, { byFingerprint: r.signer.fingerprint });
    } else {
      vouched.delete(k);
      removed.set(k, { by: signerName, time: r.time });
      removedNames.add(r.body.name);
    }
  }
  const signedBySignedOut = signedOutVouches(vouched, vouchers, keysOfName, removedNames);

  const present = new Set(entries.map((e) => keyOf(e.name, e.fingerprint)));
  for (const e of entries) {
    const k = keyOf(e.name, e.fingerprint);
    const v = vouched.get(k);
    const gone = removed.get(k);
    const sameName = [...vouched.keys()].find((x) => x.startsWith(`${e.name} `));
    const signedOut = signedBySignedOut.get(k);
    if (v && signedOut !== undefined) {
      verdicts.set(e.name, {
        status: 'unverified',
        reason: `vouched for through ${signedOut}, who was signed out of the roster since: a record a removed member signed cannot be told from one dated back before the removal, so it counts only once a present member signs ${e.name} again (custodian roster sign, or Sign Roster in VS Code)`,
      });
    } else if (v) verdicts.set(e.name, { status: 'verified', by: v.by, byFingerprint: v.byFingerprint, time: v.time, ...(v.deploy ? { deploy: true as const } : {}) });
    else if (gone) verdicts.set(e.name, { status: 'broken', reason: `${gone.by} removed ${e.name} (signed, ${gone.time}); the file came back without a signed addition` });
    else if (forged.has(k)) verdicts.set(e.name, { status: 'broken', reason: `its signed record ${forged.get(k)} does not verify (forged or damaged)` });
    else if (sameName) verdicts.set(e.name, { status: 'broken', reason: `its key is not the one ${vouched.get(sameName)!.by ?? 'the root'} signed for ${e.name}` });
    else if (unchained.has(k)) verdicts.set(e.name, { status: 'unverified', reason: unchained.get(k)! });
    else verdicts.set(e.name, { status: 'unverified', reason: 'no member has signed this entry' });
  }
  for (const k of vouched.keys()) {
    if (present.has(k)) continue;
    const name = k.slice(0, k.indexOf(' '));
    if (!entries.some((e) => e.name === name)) {
      const remover = unverifiedRemovals.get(k);
      const by = remover && (entries.find((e) => e.fingerprint === remover)?.name ?? remover);
      problems.push(
        by
          ? `${name} is a signed member but ${name}.pub is missing: ${by} signed the removal but is not a verified member, so it counts for nothing`
          : `${name} is a signed member but ${name}.pub is missing, and no member signed a removal`,
      );
      result.missing.push({ name, fingerprint: k.slice(k.indexOf(' ') + 1), ...(by ? { unverifiedRemovalBy: by } : {}) });
    }
  }
  return result;
}

/** §4: the root's id, over its signed message and signature. */
async function rootId(record: RosterRecord, body: Extract<RecordBody, { op: 'root' }>, backend: CryptoBackend): Promise<string> {
  const message = signedMessage(body, record.time, record.signer.fingerprint);
  return `SHA256:${base64EncodeUnpadded(await sha256(backend, utf8Encode(`${SIGNED_MESSAGE_TAG} root\n`), message, record.signature))}`;
}

/**
 * The id of a root record (§4), what every later record of that roster names. Its signature is not
 * checked here (verifyRoster does, and a record bound to a forged root counts for nothing anyway).
 */
export async function rootIdOf(root: RecordFile, backend: CryptoBackend): Promise<string> {
  const record = parseRecord(root);
  if (record.body.op !== 'root') fail(root.file, '"op" must be "root" in the root record');
  return rootId(record, record.body, backend);
}

async function sha256(backend: CryptoBackend, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const h = backend.createSha256();
  for (const p of parts) h.update(p);
  return h.digest();
}
