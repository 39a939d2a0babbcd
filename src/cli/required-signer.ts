// --require-signer PUB, repeatable: the file must be signed by one of these keys (a team where any of
// several people may re-encrypt lists each of them). One check for decrypt, decrypt --values and run.
import { SignatureError, SignerMismatchError } from '../core/errors';
import type { RsaPublicKey } from '../core/keys';
import type { Args } from './args';
import { describeKey, loadPublicKey } from './key-files';
import type { PassphraseSource } from './passphrase';

export const REQUIRE_SIGNER_OPTION = { 'require-signer': { type: 'string', multiple: true } } as const;

/** The keys named by --require-signer, or undefined when the flag is absent. */
export async function loadRequiredSigners(args: Args, passphrases: () => PassphraseSource): Promise<RsaPublicKey[] | undefined> {
  const files = args.strings('require-signer');
  if (files.length === 0) return undefined;
  const keys: RsaPublicKey[] = [];
  for (const file of files) keys.push(await loadPublicKey(file, passphrases()));
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
