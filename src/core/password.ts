// Random passwords, passphrases and tokens, each returned with its entropy. Every choice is uniform: integers come
// from rejection sampling (no modulo bias) and "require every class" rejects whole passwords, so each valid string
// is equally likely and the entropy is exactly log2 of the number of valid strings (docs/PASSWORDS.md).
import { base64UrlEncode, hexEncode, zeroize } from './bytes';
import { InvalidArgumentError } from './errors';
import { EFF_LARGE_WORDLIST } from './wordlists/eff-large';

/** Fills `out` with cryptographically secure random bytes. Injected so tests can count or bias draws. */
export type RandomSource = (out: Uint8Array) => void;

/** WebCrypto's getRandomValues fills at most 65536 bytes per call. */
const GET_RANDOM_VALUES_MAX = 65536;
export const cryptoRandom: RandomSource = (out) => {
  for (let i = 0; i < out.length; i += GET_RANDOM_VALUES_MAX) {
    globalThis.crypto.getRandomValues(out.subarray(i, i + GET_RANDOM_VALUES_MAX));
  }
};

const UINT32_RANGE = 2 ** 32;

/**
 * `count` independent uniform integers in [0, n). Each is a uint32 rejected if it is ≥ floor(2^32 / n)·n, the largest
 * multiple of n that fits, so every residue is equally likely (a draw is rejected with probability < 1/2).
 * Draws are batched: one call to `random` per round instead of one per number.
 */
export function uniformInts(n: number, count: number, random: RandomSource = cryptoRandom): number[] {
  if (!Number.isSafeInteger(n) || n < 1 || n > UINT32_RANGE) throw new RangeError(`"n" expected an integer in [1, 2^32], got ${n}`);
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`"count" expected a non-negative integer, got ${count}`);
  const limit = Math.floor(UINT32_RANGE / n) * n;
  const out: number[] = [];
  while (out.length < count) {
    const buf = new Uint8Array(4 * Math.min(count - out.length, GET_RANDOM_VALUES_MAX / 4));
    random(buf);
    const view = new DataView(buf.buffer);
    for (let i = 0; i < buf.length; i += 4) {
      const x = view.getUint32(i, false);
      if (x < limit) out.push(x % n);
    }
    zeroize(buf);
  }
  return out;
}

/** One uniform integer in [0, n), by rejection sampling (see {@link uniformInts}). */
export function uniformInt(n: number, random: RandomSource = cryptoRandom): number {
  return uniformInts(n, 1, random)[0];
}

/** A generated secret and its entropy: log2 of the number of equally likely outcomes. */
export interface Generated {
  readonly value: string;
  readonly entropyBits: number;
}

// ---- character classes ----

export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';
/** All 32 printable ASCII punctuation characters: with the classes above, the 94 printable non-space ASCII. */
export const SYMBOLS = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
/** Characters easily misread for one another in common fonts (the set KeePass also excludes). */
export const LOOK_ALIKES = 'Il1|O0';

/**
 * The settings a UI exposes (`custodian.password.*`). `length` … `requireEachClass` shape passwords;
 * `words` … `appendNumber` shape passphrases.
 */
export interface PasswordPolicy {
  length: number;
  lowercase: boolean;
  uppercase: boolean;
  digits: boolean;
  symbols: boolean;
  excludeLookAlikes: boolean;
  /** Only accept passwords containing at least one character of every selected class. */
  requireEachClass: boolean;
  words: number;
  separator: string;
  /** Capitalise the first letter of every word (adds no entropy). */
  capitalize: boolean;
  /** Append a random digit 0–9 as a last element (adds log2(10) bits). */
  appendNumber: boolean;
}

export const MIN_PASSWORD_LENGTH = 1;
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_WORDS = 1;
export const MAX_WORDS = 64;
const MAX_SEPARATOR_LENGTH = 8;
export const MIN_TOKEN_BYTES = 1;
export const MAX_TOKEN_BYTES = 1024;
export const DEFAULT_TOKEN_BYTES = 32;
/** The appended number is one uniform decimal digit. */
const PASSPHRASE_NUMBER_RANGE = 10;
/** A try succeeds with probability > 5% for every allowed setting (worst: 4 classes in 4 characters): never hit. */
const MAX_PASSWORD_ATTEMPTS = 10_000;

/** 24 characters from all 94 printable ASCII (≈ 157 bits); 6 EFF words (≈ 77.5 bits). */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  length: 24,
  lowercase: true,
  uppercase: true,
  digits: true,
  symbols: true,
  excludeLookAlikes: false,
  requireEachClass: true,
  words: 6,
  separator: '-',
  capitalize: false,
  appendNumber: false,
});

function setting(name: keyof PasswordPolicy): string {
  return `custodian.password.${name}`;
}

function integerSetting(name: keyof PasswordPolicy, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`"${setting(name)}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

function booleanSetting(name: keyof PasswordPolicy, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`"${setting(name)}" must be true or false`);
  return value;
}

function separatorSetting(value: unknown): string {
  // Format characters too (a right-to-left override, a zero-width space): they hide what was typed or read out.
  if (typeof value !== 'string' || value.length > MAX_SEPARATOR_LENGTH || /[\p{Cc}\p{Cf}]/u.test(value)) {
    throw new InvalidArgumentError(`"${setting('separator')}" must be at most ${MAX_SEPARATOR_LENGTH} characters, no control or invisible formatting characters`);
  }
  return value;
}

type PasswordSettings = { readonly [K in keyof PasswordPolicy]?: unknown };

/** Types and ranges of each setting, unset ones from the defaults; no checks across settings. */
function parseSettings(settings: PasswordSettings): PasswordPolicy {
  const get = (name: keyof PasswordPolicy): unknown => settings[name] ?? DEFAULT_PASSWORD_POLICY[name];
  return {
    length: integerSetting('length', get('length'), MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH),
    lowercase: booleanSetting('lowercase', get('lowercase')),
    uppercase: booleanSetting('uppercase', get('uppercase')),
    digits: booleanSetting('digits', get('digits')),
    symbols: booleanSetting('symbols', get('symbols')),
    excludeLookAlikes: booleanSetting('excludeLookAlikes', get('excludeLookAlikes')),
    requireEachClass: booleanSetting('requireEachClass', get('requireEachClass')),
    words: integerSetting('words', get('words'), MIN_WORDS, MAX_WORDS),
    separator: separatorSetting(get('separator')),
    capitalize: booleanSetting('capitalize', get('capitalize')),
    appendNumber: booleanSetting('appendNumber', get('appendNumber')),
  };
}

function checkPolicy(policy: PasswordPolicy): PasswordPolicy {
  const classes = characterClasses(policy);
  if (classes.length === 0) {
    throw new InvalidArgumentError('no character class selected', { hint: 'enable lowercase, uppercase, digits or symbols' });
  }
  if (policy.requireEachClass && policy.length < classes.length) {
    throw new InvalidArgumentError(`"${setting('length')}" must be at least ${classes.length} to include every selected class`);
  }
  return policy;
}

/**
 * Fills unset (`undefined`) settings from {@link DEFAULT_PASSWORD_POLICY} and validates the rest.
 * Throws {@link InvalidArgumentError} naming the bad setting. No entropy floor: the generators take
 * what they are given; settings a user or a repository wrote go through {@link resolveSettingsWithFloor}.
 */
export function resolvePasswordPolicy(settings: PasswordSettings = {}): PasswordPolicy {
  return checkPolicy(parseSettings(settings));
}

// ---- entropy floor ----

/**
 * The least entropy of anything Generate Password makes, whatever the settings say (docs/PASSWORDS.md
 * "Entropy floor"): a repository's .vscode/settings.json can set `length: 1`, and a generated secret
 * may end up behind a fast unsalted hash. 2^72 guesses at 10^12 per second take ~75 years on average.
 */
export const MIN_ENTROPY_BITS = 72;

/** A setting raised to reach {@link MIN_ENTROPY_BITS}, with the entropy before and after. */
export interface RaisedSetting {
  setting: 'length' | 'words';
  from: number;
  to: number;
  fromBits: number;
  toBits: number;
}

/** Entropy of a policy's passwords; 0 when it is too short to hold every required class. */
function policyPasswordBits(policy: PasswordPolicy): number {
  const sizes = characterClasses(policy).map((c) => c.length);
  if (sizes.length === 0 || (policy.requireEachClass && policy.length < sizes.length)) return 0;
  return passwordEntropyBits(sizes, policy.length, policy.requireEachClass);
}

/** Entropy of a policy's passphrases from a list of `wordlistSize` words. */
export function passphraseEntropyBits(policy: Pick<PasswordPolicy, 'words' | 'appendNumber'>, wordlistSize: number = EFF_LARGE_WORDLIST.length): number {
  return policy.words * Math.log2(wordlistSize) + (policy.appendNumber ? Math.log2(PASSPHRASE_NUMBER_RANGE) : 0);
}

/**
 * {@link resolvePasswordPolicy} for settings a person or a repository wrote: `length` and `words` below
 * {@link MIN_ENTROPY_BITS} are raised to the least value that reaches it (the other settings kept),
 * and each raise is returned so the caller can say so. Only a policy that cannot be met still throws.
 */
export function resolveSettingsWithFloor(settings: PasswordSettings = {}): { policy: PasswordPolicy; raised: RaisedSetting[] } {
  const policy = parseSettings(settings);
  const raised: RaisedSetting[] = [];
  if (characterClasses(policy).length > 0) {
    const fromBits = policyPasswordBits(policy);
    const from = policy.length;
    while (policyPasswordBits(policy) < MIN_ENTROPY_BITS && policy.length < MAX_PASSWORD_LENGTH) policy.length++;
    if (policy.length !== from) raised.push({ setting: 'length', from, to: policy.length, fromBits, toBits: policyPasswordBits(policy) });
  }
  const fromWords = policy.words;
  const fromBits = passphraseEntropyBits(policy);
  while (passphraseEntropyBits(policy) < MIN_ENTROPY_BITS && policy.words < MAX_WORDS) policy.words++;
  if (policy.words !== fromWords) raised.push({ setting: 'words', from: fromWords, to: policy.words, fromBits, toBits: passphraseEntropyBits(policy) });
  return { policy: checkPolicy(policy), raised };
}

/** Token size in bytes: at least {@link MIN_ENTROPY_BITS} / 8, rounded up. */
export const MIN_TOKEN_BYTES_FLOOR = Math.ceil(MIN_ENTROPY_BITS / 8);

/** A human sentence for a raise: names the setting, its value and both entropies. */
export function describeRaise(r: RaisedSetting): string {
  return `"${setting(r.setting)}" is ${r.from} (${r.fromBits.toFixed(1)} bits): raised to ${r.to} (${r.toBits.toFixed(1)} bits), as Custodian never generates secrets below ${MIN_ENTROPY_BITS} bits.`;
}

export type PasswordOptions = Pick<
  PasswordPolicy,
  'length' | 'lowercase' | 'uppercase' | 'digits' | 'symbols' | 'excludeLookAlikes' | 'requireEachClass'
>;

/** The selected classes' alphabets (disjoint), look-alikes removed if asked. */
export function characterClasses(options: Omit<PasswordOptions, 'length' | 'requireEachClass'>): string[] {
  const selected: string[] = [];
  if (options.lowercase) selected.push(LOWERCASE);
  if (options.uppercase) selected.push(UPPERCASE);
  if (options.digits) selected.push(DIGITS);
  if (options.symbols) selected.push(SYMBOLS);
  if (!options.excludeLookAlikes) return selected;
  return selected.map((chars) => [...chars].filter((c) => !LOOK_ALIKES.includes(c)).join(''));
}

/** log2 of a positive bigint, accurate to double precision even far beyond 2^1024. */
function log2BigInt(n: bigint): number {
  const bits = n.toString(2).length;
  const shift = Math.max(0, bits - 53);
  return Math.log2(Number(n >> BigInt(shift))) + shift;
}

/**
 * Entropy of a uniform password of `length` characters over disjoint classes of the given sizes.
 * Without `requireEachClass`: length · log2(Σ sizes). With it, log2 of the number of strings that use every class,
 * by inclusion–exclusion: Σ over subsets S of the classes of (−1)^|S| · (Σ sizes − Σ_{i∈S} sizes)^length.
 */
export function passwordEntropyBits(classSizes: readonly number[], length: number, requireEachClass: boolean): number {
  for (const s of classSizes) if (!Number.isInteger(s) || s < 1) throw new RangeError(`"classSizes" expected positive integers, got ${s}`);
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`"length" expected a positive integer, got ${length}`);
  const total = classSizes.reduce((a, b) => a + b, 0);
  if (!requireEachClass) return length * Math.log2(total);
  const k = classSizes.length;
  let count = 0n;
  for (let mask = 0; mask < 1 << k; mask++) {
    let excluded = 0;
    let sign = 1n;
    for (let i = 0; i < k; i++) {
      if (mask & (1 << i)) {
        excluded += classSizes[i];
        sign = -sign;
      }
    }
    count += sign * BigInt(total - excluded) ** BigInt(length);
  }
  if (count <= 0n) throw new RangeError(`no password of length ${length} can contain all ${k} classes`);
  return log2BigInt(count);
}

/** A random password, uniform over all strings the options allow. */
export function generatePassword(options: Partial<PasswordOptions> = {}, random: RandomSource = cryptoRandom): Generated {
  const { length, lowercase, uppercase, digits, symbols, excludeLookAlikes, requireEachClass } = options;
  const policy = resolvePasswordPolicy({ length, lowercase, uppercase, digits, symbols, excludeLookAlikes, requireEachClass });
  const classes = characterClasses(policy);
  const alphabet = classes.join('');
  for (let attempt = 0; attempt < MAX_PASSWORD_ATTEMPTS; attempt++) {
    const value = uniformInts(alphabet.length, policy.length, random).map((i) => alphabet[i]).join('');
    // Rejecting whole passwords (rather than forcing one character per class) keeps every valid string equally likely.
    if (policy.requireEachClass && !classes.every((cls) => [...value].some((c) => cls.includes(c)))) continue;
    return {
      value,
      entropyBits: passwordEntropyBits(
        classes.map((c) => c.length),
        policy.length,
        policy.requireEachClass,
      ),
    };
  }
  throw new InvalidArgumentError('could not generate a password with every class: is the random source broken?');
}

export interface PassphraseOptions extends Pick<PasswordPolicy, 'words' | 'separator' | 'capitalize' | 'appendNumber'> {
  /** Distinct words to draw from. Default: the EFF large word list (7776 words). */
  wordlist: readonly string[];
}

/**
 * `words` words drawn uniformly and independently. Entropy: words · log2(list size), plus log2(10) with a number.
 * That counts word sequences; it equals the entropy of the string as long as the separator keeps words apart
 * (an empty separator can make two sequences spell the same string: then it is an upper bound).
 */
export function generatePassphrase(options: Partial<PassphraseOptions> = {}, random: RandomSource = cryptoRandom): Generated {
  const { words, separator, capitalize, appendNumber } = options;
  const policy = resolvePasswordPolicy({ words, separator, capitalize, appendNumber });
  const wordlist = options.wordlist ?? EFF_LARGE_WORDLIST;
  // The shipped list is checked by its tests; a caller's list is checked here, since duplicates would skew the draw.
  const valid = wordlist === EFF_LARGE_WORDLIST || (Array.isArray(wordlist) && wordlist.length >= 2 && new Set(wordlist).size === wordlist.length);
  if (!valid) {
    throw new InvalidArgumentError('"wordlist" must hold at least 2 distinct words');
  }
  const parts = uniformInts(wordlist.length, policy.words, random).map((i) => {
    const word: string = wordlist[i];
    return policy.capitalize ? word.charAt(0).toUpperCase() + word.slice(1) : word;
  });
  let entropyBits = policy.words * Math.log2(wordlist.length);
  if (policy.appendNumber) {
    parts.push(String(uniformInt(PASSPHRASE_NUMBER_RANGE, random)));
    entropyBits += Math.log2(PASSPHRASE_NUMBER_RANGE);
  }
  return { value: parts.join(policy.separator), entropyBits };
}

export type TokenEncoding = 'hex' | 'base64url';

export interface TokenOptions {
  /** Random bytes in the token. Default 32 (256 bits). */
  bytes: number;
  /** Default hex. base64url is unpadded (RFC 4648 §5). */
  encoding: TokenEncoding;
}

/** A random token (API key, webhook secret …): `bytes` random bytes, hex or base64url. Entropy 8 · bytes. */
export function generateToken(options: Partial<TokenOptions> = {}, random: RandomSource = cryptoRandom): Generated {
  const length = options.bytes ?? DEFAULT_TOKEN_BYTES;
  const encoding = options.encoding ?? 'hex';
  if (!Number.isInteger(length) || length < MIN_TOKEN_BYTES || length > MAX_TOKEN_BYTES) {
    throw new InvalidArgumentError(`"bytes" must be an integer from ${MIN_TOKEN_BYTES} to ${MAX_TOKEN_BYTES}`);
  }
  if (encoding !== 'hex' && encoding !== 'base64url') throw new InvalidArgumentError('"encoding" must be "hex" or "base64url"');
  const bytes = new Uint8Array(length);
  random(bytes);
  const value = encoding === 'hex' ? hexEncode(bytes) : base64UrlEncode(bytes);
  zeroize(bytes);
  return { value, entropyBits: 8 * length };
}
