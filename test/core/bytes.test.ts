// The core's encodings against Node's Buffer (the oracle): base64 in both alphabets, one item or many at
// once (value tokens), and UTF-8 of many texts into one buffer (a file's values).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  base64Decode,
  base64Encode,
  base64EncodeUnpadded,
  base64UrlDecode,
  base64UrlEncode,
  base64UrlEncodeEach,
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
});
