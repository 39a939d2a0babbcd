// The rules of `custodian guard` (docs/GIT.md): which staged files must not be committed, judged on
// the bytes in git's index. Pure: the host reads the index and prints the findings.
import { ARMOR_BEGIN } from './armor';
import { inspectEnvelope, type EnvelopeInfo } from './envelope';
import type { RecipientPolicy } from './envelope-header';
import type { RsaPublicKey } from './keys';
import { PathPatterns } from './path-patterns';
import { hasConflictMarkers } from './conflict-markers';
import { valuesFormatForFileName, valuesInTheClear } from './values';
import { isConflictedValues } from './values-conflict';
import { PUBLIC_CONVENTIONS } from './public-names';
import { LineAfterMetadataError } from './errors';
import { DECRYPTED_COPY_SUFFIX } from './decrypted-copy';
import { TOKEN_PREFIX } from './values-metadata';
import { base64Decode } from './bytes';
import { parseDerPrefix, readOid, Tag } from './der';

export const ENC_SUFFIX = '.enc';

export type GuardRule = 'plaintext-path' | 'private-key' | 'plaintext-twin' | 'corrupt-enc' | 'corrupt-values' | 'converted-enc' | 'unresolved-conflict' | 'recipient-drift';

export interface GuardFinding {
  readonly path: string;
  readonly rule: GuardRule;
  /** An error blocks the commit; a warning is printed and lets it through. */
  readonly severity: 'error' | 'warning';
  /** What is wrong, without the file's content. */
  readonly message: string;
  /** What to run or do about it. */
  readonly fix: string;
  /**
   * An error's fix in a few words, then why (`git rm --cached a.txt and add it to .gitignore: …`): a
   * refused commit leads with it, as VS Code shows only the first line a hook printed.
   */
  readonly brief?: string;
}

export interface StagedFile {
  /** Repository-relative, `/` separators. */
  readonly path: string;
  /** The staged bytes (undefined when too large to scan; only the path rules apply then). */
  readonly content?: Uint8Array;
}

export interface GuardInput {
  /** The files to check (the staged ones, or every tracked one for `--all`). */
  readonly files: readonly StagedFile[];
  /**
   * The last commit's version of the checked files (the pre-commit check; none for `--all`): a value a
   * regex rule left in the clear there was already shown for review, so only new ones are named again.
   */
  readonly committed?: ReadonlyMap<string, Uint8Array>;
  /**
   * The indexed bytes of each file that is the plain twin of a staged `.enc` file and is not staged
   * itself (a value-encrypted twin holds no plaintext); staged files' bytes are in `files`.
   */
  readonly twins?: ReadonlyMap<string, Uint8Array>;
  /**
   * The working tree's bytes of staged files refused as plaintext that may be value-encrypted (the
   * pre-commit check): encrypted there since they were staged, the fix is to stage them again.
   */
  readonly workingTree?: ReadonlyMap<string, Uint8Array>;
  /**
   * Staged binary `.enc` files that git stored with other bytes than the working file's (the pre-commit
   * check), each with the attributes that convert it (`text eol=crlf`).
   */
  readonly converted?: ReadonlyMap<string, string>;
  /** Every path in the index after the commit, to find plaintext twins. */
  readonly indexPaths: ReadonlySet<string>;
  /** guard.plaintextPaths of the repository's config. */
  readonly plaintextPaths: readonly string[];
  /** The committed roster (`.custodian/team/*.pub`); empty when the repository has none. */
  readonly roster: readonly { readonly name: string; readonly key: RsaPublicKey }[];
  /** Quotes a path for a shell command in a fix. */
  readonly quote: (s: string) => string;
  /** Shows a path from the repository in a message (control characters made visible). */
  readonly show: (s: string) => string;
}

/**
 * PEM and OpenSSH private key armor lines (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted PKCS#8) and PGP
 * secret key blocks. The BEGIN line is enough, whatever follows it (a key cut in half, concatenated in
 * code, escaped in JSON or XML still leaks), except in a value-encrypted file (below).
 */
const PRIVATE_KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;

/**
 * What private key the text holds, or undefined. A PEM or PGP BEGIN line (below); the same, base64-encoded
 * (a Kubernetes Secret's `tls.key: LS0tLS1CRUdJTi…`, a CI variable); a private JSON Web Key (`"d"` beside
 * `"kty"`); a PuTTY key file. In a value-encrypted file, whose values are tokens and whose comments
 * document its settings, a BEGIN line counts only when key material follows it: a run of 40 base64
 * characters within the next 1,200 characters (`\/` read as `/`). Bitnami's nginx values say a key
 * "should start with -----BEGIN RSA PRIVATE KEY-----" in a comment; that file, every value encrypted, was
 * refused (a red team). A key pasted into such a file, in a comment or a value left in the clear, still
 * has its material after the line. Every other file keeps the BEGIN line alone as the rule: narrowing it
 * there let real keys pass (a second red team: a key concatenated in code, escaped in XML, written by
 * `echo` line by line).
 */
function privateKeyIn(text: string, valueEncrypted: boolean): string | undefined {
  // Tokens and the metadata block are base64 too: left out of a value-encrypted file's text first.
  const scanned = valueEncrypted ? withoutTokensAndMetadata(text) : text;
  for (const m of scanned.matchAll(PRIVATE_KEY_BEGIN)) {
    if (!valueEncrypted) return 'a private key block';
    const after = scanned.slice(m.index + m[0].length, m.index + m[0].length + 1200).replace(/\\\//g, '/');
    if (/[A-Za-z0-9+/]{40}/.test(after)) return 'a private key block';
  }
  const encoded = base64PrivateKeyIn(scanned);
  if (encoded !== undefined) return encoded;
  if (holdsPrivateJwk(scanned)) return 'a private JSON Web Key';
  if (holdsPuttyKey(scanned)) return 'a PuTTY private key';
  return undefined;
}

/**
 * base64 of five dashes, at each of the three offsets a PEM block can start at in the encoded bytes: every
 * base64-encoded BEGIN line holds it, so only the runs that do are decoded.
 */
const BASE64_DASHES = 'LS0tL';
/**
 * A base64 or base64url run on one line, and a wrapped run's next line (`base64` wraps at 76 characters; a
 * YAML block scalar indents each line): a line of base64 alone. Only a run's start needs to decode: a key's
 * BEGIN line or DER header is in its first 40 characters, so a key cut into pieces by code (`"…" +`, `\n`
 * escapes) is found by its first piece.
 */
const BASE64_LINE_RUN = /[A-Za-z0-9+/_-]{40,}={0,2}/g;
const BASE64_NEXT_LINE = /[ \t]*\r?\n[ \t]*([A-Za-z0-9+/_-]{4,}={0,2})[ \t]*(?=\r?\n|$)/y;
/** How much of a wrapped run is joined: a key with a certificate chain before it fits many times over. */
const MAX_JOINED_RUN = 1 << 20;

/**
 * The base64 runs of `text`, wrapped lines joined, each read once. A loop, not one regular expression
 * with a repeated group for the lines: on a red team's 6 MB of short base64 lines that one overflowed
 * the stack (RangeError), and the guard with it.
 */
function* base64Runs(text: string): Generator<string> {
  BASE64_LINE_RUN.lastIndex = 0;
  for (let m = BASE64_LINE_RUN.exec(text); m !== null; m = BASE64_LINE_RUN.exec(text)) {
    const pieces = [m[0]];
    let length = m[0].length;
    BASE64_NEXT_LINE.lastIndex = m.index + length;
    // Padding ends a run; so does the cap.
    for (let last = m[0]; !last.endsWith('=') && length < MAX_JOINED_RUN; ) {
      const next = BASE64_NEXT_LINE.exec(text);
      if (next === null) break;
      last = next[1];
      pieces.push(last);
      length += last.length;
      BASE64_LINE_RUN.lastIndex = BASE64_NEXT_LINE.lastIndex;
    }
    yield pieces.join('');
  }
}

/**
 * A private key base64-encoded without its armor lines: a PEM block (a Kubernetes Secret's `tls.key:
 * LS0tLS1CRUdJTi…`, a CI variable), a key's DER (`PRIVATE_KEY: MIIEvQIBADAN…`, the body of a PEM without
 * its lines) or an OpenSSH key's body.
 */
function base64PrivateKeyIn(text: string): string | undefined {
  for (const run of base64Runs(text)) {
    const pem = run.includes(BASE64_DASHES);
    if (!pem && !run.startsWith(BASE64_DER_SEQUENCE) && !run.startsWith(BASE64_OPENSSH)) continue;
    const decoded = decodeRun(run);
    if (decoded === undefined) continue;
    if (pem && asciiView(decoded).search(PRIVATE_KEY_BEGIN) >= 0) return 'a base64-encoded private key block';
    if (isDerPrivateKey(decoded)) return 'a private key (DER, base64-encoded)';
    if (run.startsWith(BASE64_OPENSSH)) return 'an OpenSSH private key (base64, without its armor lines)';
  }
  return undefined;
}

/**
 * The bytes a base64 run encodes, its last group padded; a run that ends in text which is not part of the
 * encoding (a line after a wrapped block) loses only that group.
 */
function decodeRun(run: string): Uint8Array | undefined {
  const joined = run.replace(/\s+/g, '').replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const whole = joined.length % 4 === 1 ? joined.slice(0, -1) : joined;
  for (const text of [whole + '='.repeat((4 - (whole.length % 4)) % 4), joined.slice(0, joined.length - (joined.length % 4))]) {
    try {
      return base64Decode(text);
    } catch {
      // Not canonical at its end: try again without the last group.
    }
  }
  return undefined;
}

/** base64 of a DER SEQUENCE's tag: every key's DER, encoded alone, starts with it. */
const BASE64_DER_SEQUENCE = 'M';
/** base64 of "openssh-key-v1\0", the magic an OpenSSH private key's body starts with (PROTOCOL.key). */
const BASE64_OPENSSH = 'b3BlbnNzaC1rZXktdjEA';

const OID_PBES2 = '1.2.840.113549.1.5.13';
/** PKCS#12's password-based encryption schemes (RFC 7292 appendix C), as old `openssl pkcs8 -topk8` writes. */
const OID_PKCS12_PBE_PREFIX = '1.2.840.113549.1.12.1.';

/**
 * Whether `bytes` start with a private key's DER: PKCS#1 RSAPrivateKey (version 0, then the modulus),
 * PKCS#8 PrivateKeyInfo / OneAsymmetricKey (version 0 or 1, an algorithm, an OCTET STRING), SEC1
 * ECPrivateKey (version 1, a private key of 20 to 72 bytes, then its curve or public key, if any) or
 * EncryptedPrivateKeyInfo (a password-based scheme, an OCTET STRING). Only the first elements are read,
 * and the last of them may be cut short: the start of a key split across lines of code is enough.
 * Certificates, public keys, requests, signatures and SNMP packets (version 1, a community string, a
 * PDU: a red team's fixture) have other shapes.
 */
function isDerPrivateKey(bytes: Uint8Array): boolean {
  const items = leadingElements(bytes, 3);
  if (items === undefined) return false;
  const [first, second, third] = items;
  if (first?.tag === Tag.INTEGER && first.value.length === 1) {
    const version = first.value[0];
    if (version === 0 && second?.tag === Tag.INTEGER && second.length >= 128) return true;
    if (version <= 1 && second?.tag === Tag.SEQUENCE && second.value[0] === Tag.OID && third?.tag === Tag.OCTET_STRING) return true;
    if (version === 1 && second?.tag === Tag.OCTET_STRING && second.length >= 20 && second.length <= 72) {
      // The curve ([0], an OID) or the public key ([1], a BIT STRING), when the writer kept them.
      return third === undefined || (third.tag === 0xa0 && third.value[0] === Tag.OID) || (third.tag === 0xa1 && third.value[0] === Tag.BIT_STRING);
    }
  }
  if (first?.tag === Tag.SEQUENCE && second?.tag === Tag.OCTET_STRING && third === undefined) {
    let oid: string;
    try {
      oid = readOid(parseDerPrefix(first.value), 'encryption scheme');
    } catch {
      return false;
    }
    return oid === OID_PBES2 || oid.startsWith(OID_PKCS12_PBE_PREFIX);
  }
  return false;
}

/**
 * The first `count` elements inside the SEQUENCE `bytes` starts with: each element's tag, declared length
 * and the content bytes present (all of them but for the last element read, which may be cut short). An
 * element after one cut short is not read. Undefined when `bytes` does not start with a SEQUENCE.
 */
function leadingElements(bytes: Uint8Array, count: number): { tag: number; length: number; value: Uint8Array }[] | undefined {
  const header = derHeader(bytes, 0);
  if (header === undefined || bytes[0] !== Tag.SEQUENCE) return undefined;
  const end = Math.min(bytes.length, header.start + header.length);
  const items: { tag: number; length: number; value: Uint8Array }[] = [];
  let at = header.start;
  while (items.length < count && at < end) {
    const item = derHeader(bytes, at);
    if (item === undefined) return items.length > 0 ? items : undefined;
    items.push({ tag: bytes[at], length: item.length, value: bytes.subarray(item.start, Math.min(end, item.start + item.length)) });
    if (item.start + item.length > end) break;
    at = item.start + item.length;
  }
  // The outer SEQUENCE must end where its last element does, when all of it is here.
  if (header.start + header.length <= bytes.length && at !== end && items.length < count) return undefined;
  return items;
}

/** A DER tag and definite length at `at`: where the content starts and how long it says it is. */
function derHeader(bytes: Uint8Array, at: number): { start: number; length: number } | undefined {
  if (at + 2 > bytes.length || (bytes[at] & 0x1f) === 0x1f) return undefined;
  const first = bytes[at + 1];
  if (first < 0x80) return { start: at + 2, length: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || at + 2 + count > bytes.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i];
  return length < 0x80 ? undefined : { start: at + 2 + count, length };
}

/**
 * A JSON Web Key with its private member (`"d"`, RFC 7518 §6.2.2 and §6.3.2; RFC 8037 for OKP), in JSON,
 * YAML or escaped inside a JSON string: `kty` and, in the same object, a `d` of 40 or more base64url
 * characters (a P-256 key's is 43). The object is found by its braces (JWK members hold none) within
 * 16,000 characters each way (an `x5c` chain may stand between `kty` and `d`); a red team's minified
 * bundle, a public JWK beside an SVG path's `d:`, was refused when any `d` nearby counted. In YAML, with
 * no braces, the text around `kty` is read instead.
 */
const JWK_TYPE = /\\?["']?\bkty\\?["']?\s*:\s*\\?["']?(?:RSA|EC|OKP)\b/g;
const JWK_PRIVATE = /(?:^|[\s{,"'\\])d\\?["']?\s*:\s*\\?["']?[A-Za-z0-9_-]{40,}/m;
const JWK_REACH = 16_000;

function holdsPrivateJwk(text: string): boolean {
  JWK_TYPE.lastIndex = 0;
  for (let m = JWK_TYPE.exec(text); m !== null; m = JWK_TYPE.exec(text)) {
    const from = Math.max(0, m.index - JWK_REACH);
    const to = Math.min(text.length, m.index + JWK_REACH);
    const open = nearest(text, m.index, from, -1);
    const close = open < 0 ? -1 : nearest(text, m.index, to, 1);
    const object = open >= 0 && close >= 0;
    if (JWK_PRIVATE.test(object ? text.slice(open, close + 1) : text.slice(from, to))) return true;
    // Each stretch is read once, every kty in it skipped: a file of repeated `kty` stays linear.
    JWK_TYPE.lastIndex = Math.max(JWK_TYPE.lastIndex, object ? close + 1 : to);
  }
  return false;
}

/**
 * Where the braces of the object around `at` are: the `{` before it (`step` -1, down to `limit`) or the
 * `}` after it (`step` 1, up to `limit`), or -1 when the other brace, or the limit, comes first.
 */
function nearest(text: string, at: number, limit: number, step: 1 | -1): number {
  const wanted = step < 0 ? 0x7b : 0x7d;
  const other = step < 0 ? 0x7d : 0x7b;
  for (let i = at; step < 0 ? i >= limit : i < limit; i += step) {
    const c = text.charCodeAt(i);
    if (c === wanted) return i;
    if (c === other) return -1;
  }
  return -1;
}

/** A PuTTY `.ppk` file (versions 2 and 3): its header, then its private lines and the first of them. */
const PUTTY_HEADER = /PuTTY-User-Key-File-\d+:/;
const PUTTY_PRIVATE = /Private-Lines:[ \t]*\d+\r?\n[A-Za-z0-9+/]{40,}/;

/**
 * Two searches, each once over the text (a lazy `[^]*?` between them was retried from every header: a
 * red team's 1.6 MB of headers held the guard for 57 s). A document showing the layout without key
 * material passes.
 */
function holdsPuttyKey(text: string): boolean {
  const header = text.search(PUTTY_HEADER);
  return header >= 0 && PUTTY_PRIVATE.test(text.slice(header));
}

function withoutTokensAndMetadata(text: string): string {
  const metadata = Math.min(...VALUES_MARKERS.map((m) => text.indexOf(m)).filter((i) => i >= 0), text.length);
  return text.slice(0, metadata).split(TOKEN_PREFIX).map((piece, i) => (i === 0 ? piece : piece.replace(/^[A-Za-z0-9_-]*/, ''))).join(' ');
}

/**
 * The text a key is looked for in: UTF-16 after its byte order mark (Windows PowerShell 5.1's `>` and
 * `Out-File` write it: a red team's key saved so passed), else the Latin-1 view of the bytes.
 */
function keyScanView(bytes: Uint8Array): string {
  const bom = bytes.length >= 2 ? (bytes[0] << 8) | bytes[1] : 0;
  if (bom === 0xfffe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bom === 0xfeff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return asciiView(bytes);
}

/** Latin-1 view of bytes: finds ASCII markers in any encoding without failing on invalid UTF-8. */
function asciiView(bytes: Uint8Array): string {
  let s = '';
  for (let k = 0; k < bytes.length; k += 0x2000) s += String.fromCharCode.apply(null, bytes.subarray(k, k + 0x2000) as unknown as number[]);
  return s;
}

/** The clear values of a value-encrypted file at `path`, or undefined when it is not one. */
function valuesOf(path: string, content: Uint8Array): ReturnType<typeof valuesInTheClear> | undefined {
  const format = valuesFormatForFileName(path);
  if (!format) return undefined;
  try {
    return valuesInTheClear(new TextDecoder('utf-8', { fatal: true }).decode(content), format);
  } catch {
    return undefined;
  }
}

/** The first line of a value-encrypted file's metadata block (VALUES.md §4): dotenv and YAML, JSON. */
const VALUES_MARKERS = ['#custodian:values=', '"custodian:values"'];

/** Why two versions of an encrypted file may be one file: a merge that is not Custodian's. */
const SPLICED = 'two versions spliced together, as a merge by git\'s own driver (a .gitattributes merge=union) leaves them';

/**
 * Why the file at `path`, which carries a value-encrypted file's metadata, does not parse as one (two
 * metadata blocks, an edited one); undefined when it has none or parses.
 */
function malformedValues(path: string, content: Uint8Array): { reason: string; appended: boolean } | undefined {
  const format = valuesFormatForFileName(path);
  if (!format) return undefined;
  const text = asciiView(content);
  const markers = VALUES_MARKERS.reduce((n, m) => n + text.split(m).length - 1, 0);
  if (markers === 0) return undefined;
  // A line-wise merge keeps the lines both versions share (`values=`, `signer=`) once, and both `mac=`.
  const blocks = Math.max(markers, (text.match(/(?:#custodian:|")mac=/g) ?? []).length);
  try {
    valuesInTheClear(new TextDecoder('utf-8', { fatal: true }).decode(content), format);
    return undefined;
  } catch (err) {
    return blocks > 1 ? { reason: `${blocks} metadata blocks: ${SPLICED}`, appended: false } : { reason: (err as Error).message, appended: err instanceof LineAfterMetadataError };
  }
}

/** Whether the file at `path` is a value-encrypted file the merge driver left in conflict. */
function conflictedValues(path: string, content: Uint8Array): boolean {
  const format = valuesFormatForFileName(path);
  if (!format || !hasConflictMarkers(asciiView(content))) return false;
  try {
    return isConflictedValues(new TextDecoder('utf-8', { fatal: true }).decode(content), format);
  } catch {
    return false;
  }
}

function isEncrypted(path: string): boolean {
  return path.endsWith(ENC_SUFFIX);
}

/**
 * Runs every rule; findings are ordered errors first, then by path. Errors lead because a failed commit
 * in VS Code shows only the first line the hook printed.
 */
export async function checkStagedFiles(input: GuardInput): Promise<GuardFinding[]> {
  const patterns = new PathPatterns(input.plaintextPaths);
  const { quote, show } = input;
  const findings: GuardFinding[] = [];
  const encryptFix = (p: string): string => `custodian encrypt -R .custodian/team -o ${quote(p + ENC_SUFFIX)} ${quote(p)} && git rm --cached ${quote(p)}, and add ${quote(p)} to .gitignore`;
  const twins = new Set<string>();
  const staged = new Map(input.files.map((f) => [f.path, f.content]));
  const addTwin = (plain: string): void => {
    if (twins.has(plain)) return;
    twins.add(plain);
    const content = staged.get(plain) ?? input.twins?.get(plain);
    if (content !== undefined && valuesOf(plain, content) !== undefined) {
      // Its values are sealed: no plaintext, but two encrypted copies of one file that will drift apart.
      findings.push({
        path: plain,
        rule: 'plaintext-twin',
        severity: 'warning',
        message: `${show(plain)} is value-encrypted, and ${show(plain + ENC_SUFFIX)} beside it is another encrypted copy of it: teammates will update one and read the other`,
        fix: `keep the one the team uses: git rm ${quote(plain + ENC_SUFFIX)} (or git rm ${quote(plain)})`,
      });
      return;
    }
    findings.push({
      path: plain,
      rule: 'plaintext-twin',
      severity: 'error',
      message: `${show(plain)} is the plaintext of ${show(plain + ENC_SUFFIX)}, which is committed encrypted beside it`,
      fix: `git rm --cached ${quote(plain)} and add ${quote(plain)} to .gitignore`,
      brief: `unstage ${show(plain)} (git rm --cached ${quote(plain)}) and add it to .gitignore: it is the plaintext of ${show(plain + ENC_SUFFIX)}`,
    });
  };

  for (const file of input.files) {
    const p = file.path;
    if (isEncrypted(p)) {
      const plain = p.slice(0, -ENC_SUFFIX.length);
      if (plain !== '' && input.indexPaths.has(plain)) addTwin(plain);
      const conversion = input.converted?.get(p);
      if (conversion !== undefined) {
        findings.push({
          path: p,
          rule: 'converted-enc',
          severity: 'error',
          message: `${show(p)} is staged with other bytes than the file Custodian wrote: git converts it (${show(conversion)}), and the committed file would not decrypt`,
          brief: `add "*.enc -text" to .gitattributes, then git add --renormalize ${quote(p)}: git converts ${show(p)} and the commit would not decrypt`,
          fix: `add "*.enc -text" to .gitattributes after the line that sets ${show(conversion)} (or remove that line; a filter, ident or working-tree-encoding must not apply to .enc files), then "git add --renormalize ${quote(p)}" (a plain git add may keep the converted bytes when the file looks unchanged): the file in the working tree is intact`,
        });
      }
      if (file.content !== undefined) findings.push(...(await checkEncrypted(p, file.content, input)));
      continue;
    }
    const rule = patterns.match(p);
    if (file.content !== undefined && conflictedValues(p, file.content)) {
      // Both sides sealed between markers, as the merge driver leaves a conflict (VALUES.md §12): a
      // trial's "stage all" committed one, and the file then opened for no one as it should.
      findings.push({
        path: p,
        rule: 'unresolved-conflict',
        severity: 'error',
        message: `${show(p)} still holds both sides of a merge conflict, sealed between conflict markers`,
        brief: `resolve the merge conflict in ${show(p)}, then git add ${quote(p)}: it still holds both sides, sealed`,
        fix: `resolve it in VS Code ("Resolve in Merge Editor", or keep one side in the decrypted editor and save), then git add ${quote(p)}`,
      });
      continue;
    }
    const malformed = file.content !== undefined ? malformedValues(p, file.content) : undefined;
    if (malformed !== undefined) {
      // Its values are sealed, but the file opens for no one (VALUES.md §4). A line after the block is
      // most likely one appended by hand (echo NAME=value >> .env): in the clear, and in .git/objects now.
      const { reason, appended } = malformed;
      findings.push({
        path: p,
        rule: 'corrupt-values',
        severity: 'error',
        message: appended
          ? `${show(p)} has a line after its #custodian: block (added at the end by hand?): that line is not encrypted, and the file would open for no one`
          : `${show(p)} is a malformed value-encrypted file (${show(reason)}): it would open for no one`,
        brief: appended
          ? `remove the lines after the #custodian: block of ${show(p)} and set their values with custodian set: they are in the clear`
          : `take one version of ${show(p)} and set the values again: it is a malformed value-encrypted file`,
        fix: appended
          ? `remove the lines after the #custodian: block, then set each value with: custodian set ${quote(p)} NAME < FILE-WITH-THE-VALUE (or in VS Code's decrypted editor); then git add ${quote(p)}. git add stored the line in the clear in .git/objects on this machine until "git gc --prune=now"; a secret that was pushed is to be rotated`
          : `take one version (git checkout --ours ${quote(p)} in a merge, or git restore --staged --worktree --source=HEAD ${quote(p)}) and set the values again; make sure git merges it with Custodian's driver: git check-attr merge -- ${quote(p)} says custodian ("custodian git setup --check")`,
      });
      continue;
    }
    const valueEncrypted = file.content !== undefined ? valuesOf(p, file.content) : undefined;
    // Who a value-encrypted file is for matters wherever it lives, as a .enc file's does.
    if (valueEncrypted) findings.push(...recipientDrift(p, valueEncrypted.recipients, valueEncrypted.recipientPolicy, input));
    if (valueEncrypted) {
      // A value-encrypted file (docs/VALUES.md) is how a guarded path is meant to be committed: only values
      // left in the clear are findings, at any path (a value typed into a restored tab of its encrypted
      // form, auto-saved, was committed from config/secrets.yaml: a newcomer's trial). Its rule is not
      // checked here (that needs its key and MAC): a regex rule may leave anything in the clear, so those
      // values are named for a person to review.
      if (valueEncrypted.againstRule.length > 0) {
        findings.push({
          path: p,
          rule: 'plaintext-path',
          severity: 'error',
          message: `${show(p)} is value-encrypted but holds ${valueEncrypted.againstRule.length} value(s) in the clear that its rule says must be encrypted: ${valueEncrypted.againstRule.map(show).join(', ')}`,
          brief: `restore ${show(p)} (git restore --staged --worktree ${quote(p)}) and set ${valueEncrypted.againstRule.map(show).join(', ')} in the decrypted editor: written there in the clear`,
          // A value written in the clear into a sealed file breaks its MAC (or its entry count): the file
          // no longer opens, so the fix starts from the last sealed version.
          fix: `a value-encrypted file does not open once a value was written into it by hand: restore it (git restore --staged --worktree ${quote(p)}, or git checkout -p -- ${quote(p)} to keep other changes), then set each value in VS Code's decrypted editor or with: custodian set ${quote(p)} ${quote(valueEncrypted.againstRule[0])} < FILE-WITH-THE-VALUE`,
        });
      } else if (valueEncrypted.rule.kind === 'unencrypted-regex' && !isPublicConventionRule(valueEncrypted.rule.regex)) {
        const regex = valueEncrypted.rule.regex;
        const before = input.committed?.get(p);
        const previous = before === undefined ? undefined : valuesOf(p, before);
        const reviewed = previous?.rule.kind === 'unencrypted-regex' && previous.rule.regex === regex ? new Set(previous.names) : new Set<string>();
        const fresh = valueEncrypted.names.filter((n) => !reviewed.has(n));
        if (fresh.length > 0) {
          findings.push({
            path: p,
            rule: 'plaintext-path',
            severity: 'warning',
            message: `${show(p)} leaves ${fresh.map(show).join(', ')} in the clear under its rule unencrypted-regex:${show(regex)}${reviewed.size > 0 ? ' (new since the last commit)' : ''}: check that none of them is a secret`,
            fix: 'narrow the rule, or use unencrypted-suffix',
          });
        }
      }
    } else if (rule !== undefined) {
      const now = input.workingTree?.get(p);
      const sealedSince = now !== undefined && valuesOf(p, now) !== undefined;
      findings.push({
        path: p,
        rule: 'plaintext-path',
        severity: 'error',
        message: sealedSince
          ? `${show(p)} is staged in the clear; the file in the working tree has its values encrypted since it was staged`
          : `${show(p)} matches "${show(rule)}" in guard.plaintextPaths: it must not be committed in the clear`,
        brief: sealedSince
          ? `stage ${show(p)} again (git add ${quote(p)}): its values were encrypted after it was staged`
          : `encrypt ${show(p)}, or unstage it (git rm --cached ${quote(p)}): it matches "${show(rule)}" in guard.plaintextPaths`,
        fix: sealedSince
          ? `stage it again: git add ${quote(p)}`
          : valuesFormatForFileName(p) !== undefined
            ? `encrypt its values in place (VS Code: "Encrypt Values for Team"; or custodian encrypt --values -R .custodian/team -f -o ${quote(p)} ${quote(p)}) and git add ${quote(p)}; or the whole file: ${encryptFix(p)}`
            : encryptFix(p),
      });
    }
    if (input.indexPaths.has(p + ENC_SUFFIX)) addTwin(p);
    const copyOf = p.endsWith(DECRYPTED_COPY_SUFFIX) ? p.slice(0, -DECRYPTED_COPY_SUFFIX.length) : '';
    if (copyOf !== '' && (input.indexPaths.has(copyOf) || input.indexPaths.has(copyOf + ENC_SUFFIX))) {
      // A red team committed Custodian's own proposal (`git add -f`, past .gitignore): every secret in it.
      findings.push({
        path: p,
        rule: 'plaintext-twin',
        severity: 'error',
        message: `${show(p)} is named as Custodian names a decrypted copy of ${show(copyOf)} (Decrypt Values to New File), which is committed beside it`,
        fix: `git rm --cached ${quote(p)} and add ${quote(p)} to .gitignore; delete the copy when done with it`,
        brief: `unstage ${show(p)} (git rm --cached ${quote(p)}) and add it to .gitignore: it is a decrypted copy of ${show(copyOf)}`,
      });
    }
    const key =
      file.content === undefined ? undefined : isDerPrivateKey(file.content) ? 'a private key (DER)' : privateKeyIn(keyScanView(file.content), valueEncrypted !== undefined);
    if (key !== undefined) {
      findings.push({
        path: p,
        rule: 'private-key',
        severity: 'error',
        message: `${show(p)} holds ${key}`,
        brief: `unstage ${show(p)} (git rm --cached ${quote(p)}): it holds a private key`,
        fix: `git rm --cached ${quote(p)}; keep the key out of the repository (import it into Custodian, or encrypt it: ${encryptFix(p)})`,
      });
    }
  }
  const rank = (f: GuardFinding): number => (f.severity === 'error' ? 0 : 1);
  return findings.sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function checkEncrypted(p: string, content: Uint8Array, input: GuardInput): Promise<GuardFinding[]> {
  const { quote, show } = input;
  let info: EnvelopeInfo;
  try {
    info = await inspectEnvelope(content);
  } catch (err) {
    const armors = asciiView(content).split(ARMOR_BEGIN).length - 1;
    return [corrupt(p, armors > 1 ? `${armors} armored blocks: ${SPLICED}` : (err as Error).message, quote, show)];
  }
  if (info.plaintextSize === undefined) return [corrupt(p, 'the payload is shorter than one chunk', quote, show)];
  return recipientDrift(p, info.recipients, info.recipientPolicy, input);
}

/** An encrypted file (`.enc` or value-encrypted) whose recipients are not the roster's. */
function recipientDrift(p: string, recipients: readonly string[], policy: RecipientPolicy | undefined, input: GuardInput): GuardFinding[] {
  const { show } = input;
  // A file whose recipients were chosen by hand is meant to differ from the roster.
  if (input.roster.length === 0 || policy === 'chosen') return [];
  const inFile = new Set(recipients);
  const missing = input.roster.filter((m) => !inFile.has(m.key.fingerprint)).map((m) => show(m.name));
  const rosterPrints = new Set(input.roster.map((m) => m.key.fingerprint));
  const extra = recipients.filter((fp) => !rosterPrints.has(fp));
  if (missing.length === 0 && extra.length === 0) return [];
  const parts = [missing.length > 0 ? `not readable by ${missing.join(', ')}` : '', extra.length > 0 ? `readable by ${extra.length} key(s) not in the roster as staged (${extra.join(', ')}): someone removed, or a teammate whose .pub is not staged yet (git add .custodian/team)` : ''].filter((s) => s !== '');
  return [
    {
      path: p,
      rule: 'recipient-drift',
      severity: 'warning',
      message: `${show(p)}'s recipients differ from the roster (.custodian/team): ${parts.join('; ')}`,
      fix: 're-encrypt it for the roster ("custodian rekey FILE", or "Custodian: Re-encrypt for Team" in VS Code), or ignore this warning if the difference is intended',
    },
  ];
}

function corrupt(p: string, reason: string, quote: (s: string) => string, show: (s: string) => string): GuardFinding {
  return {
    path: p,
    rule: 'corrupt-enc',
    severity: 'error',
    message: `${show(p)} is not a valid Custodian encrypted file (${reason})`,
    brief: `restore ${show(p)} (git restore --staged --worktree --source=HEAD ${quote(p)}): it is not a valid Custodian encrypted file`,
    fix: `restore it (git restore --staged --worktree --source=HEAD ${quote(p)}) or encrypt it again from its plaintext`,
  };
}

/**
 * A regex rule made only of the public-name conventions Custodian offers (`^NEXT_PUBLIC_|^VITE_`, as
 * Encrypt Values writes it, public-names.ts): what it leaves readable, the framework sends to every
 * visitor's browser anyway, so there is nothing for a reviewer to check name by name.
 */
function isPublicConventionRule(regex: string): boolean {
  return regex.split('|').every((part) => PUBLIC_CONVENTIONS.some((c) => c.pattern === part));
}
