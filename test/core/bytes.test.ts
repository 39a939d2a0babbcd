// The core's encodings against Node's Buffer (the oracle): base64 in both alphabets, one item or many at
// once (value tokens), and UTF-8 of many texts into one buffer (a file's values). And constantTimeEqual,
// which SECURITY.md promises every MAC and tag comparison goes through.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as ts from 'typescript';
import {
  base64Decode,
  base64Encode,
  base64EncodeUnpadded,
  base64UrlDecode,
  base64UrlEncode,
  base64UrlEncodeEach,
  constantTimeEqual,
  utf8Decode,
  utf8DecodeKeepingBom,
  utf8EncodeEach,
} from '../../src/core/bytes';
import { InvalidArgumentError } from '../../src/core/errors';

const oracle = (bytes: Uint8Array, encoding: 'base64' | 'base64url'): string => Buffer.from(bytes).toString(encoding);

describe('bytes', () => {
  it('utf8DecodeKeepingBom keeps a leading byte order mark, which utf8Decode (TextDecoder\'s default) drops; both refuse bytes that are not UTF-8', () => {
    const marked = new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0x3d, 0x31]);
    assert.equal(utf8DecodeKeepingBom(marked), '\uFEFFA=1');
    assert.equal(utf8Decode(marked), 'A=1');
    assert.throws(() => utf8DecodeKeepingBom(new Uint8Array([0x41, 0xe9])), TypeError);
  });

  describe('base64', () => {
    it('encodes as Buffer does, in both alphabets, across the short-text and sliced paths', () => {
      const sizes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 760, maxLength: 800 }), fc.uint8Array({ minLength: 70_000, maxLength: 70_010 }));
      fc.assert(
        fc.property(sizes, (bytes) => {
          assert.equal(base64Encode(bytes), oracle(bytes, 'base64'));
          assert.equal(base64EncodeUnpadded(bytes), oracle(bytes, 'base64').replace(/=+$/, ''));
          assert.equal(base64UrlEncode(bytes), oracle(bytes, 'base64url'));
          assert.deepEqual(base64Decode(base64Encode(bytes)), bytes);
          assert.deepEqual(base64UrlDecode(base64UrlEncode(bytes)), bytes);
        }),
        { numRuns: 60 },
      );
    });

    it('encodes many arrays at once, each as base64UrlEncode would', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 90 }), { maxLength: 60 }), (items) => {
          const texts = base64UrlEncodeEach(items);
          assert.equal(texts.length, items.length);
          items.forEach((bytes, k) => assert.equal(texts[k], oracle(bytes, 'base64url')));
        }),
      );
    });

    it('encodes as many tokens as a 1 MiB values file holds (past one text slice)', () => {
      const items = Array.from({ length: 5000 }, (_, k) => new Uint8Array(28 + (k % 70)).fill(k & 0xff));
      const texts = base64UrlEncodeEach(items);
      items.forEach((bytes, k) => assert.equal(texts[k], oracle(bytes, 'base64url')));
    });

    it('refuses non-canonical and foreign text', () => {
      for (const bad of ['QQ=', 'QR', 'Q', 'QQ==', 'a+b/', 'QUJD\n']) {
        assert.throws(() => base64UrlDecode(bad), InvalidArgumentError, bad);
      }
    });
  });

  describe('utf8EncodeEach', () => {
    it('gives each text the bytes TextEncoder gives, views of one buffer', () => {
      const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
      fc.assert(
        fc.property(fc.array(text, { maxLength: 30 }), (texts) => {
          const { bytes, each } = utf8EncodeEach(texts);
          assert.equal(each.length, texts.length);
          let end = 0;
          texts.forEach((t, k) => {
            assert.deepEqual(Buffer.from(each[k]), Buffer.from(new TextEncoder().encode(t)), JSON.stringify(t));
            assert.equal(each[k].buffer, bytes.buffer);
            assert.equal(each[k].byteOffset, end, 'in order, without gaps');
            end += each[k].length;
          });
        }),
      );
    });
  });

  describe('constantTimeEqual', () => {
    /** `bytes` behind a proxy that records which indices were read. */
    function counted(bytes: Uint8Array): { view: Uint8Array; read: Set<number> } {
      const read = new Set<number>();
      const view = new Proxy(bytes, {
        get(target, prop) {
          if (typeof prop === 'string' && /^\d+$/.test(prop)) read.add(Number(prop));
          const value: unknown = Reflect.get(target, prop);
          // A method sees the real array (a typed array's methods refuse a proxy as `this`), uncounted.
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      return { view, read };
    }

    it('reads every byte of both inputs wherever they first differ, so the time it takes does not tell an attacker how much of a forged MAC matched', () => {
      // Counting reads stands in for timing, deterministically: a loop that stops at the first difference
      // reads k + 1 bytes of a MAC whose first k bytes an attacker guessed right.
      const mac = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
      const all = [...mac.keys()];
      for (let first = -1; first < mac.length; first++) {
        const forged = mac.slice();
        if (first >= 0) forged[first] ^= 0x01;
        const a = counted(mac.slice());
        const b = counted(forged);
        assert.equal(constantTimeEqual(a.view, b.view), first < 0, `first difference at ${first}`);
        assert.deepEqual([...a.read].sort((x, y) => x - y), all, `bytes of the first input read when they first differ at ${first}`);
        assert.deepEqual([...b.read].sort((x, y) => x - y), all, `bytes of the second input read when they first differ at ${first}`);
      }
      assert.equal(constantTimeEqual(mac, mac.subarray(1)), false, 'lengths differ (lengths are public)');
    });

    it('every MAC, tag and checksum src/ computes to check one is compared by constantTimeEqual, and no bytes are compared with Buffer\'s equals or compare', () => {
      // SECURITY.md (Out of scope): "MAC and tag comparisons are constant-time". Buffer's equals and
      // compare stop at the first difference; a MAC compared with them leaks how much of a forgery matched.
      const ROOT = path.resolve(__dirname, '..', '..');
      /** The functions that compute a MAC, tag or checksum. */
      const MACS = new Set(['computeHeaderMac', 'computeMac', 'computeTag', 'checksum']);
      /** Where a MAC is computed to be written, not checked: `file: enclosing function`. */
      const WRITERS = new Set(['src/core/envelope.ts: encryptStream', 'src/core/values.ts: sealWith', 'src/core/shamir.ts: splitSecret', 'src/core/share-encoding.ts: encodeShareBytes']);
      /** Byte comparisons that are not of secrets: `file: enclosing function`, with why. */
      const PUBLIC_COMPARISONS = new Set([
        'src/node/preloads.ts: preloadsOf', // the names of environment variables, to find LD_PRELOAD=
      ]);
      const sources = fs
        .readdirSync(path.join(ROOT, 'src'), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => path.join(e.parentPath, e.name));
      const offenders: string[] = [];
      const checked: string[] = [];
      for (const file of sources) {
        const rel = path.relative(ROOT, file).split(path.sep).join('/');
        const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
        const where = (n: ts.Node): string => {
          for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
            if ((ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p)) && p.name) return `${rel}: ${p.name.getText(sf)}`;
          }
          return `${rel}: (top level)`;
        };
        const line = (n: ts.Node): string => `${rel}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
        const calleeName = (c: ts.CallExpression): string | undefined =>
          ts.isIdentifier(c.expression) ? c.expression.text : ts.isPropertyAccessExpression(c.expression) ? c.expression.name.text : undefined;
        const comparedInTime = (fn: ts.Node | undefined, name: string): boolean => {
          let found = false;
          const look = (n: ts.Node): void => {
            if (ts.isCallExpression(n) && calleeName(n) === 'constantTimeEqual' && n.arguments.some((a) => ts.isIdentifier(a) && a.text === name)) found = true;
            ts.forEachChild(n, look);
          };
          if (fn) look(fn);
          return found;
        };
        const visit = (n: ts.Node): void => {
          if (ts.isCallExpression(n)) {
            const name = calleeName(n);
            // buf.equals(…) and Buffer.compare(…); other classes' compare (line-diff's Myers) compares no bytes.
            const bufferCompare = name === 'compare' && ts.isPropertyAccessExpression(n.expression) && n.expression.expression.getText(sf) === 'Buffer';
            if ((name === 'equals' || bufferCompare) && ts.isPropertyAccessExpression(n.expression) && !PUBLIC_COMPARISONS.has(where(n))) {
              offenders.push(`${line(n)}: ${n.getText(sf).slice(0, 80)} (use constantTimeEqual)`);
            }
            if (name !== undefined && MACS.has(name) && ts.isIdentifier(n.expression)) {
              const parent = n.parent;
              const direct = ts.isCallExpression(parent) && calleeName(parent) === 'constantTimeEqual';
              // `expected = computeTag(…)`, then constantTimeEqual(expected, …) in the same function.
              const target = ts.isVariableDeclaration(parent) ? parent.name : ts.isBinaryExpression(parent) && parent.right === n ? parent.left : undefined;
              const body = ts.findAncestor(n, (p) => ts.isFunctionLike(p));
              const viaVariable = target !== undefined && ts.isIdentifier(target) && comparedInTime(body, target.text);
              if (direct || viaVariable) checked.push(where(n));
              else if (!WRITERS.has(where(n))) offenders.push(`${line(n)}: ${n.getText(sf).slice(0, 80)} is neither written nor compared by constantTimeEqual`);
            }
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
      assert.deepEqual(offenders, []);
      // The scan still finds the checks it is about (a rename would otherwise make it vacuous).
      for (const site of ['src/core/envelope-header.ts: verifyHeaderMac', 'src/core/shamir.ts: recoverVerified', 'src/core/share-encoding.ts: decodeShareBytes']) {
        assert.ok(checked.includes(site), `${site} not found among ${checked.join(', ')}`);
      }
      // openValues and unwrapValuesDataKey check a value-encrypted file's MAC through verifiedMacInput (§9: either input).
      assert.deepEqual(checked.filter((s) => s.startsWith('src/core/values.ts: ')), ['src/core/values.ts: verifiedMacInput'], 'the MAC check of a value-encrypted file');
    });
  });
});
