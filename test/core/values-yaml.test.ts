// The YAML leaves of value-encrypted files (src/core/values-yaml.ts, docs/VALUES.md §3) against the `yaml`
// package's composer, the oracle: the spans and paths js-yaml's parse events give must be exactly the
// scalar ranges `yaml` reports, on real files, on edge cases, on documents that js-yaml and `yaml`
// write in every style they know (fast-check), and on those documents mutated at random.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FAILSAFE_SCHEMA, dump, loadAll } from 'js-yaml';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, stringify, type Node as YamlNode } from 'yaml';
import { FormatError } from '../../src/core/errors';
import { readValue } from '../../src/core/values';
import { yamlLeaves, type YamlLeaf } from '../../src/core/values-yaml';
import { valuesReadableSlips } from '../../src/core/values';
import type { SelectionRule } from '../../src/core/values-metadata';

const WILD = join(__dirname, '..', 'fixtures', 'values-wild');

/** What the previous implementation computed with the `yaml` composer (§3): the oracle. Undefined: not YAML to it. */
function oracleLeaves(text: string): YamlLeaf[] | undefined {
  // `yaml` counts a byte order mark as a column of the first line (`\uFEFF- - #c\n  - x` then reads
  // x as another entry of the outer sequence); YAML 1.2 and js-yaml do not. The oracle reads the text
  // after it, and its offsets move by one. (Found by the mutation test below, seed 1211648184.)
  if (text.startsWith('\uFEFF')) return oracleLeaves(text.slice(1))?.map((l) => ({ ...l, start: l.start + 1, end: l.end + 1 }));
  const documents = parseAllDocuments(text, { schema: 'failsafe', prettyErrors: false, uniqueKeys: true, strict: true });
  const leaves: YamlLeaf[] = [];
  for (const [index, doc] of (Array.isArray(documents) ? documents : []).entries()) {
    if (doc.errors.length > 0) return undefined;
    const visit = (node: YamlNode | null, path: (string | number)[]): void => {
      if (node === null || isAlias(node)) return;
      if (isScalar(node)) {
        if (!node.range) return;
        let end = node.range[1];
        while (end > node.range[0] && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
        if (end > node.range[0]) leaves.push({ path: path.slice(), start: node.range[0], end });
        return;
      }
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isScalar(pair.key)) throw new NotScalarKey();
          path.push(String(pair.key.value));
          visit(pair.value as YamlNode | null, path);
          path.pop();
        }
        return;
      }
      if (isSeq(node)) node.items.forEach((item, i) => (path.push(i), visit(item as YamlNode | null, path), path.pop()));
    };
    try {
      visit(doc.contents as YamlNode | null, [index]);
    } catch (err) {
      if (err instanceof NotScalarKey) return undefined; // refused (FormatError) by both implementations
      throw err;
    }
  }
  return leaves;
}

class NotScalarKey extends Error {}

/** Whether js-yaml and `yaml` compose the same data from `text` (both with the failsafe schema: strings only). */
function readAlike(text: string): boolean {
  let ours: string;
  try {
    ours = JSON.stringify(loadAll(text, null, { schema: FAILSAFE_SCHEMA }));
  } catch {
    return false;
  }
  const theirs = parseAllDocuments(text.replace(/^\uFEFF/, ''), { schema: 'failsafe' }); // as oracleLeaves reads it
  if (!Array.isArray(theirs) || theirs.some((d) => d.errors.length > 0)) return false;
  return ours === JSON.stringify(theirs.map((d) => d.toJS({ maxAliasCount: -1 })));
}

function shown(text: string, leaves: readonly YamlLeaf[]): string[] {
  return leaves.map((l) => `${JSON.stringify(l.path)} ${JSON.stringify(text.slice(l.start, l.end))}`);
}

function assertSameAsOracle(text: string): void {
  const expected = oracleLeaves(text);
  assert.ok(expected, `the oracle refuses ${JSON.stringify(text)}`);
  assert.deepEqual(shown(text, yamlLeaves(text)), shown(text, expected), JSON.stringify(text));
}

/** What VALUES.md §3 says a value-encrypted YAML file may not hold (js-yaml cannot place it exactly). */
const DOCUMENTED_REFUSALS = /not indented past|empty sequence entry|starts with --- followed by text|byte order mark|document marker|empty block scalar followed by lines of spaces|indentation indicator|keep chomping|written over several lines/;

const EDGE_CASES = [
  // A nested sequence after a byte order mark, an entry of the inner one on the next line.
  '\uFEFF- - #c "a"\n  - ""\n- z\n',
  'a: |  # c\n  x\n# comment\nb: 1',
  'a: |2\n   x\n  y\nb: 1',
  'a: x   # c\n',
  'a: "x"  \n',
  '- |\n  x\n-  y\n',
  'a: |\r\n  x\r\n  \r\nb: 1\r\n',
  'a: |\n\n  x\n',
  'a: |\n  \n  x\n',
  'a: |-\n',
  'a: |\nb: 1\n',
  'a: |  \nb: 1\n',
  'a: >\n  x\n\n  y\n\n',
  'a: |\n  x\n  \n\nb: 1\n',
  'a: |\n  x\n   \nb: 1\n',
  'a: |\n  x\n  ',
  'a: >-\n  folded\n  text\n\nb: 2\n',
  'seq:\n  - |\n    lit\n  - > \n    fold\n',
  '? a\n: b\n',
  '[a: b, c]',
  '{a, b: c}',
  '- \n- a\n',
  'a: x\n  y\n  z\n',
  'a: "x\n  y"\n',
  'a: "multi\n\n  line"\nb: \'x\n  y\'\n',
  "a: 'it''s'\n",
  'a: "q\\"x"\n',
  '---\n---\na: 1\n',
  'a: 1\n...\n---\nb: 2\n',
  'a: 1\n...\nb: 2\n',
  '# c\n---\na: 1\n',
  '%YAML 1.2\n---\na: x\n',
  '!!map {a: b}',
  'a: !custom x\nb: !!int 5\nc: !<tag:x> v\n',
  '\ufeffa: x\n',
  'x: &a v\ny: *a\nz: &b\n  k: v\nw: *b\n',
  'a: !!str\nb: &x\nc: !t &y v\n',
  'hello',
  '"hi"\n',
  '- a\n- b: c\n  d: e\n- [f, {g: h}]\n',
  'a:\n- x\n- y\nb: z\n',
  '- - a\n  - b\n- c\n',
  'a: [ x , "y" , \'z\' ]\n',
  'a: {b: [c, d], e: f}\n',
  'a:   spaced   \n',
  '"k": v\n\'k2\': v2\n',
  'k: v #c\n# end\n',
  '<<: {a: 1}\nb: 2\n',
  'base: &base\n  user: admin\nprod:\n  <<: *base\n  password: hunter2\n',
  'a: ""\nb: \'\'\n',
  'a: "é😀"\nb: ünï\n',
];

describe('values-yaml: leaves and spans against the yaml package (the oracle)', () => {
  it('real-world files (test/fixtures/values-wild)', () => {
    const files = readdirSync(WILD).filter((f) => /\.ya?ml$/.test(f));
    assert.ok(files.length >= 2);
    for (const file of files) assertSameAsOracle(readFileSync(join(WILD, file), 'utf8'));
  });

  it('the 44 Helm values files of test/fixtures/helm-values', function () {
    this.timeout(60000);
    const dir = join(__dirname, '..', 'fixtures', 'helm-values');
    const files = readdirSync(dir).filter((f) => f.endsWith('.values.yaml'));
    assert.equal(files.length, 44);
    for (const file of files) assertSameAsOracle(readFileSync(join(dir, file), 'utf8'));
  });

  it('edge cases: block scalars and their chomping, flow collections, anchors, aliases, tags, documents, BOM, CRLF', () => {
    for (const text of EDGE_CASES) assertSameAsOracle(text);
  });

  const key = fc.oneof(fc.constantFrom('a', 'b c', 'k:v', '#x', '-', '?', "'q'", '"', '', '1', 'true', 'null', '~', 'é', '😀', '<<', 'x y: z'), fc.string({ maxLength: 6 }));
  const text = fc.oneof(
    fc.string({ maxLength: 30, unit: fc.constantFrom(...'ab ,:#-?!&*|>\'"{}[]%@`\n\t\\é😀x'.split('')) }),
    fc.constantFrom('', ' ', 'a b', 'x\n', '\n\ny\n\n', ' lead', 'trail ', '- x', 'k: v', '# c', 'true', '1.5', 'null', '~', 'a'.repeat(90)),
  );
  const tree = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
  })).value;
  const jsYamlStyle = fc.record({
    flowLevel: fc.integer({ min: -1, max: 3 }),
    quotingType: fc.constantFrom<"'" | '"'>("'", '"'),
    forceQuotes: fc.boolean(),
    lineWidth: fc.constantFrom(-1, 12, 40, 80),
    indent: fc.integer({ min: 1, max: 4 }),
    noArrayIndent: fc.boolean(),
  });
  const yamlStyle = fc.record({
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED') as fc.Arbitrary<'PLAIN'>,
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE') as fc.Arbitrary<null>,
    collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any'>,
    indent: fc.integer({ min: 1, max: 4 }),
    indentSeq: fc.boolean(),
    lineWidth: fc.constantFrom(0, 20, 80),
    minContentWidth: fc.constantFrom(0, 5, 20),
  });
  /** A stream of one to three documents, each written by js-yaml or by `yaml` in a random style, shared objects as anchors. */
  const stream = fc
    .tuple(
      fc.array(fc.tuple(tree, fc.oneof(jsYamlStyle.map((o) => ({ by: 'js-yaml' as const, o })), yamlStyle.map((o) => ({ by: 'yaml' as const, o }))), fc.boolean()), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('---\n', '...\n---\n', '---\n# between\n'),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([docs, separator, crlf, bom]) => {
      const written = docs.map(([value, style, share]) => {
        const v = share && value !== null && typeof value === 'object' ? { first: value, again: value, last: 'x' } : value;
        return style.by === 'js-yaml' ? dump(v, style.o) : stringify(v, { ...style.o, aliasDuplicateObjects: true });
      });
      const joined = written.join(separator);
      return `${bom ? '\ufeff' : ''}${crlf ? joined.replace(/\n/g, '\r\n') : joined}`;
    });

  it('documents js-yaml and yaml write in every style: the same spans and paths (fast-check)', function () {
    this.timeout(60_000);
    let compared = 0;
    fc.assert(
      fc.property(stream, (doc) => {
        fc.pre(oracleLeaves(doc) !== undefined);
        // A writer may emit text that reads back as something else (`yaml` writes the key "(:," plain in a
        // flow mapping, read as "(" and an empty key); where the two readers then disagree on the data,
        // there is no oracle. The refusals test pins such text.
        fc.pre(readAlike(doc));
        try {
          assertSameAsOracle(doc);
          compared++;
        } catch (err) {
          // The refusals VALUES.md §3 lists, which generated text can reach; any other difference fails.
          if (!(err instanceof FormatError && DOCUMENTED_REFUSALS.test(err.message))) throw err;
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(compared > 300, `only ${compared} of 400 documents were compared`);
  });

  it('the same documents mutated at random: where both parsers accept, the same spans and paths; nothing else is guessed', function () {
    this.timeout(60_000);
    const piece = fc.constantFrom('# c\n', '\n', '  ', '\t', '---\n', '...\n', '&a ', '*a', '!t ', '!!str ', '? ', '- ', ': ', '|', '>-', '|2', "'", '"', '{', '}', '[', ']', ',', 'k: v\n', '\r\n', ' #x', 'x');
    const mutated = fc.tuple(stream, fc.array(fc.tuple(fc.nat(), piece, fc.nat(3)), { minLength: 1, maxLength: 4 })).map(([doc, edits]) => {
      let t = doc;
      for (const [at, p, cut] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + p + t.slice(i + cut);
      }
      return t;
    });
    let compared = 0;
    fc.assert(
      fc.property(mutated, (doc) => {
        // `yaml` reads a lone CR as content, YAML 1.2 and js-yaml as a line break: no oracle there.
        fc.pre(!/\r(?!\n)/.test(doc));
        const expected = oracleLeaves(doc);
        let ours: YamlLeaf[];
        try {
          ours = yamlLeaves(doc);
        } catch (err) {
          // A refusal is allowed (js-yaml rejects some text `yaml` accepts, and what cannot be matched
          // exactly is refused): it must be a FormatError, never a wrong span.
          assert.ok(err instanceof FormatError, String(err));
          return;
        }
        if (expected === undefined) return;
        compared++;
        assert.deepEqual(shown(doc, ours), shown(doc, expected), JSON.stringify(doc));
      }),
      { numRuns: 2000 },
    );
    assert.ok(compared > 200, `only ${compared} mutated documents were compared`);
  });

  it('finds an anchor or a tag where a value is (an unquoted secret starting with & or !), and an anchor before a value; not the file\'s own tags, nor empty values meant so', () => {
    const found = (doc: string, rule?: SelectionRule): string[] => valuesReadableSlips(doc, 'yaml', rule).map((s) => s.name);
    assert.deepEqual(found('db:\n  password: &Sup3rS3cret!\n  user: app\n'), ['db.password']);
    assert.deepEqual(found('password: !Sup3rS3cret\n'), ['password']);
    assert.deepEqual(found('password: &Sup3r S3cret\n'), ['password']);
    assert.deepEqual(found('list:\n  - &x\n  - !y\n  - z\n'), ['list.0', 'list.1']);
    assert.deepEqual(found('{a: &x , b: 1}\n'), ['a']);
    // Left in the clear by the rule: its anchor is the file's (an alias copies it).
    assert.deepEqual(found('url_public: &u https://x\nmirror: *u\n', { kind: 'unencrypted-suffix', suffix: '_public' }), []);
    assert.deepEqual(found('a: !Ref x\nb: !!str 5\nc: !!null\nd: !!str\nbase: &b\n  k: v\nc2: *b\ne:\n'), []);
  });

  it('a PEM pasted at column 0 under a key is refused at its line, with the way to write it (a red team\'s was marked at line 1)', () => {
    const err = (() => {
      try {
        yamlLeaves('a: 1\ntls:\n  cert: |\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      } catch (e) {
        return e as FormatError;
      }
      return undefined;
    })();
    assert.ok(err instanceof FormatError);
    assert.equal(err.line, 4);
    assert.match(err.message, /a line that starts with --- followed by text \(line 4\)/);
    assert.match(err.hint ?? '', /block scalar with every line indented under its key/);
  });

  it('refuses what it cannot match exactly, naming the construct, never quoting a value', () => {
    const refusals: [string, RegExp][] = [
      ['*a : v\na: &a k\n', /not valid YAML|not a scalar/],
      ['? [a, b]\n: v\n', /not a scalar/],
      ['? {a: b}\n: v\n', /not a scalar|not valid YAML/],
      ['k: |2\n    s3cr3t\n     \nb: 1\n', /indentation indicator/],
      // Keep chomping: its trailing line breaks are value but no line the MAC covers (VALUES.md §7).
      ['a: |+\n  s3cr3t\n\n\nb: 1\n', /keep chomping \(\|\+ or >\+\)/],
      ['a: >+2\n  s3cr3t\n', /keep chomping/],
      // A key over several lines could hold a line starting with # that §7 takes for a comment.
      ['? |\n  role\n  # admin\n: s3cr3t\n', /a mapping key written over several lines/],
      ['? "k\n  #x"\n: s3cr3t\n', /a mapping key written over several lines/],
      ["? 'multi\n  line'\n: s3cr3t\n", /a mapping key written over several lines/],
      ['a: |2+ # c\n  s3cr3t\n', /keep chomping/],
      ['a: &x {x: 1}\nb: {!!merge <<: *x, y: s3cr3t}\n', /a merge key with an explicit !!merge tag \("<<"\)/],
      ['a: 1\na: 2\n', /not valid YAML: duplicated mapping key at line 2/],
      ['|\n  s3cr3t\n---\nb: 1\n', /document marker/],
      // YAML 1.2 reads the top-level `|2` from column -1 (the value "#x"), the `yaml` package from 0 ("").
      ['|2\n #x', /a whole document that is one block scalar with an indentation indicator/],
      ['--- |1\ns3cr3t\n', /a whole document that is one block scalar with an indentation indicator/],
      ['a: 1\n---\n\ufeffb: s3cr3t\n', /byte order mark/],
      ['a: 1\n...\n-----BEGIN s3cr3t\n', /starts with --- followed by text/],
      ['a:\n - - x\n   - # c\n - k: s3cr3t\n', /empty sequence entry/],
      ["m:\n  a: ' #x''\n  '''q''': s3cr3t\n", /not indented past its key or entry \(line 3\)/],
      ['- |-\n    \nb: 1\n', /empty block scalar followed by lines of spaces|not valid YAML/],
      // An empty key: js-yaml names it "null", `yaml` "" (fast-check found the first, in a flow mapping).
      ["[{a: [{(:,: 's3cr3t'}]}]\n", /a mapping entry with an empty key \(under "0\.a\.0"\)/],
      ['{: s3cr3t}\n', /a mapping entry with an empty key/],
      ['a: 1\n? \n: s3cr3t\n', /a mapping entry with an empty key/],
      ['[: s3cr3t]\n', /a mapping entry with an empty key/],
      ['{a: 1, :}\n', /a mapping entry with an empty key/],
    ];
    for (const [text, expected] of refusals) {
      assert.throws(() => yamlLeaves(text), (err: unknown) => err instanceof FormatError && expected.test(err.message) && !err.message.includes('s3cr3t'), text);
    }
  });

  it('refuses nesting deeper than 512, as JSON does, with a FormatError naming the line (js-yaml recurses per level)', () => {
    const styles: Record<string, (depth: number) => string> = {
      'flow sequences': (d) => `a: ${'['.repeat(d - 1)}s3cr3t${']'.repeat(d - 1)}\n`,
      'flow mappings': (d) => `a: ${'{k: '.repeat(d - 1)}s3cr3t${'}'.repeat(d - 1)}\n`,
      'block mappings': (d) => `${Array.from({ length: d }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} s3cr3t\n`,
      'block sequences': (d) => `${Array.from({ length: d }, (_, i) => `${' '.repeat(i)}-`).join('\n')} s3cr3t\n`,
      'compact sequences': (d) => `${'- '.repeat(d)}s3cr3t\n`,
    };
    for (const [style, doc] of Object.entries(styles)) {
      assert.deepEqual(yamlLeaves(doc(512)).map((l) => l.path.length - 1), [512], style);
      for (const depth of [513, 2000]) {
        assert.throws(
          () => yamlLeaves(doc(depth)),
          (err: unknown) => err instanceof FormatError && /nesting deeper than 512 at line \d+$/.test(err.message) && err.hint !== undefined && err.line !== undefined && !err.message.includes('s3cr3t'),
          `${style}, ${depth} deep`,
        );
      }
    }
    assert.throws(() => yamlLeaves(styles['block mappings'](513)), { line: 513 });
  });

  it('readValue gives the string a YAML reader gets for each leaf (js-yaml and yaml agree)', () => {
    const doc = 'a: plain\nb: "dq \\u00e9\\n"\nc: \'it\'\'s\'\nd: |\n  line 1\n  line 2\ne: >-\n  folded\n  text\nf: multi\n  line\ng: ""\n';
    const expected = { a: 'plain', b: 'dq é\n', c: "it's", d: 'line 1\nline 2\n', e: 'folded text', f: 'multi line', g: '' };
    for (const [name, value] of Object.entries(expected)) assert.equal(readValue(doc, 'yaml', name), value, name);
  });
});
