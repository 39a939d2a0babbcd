// Typed errors, one class per layer (as in age). Messages say what is wrong and what to do about it;
// they never contain key material, passphrases or plaintext.

export interface CustodianErrorOptions {
  cause?: unknown;
  /** A short suggestion the UI or CLI shows under the message (`custodian: hint: …`). */
  hint?: string;
}

export class CustodianError extends Error {
  readonly hint?: string;
  constructor(message: string, options: CustodianErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A caller passed a value of the wrong type or range (a programming error or a bad CLI flag). */
export class InvalidArgumentError extends CustodianError {}
/**
 * The platform lacks what the core needs (WebCrypto outside a secure context): about this machine, never
 * about a file or a key, so a reader passes it on instead of reporting a wrong key or a forged file.
 */
export class CryptoUnavailableError extends CustodianError {}

// ---- keys ----
/** Key input that cannot be parsed: not PEM, not OpenSSH, corrupt DER, unsupported container. */
export class KeyFormatError extends CustodianError {}
/** A key that parses but is not RSA (EC, Ed25519, DSA …). */
export class UnsupportedKeyError extends CustodianError {}
/** An RSA key below the minimum size, or with an unusable exponent. */
export class WeakKeyError extends CustodianError {}
/** An RSA key above the maximum size (or with an absurd exponent): no real key, a corrupt or crafted file. */
export class OversizedKeyError extends UnsupportedKeyError {}
/** An encrypted key needs a passphrase, or the given one is wrong. */
export class PassphraseError extends CustodianError {}

// ---- envelope (.enc) and armor ----
/** Not a Custodian file, malformed structure, oversized header, too many recipients, trailing data. */
export class FormatError extends CustodianError {
  /** 1-based line of the input where the problem is, when known (an editor marks it there). */
  readonly line?: number;
  constructor(message: string, options: CustodianErrorOptions & { line?: number } = {}) {
    super(message, options);
    this.line = options.line;
  }
}
/** A version (or critical field) this implementation does not know. */
export class UnsupportedVersionError extends FormatError {}
/** The header MAC does not verify: a stanza, the signer field or another header byte was changed. */
export class HeaderAuthError extends CustodianError {}
/** A payload chunk failed authentication: tampered, reordered, duplicated or swapped chunks. */
export class PayloadAuthError extends CustodianError {}
/** The payload ends before its final chunk: the file was cut short. */
export class TruncatedError extends PayloadAuthError {}
/** The sender signature does not verify. */
export class SignatureError extends CustodianError {}
/** The signature is valid but not by the key the caller required. */
export class SignerMismatchError extends SignatureError {}
/** An ASCII-armored block is malformed (bad markers, non-canonical base64, bad line lengths). */
export class ArmorError extends FormatError {}
/**
 * A line follows a value-encrypted file's `#custodian:` block (VALUES.md §4): most likely one appended by
 * hand (`echo NAME=value >> .env`), in the clear; the commit guard and the CLI say so rather than "malformed".
 */
export class LineAfterMetadataError extends FormatError {}

/** Why one identity could not open a file (kept per key, as in age's "no identity matched"). */
export interface IdentityFailure {
  /** OpenSSH-style fingerprint of the identity that was tried. */
  fingerprint: string;
  reason: string;
}

/** None of the available private keys is a recipient of the file (or none could unwrap its key). */
export class NoIdentityMatchedError extends CustodianError {
  constructor(
    message: string,
    /** Fingerprints of the recipients named in the file's header. */
    readonly recipientFingerprints: readonly string[],
    /** Per-identity failures, for keys that matched a stanza but still failed. */
    readonly failures: readonly IdentityFailure[] = [],
    options: CustodianErrorOptions = {},
  ) {
    super(message, options);
  }
}

// ---- Agent (docs/AGENT.md) ----
/** The VS Code agent could not be reached, or answered outside its protocol. */
export class AgentError extends CustodianError {}
/** The user denied the agent's consent prompt, or did not answer it in time. */
export class AgentDeniedError extends AgentError {}
// ---- value-encrypted files (docs/VALUES.md) ----
/** A value's token does not open at its key path: edited, or moved or copied from another key or file. */
export class ValueAuthError extends CustodianError {
  constructor(
    message: string,
    /** Display form of the key path whose token failed. */
    readonly path: string,
    options: CustodianErrorOptions = {},
  ) {
    super(message, options);
  }
}
/** The file-level MAC of a value-encrypted file does not verify: entries added, removed, reordered or edited. */
export class ValuesMacError extends CustodianError {}

// ---- encrypting a selection in place (docs/FORMAT.md §7.2) ----
/** Why a selection cannot be encrypted where it stands. */
export type SelectionProblem = 'empty' | 'empty-string' | 'outside-string' | 'inside-word';
/**
 * A selection that cannot be encrypted in place. `problem` (and `syntax`, `next`) let a host say it in
 * the user's language; the message is the CLI's English.
 */
export class SelectionError extends InvalidArgumentError {
  constructor(
    message: string,
    readonly problem: SelectionProblem,
    /** The file's syntax name ("JSON", "TOML") for 'outside-string'; the character after the selection for 'inside-word'. */
    readonly detail: { readonly syntax?: string; readonly next?: string } = {},
    options: CustodianErrorOptions = {},
  ) {
    super(message, options);
  }
}

// ---- Shamir ----
/** A share that cannot be parsed (bad checksum, bad encoding, unknown version). */
export class ShareFormatError extends CustodianError {}
/** A set of shares that cannot be combined: duplicates, mixed sets, too few, or failed integrity. */
export class ShareCombineError extends CustodianError {}

// ---- TOTP / passwords ----
/** A malformed otpauth:// URI, base32 secret or OTP parameter. */
export class OtpFormatError extends CustodianError {}

/** Narrow an unknown thrown value to a message that is safe to show. */
export function describeError(err: unknown): string {
  if (err instanceof CustodianError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
