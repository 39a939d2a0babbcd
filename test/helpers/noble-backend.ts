// Portable reference backend: AES-256-GCM and SHA-256 from @noble (audited pure JS), RSA from WebCrypto.
// Slower than the native backends and shipped by no host: it exists to cross-check them byte for byte
// (in tests and in the vector generator).
import { gcm } from '@noble/ciphers/aes.js';
import type { CryptoBackend } from '../../src/core/crypto-backend';
import { createWebCryptoBackend } from '../../src/core/webcrypto-backend';

const AES_KEY_LENGTH = 32;

export function createNobleBackend(): CryptoBackend {
  return {
    ...createWebCryptoBackend(),
    name: 'noble',
    async createAesGcm(key) {
      if (!(key instanceof Uint8Array) || key.length !== AES_KEY_LENGTH) throw new RangeError(`"key" expected ${AES_KEY_LENGTH} bytes`);
      const own = key.slice(); // the caller zeroes its copy after this returns
      return {
        async seal(nonce, plaintext, aad) {
          return gcm(own, nonce, aad).encrypt(plaintext);
        },
        async open(nonce, sealed, aad) {
          return gcm(own, nonce, aad).decrypt(sealed);
        },
      };
    },
  };
}
