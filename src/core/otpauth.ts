// otpauth:// key URIs, the format authenticator apps read from QR codes (Google Authenticator "Key Uri Format"):
//   otpauth://TYPE/LABEL?PARAMETERS
//   TYPE   totp | hotp
//   LABEL  ACCOUNT or ISSUER:ACCOUNT, percent-encoded; spaces may follow the colon
//   secret=BASE32 (required), issuer=ISSUER, algorithm=SHA1|SHA256|SHA512, digits=6|7|8, period=SECONDS (totp),
//   counter=N (hotp, required)
// Errors never include the secret, nor the URI (which carries it).
import { base32Decode, base32Encode } from './base32';
import { CustodianError, OtpFormatError } from './errors';
import {
  assertAlgorithm,
  assertDigits,
  assertSecret,
  DEFAULT_ALGORITHM,
  DEFAULT_DIGITS,
  MAX_DIGITS,
  MIN_DIGITS,
  OTP_ALGORITHMS,
  type OtpAlgorithm,
} from './hotp';
import { DEFAULT_PERIOD } from './totp';

const SCHEME = 'otpauth://';
/** An HMAC key longer than a hash block is hashed first (RFC 2104 §2); nothing real is near this bound. */
const MAX_SECRET_BYTES = 1024;

interface OtpAuthCommon {
  /** The shared secret (raw bytes, decoded from base32). */
  secret: Uint8Array;
  /** Account name, e.g. `alice@example.com`. Never empty, no colon. */
  account: string;
  /** Provider or service, e.g. `Example Co`. No colon. */
  issuer?: string;
  algorithm: OtpAlgorithm;
  digits: number;
}
export interface TotpKey extends OtpAuthCommon {
  type: 'totp';
  /** Time step in seconds. */
  period: number;
}
export interface HotpKey extends OtpAuthCommon {
  type: 'hotp';
  /** The next counter value to use. */
  counter: number;
}
export type OtpAuthKey = TotpKey | HotpKey;

function fail(message: string, cause?: unknown): never {
  throw new OtpFormatError(`otpauth URI: ${message}`, cause === undefined ? {} : { cause });
}

function decodeComponent(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch (err) {
    return fail(`${what} has an invalid percent-encoding`, err);
  }
}

/** Characters that change how text around them shows (controls, bidi overrides, zero-width marks): a label with one can pass for another account. */
const HIDDEN_CHARS = /[\p{Cc}\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
/** A label longer than any service's is a file built to fill the screen. */
const MAX_LABEL_CHARS = 256;

function checkShownText(text: string, what: string): void {
  if (HIDDEN_CHARS.test(text)) fail(`${what} holds a control, direction or zero-width character, which can make it look like another account`);
  if ([...text].length > MAX_LABEL_CHARS) fail(`${what} is longer than ${MAX_LABEL_CHARS} characters`);
}

function parseLabel(raw: string): { issuer?: string; account: string } {
  const label = decodeComponent(raw, 'the label');
  checkShownText(label, 'the label');
  const parts = label.split(':');
  if (parts.length > 2) fail('the label may contain at most one ":" (between issuer and account)');
  const account = parts[parts.length - 1].trim();
  if (account === '') fail('the label has no account name');
  if (parts.length === 1) return { account };
  const issuer = parts[0].trim();
  if (issuer === '') fail('the label has an empty issuer before ":"');
  return { issuer, account };
}

function parseQuery(raw: string): Map<string, string> {
  const params = new Map<string, string>();
  if (raw === '') return params;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    // '+' as space is form encoding, which some generators use for the issuer.
    const name = decodeComponent(rawName.replace(/\+/g, ' '), 'a parameter name').toLowerCase();
    const value = decodeComponent(rawValue.replace(/\+/g, ' '), `parameter "${name}"`);
    if (params.has(name)) fail(`parameter "${name}" appears more than once`);
    params.set(name, value);
  }
  return params;
}

function parseInteger(value: string, name: string, min: number, max: number): number {
  if (!/^[0-9]{1,16}$/.test(value)) fail(`"${name}" must be a decimal integer`);
  const n = Number(value);
  if (n < min || n > max) fail(`"${name}" must be from ${min} to ${max}`);
  return n;
}

function parseSecret(value: string | undefined): Uint8Array {
  if (value === undefined || value.trim() === '') fail('the "secret" parameter is missing');
  let secret: Uint8Array;
  try {
    secret = base32Decode(value, { loose: true });
  } catch (err) {
    return fail('"secret" is not valid base32', err);
  }
  try {
    assertSecret(secret);
  } catch (err) {
    return fail(`"secret" is ${secret.length * 8} bits; at least 80 are required`, err);
  }
  if (secret.length > MAX_SECRET_BYTES) fail(`"secret" is longer than ${MAX_SECRET_BYTES} bytes`);
  return secret;
}

/** Parses an otpauth://totp/… or otpauth://hotp/… URI. Throws {@link OtpFormatError} saying what is wrong. */
export function parseOtpAuthUri(uri: string): OtpAuthKey {
  if (typeof uri !== 'string') throw new TypeError(`"uri" expected string, got ${typeof uri}`);
  const text = uri.trim();
  if (text.slice(0, SCHEME.length).toLowerCase() !== SCHEME) fail('must start with "otpauth://"');
  const m = /^([a-z]+)\/([^?#]*)(?:\?([^#]*))?$/i.exec(text.slice(SCHEME.length));
  if (m === null) fail('expected otpauth://totp/LABEL?PARAMETERS (no fragment)');
  const type = m[1].toLowerCase();
  if (type !== 'totp' && type !== 'hotp') fail('type must be "totp" or "hotp"');
  const label = parseLabel(m[2]);
  const params = parseQuery(m[3] ?? '');

  const secret = parseSecret(params.get('secret'));
  let issuer = label.issuer;
  const issuerParam = params.get('issuer')?.trim();
  if (issuerParam !== undefined && issuerParam !== '') {
    if (issuer !== undefined && issuer !== issuerParam) {
      fail('the "issuer" parameter and the issuer prefix of the label disagree');
    }
    if (issuerParam.includes(':')) fail('"issuer" may not contain ":"');
    checkShownText(issuerParam, '"issuer"');
    issuer = issuerParam;
  }

  const algorithm = (params.get('algorithm') ?? DEFAULT_ALGORITHM).toUpperCase();
  if (!(OTP_ALGORITHMS as readonly string[]).includes(algorithm)) fail(`"algorithm" must be one of ${OTP_ALGORITHMS.join(', ')}`);
  const digitsParam = params.get('digits');
  const digits = digitsParam === undefined ? DEFAULT_DIGITS : parseInteger(digitsParam, 'digits', MIN_DIGITS, MAX_DIGITS);

  const common = { secret, account: label.account, ...(issuer === undefined ? {} : { issuer }), algorithm: algorithm as OtpAlgorithm, digits };
  if (type === 'totp') {
    const periodParam = params.get('period');
    // A day at most: a code that never changes is not a one-time password.
    const period = periodParam === undefined ? DEFAULT_PERIOD : parseInteger(periodParam, 'period', 1, MAX_PERIOD_SECONDS);
    return { type: 'totp', ...common, period };
  }
  const counterParam = params.get('counter');
  if (counterParam === undefined) fail('"counter" is required for hotp');
  return { type: 'hotp', ...common, counter: parseInteger(counterParam, 'counter', 0, Number.MAX_SAFE_INTEGER) };
}

const MAX_PERIOD_SECONDS = 86_400;

function assertLabelPart(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`"${name}" expected string, got ${typeof value}`);
  if (value === '' || value.trim() !== value) fail(`"${name}" must be non-empty with no leading or trailing spaces`);
  if (value.includes(':')) fail(`"${name}" may not contain ":"`);
  if (/\p{Cs}/u.test(value)) fail(`"${name}" is not valid Unicode (lone surrogate)`);
}

/**
 * Writes the canonical URI: `otpauth://TYPE/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=…&digits=…&period=…`,
 * secret in unpadded uppercase base32, every parameter explicit. Parsing it gives back an equal key.
 */
export function formatOtpAuthUri(key: OtpAuthKey): string {
  assertLabelPart(key.account, 'account');
  if (key.issuer !== undefined) assertLabelPart(key.issuer, 'issuer');
  try {
    assertSecret(key.secret);
    assertAlgorithm(key.algorithm);
    assertDigits(key.digits);
  } catch (err) {
    if (err instanceof CustodianError) fail(err.message, err);
    throw err;
  }
  if (key.secret.length > MAX_SECRET_BYTES) fail(`"secret" is longer than ${MAX_SECRET_BYTES} bytes`);
  const enc = encodeURIComponent;
  const label = key.issuer === undefined ? enc(key.account) : `${enc(key.issuer)}:${enc(key.account)}`;
  const params = [`secret=${base32Encode(key.secret, { padding: false })}`];
  if (key.issuer !== undefined) params.push(`issuer=${enc(key.issuer)}`);
  params.push(`algorithm=${key.algorithm}`, `digits=${key.digits}`);
  if (key.type === 'totp') {
    if (!Number.isSafeInteger(key.period) || key.period < 1) fail('"period" must be a whole number of seconds, at least 1');
    params.push(`period=${key.period}`);
  } else if (key.type === 'hotp') {
    if (!Number.isSafeInteger(key.counter) || key.counter < 0) fail('"counter" must be a non-negative safe integer');
    params.push(`counter=${key.counter}`);
  } else {
    fail('type must be "totp" or "hotp"');
  }
  return `${SCHEME}${key.type}/${label}?${params.join('&')}`;
}
