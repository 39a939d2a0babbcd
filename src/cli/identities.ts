// Where a command's private keys come from: ONE order for every command that needs one (decrypt,
// encrypt -s, and whatever comes next). The first source that is given is used, and only it:
//   1. -i FILE (repeatable)            what the user typed wins over anything configured;
//   2. $CUSTODIAN_IDENTITY             key file path(s), separated by the OS path separator;
//   3. $CUSTODIAN_KEY                  the key text itself (a CI secret); encrypted keys take
//                                      --passphrase-file or $CUSTODIAN_PASSPHRASE;
//   4. the VS Code agent               keys that never leave the editor (docs/AGENT.md).
// Using one source only keeps it obvious which key signed or opened a file, and means an agent's
// consent prompt never appears because a configured key file happened not to match.
import * as path from 'node:path';
import type { Identity, Signer } from '../core/envelope';
import type { RsaPrivateKey, RsaPublicKey } from '../core/keys';
import type { RemoteValuesIdentity, RemoteValuesSigner } from '../core/values';
import { looksLikePem } from '../core/pem';
import { describeKey, loadPrivateKey, loadPublicKey, privateKeyFromText } from './key-files';
import { CliError, UsageError } from './output';
import type { PassphraseSource } from './passphrase';

export const IDENTITY_ENV = 'CUSTODIAN_IDENTITY';
export const KEY_ENV = 'CUSTODIAN_KEY';

export type IdentitySourceName = '-i' | typeof IDENTITY_ENV | typeof KEY_ENV | 'agent';

/**
 * A key held by another process: it unwraps file keys (`.enc` headers, value-encrypted files) and signs
 * digests, and never hands over the key.
 */
export type RemoteKey = Identity & Signer & RemoteValuesIdentity & RemoteValuesSigner;

/** A private key and where it came from (`-i alice.pem`, `CUSTODIAN_KEY`, `agent …`), for messages. */
export interface CliIdentity {
  readonly source: IdentitySourceName;
  /** The file, the variable or the agent's address: never key text. */
  readonly origin: string;
  readonly key: RsaPrivateKey | RemoteKey;
}

/** What the CLI knows of the agent: where it is, and the keys it offers. */
export interface AgentConnection {
  readonly address: string;
  /** The agent's keys, its default first. `file` names what they are for, shown when it asks for consent. */
  keys(request: { readonly file?: string }): Promise<readonly RemoteKey[]>;
}

export interface IdentityRequest {
  /** The `-i` values. */
  readonly files: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly passphrases: PassphraseSource;
  /** The agent named by the environment, if any (see agent-address.ts); undefined when none is. */
  readonly agent?: AgentConnection;
  /** The file the keys are for (the input of decrypt), shown by the agent's consent prompt. */
  readonly file?: string;
}

/** The paths in $CUSTODIAN_IDENTITY; empty entries (a stray separator) are ignored. */
export function identityPaths(env: NodeJS.ProcessEnv): string[] {
  return (env[IDENTITY_ENV] ?? '').split(path.delimiter).filter((p) => p !== '');
}

/** Which source the order picks, before anything is read. */
export function chosenSource(req: Pick<IdentityRequest, 'files' | 'env' | 'agent'>): IdentitySourceName | undefined {
  if (req.files.length > 0) return '-i';
  if (identityPaths(req.env).length > 0) return IDENTITY_ENV;
  if ((req.env[KEY_ENV] ?? '') !== '') return KEY_ENV;
  if (req.agent) return 'agent';
  return undefined;
}

/** The lines each command's --help shows under its key flag. */
export const IDENTITY_HELP = `                          without -i: the key files in $${IDENTITY_ENV} (separated by "${path.delimiter}"),
                          else the key text in $${KEY_ENV}, else the VS Code agent
                          ($CUSTODIAN_AGENT_SOCK); "custodian identities" shows which`;

export const NO_IDENTITY_HINT = `pass -i KEY, set ${IDENTITY_ENV}=FILE or ${KEY_ENV}, or run the command in a terminal of VS Code with Custodian active (its agent holds your key)`;

/** The key text in $CUSTODIAN_KEY: the error never repeats the value, which may be a key. */
async function keyFromEnv(text: string, passphrases: PassphraseSource): Promise<RsaPrivateKey> {
  if (!looksLikePem(text)) {
    throw new CliError(`${KEY_ENV} does not hold a PEM or OpenSSH private key`, {
      hint: `${KEY_ENV} takes the key text itself ("-----BEGIN … PRIVATE KEY-----" …); for a key file's path use ${IDENTITY_ENV}`,
    });
  }
  return privateKeyFromText(text, KEY_ENV, passphrases);
}

/** The keys of the first source that is given, in order. Throws a CliError when none is, or it holds none. */
export async function resolveIdentities(req: IdentityRequest): Promise<CliIdentity[]> {
  const source = chosenSource(req);
  switch (source) {
    case '-i':
      return loadFiles('-i', req.files, req.passphrases);
    case IDENTITY_ENV:
      return loadFiles(IDENTITY_ENV, identityPaths(req.env), req.passphrases);
    case KEY_ENV:
      return [{ source, origin: KEY_ENV, key: await keyFromEnv(req.env[KEY_ENV]!, req.passphrases) }];
    case 'agent': {
      const agent = req.agent!;
      const keys = await agent.keys({ file: req.file });
      if (keys.length === 0) {
        throw new CliError(`the Custodian agent at ${agent.address} holds no key`, { hint: `generate or import a key in VS Code, or pass -i KEY` });
      }
      return keys.map((key) => ({ source: 'agent', origin: `agent ${agent.address}`, key }));
    }
    default:
      // How the command was invoked, not what it found: a usage error (exit 2), as a missing -i always was.
      throw new UsageError('no private key', { hint: NO_IDENTITY_HINT });
  }
}

async function loadFiles(source: '-i' | typeof IDENTITY_ENV, files: readonly string[], passphrases: PassphraseSource): Promise<CliIdentity[]> {
  const out: CliIdentity[] = [];
  for (const file of files) out.push({ source, origin: source === '-i' ? file : `${IDENTITY_ENV} ${file}`, key: await loadPrivateKey(file, passphrases) });
  return out;
}

/**
 * The key to sign with: `select` a fingerprint (`SHA256:…`) among the resolved keys, or, without
 * one, the first (the agent lists its default key first).
 */
export async function resolveSigner(req: IdentityRequest, select?: string): Promise<CliIdentity> {
  const identities = await resolveIdentities(req);
  if (select === undefined) return identities[0];
  const found = identities.find((i) => i.key.publicKey.fingerprint === select);
  if (!found) {
    const have = identities.map((i) => describeKey(i.key.publicKey)).join(', ');
    throw new CliError(`no key ${select} among the keys of ${identities[0].source}: ${have}`, { hint: 'run "custodian identities" to see which keys are available' });
  }
  return found;
}

/**
 * Who signs a file written again in place (set, rekey): `chosen` (-s) when given, else the key that
 * opened it, the first of `identities` among `recipients` (a value-encrypted file: the one that opened
 * it), else my first key. One rule, so every rewrite names the same signer for the same file.
 */
export function rewriteSigner<K extends RsaPrivateKey | RemoteKey>(chosen: K | undefined, identities: readonly K[], recipients: readonly string[]): K {
  return chosen ?? identities.find((k) => recipients.includes(k.publicKey.fingerprint)) ?? identities[0];
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const RECIPIENT_HINT = '-r takes a public key file, a quoted "ssh-rsa AAAA…" line, or the full fingerprint (SHA256:…) of one of your own keys ("custodian identities" lists them); the team: -R .custodian/team';

/**
 * A recipient given with -r: the fingerprint (`SHA256:…`) of one of my keys, found in the order above
 * (the agent lists its public keys without asking), else a public key file or an "ssh-rsa …" line. So a
 * key kept in VS Code can be a recipient from its terminal without exporting it first.
 */
export async function recipientKey(arg: string, req: IdentityRequest): Promise<RsaPublicKey> {
  if (!FINGERPRINT.test(arg)) {
    try {
      return await loadPublicKey(arg, req.passphrases);
    } catch (err) {
      // A name, an e-mail or a short fingerprint is not a file: say what -r does take.
      if (err instanceof CliError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new CliError(err.message, { cause: err, hint: RECIPIENT_HINT });
      }
      throw err;
    }
  }
  const identities = await resolveIdentities(req);
  const found = identities.find((i) => i.key.publicKey.fingerprint === arg);
  if (!found) {
    const have = identities.map((i) => describeKey(i.key.publicKey)).join(', ');
    throw new CliError(`no key ${arg} among your keys (${identities[0].source}): ${have}`, {
      hint: "-r SHA256:… names one of your own keys (custodian identities lists them); for a teammate's key give their .pub file, or -R .custodian/team",
    });
  }
  return found.key.publicKey;
}
