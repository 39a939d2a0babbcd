// Shared by Add Teammate and Add Contact: read someone's public key and have the user confirm its
// fingerprint out of band before it is trusted (a swapped key would read everything sent to it).
import * as vscode from 'vscode';
import type { RsaPublicKey } from '../../../core/keys';
import type { Services } from '../../services';
import { promptForKeyText, readKeyFile } from '../key-input';

export interface PublicKeyArgs {
  /** The key as text: an `ssh-rsa` line, a PEM public key or a certificate. */
  text?: string;
  /** Or a file holding it. */
  uri?: vscode.Uri;
  /** Skip the fingerprint confirmation (the caller already compared it out of band). */
  confirm?: boolean;
}

export interface ReadPublicKey {
  key: RsaPublicKey;
  /** The text as given (trimmed): what goes into the roster file. */
  text: string;
}

export async function readPublicKey(services: Services, a: Partial<PublicKeyArgs>, title: string): Promise<ReadPublicKey | undefined> {
  let text: string | undefined = a.text;
  if (text === undefined && a.uri) text = await readKeyFile(a.uri);
  if (text === undefined) {
    text = (
      await promptForKeyText({
        title,
        what: 'Public key',
        filters: { 'Public keys': ['pub', 'pem', 'crt', 'cer'], 'All files': ['*'] },
        pastePlaceholder: 'ssh-rsa AAAAB3NzaC1yc2E… alice@example.com',
      })
    )?.text;
  }
  if (text === undefined) return undefined;
  const { parsePublicKey } = await services.keys();
  const trimmed = text.trim();
  return { key: parsePublicKey(trimmed), text: trimmed };
}

const MATCHES = 'Fingerprint Matches';

export async function confirmFingerprint(key: RsaPublicKey, who: string, role: string): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `Is this really ${who}'s key?`,
    {
      modal: true,
      detail:
        `Fingerprint (RSA ${key.bits}-bit):\n${key.fingerprint}\n\n` +
        `Before trusting it as a ${role}, ask ${who} to read their fingerprint to you over a channel you trust ` +
        '(in person or on a call), e.g. from "ssh-keygen -lf ~/.ssh/id_rsa.pub" or Custodian\'s Copy Fingerprint. ' +
        'Whoever holds the matching private key can read everything encrypted to it.',
    },
    MATCHES,
  );
  return choice === MATCHES;
}
