// What the Shamir commands share: the few extension objects they use and the objects registerShamirCommands builds.
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import type { CryptoSession } from '../../crypto-session';
import type { PlaintextDocuments } from '../../editor/plaintext-documents';
import type { SecretClipboard } from '../../clipboard';
import type { ShareCryptoDeps } from '../../shamir/share-crypto';
import type { Contacts } from '../../storage/contacts';
import type { SidebarViews } from '../../views/tree';
import type { ShareSet, ShareStore } from '../../shamir/share-store';
import { fromArgument, is, type Shape } from '../arguments';

/** The extension objects the Shamir feature uses. */
export interface ShamirServices extends ShareCryptoDeps {
  readonly contacts: Contacts;
  readonly log: vscode.LogOutputChannel;
  readonly clipboard: SecretClipboard;
  readonly views: SidebarViews;
  readonly onDidChangeKeys: vscode.Event<void>;
  /** Where VS Code's user data is (its Local History holds copies of saved files). */
  readonly globalStorageUri: vscode.Uri;
}

export interface ShamirDeps {
  services: ShamirServices;
  session: CryptoSession;
  store: ShareStore;
  /** Read-only documents of recovered secrets (`custodian-recovered:`). */
  documents: PlaintextDocuments;
}

/** Names a set: commands take `{ setName, folderUri? }`; tree nodes carry `set`. */
export interface SetArgs {
  setName?: string;
  folderUri?: vscode.Uri;
  set?: ShareSet;
}

export const SET_ARGS: Shape<SetArgs> = {
  setName: is.string,
  folderUri: is.uri,
  set: is.reference<ShareSet>('a share set', { name: is.string, folder: is.reference<vscode.WorkspaceFolder>('a workspace folder', { uri: is.uri }) }),
};

/** The set a command works on: from its argument, or picked from the workspace's sets. */
export async function pickSet(deps: ShamirDeps, arg: unknown, title: string, placeHolder: string): Promise<ShareSet | undefined> {
  const a = fromArgument(arg, SET_ARGS);
  if (a.set) return deps.store.get(a.set.name, a.set.folder.uri);
  if (typeof a.setName === 'string') return deps.store.get(a.setName, a.folderUri);
  const sets = (await deps.store.list()).filter((s): s is ShareSet => s.kind === 'set');
  if (sets.length === 0) throw new CustodianError(vscode.l10n.t('This workspace has no share sets.'), { hint: vscode.l10n.t('Run "Custodian: Split Secret…" first.') });
  if (sets.length === 1) return sets[0];
  const picked = await vscode.window.showQuickPick(
    sets.map((s) => ({
      label: `$(key) ${s.name}`,
      description: vscode.l10n.t('{0} of {1} · {2}', s.manifest.threshold, s.manifest.total, s.manifest.created.slice(0, 10)),
      detail: s.manifest.custodians.map((c) => c.name).join(', '),
      set: s,
    })),
    { title, placeHolder },
  );
  return picked?.set;
}
