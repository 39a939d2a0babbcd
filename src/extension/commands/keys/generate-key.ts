import * as vscode from 'vscode';
import { zeroize } from '../../../core/bytes';
import type { RsaKeySize } from '../../../core/crypto-backend';
import { InvalidArgumentError } from '../../../core/errors';
import type { KeysDeps } from './register';
import type { KeyInfo } from '../../storage/key-store';
import { secretLocation, type SecretLocation } from '../../storage/secret-location';
import { workspaceFolders } from '../../storage/workspace-files';
import { CommandId } from '../ids';
import { fromArgument, is, type Shape } from '../arguments';
import { isInteractive } from '../pick';
import { lazyCore } from '../../lazy-core';
import { BACK, inputStep, pickStep, runSteps, type Back } from '../../ui/multi-step';

export interface GenerateKeyArgs {
  name?: string;
  /** Email or label: the identity written into the roster by Add Myself to Team. */
  label?: string;
  bits?: RsaKeySize;
}

const GENERATE_KEY_ARGS: Shape<GenerateKeyArgs> = { name: is.string, label: is.string, bits: is.oneOf<RsaKeySize>(2048, 3072, 4096) };

const SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];

/** Generates an RSA key pair into SecretStorage; resolves to its metadata (undefined when cancelled). */
export async function generateKey(deps: KeysDeps, arg: unknown): Promise<KeyInfo | undefined> {
  const a = fromArgument(arg, GENERATE_KEY_ARGS);
  const answers: Partial<GenerateKeyArgs> = { name: a.name, label: a.name !== undefined ? a.label : undefined, bits: a.bits };
  if ((a.name === undefined || a.bits === undefined) && !(await askKeyDetails(answers, deps.config().defaultKeySize, a.name === undefined, a.bits === undefined))) {
    return undefined;
  }
  const { name, label, bits } = answers as GenerateKeyArgs & { name: string; bits: RsaKeySize };
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
 * steps. The encrypted backup is offered (a lost keychain or browser profile loses the key) unless the key
 * came from one: a passphrase-protected file is that backup (a newcomer who had just imported hers was
 * offered to make it again).
 */
export function announcement(info: KeyInfo, canJoin: boolean, location: SecretLocation = secretLocation(), fromBackup = false): { text: string; actions: string[] } {
  const where = location.inBrowser ? `${location.where}. ${location.detail}` : `${location.where}.`;
  const text = info.isDefault
    ? vscode.l10n.t('Key "{0}" ({1}-bit, {2}) is your default key and is stored in {3}', info.name, info.bits, info.fingerprint, where)
    : vscode.l10n.t('Key "{0}" ({1}-bit, {2}) is stored in {3}', info.name, info.bits, info.fingerprint, where);
  return { text, actions: [...(fromBackup ? [] : [BACK_UP()]), ...(canJoin ? [JOIN()] : [])] };
}

/**
 * Tells the user where the key went and offers the natural next steps: joining the team only when
 * `offerJoin` (asked interactively, and not in the roster already); a backup unless `fromBackup`.
 */
export function announce(info: KeyInfo, offerJoin: boolean, fromBackup = false): void {
  const { text, actions } = announcement(info, offerJoin && workspaceFolders().length > 0, secretLocation(), fromBackup);
  // In a browser the key is one "clear site data" away from gone: a warning, not an info toast.
  const shown = secretLocation().inBrowser ? vscode.window.showWarningMessage(text, ...actions) : vscode.window.showInformationMessage(text, ...actions);
  void shown.then((choice) => {
    if (choice === BACK_UP()) void vscode.commands.executeCommand(CommandId.ExportPrivateKey, { id: info.id });
    else if (choice === JOIN()) void vscode.commands.executeCommand(CommandId.AddMyselfToTeam, { id: info.id, askName: true });
  });
}

function validateName(value: string): string | undefined {
  return value.trim() ? undefined : vscode.l10n.t('Enter a name, e.g. "Alice (work laptop)".');
}

/** Name, email or label, size: the steps the caller did not answer, with Back between them. */
async function askKeyDetails(answers: Partial<GenerateKeyArgs>, preferred: RsaKeySize, askName: boolean, askBits: boolean): Promise<boolean> {
  const totalSteps = (askName ? 2 : 0) + (askBits ? 1 : 0);
  const steps: (() => Promise<true | Back | undefined>)[] = [];
  if (askName) {
    steps.push(async () => {
      const name = await inputStep({
        title: vscode.l10n.t('Generate Key: name'),
        step: 1,
        totalSteps,
        prompt: vscode.l10n.t('A name for the key, shown in the sidebar'),
        placeholder: vscode.l10n.t('e.g. Alice (work laptop)'),
        value: answers.name,
        validate: validateName,
      });
      if (typeof name !== 'string') return name;
      answers.name = name;
      return true;
    });
    steps.push(async () => {
      const label = await inputStep({
        title: vscode.l10n.t('Generate Key: email or label (optional)'),
        step: 2,
        totalSteps,
        prompt: vscode.l10n.t('Your identity in team rosters (the comment of your public key line). Leave empty to use the name.'),
        placeholder: vscode.l10n.t('e.g. alice@example.com'),
        value: answers.label,
      });
      if (typeof label !== 'string') return label;
      answers.label = label;
      return true;
    });
  }
  if (askBits) {
    const step = steps.length + 1;
    steps.push(async () => {
      const picked = await pickBits(answers.bits ?? preferred, step, totalSteps);
      if (picked === undefined || picked === BACK) return picked;
      answers.bits = picked.bits;
      return true;
    });
  }
  return runSteps(steps);
}

async function pickBits(preferred: RsaKeySize, step: number, totalSteps: number): Promise<{ bits: RsaKeySize } | Back | undefined> {
  const describe: Record<RsaKeySize, string> = {
    2048: vscode.l10n.t('fastest; the minimum Custodian accepts'),
    3072: vscode.l10n.t('recommended: ~128-bit security'),
    4096: vscode.l10n.t('slower to generate and use'),
  };
  const items = SIZES.map((bits) => ({ label: vscode.l10n.t('{0}-bit RSA', bits), description: describe[bits], bits }));
  return pickStep({ title: vscode.l10n.t('Generate Key: size'), step, totalSteps, items, placeholder: vscode.l10n.t('RSA key size'), active: items.find((i) => i.bits === preferred) });
}
