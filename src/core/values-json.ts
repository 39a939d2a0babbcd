// JSON (RFC 8259) with source positions, for value-level encryption (docs/VALUES.md §3–§4): finds every
// leaf's span so a writer replaces only those bytes and keeps all formatting. A validating scanner, not
// a general parser: it accepts exactly what JSON.parse accepts (the tests use JSON.parse as the oracle).
import { FormatError } from './errors';
import { MAX_NESTING, type PathSegment } from './values-metadata';

export interface JsonLeaf {
  readonly path: readonly PathSegment[];
  readonly start: number;
  readonly end: number;
}

export interface JsonMember {
  readonly name: string;
  /** From the end of the previous member's value (or just after `{`) to the end of this member's value. */
  readonly extentStart: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface JsonStructure {
  readonly leaves: JsonLeaf[];
  /** Members of the top-level object, in order. */
  readonly members: JsonMember[];
  /** Offset just after the top-level `{`. */
  readonly objectOpenEnd: number;
  /** Indentation of the first member on its own line (spaces/tabs after the line break), if any. */
  readonly firstMemberIndent?: string;
}

function fail(text: string, at: number, what: string): never {
  let line = 1;
  let col = 1;
  for (let i = 0; i < at && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  // Position only: the text around it may be a secret.
  throw new FormatError(`not valid JSON: ${what} at line ${line}, column ${col}`, { hint: 'fix the JSON syntax (the file must parse with JSON.parse)', line });
}

/** Parses `text`, which must be one JSON object, collecting leaves (with paths) and top-level members. */
export function scanJson(text: string): JsonStructure {
  const leaves: JsonLeaf[] = [];
  const members: JsonMember[] = [];
  let objectOpenEnd = -1;
  let firstMemberIndent: string | undefined;
  // A leading byte order mark, which a JSON parser may ignore (RFC 8259 §8.1): kept in the document.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const skipSpace = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };

  const scanString = (): void => {
    // text[i] === '"'
    i++;
    for (;;) {
      if (i >= n) fail(text, i, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail(text, i, 'control character in a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(text, i, 'bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(text, i, 'bad escape');
      } else i++;
    }
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

  const scanValue = (path: PathSegment[], depth: number, topLevel: boolean): void => {
    if (depth > MAX_NESTING) fail(text, i, `nesting deeper than ${MAX_NESTING}`);
    skipSpace();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      if (topLevel) objectOpenEnd = i;
      const names = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      let extentStart = objectOpenEnd;
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail(text, i, 'expected a member name');
        if (topLevel && members.length === 0) {
          const lineStart = text.lastIndexOf('\n', i - 1);
          const lead = text.slice(lineStart + 1, i);
          if (lineStart >= objectOpenEnd && /^[ \t]*$/.test(lead)) firstMemberIndent = lead;
        }
        const nameStart = i;
        scanString();
        const name = JSON.parse(text.slice(nameStart, i)) as string;
        if (names.has(name)) fail(text, nameStart, 'duplicate member name');
        names.add(name);
        skipSpace();
        if (text[i] !== ':') fail(text, i, 'expected ":"');
        i++;
        skipSpace();
        const valueStart = i;
        path.push(name);
        scanValue(path, depth + 1, false);
        path.pop();
        if (topLevel) members.push({ name, extentStart, valueStart, valueEnd: i });
        extentStart = i;
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(text, i, 'expected "," or "}"');
      }
    }
    if (topLevel) fail(text, i, 'the top level must be an object');
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        path.push(index);
        scanValue(path, depth + 1, false);
        path.pop();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(text, i, 'expected "," or "]"');
      }
    }
    if (c === '"') scanString();
    else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) fail(text, i, c === undefined ? 'unexpected end' : 'unexpected character');
      i += m[0].length;
    }
    leaves.push({ path: path.slice(), start, end: i });
  };

  scanValue([], 0, true);
  skipSpace();
  if (i < n) fail(text, i, 'data after the top-level object');
  return { leaves, members, objectOpenEnd, firstMemberIndent };
}
