import * as vscode from 'vscode';
import { zeroize } from '../../../core/bytes';
import { CustodianError } from '../../../core/errors';
import { estimatePassphraseStrength } from '../../../core/passphrase-strength';
import { writeFileAtomic } from '../../../node/atomic-file';
import type { KeysDeps } from './register';
import { fromArgument, is, type Shape } from '../arguments';
import { confirmModal, pickMyKey, TARGET_ARGS, type TargetArgs } from '../pick';
import { lazyCore } from '../../lazy-core';
import { askSecretPlace } from '../secret-place';
import { keyFileSlug } from './export-public-key';

export interface ExportPrivateKeyArgs extends TargetArgs {
  /** Used as given (no second entry); still has to pass the strength check. */
  passphrase?: string;
  uri?: vscode.Uri;
  /** Skip the modal warnings (what the file is; saving at `uri` inside the workspace). */
  confirm?: boolean;
}

const EXPORT_PRIVATE_KEY_ARGS: Shape<ExportPrivateKeyArgs> = { ...TARGET_ARGS, passphrase: is.string, confirm: is.boolean };

export async function exportPrivateKey(deps: KeysDeps, arg: unknown): Promise<{ uri: vscode.Uri } | undefined> {
  const a = fromArgument(arg, EXPORT_PRIVATE_KEY_ARGS);
  const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Back up the private key of…'));
  if (!info) return undefined;
  if (
    !a.confirm &&
    !(await confirmModal(
      vscode.l10n.t('Export a backup of the private key "{0}"?', info.name),
      vscode.l10n.t(
        'The file holds your private key, encrypted with a passphrase you choose (PKCS#8, AES-256-CBC, PBKDF2-HMAC-SHA256). Anyone with the file AND the passphrase can read every secret encrypted to this key and sign as you.\n\nKeep it offline (a password manager, an encrypted USB stick in a safe); never commit it or send it. Custodian cannot recover a forgotten passphrase.',
      ),
      vscode.l10n.t('Choose Passphrase…'),
    ))
  ) {
    return undefined;
  }

  const passphrase = a.passphrase ?? (await promptNewPassphrase(info.name));
  if (passphrase === undefined) return undefined;
  const strength = estimatePassphraseStrength(passphrase);
  if (!strength.ok) throw new CustodianError(vscode.l10n.t('The backup passphrase is too weak. {0}', strength.problem ?? ''));

  // A place inside the workspace is questioned, and declining it goes back to the dialog (the passphrase
  // typed twice is not lost); `confirm` takes a given place as it is.
  const uri =
    a.uri && a.confirm
      ? a.uri
      : await askSecretPlace(
          {
            // Named after the key: a second backup (another key, another machine) does not propose the first one's name.
            fileName: `${keyFileSlug(info.name)}-backup.pem`,
            dialog: {
              title: vscode.l10n.t('Save Private Key Backup: {0}', info.name),
              saveLabel: vscode.l10n.t('Save Encrypted Backup'),
              filters: { [vscode.l10n.t('Encrypted private key (PKCS#8 PEM)')]: ['pem'] },
            },
            question: vscode.l10n.t('Save the private key backup inside the workspace?'),
            detail: () => vscode.l10n.t('A file in the workspace is easily committed or shared by accident. A location outside the repository is safer.'),
            anyway: vscode.l10n.t('Save Here Anyway'),
          },
          a.uri,
        );
  if (!uri) return undefined;

  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Custodian: encrypting the backup of "{0}"…', info.name) },
    async () => {
      const keys = await lazyCore.keys();
      const der = await deps.keys.current.getPrivateKeyDer(info.id);
      let key;
      try {
        key = keys.privateKeyFromPkcs8Der(der);
        const pem = await keys.exportPrivateKeyEncrypted(key, passphrase);
        await writeBackup(uri, new TextEncoder().encode(pem));
      } finally {
        zeroize(der, key?.pkcs8Der);
      }
    },
  );
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved an encrypted backup of "{0}". Store it offline and remember its passphrase.', info.name));
  return { uri: uri };
}

/**
 * Readable by me only (0600, as the CLI writes it): an encrypted key is still something to keep from
 * other accounts, which could guess at its passphrase offline. Atomic, so an existing backup the save
 * dialog agreed to replace is never left half-written. Other file systems (remote, virtual) set their own modes.
 */
async function writeBackup(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  if (uri.scheme !== 'file') return vscode.workspace.fs.writeFile(uri, bytes);
  await writeFileAtomic(uri.fsPath, bytes, { force: true, mode: 0o600 });
}

async function promptNewPassphrase(name: string): Promise<string | undefined> {
  const first = await vscode.window.showInputBox({
    title: vscode.l10n.t('Backup passphrase for "{0}" (1/2)', name),
    prompt: vscode.l10n.t('At least 12 characters; a few random words work well.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v) return undefined;
      const s = estimatePassphraseStrength(v);
      return s.ok ? undefined : s.problem;
    },
  });
  if (!first) return undefined;
  const second = await vscode.window.showInputBox({
    title: vscode.l10n.t('Backup passphrase for "{0}" (2/2)', name),
    prompt: vscode.l10n.t('Enter the same passphrase again.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v && v !== first && v.length >= first.length ? vscode.l10n.t('The passphrases differ.') : undefined),
  });
  if (second === undefined) return undefined;
  if (second !== first) throw new CustodianError(vscode.l10n.t('The two passphrases differ. Nothing was exported.'));
  return first;
}
