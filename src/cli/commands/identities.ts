// custodian identities: which sources of private keys are available, in the order decrypt and
// encrypt -s use them, with their fingerprints, and which one a command would use.
import { describeError } from '../../core/errors';
import { PASSPHRASE_FILE_OPTION, PASSPHRASE_HELP, type Command } from '../command';
import { commandMain } from '../command-main';
import { IDENTITY_ENV, KEY_ENV, chosenSource, identityPaths, resolveIdentities, type IdentityRequest, type IdentitySourceName } from '../identities';
import { describeKey } from '../key-files';

const SOURCES: readonly IdentitySourceName[] = ['-i', IDENTITY_ENV, KEY_ENV, 'agent'];

/** What a source would be given, or undefined when it is not given at all. */
function requestFor(source: IdentitySourceName, base: IdentityRequest): IdentityRequest | undefined {
  const none = { ...base, files: [], env: {}, agent: undefined };
  switch (source) {
    case '-i':
      return base.files.length > 0 ? { ...none, files: base.files } : undefined;
    case IDENTITY_ENV:
      return identityPaths(base.env).length > 0 ? { ...none, env: { [IDENTITY_ENV]: base.env[IDENTITY_ENV] } } : undefined;
    case KEY_ENV:
      return (base.env[KEY_ENV] ?? '') !== '' ? { ...none, env: { [KEY_ENV]: base.env[KEY_ENV] } } : undefined;
    case 'agent':
      return base.agent ? { ...none, agent: base.agent } : undefined;
  }
}

/** How a source is named in the list: the agent by what it is to the user, the keys in VS Code. */
function label(source: IdentitySourceName): string {
  return source === 'agent' ? 'VS Code agent' : source;
}

function notGiven(source: IdentitySourceName): string {
  switch (source) {
    case '-i':
      return 'not given';
    case 'agent':
      return 'not found (CUSTODIAN_AGENT_SOCK is not set: run in a terminal of VS Code with Custodian active)';
    default:
      return 'not set';
  }
}

export const identitiesCommand: Command = {
  name: 'identities',
  options: {
    identity: { type: 'string', short: 'i', multiple: true },
    ...PASSPHRASE_FILE_OPTION,
  },
  help: `Usage: custodian identities [-i KEY]… [--passphrase-file FILE]

Lists the sources of private keys in the order every command that needs one (decrypt,
encrypt -s/-S) consults them, with each key's fingerprint, and marks the one a command would
use: the first source that is given, and only it.
  1. -i KEY                 key files on the command line (repeatable)
  2. $${IDENTITY_ENV}     key file paths, separated by the OS path separator
  3. $${KEY_ENV}          the key text itself (for CI secrets); an encrypted key takes
                            --passphrase-file or $CUSTODIAN_PASSPHRASE
  4. the VS Code agent      $CUSTODIAN_AGENT_SOCK, set in VS Code's terminals and tasks while
                            Custodian is active; the key never leaves VS Code (docs/AGENT.md)
Asking the agent for its public keys needs no consent; using a key does.

Flags:
  -i, --identity KEY      a private key file, as the other commands take it; repeatable
${PASSPHRASE_HELP}

Examples:
  custodian identities
  CUSTODIAN_IDENTITY=~/.custodian/ci.pem custodian identities
`,
  async run(args, ctx) {
    args.expectPositionals(0, 0, '');
    const base: IdentityRequest = { files: args.strings('identity'), env: ctx.io.env, passphrases: ctx.passphrases(args), agent: ctx.agent() };
    const used = chosenSource(base);
    for (const source of SOURCES) {
      const request = requestFor(source, base);
      const mark = source === used ? ' (used)' : '';
      if (!request) {
        ctx.print(`${label(source)}: ${notGiven(source)}`);
        continue;
      }
      try {
        const found = await resolveIdentities(request);
        ctx.print(`${label(source)}:${mark}`);
        for (const i of found) ctx.print(`  ${describeKey(i.key.publicKey)}  ${i.origin}`);
      } catch (err) {
        ctx.print(`${label(source)}: unusable: ${describeError(err)}${mark}`);
      }
    }
    if (!used) ctx.warn('no source of private keys: commands that need one will fail');
  },
};

export const main = commandMain(identitiesCommand);
