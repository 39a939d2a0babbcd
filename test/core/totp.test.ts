import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hexDecode } from '../../src/core/bytes';
import { InvalidArgumentError } from '../../src/core/errors';
import { OTP_ALGORITHMS, type OtpAlgorithm } from '../../src/core/hotp';
import { secondsRemaining, totp, totpCounter } from '../../src/core/totp';
import rfc6238 from '../vectors/otp/rfc6238.json';
import { hasOathtool, oathTotp } from '../helpers/oathtool';

describe('totp', () => {
  describe('RFC 6238 Appendix B (full table)', () => {
    for (const v of rfc6238.vectors) {
      const algorithm = v.algorithm as OtpAlgorithm;
      it(`${algorithm} at ${v.time} -> ${v.totp}`, () => {
        const secret = hexDecode(rfc6238.secrets[algorithm].hex);
        assert.equal(totpCounter(v.time, rfc6238.period), BigInt(`0x${v.counterHex}`));
        assert.equal(totp(secret, v.time, { algorithm, digits: rfc6238.digits, period: rfc6238.period }), v.totp);
      });
    }
  });

  it('uses the step containing a fractional time', () => {
    const secret = hexDecode(rfc6238.secrets.SHA1.hex);
    assert.equal(totp(secret, 59.999, { digits: 8 }), '94287082');
    assert.notEqual(totp(secret, 60, { digits: 8 }), '94287082');
    assert.equal(totpCounter(59.999), 1n);
    assert.equal(totpCounter(60), 2n);
  });

  it('secondsRemaining counts down from period to 1', () => {
    assert.equal(secondsRemaining(0, 30), 30);
    assert.equal(secondsRemaining(1, 30), 29);
    assert.equal(secondsRemaining(29, 30), 1);
    assert.equal(secondsRemaining(29.9, 30), 1);
    assert.equal(secondsRemaining(30, 30), 30);
    assert.equal(secondsRemaining(20000000000, 30), 10); // 20000000000 = 666666666·30 + 20
    assert.equal(secondsRemaining(12345, 1), 1);
    assert.equal(secondsRemaining(100), 20);
    for (let t = 0; t < 200; t++) {
      const r = secondsRemaining(t, 7);
      assert.ok(r >= 1 && r <= 7);
      assert.equal(totpCounter(t + r, 7), totpCounter(t, 7) + 1n, `at ${t}`);
      assert.equal(totpCounter(t + r - 1, 7), totpCounter(t, 7), `at ${t}`);
    }
  });

  it('rejects bad periods and times', () => {
    const secret = new Uint8Array(20);
    for (const period of [0, -30, 1.5, NaN]) {
      assert.throws(() => totp(secret, 0, { period }), InvalidArgumentError);
      assert.throws(() => secondsRemaining(0, period), InvalidArgumentError);
    }
    for (const now of [-1, NaN, Infinity]) {
      assert.throws(() => totp(secret, now), InvalidArgumentError);
      assert.throws(() => secondsRemaining(now, 30), InvalidArgumentError);
    }
  });

  describe('agrees with oathtool', function () {
    before(function () {
      if (!hasOathtool()) this.skip();
    });
    it('on random secrets × algorithms × digits × times × periods', () => {
      let i = 0;
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 10, maxLength: 64 }),
          fc.oneof(fc.constantFrom(30, 60, 1), fc.integer({ min: 1, max: 3600 })),
          // Times before and after 2^32 s (year 2106), up to 2^36.
          fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.bigInt({ min: 1n << 32n, max: 1n << 36n }).map(Number)),
          (secret, period, time) => {
            // Cycle through every algorithm × digits pair so each is covered whatever the random draw.
            const algorithm = OTP_ALGORITHMS[i % 3];
            const digits = 6 + (Math.floor(i / 3) % 3);
            i++;
            const expected = oathTotp(secret, time, algorithm, digits, period, 2);
            const actual = [0, 1, 2].map((k) => totp(secret, time + k * period, { algorithm, digits, period }));
            assert.deepEqual(actual, expected);
          },
        ),
        { numRuns: 54 },
      );
    });
  });
});
