import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { ARMOR_BEGIN, ARMOR_END, COMPACT_PREFIX, armorCompact, dearmor, dearmorCompact, findCompactTokens } from '../../src/core/armor';
import { ArmorError, InvalidArgumentError } from '../../src/core/errors';
import { findEncryptedSpans, mergeSpans, openedEdit, planSelection, sealedText, selectionClash, spanCiphertext, type EncryptedSpan } from '../../src/core/selection-armor';
import { decryptBytes } from '../../src/core/envelope';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { valueSyntaxFor, type ValueSyntax } from '../../src/core/value-quoting';
import { shapeDifference, STRUCTURED_FIXTURES, uniqueOffset } from '../helpers/structured-fixtures';
import { loadKey } from './envelope-fixtures';
import compactVectors from '../vectors/armor/compact.json';
import selectionVectors from '../vectors/armor/selections.json';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Stands in for encryption: random "envelopes" (as long as real ones), remembered by their bytes. */
class FakeSealer {
  private readonly opened = new Map<string, string>();
  seal(plaintext: string): Uint8Array {
    const envelope = new Uint8Array(randomBytes(300 + (plaintext.length % 700)));
    this.opened.set(hex(envelope), plaintext);
    return envelope;
  }
  knows(span: EncryptedSpan): boolean {
    try {
      const c = spanCiphertext(span);
      return this.opened.has(hex(typeof c === 'string' ? dearmor(c) : c));
    } catch {
      return false;
    }
  }
  open(span: EncryptedSpan): string {
    const c = spanCiphertext(span);
    const plaintext = this.opened.get(hex(typeof c === 'string' ? dearmor(c) : c));
    assert.ok(plaintext !== undefined, 'a span the sealer made');
    return plaintext;
  }
}

/** Encrypts every range [start, end) of `text` in place (as Encrypt Selection does with several selections). */
function encryptAll(text: string, ranges: [number, number][], sealer: FakeSealer, eol: '\n' | '\r\n' = '\n', syntax?: ValueSyntax): string {
  const plans = ranges.map(([s, e]) => planSelection(text, s, e, syntax)).sort((a, b) => b.start - a.start);
  let out = text;
  for (const p of plans) out = out.slice(0, p.start) + sealedText(p, sealer.seal(p.plaintext), eol) + out.slice(p.end);
  return out;
}

/** Decrypts every span in place (Decrypt in Place on all of them). */
function decryptAll(text: string, sealer: FakeSealer): string {
  let out = text;
  for (const span of findEncryptedSpans(text).reverse()) {
    const edit = openedEdit(out, span, sealer.open(span));
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

describe('selection-armor', () => {
  describe('structured files (real parsers: js-yaml, JSON.parse, util.parseEnv, tomllib)', () => {
    for (const fixture of STRUCTURED_FIXTURES) {
      it(`${fixture.name}: still parses with every secret encrypted, and decrypts back byte for byte`, () => {
        const sealer = new FakeSealer();
        const ranges = fixture.secrets.map((s): [number, number] => {
          const at = uniqueOffset(fixture.text, s);
          return [at, at + s.length];
        });
        const eol = fixture.text.includes('\r\n') ? '\r\n' : '\n';
        const encrypted = encryptAll(fixture.text, ranges, sealer, eol, valueSyntaxFor('', fixture.fileName));
        assert.equal(findEncryptedSpans(encrypted).length, fixture.secrets.length);
        for (const s of fixture.secrets) assert.ok(!encrypted.includes(s.replace(/^['"]|['"]$/g, '')), `${s} is gone`);
        const diff = shapeDifference(fixture.parse(fixture.text), fixture.parse(encrypted));
        assert.equal(diff, undefined, diff);
        assert.equal(JSON.stringify(decryptAll(encrypted, sealer)), JSON.stringify(fixture.text));
      });
    }

    it('a 19-character YAML value at any depth and in any quoting style stays one line in place', () => {
      const value = 'pl41n-v4lue-19chars';
      const untoken = (v: unknown): unknown =>
        typeof v === 'string' && v.startsWith(COMPACT_PREFIX)
          ? value
          : Array.isArray(v)
            ? v.map(untoken)
            : v && typeof v === 'object'
              ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, untoken(x)]))
              : v;
      for (const q of ['', "'", '"']) {
        const texts = [`key: ${q}${value}${q}\n`];
        for (const indent of ['  ', '    ', '        ']) {
          texts.push(`outer:\n${indent}key: ${q}${value}${q}\nafter: 1\n`, `outer:\n${indent}- ${q}${value}${q}\n${indent}- other\nafter: 1\n`);
          texts.push(`a:\n${indent}b:\n${indent}${indent}c: ${q}${value}${q} # comment\n`, `flow: {k: ${q}${value}${q}, j: 2}\n`);
        }
        for (const text of texts) {
          const at = text.indexOf(value);
          const sealer = new FakeSealer();
          const encrypted = encryptAll(text, [[at, at + value.length]], sealer);
          assert.equal(encrypted.split('\n').length, text.split('\n').length, `${JSON.stringify(text)}: same lines`);
          assert.deepEqual(untoken(yaml.load(encrypted)), yaml.load(text), JSON.stringify(text));
          assert.equal(decryptAll(encrypted, sealer), text);
        }
      }
    });

    it('JSON: a string value, selected with or without its quotes, stays a JSON string', () => {
      const text = '{"a": "s3cret", "b": ["x", "y"]}';
      for (const [s, e] of [
        [7, 13],
        [6, 14],
      ]) {
        const sealer = new FakeSealer();
        const encrypted = encryptAll(text, [[s, e]], sealer);
        const parsed = JSON.parse(encrypted) as { a: string };
        assert.ok(parsed.a.startsWith(COMPACT_PREFIX));
        assert.equal(decryptAll(encrypted, sealer), text);
      }
    });

    it('.env: KEY=value, quoted values and values inside a URL parse with util.parseEnv', () => {
      const text = 'A=plain-secret\nB="double secret"\nC=postgres://u:pw-in-url@h:5432/db\n';
      const sealer = new FakeSealer();
      const encrypted = encryptAll(
        text,
        ['plain-secret', 'double secret', 'pw-in-url'].map((s): [number, number] => [text.indexOf(s), text.indexOf(s) + s.length]),
        sealer,
      );
      const env = parseEnv(encrypted);
      assert.ok(env.A?.startsWith(COMPACT_PREFIX) && env.B?.startsWith(COMPACT_PREFIX));
      assert.match(env.C ?? '', /^postgres:\/\/u:custodian-enc1\.[A-Za-z0-9_-]+@h:5432\/db$/);
      assert.equal(decryptAll(encrypted, sealer), text);
    });
  });

  describe('JSON and TOML: only text inside a string can be replaced and keep the file valid', () => {
    const refuse = (text: string, selected: string, syntax: 'json' | 'toml'): void => {
      const at = text.indexOf(selected);
      assert.throws(
        () => planSelection(text, at, at + selected.length, syntax),
        (e: unknown) => e instanceof InvalidArgumentError && /inside a string/.test(e.message) && /Encrypt File/.test(e.hint ?? ''),
        `${syntax}: ${JSON.stringify(selected)} in ${JSON.stringify(text)}`,
      );
    };

    it('refuses a JSON number, boolean, key-value line or object, and a TOML number, date or whole line', () => {
      refuse('{"port": 5432, "ok": true}', '5432', 'json');
      refuse('{"port": 5432, "ok": true}', 'true', 'json');
      refuse('{\n  "password": "x",\n  "b": 1\n}\n', '  "password": "x",\n', 'json');
      refuse('{"db": {"password": "x"}}', '{"password": "x"}', 'json');
      refuse('{"a": "x" /* "not a string" */, "b": 1}', 'not a string', 'json');
      refuse('port = 5432\n', '5432', 'toml');
      refuse('when = 1979-05-27T07:32:00Z\n', '1979-05-27T07:32:00Z', 'toml');
      refuse('a = "x"\nb = "y"\n', 'a = "x"\nb = "y"\n', 'toml');
      refuse('a = 1 # "quoted comment"\n', 'quoted comment', 'toml');
      // JSON5's '…' has backslash escapes: the string ends at the second quote, and the number after it is no string.
      refuse("{a: 'it\\'s', port: 5432}", '5432', 'json');
      // A TOML literal string has none: the backslash ends it, and what follows a '#' is a comment.
      refuse("path = 'C:\\' # '5432'\n", '5432', 'toml');
    });

    it('accepts string content, escapes included, and keeps the file parsing (JSON.parse, tomllib)', () => {
      const json = '{"a": "x\\"y", "b": [\'no\', "s3cret"] // "c"\n}';
      const jsonc = json.replace("['no', ", '[');
      const at = jsonc.indexOf('x\\"y');
      const sealer = new FakeSealer();
      const enc = (text: string, s: number, e: number, syntax: 'json' | 'toml'): string => {
        const p = planSelection(text, s, e, syntax);
        return text.slice(0, p.start) + sealedText(p, sealer.seal(p.plaintext), '\n') + text.slice(p.end);
      };
      const one = enc(jsonc, at, at + 4, 'json');
      assert.ok(JSON.parse(one.replace(' // "c"', '')).a.startsWith(COMPACT_PREFIX));
      const toml = 'a = "basic"\nb = \'literal\'\nc = """\nmulti\nline\n"""\n';
      let out = toml;
      for (const sel of ['multi\nline', 'literal', 'basic']) {
        const i = out.indexOf(sel);
        out = enc(out, i, i + sel.length, 'toml');
      }
      const parsed = JSON.parse(execFileSync('python3', ['-c', 'import sys, json, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))'], { input: out, encoding: 'utf8' })) as Record<string, string>;
      for (const k of ['a', 'b']) assert.match(parsed[k], /^custodian-enc1\.[A-Za-z0-9_-]+$/);
      assert.match(parsed.c, /^custodian-enc1\.[A-Za-z0-9_-]+\n$/);
      assert.equal(decryptAll(out, sealer), toml);
    });
  });

  describe('planSelection', () => {
    it('whole lines become an indented block, even when selected from column 0', () => {
      const text = 'key: |\n    line-1\n    line-2\nnext: 1\n';
      const start = text.indexOf('    line-1');
      const end = text.indexOf('next');
      const plan = planSelection(text, start, end);
      assert.deepEqual(plan, { form: 'block', start: start + 4, end, indent: '    ', plaintext: 'line-1\nline-2\n' });
      const sealer = new FakeSealer();
      const encrypted = encryptAll(text, [[start, end]], sealer);
      assert.equal((yaml.load(encrypted) as { key: string }).key.split('\n')[0], '-----BEGIN CUSTODIAN ENCRYPTED FILE-----');
      assert.equal(decryptAll(encrypted, sealer), text);
    });

    it('whole lines that could not be re-indented exactly become a token instead', () => {
      const text = '  a\nb\n';
      assert.equal(planSelection(text, 0, text.length).form, 'compact');
      const onlyIndent = '  a\n  \n  b\n';
      assert.equal(planSelection(onlyIndent, 0, onlyIndent.length).form, 'compact');
      assert.equal(planSelection('  a\n\n  b\n', 0, 9).form, 'block', 'an empty line is fine');
    });

    it('refuses an empty selection, an empty quoted string, and a selection ending inside a word', () => {
      assert.throws(() => planSelection('abc', 1, 1), InvalidArgumentError);
      assert.throws(() => planSelection('a: ""', 3, 5), /empty string/);
      assert.throws(() => planSelection('token-abc_def', 0, 5), (e: unknown) => e instanceof InvalidArgumentError && /inside a word/.test(e.message));
      assert.throws(() => planSelection('abc', 2, 4), RangeError);
    });

    it('round-trips any selection byte for byte (property: random text with indentation, quotes, CRLF)', () => {
      const char = fc.constantFrom('a', 'b', ' ', '\t', '\n', '\r\n', '\r', '"', "'", ':', '-', '#', '=', 'é', '😀');
      fc.assert(
        fc.property(fc.array(char, { minLength: 1, maxLength: 40 }), fc.nat(), fc.nat(), (chars, x, y) => {
          const text = chars.join('');
          const [s, e] = [x % (text.length + 1), y % (text.length + 1)].sort((p, q) => p - q);
          let plan;
          try {
            plan = planSelection(text, s, e);
          } catch (err) {
            assert.ok(err instanceof InvalidArgumentError, String(err));
            return;
          }
          const sealer = new FakeSealer();
          const encrypted = text.slice(0, plan.start) + sealedText(plan, sealer.seal(plan.plaintext), '\n') + text.slice(plan.end);
          assert.equal(findEncryptedSpans(encrypted).length, 1);
          assert.equal(JSON.stringify(decryptAll(encrypted, sealer)), JSON.stringify(text));
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('selectionClash', () => {
    it('refuses a selection that starts where an encrypted value ends ("s3cretPW", then "@db.internal" right after its token) or cuts through one', () => {
      const sealer = new FakeSealer();
      const url = 'DATABASE_URL=postgres://app:s3cretPW@db.internal:5432/prod\n';
      const once = encryptAll(url, [[url.indexOf('s3cretPW'), url.indexOf('@')]], sealer);
      const start = once.indexOf('@db');
      const plan = planSelection(once, start, start + '@db.internal'.length, 'dotenv');
      assert.deepEqual(selectionClash(once, [plan]), { plan, problem: 'after' });
      // One character later, the "@" stays between them.
      assert.equal(selectionClash(once, [planSelection(once, start + 1, start + '@db.internal'.length, 'dotenv')]), undefined);
      // Also after a bare prefix and on the line after an END marker; one that starts inside a token cuts it.
      for (const [text, selected, problem] of [
        [`x=${COMPACT_PREFIX}.ab`, '.ab', 'after'],
        [`${ARMOR_BEGIN}\nQQ==\n${ARMOR_END}\nnext: 1\n`, '\nnext', 'after'],
        [`x=${COMPACT_PREFIX}QQ.ab`, 'Q.ab', 'inside'],
        [`${ARMOR_BEGIN}\nQQ==\n${ARMOR_END}\n`, 'QQ==\n', 'inside'],
      ]) {
        const at = text.lastIndexOf(selected);
        const p = planSelection(text, at, at + selected.length);
        assert.equal(selectionClash(text, [p])?.problem, problem, JSON.stringify(text));
      }
    });

    it('refuses selections that touch ("ab" and ".cd" in "x=ab.cd"), and a token that would start a BEGIN line', () => {
      const text = 'x=ab.cd\n';
      const plans = [planSelection(text, 4, 7), planSelection(text, 2, 4)];
      assert.deepEqual(selectionClash(text, plans), { plan: plans[0], problem: 'touching' });
      assert.equal(selectionClash(text, [planSelection(text, 2, 4), planSelection(text, 5, 7)]), undefined, 'the "." between them stays');
      // Whole lines given back with their line break touch nothing.
      const lines = 'a: 1\nb: 2\nc\n';
      assert.equal(selectionClash(lines, [planSelection(lines, 0, 10), planSelection(lines, 10, 11)]), undefined);
      const before = `x: "a\n  ${ARMOR_BEGIN}\n  QQ==\n  ${ARMOR_END}\n`;
      const p = planSelection(before, 4, 7);
      assert.deepEqual(selectionClash(before, [p]), { plan: p, problem: 'before' });
    });

    it('what it lets through comes back: every new value decrypts to its selection, and values beside it still do (property: tokens, blocks, several selections)', () => {
      const piece = fc.constantFrom('a', 'b', ' ', '  ', '\n', '\r\n', '"', '.', '-', ':', '@', '=', COMPACT_PREFIX, `${COMPACT_PREFIX}QQ`, `${ARMOR_BEGIN}\n`, `  ${ARMOR_BEGIN}\n  QQ==\n  ${ARMOR_END}`, `${ARMOR_END}`, 'QQ==\n');
      fc.assert(
        fc.property(fc.array(piece, { minLength: 1, maxLength: 16 }), fc.uniqueArray(fc.nat(), { minLength: 2, maxLength: 6 }), (pieces, cuts) => {
          const text = pieces.join('');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((p, q) => p - q);
          const ranges: [number, number][] = [];
          for (let i = 0; i + 1 < points.length; i += 2) ranges.push([points[i], points[i + 1]]);
          let plans;
          try {
            plans = ranges.map(([s, e]) => planSelection(text, s, e));
          } catch (err) {
            assert.ok(err instanceof InvalidArgumentError, String(err));
            return;
          }
          if (ranges.length === 0 || selectionClash(text, plans)) return;
          const untouched = findEncryptedSpans(text).filter((sp) => !plans.some((p) => sp.start < p.end && p.start < sp.end));
          const sealer = new FakeSealer();
          const eol = text.includes('\r\n') ? '\r\n' : '\n';
          let out = text;
          for (const p of [...plans].sort((a, b) => b.start - a.start)) out = out.slice(0, p.start) + sealedText(p, sealer.seal(p.plaintext), eol) + out.slice(p.end);
          const spans = findEncryptedSpans(out);
          const mine = spans.filter((sp) => sealer.knows(sp));
          assert.equal(mine.length, plans.length, `${JSON.stringify(out)}: every new value is found`);
          // Every value the selections did not overlap is still there (selecting across a value may reveal others).
          const others = spans.filter((sp) => !sealer.knows(sp)).map((sp) => sp.text);
          for (const sp of untouched) {
            const i = others.indexOf(sp.text);
            assert.ok(i >= 0, `${JSON.stringify(out)}: ${sp.text} is intact`);
            others.splice(i, 1);
          }
          let restored = out;
          for (const sp of mine.reverse()) {
            const edit = openedEdit(restored, sp, sealer.open(sp));
            restored = restored.slice(0, edit.start) + edit.text + restored.slice(edit.end);
          }
          assert.equal(JSON.stringify(restored), JSON.stringify(text));
        }),
        { numRuns: 5000 },
      );
    });
  });

  describe('findEncryptedSpans', () => {
    const span = (form: EncryptedSpan['form'], start: number, end: number): EncryptedSpan => ({ form, start, end, indent: '', text: '' });
    /** `items` behind a proxy that counts the elements read from it. */
    const counted = <T>(items: T[], reads: { n: number }): T[] =>
      new Proxy(items, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads.n++;
          return Reflect.get(target, key, receiver);
        },
      });

    it('keeps the tokens outside blocks in one walk: each block and token is read a few times, not once per pair', () => {
      // A block at every 100 characters, a token after each and one inside every other block.
      const n = 2000;
      const blocks = Array.from({ length: n }, (_, i) => span('block', 100 * i, 100 * i + 50));
      const tokens = Array.from({ length: n }, (_, i) => [span('compact', 100 * i + 60, 100 * i + 70), ...(i % 2 ? [span('compact', 100 * i + 10, 100 * i + 20)] : [])])
        .flat()
        .sort((a, b) => a.start - b.start);
      const reads = { n: 0 };
      const spans = mergeSpans(counted(blocks, reads), counted(tokens, reads));
      assert.equal(spans.length, 2 * n);
      assert.deepEqual(
        spans.map((s) => [s.form, s.start]),
        blocks.flatMap((b) => [['block', b.start], ['compact', b.start + 60]]),
      );
      assert.ok(reads.n <= 4 * (blocks.length + tokens.length), `${reads.n} reads of ${blocks.length} blocks and ${tokens.length} tokens`);
    });

    it('finds the 10,000 blocks and 10,000 tokens of a hostile file, in order, without the tokens inside the blocks', () => {
      const unit = `-----BEGIN CUSTODIAN ENCRYPTED FILE-----\n${COMPACT_PREFIX}QQ\n-----END CUSTODIAN ENCRYPTED FILE-----\n${COMPACT_PREFIX}QQ\n`;
      const spans = findEncryptedSpans(unit.repeat(10_000));
      assert.equal(spans.length, 20_000);
      spans.forEach((s, i) => {
        assert.equal(s.form, i % 2 ? 'compact' : 'block');
        assert.equal(s.start, Math.floor(i / 2) * unit.length + (i % 2 ? unit.lastIndexOf(COMPACT_PREFIX) : 0));
      });
    });
  });

  describe('openedEdit', () => {
    // VS Code makes a line of what follows a CR, LF or CRLF (it writes the document's line ending there).
    const asVsCode = (text: string): string => text.replace(/\r\n|\r/g, '\n');

    it('re-indents after every line break, a lone CR too: a signer\'s "x\\radmin: true" stays inside the YAML block scalar', () => {
      const text = 'note: |\n    placeholder\n    line\nother: 1\n';
      const start = text.indexOf('placeholder');
      const encrypted = encryptAll(text, [[start, text.indexOf('other')]], new FakeSealer());
      const [span] = findEncryptedSpans(encrypted);
      for (const [plaintext, note] of [
        ['harmless\radmin: true\n', 'harmless\nadmin: true\n'],
        ['harmless\r\radmin: true\r\n', 'harmless\n\nadmin: true\n'],
        ['harmless\r\nadmin: true\n', 'harmless\nadmin: true\n'],
      ]) {
        const edit = openedEdit(encrypted, span, plaintext);
        const opened = asVsCode(encrypted.slice(0, edit.start) + edit.text + encrypted.slice(edit.end));
        assert.deepEqual(yaml.load(opened), { note, other: 1 }, JSON.stringify(plaintext));
      }
    });
  });

  describe('compact tokens (FORMAT.md §7.1)', () => {
    it('round-trips and is found in text, ending at the first non-base64url character', () => {
      const bytes = new Uint8Array(randomBytes(100));
      const token = armorCompact(bytes);
      assert.match(token, /^custodian-enc1\.[A-Za-z0-9_-]+$/);
      assert.deepEqual(dearmorCompact(token), bytes);
      const text = `url: https://u:${token}@h/x and "${token}".`;
      const found = findCompactTokens(text);
      assert.equal(found.length, 2);
      for (const f of found) assert.equal(text.slice(f.start, f.end), token);
      assert.deepEqual(findCompactTokens('see custodian-enc1.<base64url> in the docs'), []);
    });

    it('rejects damaged tokens with an ArmorError', () => {
      const token = armorCompact(new Uint8Array(randomBytes(10)));
      for (const bad of [COMPACT_PREFIX, token + '=', token.slice(0, -1) + '+', 'x' + token, COMPACT_PREFIX + 'A']) {
        assert.throws(() => dearmorCompact(bad), ArmorError, bad);
      }
    });
  });
  describe('vectors (test/vectors/armor)', () => {
    it('compact.json: the short-armored envelope in compact form decrypts; damaged tokens are ArmorErrors', async () => {
      for (const c of compactVectors.cases) {
        if (c.expect === 'success') {
          const bytes = dearmorCompact(c.compact);
          assert.deepEqual(bytes, dearmor(c.armored!));
          assert.equal(armorCompact(bytes), c.compact);
          assert.equal(c.compact, COMPACT_PREFIX + Buffer.from(bytes).toString('base64url'), 'matches an independent encoder');
          const out = await decryptBytes(bytes, { identities: [loadKey('alice')], backend: createNodeCryptoBackend() });
          assert.equal(hex(out.plaintext), c.plaintext!.hex);
          assert.deepEqual(findCompactTokens(` x ${c.compact}" `).map((t) => t.token), [c.compact]);
        } else {
          assert.throws(() => dearmorCompact(c.compact), ArmorError, c.name);
        }
      }
    });

    it('selections.json: Encrypt Selection gives "output" exactly, Decrypt in Place gives back "text"', () => {
      const sealed = new Uint8Array(Buffer.from(selectionVectors.sealed_hex, 'hex'));
      for (const c of selectionVectors.cases) {
        const [start, end] = c.selection;
        if (c.expect === 'refused' && c.error?.startsWith('§7.2 rule 4: ')) {
          // Planned alone it is fine; what is beside it is not (selectionClash).
          const clash = selectionClash(c.text, [planSelection(c.text, start, end, c.syntax as ValueSyntax | undefined)]);
          assert.equal(clash && `§7.2 rule 4: ${clash.problem}`, c.error, c.name);
          continue;
        }
        if (c.expect === 'refused') {
          assert.throws(() => planSelection(c.text, start, end, c.syntax as ValueSyntax | undefined), (e: unknown) => e instanceof InvalidArgumentError && e.message === c.error, c.name);
          continue;
        }
        const plan = planSelection(c.text, start, end, c.syntax as ValueSyntax | undefined);
        assert.equal(plan.form, c.form, c.name);
        assert.equal(plan.plaintext, c.plaintext, c.name);
        const eol = c.text.includes('\r\n') ? '\r\n' : '\n';
        const output = c.text.slice(0, plan.start) + sealedText(plan, sealed, eol) + c.text.slice(plan.end);
        assert.equal(output, c.output, c.name);
        const spans = findEncryptedSpans(output);
        assert.equal(spans.length, 1, c.name);
        const ciphertext = spanCiphertext(spans[0]);
        assert.deepEqual(typeof ciphertext === 'string' ? dearmor(ciphertext) : ciphertext, sealed, c.name);
        const edit = openedEdit(output, spans[0], c.plaintext!);
        assert.equal(output.slice(0, edit.start) + edit.text + output.slice(edit.end), c.text, c.name);
      }
    });
  });
});
