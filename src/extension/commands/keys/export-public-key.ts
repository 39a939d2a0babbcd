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
  const info = await pickMyKey(deps.keys.current, arg, 'Export the public key of…');
  if (!info) return undefined;
  let format = a.format;
  let target = a.target;
  if (!format || !target) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: '$(copy) Copy OpenSSH Line', description: 'ssh-rsa AAAA… — for a teammate\'s roster', format: 'openssh' as const, target: 'clipboard' as const },
        { label: '$(copy) Copy PEM', description: '-----BEGIN PUBLIC KEY-----', format: 'pem' as const, target: 'clipboard' as const },
        { label: '$(save) Save to File…', description: '.pub (OpenSSH) or .pem', format: undefined, target: 'file' as const },
      ],
      { title: `Export Public Key: ${info.name}`, placeHolder: 'The public key is safe to share' },
    );
    if (!picked) return undefined;
    format = format ?? picked.format;
    target = target ?? picked.target;
  }
  if (target !== 'clipboard' && target !== 'file') throw new InvalidArgumentError(`"target" must be "clipboard" or "file", got ${String(target)}.`);

  let uri = a.uri;
  if (target === 'file' && !uri) {
    const slug = info.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'key';
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    uri = await vscode.window.showSaveDialog({
      title: `Save Public Key: ${info.name}`,
      defaultUri: base ? vscode.Uri.joinPath(base, `${slug}${format === 'pem' ? '.pem' : '.pub'}`) : undefined,
      filters: { 'OpenSSH public key': ['pub'], 'PEM public key': ['pem'] },
    });
    if (!uri) return undefined;
  }
  format ??= uri?.path.toLowerCase().endsWith('.pem') ? 'pem' : 'openssh';
  if (format !== 'openssh' && format !== 'pem') throw new InvalidArgumentError(`"format" must be "openssh" or "pem", got ${String(format)}.`);

  const keys = await lazyCore.keys();
  const publicKey = await deps.keys.current.getPublicKey(info.id);
  const text = format === 'pem' ? keys.exportPublicKeyPem(publicKey) : keys.exportPublicKeyOpenSsh(publicKey, info.label ?? info.name);
  if (target === 'clipboard') {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.showInformationMessage(`Copied the ${format === 'pem' ? 'PEM' : 'OpenSSH'} public key of "${info.name}".`);
    return { text, format, target };
  }
  await vscode.workspace.fs.writeFile(uri!, new TextEncoder().encode(text.endsWith('\n') ? text : text + '\n'));
  void vscode.window.showInformationMessage(`Saved the public key of "${info.name}" to ${vscode.workspace.asRelativePath(uri!)}.`);
  return { text, format, target, uri };
}
