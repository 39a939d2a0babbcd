// Value-encrypted .env, JSON and YAML files: each value sealed to its key path, the keys readable, one
// data key per file wrapped like a `.enc` header, a MAC over every leaf, an optional RSA-PSS signer.
// Spec: docs/VALUES.md (section numbers below).
import { base64UrlDecode, base64UrlEncodeEach, constantTimeEqual, hexEncode, utf8Decode, utf8EncodeEach, zeroize } from './bytes';
import { MIN_RSA_BITS, type AesGcm, type CryptoBackend } from './crypto-backend';
import type { SignatureStatus } from './envelope';
import { OAEP_LABEL, fingerprintToString, type RecipientPolicy } from './envelope-header';
import {
  CryptoUnavailableError,
  FormatError,
  InvalidArgumentError,
  NoIdentityMatchedError,
  OversizedKeyError,
  SignatureError,
  ValueAuthError,
  ValuesMacError,
  WeakKeyError,
  type IdentityFailure,
} from './errors';
import { DotenvSyntaxError, parseDotenv, valuesCutAtHashLines } from './dotenv';
import { isPrivateKey, modulusBytes, publicKeyFromSpkiDer, type RsaPrivateKey, type RsaPublicKey } from './keys';
import { unwrapSpki, wrapSpki } from './spki';
import { valuesFormat, type ValuesFormat } from './values-formats';
import { yamlCoreValue, yamlLoadsWithTags, yamlPropertiesOutsideValues, yamlScalarValue } from './values-yaml';
import { PUBLIC_CONVENTIONS, publicConventionOf, publicRule, type PublicConvention } from './public-names';
import {
  DATA_KEY_LENGTH,
  MAX_VALUE_RECIPIENTS,
  SALT_LENGTH,
  VALUE_NONCE_LENGTH,
  VALUE_TAG_LENGTH,
  TOKEN_PREFIX,
  deriveMacKey,
  deriveValueKey,
  displayPath,
  encodeMetadataLines,
  encodeSignedLines,
  clearMatcher,
  macInput,
  parseMetadataLines,
  signatureDigest,
  signatureMessage,
  signatureMessageForDigest,
  valueAads,
  VALUE_AAD_CONTEXT_LENGTH,
  type MacLeaf,
  type ParsedMetadata,
  type PathSegment,
  type SelectionRule,
  type ValueStanza,
  type ValuesFormatName,
} from './values-metadata';

export { parseRule, ruleNaming, ruleToString, TOKEN_PREFIX, type SelectionRule, type ValuesFormatName, type PathSegment } from './values-metadata';
export { valuesFormatForFileName } from './values-formats';
export { quoteValuesCutAtHash, valuesCutAtHash } from './dotenv';

/**
 * A key held elsewhere (the VS Code agent, docs/AGENT.md): it unwraps a file's data key, returned only
 * when the file's MAC verifies with it, as a `.enc` header's key is returned only when the header MAC does.
 */
export interface RemoteValuesIdentity {
  readonly publicKey: RsaPublicKey;
  unwrapValuesKey(text: string, format: ValuesFormatName): Promise<Uint8Array>;
}

/** A key held elsewhere that signs §8 digests: `SIGNATURE_CONTEXT || digest` (see `signValuesDigest`). */
export interface RemoteValuesSigner {
  readonly publicKey: RsaPublicKey;
  signValuesDigest(digest: Uint8Array): Promise<Uint8Array>;
}

export type ValuesIdentity = RsaPrivateKey | RemoteValuesIdentity;
export type ValuesSigner = RsaPrivateKey | RemoteValuesSigner;


/** §8 with a local key: the RSA-PSS signature of `SIGNATURE_CONTEXT || digest`, digest = SHA-256(mac_input || mac). */
export async function signValuesDigest(key: RsaPrivateKey, digest: Uint8Array, backend: CryptoBackend): Promise<Uint8Array> {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw new RangeError(`"digest" expected 32 bytes, got ${digest instanceof Uint8Array ? digest.length : typeof digest}`);
  return backend.rsaPssSign(key.pkcs8Der, signatureMessageForDigest(digest));
}

async function signValues(signer: ValuesSigner, input: Uint8Array, mac: Uint8Array, backend: CryptoBackend): Promise<Uint8Array> {
  const message = signatureMessage(input, mac, backend.createSha256());
  if (isPrivateKey(signer)) return backend.rsaPssSign(signer.pkcs8Der, message);
  const signature = await signer.signValuesDigest(signatureDigest(input, mac, backend.createSha256()));
  // A signature from elsewhere is checked before it goes into a file.
  if (!(await backend.rsaPssVerify(signer.publicKey.spkiDer, message, signature).catch(() => false))) {
    throw new SignatureError('the signature returned for this file does not verify with the signer\'s public key');
  }
  return signature;
}

export interface SealValuesOptions {
  readonly format: ValuesFormatName;
  readonly recipients: readonly RsaPublicKey[];
  readonly signer?: ValuesSigner;
  readonly backend: CryptoBackend;
  /** §5; default: every value encrypted. */
  readonly rule?: SelectionRule;
  /** FORMAT.md §3.4, written as `policy=`; omitted when undefined. */
  readonly recipientPolicy?: RecipientPolicy;
}

export interface OpenValuesOptions {
  readonly format: ValuesFormatName;
  readonly identities: readonly ValuesIdentity[];
  readonly backend: CryptoBackend;
}

export interface ResealOptions {
  readonly backend: CryptoBackend;
  /** Who signs the new version; undefined: unsigned. */
  readonly signer?: ValuesSigner;
  /** A new selection rule; default: the file's. */
  readonly rule?: SelectionRule;
  /** The recipient policy to write (FORMAT.md §3.4); default: the file's; null: none. */
  readonly recipientPolicy?: RecipientPolicy | null;
}

/** One leaf of a value-encrypted file, as a reader reports it (no value: see `document`). */
export interface ValueEntry {
  readonly path: readonly PathSegment[];
  /** §3 display form, e.g. `DATABASE_URL` or `db.password`. */
  readonly name: string;
  readonly encrypted: boolean;
}

/** What the metadata of a value-encrypted file says, readable without a key (§4). */
export interface ValuesInfo {
  readonly format: ValuesFormatName;
  /** Recipient fingerprints, `SHA256:…`, in file order. */
  readonly recipients: readonly string[];
  readonly recipientPolicy?: RecipientPolicy;
  readonly rule: SelectionRule;
  readonly entries: readonly ValueEntry[];
  /** The signature, verified (§8): verifying needs no private key. */
  readonly signature: SignatureStatus;
}

interface Slot {
  readonly path: readonly PathSegment[];
  /** `pathKey(path)`. */
  readonly key: string;
  /** §6 the value's AAD, and in it §3 path_bytes. */
  readonly aad: Uint8Array;
  readonly pathBytes: Uint8Array;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly raw: string;
  /** The token, when the leaf is encrypted. */
  readonly token?: string;
  /** YAML: where an alias copies this value (display form); such a value is never sealed (§3). */
  readonly aliasedAt?: string;
}

/**
 * §3: an alias is no leaf, so a copy it makes of an encrypted value would be covered by neither a token
 * nor the MAC: whoever can commit could make a secret appear under another key. Refused when sealing
 * and when opening.
 */
function refuseAliasedSecret(slot: Slot, opening: boolean): void {
  if (slot.aliasedAt === undefined) return;
  throw new FormatError(
    `"${slot.name}" is encrypted, but the YAML alias at "${slot.aliasedAt}" copies it: an alias is not sealed, so the copy would be covered neither by a token nor by the MAC`,
    opening
      ? { hint: 'the file was edited to copy an encrypted value with an alias (or its anchor was moved); take it from version control again' }
      : { hint: `write the value out again at "${slot.aliasedAt}" instead of the alias, or leave "${slot.name}" in the clear with the selection rule` },
  );
}

/** What a writer keeps from an opened file so unchanged values keep their tokens (§6). */
interface KeyState {
  readonly dataKey: Uint8Array;
  readonly salt: Uint8Array;
  readonly stanzas: readonly ValueStanza[];
  readonly recipientPolicy?: RecipientPolicy;
  readonly rule: SelectionRule;
  /** Path key → token and its plaintext. */
  readonly tokens: ReadonlyMap<string, { readonly token: string; readonly plaintext: Uint8Array }>;
}

function pathKey(path: readonly PathSegment[]): string {
  return JSON.stringify(path);
}

/** The 1-based line of offset `at`, lines ended by LF (as messages and the editor number them). */
function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** §3: the leaves of a document, duplicates refused, tokens recognised. */
/** `reading`: a sealed file or what opening it gave, which an older writer may have made (refuseRareLineBreaks). */
function slotsOf(format: ValuesFormat, document: string, reading = false): Slot[] {
  const leaves = format.leaves(document);
  refuseRareLineBreaks(document, leaves, format.name, reading);
  const aads = valueAads(leaves.map((leaf) => leaf.path));
  const seen = new Set<string>();
  return leaves.map((leaf, i) => {
    const name = displayPath(leaf.path, format.name);
    const key = pathKey(leaf.path);
    if (seen.has(key)) {
      const line = lineAt(document, leaf.start);
      throw new FormatError(`"${name}" appears twice: a value-encrypted file has one value per key`, { hint: 'remove or rename one of them', line });
    }
    seen.add(key);
    const raw = document.slice(leaf.start, leaf.end);
    const aad = aads[i];
    const aliasedAt = leaf.aliasedAt && displayPath(leaf.aliasedAt, format.name);
    return { path: leaf.path, key, aad, pathBytes: aad.subarray(VALUE_AAD_CONTEXT_LENGTH), name, start: leaf.start, end: leaf.end, raw, token: format.tokenIn(raw), aliasedAt };
  });
}

/**
 * §3: outside a value, a line break that readers disagree on is refused: U+0085, U+2028 and U+2029 (YAML 1.1
 * readers and JavaScript's `\s` break lines there, YAML 1.2 readers do not) and a CR not followed by LF
 * (YAML 1.2 and js-yaml break lines there, the `yaml` package and a shell sourcing a .env do not). The MAC
 * splits lines at all of them (§7), so what follows one is a comment to it and content to some reader: a red
 * team appended U+0085 and `#x` to an anchor (`prod: &env`), and an alias read another value, signed; a
 * second appended CR and a space to `disabled: <token>`, and the `yaml` package read "false\r", a string.
 * Allowed where every reader reads a comment: in a line (between LFs) whose every piece is blank or a
 * comment, and as the document's last character. When `reading`, also in a line whose first piece is a
 * comment: a comment to YAML 1.2 readers whatever follows, and what follows a break there is covered by
 * the MAC unless it is blank or a comment, so only its writer put it there (a file written before this
 * rule still opens). JSON is left out: its readers agree (no comments, and these are no white space to
 * it). Inside a value the leaf's own MAC entry covers them.
 */
function refuseRareLineBreaks(document: string, leaves: readonly { start: number; end: number }[], formatName: ValuesFormatName, reading: boolean): void {
  if (formatName === 'json') return;
  const rare = /[\u0085\u2028\u2029]|\r(?!\n)/g;
  if (!rare.test(document)) return;
  rare.lastIndex = 0;
  const spans = leaves.map((l) => [l.start, l.end]).sort((a, b) => a[0] - b[0]);
  let i = 0;
  for (let m = rare.exec(document); m !== null; m = rare.exec(document)) {
    while (i < spans.length && spans[i][1] <= m.index) i++;
    if (i < spans.length && spans[i][0] <= m.index) continue;
    if (m.index === document.length - 1) continue;
    const lineStart = document.lastIndexOf('\n', m.index) + 1;
    const lineEnd = document.indexOf('\n', m.index);
    const pieces = document.slice(lineStart, lineEnd < 0 ? document.length : lineEnd).split(/[\r\u0085\u2028\u2029]/);
    const comment = (piece: string): boolean => /^[ \t]*(?:#|$)/.test(piece);
    if (reading ? /^[ \t]*#/.test(pieces[0]) || pieces.every(comment) : pieces.every(comment)) continue;
    const name = m[0] === '\r' ? 'a carriage return (CR) not followed by a line feed' : `the character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    const line = lineAt(document, m.index);
    throw new FormatError(`line ${line}: ${name} outside a value: some readers break the line there and others do not, so they would read the file differently`, {
      hint: m[0] === '\r' ? 'end the line with LF or CR LF (a file saved with old Mac line endings?)' : 'remove it (a line separator pasted into a key or an anchor?); inside a value or a comment it is kept',
      line,
    });
  }
}

/**
 * §9 step 8: the opened document must have the leaves the sealed one had, at the spans the plaintexts
 * took. Comments and blank lines are outside the MAC (§7), and once a token gives way to a block
 * scalar (`|`, `>`) the lines under it that are indented deeper are its content: a red team added
 * `  #0.0.0.0/0` under an encrypted allow-list, and the opened value ended with it, signed.
 */
function checkOpenedLeaves(format: ValuesFormat, document: string, slots: readonly Slot[], plaintexts: readonly (string | undefined)[]): void {
  const leaves = format.leaves(document);
  let shift = 0;
  slots.forEach((slot, i) => {
    const plaintext = plaintexts[i];
    const start = slot.start + shift;
    const end = plaintext === undefined ? slot.end + shift : start + plaintext.length;
    shift = end - slot.end;
    const leaf = leaves[i];
    if (leaf === undefined || leaf.start !== start || leaf.end !== end || pathKey(leaf.path) !== slot.key) {
      throw new ValuesMacError(`the value of "${slot.name}" reads differently once decrypted: a comment or blank line was added or changed next to it, where it becomes part of the value (under a block scalar, | or >)`, {
        hint: 'remove the lines added under it (comments and blank lines indented under a value-encrypted key), or take the file from version control again; to change the value, edit the decrypted file with Custodian',
      });
    }
  });
  if (leaves.length !== slots.length) {
    throw new ValuesMacError('the decrypted file has more values than the sealed one: a comment or blank line was added where it becomes a value', {
      hint: 'take the file from version control again; to change values, edit the decrypted file with Custodian',
    });
  }
}

function replaceSpans(document: string, slots: readonly Slot[], replacement: (slot: Slot, index: number) => string | undefined): string {
  let out = '';
  let at = 0;
  slots.forEach((slot, index) => {
    const text = replacement(slot, index);
    if (text === undefined) return;
    out += document.slice(at, slot.start) + text;
    at = slot.end;
  });
  return out + document.slice(at);
}

async function createValueCipher(backend: CryptoBackend, dataKey: Uint8Array, salt: Uint8Array): Promise<AesGcm> {
  const valueKey = deriveValueKey(dataKey, salt);
  try {
    return await backend.createAesGcm(valueKey);
  } finally {
    zeroize(valueKey);
  }
}

function computeMac(backend: CryptoBackend, dataKey: Uint8Array, salt: Uint8Array, input: Uint8Array): Uint8Array {
  const macKey = deriveMacKey(dataKey, salt);
  try {
    return backend.hmacSha256(macKey, input);
  } finally {
    zeroize(macKey);
  }
}

function dedupeRecipients(recipients: readonly RsaPublicKey[]): RsaPublicKey[] {
  const seen = new Set<string>();
  return recipients.filter((r) => !seen.has(r.fingerprint) && Boolean(seen.add(r.fingerprint)));
}

/** The leaves of a plaintext document about to be sealed: FormatError when it has a metadata block already. */
function sealableSlots(format: ValuesFormat, document: string): Slot[] {
  if (typeof document !== 'string') throw new TypeError(`"document" expected string, got ${typeof document}`);
  if (format.split(document).lines) {
    throw new FormatError('the document already has a Custodian metadata block (#custodian:values / "custodian:values")', { hint: 'open the value-encrypted file to edit it, or remove the block from the plaintext' });
  }
  return slotsOf(format, document);
}

async function sealWith(document: string, format: ValuesFormat, state: KeyState, backend: CryptoBackend, signer: ValuesSigner | undefined): Promise<string> {
  const slots = sealableSlots(format, document);
  const inClear = clearMatcher(state.rule);
  const encrypted: Slot[] = [];
  for (const slot of slots) {
    if (!inClear(slot.path)) {
      refuseAliasedSecret(slot, false);
      encrypted.push(slot);
    } else if (slot.token) throw new FormatError(`"${slot.name}" is left in the clear by the rule but its value looks like a token`, { hint: 'change the value or the selection rule' });
  }
  // Every value's UTF-8 in one buffer, zeroed once: a file has thousands of short values.
  const plaintexts = utf8EncodeEach(encrypted.map((slot) => slot.raw));
  const tokens = new Map<Slot, string>();
  try {
    // §6 stable tokens: a value unchanged at its path keeps its token; the others are sealed anew.
    const fresh: number[] = [];
    encrypted.forEach((slot, k) => {
      const previous = state.tokens.get(slot.key);
      if (previous && constantTimeEqual(previous.plaintext, plaintexts.each[k])) tokens.set(slot, previous.token);
      else fresh.push(k);
    });
    if (fresh.length > 0) {
      const aes = await createValueCipher(backend, state.dataKey, state.salt);
      // §6 nonce || ciphertext || tag of every value in one buffer, the nonces drawn at once: a buffer
      // or a call per value cost more than the encryption.
      let size = 0;
      for (const k of fresh) size += VALUE_NONCE_LENGTH + plaintexts.each[k].length + VALUE_TAG_LENGTH;
      const sealed = new Uint8Array(size);
      const nonces = backend.randomBytes(VALUE_NONCE_LENGTH * fresh.length);
      const bodies: Uint8Array[] = [];
      let at = 0;
      for (const [n, k] of fresh.entries()) {
        const plaintext = plaintexts.each[k];
        const body = sealed.subarray(at, at + VALUE_NONCE_LENGTH + plaintext.length + VALUE_TAG_LENGTH);
        const nonce = nonces.subarray(n * VALUE_NONCE_LENGTH, (n + 1) * VALUE_NONCE_LENGTH);
        body.set(nonce);
        const parts = aes.sealDetached ? await aes.sealDetached(nonce, plaintext, encrypted[k].aad) : [await aes.seal(nonce, plaintext, encrypted[k].aad)];
        let o = VALUE_NONCE_LENGTH;
        for (const part of parts) {
          body.set(part, o);
          o += part.length;
        }
        bodies.push(body);
        at += body.length;
      }
      base64UrlEncodeEach(bodies).forEach((text, n) => tokens.set(encrypted[fresh[n]], TOKEN_PREFIX + text));
    }
  } finally {
    zeroize(plaintexts.bytes);
  }
  const macLeaves: MacLeaf[] = slots.map((slot) => {
    const token = tokens.get(slot);
    return { path: slot.path, pathBytes: slot.pathBytes, encrypted: token !== undefined, value: token ?? slot.raw };
  });
  const sealedDocument = replaceSpans(document, slots, (slot) => {
    const token = tokens.get(slot);
    return token === undefined ? undefined : format.writeToken(token);
  });
  const signedLines = encodeSignedLines({
    eolNone: format.addsLineBreak(sealedDocument),
    format: format.name,
    salt: state.salt,
    recipientPolicy: state.recipientPolicy,
    rule: state.rule,
    stanzas: state.stanzas,
    entries: slots.length,
    signerSpki: signer?.publicKey.spkiDer,
  });
  const input = macInput(signedLines, macLeaves, sealedDocument);
  const mac = computeMac(backend, state.dataKey, state.salt, input);
  const signature = signer ? await signValues(signer, input, mac, backend) : undefined;
  return format.join(sealedDocument, encodeMetadataLines(signedLines, mac, signature));
}

/** Encrypts the values of a plaintext document to `recipients` under a new data key (§4–§8). */
export async function sealValues(document: string, opts: SealValuesOptions): Promise<string> {
  const format = valuesFormat(opts.format);
  const recipients = dedupeRecipients(opts.recipients);
  if (recipients.length === 0) throw new InvalidArgumentError('no recipients: add at least one public key');
  if (recipients.length > MAX_VALUE_RECIPIENTS) throw new InvalidArgumentError(`too many recipients: ${recipients.length}, the limit is ${MAX_VALUE_RECIPIENTS}`);
  const { backend } = opts;
  const dataKey = backend.randomBytes(DATA_KEY_LENGTH);
  try {
    const salt = backend.randomBytes(SALT_LENGTH);
    const stanzas: ValueStanza[] = [];
    for (const r of recipients) {
      if (r.bits < MIN_RSA_BITS) throw new WeakKeyError(`recipient ${r.fingerprint} has a ${r.bits}-bit key; the minimum is ${MIN_RSA_BITS}`);
      stanzas.push({ fingerprint: r.fingerprintBytes, wrappedKey: await backend.rsaOaepEncrypt(r.spkiDer, dataKey, OAEP_LABEL) });
    }
    const state: KeyState = { dataKey, salt, stanzas, recipientPolicy: opts.recipientPolicy, rule: opts.rule ?? { kind: 'all' }, tokens: new Map() };
    return await sealWith(document, format, state, backend, opts.signer);
  } finally {
    zeroize(dataKey);
  }
}

/** The signer line (§4): FORMAT.md §3.1 rules, one DER form, weak keys refused as WeakKeyError. */
function signerFromMetadata(meta: ParsedMetadata): RsaPublicKey | undefined {
  if (!meta.signerSpki) return undefined;
  let key: RsaPublicKey;
  try {
    key = publicKeyFromSpkiDer(meta.signerSpki);
  } catch (err) {
    if (err instanceof WeakKeyError) {
      throw new WeakKeyError(`the file is signed with a key Custodian refuses: ${err.message}`, { cause: err, hint: `ask the sender to sign with an RSA key of at least ${MIN_RSA_BITS} bits` });
    }
    if (err instanceof OversizedKeyError) throw new FormatError(`malformed metadata: the signer: ${err.message}`, { cause: err });
    throw new FormatError('malformed metadata: the signer is not an RSA public key', { cause: err });
  }
  if (!constantTimeEqual(wrapSpki(unwrapSpki(meta.signerSpki)), meta.signerSpki)) {
    throw new FormatError('malformed metadata: the signer key is not in the DER form writers emit (rsaEncryption with NULL parameters)');
  }
  return key;
}

interface ParsedFile {
  readonly format: ValuesFormat;
  readonly meta: ParsedMetadata;
  readonly document: string;
  readonly slots: readonly Slot[];
  readonly signer?: RsaPublicKey;
}

/** §9 step 1: the metadata, no key needed. */
function parseHeader(text: string, formatName: ValuesFormatName): Omit<ParsedFile, 'slots'> {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const format = valuesFormat(formatName);
  const { document, lines } = format.split(text);
  if (!lines) {
    throw new FormatError(`not a value-encrypted ${formatName} file: it has no Custodian metadata block`, { hint: 'encrypt it first with "custodian encrypt --values FILE"' });
  }
  const meta = parseMetadataLines(lines);
  if (meta.format !== formatName) throw new FormatError(`the file says it is ${meta.format}, but it is read as ${formatName}`, { hint: 'pass the right --format, or rename the file' });
  const signer = signerFromMetadata(meta);
  return { format, meta, document, signer };
}

/** §9 steps 1–2: no key needed. */
function parseFile(text: string, formatName: ValuesFormatName): ParsedFile {
  const header = parseHeader(text, formatName);
  return { ...header, slots: slotsOf(header.format, header.document, true) };
}

/**
 * §7 mac_input of a file as read (from version 2 on, its document too); then, when a value in the clear
 * holds a CR, the input a writer before §7's line-break rule made (§9): either verifies.
 */
function fileMacInputs(parsed: ParsedFile): Uint8Array[] {
  const leaves = macLeavesOf(parsed.slots);
  const document = parsed.meta.version === 1 ? undefined : parsed.document;
  const inputs = [macInput(parsed.meta.signedLines, leaves, document)];
  if (leaves.some((l) => !l.encrypted && l.value.includes('\r'))) inputs.push(macInput(parsed.meta.signedLines, leaves, document, { rawClearValues: true }));
  return inputs;
}

/** The input of `inputs` whose MAC under the data key is the file's, or undefined. */
function verifiedMacInput(parsed: ParsedFile, inputs: readonly Uint8Array[], dataKey: Uint8Array, backend: CryptoBackend): Uint8Array | undefined {
  if (parsed.meta.entries !== parsed.slots.length) return undefined;
  return inputs.find((input) => constantTimeEqual(computeMac(backend, dataKey, parsed.meta.salt, input), parsed.meta.mac));
}

/** §8 without the data key: the signature checked over each input `fileMacInputs` gives, the first that verifies. */
async function verifySignatureOfAny(parsed: ParsedFile, inputs: readonly Uint8Array[], backend: CryptoBackend): Promise<SignatureStatus> {
  for (const [i, input] of inputs.entries()) {
    try {
      return await verifySignature(parsed, input, backend);
    } catch (err) {
      if (!(err instanceof SignatureError) || i === inputs.length - 1) throw err;
    }
  }
  throw new Error('unreachable: fileMacInputs gives at least one input');
}

function macLeavesOf(slots: readonly Slot[]): MacLeaf[] {
  return slots.map((s) => ({ path: s.path, pathBytes: s.pathBytes, encrypted: s.token !== undefined, value: s.token ?? s.raw }));
}

/** §9 step 7. */
async function verifySignature(parsed: ParsedFile, input: Uint8Array, backend: CryptoBackend): Promise<SignatureStatus> {
  const { meta, signer } = parsed;
  if (!signer) return { kind: 'unsigned' };
  if (!meta.signature) {
    throw new SignatureError(`the file names signer ${signer.fingerprint} but has no signature line (stripped)`, { hint: 'do not use this file; ask the sender for a fresh copy' });
  }
  const ok = meta.signature.length === modulusBytes(signer) && (await backend.rsaPssVerify(signer.spkiDer, signatureMessage(input, meta.mac, backend.createSha256()), meta.signature).catch(() => false));
  if (!ok) {
    throw new SignatureError(`the signature by ${signer.fingerprint} does not verify: the file was forged or modified after signing`, { hint: 'do not use this file; ask the sender for a fresh copy' });
  }
  return { kind: 'signed', signer };
}

async function unwrapDataKey(
  meta: ParsedMetadata,
  identities: readonly ValuesIdentity[],
  backend: CryptoBackend,
  file: { readonly text: string; readonly format: ValuesFormatName },
): Promise<{ dataKey: Uint8Array; identity: ValuesIdentity }> {
  const failures: IdentityFailure[] = [];
  for (const identity of identities) {
    const fingerprint = identity.publicKey.fingerprint;
    const stanza = meta.stanzas.find((s) => fingerprintToString(s.fingerprint) === fingerprint);
    if (!stanza) continue;
    if (!isPrivateKey(identity)) {
      // Its holder checks the MAC before answering; a refusal (denied, tampered) is the answer.
      const remote = await identity.unwrapValuesKey(file.text, file.format);
      if (remote.length === DATA_KEY_LENGTH) return { dataKey: remote, identity };
      zeroize(remote);
      failures.push({ fingerprint, reason: `the data key returned has ${remote.length} bytes, expected ${DATA_KEY_LENGTH}` });
      continue;
    }
    // RFC 8017 §7.1.2 step 1, as for a .enc header (FORMAT.md §3.2).
    if (stanza.wrappedKey.length !== modulusBytes(identity.publicKey)) {
      failures.push({ fingerprint, reason: `the wrapped data key has ${stanza.wrappedKey.length} bytes, not this key's ${modulusBytes(identity.publicKey)}` });
      continue;
    }
    let key: Uint8Array;
    try {
      key = await backend.rsaOaepDecrypt(identity.pkcs8Der, stanza.wrappedKey, OAEP_LABEL);
    } catch (err) {
      if (err instanceof CryptoUnavailableError) throw err;
      failures.push({ fingerprint, reason: 'the wrapped data key does not decrypt with this key (recipient line modified, or a different key with the same fingerprint)' });
      continue;
    }
    if (key.length === DATA_KEY_LENGTH) return { dataKey: key, identity };
    zeroize(key);
    failures.push({ fingerprint, reason: `the unwrapped data key has ${key.length} bytes, expected ${DATA_KEY_LENGTH}` });
  }
  const recipients = meta.stanzas.map((s) => fingerprintToString(s.fingerprint));
  const detail = failures.length > 0 ? `; ${failures.map((f) => `${f.fingerprint}: ${f.reason}`).join('; ')}` : '';
  throw new NoIdentityMatchedError(`no identity matched: the values are encrypted to ${recipients.join(', ')}${detail}`, recipients, failures, {
    hint: identities.length === 0 ? 'no private keys are available' : 'ask someone who can open the file to add one of your public keys as a recipient',
  });
}

/**
 * A token's body (§6): canonical base64url of a nonce, the ciphertext and a tag; or why it cannot be one.
 * Opening a token and the keyless reader of values left in the clear (valuesInTheClear) ask the same.
 */
function tokenBody(token: string): { body: Uint8Array } | { problem: string; cause?: unknown } {
  let body: Uint8Array;
  try {
    body = base64UrlDecode(token.slice(TOKEN_PREFIX.length));
  } catch (cause) {
    return { problem: 'not canonical base64url', cause };
  }
  return body.length < VALUE_NONCE_LENGTH + VALUE_TAG_LENGTH ? { problem: 'too short' } : { body };
}

async function openToken(aes: AesGcm, slot: Slot, token: string): Promise<Uint8Array> {
  const read = tokenBody(token);
  if ('problem' in read) throw new FormatError(`malformed token at "${slot.name}": ${read.problem}`, read.cause === undefined ? {} : { cause: read.cause });
  const { body } = read;
  try {
    return await aes.open(body.subarray(0, VALUE_NONCE_LENGTH), body.subarray(VALUE_NONCE_LENGTH), slot.aad);
  } catch (err) {
    if (err instanceof CryptoUnavailableError) throw err;
    throw new ValueAuthError(`the encrypted value of "${slot.name}" does not open at that key: it was edited, or moved or copied from another key or file`, slot.name, {
      hint: 'take the file from version control again, or set the value anew with "custodian set"',
    });
  }
}

function entriesOf(parsed: ParsedFile): ValueEntry[] {
  return parsed.slots.map((s) => ({ path: s.path, name: s.name, encrypted: s.token !== undefined }));
}

/** A value-encrypted file opened with a private key. Holds the data key until `dispose()`. */
export class OpenedValues {
  readonly #format: ValuesFormat;
  readonly #state: KeyState;
  #disposed = false;

  /** @internal Built by `openValues`. */
  constructor(
    format: ValuesFormat,
    state: KeyState,
    /** The plaintext document, exactly as it was before encryption. */
    readonly document: string,
    readonly info: ValuesInfo,
    /** The identity whose recipient line opened the file (the default signer of a re-save). */
    readonly openedBy: ValuesIdentity,
  ) {
    this.#format = format;
    this.#state = state;
  }

  get signature(): SignatureStatus {
    return this.info.signature;
  }

  /**
   * Seals an edited document for the same recipients with the same data key: every value whose key path
   * and raw text are unchanged keeps its token byte for byte (§6).
   */
  async reseal(document: string, opts: ResealOptions): Promise<string> {
    if (this.#disposed) throw new InvalidArgumentError('this opened file was disposed');
    let state = opts.rule ? { ...this.#state, rule: opts.rule } : this.#state;
    if (opts.recipientPolicy !== undefined) state = { ...state, recipientPolicy: opts.recipientPolicy ?? undefined };
    return sealWith(document, this.#format, state, opts.backend, opts.signer);
  }

  /** Zeroes the data key and the decrypted values it kept. */
  dispose(): void {
    this.#disposed = true;
    zeroize(this.#state.dataKey);
    for (const t of this.#state.tokens.values()) zeroize(t.plaintext);
  }
}

/** Opens a value-encrypted file (§9): every check passes before the document is returned. */
export async function openValues(text: string, opts: OpenValuesOptions): Promise<OpenedValues> {
  const { backend } = opts;
  const header = parseHeader(text, opts.format);
  const { meta } = header;
  // The RSA unwrap (§9 step 3) runs on the crypto thread pool while this thread parses the document
  // (step 2); a parse error is still the error reported, and a key unwrapped meanwhile is zeroed.
  const unwrapping = unwrapDataKey(meta, opts.identities, backend, { text, format: opts.format });
  unwrapping.catch(() => undefined);
  let parsed: ParsedFile;
  try {
    parsed = { ...header, slots: slotsOf(header.format, header.document, true) };
    for (const slot of parsed.slots) if (slot.token) refuseAliasedSecret(slot, true);
  } catch (err) {
    unwrapping.then((k) => zeroize(k.dataKey), () => undefined);
    throw err;
  }
  const { slots } = parsed;
  const { dataKey, identity } = await unwrapping;
  const tokens = new Map<string, { token: string; plaintext: Uint8Array }>();
  try {
    const aes = await createValueCipher(backend, dataKey, meta.salt);
    const plaintexts: (string | undefined)[] = [];
    // The values a re-save compares with (§6), in one buffer: a buffer apiece kept for the file's
    // lifetime made every garbage collection of a large file walk them all.
    let room = 0;
    for (const slot of slots) if (slot.token) room += slot.token.length;
    const held = new Uint8Array(Math.ceil((room * 3) / 4));
    let at = 0;
    for (const slot of slots) {
      if (!slot.token) {
        plaintexts.push(undefined);
        continue;
      }
      const opened = await openToken(aes, slot, slot.token);
      const plaintext = held.subarray(at, at + opened.length);
      plaintext.set(opened);
      zeroize(opened);
      at += opened.length;
      tokens.set(slot.key, { token: slot.token, plaintext });
      let raw: string;
      try {
        raw = utf8Decode(plaintext);
      } catch (err) {
        throw new FormatError(`the value of "${slot.name}" is not UTF-8 text`, { cause: err });
      }
      plaintexts.push(raw);
    }
    if (meta.entries !== slots.length) {
      throw new ValuesMacError(`the file has ${slots.length} values but its metadata lists ${meta.entries}: an entry was ${slots.length < meta.entries ? 'removed' : 'added'} after the file was sealed`, {
        hint: 'take the file from version control again; to change entries, edit the decrypted file with Custodian',
      });
    }
    const input = verifiedMacInput(parsed, fileMacInputs(parsed), dataKey, backend);
    if (!input) {
      throw new ValuesMacError('the file MAC does not verify: a line other than a comment was edited (a value in the clear, a key, the structure around the values), entries were reordered or replaced, or the metadata was edited', {
        hint: 'take the file from version control again; to change values, edit the decrypted file with Custodian',
      });
    }
    const inClear = clearMatcher(meta.rule);
    for (const slot of slots) {
      if (!slot.token && !inClear(slot.path)) {
        throw new FormatError(`"${slot.name}" is in the clear, but the file's rule says it must be encrypted`);
      }
    }
    const signature = await verifySignature(parsed, input, backend);
    const document = replaceSpans(parsed.document, slots, (_, i) => plaintexts[i]);
    checkOpenedLeaves(parsed.format, document, slots, plaintexts);
    const info: ValuesInfo = {
      format: opts.format,
      recipients: meta.stanzas.map((s) => fingerprintToString(s.fingerprint)),
      recipientPolicy: meta.recipientPolicy,
      rule: meta.rule,
      entries: entriesOf(parsed),
      signature,
    };
    const state: KeyState = { dataKey, salt: meta.salt, stanzas: meta.stanzas, recipientPolicy: meta.recipientPolicy, rule: meta.rule, tokens };
    return new OpenedValues(parsed.format, state, document, info, identity);
  } catch (err) {
    zeroize(dataKey);
    for (const t of tokens.values()) zeroize(t.plaintext);
    throw err;
  }
}

/**
 * The data key of a value-encrypted file with one local key, released only when the file's MAC
 * verifies with it (§9 steps 1–3 and 5): what the agent answers, so it never decrypts a wrapped key
 * for a file that was not made with it (the `.enc` header MAC rule, docs/AGENT.md). The caller zeroes it.
 */
export async function unwrapValuesDataKey(text: string, format: ValuesFormatName, key: RsaPrivateKey, backend: CryptoBackend): Promise<Uint8Array> {
  const parsed = parseFile(text, format);
  const { meta } = parsed;
  const { dataKey } = await unwrapDataKey(meta, [key], backend, { text, format });
  if (!verifiedMacInput(parsed, fileMacInputs(parsed), dataKey, backend)) {
    zeroize(dataKey);
    throw new ValuesMacError('the file MAC does not verify with its data key: the file was modified, or a recipient line was taken from another file', {
      hint: 'take the file from version control again',
    });
  }
  return dataKey;
}

/**
 * The tokens of a value-encrypted file's encrypted values, by display name (§3), and its salt (hex), without
 * a key. Tokens are stable (§6): a value whose token is byte for byte one an older version had at the same
 * key holds that older value, which is how a value put back is told without decrypting anything. Only
 * versions with the same salt share a data key (§6: a reseal keeps both): between two that do not, every
 * token differs, changed values or not.
 */
export function valueTokens(text: string, format: ValuesFormatName): { salt: string; tokens: Map<string, string> } {
  const parsed = parseFile(text, format);
  return { salt: hexEncode(parsed.meta.salt), tokens: new Map(parsed.slots.flatMap((s) => (s.token === undefined ? [] : [[s.name, s.token] as const]))) };
}

/**
 * The values a value-encrypted file holds in the clear, by display name (§3), as written (raw text),
 * without a key: what anyone who can read the file reads. A merge writes no value in the clear that
 * none of its versions had so.
 */
export function clearValues(text: string, format: ValuesFormatName): Map<string, string> {
  return new Map(parseFile(text, format).slots.flatMap((s) => (s.token === undefined ? [[s.name, s.raw] as const] : [])));
}

/** The fingerprints of a value-encrypted file's recipients (§4), without a key and without checking more. */
export function valuesRecipients(text: string, format: ValuesFormatName): string[] {
  return parseFile(text, format).meta.stanzas.map((s) => fingerprintToString(s.fingerprint));
}

/** How a value-encrypted file's recipients were chosen (§4 `policy=`), without a key; undefined in older files. */
export function valuesRecipientPolicy(text: string, format: ValuesFormatName): RecipientPolicy | undefined {
  return parseHeader(text, format).meta.recipientPolicy;
}

/**
 * The signer a value-encrypted file's metadata names (§4), undefined when unsigned. A claim, not
 * verified: whom to ask about a file whose signature or values no longer check out.
 */
export function valuesClaimedSigner(text: string, format: ValuesFormatName): RsaPublicKey | undefined {
  return parseHeader(text, format).signer;
}

/**
 * Reads the metadata and verifies the signature without a private key (§8): for status bars, `inspect`,
 * a pre-commit guard. Does not check the MAC or the tokens (that needs the data key).
 */
export async function inspectValues(text: string, format: ValuesFormatName, backend: CryptoBackend): Promise<ValuesInfo> {
  const parsed = parseFile(text, format);
  const signature = await verifySignatureOfAny(parsed, fileMacInputs(parsed), backend);
  return {
    format,
    recipients: parsed.meta.stanzas.map((s) => fingerprintToString(s.fingerprint)),
    recipientPolicy: parsed.meta.recipientPolicy,
    rule: parsed.meta.rule,
    entries: entriesOf(parsed),
    signature,
  };
}

/**
 * True when `text` has a metadata block for `format` (§4). A cheap test for tools that must tell a
 * value-encrypted file from a plaintext one (a pre-commit guard): it does not validate the file;
 * `plaintextValues` does, without a key.
 */
export function isValueEncrypted(text: string, format: ValuesFormatName): boolean {
  try {
    return hasValuesMetadata(text, format);
  } catch {
    return false;
  }
}

/**
 * True when `text` has a metadata block for `format` (§4), false when it has none; FormatError when that
 * cannot be told (JSON that does not parse, a malformed block): for a tool that must say why it cannot
 * take a file rather than call it unencrypted (rekey).
 */
export function hasValuesMetadata(text: string, format: ValuesFormatName): boolean {
  return valuesFormat(format).split(text).lines !== undefined;
}

/**
 * The names (display form, §3) of every value of a plaintext .env/JSON/YAML document, e.g. what a
 * decrypted `.env.enc` holds: what to rotate once someone who could read it left. Throws FormatError
 * where sealing would.
 */
export function valueNames(document: string, formatName: ValuesFormatName): string[] {
  return slotsOf(valuesFormat(formatName), document).map((slot) => slot.name);
}

/**
 * The names of the values a value-encrypted file holds in the clear although its rule says they must be
 * encrypted (none for a file Custodian wrote). Throws FormatError when the file is not value-encrypted or
 * malformed. Needs no key: a guard refusing plaintext secrets calls this.
 */
export function plaintextValues(text: string, format: ValuesFormatName): string[] {
  const parsed = parseFile(text, format);
  const inClear = clearMatcher(parsed.meta.rule);
  return parsed.slots.filter((s) => !s.token && !inClear(s.path)).map((s) => s.name);
}

/**
 * For a commit guard (no key): a value-encrypted file's selection rule, the names of the values it holds
 * in the clear (all of them, and those its rule says must be encrypted), and who it is for. Throws
 * FormatError when the text is not a value-encrypted file.
 */
export function valuesInTheClear(
  text: string,
  format: ValuesFormatName,
): { rule: SelectionRule; names: string[]; againstRule: string[]; recipients: string[]; recipientPolicy?: RecipientPolicy } {
  const parsed = parseFile(text, format);
  const inClear = clearMatcher(parsed.meta.rule);
  // A value only shaped like a token (`custodian-val1.hunter2-prod`, typed by hand: a red team's) is no
  // sealed value: one is canonical base64url of a nonce, the ciphertext and a tag (§6).
  const clear = parsed.slots.filter((s) => !s.token || !('body' in tokenBody(s.token)));
  return {
    rule: parsed.meta.rule,
    names: clear.map((s) => s.name),
    againstRule: clear.filter((s) => !inClear(s.path)).map((s) => s.name),
    recipients: parsed.meta.stanzas.map((s) => fingerprintToString(s.fingerprint)),
    recipientPolicy: parsed.meta.recipientPolicy,
  };
}

/**
 * The values of a plaintext document whose names say they are public (core/public-names), the
 * conventions they follow and the rule that leaves exactly those conventions in the clear; undefined
 * when there is none. Throws FormatError as sealing would.
 */
export function publicValues(document: string, formatName: ValuesFormatName): { names: string[]; conventions: PublicConvention[]; rule: SelectionRule } | undefined {
  const names: string[] = [];
  const conventions = new Set<PublicConvention>();
  for (const slot of slotsOf(valuesFormat(formatName), document)) {
    const followed = slot.path.flatMap((segment) => (typeof segment === 'string' ? (publicConventionOf(segment) ?? []) : []));
    for (const convention of followed) conventions.add(convention);
    if (followed.length > 0) names.push(slot.name);
  }
  if (names.length === 0) return undefined;
  const used = PUBLIC_CONVENTIONS.filter((c) => conventions.has(c));
  return { names, conventions: used, rule: publicRule(used) };
}

/** A key a writer may leave readable (*Choose Which Stay Readable…*), and the values naming it reaches. */
export interface ReadableChoice {
  /** The key as written (a path segment): `PORT`, or `tag` of `image.tag`. */
  readonly key: string;
  /** The values (display form, §3) a rule naming this key leaves in the clear, in document order. */
  readonly names: string[];
  /** The key says its value is public (core/public-names: `*_PUBLIC`, `NEXT_PUBLIC_*`, …). */
  readonly public: boolean;
}

/**
 * The keys of a plaintext document that a rule naming them (`ruleNaming`) leaves readable with exactly
 * the values that end in them (`offered`), and those that cannot be (`notOffered`). §5 matches a string
 * segment anywhere in a path, so a key that also heads a mapping or a list would leave all below it
 * readable, and values added there later: `image` of `image.tag` is not offered, `tag` is (with every
 * value it ends, `image.tag` and `sidecar.tag`). In a .env every name. A key holding a line break is left
 * out: a rule is one metadata line. Throws FormatError as sealing would.
 */
export function readableChoices(document: string, formatName: ValuesFormatName): { offered: ReadableChoice[]; notOffered: string[] } {
  const slots = slotsOf(valuesFormat(formatName), document);
  const heads = new Set<string>();
  for (const slot of slots) {
    for (const segment of slot.path.slice(0, -1)) if (typeof segment === 'string') heads.add(segment);
  }
  const choices = new Map<string, string[]>();
  for (const slot of slots) {
    const key = slot.path[slot.path.length - 1];
    if (typeof key !== 'string' || heads.has(key) || /[\r\n]/.test(key)) continue;
    const names = choices.get(key) ?? [];
    if (names.length === 0) choices.set(key, names);
    names.push(slot.name);
  }
  return {
    offered: [...choices].map(([key, names]) => ({ key, names, public: publicConventionOf(key) !== undefined })),
    notOffered: [...heads].filter((key) => !/[\r\n]/.test(key)),
  };
}

/**
 * The names (display form, §3) of the values `rule` would leave in the clear in a plaintext document:
 * what a writer shows before sealing with a rule other than `all`. Throws FormatError as sealing would.
 */
export function namesInTheClear(document: string, formatName: ValuesFormatName, rule: SelectionRule): string[] {
  const inClear = clearMatcher(rule);
  return slotsOf(valuesFormat(formatName), document)
    .filter((s) => inClear(s.path))
    .map((s) => s.name);
}

/** Text a slip of syntax would leave readable beside a value the rule encrypts (`valuesReadableSlips`). */
export interface ReadableSlip {
  /** `cut-at-hash`: `NAME=abc#def` in a .env; `anchor-or-tag`: `password: &Sup3r!` in YAML. */
  readonly kind: 'cut-at-hash' | 'anchor-or-tag';
  /** The value's name (display form, §3). */
  readonly name: string;
  /** 1-based. */
  readonly line: number;
}

/**
 * Where a secret written with a slip of syntax would stay readable though the rule encrypts its value,
 * most likely meant as part of it (a writer says so, naming the keys, never the text): in a .env, an
 * unquoted value directly followed by `#` (the rest of the line is a comment to dotenv and Node); in
 * YAML, an anchor or a tag where the value should be (`password: &Sup3rS3cret!` has no value) or an
 * anchor before it (`password: &Sup3r S3cret`). Throws FormatError as sealing would.
 */
export function valuesReadableSlips(document: string, formatName: ValuesFormatName, rule: SelectionRule = { kind: 'all' }): ReadableSlip[] {
  const inClear = clearMatcher(rule);
  if (formatName === 'dotenv') return valuesCutAtHashLines(document).filter((c) => !inClear([c.name])).map((c) => ({ kind: 'cut-at-hash', ...c }));
  if (formatName !== 'yaml') return [];
  return yamlPropertiesOutsideValues(document)
    .filter((p) => !inClear(p.path))
    .map((p) => ({ kind: 'anchor-or-tag', name: displayPath(p.path, 'yaml'), line: lineAt(document, p.at) }));
}

/**
 * Why an edited document of an opened file cannot be saved as it is, beyond what valuesDocumentProblem
 * finds in its text alone: a YAML alias copying a value the file's rule encrypts, or a value a slip of
 * syntax would leave readable (valuesReadableSlips) that the file did not hold when it was opened
 * (`before`, the names then). A red team's save in the editor wrote `pass: &Sup3r!…` in the clear.
 */
export function valuesSaveProblem(document: string, formatName: ValuesFormatName, rule: SelectionRule, before: readonly string[]): DocumentProblem | undefined {
  const read = slotsOrProblem(valuesFormat(formatName), document);
  if ('problem' in read) return read.problem;
  const { slots } = read;
  const inClear = clearMatcher(rule);
  for (const slot of slots) {
    if (inClear(slot.path)) continue;
    try {
      refuseAliasedSecret(slot, false);
    } catch (err) {
      if (err instanceof FormatError) return { message: err.message, hint: err.hint, line: lineAt(document, slot.start) };
      throw err;
    }
  }
  const slip = valuesReadableSlips(document, formatName, rule).find((s) => !before.includes(s.name));
  if (!slip) return undefined;
  return slip.kind === 'cut-at-hash'
    ? { message: `the value of ${slip.name} stops at "#": what follows would be written readable, as a comment.`, hint: `put the whole value in quotes (${slip.name}='…#…'), or a space before "#" if a comment follows`, line: slip.line }
    : { message: `an anchor (&…) or a tag (!…) stands where the value of "${slip.name}" is: it would be written readable.`, hint: 'put the whole value in quotes ("&…" or "!…"), or take the anchor or tag away', line: slip.line };
}

/** Why a plaintext document cannot be sealed, as an editor shows it; `line` is 1-based, when known. */
export interface DocumentProblem {
  readonly message: string;
  readonly hint?: string;
  readonly line?: number;
}

/**
 * What would stop a plaintext document from being sealed (§3: it does not parse as its format, a key
 * appears twice, it already holds a metadata block), or undefined when it seals. For editors, which check
 * while the document is edited so that a save is not the first to say it.
 */
export function valuesDocumentProblem(document: string, formatName: ValuesFormatName): DocumentProblem | undefined {
  const read = slotsOrProblem(valuesFormat(formatName), document);
  return 'problem' in read ? read.problem : undefined;
}

/** The slots sealing reads in a plaintext document, or the syntax problem that stops it, as an editor shows it. */
function slotsOrProblem(format: ValuesFormat, document: string): { slots: Slot[] } | { problem: DocumentProblem } {
  try {
    return { slots: sealableSlots(format, document) };
  } catch (err) {
    if (err instanceof FormatError || err instanceof DotenvSyntaxError) return { problem: { message: err.message, hint: err.hint, line: err.line } };
    throw err;
  }
}

function findLeaf(format: ValuesFormat, document: string, name: string): Slot | undefined {
  const found = slotsOf(format, document, true).filter((s) => s.name === name);
  // `a.b` is both the key "a.b" and b under a (display names join with dots, §3): neither is guessed.
  if (found.length > 1) {
    throw new InvalidArgumentError(`"${name}" names ${found.length} values in the file (a key holding a dot, and a nested key, read alike)`, { hint: 'rename one of the keys in an editor (Custodian opens the file decrypted)' });
  }
  return found[0];
}

/**
 * The value a program reads at `name` (display form, §3) in a plaintext document: dotenv's value, a
 * JSON string's content (other JSON literals as written), a YAML scalar's value. Undefined when absent.
 */
export function readValue(document: string, formatName: ValuesFormatName, name: string): string | undefined {
  const format = valuesFormat(formatName);
  const leaf = findLeaf(format, document, name);
  if (!leaf) return undefined;
  switch (formatName) {
    case 'dotenv':
      return parseDotenv(`X=${leaf.raw}\n`)[0].value;
    case 'json': {
      const value: unknown = JSON.parse(leaf.raw);
      return typeof value === 'string' ? value : leaf.raw;
    }
    case 'yaml':
      return yamlScalarValue(leaf.raw);
  }
}

/** Why `replaceValue` cannot add `name`, a name the document does not hold yet; nothing when it can. */
function refuseNewName(document: string, formatName: ValuesFormatName, name: string): void {
  if (name.includes('=')) {
    // Most likely NAME=VALUE typed on a command line: the name is not quoted back, since it may hold the value.
    throw new InvalidArgumentError('the name given holds "=" and is not in the file: the value is never given with the name', {
      hint: 'give the name alone; the value comes from standard input (custodian set FILE NAME < FILE-WITH-THE-VALUE, or typed when asked)',
    });
  }
  const simpleName = formatName === 'dotenv' ? /^[A-Za-z_][A-Za-z0-9_.-]*$/ : /^[A-Za-z_][A-Za-z0-9_-]*$/;
  if (formatName === 'json') {
    throw new InvalidArgumentError(`"${name}" is not in the file`, { hint: 'add the member in an editor (Custodian opens the file decrypted), then set it' });
  }
  if (!simpleName.test(name)) {
    throw new InvalidArgumentError(`"${name}" is not in the file, and a new name must start with a letter or _ and hold only letters, digits, _${formatName === 'dotenv' ? ', .' : ''} and -`, {
      hint: formatName === 'yaml' ? 'check the name; a new nested key is added in an editor (Custodian opens the file decrypted)' : 'check the name',
    });
  }
  if (formatName === 'yaml' && new RegExp(`^${name}[ \\t]*:`, 'm').test(document)) {
    throw new InvalidArgumentError(`"${name}" has no value to replace (an empty or nested value)`, { hint: 'set it in an editor (Custodian opens the file decrypted)' });
  }
}

/**
 * Before any key is asked for (names are in the clear, §4): the names of a value-encrypted file's values
 * (display form, §3), which `readValue` matches; and for a `name` to set, refuses one `replaceValue`
 * could neither find nor add. Throws FormatError when the text is not a value-encrypted file.
 */
export function sealedValueNames(text: string, formatName: ValuesFormatName, settable?: string): string[] {
  const parsed = parseFile(text, formatName);
  const names = parsed.slots.map((s) => s.name);
  if (settable !== undefined && !names.includes(settable)) refuseNewName(parsed.document, formatName, settable);
  return names;
}

/**
 * `value` written as a complete value of the format, or undefined when the format cannot hold it. With
 * `previous` (the text the value replaces), its form is kept where it reads back the same: a set then
 * changes the value and nothing else in the diff, and a JSON or YAML number or boolean stays one (quoted,
 * `"retries": 5` would become the string "5" to the program reading it).
 */
function encodeValue(format: ValuesFormatName, value: string, previous?: string): string | { why: string; hint: string } {
  if (format === 'json') return previous !== undefined && sameJsonLiteralKind(previous, value) ? value : JSON.stringify(value);
  if (format === 'yaml') return previous !== undefined && yamlPlainKeeps(previous, value) ? value : JSON.stringify(value); // also a YAML double-quoted scalar
  // .env readers turn a CR into a line break (dotenv), and read a backslash before a closing quote two
  // ways (dotenv and Node's parser, docs/DOTENV.md): neither can be written so that it reads back.
  if (value.includes('\r')) return { why: 'hold a carriage return (CR): .env readers read it as a line break', hint: 'remove the CR (a value piped from a Windows file may end its lines with CR LF)' };
  const bare = /^[A-Za-z0-9_.,:/@%+=\\-]*$/.test(value);
  const quotable = !value.endsWith('\\');
  const single = quotable && !value.includes("'");
  const double = quotable && !value.includes('"') && !/\\[nr]/.test(value);
  const backtick = quotable && !value.includes('`');
  if (previous?.startsWith("'") && single) return `'${value}'`;
  if (previous?.startsWith('"') && double) return `"${value}"`;
  if (bare) return value;
  if (single) return `'${value}'`;
  if (double) return `"${value}"`;
  if (backtick) return `\`${value}\``;
  return quotable
    ? { why: 'hold all three quote characters \' " and `: one of them must close its quotes', hint: 'change the value (custodian genpass --token makes one that fits anywhere)' }
    : { why: 'end with a backslash unless it is only letters, digits and _.,:/@%+=-\\ (unquoted): .env readers read a backslash before a closing quote two ways', hint: 'change the value' };
}

/** Whether `value` is, as JSON text, a literal of the same kind as the non-string `previous` (a number for a number, …). */
function sameJsonLiteralKind(previous: string, value: string): boolean {
  if (previous.startsWith('"')) return false;
  try {
    const [was, now] = [JSON.parse(previous) as unknown, JSON.parse(value) as unknown];
    return now !== null ? typeof now === typeof was && typeof now !== 'object' : was === null;
  } catch {
    return false;
  }
}

/**
 * Whether `value` may replace the plain (unquoted) YAML scalar `previous` unquoted: a conservative set of
 * characters (no `: `, ` #`, leading indicator, space or line break), and it must resolve to the same type
 * as `previous` did under YAML 1.2's core schema and read back as `value` (a string stays a string: `true`
 * or `8080` replacing a password is quoted; `9090` replacing `8080` stays a number).
 */
function yamlPlainKeeps(previous: string, value: string): boolean {
  if (/^['"|>]/.test(previous) || /[\r\n]/.test(previous) || !/^[A-Za-z0-9_][A-Za-z0-9_./@%+=~-]*$/.test(value)) return false;
  const [was, now] = [yamlCoreValue(previous), yamlCoreValue(value)];
  if (was === undefined || now === undefined || was === null || now === null || typeof was !== typeof now || String(now) !== value) return false;
  // A string stays one for YAML 1.1 readers too (PyYAML, Go's yaml.v2): no number, and none of its booleans.
  return typeof now !== 'string' || (/^[A-Za-z]/.test(value) && !/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(value));
}

/**
 * Sets `name` to `value` in a plaintext document: replaces the value's text, or adds a line at the end
 * for a new dotenv name or a new top-level YAML key. A new JSON member, or a new nested key, is refused.
 */
export function replaceValue(document: string, formatName: ValuesFormatName, name: string, value: string): string {
  if (typeof value !== 'string') throw new TypeError(`"value" expected string, got ${typeof value}`);
  const format = valuesFormat(formatName);
  const leaf = findLeaf(format, document, name);
  const encoded = encodeValue(formatName, value, leaf?.raw);
  if (typeof encoded !== 'string') {
    throw new InvalidArgumentError(`a .env value cannot ${encoded.why}`, { hint: encoded.hint });
  }
  let written: string;
  if (leaf) written = document.slice(0, leaf.start) + encoded + document.slice(leaf.end);
  else {
    refuseNewName(document, formatName, name);
    // The file's own line break, even when its last line has none (a CRLF file is not left mixed).
    const eol = document.includes('\r\n') ? '\r\n' : '\n';
    const separator = document === '' || document.endsWith('\n') ? '' : eol;
    written = `${document}${separator}${name}${formatName === 'dotenv' ? '=' : ': '}${encoded}${eol}`;
  }
  // Whatever the quoting or the place: the file must read back as set, or nothing is written.
  let back: string | undefined;
  try {
    back = readValue(written, formatName, name);
  } catch {
    back = undefined;
  }
  if (back !== value) {
    throw new InvalidArgumentError(
      leaf
        ? `the new value of "${name}" would not read back as given once written in the file`
        : `"${name}" is not in the file, and a line added at its end would not be read as "${name}"${formatName === 'yaml' ? ' (in a file of several YAML documents, or ending with "...", it would land in another document)' : ''}`,
      { hint: leaf ? 'change the value' : 'add it in an editor (Custodian opens the file decrypted), then set it' },
    );
  }
  // The failsafe reading above ignores tags: a standard tag the new value does not fit (`!!int`) would
  // leave a file that a program's YAML reader refuses (a red team's `a: !!int 5` set to a word).
  if (formatName === 'yaml' && leaf && !yamlLoadsWithTags(written) && yamlLoadsWithTags(document)) {
    throw new InvalidArgumentError(`"${name}" carries a YAML tag (such as !!int or !!binary) that the new value does not fit: a YAML reader would refuse the file`, {
      hint: 'change or remove the tag in the decrypted file (VS Code opens it decrypted), then set the value',
    });
  }
  return written;
}
