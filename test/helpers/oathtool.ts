// oathtool (OATH Toolkit) as an independent oracle for HOTP/TOTP. CI installs it; elsewhere the tests that need it
// skip unless CI is set, so a missing install cannot pass silently in CI.
import { execFileSync } from 'node:child_process';
import { hexEncode } from '../../src/core/bytes';
import type { OtpAlgorithm } from '../../src/core/hotp';

export function hasOathtool(): boolean {
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error('oathtool is required in CI (apt-get install oathtool)');
    return false;
  }
}

function run(args: string[]): string[] {
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim().split('\n');
}

/** HOTP codes for counters counter … counter + window. */
export function oathHotp(secret: Uint8Array, counter: bigint, digits: number, window: number): string[] {
  return run(['--hotp', `--counter=${counter}`, `--digits=${digits}`, `--window=${window}`, hexEncode(secret)]);
}

/** TOTP codes for the step containing `time` and the `window` steps after it. `--now=@N` is a Unix time. */
export function oathTotp(secret: Uint8Array, time: number, algorithm: OtpAlgorithm, digits: number, period: number, window: number): string[] {
  return run([
    `--totp=${algorithm}`,
    `--digits=${digits}`,
    `--time-step-size=${period}s`,
    `--now=@${time}`,
    `--window=${window}`,
    hexEncode(secret),
  ]);
}
