// Shamir secret sharing over GF(2^8) with an integrity layer (docs/SHAMIR.md §2–§3, §6).
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes, concatBytes, constantTimeEqual, hexEncode, utf8Encode, zeroize } from './bytes';
import { InvalidArgumentError, ShareCombineError, ShareFormatError } from './errors';
import { gfDiv, gfMul, gfMulRow } from './gf256';

/** SHAMIR.md §4: the only share version this implementation reads and writes. */
const SHARE_VERSION = 1;
/** SHAMIR.md §3: random share-set id, drawn first. */
export const SET_ID_BYTES = 8;
/** SHAMIR.md §3: HMAC-SHA-256 key, split together with the secret. */
const MAC_KEY_BYTES = 32;
/** SHAMIR.md §3: HMAC-SHA-256 tag length. */
const TAG_BYTES = 32;
/** SHAMIR.md §2: x-coordinates are non-zero bytes, so at most 255 shares; fewer than 2 is not sharing. */
export const MIN_THRESHOLD = 2;
export const MAX_SHARES = 255;
/** SHAMIR.md §6: a longer list cannot be one set's (each share has its own x), so it is refused before any work. */
export const TOO_MANY_SHARES = {
  message: `more than ${MAX_SHARES} shares: a share set has at most ${MAX_SHARES}`,
  hint: 'Give only the shares of one split, each once: its threshold of them is enough.',
} as const;
/** SHAMIR.md §3: the shared string is key || secret (≥ 1 byte) || tag. */
export const MIN_SHARE_VALUE_BYTES = MAC_KEY_BYTES + 1 + TAG_BYTES;
/** SHAMIR.md §3: domain label at the start of the HMAC input, followed by a 0x00 byte. */
const CONTEXT_LABEL = 'custodian-share-v1';
/** SHAMIR.md §3: leave-one-out search for a bad share only while m·(m−1)·L stays below this. */
const LOCATE_BUDGET = 1 << 25;
/**
 * SHAMIR.md §7: the largest secret `splitSecret` accepts. Shamir is for keys and passwords; every
 * share is as large as the secret and is copied by hand or pasted into mail, so a larger file should
 * be encrypted and its key split instead.
 */
export const MAX_SECRET_BYTES = 64 * 1024;
/**
 * SHAMIR.md §7: a split costs N·(T−1)·L table lookups (L = the split string's length). Bounded so a
 * split takes seconds, not minutes: any T and N for a secret up to 4 KiB, fewer for larger ones.
 */
export const MAX_SPLIT_WORK = 300_000_000;
/** WebCrypto getRandomValues refuses more than 65536 bytes per call. */
const MAX_RANDOM_CHUNK = 65536;

/** Returns `length` fresh random bytes. Split zeroes what it gets back, so return a new array each call. */
export type RandomBytes = (length: number) => Uint8Array;

export interface SplitOptions {
  /** Shares needed to recover the secret (T), 2..255. */
  threshold: number;
  /** Shares created (N), threshold..255. */
  shares: number;
  /** Source of randomness; defaults to `globalThis.crypto.getRandomValues`. Inject only for test vectors. */
  randomBytes?: RandomBytes;
}

/** One Custodian share (SHAMIR.md §4). `value` is this share's point on the split of key || secret || tag. */
export interface Share {
  version: number;
  setId: Uint8Array;
  threshold: number;
  total: number;
  /** The x-coordinate, 1..total. */
  index: number;
  value: Uint8Array;
}

/** A bare Shamir point (SHAMIR.md §2) with no metadata and no integrity, as in HashiCorp Vault. */
export interface RawShare {
  x: number;
  y: Uint8Array;
}

function defaultRandomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += MAX_RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_RANDOM_CHUNK)));
  }
  return out;
}

function draw(randomBytes: RandomBytes, length: number): Uint8Array {
  const bytes = randomBytes(length);
  assertBytes(`randomBytes(${length}) result`, bytes, length);
  return bytes;
}

function checkCounts(threshold: number, shares: number): void {
  if (!Number.isInteger(threshold) || threshold < MIN_THRESHOLD || threshold > MAX_SHARES) {
    throw new InvalidArgumentError(`threshold must be a whole number from ${MIN_THRESHOLD} to ${MAX_SHARES}, got ${threshold}`);
  }
  if (!Number.isInteger(shares) || shares < threshold || shares > MAX_SHARES) {
    throw new InvalidArgumentError(`number of shares must be a whole number from the threshold (${threshold}) to ${MAX_SHARES}, got ${shares}`);
  }
}

/**
 * Refuses, before any work, a split beyond the limits of SHAMIR.md §7. `secretLength` is the caller's
 * secret (the integrity layer adds its 64 bytes here when `withIntegrity`).
 */
export function checkSplitLimits(secretLength: number, threshold: number, shares: number, withIntegrity = true): void {
  if (secretLength > MAX_SECRET_BYTES) {
    throw new InvalidArgumentError(`the secret is too large to split: ${secretLength} bytes, the limit is ${MAX_SECRET_BYTES} (64 KiB)`, {
      hint: 'encrypt the file instead (custodian encrypt) and split the secret that protects it, such as a private key or passphrase',
    });
  }
  const length = secretLength + (withIntegrity ? MAC_KEY_BYTES + TAG_BYTES : 0);
  const work = shares * (threshold - 1) * length;
  if (work > MAX_SPLIT_WORK) {
    const maxThreshold = Math.floor(MAX_SPLIT_WORK / (shares * length)) + 1;
    throw new InvalidArgumentError(
      `splitting ${secretLength} bytes into ${shares} shares with threshold ${threshold} needs ${work} table lookups (shares × (threshold − 1) × ${length} bytes), the limit is ${MAX_SPLIT_WORK}`,
      { hint: maxThreshold >= MIN_THRESHOLD ? `with ${shares} shares use a threshold of at most ${maxThreshold}, or fewer shares, or a smaller secret` : 'use fewer shares or a smaller secret' },
    );
  }
}

/** f(x) for every byte column at once, by Horner's rule with one "multiply by x" row. */
function evaluateAt(constant: Uint8Array, coefficients: Uint8Array[], x: number): Uint8Array {
  const row = gfMulRow(x);
  const length = constant.length;
  const y = coefficients[coefficients.length - 1].slice();
  for (let j = coefficients.length - 2; j >= 0; j--) {
    const c = coefficients[j];
    for (let i = 0; i < length; i++) y[i] = row[y[i]] ^ c[i];
  }
  for (let i = 0; i < length; i++) y[i] = row[y[i]] ^ constant[i];
  return y;
}

/** SHAMIR.md §2: values at x = 1..shares; coefficients c_1..c_{T−1} drawn in that order. */
function splitBytes(secret: Uint8Array, threshold: number, shares: number, randomBytes: RandomBytes): Uint8Array[] {
  const coefficients: Uint8Array[] = [];
  try {
    for (let j = 1; j < threshold; j++) coefficients.push(draw(randomBytes, secret.length));
    const values: Uint8Array[] = [];
    for (let x = 1; x <= shares; x++) values.push(evaluateAt(secret, coefficients, x));
    return values;
  } finally {
    zeroize(...coefficients);
  }
}

/** SHAMIR.md §2: S = Σ l_j·Y_j with the Lagrange basis at zero computed once. Inputs already validated. */
function interpolateAtZero(xs: readonly number[], ys: readonly Uint8Array[]): Uint8Array {
  const length = ys[0].length;
  const out = new Uint8Array(length);
  for (let j = 0; j < xs.length; j++) {
    let numerator = 1;
    let denominator = 1;
    for (let n = 0; n < xs.length; n++) {
      if (n === j) continue;
      numerator = gfMul(numerator, xs[n]);
      denominator = gfMul(denominator, xs[n] ^ xs[j]);
    }
    const row = gfMulRow(gfDiv(numerator, denominator));
    const y = ys[j];
    for (let i = 0; i < length; i++) out[i] ^= row[y[i]];
  }
  return out;
}

/** Splits `secret` with no metadata and no integrity (SHAMIR.md §2); share k has x = k. For Vault export and tests. */
export function splitSecretRaw(secret: Uint8Array, options: SplitOptions): RawShare[] {
  assertBytes('secret', secret);
  if (secret.length === 0) throw new InvalidArgumentError('the secret to split is empty');
  checkCounts(options.threshold, options.shares);
  checkSplitLimits(secret.length, options.threshold, options.shares, false);
  const values = splitBytes(secret, options.threshold, options.shares, options.randomBytes ?? defaultRandomBytes);
  return values.map((y, i) => ({ x: i + 1, y }));
}

/**
 * Interpolates raw shares at zero (SHAMIR.md §2). Without integrity, wrong or too few shares give wrong
 * bytes, not an error; only the layout is checked: ≥ 2 shares, distinct non-zero x, equal lengths.
 */
export function combineSharesRaw(shares: readonly RawShare[]): Uint8Array {
  if (!Array.isArray(shares)) throw new TypeError(`"shares" expected an array, got ${typeof shares}`);
  if (shares.length < 2) throw new ShareCombineError(`need at least 2 shares to combine, got ${shares.length}`);
  if (shares.length > MAX_SHARES) throw new ShareCombineError(TOO_MANY_SHARES.message, { hint: TOO_MANY_SHARES.hint });
  const seen = new Map<number, number>();
  shares.forEach((share, i) => {
    const where = `share ${i + 1}`;
    if (!Number.isInteger(share?.x) || share.x < 1 || share.x > 255) {
      throw new ShareFormatError(`${where}: x-coordinate must be 1..255, got ${share?.x}`);
    }
    if (!(share.y instanceof Uint8Array) || share.y.length === 0) throw new ShareFormatError(`${where} (x=${share.x}): empty or missing value`);
    if (share.y.length !== shares[0].y.length) {
      throw new ShareCombineError(
        `${where} (x=${share.x}) has ${share.y.length} value bytes but share 1 has ${shares[0].y.length}: they are not from the same split`,
      );
    }
    const previous = seen.get(share.x);
    if (previous !== undefined) throw new ShareCombineError(`${where} repeats x-coordinate ${share.x} (also share ${previous})`);
    seen.set(share.x, i + 1);
  });
  return interpolateAtZero(
    shares.map((s) => s.x),
    shares.map((s) => s.y),
  );
}

/** SHAMIR.md §3: context = label || 0x00 || setId || T || N. */
function computeTag(key: Uint8Array, setId: Uint8Array, threshold: number, total: number, secret: Uint8Array): Uint8Array {
  const context = concatBytes(utf8Encode(CONTEXT_LABEL), Uint8Array.of(0), setId, Uint8Array.of(threshold, total));
  return hmac.create(sha256, key).update(context).update(secret).digest();
}

/** Splits `secret` into `shares` Custodian shares, any `threshold` of which recover it (SHAMIR.md §3). */
export function splitSecret(secret: Uint8Array, options: SplitOptions): Share[] {
  assertBytes('secret', secret);
  if (secret.length === 0) throw new InvalidArgumentError('the secret to split is empty');
  const { threshold, shares: total } = options;
  checkCounts(threshold, total);
  checkSplitLimits(secret.length, threshold, total);
  const randomBytes = options.randomBytes ?? defaultRandomBytes;
  const setId = draw(randomBytes, SET_ID_BYTES).slice();
  const key = draw(randomBytes, MAC_KEY_BYTES);
  const tag = computeTag(key, setId, threshold, total, secret);
  const shared = concatBytes(key, secret, tag);
  try {
    return splitBytes(shared, threshold, total, randomBytes).map((value, i) => ({
      version: SHARE_VERSION,
      setId: setId.slice(),
      threshold,
      total,
      index: i + 1,
      value,
    }));
  } finally {
    zeroize(key, tag, shared);
  }
}

/** Throws ShareFormatError, prefixed with `where`, unless `share` is a well-formed version-1 share (SHAMIR.md §6 step 1). */
export function assertShare(share: Share, where: string): void {
  if (typeof share !== 'object' || share === null) throw new ShareFormatError(`${where}: not a share object`);
  if (share.version !== SHARE_VERSION) {
    throw new ShareFormatError(`${where}: unsupported share version ${share.version} (this version of Custodian reads version ${SHARE_VERSION})`, {
      hint: 'Update Custodian, or ask for the share in a version this one understands.',
    });
  }
  if (!(share.setId instanceof Uint8Array) || share.setId.length !== SET_ID_BYTES) {
    throw new ShareFormatError(`${where}: the set id must be ${SET_ID_BYTES} bytes`);
  }
  const { threshold, total, index } = share;
  if (!Number.isInteger(threshold) || threshold < MIN_THRESHOLD || threshold > MAX_SHARES) {
    throw new ShareFormatError(`${where}: threshold ${threshold} is outside ${MIN_THRESHOLD}..${MAX_SHARES}`);
  }
  if (!Number.isInteger(total) || total < threshold || total > MAX_SHARES) {
    throw new ShareFormatError(`${where}: total ${total} is outside threshold (${threshold})..${MAX_SHARES}`);
  }
  if (!Number.isInteger(index) || index < 1 || index > total) throw new ShareFormatError(`${where}: index ${index} is outside 1..${total}`);
  if (!(share.value instanceof Uint8Array) || share.value.length < MIN_SHARE_VALUE_BYTES) {
    throw new ShareFormatError(`${where}: the share value is shorter than ${MIN_SHARE_VALUE_BYTES} bytes (cut short?)`);
  }
}

function describe(share: Share, position: number): string {
  return `share ${position} (index ${share.index})`;
}

/** Interpolates and verifies the tag; returns a copy of the secret, or undefined if the check fails. */
function recoverVerified(shares: readonly Share[]): Uint8Array | undefined {
  const { setId, threshold, total } = shares[0];
  const shared = interpolateAtZero(
    shares.map((s) => s.index),
    shares.map((s) => s.value),
  );
  let expected: Uint8Array | undefined;
  try {
    const end = shared.length - TAG_BYTES;
    const secret = shared.subarray(MAC_KEY_BYTES, end);
    expected = computeTag(shared.subarray(0, MAC_KEY_BYTES), setId, threshold, total, secret);
    return constantTimeEqual(expected, shared.subarray(end)) ? secret.slice() : undefined;
  } finally {
    zeroize(shared, expected);
  }
}

/**
 * Recovers the secret from at least `threshold` shares of one split (SHAMIR.md §6). Throws
 * ShareFormatError for a malformed share and ShareCombineError for mixed sets, repeated indices, too few
 * shares or a failed integrity check; messages name the share by its position in `shares` and its index.
 */
export function combineShares(shares: readonly Share[]): Uint8Array {
  if (!Array.isArray(shares)) throw new TypeError(`"shares" expected an array, got ${typeof shares}`);
  if (shares.length === 0) throw new ShareCombineError('no shares to combine');
  if (shares.length > MAX_SHARES) throw new ShareCombineError(TOO_MANY_SHARES.message, { hint: TOO_MANY_SHARES.hint });
  shares.forEach((share, i) => assertShare(share, `share ${i + 1}`));
  const first = shares[0];
  const firstSet = hexEncode(first.setId);
  const byIndex = new Map<number, number>();
  shares.forEach((share, i) => {
    const where = describe(share, i + 1);
    const set = hexEncode(share.setId);
    if (set !== firstSet || share.threshold !== first.threshold || share.total !== first.total) {
      throw new ShareCombineError(
        `${where} belongs to a different share set (set ${set}, ${share.threshold} of ${share.total}) than share 1 (set ${firstSet}, ${first.threshold} of ${first.total})`,
        { hint: 'Combine only shares made by the same split.' },
      );
    }
    if (share.value.length !== first.value.length) {
      throw new ShareCombineError(`${where} has a ${share.value.length}-byte value but share 1 has ${first.value.length} bytes: one of them is damaged`);
    }
    const previous = byIndex.get(share.index);
    if (previous !== undefined) {
      throw new ShareCombineError(`${where} repeats index ${share.index} (also share ${previous}); each share counts once`, {
        hint: 'Remove the duplicate and add a different share.',
      });
    }
    byIndex.set(share.index, i + 1);
  });
  if (shares.length < first.threshold) {
    throw new ShareCombineError(`need ${first.threshold} shares of set ${firstSet} to recover the secret, got ${shares.length}`, {
      hint: `Collect ${first.threshold - shares.length} more share(s) from other holders.`,
    });
  }

  const secret = recoverVerified(shares);
  if (secret !== undefined) return secret;

  // SHAMIR.md §3: with spare shares, try leaving each out to name a single bad one.
  const m = shares.length;
  if (m > first.threshold && m * (m - 1) * first.value.length <= LOCATE_BUDGET) {
    const culprits: number[] = [];
    for (let j = 0; j < m; j++) {
      const recovered = recoverVerified(shares.filter((_, i) => i !== j));
      if (recovered !== undefined) {
        zeroize(recovered);
        culprits.push(j);
      }
    }
    if (culprits.length === 1) {
      const j = culprits[0];
      throw new ShareCombineError(`integrity check failed: ${describe(shares[j], j + 1)} does not match the other shares; it is damaged or was altered`, {
        hint: 'Combine without it, and ask its holder for an intact copy.',
      });
    }
  }
  throw new ShareCombineError(
    'integrity check failed: these shares do not recover the secret (a share is damaged or altered, or the shares come from different splits)',
    {
      hint:
        m > first.threshold
          ? 'More than one share may be bad; check each share against its original.'
          : 'Check each share against its original; with one share more than the threshold, Custodian can name the bad one.',
    },
  );
}
