// RSA moduli that anyone can factor, refused as weak keys: one with a small prime factor (trial
// division by the primes below 752, the bound of Let's Encrypt's key policy), or one whose two primes
// are so close that Fermat's method finds them in 100 steps (CVE-2022-26320: printers and other devices
// generated keys whose p and q differed in their last bits only). Integer arithmetic on the public
// modulus alone: no RSA operation is written here. A file encrypted to such a key is readable by anyone.
import { WeakKeyError } from './errors';

/** Fermat steps tried: Let's Encrypt's bound; primes closer than about 2^(bits/4) apart are found. */
const FERMAT_ROUNDS = 100;
const SMALL_PRIME_BOUND = 752;
/** Moduli already judged (a roster is read again and again): modulus → problem, or '' when none. */
const judged = new Map<bigint, string>();
const MAX_JUDGED = 1024;

const SMALL_PRIMES: readonly bigint[] = (() => {
  const primes: number[] = [];
  for (let k = 2; k < SMALL_PRIME_BOUND; k++) if (primes.every((p) => k % p !== 0)) primes.push(k);
  return primes.map(BigInt);
})();

/** ⌊√n⌋ by Newton's method on integers. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Why `n` is factorable, or undefined. */
function problemOf(n: bigint): string | undefined {
  const small = SMALL_PRIMES.find((p) => n % p === 0n);
  if (small !== undefined) return `its modulus has the small prime factor ${small}`;
  // n = a² − b² = (a − b)(a + b): from a = ⌈√n⌉ upwards, a² − n is a square when p and q are close.
  let a = isqrt(n);
  if (a * a < n) a++;
  let b2 = a * a - n;
  for (let i = 0; i < FERMAT_ROUNDS; i++) {
    const b = isqrt(b2);
    if (b * b === b2) return 'its two primes are so close together that the modulus factors at once (Fermat\'s method)';
    b2 += 2n * a + 1n;
    a++;
  }
  return undefined;
}

/** Throws WeakKeyError when anyone can factor the modulus `n` (see above). */
export function checkModulusFactorable(n: bigint): void {
  let problem = judged.get(n);
  if (problem === undefined) {
    problem = problemOf(n) ?? '';
    if (judged.size >= MAX_JUDGED) judged.clear();
    judged.set(n, problem);
  }
  if (problem !== '') {
    throw new WeakKeyError(`RSA key refused: ${problem}, so anyone can compute its private key`, {
      hint: 'the key pair is compromised (made by a faulty generator): generate a new key, and re-encrypt what was encrypted to this one',
    });
  }
}
