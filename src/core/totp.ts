// TOTP: time-based one-time passwords (RFC 6238): HOTP with the counter T = floor((now - T0) / period).
import { DEFAULT_ALGORITHM, DEFAULT_DIGITS, hotp, type HotpOptions } from './hotp';
import { InvalidArgumentError } from './errors';

/** RFC 6238 §4.1: X, the time step, defaults to 30 s; T0, the Unix time to start counting from, is 0. */
export const DEFAULT_PERIOD = 30;
const T0 = 0;

export interface TotpOptions extends HotpOptions {
  /** Time step in whole seconds, at least 1. Default 30. */
  period?: number;
}

function assertPeriod(period: unknown): asserts period is number {
  if (typeof period !== 'number' || !Number.isSafeInteger(period) || period < 1) {
    throw new InvalidArgumentError('"period" must be a whole number of seconds, at least 1');
  }
}

function assertNow(nowSeconds: unknown): asserts nowSeconds is number {
  if (typeof nowSeconds !== 'number' || !Number.isFinite(nowSeconds) || nowSeconds < T0 || nowSeconds > Number.MAX_SAFE_INTEGER) {
    throw new InvalidArgumentError('"nowSeconds" must be a finite, non-negative Unix time in seconds');
  }
}

/** The RFC 6238 counter T for a Unix time in seconds (fractions allowed); a bigint, as it may exceed 2^32. */
export function totpCounter(nowSeconds: number, period: number = DEFAULT_PERIOD): bigint {
  assertNow(nowSeconds);
  assertPeriod(period);
  return BigInt(Math.floor((Math.floor(nowSeconds) - T0) / period));
}

/** The TOTP code at Unix time `nowSeconds`. */
export function totp(secret: Uint8Array, nowSeconds: number, options: TotpOptions = {}): string {
  const counter = totpCounter(nowSeconds, options.period ?? DEFAULT_PERIOD);
  return hotp(secret, counter, {
    algorithm: options.algorithm ?? DEFAULT_ALGORITHM,
    digits: options.digits ?? DEFAULT_DIGITS,
  });
}

/** Whole seconds until the code shown at `nowSeconds` changes: from `period` (a step just began) down to 1. */
export function secondsRemaining(nowSeconds: number, period: number = DEFAULT_PERIOD): number {
  assertNow(nowSeconds);
  assertPeriod(period);
  return period - ((Math.floor(nowSeconds) - T0) % period);
}
