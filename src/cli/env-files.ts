// Env files for `custodian run`: each read whole into memory, decrypted there when it is an envelope,
// parsed as dotenv text. Nothing is written anywhere; the plaintext bytes are zeroed once parsed.
import { existsSync } from 'node:fs';
import { isArmored } from '../core/armor';
import { parseDotenv, MAX_DOTENV_CHARS } from '../core/dotenv';
import { utf8Decode, utf8DecodeKeepingBom } from '../core/bytes';
import { decryptBytes } from '../core/envelope';
import type { CryptoBackend } from '../core/crypto-backend';
import { CustodianError } from '../core/errors';
import { COMPACT_PREFIX } from '../core/armor';
import { firstSealedValue, SEALED_VALUE_PREFIX, type EnvLayer } from '../core/env-layers';
import type { RsaPublicKey } from '../core/keys';
import { readSmallFile } from '../node/node-streams';
import { hasConflictMarkers } from '../core/conflict-markers';
import type { RsaPrivateKey } from '../core/keys';
import type { RemoteKey } from './identities';
import { requireSigner } from './required-signer';
import { CliError } from './output';

/** An env file is a few KiB; an envelope of the largest text the parser takes, with room for armor. */
const MAX_ENV_FILE_BYTES = 4 * MAX_DOTENV_CHARS;

export interface EnvFileKeys {
  /** Resolved on first use: a run with only plain files needs no key (and asks for no passphrase). */
  identities(): Promise<readonly (RsaPrivateKey | RemoteKey)[]>;
  backend: CryptoBackend;
  /** When set, every file must be encrypted and signed by one of these keys. */
  requiredSigners?: readonly RsaPublicKey[];
  /** Told who signed each encrypted file, once it verified (run warns about a deploy key). */
  signed?: (file: string, signer: RsaPublicKey | undefined) => Promise<void>;
}

/** `.enc` and `.enc.asc` files, and anything armored, are envelopes; other files are plain dotenv text. */
export function isEncryptedEnvFile(file: string, bytes: Uint8Array): boolean {
  return /\.enc(\.asc)?$/i.test(file) || isArmored(bytes);
}

/** Prefixes the file to an error's message, keeping its class and hint (messages hold no secrets). */
function inFile(err: unknown, file: string): unknown {
  if (err instanceof CustodianError && !err.message.startsWith(`${file}: `)) err.message = `${file}: ${err.message}`;
  return err;
}

async function readEnvFile(file: string): Promise<Uint8Array> {
  try {
    return await readSmallFile(file, MAX_ENV_FILE_BYTES, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // Encrypting a .env whole replaces it with .env.enc: the old name is the likely slip.
      const encrypted = [`${file}.enc`, `${file}.enc.asc`].find((f) => existsSync(f));
      throw new CliError(`${file}: no such file`, {
        cause: err,
        hint: encrypted ? `did you mean ${encrypted}? (-e ${encrypted})` : 'check the path given with -e (or in .custodian/config run.envFiles)',
      });
    }
    if (code === 'EISDIR') throw new CliError(`${file}: is a directory`, { cause: err });
    if (code === 'EACCES') throw new CliError(`${file}: not readable (permission denied)`, { cause: err });
    throw err;
  }
}

async function decryptEnvFile(file: string, bytes: Uint8Array, keys: EnvFileKeys): Promise<Uint8Array> {
  const identities = await keys.identities();
  const opened = await decryptBytes(isArmored(bytes) ? new TextDecoder().decode(bytes) : bytes, { identities, backend: keys.backend });
  const status = opened.signature;
  try {
    if (keys.requiredSigners) requireSigner(status.kind === 'signed' ? status.signer.fingerprint : undefined, keys.requiredSigners);
    await keys.signed?.(file, status.kind === 'signed' ? status.signer : undefined);
  } catch (err) {
    opened.plaintext.fill(0);
    throw err;
  }
  return opened.plaintext;
}

/**
 * A value-encrypted .env (docs/VALUES.md): opened with the CLI's keys (the agent's included); every
 * value, the MAC and the signature verify before the document is used.
 */
async function openValuesEnvFile(file: string, text: string, keys: EnvFileKeys): Promise<string> {
  const identities = await keys.identities();
  const { openValues } = await import('../core/values');
  const opened = await openValues(text, { format: 'dotenv', identities, backend: keys.backend });
  try {
    const required = keys.requiredSigners;
    const status = opened.signature;
    if (required) requireSigner(status.kind === 'signed' ? status.signer.fingerprint : undefined, required);
    await keys.signed?.(file, status.kind === 'signed' ? status.signer : undefined);
    return opened.document;
  } finally {
    opened.dispose();
  }
}

/**
 * Env text, or the one error for bytes that are not UTF-8 (a plain file or a value-encrypted one alike).
 * `keepBom`: a value-encrypted file's byte order mark is part of its first covered line (VALUES.md §3),
 * so its MAC verifies only with it; dotenv's parser is given text without it.
 */
function utf8Text(bytes: Uint8Array, keepBom = false): string {
  try {
    return keepBom ? utf8DecodeKeepingBom(bytes) : utf8Decode(bytes);
  } catch {
    throw new CliError('not UTF-8 text', { hint: 'an env file holds NAME=value lines; an encrypted one is named *.enc' });
  }
}

/** Reads, decrypts (if it is an envelope) and parses one env file. Errors name the file, never a value. */
export async function loadEnvFile(file: string, keys: EnvFileKeys): Promise<EnvLayer> {
  const bytes = await readEnvFile(file);
  let plaintext = bytes;
  try {
    const encrypted = isEncryptedEnvFile(file, bytes);
    if (!encrypted && hasConflictMarkers(new TextDecoder().decode(bytes))) {
      throw new CliError('has unresolved merge conflicts (git)', { hint: 'resolve them first; no value is taken from one side of a conflict' });
    }
    // Strict: a block broken by a line added after it is said so, not read as a plain file full of tokens.
    const valueEncrypted = !encrypted && (await import('../core/values')).hasValuesMetadata(new TextDecoder().decode(bytes), 'dotenv');
    if (encrypted) {
      plaintext = await decryptEnvFile(file, bytes, keys);
    } else if (valueEncrypted) {
      plaintext = new TextEncoder().encode(await openValuesEnvFile(file, utf8Text(bytes, true), keys));
    } else if (keys.requiredSigners) {
      throw new CliError('not encrypted, so not signed, but --require-signer asks for a signer', { hint: 'encrypt and sign it (custodian encrypt -s KEY), or leave it out' });
    }
    const layer = { source: file, entries: parseDotenv(utf8Text(plaintext)), encrypted: encrypted || valueEncrypted };
    const sealed = firstSealedValue(layer);
    if (sealed?.kind === 'values') {
      throw new CliError(`line ${sealed.line}: a value-encrypted value (${SEALED_VALUE_PREFIX}…), which run cannot pass on as is`, { hint: 'decrypt its values first (custodian decrypt --values), or encrypt the whole file to a .enc' });
    }
    if (sealed?.kind === 'selection') {
      throw new CliError(`line ${sealed.line}: an encrypted selection (${COMPACT_PREFIX}… or an armored block), which run cannot pass on as is`, {
        hint: 'encrypt the file\'s values instead (custodian encrypt --values, or "Encrypt Values for Team" in VS Code): run opens those; or encrypt the whole file to a .enc',
      });
    }
    return layer;
  } catch (err) {
    throw inFile(err, file);
  } finally {
    plaintext.fill(0);
    bytes.fill(0);
  }
}
