import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyFormatError } from '../../src/core/errors';
import {
  bigIntToBytes,
  bytesToBigInt,
  children,
  derOctetString,
  derOid,
  derSequence,
  derUnsignedInteger,
  magnitudeBitLength,
  parseDer,
  readOid,
  readSmallInteger,
  readUnsignedInteger,
  sequence,
} from '../../src/core/der';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const bitLengthOf = (n: bigint): number => n.toString(16).length * 4 - (Math.clz32(parseInt(n.toString(16)[0], 16)) - 28);

describe('core/der', () => {
  it('encodes INTEGERs minimally with a sign octet when the high bit is set', () => {
    assert.deepEqual(derUnsignedInteger(0), hex('020100'));
    assert.deepEqual(derUnsignedInteger(127), hex('02017f'));
    assert.deepEqual(derUnsignedInteger(128), hex('02020080'));
    assert.deepEqual(derUnsignedInteger(hex('0000ff')), hex('020200ff'));
    assert.deepEqual(derUnsignedInteger(65537n), hex('0203010001'));
  });

  it('encodes OIDs as X.690 §8.19 says (rsaEncryption, a large arc)', () => {
    assert.deepEqual(derOid('1.2.840.113549.1.1.1'), hex('06092a864886f70d010101'));
    assert.equal(readOid(parseDer(derOid('2.999.3')), 'oid'), '2.999.3');
  });

  it('uses long-form lengths from 128 bytes', () => {
    const long = derOctetString(new Uint8Array(200));
    assert.deepEqual(long.subarray(0, 3), hex('0481c8'));
    assert.equal(parseDer(long).value.length, 200);
  });

  it('round-trips integers, OIDs and nested sequences', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 4096n) - 1n }), fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 6 }), (n, arcs) => {
        const oid = ['1', '2', ...arcs.map(String)].join('.');
        const der = derSequence(derUnsignedInteger(n), derOid(oid));
        const [i, o] = sequence(parseDer(der), 'test', 2, 2);
        assert.equal(readUnsignedInteger(i, 'n'), n);
        assert.equal(readOid(o, 'oid'), oid);
        assert.equal(bytesToBigInt(bigIntToBytes(n)), n);
      }),
    );
  });

  it('bytesToBigInt and magnitudeBitLength agree with a byte-by-byte reference, leading zeros included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        let ref = 0n;
        for (const b of bytes) ref = (ref << 8n) | BigInt(b);
        assert.equal(bytesToBigInt(bytes), ref);
        assert.equal(magnitudeBitLength(bytes), ref === 0n ? 0 : ref.toString(2).length);
      }),
    );
  });

  it('converts a 1 MiB integer at once (hang guard: shifting byte by byte took minutes)', () => {
    const bytes = new Uint8Array(1 << 20).fill(0xa5);
    const start = Date.now();
    assert.equal(bitLengthOf(bytesToBigInt(bytes)), 8 * bytes.length);
    assert.ok(Date.now() - start < 2000, `took ${Date.now() - start} ms`);
  });

  it('refuses a huge INTEGER where a small one is expected without converting it', () => {
    const der = derUnsignedInteger(new Uint8Array(1 << 20).fill(0x7f));
    assert.throws(() => readSmallInteger(parseDer(der), 'version'), /version: INTEGER too large/);
    assert.equal(readSmallInteger(parseDer(derUnsignedInteger(Number.MAX_SAFE_INTEGER)), 'x'), Number.MAX_SAFE_INTEGER);
    assert.throws(() => readSmallInteger(parseDer(derUnsignedInteger(2 ** 53)), 'x'), /too large/);
  });

  const malformed: [string, string][] = [
    ['trailing bytes', '02010000'],
    ['indefinite length', '3080020100 0000'],
    ['non-minimal long length', '04810100'],
    ['length past the end', '0405000000'],
    ['truncated header', '30'],
    ['empty input', ''],
  ];
  for (const [what, h] of malformed) {
    it(`rejects ${what}`, () => {
      assert.throws(() => {
        const el = parseDer(hex(h.replace(/ /g, '')));
        if (el.tag & 0x20) children(el);
      }, KeyFormatError);
    });
  }

  it('rejects negative and non-minimal INTEGERs', () => {
    assert.throws(() => readUnsignedInteger(parseDer(hex('020180')), 'x'), /negative/);
    assert.throws(() => readUnsignedInteger(parseDer(hex('0202007f')), 'x'), /non-minimal/);
    assert.throws(() => readUnsignedInteger(parseDer(hex('0200')), 'x'), /empty/);
  });

  it('never throws anything but KeyFormatError on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const el = parseDer(bytes);
          if (el.tag & 0x20) children(el);
        } catch (e) {
          assert.ok(e instanceof KeyFormatError, String(e));
        }
      }),
    );
  });
});
