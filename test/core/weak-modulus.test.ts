// Public keys whose modulus anyone can factor are refused wherever a key is read (weak-modulus.ts): two
// primes close together (Fermat's method; CVE-2022-26320), or a small prime factor. The weak moduli are
// built here from primes node:crypto (OpenSSL) generates and checks, and each refusal is backed by
// factoring the modulus in the test, so the claim "anyone can compute its private key" is shown, not assumed.
import { strict as assert } from 'node:assert';
import { checkPrimeSync, generatePrimeSync } from 'node:crypto';
import { WeakKeyError } from '../../src/core/errors';
import { publicKeyFromSpkiDer } from '../../src/core/keys';
import { encodeRsaPublicKey } from '../../src/core/pkcs1';
import { wrapSpki } from '../../src/core/spki';
import { loadKey } from './envelope-fixtures';

function spkiOf(n: bigint, e = 65537n): Uint8Array {
  return wrapSpki(encodeRsaPublicKey({ n, e }));
}

function nextPrime(after: bigint): bigint {
  let k = after + 2n;
  while (!checkPrimeSync(k)) k += 2n;
  return k;
}

describe('core: moduli anyone can factor are refused', () => {
  it('two primes close together (the next prime after p): refused, and Fermat\'s first steps factor it', () => {
    const p = generatePrimeSync(1024, { bigint: true });
    const q = nextPrime(p);
    const n = p * q;
    assert.throws(() => publicKeyFromSpkiDer(spkiOf(n)), (e: unknown) => e instanceof WeakKeyError && /primes are so close together/.test(e.message) && /generate a new key/.test(e.hint ?? ''));
    // The attacker's side: a = ⌈√n⌉ gives a² − n = ((q − p)/2)², so p = a − b.
    let a = 1n << 1024n;
    for (let x = a; ; ) {
      const y = (x + n / x) >> 1n;
      if (y >= x) {
        a = x * x < n ? x + 1n : x;
        break;
      }
      x = y;
    }
    const b = (q - p) / 2n;
    assert.equal(a * a - n, b * b);
    assert.equal(a - b, p);
  });

  it('a small prime factor: refused, naming it', () => {
    // 3 × a 2046-bit prime: a 2048-bit odd modulus with a factor anyone finds by trial division.
    let big = generatePrimeSync(2046, { bigint: true });
    while ((3n * big).toString(2).length < 2048) big = generatePrimeSync(2046, { bigint: true });
    assert.throws(() => publicKeyFromSpkiDer(spkiOf(3n * big)), (e: unknown) => e instanceof WeakKeyError && /small prime factor 3\b/.test(e.message));
  });

  it('keys made by OpenSSL and ssh-keygen (the test vectors) are accepted, every time they are read', () => {
    for (const name of ['alice', 'bob', 'carol', 'dave3072'] as const) {
      const key = loadKey(name);
      for (let i = 0; i < 3; i++) assert.equal(publicKeyFromSpkiDer(key.publicKey.spkiDer).fingerprint, key.publicKey.fingerprint);
    }
  });
});
