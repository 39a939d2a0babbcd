// CryptoBackend on node:crypto (OpenSSL): the fast path for the Node extension host and the CLI.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  randomFillSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { type AesGcm, type CryptoBackend, type RsaKeyPairDer, type RsaKeySize } from '../core/crypto-backend';
import type { RsaOps } from '../core/webcrypto-backend';

// RFC 8017 §3.1: e = 65537.
const PUBLIC_EXPONENT = 65537;
const AES_KEY_LENGTH = 32;
const GCM_NONCE_LENGTH = 12;
// SP 800-38D: 128-bit tag.
const GCM_TAG_LENGTH = 16;
// RFC 8017 §9.1: PSS salt length 32 (= SHA-256 output), as docs/FORMAT.md §2 fixes.
const PSS_SALT_LENGTH = 32;

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

/** A key parser that keeps one KeyObject per DER array (weakly): parsing a private key costs more than using it. */
function keyCache(parse: (der: Buffer) => KeyObject): (der: Uint8Array) => KeyObject {
  const keys = new WeakMap<Uint8Array, KeyObject>();
  return (der) => {
    let key = keys.get(der);
    if (!key) {
      key = parse(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
      if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`expected an RSA key, got ${key.asymmetricKeyType ?? 'none'}`);
      keys.set(der, key);
    }
    return key;
  };
}

/**
 * RSA-OAEP and RSA-PSS on node:crypto (OpenSSL), with the parameters WebCrypto uses: SHA-256 for the
 * digest and MGF1, a 32-byte PSS salt (required exactly when verifying). Not WebCrypto itself: the first
 * `crypto.subtle` call of a process loads Node's WebCrypto modules, a cost every CLI start would pay for
 * one unwrap. Callers must not mutate a DER array they keep using (the parsed key is cached for it).
 */
function nodeRsa(): RsaOps {
  const publicKey = keyCache((der) => createPublicKey({ key: der, format: 'der', type: 'spki' }));
  const privateKey = keyCache((der) => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;
  const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH } as const;
  return {
    rsaOaepEncrypt: async (spkiDer, plaintext, label) => view(publicEncrypt({ key: publicKey(spkiDer), ...oaep, oaepLabel: label }, plaintext)),
    rsaOaepDecrypt: async (pkcs8Der, ciphertext, label) => view(privateDecrypt({ key: privateKey(pkcs8Der), ...oaep, oaepLabel: label }, ciphertext)),
    rsaPssSign: async (pkcs8Der, message) => view(sign('sha256', message, { key: privateKey(pkcs8Der), ...pss })),
    rsaPssVerify: async (spkiDer, message, signature) => verify('sha256', message, { key: publicKey(spkiDer), ...pss }, signature),
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
    ...nodeRsa(),
  };
}
