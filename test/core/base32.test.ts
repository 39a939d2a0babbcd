import assert from 'node:assert/strict';
import fc from 'fast-check';
import { base32Decode, base32Encode } from '../../src/core/base32';
import { utf8Encode } from '../../src/core/bytes';
import { InvalidArgumentError } from '../../src/core/errors';
import rfc4648 from '../vectors/otp/base32-rfc4648.json';

describe('base32', () => {
  describe('RFC 4648 §10 vectors', () => {
    for (const v of rfc4648.vectors) {
      it(`"${v.ascii}" <-> "${v.base32}"`, () => {
        const bytes = utf8Encode(v.ascii);
        assert.equal(base32Encode(bytes), v.base32);
        assert.equal(base32Encode(bytes, { padding: false }), v.base32.replace(/=+$/, ''));
        assert.deepEqual(base32Decode(v.base32), bytes);
        assert.deepEqual(base32Decode(v.base32.replace(/=+$/, '')), bytes);
      });
    }
  });

  it('round-trips random bytes, padded and unpadded, strict and loose', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const padded = base32Encode(bytes);
        const bare = base32Encode(bytes, { padding: false });
        assert.equal(padded.length % 8, 0);
        assert.match(bare, /^[A-Z2-7]*$/);
        assert.deepEqual(base32Decode(padded), bytes);
        assert.deepEqual(base32Decode(bare), bytes);
        const messy = bare.toLowerCase().replace(/(.{4})/g, '$1 ');
        assert.deepEqual(base32Decode(messy, { loose: true }), bytes);
      }),
    );
  });

  describe('strict decoding rejects', () => {
    const bad: [string, string][] = [
      ['lowercase', 'mzxw6ytb'],
      ['spaces', 'MZXW 6YTB'],
      ['a digit outside 2-7', 'MZXW6YT1'],
      ['a non-ASCII character', 'MZXW6YTÉ'],
      ['padding in the middle', 'MY======MY======'],
      ['a padded length not a multiple of 8', 'MY==='],
      ['a whole group of padding', 'MZXW6YTB========'],
      ['an impossible length (1 mod 8)', 'MZXW6YTBO'],
      ['an impossible length (3 mod 8)', 'MZX'],
      ['an impossible length (6 mod 8)', 'MZXW6Y'],
      ['non-zero unused bits', 'MZ'],
    ];
    for (const [what, text] of bad) {
      it(what, () => {
        assert.throws(
          () => base32Decode(text),
          (err: unknown) => err instanceof InvalidArgumentError && !err.message.includes(text),
        );
      });
    }
  });

  it('loose decoding accepts lowercase, spaces, partial padding and unused bits', () => {
    assert.deepEqual(base32Decode(' mzxw 6ytb\toi==\n', { loose: true }), utf8Encode('foobar'));
    assert.deepEqual(base32Decode('MZ', { loose: true }), utf8Encode('f'));
    assert.throws(() => base32Decode('MZX', { loose: true }), InvalidArgumentError);
    assert.throws(() => base32Decode('MZXW-6YTB', { loose: true }), InvalidArgumentError);
  });
});
