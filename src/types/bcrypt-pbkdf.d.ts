// joyent/node-bcrypt-pbkdf 1.0.2 (CJS): OpenBSD's bcrypt_pbkdf, as used by OpenSSH for key files.
declare module 'bcrypt-pbkdf' {
  /** Fills `key[0..keylen)`; returns 0 on success and -1 on bad arguments. */
  export function pbkdf(
    pass: Uint8Array,
    passlen: number,
    salt: Uint8Array,
    saltlen: number,
    key: Uint8Array,
    keylen: number,
    rounds: number,
  ): number;
  /** OpenBSD's bcrypt_hash: `out` (32 bytes) from the 64-byte SHA-512 of the password and of the salt. */
  export function hash(sha2pass: Uint8Array, sha2salt: Uint8Array, out: Uint8Array): void;
  /** Bytes of bcrypt_hash's output. */
  export const HASHSIZE: number;
}
