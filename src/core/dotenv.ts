// Dotenv text (`NAME=value` lines), read the way the `dotenv` npm package reads it, but strictly: a
// line dotenv would skip, or read differently from Node's `util.parseEnv`, is an error with its line
// number instead (docs/DOTENV.md). For a secrets file a silently dropped line is a missing secret.
//
// Entries keep where their value sits in the text, so a module that rewrites one value (value-level
// encryption) can replace `text.slice(valueStart, valueEnd)` and leave every other byte as it was.
import { CustodianError, FormatError } from './errors';

/** A line that is not `NAME=value`, a comment or blank; or a value dotenv and Node would read differently. */
export class DotenvSyntaxError extends CustodianError {
  constructor(
    message: string,
    /** 1-based line where the problem is. Messages never quote the line: it may hold a secret. */
    readonly line: number,
    hint?: string,
  ) {
    super(`line ${line}: ${message}`, { hint });
  }
}

export type DotenvQuote = '' | "'" | '"' | '`';

export interface DotenvEntry {
  readonly name: string;
  /** The value a program sees (quotes removed; `\n` and `\r` expanded inside double quotes). */
  readonly value: string;
  /** 1-based line of the name; a multi-line value continues on the lines after it. */
  readonly line: number;
  /** Offsets (UTF-16 code units) of the name in the text. */
  readonly nameStart: number;
  readonly nameEnd: number;
  /**
   * Offsets of the value as written, quotes included: `text.slice(valueStart, valueEnd)`. For an
   * empty unquoted value both are where a value would go (after `=` and any spaces).
   */
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly quote: DotenvQuote;
}

/** Longest text parsed; a real env file is a few KiB. Bigger input is refused, not scanned. */
export const MAX_DOTENV_CHARS = 1024 * 1024;

// JavaScript's \s without the line terminators: what dotenv's regex skips around names and `=`.
const SPACE = /[^\S\n\r\u2028\u2029]/;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const HINT = 'write one NAME=value per line; quote a value that holds # or spans lines (docs/DOTENV.md)';

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && SPACE.test(ch);
}

function lineEndAt(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

function nextLineStart(text: string, end: number): number {
  if (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10) return end + 2;
  return end < text.length ? end + 1 : end;
}

function countLineBreaks(s: string): number {
  return s.match(/\r\n|\r|\n/g)?.length ?? 0;
}

function checkPlain(text: string, from: number, to: number, line: number): void {
  // Outside quotes, dotenv's regex takes U+2028/U+2029 for line ends (so text after one in a comment
  // becomes a variable) while Node does not; NUL cannot be passed in an environment at all.
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2028 || c === 0x2029) throw new DotenvSyntaxError('a Unicode line or paragraph separator (U+2028/U+2029) outside quotes', line, HINT);
    if (c === 0) throw new DotenvSyntaxError('a NUL character', line, 'an environment variable cannot hold NUL');
  }
}

/** Parses dotenv text into its assignments, in file order (a name set twice appears twice; the last wins). */
export function parseDotenv(text: string): DotenvEntry[] {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  if (text.length > MAX_DOTENV_CHARS) {
    // A file's content, not a caller's mistake: said in words the person who wrote the file can act on.
    throw new FormatError(`too large for a .env file: ${text.length} characters, more than the 1 MiB (${MAX_DOTENV_CHARS} characters) one may hold`, {
      hint: 'a .env file holds NAME=value lines and is far smaller: check that this is the file you meant; to protect a file this large, encrypt it whole instead ("custodian encrypt -R .custodian/team -o FILE.enc FILE")',
    });
  }
  const entries: DotenvEntry[] = [];
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const end = lineEndAt(text, pos);
    let i = pos;
    while (i < end && isSpace(text[i])) i++;
    if (i === end || text[i] === '#') {
      checkPlain(text, pos, end, line);
      pos = nextLineStart(text, end);
      line++;
      continue;
    }
    // `export NAME=…` is a shell habit dotenv accepts; `export =1` names a variable "export".
    const exported = /^export[^\S\n\r\u2028\u2029]+(?=[A-Za-z0-9_.-])/.exec(text.slice(i, Math.min(end, i + 64)));
    if (exported) i += exported[0].length;
    const nameStart = i;
    while (i < end && NAME_CHAR.test(text[i])) i++;
    const nameEnd = i;
    checkPlain(text, pos, nameEnd, line);
    if (nameEnd === nameStart) throw new DotenvSyntaxError('expected a NAME (letters, digits, _ . -) followed by =', line, HINT);
    while (i < end && isSpace(text[i])) i++;
    if (text[i] !== '=') {
      const what = text[i] === ':' ? 'NAME: value is YAML, not dotenv; write NAME=value' : i === end ? 'a name without = (no value)' : 'expected = after the name';
      throw new DotenvSyntaxError(what, line, HINT);
    }
    i++;
    while (i < end && isSpace(text[i])) i++;
    const name = text.slice(nameStart, nameEnd);
    const first = text[i];
    if (first === "'" || first === '"' || first === '`') {
      const close = text.indexOf(first, i + 1);
      if (close === -1) throw new DotenvSyntaxError(`the value opened with ${first} has no closing ${first}`, line, HINT);
      const raw = text.slice(i + 1, close);
      if (raw.includes('\0')) throw new DotenvSyntaxError('a NUL character', line, 'an environment variable cannot hold NUL');
      const closeLine = line + countLineBreaks(raw);
      if (text[close - 1] === '\\') {
        // dotenv keeps reading past \" while Node stops there: the two would give different values.
        throw new DotenvSyntaxError(`a backslash before the closing ${first} (dotenv and Node read it differently)`, closeLine, 'put the value in other quotes (\' " or `); a backslash does not escape a quote in .env files');
      }
      const closeEnd = lineEndAt(text, close + 1);
      let j = close + 1;
      while (j < closeEnd && isSpace(text[j])) j++;
      if (j < closeEnd && text[j] !== '#') throw new DotenvSyntaxError(`text after the closing ${first} (dotenv and Node read it differently)`, closeLine, 'put a # before a comment, or quote the whole value');
      checkPlain(text, close + 1, closeEnd, closeLine);
      let value = raw.replace(/\r\n?/g, '\n');
      if (first === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
      entries.push({ name, value, line, nameStart, nameEnd, valueStart: i, valueEnd: close + 1, quote: first });
      pos = nextLineStart(text, closeEnd);
      line = closeLine + 1;
      continue;
    }
    let stop = i;
    while (stop < end && text[stop] !== '#') stop++;
    checkPlain(text, i, end, line);
    let valueEnd = stop;
    while (valueEnd > i && /\s/.test(text[valueEnd - 1])) valueEnd--;
    entries.push({ name, value: text.slice(i, valueEnd), line, nameStart, nameEnd, valueStart: i, valueEnd, quote: '' });
    pos = nextLineStart(text, end);
    line++;
  }
  return entries;
}

/** Name → value, the last assignment of a name winning (as dotenv). No prototype: `__proto__` is a name like any other. */
export function dotenvRecord(entries: readonly DotenvEntry[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const e of entries) out[e.name] = e.value;
  return out;
}

/**
 * The names whose unquoted value is directly followed by `#` (`PASSWORD=abc#def`): dotenv and Node read
 * the value up to it and the rest of the line as a comment, which a value-encrypted file keeps in the
 * clear. Usually the `#` was meant as part of the value, which must then be quoted.
 */
export function valuesCutAtHash(text: string): string[] {
  return entriesCutAtHash(text).map((e) => e.name);
}

/** `valuesCutAtHash` with each value's 1-based line. */
export function valuesCutAtHashLines(text: string): { name: string; line: number }[] {
  return entriesCutAtHash(text).map((e) => ({ name: e.name, line: e.line }));
}

function entriesCutAtHash(text: string): DotenvEntry[] {
  // `NAME=#x` too: an empty value, and the whole of what was meant in the clear.
  return parseDotenv(text).filter((e) => e.quote === '' && text.charCodeAt(e.valueEnd) === 0x23 && (e.valueEnd > e.valueStart || text.charCodeAt(e.valueStart - 1) === 0x3d));
}

/**
 * The text with each value `valuesCutAtHash` names quoted whole (`PASSWORD="abc#def"`): the line's text
 * from the value on, up to a comment set off by a space (`# rotate monthly`), is the value. Undefined when
 * one cannot be quoted so that dotenv and Node read it back whole (it holds all three quote characters).
 */
export function quoteValuesCutAtHash(text: string): string | undefined {
  const cut = entriesCutAtHash(text);
  const wanted = new Map<number, string>();
  let out = text;
  for (const e of [...cut].reverse()) {
    let value = text.slice(e.valueStart, lineEndAt(text, e.valueStart));
    const comment = /\s#/.exec(value);
    if (comment) value = value.slice(0, comment.index);
    value = value.replace(/\s+$/, '');
    const quote = (["'", '"', '`'] as const).find((q) => !value.includes(q) && !value.endsWith('\\') && !(q === '"' && /\\[nr]/.test(value)));
    if (quote === undefined) return undefined;
    out = out.slice(0, e.valueStart) + quote + value + quote + out.slice(e.valueStart + value.length);
    wanted.set(e.line, value);
  }
  // Read back: each on its line, whole, and nothing cut any more.
  const read = parseDotenv(out);
  const whole = [...wanted].every(([line, value]) => read.some((e) => e.line === line && e.value === value));
  return whole && entriesCutAtHash(out).length === 0 ? out : undefined;
}
