import assert from 'node:assert/strict';
import { KeyFormatError, OversizedKeyError, WeakKeyError } from '../../src/core/errors';
import { checkRsaPublicParams, decodeRsaPrivateKey, decodeRsaPublicKey, encodeRsaPublicKey } from '../../src/core/pkcs1';
import { decodePemBlocks } from '../../src/core/pem';
import { fixture } from './key-fixtures';

describe('core/pkcs1', () => {
  const [pub] = decodePemBlocks(fixture('rsa2048-pkcs1-public.pem'));
  const [priv] = decodePemBlocks(fixture('rsa2048-pkcs1.pem'));

  it('round-trips openssl RSAPublicKey DER and agrees with the private key', () => {
    const params = decodeRsaPublicKey(pub.der);
    assert.deepEqual(encodeRsaPublicKey(params), pub.der);
    assert.deepEqual(decodeRsaPrivateKey(priv.der), params);
    assert.equal(checkRsaPublicParams(params), 2048);
  });

  it('refuses even or tiny exponents and even moduli', () => {
    const { n } = decodeRsaPublicKey(pub.der);
    for (const e of [1n, 2n, 65536n]) assert.throws(() => checkRsaPublicParams({ n, e }), WeakKeyError, String(e));
    assert.equal(checkRsaPublicParams({ n, e: 3n }), 2048);
    assert.throws(() => checkRsaPublicParams({ n: n + 1n, e: 65537n }), KeyFormatError);
    assert.throws(() => checkRsaPublicParams({ n: n >> 1100n, e: 65537n }), /948 bits/);
  });

  it('refuses key objects above 16384 bits or with an exponent above 64 bits (the same bounds as on bytes)', () => {
    // The smallest 16384-bit odd number past 2^16383 with no prime factor below 752 (2^16383 + 1 is a multiple of 3, refused as factorable).
    let top = (1n << 16383n) + 1n;
    while ([...Array(750).keys()].some((k) => k > 2 && top % BigInt(k) === 0n)) top += 2n;
    assert.equal(checkRsaPublicParams({ n: top, e: 65537n }), 16384);
    assert.throws(() => checkRsaPublicParams({ n: (1n << 16384n) + 1n, e: 65537n }), (e: Error) => e instanceof OversizedKeyError && /16385 bits/.test(e.message));
    const { n } = decodeRsaPublicKey(pub.der);
    assert.throws(() => checkRsaPublicParams({ n, e: (1n << 64n) + 1n }), (e: Error) => e instanceof OversizedKeyError && /exponent of 65 bits/.test(e.message));
    assert.equal(checkRsaPublicParams({ n, e: (1n << 63n) + 1n }), 2048);
  });

  it('detects an inconsistent private key (p·q ≠ n)', () => {
    const primeStart = Buffer.from(priv.der).indexOf(Buffer.from(prime1(priv.der)));
    const bad = priv.der.slice();
    bad[primeStart + 10] ^= 1;
    assert.throws(() => decodeRsaPrivateKey(bad), /inconsistent/);
  });
});

function prime1(der: Uint8Array): Uint8Array {
  // prime1 is the 5th INTEGER; walk the DER by hand to find its bytes.
  let pos = 4; // SEQUENCE header (30 82 LL LL)
  const ints: Uint8Array[] = [];
  while (ints.length < 5) {
    let len = der[pos + 1];
    let hdr = 2;
    if (len & 0x80) {
      const c = len & 0x7f;
      len = 0;
      for (let k = 0; k < c; k++) len = len * 256 + der[pos + 2 + k];
      hdr = 2 + c;
    }
    ints.push(der.subarray(pos + hdr, pos + hdr + len));
    pos += hdr + len;
  }
  return ints[4];
}
