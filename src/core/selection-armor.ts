// Encrypted selections inside text documents (docs/FORMAT.md §7.2): which form replaces a selection
// so the file keeps parsing, and the edit that restores the original text byte for byte. Offsets are
// into the document's text; sealing and opening are the caller's.
import { ARMOR_BEGIN, ARMOR_END, COMPACT_PREFIX, armor, armorCompact, continuesCompactToken, dearmorCompact, findArmoredBlocks, findCompactTokens } from './armor';
import { SelectionError } from './errors';
import type { ValueSyntax } from './value-quoting';

/** §7.2: a value inside a line becomes a compact token (§7.1); whole lines become an armored block (§7). */
export type EmbeddedForm = 'compact' | 'block';

export interface SelectionPlan {
  form: EmbeddedForm;
  /** The range replaced: the selection, without a quoted string's quotes or its first line's indentation. */
  start: number;
  end: number;
  /** Block form: the indentation repeated before every armor line after the first ('' for compact). */
  indent: string;
  /** What is encrypted: the range's text; for a block, without `indent` on its later lines. */
  plaintext: string;
}

/** An encrypted value found in a document. */
export interface EncryptedSpan {
  form: EmbeddedForm;
  /** Offset of the BEGIN marker or of the compact prefix. */
  start: number;
  /** Offset just past the END marker or the token (exclusive). */
  end: number;
  /** Block form: the indentation of the block's lines ('' for compact). */
  indent: string;
  /** The block as an armored file (indentation removed), or the compact token. */
  text: string;
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A CR not followed by LF: a line break to VS Code, which turns it into the document's line ending. */
const LONE_CR = /\r(?!\n)/;
/** The line breaks VS Code makes a line of: CRLF, a lone CR, LF. */
const LINE_BREAK = /(\r\n|\r|\n)/;

function isEmptyLine(line: string): boolean {
  return line === '' || line === '\r';
}

function assertRange(text: string, start: number, end: number): void {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > text.length) {
    throw new RangeError(`"start".."end" expected a range inside the text (0..${text.length}), got ${start}..${end}`);
  }
}

/**
 * The block plan for a selection of whole lines, or undefined when the selection is not whole lines
 * or its indentation could not be put back exactly (a later line less indented than the first).
 */
function planBlock(text: string, start: number, end: number): SelectionPlan | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (!/^[ \t]*$/.test(text.slice(lineStart, start))) return undefined;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const from = lineStart + indent.length;
  const endsLine = end === text.length || text[end] === '\n' || text.startsWith('\r\n', end) || text[end - 1] === '\n';
  if (from >= end || !endsLine) return undefined;
  const body = text.slice(from, end);
  if (!body.includes('\n')) return undefined;
  // Restoring re-indents after every line break, a lone CR included (openedEdit): a later line after one
  // would come back indented, so such a selection is a token (VS Code's documents never hold one).
  if (LONE_CR.test(body)) return undefined;
  const lines = body.split('\n');
  const later = lines.slice(1, body.endsWith('\n') ? -1 : undefined);
  // Decrypting re-indents every non-empty line after the first (§7.2), so only lines that come back
  // unchanged qualify: empty, or the indentation followed by something.
  if (!later.every((l) => isEmptyLine(l) || (l.startsWith(indent) && !isEmptyLine(l.slice(indent.length))))) return undefined;
  const plaintext = lines.map((l, i) => (i > 0 && !isEmptyLine(l) ? l.slice(indent.length) : l)).join('\n');
  return { form: 'block', start: from, end, indent, plaintext };
}

/** Syntaxes whose values are not all strings: a token (or block) is only valid inside a string literal. */
const STRING_ONLY: Readonly<Partial<Record<ValueSyntax, string>>> = { json: 'JSON', toml: 'TOML' };

/**
 * The content ranges of the string literals of a JSON(C/5) or TOML text that start before `until`:
 * "…" (with \ escapes), '…' (JSON5, with \ escapes; TOML literal, without), TOML """…""" and '''…'''; comments
 * (JSON: // and /* *\/, TOML: #) skipped.
 */
function stringContents(text: string, syntax: 'json' | 'toml', until: number): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < until && i < text.length) {
    if (syntax === 'json' && text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      continue;
    }
    if ((syntax === 'json' && text.startsWith('//', i)) || (syntax === 'toml' && text[i] === '#')) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol + 1;
      continue;
    }
    const triple = syntax === 'toml' && (text.startsWith('"""', i) || text.startsWith("'''", i));
    const delimiter = triple ? text.slice(i, i + 3) : text[i] === '"' || text[i] === "'" ? text[i] : undefined;
    if (!delimiter) {
      i++;
      continue;
    }
    // Backslash escapes: in "…", and in JSON5's '…'; a TOML '…' or '''…''' is a literal string without them.
    const escapes = delimiter[0] === '"' || syntax === 'json';
    let j = i + delimiter.length;
    while (j < text.length && !text.startsWith(delimiter, j) && (triple || text[j] !== '\n')) j += escapes && text[j] === '\\' ? 2 : 1;
    out.push([i + delimiter.length, Math.min(j, text.length)]);
    i = j + delimiter.length;
  }
  return out;
}

/**
 * How the selection `text[start, end)` is encrypted in place (§7.2). A selection of whole lines
 * (it may start anywhere in its first line's indentation) becomes an armored block at that
 * indentation; anything else — a value inside a line — becomes a compact token where it stood. A
 * selection that is exactly a quoted string ("…" or '…') keeps its quotes. In JSON and TOML (`syntax`),
 * where numbers, booleans and structure are not strings, only text inside a string literal qualifies.
 * Throws when there is nothing to encrypt, when the character after the selection would run into the
 * token, or when the file would no longer parse.
 */
export function planSelection(text: string, start: number, end: number, syntax?: ValueSyntax): SelectionPlan {
  assertRange(text, start, end);
  if (start === end) throw new SelectionError('Select the text to encrypt first.', 'empty');
  const strict = syntax === 'json' || syntax === 'toml' ? syntax : undefined;
  const block = strict ? undefined : planBlock(text, start, end);
  if (block) return block;
  let from = start;
  let to = end;
  const q = text[start];
  if (to - from >= 2 && (q === '"' || q === "'") && text[end - 1] === q) {
    from++;
    to--;
  }
  if (from === to) throw new SelectionError('The selection is an empty string: there is nothing to encrypt.', 'empty-string');
  if (strict && !stringContents(text, strict, from + 1).some(([s, e]) => s <= from && to <= e)) {
    const name = STRING_ONLY[strict];
    throw new SelectionError(`In a ${name} file, select text inside a string ("…"): encrypted text anywhere else would make the file invalid ${name}.`, 'outside-string', { syntax: name }, {
      hint: 'To encrypt a number, a boolean or a whole section, use "Encrypt File" on the file instead.',
    });
  }
  if (continuesCompactToken(text.slice(to, to + 1))) {
    throw new SelectionError('The selection ends inside a word: select the whole value.', 'inside-word', { next: text[to] }, {
      hint: `The encrypted value ends at the first character that is not a letter, digit, "-" or "_"; the "${text[to]}" after the selection would become part of it.`,
    });
  }
  return { form: 'compact', start: from, end: to, indent: '', plaintext: text.slice(from, to) };
}

/**
 * Why selections that each have a plan cannot be encrypted together (§7.1): a replacement would run into
 * an encrypted value or block, or into another selection's replacement.
 * - 'after': `plan` starts where a token (or the bare prefix) or a block's END marker ends;
 * - 'before': `plan`, a token, ends where a block's BEGIN line starts (or in its indentation);
 * - 'inside': `plan` holds part of an encrypted value or block, not all of it;
 * - 'touching': `plan` starts where another plan ends (not a block that gives its line break back), or
 *   is a block whose line another plan's token ends on.
 */
export interface SelectionClash {
  plan: SelectionPlan;
  problem: 'after' | 'before' | 'inside' | 'touching';
}

/** True when `text[at - what.length, at)` is `what` and lies at or after `floor`. */
function endsAt(text: string, at: number, what: string, floor: number): boolean {
  return at - what.length >= floor && text.startsWith(what, at - what.length);
}

/**
 * The first clash among `plans` (each from planSelection on the same `text`), or undefined. A token is
 * the longest run of body characters after its prefix (§7.1), and every replacement starts with body
 * characters ("custodian-enc1.", "-----BEGIN"), so one written where a token ends is read as the end of
 * that token, and neither decrypts; one written after an END marker or before an indented BEGIN marker,
 * on its line, breaks that block. planSelection sees one selection and the text after it; this sees what
 * comes before each and the selections beside it. Refused rather than separated: Decrypt in Place must
 * give back the original bytes (§7.2), and a separator would stay behind.
 */
export function selectionClash(text: string, plans: readonly SelectionPlan[]): SelectionClash | undefined {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const spans = findEncryptedSpans(text);
  let b = 0;
  let previous: SelectionPlan | undefined;
  const sorted = [...plans].sort((p, q) => p.start - q.start);
  for (const plan of sorted) {
    assertRange(text, plan.start, plan.end);
    if (previous && touches(text, previous, plan)) return { plan, problem: 'touching' };
    // Part of an encrypted value: it is damaged, and a token written inside a block is read as its text.
    while (b < spans.length && spans[b].end <= plan.start) b++;
    for (let k = b; k < spans.length && spans[k].start < plan.end; k++) {
      if (spans[k].start < plan.start || spans[k].end > plan.end) return { plan, problem: 'inside' };
    }
    // Text before `floor` is replaced by the previous plan, which planSelection already checked for
    // body characters after it: the scan back stops there, so all plans together cost one pass.
    const floor = previous?.end ?? 0;
    let run = plan.start;
    while (run > floor && continuesCompactToken(text[run - 1])) run--;
    // A CR after an END marker still ends its line (§7); anything else after it was no block.
    const end = text[plan.start - 1] === '\r' ? plan.start - 1 : plan.start;
    if (endsAt(text, run, COMPACT_PREFIX, floor) || endsAt(text, end, ARMOR_END, floor)) return { plan, problem: 'after' };
    if (plan.form === 'compact' && beginsBlockLine(text, plan.end)) return { plan, problem: 'before' };
    previous = plan;
  }
  return lostPlan(text, sorted);
}

/**
 * The last word is the reader's: a plan whose replacement is not found where it is written (a token that
 * lands among the lines of a broken block and completes it, which the rules above cannot see). `sorted`
 * by start, as selectionClash ordered them.
 */
function lostPlan(text: string, sorted: readonly SelectionPlan[]): SelectionClash | undefined {
  const starts: number[] = [];
  let out = '';
  let at = 0;
  for (const plan of sorted) {
    out += text.slice(at, plan.start);
    starts.push(out.length);
    out += sealedText(plan, PLACEHOLDER, '\n');
    at = plan.end;
  }
  const found = new Set(findEncryptedSpans(out + text.slice(at)).map((span) => span.start));
  const lost = sorted.find((_, i) => !found.has(starts[i]));
  return lost && { plan: lost, problem: 'inside' };
}

/** Any envelope: where a replacement is found does not depend on its bytes. */
const PLACEHOLDER = Uint8Array.of(0);

/** True when `first`'s replacement would run into `second`'s (`first` starts before `second`). */
function touches(text: string, first: SelectionPlan, second: SelectionPlan): boolean {
  // A block that swallowed its line break gives it back: what follows starts a new line. A CR between
  // a block and what follows still leaves that on the END line.
  const gap = first.form === 'block' && text[first.end] === '\r' ? 1 : 0;
  if (first.end + gap >= second.start) return !(first.form === 'block' && first.plaintext.endsWith('\n'));
  // A token that ends on the line where a block will start, in its indentation, would begin the BEGIN line.
  return first.form === 'compact' && second.form === 'block' && first.end >= second.start - second.indent.length;
}

/** True when `at` lies in the indentation of a BEGIN marker's line (§7): text put there breaks the block. */
function beginsBlockLine(text: string, at: number): boolean {
  let marker = at;
  while (text[marker] === ' ' || text[marker] === '\t') marker++;
  const after = marker + ARMOR_BEGIN.length;
  if (!text.startsWith(ARMOR_BEGIN, marker) || !(after === text.length || text[after] === '\n' || text.startsWith('\r\n', after))) return false;
  return /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', at - 1) + 1, at));
}

/** The text that replaces `plan`'s range once its plaintext is sealed into `envelope`. */
export function sealedText(plan: SelectionPlan, envelope: Uint8Array, eol: '\n' | '\r\n'): string {
  if (plan.form === 'compact') return armorCompact(envelope);
  const lines = armor(envelope).replace(/\n$/, '').split('\n');
  const block = lines.map((l, i) => (i === 0 ? l : plan.indent + l)).join(eol);
  // The selection swallowed its last line break: the block gives it back.
  return plan.plaintext.endsWith('\n') ? block + eol : block;
}

/** Armored blocks (§7) and compact tokens (§7.1) in `text`, in order. Only structure is checked. */
export function findEncryptedSpans(text: string): EncryptedSpan[] {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  const blocks: EncryptedSpan[] = text.includes(ARMOR_BEGIN) ? findArmoredBlocks(text).map((b) => ({ form: 'block', ...b })) : [];
  const tokens: EncryptedSpan[] = text.includes(COMPACT_PREFIX)
    ? findCompactTokens(text).map((t) => ({ form: 'compact', start: t.start, end: t.end, indent: '', text: t.token }))
    : [];
  return mergeSpans(blocks, tokens);
}

/**
 * `blocks` and the `tokens` outside them, in document order. Each list is in order and does not overlap
 * itself, so one walk over both decides each token against the only block it could overlap: checking
 * every token against every block let a committed file of 40,000 of each stall the editor for seconds.
 */
export function mergeSpans(blocks: readonly EncryptedSpan[], tokens: readonly EncryptedSpan[]): EncryptedSpan[] {
  const out: EncryptedSpan[] = [];
  let b = 0;
  for (const token of tokens) {
    while (b < blocks.length && blocks[b].end <= token.start) out.push(blocks[b++]);
    // Text inside a block that reads as a token is part of the block.
    if (b < blocks.length && blocks[b].start < token.end) continue;
    out.push(token);
  }
  while (b < blocks.length) out.push(blocks[b++]);
  return out;
}

/** What `decryptBytes` takes for a span: armored text, or the compact token's bytes. Throws ArmorError for a bad token. */
export function spanCiphertext(span: EncryptedSpan): string | Uint8Array {
  return span.form === 'compact' ? dearmorCompact(span.text) : span.text;
}

/**
 * The edit that puts `plaintext` back in place of `span` in `text` (§7.2): a token is replaced by the
 * plaintext as is; a block by the plaintext with the block's indentation before every non-empty line
 * after the first (after CRLF, a lone CR or LF), taking the block's own line break when the plaintext
 * ends with one.
 */
export function openedEdit(text: string, span: EncryptedSpan, plaintext: string): TextEdit {
  assertRange(text, span.start, span.end);
  if (typeof plaintext !== 'string') throw new TypeError(`"plaintext" expected string, got ${typeof plaintext}`);
  if (span.form === 'compact') return { start: span.start, end: span.end, text: plaintext };
  // Every line break counts, a lone CR too: the editor makes a line of what follows it, and without the
  // indentation that line would leave a YAML block scalar (a signer's "x\radmin: true" became a key).
  const restored = plaintext
    .split(LINE_BREAK)
    .map((piece, i) => (i === 0 || i % 2 === 1 || piece === '' ? piece : span.indent + piece))
    .join('');
  const lineBreak = /^\r?\n/.exec(text.slice(span.end, span.end + 2))?.[0];
  const end = lineBreak && plaintext.endsWith('\n') ? span.end + lineBreak.length : span.end;
  return { start: span.start, end, text: restored };
}
