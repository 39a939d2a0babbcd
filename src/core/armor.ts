// ASCII armor for `.enc` files: PEM-like markers around strict base64. Spec: docs/FORMAT.md §7.
import { base64Decode, base64Encode, base64UrlDecode, base64UrlEncode } from './bytes';
import { ArmorError, InvalidArgumentError } from './errors';

export const ARMOR_BEGIN = '-----BEGIN CUSTODIAN ENCRYPTED FILE-----';
export const ARMOR_END = '-----END CUSTODIAN ENCRYPTED FILE-----';
// §7: 64 base64 characters per line = 48 bytes.
const ARMOR_LINE_LENGTH = 64;
/** Bytes of armored text decoded per step by dearmorStream (see there). */
const TEXT_SLICE = 64 * 1024;
const BYTES_PER_LINE = (ARMOR_LINE_LENGTH / 4) * 3;
/** Bytes armored into one string: whole lines, about TEXT_SLICE. */
const ARMOR_SLICE = Math.floor(TEXT_SLICE / BYTES_PER_LINE) * BYTES_PER_LINE;

export interface ArmoredBlock {
  /** Offset of the first `-` of the BEGIN marker. */
  start: number;
  /** Offset just past the END marker (exclusive). */
  end: number;
  /** Indentation found before each line of the block ('' when none). */
  indent: string;
  /** The block with its indentation removed and LF line endings, ready for `dearmor`. */
  text: string;
}

function isBlank(line: string): boolean {
  return /^[ \t]*$/.test(line);
}

/** Base64 lines for `bytes`, each ending in LF. `bytes.length` should be a multiple of 48 unless final. */
function encodeLines(bytes: Uint8Array): string {
  const b64 = base64Encode(bytes);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += ARMOR_LINE_LENGTH) lines.push(b64.slice(i, i + ARMOR_LINE_LENGTH));
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

export function armor(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"bytes" expected Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw new InvalidArgumentError('"bytes" expected a non-empty file to armor');
  return `${ARMOR_BEGIN}\n${encodeLines(bytes)}${ARMOR_END}\n`;
}

/** Checks body lines and decodes them; `lines` excludes the markers. */
function decodeBody(lines: readonly string[]): Uint8Array {
  if (lines.length === 0) throw new ArmorError('armored block has no data between its markers');
  for (let i = 0; i < lines.length; i++) {
    const len = lines[i].length;
    const last = i === lines.length - 1;
    if (last ? len < 1 || len > ARMOR_LINE_LENGTH : len !== ARMOR_LINE_LENGTH) {
      throw new ArmorError(`armor line ${i + 2} has ${len} characters, expected ${last ? `1 to ${ARMOR_LINE_LENGTH}` : ARMOR_LINE_LENGTH}`);
    }
  }
  try {
    return base64Decode(lines.join(''));
  } catch (err) {
    throw new ArmorError('armored block is not valid canonical base64', { cause: err });
  }
}

/** Decodes one armored file. Accepts CRLF and blank lines around the block, nothing else (§7). */
export function dearmor(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let i = 0;
  while (i < lines.length && isBlank(lines[i])) i++;
  if (i === lines.length) throw new ArmorError('no armored block found (the text is empty)');
  if (lines[i] !== ARMOR_BEGIN) throw new ArmorError(`expected "${ARMOR_BEGIN}" as the first line`);
  const begin = i;
  let end = begin + 1;
  while (end < lines.length && lines[end] !== ARMOR_END) end++;
  if (end === lines.length) throw new ArmorError(`missing "${ARMOR_END}" line`);
  for (let j = end + 1; j < lines.length; j++) {
    if (!isBlank(lines[j])) throw new ArmorError('unexpected text after the END marker');
  }
  return decodeBody(lines.slice(begin + 1, end));
}

/**
 * Finds armored blocks inside arbitrary text (§7): a BEGIN marker after optional spaces/tabs, then lines
 * with exactly that indentation up to the END marker. Only structure is checked; `dearmor(block.text)`
 * validates the content.
 */
export function findArmoredBlocks(text: string): ArmoredBlock[] {
  const blocks: ArmoredBlock[] = [];
  const lineRe = /[^\n]*(\n|$)/g;
  const lines: { start: number; content: string }[] = [];
  for (let m = lineRe.exec(text); m && m[0].length > 0; m = lineRe.exec(text)) {
    let content = m[0].endsWith('\n') ? m[0].slice(0, -1) : m[0];
    if (content.endsWith('\r')) content = content.slice(0, -1);
    lines.push({ start: m.index, content });
  }
  for (let i = 0; i < lines.length; i++) {
    const match = /^([ \t]*)(-----BEGIN CUSTODIAN ENCRYPTED FILE-----)$/.exec(lines[i].content);
    if (!match) continue;
    const indent = match[1];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const c = lines[j].content;
      if (!c.startsWith(indent)) break;
      const rest = c.slice(indent.length);
      if (rest === ARMOR_END) break;
      if (/^[ \t]/.test(rest) || rest.startsWith('-----')) break;
      body.push(rest);
    }
    if (j < lines.length && lines[j].content === indent + ARMOR_END) {
      blocks.push({
        start: lines[i].start + indent.length,
        end: lines[j].start + indent.length + ARMOR_END.length,
        indent,
        text: [ARMOR_BEGIN, ...body, ARMOR_END].join('\n') + '\n',
      });
      i = j;
    }
  }
  return blocks;
}

/** §7.1: the compact form is this prefix and the file in unpadded base64url, on one line. */
export const COMPACT_PREFIX = 'custodian-enc1.';
/** §7.1: the characters a compact token's body is made of; a token ends at the first other character. */
const COMPACT_BODY = /[A-Za-z0-9_-]/;
const COMPACT_RE = /custodian-enc1\.([A-Za-z0-9_-]*)/g;

/** The compact one-line form of a file (§7.1): safe unquoted or inside any quotes in YAML, JSON, TOML, .env, shell, URLs. */
export function armorCompact(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"bytes" expected Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw new InvalidArgumentError('"bytes" expected a non-empty file to armor');
  return COMPACT_PREFIX + base64UrlEncode(bytes);
}

/** Decodes one compact token (§7.1), exactly: no whitespace, no padding, canonical base64url. */
export function dearmorCompact(token: string): Uint8Array {
  if (typeof token !== 'string') throw new TypeError(`"token" expected string, got ${typeof token}`);
  if (!token.startsWith(COMPACT_PREFIX)) throw new ArmorError(`expected a compact token starting with "${COMPACT_PREFIX}"`);
  const body = token.slice(COMPACT_PREFIX.length);
  if (body.length === 0) throw new ArmorError('compact token has no data after its prefix');
  try {
    return base64UrlDecode(body);
  } catch (err) {
    throw new ArmorError('compact token is not valid canonical base64url', { cause: err });
  }
}

/** True when `c` would run into a compact token placed right before it (§7.1). */
export function continuesCompactToken(c: string): boolean {
  return c.length > 0 && COMPACT_BODY.test(c[0]);
}

export interface CompactToken {
  /** Offset of the prefix's first character. */
  start: number;
  /** Offset just past the token's last base64url character (exclusive). */
  end: number;
  token: string;
}

/** Compact tokens in arbitrary text (§7.1): the prefix and the longest run of base64url characters after it. */
export function findCompactTokens(text: string): CompactToken[] {
  const tokens: CompactToken[] = [];
  for (const m of text.matchAll(COMPACT_RE)) {
    if (m[1].length === 0) continue;
    tokens.push({ start: m.index, end: m.index + m[0].length, token: m[0] });
  }
  return tokens;
}

const BEGIN_BYTES = new TextEncoder().encode(ARMOR_BEGIN);

function isWhitespaceByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** True when the input starts (after blank lines) with the BEGIN marker. */
export function isArmored(input: Uint8Array | string): boolean {
  if (typeof input === 'string') return input.replace(/^[ \t\r\n]+/, '').startsWith(ARMOR_BEGIN);
  let i = 0;
  while (i < input.length && isWhitespaceByte(input[i])) i++;
  if (input.length - i < BEGIN_BYTES.length) return false;
  for (let k = 0; k < BEGIN_BYTES.length; k++) if (input[i + k] !== BEGIN_BYTES[k]) return false;
  return true;
}

/** Streaming armor encoder; output is identical to `armor` of the concatenated input. */
export async function* armorStream(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const encoder = new TextEncoder();
  const pending = new Uint8Array(BYTES_PER_LINE);
  let fill = 0;
  let total = 0;
  yield encoder.encode(ARMOR_BEGIN + '\n');
  for await (const piece of input) {
    total += piece.length;
    let offset = 0;
    if (fill > 0) {
      const n = Math.min(BYTES_PER_LINE - fill, piece.length);
      pending.set(piece.subarray(0, n), fill);
      fill += n;
      offset = n;
      if (fill < BYTES_PER_LINE) continue;
      yield encoder.encode(encodeLines(pending));
      fill = 0;
    }
    const whole = offset + Math.floor((piece.length - offset) / BYTES_PER_LINE) * BYTES_PER_LINE;
    // Whole lines, at most ~TEXT_SLICE bytes per string (see dearmorStream): the envelope's 256 KiB
    // chunks as one string each made V8 grow its young generation (~20 MiB) and ran 1.7x slower.
    while (offset < whole) {
      const end = Math.min(whole, offset + ARMOR_SLICE);
      yield encoder.encode(encodeLines(piece.subarray(offset, end)));
      offset = end;
    }
    pending.set(piece.subarray(offset), 0);
    fill = piece.length - offset;
  }
  if (total === 0) throw new InvalidArgumentError('"input" expected a non-empty file to armor');
  yield encoder.encode(encodeLines(pending.subarray(0, fill)) + ARMOR_END + '\n');
}

/** Streaming armor decoder with the same strictness as `dearmor`. */
export function dearmorStream(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return decodeArmorLines(input, 0);
}

/** `dearmorStream` for input whose first `skippedLines` lines (blank ones) were already consumed. */
async function* decodeArmorLines(input: AsyncIterable<Uint8Array>, skippedLines: number): AsyncIterable<Uint8Array> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let state: 'before' | 'body' | 'after' = 'before';
  let carry = '';
  let held: string | undefined; // the latest body line: we only know it is not the last when another follows
  let lineNo = skippedLines;
  const batch: string[] = [];
  const flush = (): Uint8Array | undefined => {
    if (batch.length === 0) return undefined;
    const text = batch.join('');
    batch.length = 0;
    try {
      return base64Decode(text);
    } catch (err) {
      throw new ArmorError('armored block is not valid canonical base64', { cause: err });
    }
  };
  const handle = (raw: string): void => {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (state === 'before') {
      if (isBlank(line)) return;
      if (line !== ARMOR_BEGIN) throw new ArmorError(`expected "${ARMOR_BEGIN}" as the first line`);
      state = 'body';
    } else if (state === 'body') {
      if (line === ARMOR_END) {
        if (held === undefined) throw new ArmorError('armored block has no data between its markers');
        if (held.length < 1 || held.length > ARMOR_LINE_LENGTH) throw new ArmorError(`armor line ${lineNo - 1} has ${held.length} characters, expected 1 to ${ARMOR_LINE_LENGTH}`);
        batch.push(held);
        held = undefined;
        state = 'after';
        return;
      }
      if (held !== undefined) {
        if (held.length !== ARMOR_LINE_LENGTH) throw new ArmorError(`armor line ${lineNo - 1} has ${held.length} characters, expected ${ARMOR_LINE_LENGTH}`);
        if (held.includes('=')) throw new ArmorError('armored block is not valid canonical base64 (padding before the last line)');
        batch.push(held);
      }
      held = line;
    } else if (!isBlank(line)) {
      throw new ArmorError('unexpected text after the END marker');
    }
  };
  for await (const piece of input) {
    // At most TEXT_SLICE bytes become one string: bigger strings go to V8's old generation, where
    // they stay until a full GC, so memory would grow with the input's piece size.
    for (let start = 0; start < piece.length; start += TEXT_SLICE) {
      let text: string;
      try {
        text = decoder.decode(piece.subarray(start, start + TEXT_SLICE), { stream: true });
      } catch (err) {
        throw new ArmorError('armored text is not valid UTF-8', { cause: err });
      }
      const parts = (carry + text).split('\n');
      carry = parts.pop() ?? '';
      if (carry.length > 4096) throw new ArmorError('armor line too long');
      for (const p of parts) handle(p);
      const out = flush();
      if (out) yield out;
    }
  }
  if (carry.length > 0) handle(carry);
  const out = flush();
  if (out) yield out;
  if (state === 'before') throw new ArmorError('no armored block found');
  if (state === 'body') throw new ArmorError(`missing "${ARMOR_END}" line`);
}

/** 'armored' once `head` starts with the BEGIN marker, 'binary' once it cannot, undefined while it still may. */
function classify(head: readonly Uint8Array[]): 'armored' | 'binary' | undefined {
  let k = 0;
  for (const piece of head) {
    for (let i = 0; i < piece.length && k < BEGIN_BYTES.length; i++, k++) if (piece[i] !== BEGIN_BYTES[k]) return 'binary';
  }
  return k === BEGIN_BYTES.length ? 'armored' : undefined;
}

/**
 * Passes binary input through and decodes armored input: armored input starts, after blank lines,
 * with the whole BEGIN marker (§7), so a binary file that happens to start with "-" is still binary
 * (and fails as "not a Custodian file", not as bad armor).
 *
 * Leading whitespace is consumed without being kept, however much there is: only the number of line
 * feeds (for line numbers in errors) and whether the current line already holds whitespace (then a
 * BEGIN marker after it is indented, which §7 forbids) are remembered. So memory stays constant
 * before the armor as it does inside it.
 */
export async function* dearmorIfArmored(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const iterator = input[Symbol.asyncIterator]();
  let skippedLines = 0;
  let firstSkipped: number | undefined;
  let lineHasWhitespace = false;
  // Pieces from the first non-blank byte on, copied (the source may reuse a piece once we pull again),
  // until the BEGIN marker is matched or ruled out: at most BEGIN_BYTES.length bytes are needed.
  const head: Uint8Array[] = [];
  let kind: 'armored' | 'binary' | undefined;
  while (kind === undefined) {
    const r = await iterator.next();
    if (r.done) break;
    let piece = r.value;
    if (head.length === 0) {
      let i = 0;
      for (; i < piece.length && isWhitespaceByte(piece[i]); i++) {
        firstSkipped ??= piece[i];
        if (piece[i] === 0x0a) {
          skippedLines++;
          lineHasWhitespace = false;
        } else {
          lineHasWhitespace = true;
        }
      }
      piece = piece.subarray(i);
      if (piece.length === 0) continue;
    }
    head.push(piece.slice());
    kind = classify(head);
  }
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      let index = 0;
      return {
        next: async () => (index < head.length ? { done: false, value: head[index++] } : iterator.next()),
        // Closing the decoded stream closes the source (a file reader's descriptor).
        return: async () => (await iterator.return?.()) ?? { done: true, value: undefined },
      };
    },
  };
  if (kind === 'armored') {
    // Whitespace before the marker on its own line makes it indented: keep one byte of it so the
    // decoder refuses it exactly as it would have.
    if (lineHasWhitespace) yield* decodeArmorLines(prepend(Uint8Array.of(0x20), rest), skippedLines);
    else yield* decodeArmorLines(rest, skippedLines);
    return;
  }
  // Binary files start with MAGIC (§7): one byte of skipped whitespace is enough for the header
  // parser to refuse the file as it would have refused it whole.
  if (firstSkipped !== undefined) yield Uint8Array.of(firstSkipped);
  yield* rest;
}

/** `first`, then `rest`; closing it closes `rest`. */
function prepend(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => {
      const inner = rest[Symbol.asyncIterator]();
      let sent = false;
      return {
        next: async () => {
          if (sent) return inner.next();
          sent = true;
          return { done: false, value: first };
        },
        return: async () => (await inner.return?.()) ?? { done: true, value: undefined },
      };
    },
  };
}
