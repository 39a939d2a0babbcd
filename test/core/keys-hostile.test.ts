// Hostile key material: every container a public key can arrive in (roster `.pub` line, `-r` file,
// PEM SPKI / PKCS#1, X.509 certificate, the `.enc` signer field, a stored contact's SPKI) with a
// modulus far above MAX_RSA_BITS; absurd exponents; PEM text made to backtrack; private keys whose
// components do not fit together. Each must be refused with a clear error, and at once: the time
// bounds below are hang guards (the unbounded code took seconds to minutes), not performance targets.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { armor } from '../../src/core/armor';
import { MAX_RSA_BITS } from '../../src/core/crypto-backend';
import { inspectEnvelope } from '../../src/core/envelope';
import { KeyFormatError, OversizedKeyError } from '../../src/core/errors';
import { parsePrivateKey, parsePublicKey, publicKeyFromSpkiDer } from '../../src/core/keys';
import { decodePemBlocks } from '../../src/core/pem';
import {
  certificateDer,
  envelopeWithSigner,
  hugeModulus,
  HUGE_MODULUS_BYTES,
  pem,
  rsaPrivateKeyDer,
  rsaPublicKeyDer,
  spkiDer,
  sshRsaLine,
  type RsaPrivateIntegers,
} from '../helpers/hostile-keys';
import { fixture, runTool } from './key-fixtures';

/** Far beyond any honest run; the unbounded code needed minutes for a 256 KiB modulus. */
const HANG_GUARD_MS = 2000;
const HUGE_BITS = HUGE_MODULUS_BYTES * 8;
const TOO_LARGE = new RegExp(`RSA key of ${HUGE_BITS} bits is larger than the ${MAX_RSA_BITS} bits Custodian accepts`);

async function refusedQuickly(what: string, attempt: () => unknown, check: (e: Error) => boolean): Promise<void> {
  const start = Date.now();
  const err: unknown = await Promise.resolve().then(attempt).then(() => undefined, (e: unknown) => e);
  const elapsed = Date.now() - start;
  assert.ok(err instanceof Error, `${what}: expected a refusal, but it was accepted`);
  assert.ok(check(err), `${what}: unexpected error ${err.name}: ${err.message}`);
  assert.ok(elapsed < HANG_GUARD_MS, `${what}: took ${elapsed} ms to refuse`);
}

const tooLarge = (e: Error): boolean => e instanceof OversizedKeyError && TOO_LARGE.test(e.message);

describe('core/keys: hostile inputs', () => {
  const n = hugeModulus();

  it('refuses a 256 KiB modulus in every public-key container, before converting it', async () => {
    const containers: [string, () => unknown][] = [
      ['SPKI PEM', () => parsePublicKey(pem('PUBLIC KEY', spkiDer(n)))],
      ['PKCS#1 PEM', () => parsePublicKey(pem('RSA PUBLIC KEY', rsaPublicKeyDer(n)))],
      ['ssh-rsa line (roster .pub)', () => parsePublicKey(sshRsaLine(n))],
      ['X.509 certificate', () => parsePublicKey(pem('CERTIFICATE', certificateDer(spkiDer(n))))],
      ['SPKI DER (stored contact)', () => publicKeyFromSpkiDer(spkiDer(n))],
    ];
    for (const [what, attempt] of containers) await refusedQuickly(what, attempt, tooLarge);
  });

  it('refuses a .enc (binary and armored) whose signer field holds a 256 KiB modulus', async () => {
    const file = envelopeWithSigner(spkiDer(n));
    const refusal = (e: Error): boolean => /signer/.test(e.message) && e.cause instanceof Error && tooLarge(e.cause);
    await refusedQuickly('binary', () => inspectEnvelope(file), refusal);
    await refusedQuickly('armored', () => inspectEnvelope(armor(file)), refusal);
  });

  it('refuses a private key with a 256 KiB modulus (PKCS#1 PEM)', async () => {
    const big: RsaPrivateIntegers = { n: BigInt(`0x${Buffer.from(n).toString('hex')}`), e: 65537n, d: 3n, p: 5n, q: 7n, dP: 1n, dQ: 1n, qInv: 1n };
    await refusedQuickly('RSAPrivateKey', () => parsePrivateKey(pem('RSA PRIVATE KEY', rsaPrivateKeyDer(big))), tooLarge);
  });

  it('accepts a modulus of exactly MAX_RSA_BITS and refuses one bit more', () => {
    const max = hugeModulus(MAX_RSA_BITS / 8);
    assert.equal(parsePublicKey(sshRsaLine(max)).bits, MAX_RSA_BITS);
    const over = hugeModulus(MAX_RSA_BITS / 8 + 1);
    over[0] = 0x01;
    assert.throws(() => parsePublicKey(pem('PUBLIC KEY', spkiDer(over))), (e: Error) => e instanceof OversizedKeyError && /16385 bits/.test(e.message));
  });

  it('refuses absurd public exponents (a 64 KiB one, and one of 65 bits) but keeps e = 3 and 65537', async () => {
    const m = hugeModulus(256);
    const hugeE = new Uint8Array(64 * 1024).fill(0x55);
    await refusedQuickly('64 KiB exponent', () => parsePublicKey(sshRsaLine(m, 'x', hugeE)), (e) => e instanceof OversizedKeyError && /exponent of 524287 bits/.test(e.message));
    const e65 = new Uint8Array(9).fill(0);
    e65[0] = 1;
    e65[8] = 1;
    assert.throws(() => parsePublicKey(pem('PUBLIC KEY', spkiDer(m, e65))), (e: Error) => e instanceof OversizedKeyError && /exponent of 65 bits/.test(e.message));
    assert.equal(parsePublicKey(pem('PUBLIC KEY', spkiDer(m, Uint8Array.of(3)))).bits, 2048);
    assert.equal(parsePublicKey(pem('PUBLIC KEY', spkiDer(m, Uint8Array.of(1, 0, 1)))).bits, 2048);
  });

  it('parses a 1 MiB file of BEGIN lines (with and without newlines) in linear time', async () => {
    const lines = '-----BEGIN A-----\n'.repeat((1 << 20) / 18);
    const oneLine = '-----BEGIN A-----'.repeat((1 << 20) / 17);
    for (const [what, text] of [['lines', lines], ['one line', oneLine], ['CRLF', lines.replace(/\n/g, '\r\n')]] as const) {
      const start = Date.now();
      assert.deepEqual(decodePemBlocks(text), [], what);
      assert.ok(Date.now() - start < HANG_GUARD_MS, `${what}: took ${Date.now() - start} ms`);
      await refusedQuickly(`parsePublicKey (${what})`, () => parsePublicKey(text), (e) => e instanceof KeyFormatError);
    }
    // And a real key after all that noise is still found.
    assert.equal(decodePemBlocks(lines + fixture('rsa2048-spki.pem')).length, 1);
  });

  describe('private keys whose components do not fit together', () => {
    const text = fixture('rsa2048-pkcs1.pem');
    const jwk = createPrivateKey(text).export({ format: 'jwk' });
    const int = (b64: string | undefined): bigint => BigInt(`0x${Buffer.from(b64!, 'base64url').toString('hex')}`);
    const good: RsaPrivateIntegers = { n: int(jwk.n), e: int(jwk.e), d: int(jwk.d), p: int(jwk.p), q: int(jwk.q), dP: int(jwk.dp), dQ: int(jwk.dq), qInv: int(jwk.qi) };
    const keyPem = (k: RsaPrivateIntegers): string => pem('RSA PRIVATE KEY', rsaPrivateKeyDer(k));
    const opensslAccepts = (k: RsaPrivateIntegers): boolean => {
      // OpenSSL 3.0 exits 0 either way; its verdict is the "RSA key ok" line.
      try {
        return /^RSA key ok$/m.test(runTool('openssl', ['rsa', '-check', '-noout', '-in', '{key}'], { key: keyPem(k) }));
      } catch {
        return false;
      }
    };

    it('the unmodified components re-encoded are accepted (by us and by openssl rsa -check)', async () => {
      assert.ok(opensslAccepts(good));
      assert.equal((await parsePrivateKey(keyPem(good))).publicKey.bits, 2048);
    });

    it('another valid private exponent (d mod λ(n) + λ(n)) is accepted too', async () => {
      const lambda = ((good.p - 1n) * (good.q - 1n)) / gcd(good.p - 1n, good.q - 1n);
      const d = (good.d % lambda) + lambda;
      assert.notEqual(d, good.d);
      const k = { ...good, d };
      assert.ok(opensslAccepts(k));
      assert.equal((await parsePrivateKey(keyPem(k))).publicKey.bits, 2048);
    });

    const corruptions: [string, (k: RsaPrivateIntegers) => RsaPrivateIntegers, RegExp][] = [
      ['d', (k) => ({ ...k, d: k.d + 2n }), /e·d/],
      ['e', (k) => ({ ...k, e: 65539n }), /e·d/],
      ['dP', (k) => ({ ...k, dP: k.dP ^ 4n }), /dP/],
      ['dQ', (k) => ({ ...k, dQ: k.dQ ^ 4n }), /dQ/],
      ['qInv', (k) => ({ ...k, qInv: k.qInv ^ 4n }), /qInv/],
      ['qInv = qInv + p', (k) => ({ ...k, qInv: k.qInv + k.p }), /qInv/],
      ['p', (k) => ({ ...k, p: k.p + 2n }), /p·q ≠ n/],
      ['p = 1, q = n', (k) => ({ ...k, p: 1n, q: k.n }), /prime factor/],
    ];
    for (const [what, corrupt, expected] of corruptions) {
      it(`refuses a wrong ${what} (openssl rsa -check agrees)`, async () => {
        const bad = corrupt(good);
        assert.equal(opensslAccepts(bad), false, 'the oracle refuses it too');
        await assert.rejects(parsePrivateKey(keyPem(bad)), (e: Error) => e instanceof KeyFormatError && /inconsistent/.test(e.message) && expected.test(e.message));
      });
    }
  });
});

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}
