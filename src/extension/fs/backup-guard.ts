// Keeps VS Code's hot-exit backups of decrypted documents off the disk.
//
// VS Code backs up every modified document about a second after each edit, whatever its scheme, into
// `<Backups>/<workspace id>/<scheme>/<hash>` (desktop: `<user-data>/Backups`, code-server and other
// web workbenches with remote user data: `<user-data>/User/Backups`); there is no API to opt out. So
// the `custodian-enc` folder there is taken by a read-only *file*: the backup write then fails (the
// folder cannot be created) and VS Code logs the failure instead of writing plaintext. On shutdown,
// an unsaved decrypted document has no backup, so VS Code asks whether to save it instead of silently
// keeping it. A `custodian-enc` backup *directory* left by an earlier session is wiped and replaced.
// The workspace id is the name of the extension's workspaceStorage folder (`context.storageUri`). A
// window without a folder has none, and VS Code names its backup folder only when it first writes to it
// (a red team found the plaintext there): such a window shows decrypted documents read-only, so nothing
// of theirs is ever modified, and nothing backed up. So does a remote window of desktop VS Code: its
// backups are written on the computer showing the window, which this extension, running on the remote
// host, cannot reach (`custodian.remoteEditing` lets a person who accepts that edit there anyway).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ENC_SCHEME } from './enc-uri';
import { VALUES_SCHEME } from './values-uri';

/** The schemes whose documents hold plaintext: VS Code must not back them up to disk. */
const GUARDED_SCHEMES = [ENC_SCHEME, VALUES_SCHEME];

const BLOCKER_TEXT =
  'Custodian: hot-exit backups of decrypted documents (custodian-enc:, custodian-values:) are disabled on purpose.\n' +
  'This file takes the place of the folder VS Code would write them to, so plaintext never reaches the disk.\n';

export class BackupGuard {
  private done: Promise<string[]> | undefined;
  private toldReadOnly = false;

  constructor(
    private readonly context: Pick<vscode.ExtensionContext, 'storageUri' | 'globalStorageUri'>,
    private readonly log: vscode.LogOutputChannel,
    /** Where the window is shown and where this extension runs (a seam for tests). */
    private readonly host: { readonly uiKind: vscode.UIKind; readonly remoteName?: string } = vscode.env,
    /** `custodian.remoteEditing`: editing in a remote window, its backups on the local computer accepted. */
    private readonly remoteEditing: () => boolean = () => vscode.workspace.getConfiguration('custodian').get<boolean>('remoteEditing', false),
  ) {}

  /**
   * Why decrypted documents must be read-only in this window, or undefined when its backups of them are
   * blocked: `remote`, a remote window of desktop VS Code (its backups are written on the computer
   * showing it, out of this extension's reach); `no-folder`, a window without workspace storage, whose
   * backup folder VS Code names only when it first writes to it; `unknown-backups`, workspace storage
   * that is no local folder, so the backup folder cannot be found from it.
   */
  private get readOnlyCause(): 'remote' | 'no-folder' | 'unknown-backups' | undefined {
    if (this.host.uiKind === vscode.UIKind.Desktop && this.host.remoteName !== undefined) return 'remote';
    if (this.context.storageUri === undefined) return 'no-folder';
    if (this.context.storageUri.scheme !== 'file') return 'unknown-backups';
    return undefined;
  }

  /** Whether this window's own backup folder is known in advance, so its backups of decrypted documents are blocked. */
  get blocksThisWindow(): boolean {
    return this.readOnlyCause === undefined;
  }

  /** Why a decrypted document is read-only here, as the notice and the file systems' `isReadonly` say it. */
  private readOnlyMessage(cause: 'no-folder' | 'unknown-backups'): string {
    return cause === 'no-folder'
      ? vscode.l10n.t('Decrypted files are read-only in a window without a folder: VS Code would back up unsaved edits to disk in the clear. Open the folder that holds the file to edit it.')
      : vscode.l10n.t('Decrypted files are read-only in this window: Custodian cannot tell where VS Code backs up unsaved edits here, so it cannot keep them off the disk.');
  }

  /**
   * What VS Code says when someone types in a decrypted document (the file systems' `isReadonly`): the
   * reason stays where the person types once the notice has gone. A remote window's depends on a setting
   * that can change, so it is said by the notice only.
   */
  readOnlyReason(): vscode.MarkdownString | undefined {
    const cause = this.readOnlyCause;
    return cause === undefined || cause === 'remote' ? undefined : new vscode.MarkdownString(this.readOnlyMessage(cause));
  }

  /**
   * A decrypted document's stat as VS Code must see it: read-only where its backups cannot be blocked,
   * since an edit would be backed up in the clear about a second later. Said once per session; `file`,
   * the encrypted file on disk, is where *Open Folder…* starts.
   */
  guardStat(stat: vscode.FileStat, file?: vscode.Uri): vscode.FileStat {
    const cause = this.readOnlyCause;
    if (cause === undefined) return stat;
    if (cause === 'remote') {
      if (this.remoteEditing()) return stat;
      this.tellOnce(
        vscode.l10n.t(
          'Decrypted files open read-only in a remote window: VS Code would back up unsaved edits in the clear on this computer, where Custodian, running on the {0} host, cannot stop it. To edit them here anyway, turn on the setting custodian.remoteEditing.',
          this.host.remoteName!,
        ),
        vscode.l10n.t('Open Setting'),
        () => vscode.commands.executeCommand('workbench.action.openSettings', 'custodian.remoteEditing'),
      );
    } else if (cause === 'no-folder') {
      this.tellOnce(
        vscode.l10n.t('Decrypted files open read-only in a window without a folder: VS Code would back up unsaved edits to disk in the clear, and Custodian can stop that only in a window with a folder. Open the folder that holds the file to edit it.'),
        vscode.l10n.t('Open Folder…'),
        () => openFolderAround(file),
      );
    } else {
      this.tellOnce(this.readOnlyMessage(cause));
    }
    return { ...stat, permissions: vscode.FilePermission.Readonly };
  }

  private tellOnce(message: string, action?: string, run?: () => Thenable<unknown>): void {
    if (this.toldReadOnly) return;
    this.toldReadOnly = true;
    if (action === undefined || run === undefined) void vscode.window.showInformationMessage(message);
    else void vscode.window.showInformationMessage(message, action).then((choice) => (choice === action ? run() : undefined));
  }

  /** Places the blockers once per session (idempotent, never throws); resolves to the blocker paths. */
  ensure(): Promise<string[]> {
    this.done ??= this.place().catch((err: unknown) => {
      this.log.warn(`backup guard: ${err instanceof Error ? err.name : 'Error'}: could not block hot-exit backups of decrypted documents`);
      return [];
    });
    return this.done;
  }

  /** Candidate `<Backups>/<id>` folders for this window. */
  private async workspaceBackupDirs(): Promise<string[]> {
    const userDirs = new Set<string>();
    const ids = new Set<string>();
    const storage = this.context.storageUri?.scheme === 'file' ? this.context.storageUri.fsPath : undefined;
    if (storage) {
      // <user-data>/User/workspaceStorage/<id>/<extension id>
      ids.add(path.basename(path.dirname(storage)));
      userDirs.add(path.dirname(path.dirname(path.dirname(storage))));
    }
    if (this.context.globalStorageUri.scheme === 'file') {
      // <user-data>/User/globalStorage/<extension id>
      userDirs.add(path.dirname(path.dirname(path.dirname(this.context.globalStorageUri.fsPath))));
    }
    const roots = [...userDirs].flatMap((user) => [path.join(user, 'Backups'), path.join(path.dirname(user), 'Backups')]);
    const dirs = new Set<string>();
    for (const root of roots) {
      for (const id of ids) dirs.add(path.join(root, id));
      // Other windows' (and empty windows') folders that already exist: block those too.
      try {
        for (const e of await fs.readdir(root, { withFileTypes: true })) if (e.isDirectory()) dirs.add(path.join(root, e.name));
      } catch {
        // no backups there yet
      }
    }
    return [...dirs];
  }

  private async place(): Promise<string[]> {
    const placed: string[] = [];
    for (const dir of await this.workspaceBackupDirs()) {
      for (const scheme of GUARDED_SCHEMES) {
        const blocker = path.join(dir, scheme);
        try {
          const stat = await fs.lstat(blocker).catch(() => undefined);
          if (stat?.isFile()) {
            placed.push(blocker);
            continue;
          }
          if (stat) await wipe(blocker);
          await fs.mkdir(dir, { recursive: true });
          await fs.writeFile(blocker, BLOCKER_TEXT, { flag: 'wx', mode: 0o444 });
          placed.push(blocker);
        } catch (err) {
          this.log.warn(`backup guard: could not place ${blocker}: ${err instanceof Error ? err.name : 'Error'}`);
        }
      }
    }
    return placed;
  }
}

/** Overwrites the files of an old backup folder with zeros before removing it. */
async function wipe(p: string): Promise<void> {
  const stat = await fs.lstat(p);
  if (stat.isDirectory()) {
    for (const e of await fs.readdir(p)) await wipe(path.join(p, e));
    await fs.rmdir(p);
    return;
  }
  if (stat.isFile() && stat.size > 0) {
    const handle = await fs.open(p, 'r+');
    try {
      await handle.write(new Uint8Array(Math.min(stat.size, 64 * 1024 * 1024)), 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  await fs.rm(p, { force: true });
}

/**
 * Open Folder… starting at the folder that holds `file` (VS Code's own command starts in the home
 * folder, far from the file the person was reading); VS Code's command where there is no such folder.
 */
async function openFolderAround(file: vscode.Uri | undefined): Promise<unknown> {
  if (file?.scheme !== 'file') return vscode.commands.executeCommand('workbench.action.files.openFolder');
  const [folder] =
    (await vscode.window.showOpenDialog({ defaultUri: vscode.Uri.joinPath(file, '..'), canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Open Folder') })) ?? [];
  return folder === undefined ? undefined : vscode.commands.executeCommand('vscode.openFolder', folder);
}
