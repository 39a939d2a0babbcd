// Who `custodian encrypt` writes to, whole files and --values alike: each -r (a public key file, an
// "ssh-rsa …" line, or one of my own keys by fingerprint) and every key of each -R roster, the rosters
// vetted against the pins first. One place, so no way of encrypting skips the roster check.
import type { RecipientPolicy } from '../core/envelope-header';
import type { RsaPublicKey } from '../core/keys';
import type { Args } from './args';
import type { CommandContext } from './command';
import { recipientKey } from './identities';
import type { PassphraseSource } from './passphrase';
import { vettedRosterKeys } from './roster-trust';

/**
 * What a file written with these flags says of its recipients (FORMAT.md §3.4): *team* when they are a
 * roster's alone (`-R`), so re-keying the team later re-keys it; *chosen* when any was named with `-r`,
 * so no "re-encrypt for the team" ever widens a file written for particular people.
 */
export function recipientPolicyOf(args: Args): RecipientPolicy {
  return args.strings('recipient').length === 0 && args.strings('roster').length > 0 ? 'team' : 'chosen';
}

/**
 * The recipients of an encrypt command, each once, in the order given; nothing is written before this.
 * `passphrases`: the command's one source (a --passphrase-file may be a pipe, read once).
 */
export async function encryptRecipients(args: Args, ctx: CommandContext, passphrases: PassphraseSource): Promise<RsaPublicKey[]> {
  const recipients: RsaPublicKey[] = [];
  const seen = new Set<string>();
  const add = (key: RsaPublicKey): void => {
    if (seen.has(key.fingerprint)) return;
    seen.add(key.fingerprint);
    recipients.push(key);
  };
  const mine = { files: [], env: ctx.io.env, passphrases, agent: ctx.agent() };
  for (const arg of args.strings('recipient')) add(await recipientKey(arg, mine));
  // A changed key or an unvetted newcomer stops here, before any output is written.
  for (const key of await vettedRosterKeys(args.strings('roster'), args.string('pins'), ctx)) add(key);
  return recipients;
}
