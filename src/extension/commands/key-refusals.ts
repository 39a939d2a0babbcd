// What to do about a key Custodian refuses depends on whose key it is. The core says what is wrong with
// the key (docs/KEYS.md); the command knows who can fix it: my own key I replace myself (Import Private
// Key), a teammate's or a contact's only they can make again, a CI's deploy key whoever runs the CI.
import * as vscode from 'vscode';
import { OversizedKeyError, UnsupportedKeyError, WeakKeyError } from '../../core/errors';
import { ActionableError } from '../ui/error-reporter';
import { CommandId } from './ids';

/** Whose key a command reads. */
export type KeyOwner = 'mine' | 'teammate' | 'contact' | 'deploy';

// The core's words for a key that is not RSA at all (Ed25519, EC, DSA …: keys.ts, spki.ts, openssh.ts),
// as opposed to an RSA key it cannot use (multi-prime, an OpenSSH certificate, an absurd size), which
// a new key of another type would not fix.
const NOT_RSA = /only supports RSA keys/;

/** ssh-keygen makes Ed25519 keys unless told otherwise; a separate file keeps the person's own key as it is. */
const MAKE_RSA_KEY = 'ssh-keygen -t rsa -b 3072 -f ~/.ssh/id_rsa_custodian';
const MADE_PUBLIC_KEY = '~/.ssh/id_rsa_custodian.pub';
const MAKE_DEPLOY_KEY = 'ssh-keygen -t rsa -b 3072 -N "" -f ci_custodian';

/** `err` with a hint for `owner`'s key when it is a key of the wrong type or too weak; else `err` itself. */
export function withKeyOwnerHint(err: unknown, owner: KeyOwner): unknown {
  const notRsa = err instanceof UnsupportedKeyError && !(err instanceof OversizedKeyError) && NOT_RSA.test(err.message);
  if (!notRsa && !(err instanceof WeakKeyError)) return err;
  switch (owner) {
    case 'mine':
      // The core's hint for a weak key of mine ("generate a new key …") already says it.
      if (!notRsa) return err;
      return new ActionableError(err.message, { cause: err, hint: vscode.l10n.t('Use Generate Key, or make an RSA key with {0} and import that.', MAKE_RSA_KEY) }, [
        { title: vscode.l10n.t('Generate Key…'), command: CommandId.GenerateKey },
      ]);
    case 'teammate':
    case 'contact': {
      const hint = notRsa
        ? vscode.l10n.t('Ask them for an RSA public key: {0}, then send {1}.', MAKE_RSA_KEY, MADE_PUBLIC_KEY)
        : vscode.l10n.t('Ask them for a new RSA key of 3072 bits: {0}, then send {1}.', MAKE_RSA_KEY, MADE_PUBLIC_KEY);
      return rehinted(err, hint);
    }
    case 'deploy':
      return rehinted(err, vscode.l10n.t('Make an RSA key of 3072 bits for the CI system, e.g. {0}, and add ci_custodian.pub.', MAKE_DEPLOY_KEY));
  }
}

/** The same error (class, message, cause) with another hint. */
function rehinted(err: UnsupportedKeyError | WeakKeyError, hint: string): UnsupportedKeyError | WeakKeyError {
  return err instanceof WeakKeyError ? new WeakKeyError(err.message, { cause: err, hint }) : new UnsupportedKeyError(err.message, { cause: err, hint });
}
