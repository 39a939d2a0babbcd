// Reveal Manifest: opens a set's manifest.json (public metadata: who holds which share, T, N, dealer).
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import { MANIFEST_FILE } from '../../shamir/share-set';
import type { ShareSetEntry } from '../../shamir/share-store';
import { fromArgument, is, type Shape } from '../arguments';
import { pickSet, SET_ARGS, type SetArgs, type ShamirDeps } from './deps';

interface RevealManifestArgs extends SetArgs {
  /** A tree node's set, valid or not (an invalid set's manifest can be opened to fix it). */
  entry?: ShareSetEntry;
}

const REVEAL_MANIFEST_ARGS: Shape<RevealManifestArgs> = { ...SET_ARGS, entry: is.reference<ShareSetEntry>('a share set', { dir: is.uri, name: is.string }) };

export async function revealManifest(deps: ShamirDeps, arg: unknown): Promise<vscode.Uri | undefined> {
  // Invalid sets have a node too (entry), so their manifest can be opened and fixed.
  const given = fromArgument(arg, REVEAL_MANIFEST_ARGS).entry;
  const entry = given && (await deps.store.list()).find((e) => e.dir.toString() === given.dir.toString());
  if (given && !entry) throw new CustodianError(vscode.l10n.t('{0} is not a share set of this workspace.', vscode.workspace.asRelativePath(given.dir)));
  const dir = entry?.dir ?? (await pickSet(deps, arg, vscode.l10n.t('Reveal Shamir Share Set Manifest'), vscode.l10n.t('Reveal the manifest of which set?')))?.dir;
  if (!dir) return undefined;
  const uri = vscode.Uri.joinPath(dir, MANIFEST_FILE);
  await vscode.window.showTextDocument(uri, { preview: true });
  return uri;
}
