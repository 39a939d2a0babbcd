// Which files of the workspace are value-encrypted (docs/VALUES.md §11: recognised by content, they keep
// their .env / JSON / YAML names). The explorer and the Command Palette need it to offer "Open Decrypted"
// on those files and "Encrypt Values…" on the others: a menu's `when` clause cannot read a file, so the
// index publishes the files' paths in the context key `custodian.valueEncryptedFiles`, where
// `resourcePath in …` finds them. The Encrypted Files section (drift) scans through it, so a new
// value-encrypted file, or one re-keyed elsewhere, is noticed there too.
import * as vscode from 'vscode';
import { readRegularFile } from '../../node/regular-files';
import { watchFiles } from '../storage/workspace-files';
import { hasValuesFileName, looksValueEncrypted } from './values-uri';

export const VALUE_ENCRYPTED_FILES_CONTEXT_KEY = 'custodian.valueEncryptedFiles';

/** The names `hasValuesFileName` accepts. */
const CANDIDATE_GLOB = '**/{.env,.env.*,*.env,*.json,*.yaml,*.yml}';
const EXCLUDE_GLOB = '**/{node_modules,.git}/**';
/** Config files are small; a larger candidate is not read. */
const MAX_SCANNED_BYTES = 4 * 1024 * 1024;
/** Saves come in bursts (a formatter, a branch switch): the context key is published once per burst. */
const PUBLISH_DELAY_MS = 100;

/**
 * Whether the file at `uri` (a file: URI) is value-encrypted. Only a regular file is read, and only up to
 * the bound: a link committed to /dev/zero or /dev/stdin (a checkout creates it, the watcher sees it)
 * would be read without end. A link to a regular file is read, so the drift view lists it as a link.
 */
async function isValueEncryptedFile(uri: vscode.Uri): Promise<boolean> {
  try {
    const bytes = await readRegularFile(uri.fsPath, MAX_SCANNED_BYTES, { followLinks: true });
    return bytes !== undefined && looksValueEncrypted(new TextDecoder().decode(bytes));
  } catch {
    return false; // vanished or unreadable: not ours to report
  }
}

export class ValueFileIndex implements vscode.Disposable {
  /** fsPath → the file's URI. */
  private readonly files = new Map<string, vscode.Uri>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** A value-encrypted file appeared, changed on disk, stopped being one, or was deleted. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changeEmitter];
  private scanning: Promise<vscode.Uri[]> | undefined;
  /** The scan that starts once the one under way ends, shared by every caller meanwhile. */
  private rescan: Promise<vscode.Uri[]> | undefined;
  private publishTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    // A deleted file is rechecked too: it no longer reads, so it is no longer value-encrypted.
    const recheck = (uri: vscode.Uri) => void this.recheck(uri);
    this.subscriptions.push(
      watchFiles(CANDIDATE_GLOB, recheck, hasValuesFileName),
      // A file opened from outside the workspace: the Command Palette's entries follow the editor.
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (document.uri.scheme === 'file' && hasValuesFileName(document.uri) && !this.files.has(document.uri.fsPath)) recheck(document.uri);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.scan()),
    );
  }

  dispose(): void {
    clearTimeout(this.publishTimer);
    for (const d of this.subscriptions) d.dispose();
  }

  /**
   * Finds the value-encrypted files of the workspace again (file: URIs, sorted), reading every candidate.
   * A scan under way may have listed the workspace before the caller's last write (and would then drop a
   * file the watcher added since): the caller gets the next scan, which starts when it ends and is shared
   * by every caller meanwhile, so scans never pile up.
   */
  scan(): Promise<vscode.Uri[]> {
    if (!this.scanning) {
      this.scanning = this.scanWorkspace().finally(() => {
        this.scanning = undefined;
      });
      return this.scanning;
    }
    const next = (): Promise<vscode.Uri[]> => {
      this.rescan = undefined;
      return this.scan();
    };
    this.rescan ??= this.scanning.then(next, next);
    return this.rescan;
  }

  /** True when the file was value-encrypted when last looked at. */
  has(uri: vscode.Uri): boolean {
    return this.files.has(uri.fsPath);
  }

  private async scanWorkspace(): Promise<vscode.Uri[]> {
    const found = new Map<string, vscode.Uri>();
    for (const uri of await vscode.workspace.findFiles(CANDIDATE_GLOB, EXCLUDE_GLOB)) {
      if (uri.scheme === 'file' && (await isValueEncryptedFile(uri))) found.set(uri.fsPath, uri);
    }
    // Files opened from outside the workspace stay known while they are value-encrypted.
    for (const [path, uri] of this.files) {
      if (!found.has(path) && !vscode.workspace.getWorkspaceFolder(uri) && (await isValueEncryptedFile(uri))) found.set(path, uri);
    }
    const changed = found.size !== this.files.size || [...found.keys()].some((path) => !this.files.has(path));
    this.files.clear();
    for (const [path, uri] of found) this.files.set(path, uri);
    if (changed) this.changed();
    return [...found.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  }

  private async recheck(uri: vscode.Uri): Promise<void> {
    if (uri.scheme !== 'file') return;
    this.update(uri, await isValueEncryptedFile(uri));
  }

  private update(uri: vscode.Uri, valueEncrypted: boolean): void {
    const known = this.files.has(uri.fsPath);
    if (valueEncrypted) this.files.set(uri.fsPath, uri);
    else this.files.delete(uri.fsPath);
    // A known file that changed on disk may have new recipients: the drift view looks again.
    if (known || valueEncrypted) this.changed();
  }

  private changed(): void {
    this.changeEmitter.fire();
    clearTimeout(this.publishTimer);
    this.publishTimer = setTimeout(() => {
      const paths: Record<string, true> = {};
      for (const path of this.files.keys()) paths[path] = true;
      void vscode.commands.executeCommand('setContext', VALUE_ENCRYPTED_FILES_CONTEXT_KEY, paths);
    }, PUBLISH_DELAY_MS);
  }
}
