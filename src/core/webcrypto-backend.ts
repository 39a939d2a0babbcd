// CryptoBackend on WebCrypto (globalThis.crypto.subtle): the web extension host's native path.
// WebCrypto has no incremental hash, so SHA-256 streams use @noble/hashes.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type AesGcm, type CryptoBackend, type RsaKeyPairDer, type RsaKeySize, type Sha256Hasher } from './crypto-backend';
import { CryptoUnavailableError } from './errors';

// RFC 8017 §9.1: PSS salt length 32 (= SHA-256 output), as docs/FORMAT.md §2 fixes.
const PSS_SALT_LENGTH = 32;
// RFC 8017 §3.1: e = 65537.
const PUBLIC_EXPONENT = new Uint8Array([1, 0, 1]);
const AES_KEY_LENGTH = 32;
const GCM_NONCE_LENGTH = 12;
const GCM_TAG_BITS = 128;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new CryptoUnavailableError('WebCrypto (crypto.subtle) is not available here', {
      hint: 'a browser offers it only to pages served over https or from localhost (a secure context): open VS Code over https',
    });
  }
  return s;
}

/** WebCrypto typings want ArrayBuffer-backed views. */
function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

function defaultRandomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}

function createNobleSha256(): Sha256Hasher {
  const h = sha256.create();
  return {
    update(data: Uint8Array): void {
      h.update(data);
    },
    digest(): Uint8Array {
      return h.digest();
    },
  };
}

async function webCryptoAesGcm(key: Uint8Array): Promise<AesGcm> {
  if (!(key instanceof Uint8Array) || key.length !== AES_KEY_LENGTH) throw new RangeError(`"key" expected ${AES_KEY_LENGTH} bytes`);
  const cryptoKey = await subtle().importKey('raw', buf(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  const params = (nonce: Uint8Array, aad?: Uint8Array): AesGcmParams => {
    if (nonce.length !== GCM_NONCE_LENGTH) throw new RangeError(`"nonce" expected ${GCM_NONCE_LENGTH} bytes, got ${nonce.length}`);
    return aad ? { name: 'AES-GCM', iv: buf(nonce), additionalData: buf(aad), tagLength: GCM_TAG_BITS } : { name: 'AES-GCM', iv: buf(nonce), tagLength: GCM_TAG_BITS };
  };
  return {
    async seal(nonce, plaintext, aad) {
      return new Uint8Array(await subtle().encrypt(params(nonce, aad), cryptoKey, buf(plaintext)));
    },
    async open(nonce, sealed, aad) {
      return new Uint8Array(await subtle().decrypt(params(nonce, aad), cryptoKey, buf(sealed)));
    },
  };
}

export type RsaOps = Pick<CryptoBackend, 'rsaOaepEncrypt' | 'rsaOaepDecrypt' | 'rsaPssSign' | 'rsaPssVerify'>;

/**
 * RSA on WebCrypto. Imported keys are cached per DER array (weakly), since parsing a private key costs
 * more than using it; callers must not mutate a DER array they keep using.
 */
function createWebCryptoRsa(): RsaOps {
  const cache = new WeakMap<Uint8Array, Map<string, Promise<CryptoKey>>>();
  const importKey = (format: 'spki' | 'pkcs8', der: Uint8Array, name: 'RSA-OAEP' | 'RSA-PSS', usage: KeyUsage): Promise<CryptoKey> => {
    let perKey = cache.get(der);
    if (!perKey) cache.set(der, (perKey = new Map()));
    const id = `${format}/${name}/${usage}`;
    let key = perKey.get(id);
    if (!key) {
      key = subtle().importKey(format, buf(der), { name, hash: 'SHA-256' }, false, [usage]);
      key.catch(() => perKey.delete(id));
      perKey.set(id, key);
    }
    return key;
  };
  return {
    async rsaOaepEncrypt(spkiDer, plaintext, label) {
      const key = await importKey('spki', spkiDer, 'RSA-OAEP', 'encrypt');
      return new Uint8Array(await subtle().encrypt({ name: 'RSA-OAEP', label: buf(label) }, key, buf(plaintext)));
    },
    async rsaOaepDecrypt(pkcs8Der, ciphertext, label) {
      const key = await importKey('pkcs8', pkcs8Der, 'RSA-OAEP', 'decrypt');
      return new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP', label: buf(label) }, key, buf(ciphertext)));
    },
    async rsaPssSign(pkcs8Der, message) {
      const key = await importKey('pkcs8', pkcs8Der, 'RSA-PSS', 'sign');
      return new Uint8Array(await subtle().sign({ name: 'RSA-PSS', saltLength: PSS_SALT_LENGTH }, key, buf(message)));
    },
    async rsaPssVerify(spkiDer, message, signature) {
      const key = await importKey('spki', spkiDer, 'RSA-PSS', 'verify');
      return subtle().verify({ name: 'RSA-PSS', saltLength: PSS_SALT_LENGTH }, key, buf(signature), buf(message));
    },
  };
}

async function webCryptoGenerateRsaKeyPair(bits: RsaKeySize): Promise<RsaKeyPairDer> {
  const pair = await subtle().generateKey({ name: 'RSA-PSS', modulusLength: bits, publicExponent: PUBLIC_EXPONENT, hash: 'SHA-256' }, true, ['sign', 'verify']);
  const [pkcs8, spki] = await Promise.all([subtle().exportKey('pkcs8', pair.privateKey), subtle().exportKey('spki', pair.publicKey)]);
  return { pkcs8Der: new Uint8Array(pkcs8), spkiDer: new Uint8Array(spki) };
}

export function createWebCryptoBackend(): CryptoBackend {
  return {
    name: 'webcrypto',
    randomBytes: defaultRandomBytes,
    createAesGcm: webCryptoAesGcm,
    createSha256: createNobleSha256,
    // WebCrypto's HMAC is asynchronous; the MAC of a value-encrypted file is computed in line with its checks.
    hmacSha256: (key, data) => hmac(sha256, key, data),
    generateRsaKeyPair: webCryptoGenerateRsaKeyPair,
    ...createWebCryptoRsa(),
  };
}
