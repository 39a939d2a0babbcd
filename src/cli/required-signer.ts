// --require-signer PUB or DIR, repeatable: the file must be signed by one of these keys, or by a verified
// member of the roster DIR who can vouch (deploy keys left out: team-signers.ts). One check for decrypt,
// decrypt --values and run.
import { SignatureError, SignerMismatchError } from '../core/errors';
import type { RsaPublicKey } from '../core/keys';
import type { Args } from './args';
import { describeKey, loadPublicKey } from './key-files';
import type { PassphraseSource } from './passphrase';
import * as fs from 'node:fs/promises';
import type { CryptoBackend } from '../core/crypto-backend';

export const REQUIRE_SIGNER_OPTION = { 'require-signer': { type: 'string', multiple: true } } as const;

/** The keys named by --require-signer (a key file, or a roster's writers), or undefined when the flag is absent. */
export async function loadRequiredSigners(args: Args, passphrases: () => PassphraseSource, backend: CryptoBackend): Promise<RsaPublicKey[] | undefined> {
  const given = args.strings('require-signer');
  if (given.length === 0) return undefined;
  const keys: RsaPublicKey[] = [];
  for (const arg of given) {
    // A roster is read only when one is named: `run` loads none of the roster code otherwise.
    if ((await fs.stat(arg).catch(() => undefined))?.isDirectory()) keys.push(...(await (await import('./team-signers')).rosterWriters(arg, backend)));
    else keys.push(await loadPublicKey(arg, passphrases()));
  }
  return keys;
}

function asked(required: readonly RsaPublicKey[]): string {
  return required.length === 1 ? describeKey(required[0]) : `one of ${required.map(describeKey).join(', ')}`;
}

/**
 * Refuses a file whose signer is not one of `required`, and returns the one it is. `verified` says
 * whether `signer` comes from a signature that verified or only from the header's claim, which anyone
 * can write with public keys.
 */
export function requireSigner(signer: string | undefined, required: readonly RsaPublicKey[], verified = true): RsaPublicKey {
  if (signer === undefined) throw new SignatureError(`the file is not signed, but --require-signer asks for ${asked(required)}`);
  const match = required.find((k) => k.fingerprint === signer);
  if (!match) {
    throw new SignerMismatchError(`the file ${verified ? 'is signed' : 'claims to be signed'} by ${signer}, not by ${required.length === 1 ? 'the required signer' : 'a required signer:'} ${asked(required)}`);
  }
  return match;
}
