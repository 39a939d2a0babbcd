// YAML leaves with source spans (docs/VALUES.md §3). js-yaml composes the stream, once, with the failsafe
// schema (every scalar a string, so paths never depend on type resolution) plus a catch-all for other
// tags (kept, not resolved: a `!Ref` or `!!int` never makes a file unreadable). Its parse events give
// where each node's text begins and ends; the tree of events is checked against the composed values
// before any span is trusted, and what cannot be matched exactly is refused, never guessed.
// The `yaml` package's composer gives the same spans (test/core/values-yaml.test.ts holds it as the
// oracle) but parses ~30× slower, too slow for large files (docs/PERFORMANCE.md).
import { CORE_SCHEMA, DEFAULT_SCHEMA, FAILSAFE_SCHEMA, Type, YAMLException, load, loadAll, type State } from 'js-yaml';
import { FormatError } from './errors';
import { LINE_BREAK, MAX_NESTING, type PathSegment } from './values-metadata';

export interface YamlLeaf {
  readonly path: readonly PathSegment[];
  readonly start: number;
  readonly end: number;
  /** Where an alias copies this leaf (the alias's path, or one of them): §3, such a leaf is not sealed. */
  aliasedAt?: readonly PathSegment[];
}

type NodeKind = 'scalar' | 'mapping' | 'sequence' | null;

/** One composed node as the parse events saw it: positions in the text js-yaml read (no BOM). */
interface EventNode {
  /** Where js-yaml started looking for the node: before separating space, comments and properties. */
  readonly open: number;
  close: number;
  kind: NodeKind;
  result: unknown;
  readonly children: EventNode[];
  /** The anchor js-yaml gave this node (`&name`). */
  anchor?: string;
  /** For an alias (`*name`): the node its anchor names, as js-yaml resolved it. */
  target?: EventNode;
  /** The node's path, once the walk reached it (mapping keys have none). */
  path?: readonly PathSegment[];
}

const SCHEMA = FAILSAFE_SCHEMA.extend(
  (['scalar', 'sequence', 'mapping'] as const).map((kind) => new Type('', { kind, multi: true, construct: (data: unknown) => data })),
);

function notSupported(what: string, path: readonly PathSegment[], at?: { line: number; hint?: string }): FormatError {
  const where = path.length > 1 ? ` (under "${path.slice(1).join('.')}")` : at ? ` (line ${at.line})` : '';
  return new FormatError(`not supported in a value-encrypted YAML file: ${what}${where}`, { hint: at?.hint ?? 'docs/VALUES.md §3 lists what YAML a value-encrypted file may hold', line: at?.line });
}

/**
 * js-yaml reads on where YAML 1.2 stops: a multi-line scalar whose next line is not indented past its
 * parent (`deficient indentation`) is refused rather than read two ways.
 */
function onWarning(warning: YAMLException): void {
  if (/deficient indentation/.test(warning.reason)) {
    throw new FormatError(`not supported in a value-encrypted YAML file: a multi-line scalar with a line not indented past its key or entry (line ${warning.mark.line + 1})`, {
      hint: 'indent the continuation lines of the value, or write it on one line',
      line: warning.mark.line + 1,
    });
  }
}

/**
 * js-yaml's reason names the alias, tag or tag handle it stopped at: a password written unquoted
 * (`password: *Sup3rS3cret`) is such a name, and was quoted in the error (a red team's finding).
 */
function withoutNames(reason: string): string {
  return reason
    .replace(/(unidentified alias|undeclared tag handle|suffix for) "[^"]*"/g, '$1 (its name left out)')
    .replace(/!<[^>]*>/g, '!<…>')
    .replace(/(tag name cannot contain such characters|tag name is malformed|tag prefix is malformed): [^]*/, '$1');
}

/** YAML's own tags: `key: !!null` or `key: !!str` is an empty value meant so. */
const STANDARD_TAG = /^tag:yaml\.org,2002:(?:null|str|bool|int|float|binary|timestamp|map|seq|set|omap|pairs|merge)$/;

/** The composed documents, each as its tree of parse events. */
function parseEvents(source: string, bare: number[] = []): EventNode[] {
  const documents: EventNode[] = [];
  const stack: EventNode[] = [];
  // Anchors are per document (js-yaml's anchorMap is too): the node each name refers to so far.
  const anchors = new Map<string, EventNode>();
  let line = 1;
  const listener = (event: 'open' | 'close', state: State): void => {
    line = state.line + 1;
    if (event === 'open') {
      if (stack.length === 0) anchors.clear();
      // Stops js-yaml's recursion early. A node at depth d has at most d + 1 events open around it (one
      // node may be two events, innermost()); visit() checks the exact depth.
      if (stack.length > MAX_NESTING + 1) throw tooDeep(line);
      stack.push({ open: state.position, close: -1, kind: null, result: null, children: [] });
      return;
    }
    const node = stack.pop()!;
    node.close = state.position;
    node.kind = state.kind as NodeKind;
    node.result = state.result as unknown;
    const anchor = (state as unknown as { anchor: string | null }).anchor;
    if (anchor !== null) {
      node.anchor = anchor;
      anchors.set(anchor, node);
    } else if (node.kind === null && node.result !== null) {
      const alias = aliasName(source, node.open);
      if (alias !== undefined) node.target = anchors.get(alias);
    }
    if (stack.length === 0) documents.push(node);
    // A node with no kind and no value is nothing: an empty value, or js-yaml trying for a key where
    // none is. Dropping it loses no leaf; the matching below accounts for the nulls it leaves. One with
    // an anchor or a tag is an empty value written with one: where it started is kept for the warning.
    else if (node.kind !== null || node.result !== null) stack[stack.length - 1].children.push(node);
    else if (anchor !== null || !STANDARD_TAG.test((state as unknown as { tag: string | null }).tag ?? 'tag:yaml.org,2002:null')) bare.push(node.open);
  };
  try {
    loadAll(source, null, { schema: SCHEMA, listener, onWarning });
  } catch (err) {
    // js-yaml throws nothing but YAMLException; a stack overflow is the engine's, from nesting.
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw tooDeep(line);
    if (!(err instanceof YAMLException)) throw err;
    // js-yaml's message quotes the source lines, which may hold a secret: give its reason and line only.
    const reason = withoutNames(err.reason);
    const hint = reason === err.reason ? 'fix the YAML syntax first' : 'fix the YAML syntax first: a value that starts with *, & or ! is read as an alias, an anchor or a tag unless it is quoted';
    throw new FormatError(`not valid YAML: ${reason} at line ${err.mark.line + 1}`, { hint, line: err.mark.line + 1 });
  }
  return documents;
}

/**
 * js-yaml reads a plain scalar, an alias or a flow collection where a block mapping could start as a
 * would-be key inside the node it belongs to: one node, two events. The inner one has the positions.
 */
function innermost(node: EventNode): EventNode {
  let n = node;
  while (n.children.length === 1 && n.children[0].kind === n.kind && n.children[0].result === n.result) n = n.children[0];
  return n;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function isBreak(c: number): boolean {
  return c === LF || c === CR;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function isFlowIndicator(c: number): boolean {
  return c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d; // , [ ] { }
}

/** `from`, moved past separating space and comments. */
function pastSpaceAndComments(s: string, from: number): number {
  let i = from;
  for (;;) {
    const c = s.charCodeAt(i);
    if (isBlank(c)) i++;
    else if (c === 0x23) {
      while (i < s.length && !isBreak(s.charCodeAt(i))) i++; // # comment
    } else return i;
  }
}

/** §3: nesting past MAX_NESTING, as for JSON. js-yaml and the walk below recurse once per level. */
function tooDeep(line: number): FormatError {
  return new FormatError(`not supported in a value-encrypted YAML file: nesting deeper than ${MAX_NESTING} at line ${line}`, {
    hint: `a value-encrypted file holds at most ${MAX_NESTING} levels of nested mappings and sequences: flatten the document, or encrypt the whole file instead`,
    line,
  });
}

/** The 1-based line of `at` in `s`. */
function lineAt(s: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF || (c === CR && s.charCodeAt(i + 1) !== LF)) line++;
  }
  return line;
}

/** The name of the alias (`*name`) that starts at `from`, past separating space and comments; undefined when none does. */
function aliasName(s: string, from: number): string | undefined {
  const start = pastSpaceAndComments(s, from) + 1;
  if (s.charCodeAt(start - 1) !== 0x2a) return undefined;
  let end = start;
  while (end < s.length && !isBlank(s.charCodeAt(end)) && !isFlowIndicator(s.charCodeAt(end))) end++;
  return end > start ? s.slice(start, end) : undefined;
}

/** Where a scalar's text begins: past separating space, comments and its tag and anchor (js-yaml's rules). */
function scalarStart(s: string, from: number): number {
  let i = from;
  for (;;) {
    i = pastSpaceAndComments(s, i);
    const c = s.charCodeAt(i);
    if (c === 0x21) {
      if (s.charCodeAt(i + 1) === 0x3c) {
        const close = s.indexOf('>', i); // !<verbatim>
        if (close < 0) return -1;
        i = close + 1;
      } else {
        while (i < s.length && !isBlank(s.charCodeAt(i))) i++;
      }
    } else if (c === 0x26) {
      i++; // &anchor
      while (i < s.length && !isBlank(s.charCodeAt(i)) && !isFlowIndicator(s.charCodeAt(i))) i++;
    } else return i;
  }
}

/**
 * The end of a block scalar (`|`, `>`): its last content line, trailing line breaks excluded. js-yaml's
 * `close` is on the first line after the scalar; lines of spaces before it are content only when longer
 * than the content's indentation, which an explicit indentation indicator (`|2`) leaves unknown here.
 */
function blockScalarEnd(s: string, start: number, close: number, path: readonly PathSegment[]): number {
  let i = start;
  while (i < s.length && !isBreak(s.charCodeAt(i))) i++;
  const header = s.slice(start, i);
  // Keep chomping (`|+`, `>+`): the trailing line breaks are value, yet outside the leaf's text and in
  // blank lines the MAC does not cover (VALUES.md §7), so they could be added unnoticed.
  if (header.split(/[ \t#]/)[0].includes('+')) throw notSupported('a block scalar with keep chomping (|+ or >+): write it with | or |- instead', path);
  // A whole document that is one block scalar with an indentation indicator: YAML 1.2 counts the
  // indicator from column -1 (`|2` takes a line indented by one space), the `yaml` package from column 0;
  // the two read `|2\n #x` as "#x" and as "" (found by the mutation test, seed -1919646083).
  if (path.length === 1 && /[1-9]/.test(header.split(/[ \t#]/)[0])) throw notSupported('a whole document that is one block scalar with an indentation indicator (|2)', path);
  let end = i;
  // The body: whole lines up to the line js-yaml stopped on (all of the rest at the end of the text).
  let bodyEnd = s.length;
  if (close < s.length) {
    bodyEnd = close;
    while (bodyEnd > i && !isBreak(s.charCodeAt(bodyEnd - 1))) bodyEnd--;
  }
  let indent = -1;
  const blankLines: { spaces: number; end: number }[] = [];
  while (i < bodyEnd) {
    i += s.charCodeAt(i) === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
    const lineStart = i;
    while (i < bodyEnd && s.charCodeAt(i) === SPACE) i++;
    const spaces = i - lineStart;
    // js-yaml reads a document marker at column 0 as content of a top-level block scalar; YAML 1.2 ends the document there.
    if (spaces === 0 && /^(?:---|\.\.\.)(?:[ \t\r\n]|$)/.test(s.slice(i, i + 4))) throw notSupported('a document marker (--- or ...) right after a block scalar at the top level', path);
    while (i < bodyEnd && !isBreak(s.charCodeAt(i))) i++;
    if (i > lineStart + spaces) {
      if (indent < 0) indent = spaces;
      end = i;
      blankLines.length = 0;
    } else if (spaces > 0) {
      blankLines.push({ spaces, end: i });
    }
  }
  if (indent < 0 && blankLines.length > 0) throw notSupported('an empty block scalar followed by lines of spaces', path);
  if (indent >= 0 && blankLines.length > 0) {
    if (/[1-9]/.test(header.split(/[ \t#]/)[0])) throw notSupported('a block scalar with an indentation indicator (|2) followed by lines of spaces', path);
    for (const line of blankLines) if (line.spaces > indent) end = line.end;
  }
  return end;
}

/** The span of a scalar node, checked against the value js-yaml composed wherever that is exact. */
function scalarSpan(s: string, node: EventNode, path: readonly PathSegment[]): { start: number; end: number } {
  const start = scalarStart(s, node.open);
  const close = Math.min(node.close, s.length);
  const first = s.charCodeAt(start);
  let end: number;
  if (first === 0x22 || first === 0x27) {
    end = close; // just past the closing quote
    if (end - start < 2 || s.charCodeAt(end - 1) !== first) end = -1;
  } else if (first === 0x7c || first === 0x3e) {
    end = blockScalarEnd(s, start, close, path);
  } else {
    end = close; // past any spaces, comment or line breaks js-yaml looked at after the scalar
    while (end > start && isBlank(s.charCodeAt(end - 1))) end--;
  }
  if (start < 0 || end <= start || !singleLineMatches(s.slice(start, end), node.result)) {
    throw notSupported('a scalar whose source text could not be located exactly', path);
  }
  return { start, end };
}

/** For one-line plain and quoted scalars without escapes the value is the text itself: a cheap cross-check. */
function singleLineMatches(raw: string, value: unknown): boolean {
  if (raw.includes('\n') || raw.includes('\r')) return true;
  const q = raw.charCodeAt(0);
  if (q === 0x27) return value === raw.slice(1, -1).replace(/''/g, "'");
  if (q === 0x22) return raw.includes('\\') || value === raw.slice(1, -1);
  if (q === 0x7c || q === 0x3e) return true;
  return value === raw;
}

interface Walk {
  readonly source: string;
  readonly offset: number;
  readonly leaves: YamlLeaf[];
  readonly path: PathSegment[];
  /** Every alias met, with its path. */
  readonly aliases: { path: readonly PathSegment[]; node: EventNode }[];
  /** Where an anchor or a tag stands with no value, or an anchor on a leaf: text that is never a value. */
  readonly properties: { path: readonly PathSegment[]; at: number }[];
  /** Where empty nodes with an anchor or a tag start (parseEvents), sorted. */
  readonly bare: readonly number[];
}

/** An empty value with an anchor or a tag in [from, to) is recorded as a property outside values (binary search). */
function bareValue(w: Walk, from: number, to: number, segment: PathSegment): void {
  let lo = 0;
  let hi = w.bare.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w.bare[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  if (lo < w.bare.length && w.bare[lo] < to) w.properties.push({ path: [...w.path, segment], at: w.bare[lo] + w.offset });
}

function visit(w: Walk, node: EventNode): void {
  const n = innermost(node);
  if (w.path.length - 1 > MAX_NESTING) throw tooDeep(lineAt(w.source, pastSpaceAndComments(w.source, n.open)));
  // Every event of the node (js-yaml may read one node as two, innermost()): its anchor is on one of them.
  const path = w.path.slice();
  for (let e: EventNode | undefined = node; e !== undefined; e = e === n ? undefined : e.children[0]) e.path = path;
  switch (n.kind) {
    case 'scalar': {
      if (n.children.length > 0) throw notSupported('a scalar read as more than one node', w.path);
      const { start, end } = scalarSpan(w.source, n, w.path);
      w.leaves.push({ path: w.path.slice(), start: start + w.offset, end: end + w.offset });
      if ((n.anchor ?? node.anchor) !== undefined) w.properties.push({ path: w.path.slice(), at: start + w.offset });
      return;
    }
    case 'mapping': {
      const map = n.result as Record<string, unknown>;
      const next = pairs(w, n.children, 0, map, Infinity);
      if (next !== n.children.length) throw notSupported('a mapping entry that could not be matched to its key', w.path);
      return;
    }
    case 'sequence': {
      const items = n.result as unknown[];
      let j = 0;
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (item === null) {
          // an empty entry: its node, if any, was nothing
          if (w.bare.length > 0) bareValue(w, j > 0 ? n.children[j - 1].close : n.open, n.children[j]?.open ?? n.close, i);
          continue;
        }
        const child = n.children[j];
        w.path.push(i);
        if (child !== undefined && child.result === item) {
          visit(w, child);
          j++;
        } else if (typeof item === 'object' && !Array.isArray(item)) {
          j = pairs(w, n.children, j, item as Record<string, unknown>, 1); // [key: value] in a flow sequence
        } else {
          throw notSupported('a sequence entry that could not be matched to its node', w.path);
        }
        w.path.pop();
      }
      if (j !== n.children.length) throw notSupported('a sequence entry that could not be matched to its node', w.path);
      return;
    }
    default:
      // An alias or an empty tagged or anchored node: not a leaf (§3).
      if (n.children.length > 0) throw notSupported('a node read as more than one node', w.path);
      if (n.target !== undefined) w.aliases.push({ path: w.path.slice(), node: n });
  }
}

/**
 * Marks the leaves an alias copies (those under the node its anchor names): §3, an alias is no leaf, so
 * neither a token nor the MAC covers the copy, and sealing or opening refuses such a leaf encrypted.
 * An anchor on a mapping key names no leaf.
 */
function markAliased(leaves: YamlLeaf[], aliases: Walk['aliases']): void {
  for (const alias of aliases) {
    const target = alias.node.target!.path;
    if (target === undefined) continue;
    for (const leaf of leaves) {
      if (leaf.aliasedAt === undefined && leaf.path.length >= target.length && target.every((seg, i) => leaf.path[i] === seg)) leaf.aliasedAt = alias.path;
    }
  }
}

/**
 * Matches key and value nodes from `children[from]` to the entries of `map` (js-yaml's composed mapping):
 * each key a scalar, each key once, a value node right after its key unless the value is null. Returns
 * the index after the last node used; every entry of `map` must be matched.
 */
function pairs(w: Walk, children: readonly EventNode[], from: number, map: Record<string, unknown>, most: number): number {
  // An empty key (`{: v}`, `? ` alone) leaves no node: js-yaml stores it as "null", YAML 1.2 as a null key
  // that other readers name "" or null. Refused (§3); no node of it is matched, so nothing is quoted.
  if (Object.prototype.hasOwnProperty.call(map, 'null') && !children.some((c) => innermost(c).result === 'null')) {
    throw notSupported('a mapping entry with an empty key', w.path);
  }
  const seen = new Set<string>();
  let j = from;
  while (j < children.length && seen.size < most) {
    const keyNode = innermost(children[j]);
    if (keyNode.kind !== 'scalar' || typeof keyNode.result !== 'string') throw notSupported('a mapping key that is not a scalar (an alias, a sequence or a mapping)', w.path);
    const key = keyNode.result;
    // A key written over several lines (`? |`, a quoted key broken across lines) may hold a line that
    // starts with `#`, which the MAC's covered text takes for a comment (VALUES.md §7): refused.
    const keyStart = scalarStart(w.source, keyNode.open);
    if (keyStart >= 0 && LINE_BREAK.test(w.source.slice(keyStart, Math.min(keyNode.close, w.source.length)).replace(/[\s]+$/, ''))) {
      throw notSupported('a mapping key written over several lines', w.path);
    }
    // Quoted only when it is one of the mapping's keys: a node out of step may be a value.
    if (!Object.prototype.hasOwnProperty.call(map, key)) throw notSupported(key === '<<' ? 'a merge key with an explicit !!merge tag ("<<")' : 'a mapping key that could not be matched', w.path);
    if (seen.has(key)) throw notSupported(`a mapping key that could not be matched ("${key.slice(0, 40)}")`, w.path);
    seen.add(key);
    j++;
    const value = map[key];
    if (value === null) {
      // no value, or an empty one: no node left for it
      if (w.bare.length > 0) bareValue(w, keyNode.close, children[j]?.open ?? Infinity, key);
      continue;
    }
    const valueNode = children[j];
    if (valueNode === undefined || valueNode.result !== value) throw notSupported(`the value of "${key.slice(0, 40)}" could not be matched to its node`, w.path);
    w.path.push(key);
    visit(w, valueNode);
    w.path.pop();
    j++;
  }
  if (seen.size !== Object.keys(map).length) throw notSupported('a mapping whose entries could not all be matched (a merge key with an explicit !!merge tag?)', w.path);
  return j;
}

/**
 * js-yaml takes the `-` that follows an empty sequence entry (`-` and nothing else on its line) for the
 * next entry of that sequence even when it is less indented, where YAML 1.2 ends the sequence: paths
 * would differ from the document's. Refused, found in the text (no node marks an empty entry).
 */
function checkEmptySequenceEntries(s: string): void {
  let pending = -1; // the column of the last empty entry's `-`, until the next content line
  for (let lineStart = 0; lineStart < s.length; ) {
    let lineEnd = s.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = s.length;
    let i = lineStart;
    while (i < lineEnd && s.charCodeAt(i) === SPACE) i++;
    const c = i < lineEnd ? s.charCodeAt(i) : -1;
    if (c !== -1 && c !== CR && c !== 0x23) {
      const dash = c === 0x2d && (i + 1 === lineEnd || isBlank(s.charCodeAt(i + 1)));
      if (pending >= 0 && dash && i - lineStart < pending) {
        throw notSupported('an empty sequence entry (- alone on its line) followed by a less indented entry', []);
      }
      pending = -1;
      // `- - -` (compact nested entries): the last dash is the one that may be empty.
      let d = dash ? i : -1;
      while (d >= 0) {
        let j = d + 1;
        while (j < lineEnd && (s.charCodeAt(j) === SPACE || s.charCodeAt(j) === TAB)) j++;
        if (j === lineEnd || s.charCodeAt(j) === CR || s.charCodeAt(j) === 0x23) {
          pending = d - lineStart;
          break;
        }
        d = s.charCodeAt(j) === 0x2d && (j + 1 === lineEnd || isBlank(s.charCodeAt(j + 1))) ? j : -1;
      }
    }
    lineStart = lineEnd + 1;
  }
}

export function yamlLeaves(text: string): YamlLeaf[] {
  return walkYaml(text).leaves;
}

/**
 * Where a secret written without quotes would stay readable: an anchor or a tag with no value after it
 * (`password: &Sup3rS3cret!`, `password: !Sup3rS3cret`: YAML reads an anchor or a tag, and the value is
 * empty), and an anchor on a value (`password: &Sup3r S3cret`: only "S3cret" is the value). Tags before a
 * value are left out: they are the file's own (`!Ref`, `!!str`). A red team's mistyped passwords were
 * sealed without a word, the password readable in the file.
 */
export function yamlPropertiesOutsideValues(text: string): { path: readonly PathSegment[]; at: number }[] {
  return walkYaml(text).properties;
}

function walkYaml(text: string): { leaves: YamlLeaf[]; properties: Walk['properties'] } {
  // js-yaml drops a leading byte order mark; give it the text without one so offsets stay aligned.
  const offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const source = offset === 0 ? text : text.slice(offset);
  // YAML allows a byte order mark before each document; js-yaml reads one past the first as text.
  if (source.includes('\ufeff')) throw notSupported('a byte order mark (U+FEFF) after the start of the file', []);
  const leaves: YamlLeaf[] = [];
  // js-yaml takes `---` at the start of a document for a marker even when text follows it (`-----`,
  // `---x`); YAML 1.2 reads that line as a scalar.
  const dashes = /(?:^|[\r\n])---[^ \t\r\n]/.exec(source);
  if (dashes) {
    throw notSupported('a line that starts with --- followed by text', [], {
      line: lineAt(source, dashes.index + (dashes[0].startsWith('-') ? 0 : 1)),
      hint: 'a PEM block (-----BEGIN …) pasted as a value goes in a block scalar with every line indented under its key (key: |, then the lines)',
    });
  }
  checkEmptySequenceEntries(source);
  const aliases: Walk['aliases'] = [];
  const properties: Walk['properties'] = [];
  const bare: number[] = [];
  const documents = parseEvents(source, bare);
  bare.sort((a, b) => a - b);
  documents.forEach((doc, index) => visit({ source, offset, leaves, path: [index], aliases, properties, bare }, doc));
  if (aliases.length > 0) markAliased(leaves, aliases);
  return { leaves, properties };
}

/** The string a YAML reader gets from a leaf's raw text (§3): quotes, escapes, folding and chomping applied. */
export function yamlScalarValue(raw: string): string {
  // A block scalar's raw text stops before its last line break (§3); give it back for chomping.
  const value = load(/^[|>]/.test(raw) ? `${raw}\n` : raw, { schema: SCHEMA });
  return value === null || value === undefined ? '' : String(value);
}

/** A one-line plain scalar as a program reading YAML 1.2 (core schema) gets it: a string, number, boolean or null; undefined when it is not one. */
export function yamlCoreValue(raw: string): unknown {
  try {
    const value: unknown = load(raw, { schema: CORE_SCHEMA });
    return typeof value === 'object' && value !== null ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * Whether a program's YAML reader loads the text, its standard tags (`!!int`, `!!binary`, `!!timestamp`…)
 * resolved: `set` must not turn a file one loads into one it refuses (`a: !!int 5` set to a word).
 */
export function yamlLoadsWithTags(text: string): boolean {
  try {
    loadAll(text, null, { schema: DEFAULT_SCHEMA });
    return true;
  } catch {
    return false;
  }
}
