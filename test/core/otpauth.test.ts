import assert from 'node:assert/strict';
import fc from 'fast-check';
import { base32Encode } from '../../src/core/base32';
import { utf8Encode } from '../../src/core/bytes';
import { OtpFormatError } from '../../src/core/errors';
import { OTP_ALGORITHMS } from '../../src/core/hotp';
import { formatOtpAuthUri, parseOtpAuthUri, type OtpAuthKey } from '../../src/core/otpauth';

// The RFC 4226 test secret, "12345678901234567890", in base32.
const SECRET_B32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SECRET = utf8Encode('12345678901234567890');

function rejects(uri: string, pattern: RegExp): void {
  assert.throws(
    () => parseOtpAuthUri(uri),
    (err: unknown) => {
      assert.ok(err instanceof OtpFormatError, `expected OtpFormatError, got ${String(err)}`);
      assert.match(err.message, pattern);
      // Never echo the secret, in any of the spellings used below.
      for (const s of [SECRET_B32, SECRET_B32.toLowerCase(), 'JBSWY3DPEHPK3PXP', 'GEZDGNBVGY3TQOJ']) {
        assert.ok(!err.message.toUpperCase().includes(s.toUpperCase()), `message leaks the secret: ${err.message}`);
      }
      return true;
    },
  );
}

describe('otpauth URIs', () => {
  describe('parse', () => {
    it('reads the Google Authenticator example with every parameter', () => {
      const key = parseOtpAuthUri(
        `otpauth://totp/ACME%20Co:john.doe@email.com?secret=${SECRET_B32}&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60`,
      );
      assert.deepEqual(key, {
        type: 'totp',
        secret: SECRET,
        account: 'john.doe@email.com',
        issuer: 'ACME Co',
        algorithm: 'SHA256',
        digits: 8,
        period: 60,
      });
    });

    it('applies the defaults SHA1, 6 digits, 30 s', () => {
      const key = parseOtpAuthUri(`otpauth://totp/alice@example.com?secret=${SECRET_B32}`);
      assert.deepEqual(key, { type: 'totp', secret: SECRET, account: 'alice@example.com', algorithm: 'SHA1', digits: 6, period: 30 });
    });

    it('reads hotp with its counter', () => {
      const key = parseOtpAuthUri(`otpauth://hotp/Example:alice?secret=${SECRET_B32}&counter=42&digits=7`);
      assert.deepEqual(key, { type: 'hotp', secret: SECRET, account: 'alice', issuer: 'Example', algorithm: 'SHA1', digits: 7, counter: 42 });
    });

    it('takes the issuer from the label, the parameter, or both when they agree', () => {
      assert.equal(parseOtpAuthUri(`otpauth://totp/Example:alice?secret=${SECRET_B32}`).issuer, 'Example');
      assert.equal(parseOtpAuthUri(`otpauth://totp/alice?secret=${SECRET_B32}&issuer=Example`).issuer, 'Example');
      assert.equal(parseOtpAuthUri(`otpauth://totp/Example%3Aalice?secret=${SECRET_B32}&issuer=Example`).issuer, 'Example');
      assert.equal(parseOtpAuthUri(`otpauth://totp/Big%20Corp:%20alice?secret=${SECRET_B32}&issuer=Big+Corp`).account, 'alice');
      assert.equal(parseOtpAuthUri(`otpauth://totp/alice?secret=${SECRET_B32}`).issuer, undefined);
    });

    it('accepts lowercase, spaced and padded secrets, case-insensitive names, unknown parameters', () => {
      const spaced = 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq';
      const key = parseOtpAuthUri(`OTPAUTH://TOTP/alice?Secret=${encodeURIComponent(spaced)}&algorithm=sha512&image=x.png`);
      assert.deepEqual(key.secret, SECRET);
      assert.equal(key.algorithm, 'SHA512');
      assert.deepEqual(parseOtpAuthUri(`otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP====`).secret.length, 10);
      assert.deepEqual(parseOtpAuthUri(`  otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP\n`).secret.length, 10);
    });
  });

  describe('rejects malformed URIs with OtpFormatError, never echoing the secret', () => {
    const s = `secret=${SECRET_B32}`;
    const cases: [string, string, RegExp][] = [
      ['another scheme', `https://totp/alice?${s}`, /otpauth:\/\//],
      ['an unknown type', `otpauth://motp/alice?${s}`, /type/],
      ['no label', `otpauth://totp?${s}`, /expected/],
      ['an empty account', `otpauth://totp/?${s}`, /account/],
      ['an empty account after the issuer', `otpauth://totp/Example:?${s}`, /account/],
      ['an empty issuer before the colon', `otpauth://totp/:alice?${s}`, /issuer/],
      ['two colons in the label', `otpauth://totp/a:b:c?${s}`, /at most one/],
      ['a bad percent-encoding', `otpauth://totp/al%ZZice?${s}`, /percent/],
      ['a fragment', `otpauth://totp/alice?${s}#x`, /fragment/],
      ['no secret', 'otpauth://totp/alice?issuer=Example', /secret.*missing/],
      ['an empty secret', 'otpauth://totp/alice?secret=', /secret.*missing/],
      ['a secret that is not base32', `otpauth://totp/alice?secret=${SECRET_B32.slice(0, -1)}1`, /base32/],
      ['a secret of impossible length', 'otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQG', /base32/],
      ['a 64-bit secret', 'otpauth://totp/alice?secret=GEZDGNBVGY3TQ', /64 bits; at least 80/],
      ['a 72-bit secret', 'otpauth://totp/alice?secret=GEZDGNBVGY3TQOJ=', /72 bits; at least 80/],
      ['a 40-bit secret', 'otpauth://totp/alice?secret=GEZDGNBV', /40 bits; at least 80/],
      ['issuers that disagree', `otpauth://totp/Example:alice?${s}&issuer=Other`, /disagree/],
      ['an unknown algorithm', `otpauth://totp/alice?${s}&algorithm=MD5`, /algorithm/],
      ['5 digits', `otpauth://totp/alice?${s}&digits=5`, /digits/],
      ['9 digits', `otpauth://totp/alice?${s}&digits=9`, /digits/],
      ['non-numeric digits', `otpauth://totp/alice?${s}&digits=six`, /digits/],
      ['a zero period', `otpauth://totp/alice?${s}&period=0`, /period/],
      ['a negative period', `otpauth://totp/alice?${s}&period=-30`, /period/],
      ['a fractional period', `otpauth://totp/alice?${s}&period=1.5`, /period/],
      ['hotp without counter', `otpauth://hotp/alice?${s}`, /counter/],
      ['a negative counter', `otpauth://hotp/alice?${s}&counter=-1`, /counter/],
      ['a duplicated parameter', `otpauth://totp/alice?${s}&digits=6&digits=8`, /more than once/],
      ['a duplicated secret', `otpauth://totp/alice?${s}&${s}`, /more than once/],
      // A label that passes for another account in a list (a red-team trial): reversed text, a line break, an escape sequence, a zero-width space.
      ['a right-to-left override in the issuer', `otpauth://totp/%E2%80%AEtoor%20SWA:alice?${s}`, /direction|control|zero-width/],
      ['a line break in the account', `otpauth://totp/Example:alice%0Abob?${s}`, /control/],
      ['an escape sequence in the issuer parameter', `otpauth://totp/alice?${s}&issuer=%1B%5B31mBank`, /control/],
      ['a zero-width space in the issuer', `otpauth://totp/Git%E2%80%8BHub:alice?${s}`, /zero-width/],
      ['a label of 100 000 characters', `otpauth://totp/${'a'.repeat(100_000)}?${s}`, /longer than 256/],
      ['a period of more than a day', `otpauth://totp/alice?${s}&period=9007199254740991`, /period.*86400/],
      // Upper-cased by Unicode, "ı" would read as "I": another secret, silently.
      ['a secret with a dotless i', `otpauth://totp/alice?secret=${SECRET_B32.slice(0, -1)}%C4%B1`, /base32/],
    ];
    for (const [what, uri, pattern] of cases) it(what, () => rejects(uri, pattern));
  });

  describe('format', () => {
    it('writes the canonical form', () => {
      const uri = formatOtpAuthUri({
        type: 'totp',
        secret: SECRET,
        account: 'john.doe@email.com',
        issuer: 'ACME Co',
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      });
      assert.equal(
        uri,
        `otpauth://totp/ACME%20Co:john.doe%40email.com?secret=${SECRET_B32}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30`,
      );
      const hotpUri = formatOtpAuthUri({ type: 'hotp', secret: SECRET, account: 'a', algorithm: 'SHA512', digits: 8, counter: 7 });
      assert.equal(hotpUri, `otpauth://hotp/a?secret=${SECRET_B32}&algorithm=SHA512&digits=8&counter=7`);
    });

    it('refuses keys it could not write faithfully', () => {
      const base: OtpAuthKey = { type: 'totp', secret: SECRET, account: 'alice', algorithm: 'SHA1', digits: 6, period: 30 };
      const bad: OtpAuthKey[] = [
        { ...base, account: '' },
        { ...base, account: ' alice' },
        { ...base, account: 'a:b' },
        { ...base, issuer: 'Ex:ample' },
        { ...base, issuer: '' },
        { ...base, account: 'al\ud800ice' },
        { ...base, secret: new Uint8Array(9) },
        { ...base, digits: 9 },
        { ...base, period: 0 },
        { type: 'hotp', secret: SECRET, account: 'alice', algorithm: 'SHA1', digits: 6, counter: -1 },
      ];
      for (const key of bad) assert.throws(() => formatOtpAuthUri(key), OtpFormatError, JSON.stringify({ ...key, secret: undefined }));
    });

    it('round-trips: parse(format(key)) equals key', () => {
      const labelPart = fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
        .filter((t) => !t.includes(':') && t.trim() === t && t !== '');
      const common = {
        secret: fc.uint8Array({ minLength: 10, maxLength: 64 }),
        account: labelPart,
        issuer: fc.option(labelPart, { nil: undefined }),
        algorithm: fc.constantFrom(...OTP_ALGORITHMS),
        digits: fc.integer({ min: 6, max: 8 }),
      };
      const key = fc.oneof(
        fc.record({ type: fc.constant('totp' as const), ...common, period: fc.integer({ min: 1, max: 86400 }) }, { requiredKeys: ['type', 'secret', 'account', 'algorithm', 'digits', 'period'] }),
        fc.record({ type: fc.constant('hotp' as const), ...common, counter: fc.maxSafeNat() }, { requiredKeys: ['type', 'secret', 'account', 'algorithm', 'digits', 'counter'] }),
      );
      fc.assert(
        fc.property(key, (k) => {
          const uri = formatOtpAuthUri(k);
          assert.match(uri, /^otpauth:\/\/(totp|hotp)\/[^?#]+\?secret=[A-Z2-7]+&/);
          assert.ok(uri.includes(`secret=${base32Encode(k.secret, { padding: false })}&`));
          const expected = { ...k };
          if (expected.issuer === undefined) delete expected.issuer;
          assert.deepEqual(parseOtpAuthUri(uri), expected);
        }),
        { numRuns: 300 },
      );
    });
  });
});
