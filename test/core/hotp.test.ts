import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hexDecode } from '../../src/core/bytes';
import { InvalidArgumentError } from '../../src/core/errors';
import { hotp, OTP_ALGORITHMS, type OtpAlgorithm } from '../../src/core/hotp';
import rfc4226 from '../vectors/otp/rfc4226.json';
import { hasOathtool, oathHotp } from '../helpers/oathtool';

const RFC_SECRET = hexDecode(rfc4226.secretHex);

describe('hotp', () => {
  describe('RFC 4226 Appendix D', () => {
    for (const v of rfc4226.vectors) {
      it(`counter ${v.counter} -> ${v.hotp}`, () => {
        assert.equal(hotp(RFC_SECRET, v.counter), v.hotp);
        assert.equal(hotp(RFC_SECRET, BigInt(v.counter), { algorithm: 'SHA1', digits: 6 }), v.hotp);
        // 8 digits exposes more of the truncated value: its low 8 decimal digits.
        assert.equal(hotp(RFC_SECRET, v.counter, { digits: 8 }), String(v.truncatedDecimal % 1e8).padStart(8, '0'));
      });
    }
  });

  it('encodes the counter as 64-bit big-endian (values at and beyond 2^32)', () => {
    // Expected values from Python (hmac.new(key, struct.pack('>Q', c), sha1), truncated per RFC 4226 §5.3),
    // confirmed with `oathtool -d 8 -c C`. A 32-bit counter would wrap 2^32 to 0 (code 84755224).
    assert.equal(hotp(RFC_SECRET, 2 ** 32, { digits: 8 }), '55999456');
    assert.equal(hotp(RFC_SECRET, 1n << 32n, { digits: 8 }), '55999456');
    assert.equal(hotp(RFC_SECRET, 2 ** 32 + 1, { digits: 8 }), '39108930');
    assert.equal(hotp(RFC_SECRET, (1n << 64n) - 1n, { digits: 8 }), '63094451');
  });

  describe('rejects bad arguments', () => {
    it('counter out of range or not an integer', () => {
      for (const c of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, -1n, 1n << 64n]) {
        assert.throws(() => hotp(RFC_SECRET, c), InvalidArgumentError, String(c));
      }
    });
    it('digits outside 6–8', () => {
      for (const digits of [0, 5, 9, 10, 6.5]) assert.throws(() => hotp(RFC_SECRET, 0, { digits }), InvalidArgumentError);
    });
    it('unknown algorithm', () => {
      assert.throws(() => hotp(RFC_SECRET, 0, { algorithm: 'MD5' as OtpAlgorithm }), InvalidArgumentError);
      assert.throws(() => hotp(RFC_SECRET, 0, { algorithm: 'sha1' as OtpAlgorithm }), InvalidArgumentError);
    });
    it('secrets under 80 bits, or not bytes', () => {
      assert.throws(() => hotp(new Uint8Array(9), 0), InvalidArgumentError);
      assert.doesNotThrow(() => hotp(new Uint8Array(10), 0));
      assert.throws(() => hotp('12345678901234567890' as unknown as Uint8Array, 0), TypeError);
    });
  });

  describe('agrees with oathtool', function () {
    before(function () {
      if (!hasOathtool()) this.skip();
    });
    it('on random secrets, digits and counters (SHA-1: oathtool HOTP has no other)', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 10, maxLength: 64 }),
          fc.integer({ min: 6, max: 8 }),
          fc.oneof(fc.bigInt({ min: 0n, max: 1n << 32n }), fc.bigInt({ min: 1n << 32n, max: (1n << 64n) - 4n })),
          (secret, digits, counter) => {
            const expected = oathHotp(secret, counter, digits, 2);
            const actual = [0n, 1n, 2n].map((i) => hotp(secret, counter + i, { digits }));
            assert.deepEqual(actual, expected);
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  it('exports the three RFC 6238 algorithms', () => {
    assert.deepEqual([...OTP_ALGORITHMS], ['SHA1', 'SHA256', 'SHA512']);
  });
});
