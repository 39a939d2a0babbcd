// OpenSSH key formats: public lines ("ssh-rsa AAAA… comment", RFC 4253 §6.6 wire blob) and the
// "openssh-key-v1" private key container (OpenSSH PROTOCOL.key), unencrypted or bcrypt + AES-CTR.
import { base64Decode, base64Encode, concatBytes, constantTimeEqual, toBufferSource as bs, utf8Decode, utf8Encode, zeroize } from './bytes';
import { bigIntToBytes } from './der';
import { InvalidArgumentError, KeyFormatError, PassphraseError, UnsupportedKeyError } from './errors';
import { encodeRsaPrivateKey, rsaPrivateParams, rsaPublicParams, type RsaPublicParams } from './pkcs1';

const SSH_RSA = 'ssh-rsa';
/** PROTOCOL.key: the container starts with this magic, NUL included. */
const AUTH_MAGIC = utf8Encode('openssh-key-v1\0');
/** Bounds for hostile input: bcrypt rounds (ssh-keygen -a defaults to 16) and string lengths. */
const MAX_BCRYPT_ROUNDS = 1024;
const MAX_SSH_STRING = 1 << 20;

/** Ciphers ssh-keygen writes by default (aes256-ctr) and its CTR siblings; all via WebCrypto AES-CTR. */
const CIPHERS: Readonly<Record<string, { keyBytes: number; ivBytes: number; blockBytes: number }>> = {
  'aes128-ctr': { keyBytes: 16, ivBytes: 16, blockBytes: 16 },
  'aes192-ctr': { keyBytes: 24, ivBytes: 16, blockBytes: 16 },
  'aes256-ctr': { keyBytes: 32, ivBytes: 16, blockBytes: 16 },
};
/** PROTOCOL.key: with cipher "none" the private section is padded to 8 bytes. */
const NONE_BLOCK_BYTES = 8;

const OTHER_SSH_KEY_TYPES: Readonly<Record<string, string>> = {
  'ssh-ed25519': 'Ed25519',
  'ssh-ed448': 'Ed448',
  'ssh-dss': 'DSA',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
  'sk-ssh-ed25519@openssh.com': 'Ed25519 security-key',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'ECDSA security-key',
};

function unsupportedSshType(type: string): UnsupportedKeyError {
  if (type.endsWith('-cert-v01@openssh.com')) return new UnsupportedKeyError(`OpenSSH certificates (${type}) are not supported; use the plain ssh-rsa public key`);
  const name = OTHER_SSH_KEY_TYPES[type];
  return new UnsupportedKeyError(`unsupported key type ${name ?? type}: Custodian only supports RSA keys`);
}

export function isSshKeyType(token: string): boolean {
  return token === SSH_RSA || Object.prototype.hasOwnProperty.call(OTHER_SSH_KEY_TYPES, token) || token.endsWith('-cert-v01@openssh.com');
}

/** Reads the SSH wire encoding (RFC 4251 §5): uint32, string, mpint. */
class SshReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array, private readonly what: string) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  uint32(): number {
    if (this.remaining < 4) throw new KeyFormatError(`${this.what} is truncated`);
    const b = this.bytes;
    const v = ((b[this.pos] << 24) | (b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3]) >>> 0;
    this.pos += 4;
    return v;
  }
  string(): Uint8Array {
    const len = this.uint32();
    if (len > this.remaining || len > MAX_SSH_STRING) throw new KeyFormatError(`${this.what} is truncated`);
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  text(): string {
    try {
      return utf8Decode(this.string());
    } catch (cause) {
      throw new KeyFormatError(`${this.what} contains invalid UTF-8`, { cause });
    }
  }
  /**
   * The magnitude of a non-negative mpint in minimal two's-complement form, left as bytes: pkcs1.ts
   * bounds its size before it becomes a bigint.
   */
  mpint(): Uint8Array {
    const v = this.string();
    if (v.length > 0 && v[0] & 0x80) throw new KeyFormatError(`${this.what} has a negative integer`);
    if (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) throw new KeyFormatError(`${this.what} has a non-minimal integer`);
    return v;
  }
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return out;
  }
}

function sshUint32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
function sshString(bytes: Uint8Array): Uint8Array {
  return concatBytes(sshUint32(bytes.length), bytes);
}
function sshMpint(n: bigint): Uint8Array {
  if (n === 0n) return sshUint32(0);
  const m = bigIntToBytes(n);
  return sshString(m[0] & 0x80 ? concatBytes(new Uint8Array(1), m) : m);
}

/** RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n. */
export function encodeSshRsaBlob(key: RsaPublicParams): Uint8Array {
  return concatBytes(sshString(utf8Encode(SSH_RSA)), sshMpint(key.e), sshMpint(key.n));
}

function decodeSshPublicBlob(blob: Uint8Array): RsaPublicParams {
  const r = new SshReader(blob, 'OpenSSH public key');
  const type = r.text();
  if (type !== SSH_RSA) throw unsupportedSshType(type);
  const e = r.mpint();
  const n = r.mpint();
  if (r.remaining !== 0) throw new KeyFormatError('OpenSSH public key has trailing bytes');
  return rsaPublicParams(n, e);
}

export interface SshPublicLine extends RsaPublicParams {
  readonly comment?: string;
}

/** Parses one `ssh-rsa AAAA… comment` line (authorized_keys / .pub format without options). */
export function parseSshPublicLine(line: string): SshPublicLine {
  const tokens = line.trim().split(/\s+/);
  const [type, b64] = tokens;
  if (!isSshKeyType(type)) throw new KeyFormatError('expected an OpenSSH public key line ("ssh-rsa AAAA… comment")');
  if (type !== SSH_RSA) throw unsupportedSshType(type);
  if (b64 === undefined) throw new KeyFormatError('OpenSSH public key line has no key data');
  let blob: Uint8Array;
  try {
    blob = base64Decode(b64);
  } catch (cause) {
    throw new KeyFormatError('OpenSSH public key line does not contain valid base64', { cause });
  }
  const params = decodeSshPublicBlob(blob);
  const comment = tokens.slice(2).join(' ');
  return comment ? { ...params, comment } : params;
}

export function formatSshPublicLine(key: RsaPublicParams, comment?: string): string {
  if (comment !== undefined && /[\r\n]/.test(comment)) throw new InvalidArgumentError('"comment" must be a single line');
  const line = `${SSH_RSA} ${base64Encode(encodeSshRsaBlob(key))}`;
  const c = comment?.trim();
  return c ? `${line} ${c}` : line;
}

// ---- openssh-key-v1 private keys ----

export const OPENSSH_PRIVATE_LABEL = 'OPENSSH PRIVATE KEY';

interface OpenSshContainer {
  readonly cipher: string;
  readonly kdf: string;
  readonly kdfOptions: Uint8Array;
  readonly publicBlob: Uint8Array;
  readonly privateSection: Uint8Array;
}

function readContainer(der: Uint8Array): OpenSshContainer {
  if (der.length < AUTH_MAGIC.length || !constantTimeEqual(der.subarray(0, AUTH_MAGIC.length), AUTH_MAGIC)) {
    throw new KeyFormatError('not an openssh-key-v1 private key');
  }
  const r = new SshReader(der.subarray(AUTH_MAGIC.length), 'OpenSSH private key');
  const cipher = r.text();
  const kdf = r.text();
  const kdfOptions = r.string();
  const count = r.uint32();
  if (count !== 1) throw new KeyFormatError(`OpenSSH private key file holds ${count} keys; expected exactly 1`);
  const publicBlob = r.string();
  const privateSection = r.string();
  // aes256-gcm@openssh.com appends its tag after the section; we do not support it, so nothing may follow.
  if (r.remaining !== 0) throw new KeyFormatError('OpenSSH private key has trailing bytes');
  return { cipher, kdf, kdfOptions, publicBlob, privateSection };
}

export function isEncryptedOpenSsh(der: Uint8Array): boolean {
  return readContainer(der).cipher !== 'none';
}

export interface OpenSshPrivateKey {
  /** RFC 8017 RSAPrivateKey DER (caller zeroizes). */
  readonly pkcs1Der: Uint8Array;
  readonly comment?: string;
}

export async function decodeOpenSshPrivateKey(der: Uint8Array, passphrase?: string, options: { signal?: AbortSignal } = {}): Promise<OpenSshPrivateKey> {
  const c = readContainer(der);
  // The public key is in clear text: refuse non-RSA keys before asking for a passphrase.
  const publicParams = decodeSshPublicBlob(c.publicBlob);
  let section: Uint8Array;
  let blockBytes: number;
  if (c.cipher === 'none') {
    if (c.kdf !== 'none') throw new KeyFormatError(`OpenSSH private key has kdf "${c.kdf}" but no cipher`);
    section = c.privateSection.slice();
    blockBytes = NONE_BLOCK_BYTES;
  } else {
    const cipher = CIPHERS[c.cipher];
    if (!cipher) {
      throw new KeyFormatError(`unsupported OpenSSH private key cipher "${c.cipher}"`, {
        hint: 're-encrypt it with: ssh-keygen -p -Z aes256-ctr -f KEYFILE',
      });
    }
    if (c.kdf !== 'bcrypt') throw new KeyFormatError(`unsupported OpenSSH key derivation "${c.kdf}"`);
    if (!passphrase) throw new PassphraseError('this key is encrypted: a passphrase is needed');
    const opts = new SshReader(c.kdfOptions, 'OpenSSH kdf options');
    const salt = opts.string();
    const rounds = opts.uint32();
    if (opts.remaining !== 0 || salt.length === 0) throw new KeyFormatError('malformed OpenSSH kdf options');
    if (rounds < 1 || rounds > MAX_BCRYPT_ROUNDS) throw new KeyFormatError(`OpenSSH bcrypt rounds ${rounds} out of range (1…${MAX_BCRYPT_ROUNDS})`);
    if (c.privateSection.length % cipher.blockBytes !== 0) throw new KeyFormatError('OpenSSH private section has a bad length');
    const pass = utf8Encode(passphrase);
    let keyIv: Uint8Array = new Uint8Array(0);
    try {
      const { bcryptPbkdf } = await import('./bcrypt-pbkdf');
      keyIv = await bcryptPbkdf(pass, salt, cipher.keyBytes + cipher.ivBytes, rounds, { signal: options.signal });
      const key = await globalThis.crypto.subtle.importKey('raw', keyIv.slice(0, cipher.keyBytes), 'AES-CTR', false, ['decrypt']);
      const counter = keyIv.slice(cipher.keyBytes);
      section = new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-CTR', counter, length: 128 }, key, bs(c.privateSection)));
    } finally {
      zeroize(pass, keyIv);
    }
    blockBytes = cipher.blockBytes;
  }
  try {
    return decodePrivateSection(section, publicParams, c.cipher !== 'none', blockBytes);
  } finally {
    zeroize(section);
  }
}

function decodePrivateSection(section: Uint8Array, publicParams: RsaPublicParams, encrypted: boolean, blockBytes: number): OpenSshPrivateKey {
  if (section.length < 8 || section.length % blockBytes !== 0) throw new KeyFormatError('OpenSSH private section has a bad length');
  // PROTOCOL.key: two equal random check words; CTR has no padding to fail, so this is the passphrase check.
  if (!constantTimeEqual(section.subarray(0, 4), section.subarray(4, 8))) {
    if (encrypted) throw new PassphraseError('wrong passphrase for this private key');
    throw new KeyFormatError('OpenSSH private key is corrupt (check words differ)');
  }
  const r = new SshReader(section.subarray(8), 'OpenSSH private key');
  const type = r.text();
  if (type !== SSH_RSA) throw unsupportedSshType(type);
  const n = r.mpint();
  const e = r.mpint();
  const d = r.mpint();
  const qInv = r.mpint();
  const p = r.mpint();
  const q = r.mpint();
  const comment = r.text();
  const padding = r.rest();
  for (let i = 0; i < padding.length; i++) {
    if (padding[i] !== i + 1) throw new KeyFormatError('OpenSSH private key has bad padding');
  }
  const key = rsaPrivateParams({ n, e, d, p, q, qInv });
  if (key.n !== publicParams.n || key.e !== publicParams.e) throw new KeyFormatError('OpenSSH private key does not match its public key');
  const pkcs1Der = encodeRsaPrivateKey(key);
  return comment ? { pkcs1Der, comment } : { pkcs1Der };
}
