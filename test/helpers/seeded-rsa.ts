// RSA-OAEP encryption and RSA-PSS signing whose padding randomness (the OAEP seed, the PSS salt) comes
// from a caller-supplied source, for reproducible test vectors. Native APIs draw that randomness
// internally, so `withInjectedRandomness` swaps these in: then every backend's output is a pure function
// of the injected bytes. node-forge does the RSA; nothing here implements a primitive. It lives under
// test/ because only tests and the vector generator need it, which keeps node-forge out of src/.
import forge from 'node-forge';
import type { CryptoBackend } from '../../src/core/crypto-backend';

// RFC 8017 §7.1.1: the OAEP seed is hLen bytes; §9.1.1 with our salt length 32 (SHA-256 hLen).
const SHA256_LENGTH = 32;
const PSS_SALT_LENGTH = 32;

function toBinary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x2000) s += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  return s;
}

function fromBinary(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function publicKey(spkiDer: Uint8Array): forge.pki.rsa.PublicKey {
  return forge.pki.publicKeyFromAsn1(forge.asn1.fromDer(toBinary(spkiDer))) as forge.pki.rsa.PublicKey;
}

function privateKey(pkcs8Der: Uint8Array): forge.pki.rsa.PrivateKey {
  return forge.pki.privateKeyFromAsn1(forge.asn1.fromDer(toBinary(pkcs8Der)));
}

function seededRsaOaepEncrypt(spkiDer: Uint8Array, plaintext: Uint8Array, label: Uint8Array, seed: Uint8Array): Uint8Array {
  if (seed.length !== SHA256_LENGTH) throw new RangeError(`"seed" expected ${SHA256_LENGTH} bytes, got ${seed.length}`);
  const encrypted = publicKey(spkiDer).encrypt(toBinary(plaintext), 'RSA-OAEP', {
    md: forge.md.sha256.create(),
    mgf1: { md: forge.md.sha256.create() },
    label: toBinary(label),
    seed: toBinary(seed),
  });
  return fromBinary(encrypted);
}

function seededRsaPssSign(pkcs8Der: Uint8Array, message: Uint8Array, salt: Uint8Array): Uint8Array {
  if (salt.length !== PSS_SALT_LENGTH) throw new RangeError(`"salt" expected ${PSS_SALT_LENGTH} bytes, got ${salt.length}`);
  const md = forge.md.sha256.create();
  md.update(toBinary(message));
  const pss = forge.pss.create({
    md: forge.md.sha256.create(),
    mgf: forge.mgf.mgf1.create(forge.md.sha256.create()),
    saltLength: PSS_SALT_LENGTH,
    salt: forge.util.createBuffer(toBinary(salt)),
  });
  return fromBinary(privateKey(pkcs8Der).sign(md, pss));
}

const SEED_LENGTH = SHA256_LENGTH;
const SALT_LENGTH = PSS_SALT_LENGTH;

/**
 * `backend` with its CSPRNG replaced by `randomBytes`, and RSA-OAEP seeds and RSA-PSS salts drawn from
 * it too (through node-forge, slower than the native path). For reproducible test vectors only.
 */
export function withInjectedRandomness(backend: CryptoBackend, randomBytes: (length: number) => Uint8Array): CryptoBackend {
  return {
    ...backend,
    randomBytes,
    rsaOaepEncrypt: async (spkiDer, plaintext, label) => seededRsaOaepEncrypt(spkiDer, plaintext, label, randomBytes(SEED_LENGTH)),
    rsaPssSign: async (pkcs8Der, message) => seededRsaPssSign(pkcs8Der, message, randomBytes(SALT_LENGTH)),
  };
}
