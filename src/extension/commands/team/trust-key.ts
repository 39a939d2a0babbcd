// Shared by Add Teammate and Add Contact: read someone's public key and have the user confirm its
// fingerprint out of band before it is trusted (a swapped key would read everything sent to it).
import * as vscode from 'vscode';
import type { RsaPublicKey } from '../../../core/keys';
import { displayText } from '../../../core/display-text';
import { promptForKeyText, readKeyFile } from '../key-input';
import { lazyCore } from '../../lazy-core';
import { is, type Shape } from '../arguments';
import { withKeyOwnerHint, type KeyOwner } from '../key-refusals';

export interface PublicKeyArgs {
  /** The key as text: an `ssh-rsa` line, a PEM public key or a certificate. */
  text?: string;
  /** Or a file holding it. */
  uri?: vscode.Uri;
  /** Skip the fingerprint confirmation (the caller already compared it out of band). */
  confirm?: boolean;
}

export const PUBLIC_KEY_ARGS: Shape<PublicKeyArgs> = { text: is.string, uri: is.uri, confirm: is.boolean };

export interface ReadPublicKey {
  key: RsaPublicKey;
  /** The text as given (trimmed): what goes into the roster file. */
  text: string;
}

/** `owner` is whose key it is: a refused key's hint says who must make a new one (key-refusals.ts). */
export async function readPublicKey(a: Partial<PublicKeyArgs>, title: string, owner: Exclude<KeyOwner, 'mine'>): Promise<ReadPublicKey | undefined> {
  let text: string | undefined = a.text;
  if (text === undefined && a.uri) text = await readKeyFile(a.uri);
  if (text === undefined) {
    text = (
      await promptForKeyText({
        title,
        kind: 'public',
        filters: { [vscode.l10n.t('Public keys')]: ['pub', 'pem', 'crt', 'cer'], [vscode.l10n.t('All files')]: ['*'] },
        pastePlaceholder: 'ssh-rsa AAAAB3NzaC1yc2E… alice@example.com',
      })
    )?.text;
  }
  if (text === undefined) return undefined;
  const { parsePublicKey } = await lazyCore.keys();
  const trimmed = text.trim();
  try {
    return { key: parsePublicKey(trimmed), text: trimmed };
  } catch (err) {
    throw withKeyOwnerHint(err, owner);
  }
}

/**
 * Asks whether `key` really is `who`'s. A QuickPick rather than a modal: in a modal the first button is
 * the default, so a stray Enter would trust the key. Here the first (active) item declines, and trusting
 * takes a deliberate move to the second one; Escape and focus loss decline too.
 */
export async function confirmFingerprint(key: RsaPublicKey, who: string, role: 'teammate' | 'contact' | 'deploy'): Promise<boolean> {
  const name = displayText(who);
  // A deploy key has no person to read it out: it is checked against the key the CI system holds.
  const items: (vscode.QuickPickItem & { trust: boolean })[] = [
    {
      label: vscode.l10n.t('$(circle-slash) Not yet: I have not compared it'),
      description: vscode.l10n.t('adds nothing'),
      detail:
        role === 'deploy'
          ? vscode.l10n.t('Compare it with the key your CI system holds, e.g. "ssh-keygen -lf ci.pub" where the key was made, or the fingerprint "custodian keygen" printed.')
          : vscode.l10n.t('Ask {0} to read their fingerprint to you over a channel you trust (in person or on a call), e.g. from "ssh-keygen -lf ~/.ssh/id_rsa.pub" or Custodian\'s Copy Fingerprint.', name),
      trust: false,
    },
    {
      label: role === 'deploy' ? vscode.l10n.t('$(pass) It matches the key my CI system holds') : vscode.l10n.t('$(pass) {0} read me this same fingerprint', name),
      description: key.fingerprint,
      detail:
        role === 'teammate'
          ? vscode.l10n.t('Trust it as a teammate: whoever holds the matching private key can read everything encrypted to it.')
          : role === 'deploy'
            ? vscode.l10n.t('Add it as a deploy key: whoever holds the matching private key can read everything encrypted to the team, and cannot sign anyone into it.')
            : vscode.l10n.t('Trust it as a contact: whoever holds the matching private key can read everything encrypted to it.'),
      trust: true,
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: role === 'deploy' ? vscode.l10n.t('Is this really your CI\'s key? RSA {0}-bit, {1}', key.bits, key.fingerprint) : vscode.l10n.t('Is this really {0}\'s key? RSA {1}-bit, {2}', name, key.bits, key.fingerprint),
    placeHolder: role === 'deploy' ? vscode.l10n.t('Compare {0} with the key your CI system holds', key.fingerprint) : vscode.l10n.t('Compare {0} with what {1} reads out', key.fingerprint, name),
    ignoreFocusOut: true,
  });
  // "Not yet" (not Escape) is a decision: said what it did, and how to come back once compared.
  if (picked?.trust === false) void vscode.window.showInformationMessage(notAdded(name, role));
  return picked?.trust === true;
}

function notAdded(name: string, role: 'teammate' | 'contact' | 'deploy'): string {
  switch (role) {
    case 'teammate':
      return vscode.l10n.t('Nothing was added: {0} is not on the team. Once they have read you their fingerprint and it matches, run Add Teammate… again.', name);
    case 'contact':
      return vscode.l10n.t('Nothing was added: {0} is not a contact. Once they have read you their fingerprint and it matches, run Add Contact… again.', name);
    case 'deploy':
      return vscode.l10n.t('Nothing was added. Once you have compared the fingerprint with the key your CI system holds, run Add Deploy Key (CI)… again.');
  }
}
