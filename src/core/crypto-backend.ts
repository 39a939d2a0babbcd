// The primitives the core composes, behind one injected interface, so each host uses its fastest
// native implementation (node:crypto in Node hosts, WebCrypto in the web extension host) and tests
// can check that every backend produces byte-identical output. Nothing here implements a primitive.

/** RSA key sizes Custodian generates. Imported keys may be any size from MIN_RSA_BITS to MAX_RSA_BITS. */
export type RsaKeySize = 2048 | 3072 | 4096;

/** Keys below this size are refused everywhere (import, generate, encrypt to, decrypt with). */
export const MIN_RSA_BITS = 2048;
/**
 * Keys above this size are refused before their integers are even converted: the format caps a
 * wrapped key at 2048 bytes (docs/FORMAT.md §3.1), OpenSSL refuses larger moduli, and a hostile
 * megabit "key" would otherwise cost seconds to minutes of arithmetic.
 */
export const MAX_RSA_BITS = 16384;

/** An AES-256-GCM instance bound to one key (WebCrypto wants the key imported once). */
export interface AesGcm {
  /** Returns ciphertext || 16-byte tag. `nonce` is 12 bytes. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  /** Verifies and decrypts ciphertext || tag; rejects (any error) when authentication fails. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: `seal` with ciphertext and tag returned apart, for backends whose native API makes them
   * apart (node:crypto); a stream then passes both on without copying every chunk to join them.
   */
  sealDetached?(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<readonly [ciphertext: Uint8Array, tag: Uint8Array]>;
}

/** Incremental SHA-256, for digests over streams. */
export interface Sha256Hasher {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export interface RsaKeyPairDer {
  /** PKCS#8 PrivateKeyInfo, DER. */
  pkcs8Der: Uint8Array;
  /** SubjectPublicKeyInfo, DER. */
  spkiDer: Uint8Array;
}

export interface CryptoBackend {
  /** Short name for diagnostics and benchmarks ("node", "webcrypto", "noble"). */
  readonly name: string;
  randomBytes(length: number): Uint8Array;
  createAesGcm(key: Uint8Array): Promise<AesGcm>;
  createSha256(): Sha256Hasher;
  /** HMAC-SHA-256 (RFC 2104) in one call. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  generateRsaKeyPair(bits: RsaKeySize): Promise<RsaKeyPairDer>;
  /** RSA-OAEP with SHA-256 and MGF1-SHA-256. */
  rsaOaepEncrypt(spkiDer: Uint8Array, plaintext: Uint8Array, label: Uint8Array): Promise<Uint8Array>;
  rsaOaepDecrypt(pkcs8Der: Uint8Array, ciphertext: Uint8Array, label: Uint8Array): Promise<Uint8Array>;
  /** RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, over `message` (hashed by the primitive). */
  rsaPssSign(pkcs8Der: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  rsaPssVerify(spkiDer: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
