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

/** ⌊√n⌋, as the attacker computes it. */
function isqrt(n: bigint): bigint {
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** The attacker's side: Fermat's method from a = ⌈√n⌉; the step (1-based) at which it factors n, and the smaller factor. */
function fermat(n: bigint, maxSteps: number): { step: number; p: bigint } | undefined {
  let a = isqrt(n);
  if (a * a < n) a++;
  for (let step = 1; step <= maxSteps; step++, a++) {
    const b = isqrt(a * a - n);
    if (b * b === a * a - n) return { step, p: a - b };
  }
  return undefined;
}

/**
 * Two 1024-bit primes whose product Fermat's method factors at exactly `step`. With d = (q − p)/2 and
 * m = (p + q)/2 it finds them at step ⌊d²/2m⌋ + 1, so q is the first prime past p + 2·√(2p·(step − ½)), which gives d²/2m ≈ step − ½.
 */
function primesFermatFindsAt(step: number): { p: bigint; q: bigint; n: bigint } {
  for (;;) {
    const p = generatePrimeSync(1024, { bigint: true });
    const d = isqrt(2n * p * BigInt(2 * step - 1) / 2n);
    const q = nextPrime(p + 2n * d);
    const found = fermat(p * q, step + 1);
    if (found?.step === step) return { p, q, n: p * q };
  }
}

/** `small` × a prime, at least 2048 bits: a modulus trial division by `small` factors. */
function withSmallFactor(small: bigint): bigint {
  for (;;) {
    const n = small * generatePrimeSync(2048 - small.toString(2).length + 1, { bigint: true });
    if (n.toString(2).length >= 2048) return n;
  }
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

  it('primes Fermat\'s method finds at its 50th step, or at its 100th (the last Let\'s Encrypt\'s bound tries): refused', () => {
    for (const step of [50, 100]) {
      const { p, n } = primesFermatFindsAt(step);
      assert.deepEqual(fermat(n, step), { step, p }, `the attacker factors it at step ${step}`);
      assert.throws(() => publicKeyFromSpkiDer(spkiOf(n)), (e: unknown) => e instanceof WeakKeyError && /primes are so close together/.test(e.message), `step ${step}`);
    }
  });

  it('a factor of 751, the largest prime trial division tries (Let\'s Encrypt\'s bound is 752): refused, naming it', () => {
    const n = withSmallFactor(751n);
    assert.throws(() => publicKeyFromSpkiDer(spkiOf(n)), (e: unknown) => e instanceof WeakKeyError && /small prime factor 751\b/.test(e.message));
  });

  it('just past both bounds (smallest factor 757, or primes Fermat finds at step 101) the modulus is not refused by this check: the bounds are Let\'s Encrypt\'s, not tighter', () => {
    // Outside the bounds a key is judged as Let's Encrypt judges it; a stricter bound would refuse real keys for no reason anyone documented.
    const n = withSmallFactor(757n);
    assert.equal(publicKeyFromSpkiDer(spkiOf(n)).bits >= 2048, true);
    const far = primesFermatFindsAt(101);
    assert.equal(fermat(far.n, 100), undefined);
    assert.equal(publicKeyFromSpkiDer(spkiOf(far.n)).bits, 2048);
  });

  it('keys made by OpenSSL and ssh-keygen (the test vectors) are accepted, every time they are read', () => {
    for (const name of ['alice', 'bob', 'carol', 'dave3072'] as const) {
      const key = loadKey(name);
      for (let i = 0; i < 3; i++) assert.equal(publicKeyFromSpkiDer(key.publicKey.spkiDer).fingerprint, key.publicKey.fingerprint);
    }
  });
});
