// `custodian-enc:` — a `.enc` file seen as its plaintext, as a file system: reading decrypts in memory,
// writing re-encrypts and replaces the `.enc` atomically. What a document is encrypted to, how a save
// chooses recipients and when it must ask before signing are EncryptedDocuments' work; this provider
// does the file-system part (stat, read, write, watch) and turns failures into FileSystemErrors the
// editor shows. Plaintext exists only in memory: no temp files, and BackupGuard keeps hot-exit backups
// of modified documents off the disk.
import * as vscode from 'vscode';
import { BackedFileSystem, movedSinceOpened } from './backed-file-system';
import { errorMessageWithHint } from '../ui/messages';
import type { BackupGuard } from './backup-guard';
import type { DecryptedDocument, EncryptedDocuments } from './encrypted-documents';
import { basename, isShownDecryptedUri, toDecryptedUri, toEncryptedUri } from './enc-uri';
import { GIT_SCHEME, statGitBlob } from '../git/git-blobs';

/** How long a plaintext decrypted ahead of opening (to check it is text) waits for the editor to read it. */
const PREPARED_TTL_MS = 30_000;

interface Prepared {
  doc: DecryptedDocument;
  mtime: number;
  timer: ReturnType<typeof setTimeout>;
}

export class EncryptedFileSystem extends BackedFileSystem {
  private readonly prepared = new Map<string, Prepared>();

  constructor(
    readonly documents: EncryptedDocuments,
    private readonly log: vscode.LogOutputChannel,
    private readonly guard: BackupGuard,
    /** The language of the inner name, asked for while the file is read (editor/inner-language.ts). */
    private readonly languages: { prepare(decrypted: vscode.Uri): Promise<void> },
  ) {
    super(toEncryptedUri, [vscode.FileChangeType.Changed, vscode.FileChangeType.Created, vscode.FileChangeType.Deleted], isShownDecryptedUri);
  }

  override dispose(): void {
    for (const p of this.prepared.values()) clearTimeout(p.timer);
    this.prepared.clear();
    super.dispose();
  }

  /**
   * Decrypts a `.enc` file ahead of opening it, so a caller can tell text from binary and show errors
   * its own way; the editor's readFile then takes this plaintext instead of decrypting again.
   */
  async prepare(encrypted: vscode.Uri): Promise<DecryptedDocument> {
    const uri = toDecryptedUri(encrypted);
    const doc = await this.documents.open(encrypted);
    const k = key(uri);
    const previous = this.prepared.get(k);
    if (previous) clearTimeout(previous.timer);
    if (!doc.binary) {
      const mtime = (await vscode.workspace.fs.stat(encrypted)).mtime;
      const timer = setTimeout(() => this.prepared.delete(k), PREPARED_TTL_MS);
      this.prepared.set(k, { doc, mtime, timer });
    }
    return doc;
  }

  override async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const encrypted = toEncryptedUri(uri);
    // A version in git (a diff's or the merge editor's side) is read-only.
    if (encrypted.scheme === GIT_SCHEME) return statGitBlob(encrypted);
    return this.guard.guardStat(await super.stat(uri), encrypted);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    this.checkShown(uri, false);
    void this.guard.ensure();
    const encrypted = toEncryptedUri(uri);
    // A version absent from git (the base of a file both sides added) is empty, as git shows it.
    if (encrypted.scheme === GIT_SCHEME && (await statGitBlob(encrypted)).size === 0) return new Uint8Array(0);
    const language = this.languages.prepare(uri);
    const k = key(uri);
    const ready = this.prepared.get(k);
    let doc: DecryptedDocument | undefined;
    if (ready) {
      this.prepared.delete(k);
      clearTimeout(ready.timer);
      const s = await this.statBackingFile(uri);
      if (s.mtime === ready.mtime) doc = ready.doc;
    }
    try {
      doc ??= await this.documents.open(encrypted);
    } catch (err) {
      if (encrypted.scheme !== GIT_SCHEME) this.documents.markUnreadable(uri, err instanceof Error ? err.message : String(err));
      if (err instanceof vscode.FileSystemError) throw err;
      this.log.warn(`open ${basename(encrypted.path)}: ${err instanceof Error ? err.name : 'Error'}`);
      throw vscode.FileSystemError.Unavailable(errorMessageWithHint(err));
    }
    if (doc.binary) {
      throw vscode.FileSystemError.Unavailable(
        vscode.l10n.t('{0} decrypts to binary data, which a text editor would corrupt. Use "Custodian: Decrypt to File" instead.', basename(encrypted.path)),
      );
    }
    await language;
    return doc.plaintext;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    this.checkShown(uri, true);
    await this.guard.ensure();
    const encrypted = toEncryptedUri(uri);
    if (encrypted.scheme === GIT_SCHEME) throw vscode.FileSystemError.NoPermissions(uri);
    const exists = await vscode.workspace.fs.stat(encrypted).then(
      () => true,
      () => false,
    );
    // Creating a .enc by saving is for a new document; one read from a file that is gone since would
    // come back under its old name, beside the moved file (the values files refuse it the same way).
    if (!exists && this.documents.readFromDisk(uri)) throw movedSinceOpened(encrypted);
    if (!exists && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
    if (exists && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
    try {
      await this.documents.save(uri, encrypted, content, exists);
    } catch (err) {
      this.log.warn(`save ${basename(encrypted.path)}: ${err instanceof Error ? err.name : 'Error'}`);
      if (err instanceof vscode.FileSystemError) throw err;
      throw vscode.FileSystemError.Unavailable(errorMessageWithHint(err));
    }
  }
}

function key(uri: vscode.Uri): string {
  // The ciphertext URI, not the decrypted URI's display path (which follows the workspace folders).
  return toEncryptedUri(uri).toString();
}
