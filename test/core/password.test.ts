import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/core/errors';
import {
  characterClasses,
  cryptoRandom,
  DEFAULT_PASSWORD_POLICY,
  DIGITS,
  generatePassphrase,
  generatePassword,
  generateToken,
  LOOK_ALIKES,
  LOWERCASE,
  describeRaise,
  MIN_ENTROPY_BITS,
  passphraseEntropyBits,
  passwordEntropyBits,
  resolvePasswordPolicy,
  resolveSettingsWithFloor,
  SYMBOLS,
  uniformInt,
  uniformInts,
  UPPERCASE,
  type RandomSource,
} from '../../src/core/password';
import { EFF_LARGE_WORDLIST, EFF_LARGE_WORDLIST_SIZE } from '../../src/core/wordlists/eff-large';

const SAMPLES = 200_000;

/**
 * Chi-square critical values at p = 1e-9 (a uniform generator exceeds them once in a billion runs), from
 * python3: scipy.stats.chi2.isf(1e-9, df); the Wilson–Hilferty approximation
 * df·(1 − 2/(9df) + z·sqrt(2/(9df)))^3 with z = norm.isf(1e-9) = 5.998 agrees to within 1 unit.
 */
const CHI2_CRITICAL_P1E9: Record<number, number> = {
  61: 152.016,
  93: 199.332,
  199: 342.844,
  519: 736.115,
  7775: 8546.392,
};

/** Pearson's chi-square statistic of observed counts against a uniform distribution over `counts.length` bins. */
function chiSquare(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const expected = total / counts.length;
  let stat = 0;
  for (let i = 0; i < counts.length; i++) stat += (counts[i] - expected) ** 2 / expected;
  return stat;
}

function assertUniform(counts: ArrayLike<number>): void {
  const critical = CHI2_CRITICAL_P1E9[counts.length - 1];
  assert.ok(critical !== undefined, `no critical value for df = ${counts.length - 1}`);
  const stat = chiSquare(counts);
  assert.ok(stat < critical, `chi-square ${stat.toFixed(1)} ≥ ${critical} (df ${counts.length - 1}): not uniform`);
}

function histogram(n: number, samples: Iterable<number>): Uint32Array {
  const counts = new Uint32Array(n);
  for (const x of samples) counts[x]++;
  return counts;
}

/** A random source that counts the bytes it hands out. */
function countingRandom(): { random: RandomSource; bytes: () => number } {
  let used = 0;
  return {
    random: (out) => {
      used += out.length;
      cryptoRandom(out);
    },
    bytes: () => used,
  };
}

describe('password', () => {
  describe('uniformInt', () => {
    it('is uniform over 62 values (chi-square, p = 1e-9)', () => {
      assertUniform(histogram(62, uniformInts(62, SAMPLES)));
    });

    it('is uniform over 200 values, where the same test catches a naive byte % 200', () => {
      assertUniform(histogram(200, uniformInts(200, SAMPLES)));
      // The naive generator makes 0–55 twice as likely as 56–199: the statistic lands in the tens of thousands.
      const bytes = new Uint8Array(SAMPLES);
      cryptoRandom(bytes);
      const naive = histogram(200, Array.from(bytes, (b) => b % 200));
      assert.throws(() => assertUniform(naive), /not uniform/);
    });

    it('rejects draws at or above the largest multiple of n, and only those', () => {
      // n = 3: limit = floor(2^32 / 3)·3 = 0xFFFFFFFF, so 0xFFFFFFFF is rejected and the next draw used.
      const queue = [0xffffffff, 0xfffffffe];
      const scripted: RandomSource = (out) => new DataView(out.buffer, out.byteOffset).setUint32(0, queue.shift()!, false);
      assert.equal(uniformInt(3, scripted), 0xfffffffe % 3);
      assert.equal(queue.length, 0);
      assert.deepEqual(uniformInts(5, 0), []);
      assert.equal(uniformInts(7, 20_000).length, 20_000); // more than one getRandomValues call's worth
      assert.equal(uniformInt(1, cryptoRandom), 0);
      for (const n of [0, -1, 1.5, 2 ** 32 + 1, NaN]) assert.throws(() => uniformInt(n), RangeError);
    });
  });

  describe('generatePassword', () => {
    it('draws each character uniformly from the 94 printable ASCII', () => {
      const alphabet = LOWERCASE + UPPERCASE + DIGITS + SYMBOLS;
      assert.equal(new Set(alphabet).size, 94);
      const counts = new Uint32Array(94);
      const length = 100;
      for (let drawn = 0; drawn < SAMPLES; drawn += length) {
        const { value } = generatePassword({ length, requireEachClass: false });
        assert.equal(value.length, length);
        for (const c of value) counts[alphabet.indexOf(c)]++;
      }
      assertUniform(counts);
    });

    it('with requireEachClass, is uniform over exactly the valid strings', () => {
      // Length 2 from lowercase + digits: 2·26·10 = 520 valid strings, each must be equally likely.
      const valid = new Map<string, number>();
      for (const a of LOWERCASE) {
        for (const d of DIGITS) {
          valid.set(a + d, valid.size);
          valid.set(d + a, valid.size);
        }
      }
      assert.equal(valid.size, 520);
      const options = { length: 2, lowercase: true, uppercase: false, digits: true, symbols: false, requireEachClass: true };
      // 100k samples (≈ 192 per string) keeps this fast; the critical value depends only on df.
      const samples = Array.from({ length: SAMPLES / 2 }, () => {
        const index = valid.get(generatePassword(options).value);
        assert.ok(index !== undefined);
        return index;
      });
      assertUniform(histogram(520, samples));
      assert.equal(generatePassword(options).entropyBits, Math.log2(520));
    });

    it('includes every selected class when asked, even at the minimum length', () => {
      const classes = [LOWERCASE, UPPERCASE, DIGITS, SYMBOLS];
      for (let i = 0; i < 2000; i++) {
        const { value } = generatePassword({ length: 4 });
        assert.equal(value.length, 4);
        for (const cls of classes) assert.ok([...value].some((c) => cls.includes(c)), `${value} lacks a class`);
      }
    });

    it('excludes look-alikes when asked', () => {
      const seen = new Set<string>();
      for (let i = 0; i < 2000; i++) for (const c of generatePassword({ excludeLookAlikes: true }).value) seen.add(c);
      for (const c of LOOK_ALIKES) assert.ok(!seen.has(c), `look-alike ${c} generated`);
      assert.equal(seen.size, 94 - LOOK_ALIKES.length);
    });

    it('uses only the selected classes', () => {
      const { value } = generatePassword({ length: 500, uppercase: false, symbols: false });
      assert.match(value, /^[a-z0-9]{500}$/);
    });

    it('gives up, rather than looping forever, on a broken random source', () => {
      const zeros: RandomSource = (out) => out.fill(0);
      assert.equal(generatePassword({ length: 8, requireEachClass: false }, zeros).value, 'aaaaaaaa');
      assert.throws(() => generatePassword({ length: 8 }, zeros), InvalidArgumentError);
    });
  });

  describe('entropy', () => {
    it('16 characters from 94 symbols = 16·log2(94)', () => {
      const result = generatePassword({ length: 16, requireEachClass: false });
      assert.equal(result.entropyBits, 16 * Math.log2(94));
      assert.ok(Math.abs(result.entropyBits - 104.8734216268422) < 1e-9);
    });

    it('requireEachClass: log2 of the inclusion–exclusion count (values from Python big integers)', () => {
      // python3: sum((-1)**r * (94 - sum(S))**L for r in 0..4 for S in combinations([26,26,10,32], r))
      assert.ok(Math.abs(passwordEntropyBits([26, 26, 10, 32], 16, true) - 104.5925141352476) < 1e-9);
      assert.ok(Math.abs(passwordEntropyBits([26, 26, 10, 32], 24, true) - 157.20836178615136) < 1e-9);
      assert.equal(passwordEntropyBits([26, 26, 10, 32], 4, true), Math.log2(5191680));
      assert.equal(passwordEntropyBits([25, 24, 8, 31], 4, true), Math.log2(3571200));
      assert.ok(Math.abs(generatePassword({ length: 24 }).entropyBits - 157.20836178615136) < 1e-9);
    });

    it('requireEachClass count matches brute-force enumeration on small alphabets', () => {
      const cases: [number[], number][] = [[[2, 3], 4], [[1, 2, 3], 5], [[3, 1, 2, 2], 6], [[4], 3]];
      for (const [sizes, length] of cases) {
        const total = sizes.reduce((a, b) => a + b, 0);
        const classOf = sizes.flatMap((s, i) => Array<number>(s).fill(i));
        let count = 0;
        for (let x = 0; x < total ** length; x++) {
          const used = new Set<number>();
          for (let k = 0, y = x; k < length; k++, y = Math.floor(y / total)) used.add(classOf[y % total]);
          if (used.size === sizes.length) count++;
        }
        assert.equal(passwordEntropyBits(sizes, length, true), Math.log2(count), `${sizes} × ${length}`);
      }
      assert.throws(() => passwordEntropyBits([2, 3, 4], 2, true), RangeError);
    });

    it('a 32-byte hex token = 256 bits', () => {
      const { random, bytes } = countingRandom();
      const token = generateToken({ bytes: 32, encoding: 'hex' }, random);
      assert.equal(token.entropyBits, 256);
      assert.match(token.value, /^[0-9a-f]{64}$/);
      assert.equal(bytes(), 32);
    });

    it('6 EFF words = 6·log2(7776)', () => {
      const result = generatePassphrase({ words: 6 });
      assert.equal(result.entropyBits, 6 * Math.log2(7776));
      assert.ok(Math.abs(result.entropyBits - 77.54887502163469) < 1e-9);
    });
  });

  describe('generatePassphrase', () => {
    it('joins words from the list with the separator', () => {
      const { value } = generatePassphrase({ words: 6, separator: ' ' });
      const words = value.split(' ');
      assert.equal(words.length, 6);
      for (const w of words) assert.ok(EFF_LARGE_WORDLIST.includes(w), w);
      assert.equal(generatePassphrase().value.split('-').length >= 6, true);
    });

    it('capitalises and appends a digit when asked', () => {
      const { value, entropyBits } = generatePassphrase({ words: 4, separator: '.', capitalize: true, appendNumber: true });
      const parts = value.split('.');
      assert.equal(parts.length, 5);
      for (const w of parts.slice(0, 4)) assert.match(w, /^[A-Z][a-z-]*$/);
      assert.match(parts[4], /^[0-9]$/);
      assert.equal(entropyBits, 4 * Math.log2(7776) + Math.log2(10));
    });

    it('draws words uniformly (chi-square over the 7776 words, p = 1e-9)', () => {
      const index = new Map(EFF_LARGE_WORDLIST.map((w, i) => [w, i]));
      const counts = new Uint32Array(EFF_LARGE_WORDLIST_SIZE);
      for (let drawn = 0; drawn < SAMPLES; drawn += 64) {
        for (const w of generatePassphrase({ words: 64, separator: ' ' }).value.split(' ')) counts[index.get(w)!]++;
      }
      assertUniform(counts);
    });

    it('accepts a custom list and rejects one with duplicates', () => {
      const { value, entropyBits } = generatePassphrase({ words: 3, wordlist: ['x', 'y', 'z'], separator: '' });
      assert.match(value, /^[xyz]{3}$/);
      assert.equal(entropyBits, 3 * Math.log2(3));
      assert.throws(() => generatePassphrase({ wordlist: ['x', 'x'] }), InvalidArgumentError);
      assert.throws(() => generatePassphrase({ wordlist: ['x'] }), InvalidArgumentError);
    });
  });

  describe('generateToken', () => {
    it('encodes base64url without padding', () => {
      const token = generateToken({ bytes: 32, encoding: 'base64url' });
      assert.match(token.value, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(token.entropyBits, 256);
      assert.match(generateToken().value, /^[0-9a-f]{64}$/);
    });

    it('rejects bad sizes and encodings', () => {
      for (const bytes of [0, -1, 1.5, 1025]) assert.throws(() => generateToken({ bytes }), InvalidArgumentError);
      assert.throws(() => generateToken({ encoding: 'base32' as 'hex' }), InvalidArgumentError);
    });
  });

  describe('the shipped EFF word list', () => {
    it('has 7776 distinct lowercase ASCII words, from abacus to zoom', () => {
      assert.equal(EFF_LARGE_WORDLIST.length, 7776);
      assert.equal(EFF_LARGE_WORDLIST_SIZE, 7776);
      assert.equal(new Set(EFF_LARGE_WORDLIST).size, 7776);
      for (const w of EFF_LARGE_WORDLIST) assert.match(w, /^[a-z]+(-[a-z]+)?$/);
      assert.equal(EFF_LARGE_WORDLIST[0], 'abacus');
      assert.equal(EFF_LARGE_WORDLIST[7775], 'zoom');
      assert.equal(EFF_LARGE_WORDLIST.filter((w) => w.includes('-')).length, 4);
    });
  });

  describe('policy', () => {
    it('defaults are valid: 24 characters of all classes, 6 words', () => {
      const policy = resolvePasswordPolicy();
      assert.deepEqual(policy, { ...DEFAULT_PASSWORD_POLICY });
      assert.equal(policy.length, 24);
      assert.equal(policy.words, 6);
      assert.equal(characterClasses(policy).join(''), LOWERCASE + UPPERCASE + DIGITS + SYMBOLS);
      assert.ok(Object.isFrozen(DEFAULT_PASSWORD_POLICY));
    });

    it('fills unset values and validates set ones, naming the setting', () => {
      assert.equal(resolvePasswordPolicy({ length: 12, words: undefined }).words, 6);
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ length: 0 }, /custodian\.password\.length/],
        [{ length: 1025 }, /custodian\.password\.length/],
        [{ length: '24' }, /custodian\.password\.length/],
        [{ words: 0 }, /custodian\.password\.words/],
        [{ words: 6.5 }, /custodian\.password\.words/],
        [{ lowercase: 'yes' }, /custodian\.password\.lowercase/],
        [{ separator: 'toolongsep' }, /custodian\.password\.separator/],
        [{ separator: '\n' }, /custodian\.password\.separator/],
        [{ separator: '\u202E' }, /custodian\.password\.separator/],
        [{ separator: '\u200B' }, /custodian\.password\.separator/],
        [{ lowercase: false, uppercase: false, digits: false, symbols: false }, /no character class/],
        [{ length: 3 }, /at least 4/],
      ];
      for (const [settings, pattern] of bad) {
        assert.throws(() => resolvePasswordPolicy(settings), (err: unknown) => err instanceof InvalidArgumentError && pattern.test(err.message));
      }
      assert.equal(resolvePasswordPolicy({ length: 3, requireEachClass: false }).length, 3);
    });

    it('a passphrase ignores the character-class settings', () => {
      assert.doesNotThrow(() => generatePassphrase({ ...({ lowercase: false, uppercase: false, digits: false, symbols: false } as object) }));
    });
  });
  describe('entropy floor (settings a repository can write)', () => {
    const bits = (p: ReturnType<typeof resolvePasswordPolicy>): number =>
      passwordEntropyBits(
        characterClasses(p).map((c) => c.length),
        p.length,
        p.requireEachClass,
      );

    it(`raises length 1 and words 1 to the least values reaching ${MIN_ENTROPY_BITS} bits, and says so`, () => {
      const { policy, raised } = resolveSettingsWithFloor({ length: 1, words: 1 });
      assert.equal(raised.length, 2);
      const [length, words] = raised;
      assert.equal(length.setting, 'length');
      assert.equal(length.from, 1);
      assert.equal(length.to, policy.length);
      assert.ok(bits(policy) >= MIN_ENTROPY_BITS && bits({ ...policy, length: policy.length - 1 }) < MIN_ENTROPY_BITS, `${policy.length} is the least`);
      assert.ok(generatePassword(policy).entropyBits >= MIN_ENTROPY_BITS);
      assert.deepEqual([words.setting, words.from, words.to, policy.words], ['words', 1, 6, 6]);
      assert.ok(generatePassphrase(policy).entropyBits >= MIN_ENTROPY_BITS);
      assert.match(describeRaise(length), /"custodian\.password\.length" is 1 \(0\.0 bits\): raised to 12 \(7\d\.\d bits\)/);
    });

    it('every class combination, with or without look-alikes and the class requirement, reaches the floor', () => {
      for (let mask = 1; mask < 16; mask++) {
        for (const excludeLookAlikes of [false, true]) {
          for (const requireEachClass of [false, true]) {
            const settings = { length: 1, lowercase: !!(mask & 1), uppercase: !!(mask & 2), digits: !!(mask & 4), symbols: !!(mask & 8), excludeLookAlikes, requireEachClass };
            const { policy } = resolveSettingsWithFloor(settings);
            assert.ok(bits(policy) >= MIN_ENTROPY_BITS, JSON.stringify(settings));
            assert.ok(generatePassword(policy).value.length === policy.length);
          }
        }
      }
    });

    it('5 words with a digit (67.9 bits) become 6; settings at or above the floor are kept', () => {
      const five = resolveSettingsWithFloor({ words: 5, appendNumber: true });
      assert.equal(five.policy.words, 6);
      assert.ok(Math.abs(five.raised[0].fromBits - passphraseEntropyBits({ words: 5, appendNumber: true })) < 1e-9);
      assert.deepEqual(resolveSettingsWithFloor({}).raised, []);
      assert.deepEqual(resolveSettingsWithFloor({ length: 13, symbols: false, words: 6 }).raised, []);
      assert.equal(resolveSettingsWithFloor({ length: 12, symbols: false, requireEachClass: true }).policy.length, 13, '12 alphanumerics with every class: 71.3 bits');
    });

    it('still names a setting that is invalid, rather than raising it', () => {
      assert.throws(() => resolveSettingsWithFloor({ length: 0 }), /custodian\.password\.length/);
      assert.throws(() => resolveSettingsWithFloor({ lowercase: false, uppercase: false, digits: false, symbols: false }), /no character class/);
    });
  });
});
