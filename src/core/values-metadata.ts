// Metadata of a value-encrypted file, key paths and the MAC transcript: docs/VALUES.md §2–§8. Format
// independent; values-formats.ts embeds the lines in each format.
import { hkdf } from '@noble/hashes/hkdf.js';
import { base64UrlDecode, base64UrlEncode, concatBytes, utf8Encode } from './bytes';
import type { RecipientPolicy } from './envelope-header';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Sha256Hasher } from './crypto-backend';
import { FormatError, InvalidArgumentError, UnsupportedVersionError } from './errors';
import { RE2JS } from 're2js';

// §2 constants.
export const TOKEN_PREFIX = 'custodian-val1.';
const VALUE_INFO = utf8Encode('custodian/values/v1 value');
const MAC_INFO = utf8Encode('custodian/values/v1 mac');
const VALUE_AAD_CONTEXT = utf8Encode('custodian/values/v1 value\0');
const MAC_CONTEXT = utf8Encode('custodian/values/v1 mac\0');
const VALUES_SIGNATURE_CONTEXT = utf8Encode('custodian/values/v1 signature\0');
export const DATA_KEY_LENGTH = 32;
export const SALT_LENGTH = 16;
export const VALUE_NONCE_LENGTH = 12;
export const VALUE_TAG_LENGTH = 16;
const FINGERPRINT_LENGTH = 32;
const MAC_LENGTH = 32;
// FORMAT.md §3.1 bounds on a wrapped key (2048- to 16384-bit moduli) and on the recipient count.
const MIN_WRAPPED_KEY_LENGTH = 256;
const MAX_WRAPPED_KEY_LENGTH = 2048;
export const MAX_VALUE_RECIPIENTS = 256;
/** §3: deepest path a JSON or YAML document may hold; deep enough for any configuration file, and it bounds the parsers' recursion on hostile input. */
export const MAX_NESTING = 512;
/** §4: what writers write. Version 1 (its MAC does not cover the document's structure, §7) is still read. */
const VERSION = '2';
const READABLE_VERSIONS: readonly string[] = ['1', '2'];

export type ValuesFormatName = 'dotenv' | 'json' | 'yaml';
const VALUES_FORMATS: readonly ValuesFormatName[] = ['dotenv', 'json', 'yaml'];

/** One segment of a key path (§3): a key (string) or a position in a sequence (index). */
export type PathSegment = string | number;

/** §5 which leaves stay in the clear. */
export type SelectionRule = { readonly kind: 'all' } | { readonly kind: 'unencrypted-suffix'; readonly suffix: string } | { readonly kind: 'unencrypted-regex'; readonly regex: string };

export interface ValueStanza {
  readonly fingerprint: Uint8Array;
  readonly wrappedKey: Uint8Array;
}

/** The metadata lines before `mac=` (§4), parsed. */
export interface ValuesMetadata {
  readonly eolNone: boolean;
  readonly format: ValuesFormatName;
  readonly salt: Uint8Array;
  readonly recipientPolicy?: RecipientPolicy;
  readonly rule: SelectionRule;
  readonly stanzas: readonly ValueStanza[];
  readonly entries: number;
  readonly signerSpki?: Uint8Array;
}

export interface ParsedMetadata extends ValuesMetadata {
  /** `values=`: 2, or 1 for a file an earlier Custodian wrote (§7: its MAC leaves the structure out). */
  readonly version: 1 | 2;
  /** The lines before `mac=`, as written: the MAC transcript's first part (§7). */
  readonly signedLines: readonly string[];
  readonly mac: Uint8Array;
  readonly signature?: Uint8Array;
}

export function ruleToString(rule: SelectionRule): string {
  switch (rule.kind) {
    case 'all':
      return 'all';
    case 'unencrypted-suffix':
      return `unencrypted-suffix:${rule.suffix}`;
    case 'unencrypted-regex':
      return `unencrypted-regex:${rule.regex}`;
  }
}

/** §5: a longer regex is refused: nobody needs one to name the values left in the clear. */
const MAX_RULE_REGEX_LENGTH = 1024;

/**
 * §5: a rule's regex in RE2 syntax (Go's regexp, which SOPS's unencrypted_regex uses), matched in time
 * linear in the name: the rule is written by whoever commits the file, and ECMAScript's backtracking
 * `RegExp` takes exponential time on `^(a+)+$` and a name of 30 `a`s, before any key or MAC is checked.
 */
function compileRuleRegex(regex: string): RE2JS {
  if (regex.length > MAX_RULE_REGEX_LENGTH) {
    throw new FormatError(`the selection rule's regular expression is ${regex.length} characters long; the limit is ${MAX_RULE_REGEX_LENGTH}`, {
      hint: 'name the values to leave in the clear with a shorter expression, or use unencrypted-suffix',
    });
  }
  try {
    return RE2JS.compile(regex);
  } catch (err) {
    throw new FormatError(`the selection rule's regular expression does not compile as RE2 syntax: ${(err as Error).message}`, {
      cause: err,
      hint: 'the syntax is RE2\'s, as in SOPS\'s unencrypted_regex: no lookahead, lookbehind or backreferences',
    });
  }
}

/** Parses and checks a rule (also for CLI flags): a suffix must be non-empty, a regex must compile. */
export function parseRule(text: string): SelectionRule {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  if (text === 'all') return { kind: 'all' };
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? '' : text.slice(colon + 1);
  if (/[\r\n]/.test(arg)) throw new FormatError('the selection rule holds a line break');
  if (kind === 'unencrypted-suffix' && arg.length > 0) return { kind, suffix: arg };
  if (kind === 'unencrypted-regex' && arg.length > 0) {
    compileRuleRegex(arg);
    return { kind, regex: arg };
  }
  throw new FormatError(`unknown selection rule "${text.slice(0, 60)}"`, { hint: 'use "all", "unencrypted-suffix:SUFFIX" or "unencrypted-regex:REGEX"' });
}

/**
 * The rule that leaves readable the values whose path holds one of `keys` as a whole segment:
 * `unencrypted-regex:^(?:NODE_ENV|PORT)$`, each key's RE2 metacharacters escaped (a dot is no wildcard:
 * `DB.PASSWORD` names itself, not `DBXPASSWORD`). `all` for none. Throws FormatError when the keys make
 * a regex longer than a rule may be (§5), or one holds a line break.
 */
export function ruleNaming(keys: readonly string[]): SelectionRule {
  if (keys.length === 0) return { kind: 'all' };
  const regex = `^(?:${keys.map((key) => key.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')).join('|')})$`;
  if (regex.length > MAX_RULE_REGEX_LENGTH) {
    throw new FormatError(`the ${keys.length} keys make a selection rule ${regex.length} characters long; the limit is ${MAX_RULE_REGEX_LENGTH}`, {
      hint: 'leave fewer keys readable, or name them with a shorter rule (custodian encrypt --values --unencrypted-regex)',
    });
  }
  return parseRule(`unencrypted-regex:${regex}`);
}

/**
 * §5: a test, compiled once, that is true when the leaf at a path stays in the clear. A file repeats its
 * key names (every chart has its `image`, `tag`, `resources`), so each name is matched once.
 */
export function clearMatcher(rule: SelectionRule): (path: readonly PathSegment[]) => boolean {
  if (rule.kind === 'all') return () => false;
  let test: (segment: string) => boolean;
  if (rule.kind === 'unencrypted-regex') {
    const regex = compileRuleRegex(rule.regex);
    const seen = new Map<string, boolean>();
    test = (segment) => {
      let matched = seen.get(segment);
      if (matched === undefined) seen.set(segment, (matched = regex.test(segment)));
      return matched;
    };
  } else {
    const { suffix } = rule;
    test = (segment) => segment.endsWith(suffix);
  }
  return (path) => path.some((segment) => typeof segment === 'string' && test(segment));
}

/** §3 display form: segments joined by ".", the first YAML document's leading index left out. */
export function displayPath(path: readonly PathSegment[], format: ValuesFormatName): string {
  const shown = format === 'yaml' && path[0] === 0 ? path.slice(1) : path;
  return shown.map(String).join('.');
}

const utf8 = new TextEncoder();

/** Appends bytes to one growing buffer: a file has as many path encodings as leaves, too many to spread. */
class ByteWriter {
  #buffer: Uint8Array;
  #length = 0;
  constructor(capacity = 256) {
    this.#buffer = new Uint8Array(capacity);
  }
  #reserve(n: number): void {
    if (this.#length + n <= this.#buffer.length) return;
    const next = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + n));
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
  }
  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buffer.set(b, this.#length);
    this.#length += b.length;
  }
  u8(n: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = n;
  }
  u16(n: number): void {
    this.#reserve(2);
    this.#buffer[this.#length++] = n >>> 8;
    this.#buffer[this.#length++] = n & 0xff;
  }
  u32(n: number): void {
    this.#reserve(4);
    this.#writeU32(this.#length, n);
    this.#length += 4;
  }
  #writeU32(at: number, n: number): void {
    this.#buffer[at] = n >>> 24;
    this.#buffer[at + 1] = (n >>> 16) & 0xff;
    this.#buffer[at + 2] = (n >>> 8) & 0xff;
    this.#buffer[at + 3] = n & 0xff;
  }
  /** u32 length || UTF-8 bytes of `text`, encoded in place (keys and tokens are mostly ASCII). */
  lengthPrefixedUtf8(text: string): void {
    this.#reserve(4 + text.length * 3);
    const at = this.#length;
    let o = at + 4;
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      this.#buffer[o++] = c;
    }
    if (i < text.length) o += utf8.encodeInto(text.slice(i), this.#buffer.subarray(o)).written;
    this.#writeU32(at, o - at - 4);
    this.#length = o;
  }
  get length(): number {
    return this.#length;
  }
  result(): Uint8Array {
    return this.#length === this.#buffer.length ? this.#buffer : this.#buffer.slice(0, this.#length);
  }
}

function writePath(out: ByteWriter, path: readonly PathSegment[]): void {
  if (path.length > 0xffff) throw new FormatError(`a key path is ${path.length} levels deep; the limit is 65535`);
  out.u16(path.length);
  for (const segment of path) {
    if (typeof segment === 'string') {
      out.u8(0x01);
      out.lengthPrefixedUtf8(segment);
    } else {
      if (!Number.isSafeInteger(segment) || segment < 0 || segment > 0xffffffff) throw new InvalidArgumentError(`"path" index expected 0..2^32-1, got ${segment}`);
      out.u8(0x02);
      out.u32(segment);
    }
  }
}

/**
 * §6 aad = VALUE_AAD_CONTEXT || path_bytes of each path, all in one buffer (a file has as many as it has
 * leaves): a leaf's is encoded once, and its path_bytes (`subarray(VALUE_AAD_CONTEXT_LENGTH)`) go into
 * the MAC (§7).
 */
export function valueAads(paths: readonly (readonly PathSegment[])[]): Uint8Array[] {
  let size = 0;
  for (const path of paths) {
    size += VALUE_AAD_CONTEXT.length + 2;
    for (const segment of path) size += typeof segment === 'string' ? 5 + 3 * segment.length : 5;
  }
  const out = new ByteWriter(size);
  const ends: number[] = [];
  for (const path of paths) {
    out.bytes(VALUE_AAD_CONTEXT);
    writePath(out, path);
    ends.push(out.length);
  }
  const buffer = out.result();
  return ends.map((end, i) => buffer.subarray(i === 0 ? 0 : ends[i - 1], end));
}

export const VALUE_AAD_CONTEXT_LENGTH = VALUE_AAD_CONTEXT.length;

/** §2 sub-keys. The caller zeroes them. */
export function deriveValueKey(dataKey: Uint8Array, salt: Uint8Array): Uint8Array {
  return hkdf(sha256, dataKey, salt, VALUE_INFO, 32);
}
export function deriveMacKey(dataKey: Uint8Array, salt: Uint8Array): Uint8Array {
  return hkdf(sha256, dataKey, salt, MAC_INFO, 32);
}

/** §4: the lines before `mac=`, in their fixed order. */
export function encodeSignedLines(m: ValuesMetadata): string[] {
  const lines = [`values=${VERSION}`];
  if (m.eolNone) lines.push('eol=none');
  lines.push(`format=${m.format}`, `salt=${base64UrlEncode(m.salt)}`);
  if (m.recipientPolicy) lines.push(`policy=${m.recipientPolicy}`);
  lines.push(`encrypt=${ruleToString(m.rule)}`);
  for (const s of m.stanzas) lines.push(`recipient=${base64UrlEncode(s.fingerprint)}:${base64UrlEncode(s.wrappedKey)}`);
  lines.push(`entries=${m.entries}`);
  if (m.signerSpki) lines.push(`signer=${base64UrlEncode(m.signerSpki)}`);
  return lines;
}

export function encodeMetadataLines(signedLines: readonly string[], mac: Uint8Array, signature?: Uint8Array): string[] {
  return [...signedLines, `mac=${base64UrlEncode(mac)}`, ...(signature ? [`signature=${base64UrlEncode(signature)}`] : [])];
}

function decodeField(name: string, value: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64UrlDecode(value);
  } catch (err) {
    throw new FormatError(`malformed metadata: "${name}=" is not canonical base64url`, { cause: err });
  }
  if (length !== undefined && bytes.length !== length) throw new FormatError(`malformed metadata: "${name}=" holds ${bytes.length} bytes, expected ${length}`);
  return bytes;
}

/** §4: parses the metadata lines (order, counts, encodings). Keys and the MAC are checked elsewhere. */
export function parseMetadataLines(lines: readonly string[]): ParsedMetadata {
  let i = 0;
  const next = (name: string, required: boolean): string | undefined => {
    const line = lines[i];
    if (line !== undefined && line.startsWith(`${name}=`)) {
      i++;
      return line.slice(name.length + 1);
    }
    if (required) throw new FormatError(`malformed metadata: expected a "${name}=" line${line === undefined ? ' before the end' : `, found "${line.slice(0, 40)}"`}`, { hint: 'the metadata block at the end of the file was edited; take the file from version control again' });
    return undefined;
  };
  const version = next('values', true)!;
  if (!READABLE_VERSIONS.includes(version)) {
    throw new UnsupportedVersionError(`unsupported value-encrypted file version "${version.slice(0, 20)}" (this Custodian reads versions ${READABLE_VERSIONS.join(' and ')})`, { hint: 'update Custodian to open this file' });
  }
  const eol = next('eol', false);
  if (eol !== undefined && eol !== 'none') throw new FormatError('malformed metadata: "eol=" must be "none"');
  const format = next('format', true)!;
  if (!(VALUES_FORMATS as readonly string[]).includes(format)) throw new FormatError(`malformed metadata: unknown format "${format.slice(0, 20)}"`);
  const salt = decodeField('salt', next('salt', true)!, SALT_LENGTH);
  const policyText = next('policy', false);
  // FORMAT.md §3.4: an unknown policy reads as "chosen", never re-keyed to a team.
  const recipientPolicy: RecipientPolicy | undefined = policyText === undefined ? undefined : policyText === 'team' ? 'team' : 'chosen';
  const rule = parseRule(next('encrypt', true)!);
  const stanzas: ValueStanza[] = [];
  const seen = new Set<string>();
  for (let r = next('recipient', false); r !== undefined; r = next('recipient', false)) {
    if (stanzas.length === MAX_VALUE_RECIPIENTS) throw new FormatError(`too many recipients: the limit is ${MAX_VALUE_RECIPIENTS}`);
    const colon = r.indexOf(':');
    if (colon < 0) throw new FormatError('malformed metadata: a "recipient=" line without ":"');
    const fingerprint = decodeField('recipient', r.slice(0, colon), FINGERPRINT_LENGTH);
    const wrappedKey = decodeField('recipient', r.slice(colon + 1));
    if (wrappedKey.length < MIN_WRAPPED_KEY_LENGTH || wrappedKey.length > MAX_WRAPPED_KEY_LENGTH) {
      throw new FormatError(`malformed metadata: a recipient with a ${wrappedKey.length}-byte wrapped key`);
    }
    const id = r.slice(0, colon);
    if (seen.has(id)) throw new FormatError('malformed metadata: a recipient appears twice');
    seen.add(id);
    stanzas.push({ fingerprint, wrappedKey });
  }
  if (stanzas.length === 0) throw new FormatError('malformed metadata: no "recipient=" line');
  const entriesText = next('entries', true)!;
  if (!/^(0|[1-9][0-9]{0,8})$/.test(entriesText)) throw new FormatError('malformed metadata: "entries=" is not a decimal count');
  const signerText = next('signer', false);
  const signerSpki = signerText === undefined ? undefined : decodeField('signer', signerText);
  const signedLines = lines.slice(0, i);
  const mac = decodeField('mac', next('mac', true)!, MAC_LENGTH);
  const signatureText = next('signature', false);
  const signature = signatureText === undefined ? undefined : decodeField('signature', signatureText);
  if (signature && !signerSpki) throw new FormatError('malformed metadata: a "signature=" line without a "signer=" line');
  if (i < lines.length) throw new FormatError(`malformed metadata: unexpected line "${lines[i].slice(0, 40)}"`, { hint: 'the metadata block at the end of the file was edited; take the file from version control again' });
  return { version: version === '1' ? 1 : 2, eolNone: eol !== undefined, format: format as ValuesFormatName, salt, recipientPolicy, rule, stanzas, entries: Number(entriesText), signerSpki, signedLines, mac, signature };
}

/** One leaf as the MAC sees it (§7). */
export interface MacLeaf {
  readonly path: readonly PathSegment[];
  /** §3 path_bytes of `path`, when the caller has them already (`valueAads` holds them). */
  readonly pathBytes?: Uint8Array;
  readonly encrypted: boolean;
  /** The token (encrypted) or the raw text (in the clear). */
  readonly value: string;
}

/**
 * §7: a value in the clear as the MAC covers it, each CR LF and lone CR made LF, as every YAML and dotenv
 * reader reads a line break inside a value: so git's line-ending conversion (core.autocrlf) of a
 * multi-line value left in the clear (a public certificate) leaves the MAC as it was.
 */
function clearValueForMac(raw: string): string {
  return raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
}

/**
 * §7 mac_input. `document` (the sealed document, tokens in place, metadata removed: §4) is covered from
 * version 2 on; undefined for a version 1 file. `rawClearValues`: the input of a writer before §7's
 * line-break rule, which covered a value in the clear as written (§9 reads such a file still).
 */
export function macInput(signedLines: readonly string[], leaves: readonly MacLeaf[], document: string | undefined, options: { rawClearValues?: boolean } = {}): Uint8Array {
  const out = new ByteWriter(MAC_CONTEXT.length + 128 * (leaves.length + signedLines.length) + (document?.length ?? 0));
  out.bytes(MAC_CONTEXT);
  for (const line of signedLines) out.bytes(utf8Encode(`${line}\n`));
  out.u32(leaves.length);
  for (const leaf of leaves) {
    if (leaf.pathBytes) out.bytes(leaf.pathBytes);
    else writePath(out, leaf.path);
    out.u8(leaf.encrypted ? 0x01 : 0x00);
    out.lengthPrefixedUtf8(leaf.encrypted || options.rawClearValues ? leaf.value : clearValueForMac(leaf.value));
  }
  if (document !== undefined) {
    // Most of a large file: encoded natively rather than character by character.
    const covered = utf8Encode(coveredText(document));
    out.u32(covered.length);
    out.bytes(covered);
  }
  return out.result();
}

/**
 * §7 covered text: every line of the document (split at every line break any YAML or dotenv reader may
 * see: CR, LF, NEL, LS, PS; spaces and tabs at its end removed) except blank lines and full-line comments
 * (the first character other than space or tab is `#`), each followed by LF. So everything that makes
 * the file's structure is authenticated (keys without values, empty collections, YAML tags, anchors and
 * aliases, inline comments), while full-line comments and blank lines can still be edited by hand, and
 * line endings converted by git. Splitting at a lone CR too matters: YAML ends a line there, so a
 * "comment" `#\r*alias` would otherwise hide a line from the MAC.
 */
function coveredText(document: string): string {
  const lines: string[] = [];
  // Splitting at one character is V8's fast path; most files have no break but LF.
  for (const line of RARE_LINE_BREAK.test(document) ? document.split(LINE_BREAK) : document.split('\n')) {
    let last = line.length;
    while (last > 0 && isIndent(line.charCodeAt(last - 1))) last--;
    let first = 0;
    while (first < last && isIndent(line.charCodeAt(first))) first++;
    if (first < last && line.charCodeAt(first) !== 0x23) lines.push(last === line.length ? line : line.slice(0, last));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** LF, CR, NEL, LS, PS: YAML 1.2 breaks lines at the first two, YAML 1.1 readers at all five (§7). */
export const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;
const RARE_LINE_BREAK = /[\r\u0085\u2028\u2029]/;

function isIndent(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** §8 message = SIGNATURE_CONTEXT || SHA-256(mac_input || mac). */
export function signatureMessage(input: Uint8Array, mac: Uint8Array, hasher: Sha256Hasher): Uint8Array {
  return signatureMessageForDigest(signatureDigest(input, mac, hasher));
}

/** §8 digest = SHA-256(mac_input || mac): what a signer held elsewhere (the agent) is sent. */
export function signatureDigest(input: Uint8Array, mac: Uint8Array, hasher: Sha256Hasher): Uint8Array {
  hasher.update(input);
  hasher.update(mac);
  return hasher.digest();
}

export function signatureMessageForDigest(digest: Uint8Array): Uint8Array {
  return concatBytes(VALUES_SIGNATURE_CONTEXT, digest);
}
