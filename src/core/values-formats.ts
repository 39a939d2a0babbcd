// The three formats of value-encrypted files (docs/VALUES.md §3–§4): where the leaves are, how a
// token is written in place of a value, and how the metadata lines are embedded and found again.
import { parseDotenv } from './dotenv';
import { FormatError, LineAfterMetadataError } from './errors';
import { scanJson } from './values-json';
import { TOKEN_PREFIX, type PathSegment, type ValuesFormatName } from './values-metadata';
import { yamlLeaves } from './values-yaml';

export interface FormatLeaf {
  readonly path: readonly PathSegment[];
  /** The raw text is `document.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  /** YAML: where an alias copies this leaf (§3). */
  readonly aliasedAt?: readonly PathSegment[];
}

export interface SplitFile {
  readonly document: string;
  /** The metadata lines (§4), without `#custodian:` or JSON quoting; absent when the file has no block. */
  readonly lines?: readonly string[];
}

export interface ValuesFormat {
  readonly name: ValuesFormatName;
  split(text: string): SplitFile;
  /** Inverse of `split`: `split(join(d, lines))` gives back `d` and `lines`. */
  join(document: string, lines: readonly string[]): string;
  /** True when `join` must add a line break after `document` (and the metadata says `eol=none`). */
  addsLineBreak(document: string): boolean;
  leaves(document: string): FormatLeaf[];
  /** The token when `raw` is an encrypted leaf (§6), else undefined; FormatError for a malformed one. */
  tokenIn(raw: string): string | undefined;
  /** What replaces a value's raw text. */
  writeToken(token: string): string;
}

const MARKER = '#custodian:';
const FIRST_LINE = `${MARKER}values=`;
const JSON_MEMBER = 'custodian:values';
const TOKEN_BODY = /^[A-Za-z0-9_-]+$/;

function lineEnding(document: string): string {
  const lf = document.indexOf('\n');
  return lf > 0 && document[lf - 1] === '\r' ? '\r\n' : '\n';
}

function checkedToken(candidate: string): string {
  if (!TOKEN_BODY.test(candidate.slice(TOKEN_PREFIX.length))) {
    throw new FormatError(`malformed token "${candidate.slice(0, 24)}…": a token is "${TOKEN_PREFIX}" followed by base64url characters`, { hint: 'the file was edited by hand; take it from version control again' });
  }
  return candidate;
}

/** dotenv and YAML: the metadata is a trailing block of `#custodian:` comment lines (§4). */
function splitCommentBlock(text: string): SplitFile {
  let at = text.lastIndexOf(`\n${FIRST_LINE}`);
  if (at >= 0) at += 1;
  else if (text.startsWith(FIRST_LINE)) at = 0;
  else return { document: text };
  const block = text.slice(at).split('\n');
  if (block[block.length - 1] === '') block.pop();
  const lines = block.map((line, k) => {
    const content = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (!content.startsWith(MARKER)) throw new LineAfterMetadataError(`malformed metadata: line ${k + 1} of the block at the end of the file does not start with "${MARKER}"`, { hint: 'nothing may follow the #custodian: lines: a line added at the end (echo NAME=value >> FILE?) is not encrypted and breaks the file. Remove it, then add the value with "custodian set FILE NAME" (the value from standard input) or in VS Code, which opens the file decrypted; if it was committed, rotate that secret' });
    return content.slice(MARKER.length);
  });
  let document = text.slice(0, at);
  if (lines[1] === 'eol=none') {
    const eol = document.endsWith('\r\n') ? 2 : document.endsWith('\n') ? 1 : 0;
    if (eol === 0) throw new FormatError('malformed metadata: "eol=none" but no line break before the block');
    document = document.slice(0, -eol);
  }
  return { document, lines };
}

function joinCommentBlock(document: string, lines: readonly string[]): string {
  const eol = lineEnding(document);
  // A final lone CR is kept by adding CRLF after it: the reader removes CRLF when the text ends so (§4).
  const lead = lines.includes('eol=none') ? (document.endsWith('\r') ? '\r\n' : eol) : '';
  return `${document}${lead}${lines.map((l) => `${MARKER}${l}${eol}`).join('')}`;
}

function commentBlockAddsLineBreak(document: string): boolean {
  return document.length > 0 && !document.endsWith('\n');
}

function plainToken(raw: string): string | undefined {
  return raw.startsWith(TOKEN_PREFIX) ? checkedToken(raw) : undefined;
}

const dotenv: ValuesFormat = {
  name: 'dotenv',
  split: splitCommentBlock,
  join: joinCommentBlock,
  addsLineBreak: commentBlockAddsLineBreak,
  leaves: (document) => parseDotenv(document).map((e) => ({ path: [e.name], start: e.valueStart, end: e.valueEnd })),
  tokenIn: plainToken,
  writeToken: (token) => token,
};

const yaml: ValuesFormat = {
  name: 'yaml',
  split: splitCommentBlock,
  join: joinCommentBlock,
  addsLineBreak: commentBlockAddsLineBreak,
  leaves: yamlLeaves,
  tokenIn: plainToken,
  writeToken: (token) => token,
};

const json: ValuesFormat = {
  name: 'json',
  split(text) {
    const { members } = scanJson(text);
    const index = members.findIndex((m) => m.name === JSON_MEMBER);
    if (index < 0) return { document: text };
    if (index !== members.length - 1) throw new FormatError(`malformed metadata: "${JSON_MEMBER}" must be the last member of the top-level object`);
    const member = members[index];
    const value: unknown = JSON.parse(text.slice(member.valueStart, member.valueEnd));
    if (!Array.isArray(value) || !value.every((l): l is string => typeof l === 'string')) {
      throw new FormatError(`malformed metadata: "${JSON_MEMBER}" must be an array of strings`);
    }
    return { document: text.slice(0, member.extentStart) + text.slice(member.valueEnd), lines: value };
  },
  join(document, lines) {
    const { members, objectOpenEnd, firstMemberIndent } = scanJson(document);
    const at = members.length > 0 ? members[members.length - 1].valueEnd : objectOpenEnd;
    const eol = lineEnding(document);
    const indent = firstMemberIndent || '  ';
    const body = lines.map((l) => `${eol}${indent}${indent}${JSON.stringify(l)}`).join(',');
    const inserted = `${members.length > 0 ? ',' : ''}${eol}${indent}${JSON.stringify(JSON_MEMBER)}: [${body}${eol}${indent}]`;
    return document.slice(0, at) + inserted + document.slice(at);
  },
  addsLineBreak: () => false,
  leaves: (document) => scanJson(document).leaves,
  tokenIn(raw) {
    if (!raw.startsWith(`"${TOKEN_PREFIX}`)) return undefined;
    return checkedToken(raw.slice(1, -1));
  },
  writeToken: (token) => `"${token}"`,
};

const FORMATS: Readonly<Record<ValuesFormatName, ValuesFormat>> = { dotenv, json, yaml };

export function valuesFormat(name: ValuesFormatName): ValuesFormat {
  const format = FORMATS[name];
  if (!format) throw new TypeError(`"format" expected dotenv, json or yaml, got ${String(name)}`);
  return format;
}

/** The format a file name implies: `.env`, `.env.*`, `*.env` → dotenv; `*.json` → json; `*.yaml`/`*.yml` → yaml. */
export function valuesFormatForFileName(fileName: string): ValuesFormatName | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  if (/^\.env(\..*)?$|\.env$/i.test(base)) return 'dotenv';
  if (/\.json$/i.test(base)) return 'json';
  if (/\.ya?ml$/i.test(base)) return 'yaml';
  return undefined;
}
