import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { concatBytes, hexDecode, hexEncode, utf8Encode } from '../../src/core/bytes';
import { InvalidArgumentError, ShareCombineError, ShareFormatError } from '../../src/core/errors';
import {
  checkSplitLimits,
  combineShares,
  combineSharesRaw,
  MAX_SECRET_BYTES,
  MAX_SPLIT_WORK,
  MIN_SHARE_VALUE_BYTES,
  type Share,
  splitSecret,
  splitSecretRaw,
} from '../../src/core/shamir';
import splitVectors from '../vectors/shamir/split.json';
import { replay, slowMul } from './shamir-reference';



/** SHAMIR.md §2–§3 computed from scratch: node:crypto HMAC, bitwise multiply, powers by repeated multiply. */
function referenceValues(secret: Uint8Array, threshold: number, total: number, randomHex: string): Uint8Array[] {
  const random = hexDecode(randomHex);
  let offset = 0;
  const take = (n: number) => random.subarray(offset, (offset += n));
  const setId = take(8);
  const key = take(32);
  const context = concatBytes(utf8Encode('custodian-share-v1'), Uint8Array.of(0), setId, Uint8Array.of(threshold, total));
  const tag = new Uint8Array(createHmac('sha256', key).update(context).update(secret).digest());
  const shared = concatBytes(key, secret, tag);
  const coefficients = Array.from({ length: threshold - 1 }, () => take(shared.length));
  assert.equal(offset, random.length, 'the vector records exactly the randomness the spec consumes');
  const values: Uint8Array[] = [];
  for (let x = 1; x <= total; x++) {
    const y = shared.slice();
    let power = 1;
    for (const c of coefficients) {
      power = slowMul(power, x);
      for (let i = 0; i < y.length; i++) y[i] ^= slowMul(c[i], power);
    }
    values.push(y);
  }
  return values;
}

function* subsets<T>(items: readonly T[], size: number, start = 0): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - size; i++) for (const rest of subsets(items, size - 1, i + 1)) yield [items[i], ...rest];
}

function withValueBitFlipped(share: Share, byte: number, bit: number): Share {
  const value = share.value.slice();
  value[byte] ^= 1 << bit;
  return { ...share, value };
}

describe('shamir', () => {
  describe('vectors (test/vectors/shamir/split.json)', () => {
    for (const v of splitVectors.cases) {
      it(v.name, () => {
        const stream = replay(v.random);
        const secret = hexDecode(v.secret);
        const shares = splitSecret(secret, { threshold: v.threshold, shares: v.shares, randomBytes: stream.randomBytes });
        assert.equal(stream.left(), 0, 'split consumed all recorded randomness');
        assert.equal(shares.length, v.output.length);
        shares.forEach((s, i) => {
          assert.equal(s.version, 1);
          assert.equal(hexEncode(s.setId), v.setId);
          assert.equal(s.threshold, v.threshold);
          assert.equal(s.total, v.shares);
          assert.equal(s.index, v.output[i].index);
          assert.equal(hexEncode(s.value), v.output[i].value);
        });
        assert.deepEqual(combineShares(shares.slice(-v.threshold)), secret);
      });

      it(`${v.name}: values agree with an independent computation from the spec`, () => {
        const expected = referenceValues(hexDecode(v.secret), v.threshold, v.shares, v.random);
        assert.deepEqual(
          v.output.map((o) => o.value),
          expected.map(hexEncode),
        );
      });
    }
  });

  describe('split and combine', () => {
    it('every T-subset of N recovers the secret (N ≤ 5)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 3 }), (secret, threshold, extra) => {
          const total = Math.min(5, threshold + extra);
          const shares = splitSecret(secret, { threshold, shares: total });
          for (const subset of subsets(shares, threshold)) assert.deepEqual(combineShares(subset), secret);
        }),
        { numRuns: 40 },
      );
    });

    it('random T, N, lengths and share orders recover the secret', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 300 }),
          fc.integer({ min: 2, max: 12 }),
          fc.integer({ min: 0, max: 20 }),
          fc.integer(),
          (secret, threshold, extra, seed) => {
            const shares = splitSecret(secret, { threshold, shares: threshold + extra });
            const picked = fc.sample(fc.shuffledSubarray(shares, { minLength: threshold, maxLength: shares.length }), { numRuns: 1, seed })[0];
            assert.deepEqual(combineShares(picked), secret);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('T = N: all shares are needed', () => {
      const secret = utf8Encode('all five, please');
      const shares = splitSecret(secret, { threshold: 5, shares: 5 });
      assert.deepEqual(combineShares([...shares].reverse()), secret);
      assert.throws(() => combineShares(shares.slice(1)), (e: unknown) => e instanceof ShareCombineError && /need 5 shares/.test(e.message));
    });

    it('T = 2, N = 255: any pair and the whole set recover the secret', () => {
      const secret = utf8Encode('pairs');
      const shares = splitSecret(secret, { threshold: 2, shares: 255 });
      assert.equal(shares[254].index, 255);
      for (const [a, b] of [[0, 254], [127, 128], [200, 3], [254, 253]]) assert.deepEqual(combineShares([shares[a], shares[b]]), secret);
      assert.deepEqual(combineShares(shares), secret);
    });

    it('a secret of the largest size (64 KiB) splits and recovers', () => {
      const secret = new Uint8Array(MAX_SECRET_BYTES);
      for (let i = 0; i < secret.length; i++) secret[i] = (i * 131 + (i >> 8)) & 0xff;
      const shares = splitSecret(secret, { threshold: 3, shares: 5 });
      assert.equal(shares[0].value.length, secret.length + 64);
      assert.deepEqual(combineShares([shares[4], shares[0], shares[2]]), secret);
    });

    it('leaves the caller\'s secret intact and uses fresh randomness by default', () => {
      const secret = utf8Encode('do not zero me');
      const copy = secret.slice();
      const a = splitSecret(secret, { threshold: 2, shares: 3 });
      const b = splitSecret(secret, { threshold: 2, shares: 3 });
      assert.deepEqual(secret, copy);
      assert.notDeepEqual(a[0].setId, b[0].setId);
      assert.notDeepEqual(a[0].value, b[0].value);
    });

    it('gives each share its own set id buffer', () => {
      const shares = splitSecret(Uint8Array.of(1), { threshold: 2, shares: 2 });
      shares[0].setId[0] ^= 0xff;
      assert.notEqual(shares[0].setId[0], shares[1].setId[0]);
    });

    it('rejects bad arguments', () => {
      const secret = Uint8Array.of(1, 2, 3);
      assert.throws(() => splitSecret(new Uint8Array(0), { threshold: 2, shares: 3 }), InvalidArgumentError);
      assert.throws(() => splitSecret('abc' as unknown as Uint8Array, { threshold: 2, shares: 3 }), TypeError);
      for (const [threshold, shares] of [[1, 3], [0, 0], [3, 2], [2, 256], [256, 256], [2.5, 3], [2, Number.NaN]]) {
        assert.throws(() => splitSecret(secret, { threshold, shares }), InvalidArgumentError, `threshold ${threshold}, shares ${shares}`);
      }
      assert.throws(() => splitSecret(secret, { threshold: 2, shares: 3, randomBytes: (n) => new Uint8Array(n - 1) }), RangeError);
    });
  });

  describe('secrecy of the raw layer', () => {
    // For T−1 shares of a one-byte secret, count the polynomials f of degree ≤ T−1 through those
    // shares with f(0) = s, for every candidate s, by enumerating all coefficient tuples.
    for (const threshold of [2, 3]) {
      it(`T = ${threshold}: with T−1 shares, every candidate secret byte fits exactly one polynomial`, () => {
        for (const secretByte of [0x00, 0x5a, 0xff]) {
          const raw = splitSecretRaw(Uint8Array.of(secretByte), { threshold, shares: threshold + 2 });
          const known = raw.slice(2, 2 + threshold - 1); // x = 3, 4, …: not the first shares
          const counts = new Uint32Array(256);
          const tuples = 256 ** (threshold - 1);
          for (let t = 0; t < tuples; t++) {
            const coefficients = Array.from({ length: threshold - 1 }, (_, j) => (t >> (8 * j)) & 0xff);
            let s = -1;
            let consistent = true;
            for (const { x, y } of known) {
              let value = 0;
              let power = 1;
              for (const c of coefficients) {
                power = slowMul(power, x);
                value ^= slowMul(c, power);
              }
              const implied = y[0] ^ value; // the f(0) this tuple needs to hit this share
              if (s === -1) s = implied;
              else if (s !== implied) consistent = false;
            }
            if (consistent) counts[s]++;
          }
          assert.deepEqual([...new Set(counts)], [1], 'every candidate has exactly one polynomial');
        }
      });

      // The counting above is about the polynomial space; this checks the implementation's sampling:
      // fed every possible coefficient tuple once (one per byte column), splitSecretRaw must produce
      // every possible (T−1)-tuple of share bytes once, whatever the secret byte. Uniform coefficients
      // then give uniformly distributed shares, independent of the secret.
      it(`T = ${threshold}: split maps all coefficient tuples one-to-one onto T−1 share values, for any secret byte`, () => {
        const columns = 256 ** (threshold - 1);
        for (const secretByte of [0x00, 0x01, 0xc3]) {
          let degree = 0;
          // Coefficient c_j of column i is byte j−1 of i, so the columns run through every tuple.
          const enumerate = (n: number) => {
            const shift = 8 * degree++;
            return Uint8Array.from({ length: n }, (_, i) => (i >> shift) & 0xff);
          };
          const raw = splitSecretRaw(new Uint8Array(columns).fill(secretByte), { threshold, shares: threshold + 1, randomBytes: enumerate });
          const known = raw.slice(1, threshold); // x = 2 … T
          const seen = new Uint8Array(columns);
          for (let i = 0; i < columns; i++) {
            let key = 0;
            known.forEach((share, k) => (key |= share.y[i] << (8 * k)));
            seen[key]++;
          }
          assert.ok(seen.every((n) => n === 1), `secret byte ${secretByte}: some share tuple is missing or repeated`);
        }
      });
    }
  });

  describe('integrity', () => {
    const secret = utf8Encode('s3cr');
    const shares = splitSecret(secret, { threshold: 3, shares: 5 });

    it('every (T−1)-subset is refused', () => {
      for (const subset of subsets(shares, 2)) {
        assert.throws(() => combineShares(subset), (e: unknown) => e instanceof ShareCombineError && /need 3 shares/.test(e.message));
      }
    });

    it('every (T−1)-subset with the threshold lowered to T−1 fails the integrity check', () => {
      for (const subset of subsets(shares, 2)) {
        const forged = subset.map((s) => ({ ...s, threshold: 2 }));
        assert.throws(() => combineShares(forged), (e: unknown) => e instanceof ShareCombineError && /integrity check failed/.test(e.message));
      }
    });

    it('a flipped bit anywhere in any share value fails the integrity check', () => {
      const picked = [shares[0], shares[2], shares[4]];
      assert.equal(picked[0].value.length, MIN_SHARE_VALUE_BYTES + 3);
      for (let j = 0; j < picked.length; j++) {
        for (let byte = 0; byte < picked[j].value.length; byte++) {
          const tampered = picked.map((s, k) => (k === j ? withValueBitFlipped(s, byte, byte % 8) : s));
          assert.throws(() => combineShares(tampered), (e: unknown) => e instanceof ShareCombineError && /integrity check failed/.test(e.message), `share ${j + 1}, byte ${byte}`);
        }
      }
    });

    it('altered metadata (index, set id, total) fails the integrity check', () => {
      const picked = [shares[0], shares[1], shares[2]];
      const integrityFailure = (e: unknown) => e instanceof ShareCombineError && /integrity check failed/.test(e.message);
      assert.throws(() => combineShares([picked[0], picked[1], { ...picked[2], index: 4 }]), integrityFailure);
      const otherSet = picked[0].setId.slice();
      otherSet[0] ^= 1;
      assert.throws(() => combineShares(picked.map((s) => ({ ...s, setId: otherSet }))), integrityFailure);
      assert.throws(() => combineShares(picked.map((s) => ({ ...s, total: 6 }))), integrityFailure);
    });

    it('with a spare share, names the one that was altered', () => {
      const tampered = [shares[0], shares[1], withValueBitFlipped(shares[3], 10, 2), shares[4]];
      assert.throws(
        () => combineShares(tampered),
        (e: unknown) => e instanceof ShareCombineError && /share 3 \(index 4\) does not match the other shares/.test(e.message),
      );
    });

    it('shares from two splits of the same secret do not combine, even with the set id forged', () => {
      const other = splitSecret(secret, { threshold: 3, shares: 5 });
      const forged = { ...other[2], setId: shares[0].setId.slice() };
      assert.throws(() => combineShares([shares[0], shares[1], forged]), (e: unknown) => e instanceof ShareCombineError && /integrity check failed/.test(e.message));
    });

    it('error messages carry no secret bytes', () => {
      try {
        combineShares([shares[0], shares[1], withValueBitFlipped(shares[2], 0, 0)]);
        assert.fail('expected a failure');
      } catch (e) {
        assert.ok(e instanceof ShareCombineError);
        assert.ok(!e.message.includes('s3cr') && !e.message.includes(hexEncode(secret)));
      }
    });
  });

  describe('combine errors name the share', () => {
    const a = splitSecret(utf8Encode('set a'), { threshold: 2, shares: 3 });
    const b = splitSecret(utf8Encode('set b'), { threshold: 2, shares: 3 });

    it('mixed sets', () => {
      assert.throws(
        () => combineShares([a[0], a[1], b[2]]),
        (e: unknown) => e instanceof ShareCombineError && /^share 3 \(index 3\) belongs to a different share set/.test(e.message),
      );
    });

    it('duplicate indices', () => {
      assert.throws(
        () => combineShares([a[1], a[2], a[1]]),
        (e: unknown) => e instanceof ShareCombineError && /^share 3 \(index 2\) repeats index 2 \(also share 1\)/.test(e.message),
      );
    });

    it('more than 255 shares: refused before any check or interpolation (a set has at most 255)', () => {
      const tooMany = (e: unknown) => e instanceof ShareCombineError && /^more than 255 shares: a share set has at most 255$/.test(e.message) && e.hint !== undefined;
      assert.throws(() => combineShares(Array.from({ length: 256 }, (_, i) => a[i % 3])), tooMany);
      const raw = splitSecretRaw(Uint8Array.of(1, 2), { threshold: 2, shares: 3 });
      assert.throws(() => combineSharesRaw(Array.from({ length: 256 }, (_, i) => raw[i % 3])), tooMany);
    });

    it('different value lengths', () => {
      const cut = { ...a[1], value: a[1].value.subarray(0, -1) };
      assert.throws(() => combineShares([a[0], cut]), (e: unknown) => e instanceof ShareCombineError && /^share 2 \(index 2\) has a 68-byte value but share 1 has 69 bytes/.test(e.message));
    });

    it('malformed share objects', () => {
      const cases: [Partial<Share>, RegExp][] = [
        [{ index: 0 }, /^share 2: index 0 is outside 1\.\.3/],
        [{ index: 4 }, /^share 2: index 4 is outside/],
        [{ version: 2 }, /^share 2: unsupported share version 2/],
        [{ threshold: 1 }, /^share 2: threshold 1/],
        [{ total: 256 }, /^share 2: total 256/],
        [{ setId: new Uint8Array(7) }, /^share 2: the set id must be 8 bytes/],
        [{ value: new Uint8Array(64) }, /^share 2: the share value is shorter/],
      ];
      for (const [change, message] of cases) {
        assert.throws(() => combineShares([a[0], { ...a[1], ...change }]), (e: unknown) => e instanceof ShareFormatError && message.test(e.message), message.source);
      }
      assert.throws(() => combineShares([]), ShareCombineError);
      assert.throws(() => combineShares('x' as unknown as Share[]), TypeError);
    });
  });

  describe('raw layer', () => {
    it('recovers from any T raw shares and returns wrong bytes (no error) from too few', () => {
      const secret = utf8Encode('raw secret');
      const raw = splitSecretRaw(secret, { threshold: 3, shares: 4 });
      assert.deepEqual(raw.map((s) => s.x), [1, 2, 3, 4]);
      assert.deepEqual(combineSharesRaw([raw[3], raw[1], raw[0]]), secret);
      assert.deepEqual(combineSharesRaw(raw), secret);
      assert.notDeepEqual(combineSharesRaw(raw.slice(0, 2)), secret);
    });

    it('checks the layout and names the share', () => {
      const raw = splitSecretRaw(Uint8Array.of(1, 2), { threshold: 2, shares: 3 });
      assert.throws(() => combineSharesRaw([raw[0]]), (e: unknown) => e instanceof ShareCombineError && /at least 2 shares/.test(e.message));
      assert.throws(() => combineSharesRaw([raw[0], { x: 0, y: raw[1].y }]), (e: unknown) => e instanceof ShareFormatError && /^share 2: x-coordinate/.test(e.message));
      assert.throws(() => combineSharesRaw([raw[0], raw[1], raw[0]]), (e: unknown) => e instanceof ShareCombineError && /^share 3 repeats x-coordinate 1 \(also share 1\)/.test(e.message));
      assert.throws(() => combineSharesRaw([raw[0], { x: 2, y: Uint8Array.of(1) }]), (e: unknown) => e instanceof ShareCombineError && /^share 2 \(x=2\) has 1 value bytes/.test(e.message));
    });
  });
});

describe('shamir: size limits (SHAMIR.md §7)', () => {
  const drawsNothing = (): Uint8Array => assert.fail('randomness drawn: the split was not refused up front');

  it('splits a secret of exactly 64 KiB, and it round-trips', () => {
    const secret = Uint8Array.from({ length: MAX_SECRET_BYTES }, (_, i) => (i * 13) & 0xff);
    const shares = splitSecret(secret, { threshold: 2, shares: 3 });
    assert.deepEqual(combineShares([shares[2], shares[0]]), secret);
    assert.deepEqual(combineSharesRaw(splitSecretRaw(secret, { threshold: 2, shares: 3 }).slice(1)), secret);
  });

  it('refuses one byte more, before drawing any randomness, with a hint', () => {
    for (const split of [splitSecret, splitSecretRaw]) {
      assert.throws(
        () => split(new Uint8Array(MAX_SECRET_BYTES + 1), { threshold: 2, shares: 2, randomBytes: drawsNothing }),
        (e: unknown) => e instanceof InvalidArgumentError && /too large to split: 65537 bytes, the limit is 65536/.test(e.message) && /encrypt/.test(e.hint ?? ''),
      );
    }
  });

  it('bounds the work N×(T−1)×L: any T and N up to 4567 bytes, refused just above, up front', () => {
    checkSplitLimits(4567, 255, 255);
    checkSplitLimits(MAX_SECRET_BYTES, 18, 255);
    assert.ok(255 * 254 * (4567 + 64) <= MAX_SPLIT_WORK && 255 * 254 * (4568 + 64) > MAX_SPLIT_WORK);
    assert.throws(
      () => splitSecret(new Uint8Array(4568), { threshold: 255, shares: 255, randomBytes: drawsNothing }),
      (e: unknown) => e instanceof InvalidArgumentError && /needs \d+ table lookups/.test(e.message) && /threshold of at most 254/.test(e.hint ?? ''),
    );
    assert.throws(
      () => splitSecret(new Uint8Array(MAX_SECRET_BYTES), { threshold: 19, shares: 255, randomBytes: drawsNothing }),
      (e: unknown) => e instanceof InvalidArgumentError && /threshold of at most 18/.test(e.hint ?? ''),
    );
  });
});
