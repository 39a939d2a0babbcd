import * as vscode from 'vscode';
import { zeroize } from '../../../core/bytes';
import type { RsaKeySize } from '../../../core/crypto-backend';
import { InvalidArgumentError } from '../../../core/errors';
import type { KeysDeps } from './register';
import type { KeyInfo } from '../../storage/key-store';
import { secretLocation, type SecretLocation } from '../../storage/secret-location';
import { workspaceFolders } from '../../storage/workspace-files';
import { CommandId } from '../ids';
import { asObject, isInteractive } from '../pick';
import { lazyCore } from '../../lazy-core';

export interface GenerateKeyArgs {
  name?: string;
  /** Email or label: the identity written into the roster by Add Myself to Team. */
  label?: string;
  bits?: RsaKeySize;
}

const SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];

/** Generates an RSA key pair into SecretStorage; resolves to its metadata (undefined when cancelled). */
export async function generateKey(deps: KeysDeps, arg: unknown): Promise<KeyInfo | undefined> {
  const a = asObject<GenerateKeyArgs>(arg);
  const name = a.name ?? (await promptName());
  if (name === undefined) return undefined;
  const label = a.name !== undefined ? a.label : await promptLabel();
  if (label === undefined && a.name === undefined) return undefined;
  const bits = a.bits ?? (await promptBits(deps.config().defaultKeySize));
  if (bits === undefined) return undefined;
  if (!SIZES.includes(bits)) throw new InvalidArgumentError(vscode.l10n.t('Key size must be one of {0} bits, got {1}.', SIZES.join(', '), bits));

  const info = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Custodian: generating a {0}-bit RSA key for "{1}"…', bits, name) },
    async () => {
      const [{ generateRsaKeyPair }, backend] = await Promise.all([lazyCore.keys(), deps.backend()]);
      const key = await generateRsaKeyPair(backend, bits);
      try {
        return await deps.keys.current.add(key, { name, label: label || undefined });
      } finally {
        zeroize(key.pkcs8Der);
      }
    },
  );
  announce(info, isInteractive(arg));
  return info;
}

const BACK_UP = (): string => vscode.l10n.t('Back Up (Export Private Key)…');
const JOIN = (): string => vscode.l10n.t('Add Myself to Team');

/**
 * What to say once a key is stored: where it actually lives on this host (secretLocation) and the next
 * steps. The encrypted backup is always offered: a lost keychain or browser profile loses the key.
 */
export function announcement(info: KeyInfo, canJoin: boolean, location: SecretLocation = secretLocation()): { text: string; actions: string[] } {
  const where = location.inBrowser ? `${location.where}. ${location.detail}` : `${location.where}.`;
  const text = info.isDefault
    ? vscode.l10n.t('Key "{0}" ({1}-bit, {2}) is your default key and is stored in {3}', info.name, info.bits, info.fingerprint, where)
    : vscode.l10n.t('Key "{0}" ({1}-bit, {2}) is stored in {3}', info.name, info.bits, info.fingerprint, where);
  return { text, actions: [BACK_UP(), ...(canJoin ? [JOIN()] : [])] };
}

/** Tells the user where the key went and offers the natural next steps. */
export function announce(info: KeyInfo, interactive: boolean): void {
  const { text, actions } = announcement(info, interactive && workspaceFolders().length > 0);
  // In a browser the key is one "clear site data" away from gone: a warning, not an info toast.
  const shown = secretLocation().inBrowser ? vscode.window.showWarningMessage(text, ...actions) : vscode.window.showInformationMessage(text, ...actions);
  void shown.then((choice) => {
    if (choice === BACK_UP()) void vscode.commands.executeCommand(CommandId.ExportPrivateKey, { id: info.id });
    else if (choice === JOIN()) void vscode.commands.executeCommand(CommandId.AddMyselfToTeam, { id: info.id });
  });
}

function validateName(value: string): string | undefined {
  return value.trim() ? undefined : vscode.l10n.t('Enter a name, e.g. "Alice (work laptop)".');
}

async function promptName(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Generate Key (1/3): name'),
    prompt: vscode.l10n.t('A name for the key, shown in the sidebar'),
    placeHolder: vscode.l10n.t('e.g. Alice (work laptop)'),
    validateInput: validateName,
    ignoreFocusOut: true,
  });
}

async function promptLabel(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Generate Key (2/3): email or label (optional)'),
    prompt: vscode.l10n.t('Your identity in team rosters (the comment of your public key line). Leave empty to use the name.'),
    placeHolder: vscode.l10n.t('e.g. alice@example.com'),
    ignoreFocusOut: true,
  });
}

async function promptBits(preferred: RsaKeySize): Promise<RsaKeySize | undefined> {
  const describe: Record<RsaKeySize, string> = {
    2048: vscode.l10n.t('fastest; the minimum Custodian accepts'),
    3072: vscode.l10n.t('recommended: ~128-bit security'),
    4096: vscode.l10n.t('slower to generate and use'),
  };
  const items = SIZES.map((bits) => ({ label: vscode.l10n.t('{0}-bit RSA', bits), description: describe[bits], picked: bits === preferred, bits }));
  items.sort((x, y) => Number(y.bits === preferred) - Number(x.bits === preferred));
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Generate Key (3/3): size'), placeHolder: vscode.l10n.t('RSA key size') });
  return picked?.bits;
}
