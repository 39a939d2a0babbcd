import { strict as assert } from 'node:assert';
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, sign, verify } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { concatBytes } from '../../src/core/bytes';
import type { CryptoBackend } from '../../src/core/crypto-backend';
import { createNobleBackend } from '../helpers/noble-backend';
import { withInjectedRandomness } from '../helpers/seeded-rsa';
import { createWebCryptoBackend } from '../../src/core/webcrypto-backend';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { deterministicRandom, keyPem, loadKey } from './envelope-fixtures';

/** Backend conformance, shared by the backend test files (and the noble reference backend below). */
export function backendConformance(make: () => CryptoBackend): void {
  const alice = loadKey('alice');
  const label = new TextEncoder().encode('custodian/v1/rsa-oaep-sha256');
  it('HMAC-SHA-256 gives the RFC 4231 test vectors (cases 1, 2 and 6: a key longer than a block)', () => {
    const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
    const ascii = (t: string): Uint8Array => new TextEncoder().encode(t);
    const cases: [Uint8Array, Uint8Array, string][] = [
      [new Uint8Array(20).fill(0x0b), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [ascii('Jefe'), ascii('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [new Uint8Array(131).fill(0xaa), ascii('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    ];
    for (const [key, data, mac] of cases) assert.deepEqual(make().hmacSha256(key, data), hex(mac));
  });
  it('AES-256-GCM matches @noble/ciphers and rejects tampering', async () => {
    const b = make();
    const key = b.randomBytes(32);
    const nonce = b.randomBytes(12);
    for (const size of [0, 1, 15, 16, 17, 65536]) {
      const pt = b.randomBytes(size);
      const aes = await b.createAesGcm(key);
      const sealed = await aes.seal(nonce, pt);
      assert.deepEqual(sealed, gcm(key, nonce).encrypt(pt));
      if (aes.sealDetached) {
        const [ciphertext, tag] = await aes.sealDetached(nonce, pt);
        assert.equal(tag.length, 16);
        assert.deepEqual(concatBytes(ciphertext, tag), sealed);
      }
      assert.deepEqual(await aes.open(nonce, sealed), pt);
      sealed[sealed.length - 1] ^= 1;
      await assert.rejects(aes.open(nonce, sealed));
    }
    const aes = await b.createAesGcm(key);
    const aad = new Uint8Array([1, 2, 3]);
    assert.deepEqual(await aes.seal(nonce, new Uint8Array(5), aad), gcm(key, nonce, aad).encrypt(new Uint8Array(5)));
  });
  it('SHA-256 is incremental', () => {
    const h = make().createSha256();
    h.update(new TextEncoder().encode('ab'));
    h.update(new TextEncoder().encode('c'));
    assert.equal(Buffer.from(h.digest()).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('RSA-OAEP and RSA-PSS interoperate with node:crypto (OpenSSL)', async () => {
    for (const b of [make(), withInjectedRandomness(make(), deterministicRandom('conformance'))]) {
      const priv = createPrivateKey(keyPem('alice'));
      const msg = b.randomBytes(32);
      const ct = await b.rsaOaepEncrypt(alice.publicKey.spkiDer, msg, label);
      assert.deepEqual(new Uint8Array(privateDecrypt({ key: priv, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, ct)), msg);
      const ct2 = publicEncrypt({ key: createPublicKey(priv), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, msg);
      assert.deepEqual(await b.rsaOaepDecrypt(alice.pkcs8Der, ct2, label), msg);
      await assert.rejects(b.rsaOaepDecrypt(alice.pkcs8Der, ct2, new TextEncoder().encode('other label')));
      const sig = await b.rsaPssSign(alice.pkcs8Der, msg);
      assert.ok(verify('sha256', msg, { key: createPublicKey(priv), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig));
      const sig2 = sign('sha256', msg, { key: priv, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      assert.equal(await b.rsaPssVerify(alice.publicKey.spkiDer, msg, sig2), true);
      sig2[10] ^= 1;
      assert.equal(await b.rsaPssVerify(alice.publicKey.spkiDer, msg, sig2), false);
      // FORMAT.md §2 fixes the salt at 32 bytes: a signature with another salt length does not verify.
      const salt20 = sign('sha256', msg, { key: priv, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
      assert.equal(await b.rsaPssVerify(alice.publicKey.spkiDer, msg, salt20).catch(() => false), false);
    }
  });
  it('injected randomness makes RSA output reproducible and identical across backends', async () => {
    const outputs = await Promise.all(
      [make, createNodeCryptoBackend, createNobleBackend].map(async (f) => {
        const b = withInjectedRandomness(f(), deterministicRandom('same'));
        return [await b.rsaOaepEncrypt(alice.publicKey.spkiDer, new Uint8Array(32), label), await b.rsaPssSign(alice.pkcs8Der, new Uint8Array(3))];
      }),
    );
    assert.deepEqual(outputs[1], outputs[0]);
    assert.deepEqual(outputs[2], outputs[0]);
  });
}

describe('webcrypto backend', () => {
  backendConformance(createWebCryptoBackend);
  it('is named', () => assert.equal(createWebCryptoBackend().name, 'webcrypto'));
});

describe('noble backend (test reference)', () => {
  backendConformance(createNobleBackend);
  it('is named', () => assert.equal(createNobleBackend().name, 'noble'));
});
