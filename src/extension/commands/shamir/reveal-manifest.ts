// Reveal Manifest: opens a set's manifest.json (public metadata: who holds which share, T, N, dealer).
import * as vscode from 'vscode';
import { MANIFEST_FILE } from '../../shamir/share-set';
import type { ShareSetEntry } from '../../shamir/share-store';
import { asObject } from '../pick';
import { pickSet, type SetArgs, type ShamirDeps } from './deps';

export async function revealManifest(deps: ShamirDeps, arg: unknown): Promise<vscode.Uri | undefined> {
  // Invalid sets have a node too (entry), so their manifest can be opened and fixed.
  const entry = asObject<{ entry: ShareSetEntry } & SetArgs>(arg).entry;
  const dir = entry?.dir ?? (await pickSet(deps, arg, vscode.l10n.t('Reveal the manifest of which set?')))?.dir;
  if (!dir) return undefined;
  const uri = vscode.Uri.joinPath(dir, MANIFEST_FILE);
  await vscode.window.showTextDocument(uri, { preview: true });
  return uri;
}
