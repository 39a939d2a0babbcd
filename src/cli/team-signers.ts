// Who signed a file, as the team knows them (docs/ROSTER.md §5): the verified members of a roster by
// name, deploy keys marked as such. `--require-signer DIR` accepts a file written by any verified member
// of DIR that can vouch, so CI need not list each teammate's key, and never one a deploy key wrote: a
// leaked CI key reads the team's files and could re-seal them, but not as the team. Without the flag, a
// file a deploy key signed is still worth a warning, since no one on the team writes with one.
import * as path from 'node:path';
import type { CryptoBackend } from '../core/crypto-backend';
import { displayText } from '../core/display-text';
import type { RsaPublicKey } from '../core/keys';
import type { CommandContext } from './command';
import { describeKey, loadRoster } from './key-files';
import { CliError, PROGRAM } from './output';
import { findRoster } from './repository';
import { refuseUnreadHistory, verifyMembers, vettedFingerprints } from './roster-trust';

export interface TeamSigner {
  readonly name: string;
  readonly key: RsaPublicKey;
  /** A deploy key: verified, but it vouches for no one and writes nothing the team should trust. */
  readonly deploy: boolean;
}

/** A command reads a roster once, however many files it names a signer for (--require-signer DIR too). */
const verified = new Map<string, Promise<TeamSigner[]>>();

/** The verified members of the signed roster `dir` (an unsigned roster vouches for no one). */
export function teamSigners(dir: string, backend: CryptoBackend): Promise<TeamSigner[]> {
  const key = path.resolve(dir);
  let signers = verified.get(key);
  if (!signers) {
    signers = readTeamSigners(dir, backend);
    verified.set(key, signers);
  }
  return signers;
}

async function readTeamSigners(dir: string, backend: CryptoBackend): Promise<TeamSigner[]> {
  const members = await loadRoster(dir);
  const verification = await verifyMembers(dir, members, backend);
  refuseUnreadHistory(dir, verification, 'no signer is taken from it');
  if (!verification.signed) {
    throw new CliError(`roster ${dir} is not signed: anyone who can commit could add a key to it`, { hint: `a member signs it once ('${PROGRAM} roster sign -i KEY'), or name the signers' public key files` });
  }
  const out: TeamSigner[] = [];
  for (const m of members) {
    const v = verification.entries.get(m.name);
    if (v?.status === 'verified') out.push({ name: m.name, key: m.key, deploy: v.deploy === true });
  }
  return out;
}

/**
 * The verified deploy keys of roster `dir`, by fingerprint. A command that signs a file's content anew as
 * the user (`set`, `rekey`, the merge drivers) does not take that content from one unasked: a leaked CI
 * key could have its values re-signed as a teammate's, which ends the warning its signature carries and
 * `--require-signer`'s refusal (a red team did it through a merge). Empty when the roster is unsigned or
 * its history cannot be read in full: then it vouches for no one, and the callers' own vetting refuses.
 */
export async function deployKeys(dir: string, backend: CryptoBackend): Promise<Set<string>> {
  try {
    return new Set((await teamSigners(dir, backend)).filter((s) => s.deploy).map((s) => s.key.fingerprint));
  } catch {
    return new Set();
  }
}

/** `--require-signer DIR`: the members of a roster who may write the team's files (deploy keys left out). */
export async function rosterWriters(dir: string, backend: CryptoBackend): Promise<RsaPublicKey[]> {
  const writers = (await teamSigners(dir, backend)).filter((s) => !s.deploy).map((s) => s.key);
  if (writers.length === 0) throw new CliError(`roster ${dir} has no verified member who can sign`, { hint: `run '${PROGRAM} roster verify -R ${dir}'` });
  return writers;
}

/**
 * The signer of `file` as its repository's roster knows it: `SHA256:… (alice)`, and a warning when it is
 * a deploy key or not in the roster at all. Undefined when there is no roster, or the roster lists the key
 * but does not vouch for it (the caller shows the key).
 * Never fails: naming the signer must not stop a command that has already verified the file.
 */
export async function describeTeamSigner(fingerprint: string, file: string | undefined, backend: CryptoBackend): Promise<{ label: string; warning?: string } | undefined> {
  let dir: string | undefined;
  try {
    dir = findRoster(file === undefined ? process.cwd() : path.dirname(path.resolve(file)));
  } catch {
    return undefined; // two rosters: no name, the key is shown
  }
  if (dir === undefined) return undefined;
  const shown = path.relative(process.cwd(), dir) || '.';
  try {
    const members = await loadRoster(dir);
    const member = members.find((m) => m.key.fingerprint === fingerprint);
    // Not in the roster at all: someone outside the team (a teammate removed who can still push) wrote it.
    if (!member) {
      return {
        label: `${fingerprint} (not in the roster ${shown})`,
        warning: `the signer is not in the roster ${shown}: someone outside the team (a removed teammate who can still push?) wrote this file; check what it changed ('git log -p' shows the commits) before you use it; '--require-signer ${shown}' refuses such files`,
      };
    }
    // In it, but as a commit put it there since you last checked (a .pub dropped in beside the team's).
    let unreviewed: string | undefined;
    if (!(await vettedFingerprints(dir, members, process.env, backend, { unreviewed: (why) => (unreviewed = why) })).has(fingerprint)) {
      if (unreviewed !== undefined) {
        return { label: `${fingerprint} (${displayText(member.name)}, not checked)`, warning: `the roster ${shown} cannot vouch for the signer ${displayText(member.name)}: ${unreviewed}` };
      }
      return {
        label: `${fingerprint} (${displayText(member.name)}, not checked by you)`,
        warning: `the signer ${displayText(member.name)} is in the roster ${shown}, but with a key that is new or changed since you last used the roster: anyone who can push can add a key there; check it ('${PROGRAM} roster verify -R ${shown}') and what the file changed before you use it`,
      };
    }
  } catch {
    return undefined;
  }
  try {
    const signer = (await teamSigners(dir, backend)).find((s) => s.key.fingerprint === fingerprint);
    if (!signer) return undefined;
    const name = displayText(signer.name);
    // Fingerprint first, as describeKey shows any key; the roster's name where the comment would be.
    const label = `${fingerprint} (${name}${signer.deploy ? ', a deploy key' : ''})`;
    if (!signer.deploy) return { label };
    return {
      label,
      warning: `${name} is a deploy key: deploy keys read the team's secrets, teammates write them; if no one on the team knows why ${name} signed this file, its secret has leaked (rotate it). '--require-signer ${shown}' accepts only files written by verified members`,
    };
  } catch {
    return undefined;
  }
}

/** What the CLI says of a file that verified but names no signer. */
export const NOT_SIGNED = "not signed: anyone with the recipients' public keys could have written this file";

/**
 * Says who signed a file that verified (`signer`; undefined: not signed): by roster name where the file's
 * repository knows the key, with a warning for a deploy key.
 */
export async function reportSigner(ctx: Pick<CommandContext, 'info' | 'warn' | 'backend'>, signer: RsaPublicKey | undefined, file: string | undefined, prefix = ''): Promise<void> {
  if (!signer) {
    ctx.warn(`${prefix}${NOT_SIGNED}`);
    return;
  }
  const team = await describeTeamSigner(signer.fingerprint, file, ctx.backend());
  ctx.info(`${prefix}signed by ${team?.label ?? describeKey(signer)}`);
  if (team?.warning) ctx.warn(team.warning);
}
