// CryptoBackend on node:crypto (OpenSSL): the fast path for the Node extension host and the CLI.
import { constants, createCipheriv, createDecipheriv, createHash, createHmac, createPublicKey, createSecretKey, generateKeyPair, publicEncrypt, randomFillSync, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { type AesGcm, type CryptoBackend, type RsaKeyPairDer, type RsaKeySize } from '../core/crypto-backend';
import { createWebCryptoRsa } from '../core/webcrypto-backend';

// RFC 8017 §3.1: e = 65537.
const PUBLIC_EXPONENT = 65537;
const AES_KEY_LENGTH = 32;
const GCM_NONCE_LENGTH = 12;
// SP 800-38D: 128-bit tag.
const GCM_TAG_LENGTH = 16;

const generateKeyPairAsync = promisify(generateKeyPair);

function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function nodeAesGcm(key: Uint8Array): AesGcm {
  if (!(key instanceof Uint8Array) || key.length !== AES_KEY_LENGTH) throw new RangeError(`"key" expected ${AES_KEY_LENGTH} bytes`);
  const secret = createSecretKey(key); // copies the key
  const check = (nonce: Uint8Array): void => {
    if (nonce.length !== GCM_NONCE_LENGTH) throw new RangeError(`"nonce" expected ${GCM_NONCE_LENGTH} bytes, got ${nonce.length}`);
  };
  const sealDetached = (nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): [Uint8Array, Uint8Array] => {
    check(nonce);
    const cipher = createCipheriv('aes-256-gcm', secret, nonce, { authTagLength: GCM_TAG_LENGTH });
    if (aad) cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const rest = cipher.final(); // empty for GCM
    return [view(rest.length === 0 ? body : Buffer.concat([body, rest])), view(cipher.getAuthTag())];
  };
  return {
    async seal(nonce, plaintext, aad) {
      const [ciphertext, tag] = sealDetached(nonce, plaintext, aad);
      const out = new Uint8Array(ciphertext.length + GCM_TAG_LENGTH);
      out.set(ciphertext, 0);
      out.set(tag, ciphertext.length);
      return out;
    },
    // What streams use: node:crypto returns the tag apart, and joining them would copy every chunk.
    sealDetached: async (nonce, plaintext, aad) => sealDetached(nonce, plaintext, aad),
    async open(nonce, sealed, aad) {
      check(nonce);
      if (sealed.length < GCM_TAG_LENGTH) throw new RangeError('"sealed" is shorter than the GCM tag');
      const decipher = createDecipheriv('aes-256-gcm', secret, nonce, { authTagLength: GCM_TAG_LENGTH });
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_LENGTH));
      const body = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_LENGTH));
      const rest = decipher.final(); // throws when the tag does not verify
      return rest.length === 0 ? view(body) : view(Buffer.concat([body, rest]));
    },
  };
}

/**
 * RSA-OAEP encryption (wrapping a file key: a public-key operation) with node:crypto: the first
 * WebCrypto import and encrypt in a process cost more, which every CLI run pays. SHA-256 for
 * both the OAEP digest and MGF1, as WebCrypto does. Keys are parsed once per DER array (weakly cached).
 */
function nodeOaepEncrypt(): CryptoBackend['rsaOaepEncrypt'] {
  const keys = new WeakMap<Uint8Array, KeyObject>();
  return async (spkiDer, plaintext, label) => {
    let key = keys.get(spkiDer);
    if (!key) {
      key = createPublicKey({ key: Buffer.from(spkiDer.buffer, spkiDer.byteOffset, spkiDer.byteLength), format: 'der', type: 'spki' });
      keys.set(spkiDer, key);
    }
    if (key.asymmetricKeyType !== 'rsa') throw new TypeError('RSA-OAEP needs an RSA public key');
    return view(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, plaintext));
  };
}

export function createNodeCryptoBackend(): CryptoBackend {
  return {
    name: 'node',
    randomBytes: (length) => randomFillSync(new Uint8Array(length)),
    createAesGcm: async (key) => nodeAesGcm(key),
    createSha256() {
      const h = createHash('sha256');
      return {
        update: (data) => void h.update(data),
        digest: () => view(h.digest()),
      };
    },
    hmacSha256: (key, data) => view(createHmac('sha256', key).update(data).digest()),
    async generateRsaKeyPair(bits: RsaKeySize): Promise<RsaKeyPairDer> {
      const { publicKey: spki, privateKey: pkcs8 } = await generateKeyPairAsync('rsa', {
        modulusLength: bits,
        publicExponent: PUBLIC_EXPONENT,
        publicKeyEncoding: { type: 'spki', format: 'der' },
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
      });
      return { pkcs8Der: view(pkcs8), spkiDer: view(spki) };
    },
    // Private-key RSA through node's WebCrypto: with imported keys cached it is faster than
    // privateDecrypt here. Public-key encryption needs no import worth caching: node:crypto.
    ...createWebCryptoRsa(),
    rsaOaepEncrypt: nodeOaepEncrypt(),
  };
}
