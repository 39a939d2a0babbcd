import * as vscode from 'vscode';
import { InvalidArgumentError } from '../../../core/errors';
import type { KeysDeps } from './register';
import { fromArgument, is, type Shape } from '../arguments';
import { pickMyKey, TARGET_ARGS, type TargetArgs } from '../pick';
import { lazyCore } from '../../lazy-core';

export type PublicKeyFormat = 'openssh' | 'pem';

export interface ExportPublicKeyArgs extends TargetArgs {
  format?: PublicKeyFormat;
  target?: 'clipboard' | 'file';
  /** Destination when target is 'file'. */
  uri?: vscode.Uri;
}

const EXPORT_PUBLIC_KEY_ARGS: Shape<ExportPublicKeyArgs> = { ...TARGET_ARGS, format: is.oneOf('openssh', 'pem'), target: is.oneOf('clipboard', 'file') };

export interface ExportPublicKeyResult {
  text: string;
  format: PublicKeyFormat;
  target: 'clipboard' | 'file';
  uri?: vscode.Uri;
}

export async function exportPublicKey(deps: KeysDeps, arg: unknown): Promise<ExportPublicKeyResult | undefined> {
  const a = fromArgument(arg, EXPORT_PUBLIC_KEY_ARGS);
  const info = await pickMyKey(deps.keys.current, arg, vscode.l10n.t('Export the public key of…'));
  if (!info) return undefined;
  let format = a.format;
  let target = a.target;
  if (!format || !target) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('$(copy) Copy OpenSSH Line'), description: vscode.l10n.t('ssh-rsa AAAA… — for a teammate\'s roster'), format: 'openssh' as const, target: 'clipboard' as const },
        // l10n-ignore: the PEM header, as it appears in the file
        { label: vscode.l10n.t('$(copy) Copy PEM'), description: '-----BEGIN PUBLIC KEY-----', format: 'pem' as const, target: 'clipboard' as const },
        { label: vscode.l10n.t('$(save) Save to File…'), description: vscode.l10n.t('.pub (OpenSSH) or .pem'), format: undefined, target: 'file' as const },
      ],
      { title: vscode.l10n.t('Export Public Key: {0}', info.name), placeHolder: vscode.l10n.t('The public key is safe to share') },
    );
    if (!picked) return undefined;
    format = format ?? picked.format;
    target = target ?? picked.target;
  }
  if (target !== 'clipboard' && target !== 'file') throw new InvalidArgumentError(vscode.l10n.t('"target" must be "clipboard" or "file", got {0}.', String(target)));

  let uri = a.uri;
  if (target === 'file' && !uri) {
    const slug = keyFileSlug(info.name);
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    uri = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save Public Key: {0}', info.name),
      defaultUri: base ? vscode.Uri.joinPath(base, `${slug}${format === 'pem' ? '.pem' : '.pub'}`) : undefined,
      filters: { [vscode.l10n.t('OpenSSH public key')]: ['pub'], [vscode.l10n.t('PEM public key')]: ['pem'] },
    });
    if (!uri) return undefined;
  }
  format ??= uri?.path.toLowerCase().endsWith('.pem') ? 'pem' : 'openssh';
  if (format !== 'openssh' && format !== 'pem') throw new InvalidArgumentError(vscode.l10n.t('"format" must be "openssh" or "pem", got {0}.', String(format)));

  const keys = await lazyCore.keys();
  const publicKey = await deps.keys.current.getPublicKey(info.id);
  const text = format === 'pem' ? keys.exportPublicKeyPem(publicKey) : keys.exportPublicKeyOpenSsh(publicKey, info.label ?? info.name);
  if (target === 'clipboard') {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.showInformationMessage(format === 'pem' ? vscode.l10n.t('Copied the PEM public key of "{0}".', info.name) : vscode.l10n.t('Copied the OpenSSH public key of "{0}".', info.name));
    return { text, format, target };
  }
  await vscode.workspace.fs.writeFile(uri!, new TextEncoder().encode(text.endsWith('\n') ? text : text + '\n'));
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved the public key of "{0}" to {1}.', info.name, vscode.workspace.asRelativePath(uri!)));
  return { text, format, target, uri };
}

/** A key's name as a file name ("Alice (work laptop)" → "alice-work-laptop"), for the save dialogs. */
export function keyFileSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'key';
}
