import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hexDecode, hexEncode, utf8Encode } from '../../src/core/bytes';
import { CustodianError, ShareCombineError, ShareFormatError } from '../../src/core/errors';
import { combineShares, type RawShare, type Share, splitSecret, splitSecretRaw } from '../../src/core/shamir';
import {
  combineVaultShares,
  encodeShareArmored,
  encodeShareText,
  encodeVaultShare,
  parseShare,
  parseShares,
  parseVaultShare,
  parseVaultShares,
  SHARE_TEXT_PREFIX,
} from '../../src/core/share-encoding';
import listVectors from '../vectors/shamir/lists.json';
import vaultVectors from '../vectors/shamir/raw-vault.json';
import splitVectors from '../vectors/shamir/split.json';
import { replay, slowInv, slowMul } from './shamir-reference';


/** Straightforward Lagrange interpolation at 0 over (x, y-bytes) points, one byte column at a time. */
function referenceInterpolate(points: { x: number; y: Uint8Array }[]): Uint8Array {
  const out = new Uint8Array(points[0].y.length);
  for (let i = 0; i < out.length; i++) {
    let acc = 0;
    for (const p of points) {
      let basis = 1;
      for (const q of points) if (q !== p) basis = slowMul(basis, slowMul(q.x, slowInv(q.x ^ p.x)));
      acc ^= slowMul(p.y[i], basis);
    }
    out[i] = acc;
  }
  return out;
}


function assertSameShare(actual: Share, expected: Share): void {
  assert.equal(actual.version, expected.version);
  assert.deepEqual(actual.setId, expected.setId);
  assert.equal(actual.threshold, expected.threshold);
  assert.equal(actual.total, expected.total);
  assert.equal(actual.index, expected.index);
  assert.deepEqual(actual.value, expected.value);
}

const formatError = (pattern: RegExp) => (e: unknown) => e instanceof ShareFormatError && pattern.test(e.message);

describe('share-encoding', () => {
  describe('vectors (test/vectors/shamir/split.json)', () => {
    for (const v of splitVectors.cases) {
      it(`${v.name}: one-line and armored forms`, () => {
        const shares = splitSecret(hexDecode(v.secret), { threshold: v.threshold, shares: v.shares, randomBytes: replay(v.random).randomBytes });
        shares.forEach((share, i) => {
          assert.equal(encodeShareText(share), v.output[i].text);
          assert.equal(encodeShareArmored(share), v.output[i].armored);
          assertSameShare(parseShare(v.output[i].text), share);
          assertSameShare(parseShare(v.output[i].armored), share);
        });
      });

      it(`${v.name}: payload layout and checksum agree with SHAMIR.md §4 (node:crypto)`, () => {
        for (const o of v.output) {
          assert.ok(o.text.startsWith('custodian-share1:'));
          const bytes = new Uint8Array(Buffer.from(o.text.slice('custodian-share1:'.length), 'base64url'));
          const payload = bytes.subarray(0, -4);
          assert.deepEqual(bytes.subarray(-4), new Uint8Array(createHash('sha256').update(payload).digest()).subarray(0, 4));
          assert.equal(payload[0], 1);
          assert.equal(hexEncode(payload.subarray(1, 9)), v.setId);
          assert.deepEqual([...payload.subarray(9, 12)], [v.threshold, v.shares, o.index]);
          assert.equal(hexEncode(payload.subarray(12)), o.value);
          const body = o.armored.split('\n\n')[1].split('\n-----END')[0];
          assert.ok(body.split('\n').every((line, i, all) => line.length === 64 || i === all.length - 1));
          assert.deepEqual(new Uint8Array(Buffer.from(body.replace(/\n/g, ''), 'base64')), bytes);
        }
      });
    }
  });

  describe('lists (test/vectors/shamir/lists.json)', () => {
    for (const v of listVectors.cases) {
      it(`${v.name}: expect ${v.expect}`, () => {
        if (v.expect === 'success') {
          assert.equal(hexEncode(combineShares(parseShares(v.input))), v.secret);
          return;
        }
        try {
          combineShares(parseShares(v.input));
        } catch (e) {
          assert.ok(e instanceof CustodianError, `unexpected ${String(e)}`);
          assert.equal(e.name, v.error);
          assert.ok(e.message.includes(v.messageIncludes ?? ''), `message "${e.message}" lacks "${v.messageIncludes}"`);
          return;
        }
        assert.fail('expected a failure');
      });
    }
  });

  describe('parsing', () => {
    const shares = splitSecret(utf8Encode('parse me'), { threshold: 2, shares: 3 });
    const text = encodeShareText(shares[1]);
    const armored = encodeShareArmored(shares[1]);

    it('tolerates surrounding whitespace, CRLF, a wrapped one-line share, comments and a lost blank line', () => {
      const variants = [
        `\n\n   ${text}\t \r\n`,
        `${text.slice(0, 40)}\n  ${text.slice(40, 90)}\r\n${text.slice(90)}`,
        armored.replace(/\n/g, '\r\n'),
        `   ${armored.replace(/\n/g, '\n  ')}   `,
        armored.replace('Version: 1\n', 'Comment: for Alice\nVersion: 1\nComment: second\n'),
        armored.replace('\n\n', '\n'),
        armored.replace(/Set: ([0-9a-f]+)/, (_, id: string) => `Set: ${id.toUpperCase()}`),
      ];
      for (const variant of variants) assertSameShare(parseShare(variant), shares[1]);
    });

    it('catches any single mistyped character of a one-line share', () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      for (let at = SHARE_TEXT_PREFIX.length; at < text.length; at++) {
        const replacement = alphabet[(alphabet.indexOf(text[at]) + 1 + (at % 63)) % 64];
        const typo = text.slice(0, at) + replacement + text.slice(at + 1);
        assert.throws(() => parseShare(typo), ShareFormatError, `typo at ${at}`);
      }
    });

    it('reports malformed input', () => {
      const cases: [string, RegExp][] = [
        ['hello', /^not a Custodian share/],
        [`${SHARE_TEXT_PREFIX}`, /^share: too short/],
        [`${SHARE_TEXT_PREFIX}!!!!`, /^share: the text after "custodian-share1:" is not valid base64url/],
        [text.slice(0, -2), /^share: /],
        [armored.replace('Version: 1\n', ''), /^share: armor header "Version" is missing/],
        [armored.replace('Version: 1\n', 'Version: 1\nVersion: 1\n'), /^share: armor header "Version" appears twice/],
        [armored.replace('Version: 1\n', 'Version: 1\nFrom: mallory\n'), /^share: unknown armor header "From"/],
        [armored.replace('Share: 2 of 3', 'Share: 1 of 3'), /^share: the armor headers do not match the encoded share/],
        [armored.replace(/Set: [0-9a-f]+/, 'Set: 0000000000000000'), /^share: the armor headers do not match/],
        [armored.replace('-----END CUSTODIAN SHARE-----', ''), /^share: the armored block does not end with/],
        [armored + armored, /^share: more than one armored block/],
        [armored.replace(/\n\n[\s\S]*-----END/, '\n\n-----END'), /^share: the armored block has no body/],
        [armored.replace(/\n\n([A-Za-z0-9+/]{10})/, '\n\n$1*'), /^share: the armored body is not valid base64/],
      ];
      for (const [input, message] of cases) assert.throws(() => parseShare(input), formatError(message), message.source);
      assert.throws(() => parseShare(42 as unknown as string), TypeError);
    });

    it('a one-line share wrapped by a mail client (72 or 76 columns, indented or not) parses in a list, between other shares', () => {
      const big = splitSecret(utf8Encode('a secret long enough that its share line is wrapped more than once'), { threshold: 2, shares: 3 });
      const lines = big.map(encodeShareText);
      const wrap = (line: string, width: number, indent: string): string => {
        const out: string[] = [];
        for (let i = 0; i < line.length; i += width) out.push(indent + line.slice(i, i + width));
        return out.join('\n');
      };
      for (const width of [72, 76]) {
        for (const indent of ['', '  ', '\t', '    ']) {
          for (const eol of ['\n', '\r\n']) {
            const list = [wrap(lines[0], width, indent), '', wrap(lines[2], width, indent), encodeShareArmored(big[1])].join('\n').replace(/\n/g, eol);
            const parsed = parseShares(list);
            assert.equal(parsed.length, 3, `width ${width}, indent ${JSON.stringify(indent)}`);
            assertSameShare(parsed[0], big[0]);
            assertSameShare(parsed[1], big[2]);
            assertSameShare(parsed[2], big[1]);
            // Two wrapped shares with no blank line between them: the second starts with its prefix.
            assert.equal(parseShares([wrap(lines[0], width, indent), wrap(lines[1], width, indent)].join(eol)).length, 2);
            assertSameShare(parseShare(wrap(lines[1], width, indent)), big[1]);
          }
        }
      }
    });

    it('a complete one-line share does not swallow a word on the next line', () => {
      assert.throws(() => parseShares(`${text}\nthanks\n`), formatError(/^line 2: not part of a Custodian share/));
      assert.throws(() => parseShares(`${text.slice(0, 50)}\n${text.slice(50)}\nthanks\n`), formatError(/^share 1 \(line 1\): /));
    });

    it('quoted ("> ") shares are not read, and the error says to remove the quote marks', () => {
      const quoted = `> ${text.slice(0, 60)}\n> ${text.slice(60)}`;
      assert.throws(() => parseShares(quoted), (e: unknown) => e instanceof ShareFormatError && /line 1/.test(e.message) && /quote/.test(e.hint ?? ''));
    });

    it('the armored "Share:" header has one exact syntax (SHAMIR.md §5)', () => {
      const accepted = [
        'Share: 2 of 3, threshold 2',
        'Share:2 of 3, threshold 2',
        'Share:   2 of 3, threshold 2\t ',
      ];
      for (const header of accepted) assertSameShare(parseShare(armored.replace('Share: 2 of 3, threshold 2', header)), shares[1]);
      const malformed = [
        'Share: 02 of 3, threshold 2',
        'Share: 2 of 03, threshold 2',
        'Share: 2 of 3, threshold 02',
        'Share: 2  of 3, threshold 2',
        'Share: 2 of 3,  threshold 2',
        'Share: 2 of 3,threshold 2',
        'Share: 2 of 3 threshold 2',
        'Share: 2/3, threshold 2',
        'Share: +2 of 3, threshold 2',
        'Share: 2 of 3, threshold 2.',
        'Share: 2 OF 3, THRESHOLD 2',
        'Share: 2 of 3, threshold 0x2',
        'Share: 2\u00a0of 3, threshold 2',
      ];
      for (const header of malformed) {
        assert.throws(() => parseShare(armored.replace('Share: 2 of 3, threshold 2', header)), formatError(/^share: malformed armor header "Share"/), header);
      }
      for (const header of ['Version: 01', 'Version: 1.0', 'Set: 123', `Set: ${hexEncode(shares[1].setId)}0`]) {
        const input = armored.replace(header.startsWith('Version') ? 'Version: 1' : /Set: [0-9a-f]+/, header);
        assert.throws(() => parseShare(input), formatError(/^share: malformed armor header "(Version|Set)"/), header);
      }
      assert.throws(() => parseShare(armored.replace('Share:', 'Share :')), formatError(/^share: armor header "Share" has a space before its colon/));
      // Well-formed but different numbers: the headers do not match the payload.
      assert.throws(() => parseShare(armored.replace('Share: 2 of 3, threshold 2', 'Share: 2 of 3, threshold 3')), formatError(/do not match the encoded share/));
    });

    it('refuses to encode an invalid share', () => {
      assert.throws(() => encodeShareText({ ...shares[0], index: 9 }), ShareFormatError);
      assert.throws(() => encodeShareArmored({ ...shares[0], version: 3 }), ShareFormatError);
    });

    it('parseShares names the share and line', () => {
      const list = [encodeShareText(shares[0]), '', armored, text.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))].join('\n');
      assert.throws(() => parseShares(list), formatError(/^share 3 \(line \d+\): /));
      assert.throws(() => parseShares('\n \n'), formatError(/^no shares found/));
      assert.throws(() => parseShares(`${text}\n${armored.split('\n').slice(0, 4).join('\n')}\n${armored}`), formatError(/^share 2 \(line 2\): the armored block has no "-----END/));
      assert.equal(parseShares(`${armored}\n${armored}`).length, 2);
    });

    it('a list of more than 255 shares is refused at share 256, before it is parsed (a set has at most 255)', () => {
      const line = encodeShareText(shares[0]);
      assert.equal(parseShares(`${line}\n`.repeat(255)).length, 255);
      const tooMany = (e: unknown) => e instanceof ShareFormatError && /^share 256 \(line 256\): more than 255 shares/.test(e.message) && e.hint !== undefined;
      assert.throws(() => parseShares(`${line}\n`.repeat(256)), tooMany);
      // 130 000 shares (about 20 MB): refused, not parsed (`combine` pushed them all with a spread and overflowed the stack).
      assert.throws(() => parseShares(`${line}\n`.repeat(130_000)), tooMany);
      const vault = encodeVaultShare({ x: 1, y: Uint8Array.of(1, 2) });
      assert.equal(parseVaultShares(`${vault}\n`.repeat(255)).length, 255);
      assert.throws(() => parseVaultShares(`${vault}\n`.repeat(130_000)), tooMany);
    });
  });

  describe('HashiCorp Vault layout', () => {
    for (const v of vaultVectors.cases) {
      it(`${v.name}: exact export, import and combine`, () => {
        const secret = hexDecode(v.secret);
        const raw = splitSecretRaw(secret, { threshold: v.threshold, shares: v.shares, randomBytes: replay(v.random).randomBytes });
        raw.forEach((share, i) => {
          assert.equal(share.x, v.output[i].x);
          assert.equal(hexEncode(share.y), v.output[i].y);
          assert.equal(encodeVaultShare(share), v.output[i].vaultBase64);
          assert.equal(encodeVaultShare(share, 'hex'), v.output[i].vaultHex);
          assert.deepEqual(parseVaultShare(v.output[i].vaultBase64), share);
          assert.deepEqual(parseVaultShare(v.output[i].vaultHex, 'hex'), share);
        });
        const lastT = v.output.slice(-v.threshold).map((o) => o.vaultBase64);
        assert.deepEqual(combineVaultShares(parseVaultShares(lastT.join('\r\n') + '\n')), secret);
      });

      it(`${v.name}: export cross-checked by an independent decode and interpolation`, () => {
        const points = v.output.map((o) => {
          const bytes = new Uint8Array(Buffer.from(o.vaultBase64, 'base64'));
          return { x: bytes[bytes.length - 1], y: bytes.subarray(0, -1) };
        });
        assert.deepEqual(points.map((p) => p.x), v.output.map((_, i) => i + 1));
        assert.equal(hexEncode(referenceInterpolate(points.slice(0, v.threshold))), v.secret);
        assert.equal(hexEncode(referenceInterpolate(points)), v.secret);
        // And the y-bytes are the spec's polynomial at x, with coefficients read from the recorded randomness.
        const secret = hexDecode(v.secret);
        const random = hexDecode(v.random);
        for (const p of points) {
          for (let i = 0; i < secret.length; i++) {
            let y = secret[i];
            let power = 1;
            for (let j = 0; j < v.threshold - 1; j++) {
              power = slowMul(power, p.x);
              y ^= slowMul(random[j * secret.length + i], power);
            }
            assert.equal(p.y[i], y);
          }
        }
      });
    }

    it('imports shares at arbitrary x-coordinates, as Vault may produce them', () => {
      const secret = utf8Encode('vault root key!!');
      const coefficients = [utf8Encode('0123456789abcdef'), utf8Encode('fedcba9876543210')];
      const xs = [7, 200, 33, 255];
      const encoded = xs.map((x) => {
        const y = secret.map((s, i) => s ^ slowMul(coefficients[0][i], x) ^ slowMul(coefficients[1][i], slowMul(x, x)));
        return Buffer.concat([Buffer.from(y), Buffer.from([x])]).toString('base64');
      });
      const parsed: RawShare[] = parseVaultShares(encoded.join('\n'));
      assert.deepEqual(combineVaultShares(parsed.slice(1)), secret);
      assert.deepEqual(combineVaultShares([parsed[3], parsed[0], parsed[2]]), secret);
    });

    it('has no integrity: a damaged share or too few shares return wrong bytes, not an error', () => {
      const secret = utf8Encode('no integrity');
      const raw = splitSecretRaw(secret, { threshold: 3, shares: 3 });
      const damaged = parseVaultShare(encodeVaultShare({ x: raw[0].x, y: raw[0].y.map((b, i) => (i === 0 ? b ^ 1 : b)) }));
      assert.notDeepEqual(combineVaultShares([damaged, raw[1], raw[2]]), secret);
      assert.notDeepEqual(combineVaultShares([raw[1], raw[2]]), secret);
    });

    it('rejects what the layout can tell is wrong, naming the share', () => {
      assert.throws(() => parseVaultShare(Buffer.from([1, 2, 0]).toString('base64')), formatError(/^share: x-coordinate 0/));
      assert.throws(() => parseVaultShare(Buffer.from([1]).toString('base64')), formatError(/^share: too short/));
      assert.throws(() => parseVaultShare('not base64!'), formatError(/^share: not a Vault share in base64/));
      assert.throws(() => parseVaultShare('abc', 'hex'), formatError(/^share: not a Vault share in hex/));
      assert.throws(() => parseVaultShares(`AQI=\n\n!!!!`), formatError(/^share 2 \(line 3\)/));
      assert.throws(() => parseVaultShares('  \n'), formatError(/^no Vault shares/));
      assert.throws(() => encodeVaultShare({ x: 0, y: Uint8Array.of(1) }), ShareFormatError);
      assert.throws(() => combineVaultShares([{ x: 1, y: Uint8Array.of(1) }, { x: 1, y: Uint8Array.of(2) }]), ShareCombineError);
    });
  });
});
