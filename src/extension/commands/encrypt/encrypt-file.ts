// Encrypt File: `NAME` → `NAME.enc` beside it, streamed (constant memory) through an atomic temp file,
// with a cancellable progress notification for large files. The plaintext original is deleted only
// when asked (custodian.deleteOriginalAfterEncrypt) and only after the new `.enc` was read back,
// decrypted with one of my keys and matched the original's SHA-256; its editors are closed first (so no
// Save writes it back) and its Local History copies removed after. One kept in a git work tree that git
// does not ignore is named, with Add to .gitignore (unignored-plaintext.ts).
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import type { RsaPrivateKey } from '../../../core/keys';
import { FileExistsError } from '../../../node/atomic-file';
import { isEncryptedFileUri } from '../../fs/enc-uri';
import { markEncrypted } from '../../views/context-keys';
import { LocalHistory, warnHistoryUnreachable, type HistoryCleanup } from '../../storage/local-history';
import { CancelledError, encryptFile, formatBytes, verifyFile, type Cancellation } from '../../../node/envelope-files';
import { policyForNewFile } from '../../../core/recipient-policy';
import type { EncDeps } from './deps';
import { closeOriginal } from './close-original';
import { warnTrackedPlaintext, warnUnignoredPlaintext } from '../unignored-plaintext';
import { chooseRecipients, RECIPIENT_ARGS, type RecipientArgs } from './recipients';
import { FILE_ARGS, fromFileArguments, is, type Shape } from '../arguments';
import { lazyCore } from '../../lazy-core';

export type DeleteOriginal = 'ask' | 'always' | 'never';

export interface EncryptFileArgs extends RecipientArgs {
  uri?: vscode.Uri;
  uris?: vscode.Uri[];
  /** Replace an existing `NAME.enc` (asked when absent; refused when false). */
  overwrite?: boolean;
  /** Overrides custodian.deleteOriginalAfterEncrypt (true = 'always', false = 'never'). */
  deleteOriginal?: DeleteOriginal | boolean;
  /** Write ASCII armor instead of binary. */
  armor?: boolean;
  /** Test hook: cancels like the notification's Cancel button. */
  cancellationToken?: vscode.CancellationToken;
  /** Test hook: called with (file, bytes done, total bytes). */
  onProgress?: (uri: vscode.Uri, done: number, total: number) => void;
}

const ENCRYPT_FILE_ARGS: Shape<EncryptFileArgs> = {
  ...RECIPIENT_ARGS,
  ...FILE_ARGS,
  overwrite: is.boolean,
  deleteOriginal: is.either(is.boolean, is.oneOf<DeleteOriginal>('ask', 'always', 'never')),
  armor: is.boolean,
  cancellationToken: is.cancellationToken,
  onProgress: is.callback<(uri: vscode.Uri, done: number, total: number) => void>(),
};

export interface EncryptedFileResult {
  source: vscode.Uri;
  target: vscode.Uri;
  /** The original was deleted (after verification). */
  deleted: boolean;
  /** Why the original was kept although deletion was requested. */
  kept?: string;
  /** Its editor had unsaved changes, discarded when it was closed (they were not encrypted). */
  discarded?: boolean;
  /** What became of VS Code's Local History copies of the deleted original. */
  history?: HistoryCleanup;
}

export interface EncryptFileResult {
  files: EncryptedFileResult[];
  recipients: string[];
  cancelled: boolean;
  /** Files that failed (the error was shown); nothing was written for them. */
  failed: { uri: vscode.Uri; error: string }[];
}

/** Files at least this large get a notification with a Cancel button; smaller ones a status-bar progress. */
const NOTIFY_BYTES = 4 * 1024 * 1024;

export async function encryptFiles(deps: EncDeps, first: unknown, second: unknown): Promise<EncryptFileResult | undefined> {
  const { args, uris: given } = fromFileArguments(first, second, ENCRYPT_FILE_ARGS);
  const uris = given ?? (await pickFilesToEncrypt());
  if (!uris || uris.length === 0) return undefined;
  for (const uri of uris) {
    if (uri.scheme !== 'file') throw new CustodianError(vscode.l10n.t('{0} is not a file on disk; Custodian encrypts files on disk.', uri.toString()));
    if (isEncryptedFileUri(uri)) throw new CustodianError(vscode.l10n.t('{0} is already encrypted.', vscode.workspace.asRelativePath(uri)));
    const stat = await fs.stat(uri.fsPath).catch(() => undefined);
    if (!stat?.isFile()) throw new CustodianError(vscode.l10n.t('{0} is not a file.', vscode.workspace.asRelativePath(uri)));
  }
  const recipients = await chooseRecipients(deps.services, deps.session, args, uris[0]);
  if (!recipients) return undefined;
  const backend = await deps.services.backend();
  const result: EncryptFileResult = { files: [], recipients: recipients.map((r) => r.fingerprint), cancelled: false, failed: [] };
  const hashes = new Map<string, { sha256: Uint8Array; mtimeMs: number; size: number }>();

  // FORMAT.md §3.4: "team" only when these are exactly the team, so re-keying never widens a chosen set.
  const team = await deps.session.teamFingerprints(uris[0]);
  const signer = await deps.session.signer();
  try {
    for (const uri of uris) {
      const target = vscode.Uri.file(uri.fsPath + '.enc');
      const name = vscode.workspace.asRelativePath(uri);
      let overwrite = args.overwrite === true;
      if (args.overwrite === undefined && (await exists(target.fsPath))) {
        const replace = vscode.l10n.t('Replace');
        const choice = await vscode.window.showWarningMessage(vscode.l10n.t('{0}.enc already exists. Replace it?', name), { modal: true }, replace);
        if (choice !== replace) {
          result.failed.push({ uri, error: vscode.l10n.t('{0}.enc already exists', name) });
          continue;
        }
        overwrite = true;
      }
      const before = await fs.stat(uri.fsPath);
      try {
        const sha256 = await withFileProgress(vscode.l10n.t('Encrypting {0}', name), before.size, args.cancellationToken, (token, progress) =>
          encryptFile(uri.fsPath, target.fsPath, {
            recipients: recipients.map((r) => r.key),
            signer,
            backend,
            overwrite,
            armor: args.armor === true,
            recipientPolicy: policyForNewFile(target.fsPath, result.recipients, team),
            token,
            progress: (done) => {
              progress(done);
              args.onProgress?.(uri, done, before.size);
            },
          }),
        );
        hashes.set(uri.toString(), { sha256, mtimeMs: before.mtimeMs, size: before.size });
        result.files.push({ source: uri, target, deleted: false });
      } catch (err) {
        if (err instanceof CancelledError) {
          result.cancelled = true;
          void vscode.window.showInformationMessage(vscode.l10n.t('Cancelled: {0} was not encrypted and nothing was written.', name));
          break;
        }
        if (err instanceof FileExistsError) {
          result.failed.push({ uri, error: vscode.l10n.t('{0}.enc already exists', name) });
          deps.services.errors.report(new CustodianError(vscode.l10n.t('{0}.enc already exists; it was not replaced.', name), { hint: vscode.l10n.t('Delete or rename it first.') }), 'custodian.encryptFile');
          continue;
        }
        throw err;
      }
    }
  } finally {
    deps.session.release(signer);
  }
  if (result.files.length === 0) return result;
  markEncrypted();

  const policy = deletePolicy(args.deleteOriginal, deps.services.config(uris[0]).deleteOriginalAfterEncrypt);
  let remove = policy === 'always';
  if (policy === 'ask') {
    const names = result.files.map((f) => vscode.workspace.asRelativePath(f.source));
    const del: vscode.MessageItem = { title: vscode.l10n.t('Delete Original') };
    // Said as a button: a newcomer read "Cancel" as undoing the encryption. It is the dialog's close
    // affordance (Escape), so VS Code adds no Cancel beside it doing the same (another newcomer asked
    // which of the two to press); Delete Original stays the default, as the first button.
    const keep: vscode.MessageItem = { title: names.length === 1 ? vscode.l10n.t('Keep Original') : vscode.l10n.t('Keep Originals'), isCloseAffordance: true };
    const choice = await vscode.window.showWarningMessage(
      names.length === 1 ? vscode.l10n.t('Encrypted {0}. Delete the plaintext original?', names[0]) : vscode.l10n.t('Encrypted {0} files. Delete the plaintext originals?', names.length),
      {
        modal: true,
        detail:
          names.length === 1
            ? vscode.l10n.t('The original is deleted (not moved to the trash) only after its .enc file was read back and decrypted successfully. The .enc file is written either way.')
            : vscode.l10n.t('Each original is deleted (not moved to the trash) only after its .enc file was read back and decrypted successfully. The .enc files are written either way.'),
      },
      del,
      keep,
    );
    remove = choice === del;
  }
  if (remove) await deleteVerified(deps, result.files, hashes, backend);
  if (!result.cancelled) {
    const deleted = result.files.filter((f) => f.deleted).length;
    const kept = result.files.filter((f) => f.kept);
    const one = result.files.length === 1 ? result.files[0] : undefined;
    const names = recipients.map((r) => r.name).join(', ');
    const summary = one
      ? vscode.l10n.t('Encrypted {0} to {1} for {2}.', vscode.workspace.asRelativePath(one.source), vscode.workspace.asRelativePath(one.target), names)
      : vscode.l10n.t('Encrypted {0} files for {1}.', result.files.length, names);
    const copies = result.files.reduce((n, f) => n + (f.history?.removed ?? 0), 0);
    const history = copies === 0 ? '' : copies === 1 ? vscode.l10n.t('Removed its Local History copies.') : vscode.l10n.t('Removed their Local History copies.');
    const removed = deleted === 1 ? vscode.l10n.t('Deleted 1 original.') : vscode.l10n.t('Deleted {0} originals.', deleted);
    void vscode.window.showInformationMessage(deleted > 0 ? [summary, removed, history].filter(Boolean).join(' ') : summary);
    for (const k of kept) void vscode.window.showWarningMessage(k.kept!);
    reportLeftovers(result.files);
    // git runs only in a trusted workspace: a repository's own config can make it run commands.
    if (deps.services.trust.isTrusted) {
      const report = (err: unknown): void => void deps.services.errors.report(err, 'custodian.encryptFile');
      warnUnignoredPlaintext(result.files.filter((f) => !f.deleted).map((f) => f.source)).catch(report);
      warnTrackedPlaintext(result.files.map((f) => ({ file: f.source, deleted: f.deleted }))).catch(report);
    }
  }
  return result;
}

async function deleteVerified(deps: EncDeps, files: EncryptedFileResult[], hashes: Map<string, { sha256: Uint8Array; mtimeMs: number; size: number }>, backend: Awaited<ReturnType<EncDeps['services']['backend']>>): Promise<void> {
  const history = new LocalHistory(deps.services.globalStorageUri);
  for (const f of files) {
    const name = vscode.workspace.asRelativePath(f.source);
    const expected = hashes.get(f.source.toString())!;
    const { readEnvelopeHeader } = await lazyCore.envelopeFiles();
    const header = await readEnvelopeHeader(f.target.fsPath);
    if (!deps.session.canDecrypt(header.recipients)) {
      f.kept = vscode.l10n.t('Kept {0}: you are not a recipient of {0}.enc, so Custodian cannot check it decrypts before deleting the original. Turn on "custodian.alwaysIncludeMyself" or include one of your keys.', name);
      continue;
    }
    const now = await fs.stat(f.source.fsPath).catch(() => undefined);
    if (!now || now.mtimeMs !== expected.mtimeMs || now.size !== expected.size) {
      f.kept = vscode.l10n.t('Kept {0}: it changed while it was being encrypted. Encrypt it again.', name);
      continue;
    }
    let identities: RsaPrivateKey[] = [];
    let ok = false;
    try {
      identities = await deps.session.identitiesFor(header.recipients, `${name}.enc`, header.recipientPolicy);
      ok = await verifyFile(f.target.fsPath, expected.sha256, { identities, backend });
    } catch (err) {
      f.kept = vscode.l10n.t('Kept {0}: {0}.enc did not decrypt ({1}).', name, err instanceof Error ? err.name : 'Error');
      continue;
    } finally {
      deps.session.release(...identities);
    }
    if (!ok) {
      f.kept = vscode.l10n.t('Kept {0}: {0}.enc does not decrypt to the same content.', name);
      continue;
    }
    const tabs = await closeOriginal(f.source);
    if (!tabs.closed) {
      f.kept = vscode.l10n.t('Kept {0}: its editor could not be closed, and saving it would write the plaintext back. Close it and delete {0} yourself.', name);
      continue;
    }
    f.discarded = tabs.discarded;
    // No trash: a copy of the plaintext in the trash is what deleting it is meant to prevent.
    await vscode.workspace.fs.delete(f.source, { useTrash: false });
    f.deleted = true;
    f.history = await history.remove(f.source).catch((): HistoryCleanup => ({ removed: 0, unreachable: true }));
  }
}

/** Says what was discarded, and where plaintext copies may remain that Custodian could not remove. */
function reportLeftovers(files: EncryptedFileResult[]): void {
  const deleted = files.filter((f) => f.deleted);
  const discarded = deleted.filter((f) => f.discarded).map((f) => vscode.workspace.asRelativePath(f.source));
  if (discarded.length > 0) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Unsaved changes to {0} were discarded: they were not in the file on disk, so they are not in the encrypted file either.', discarded.join(', ')));
  }
  warnHistoryUnreachable(deleted.filter((f) => f.history?.unreachable).map((f) => vscode.workspace.asRelativePath(f.source)));
}

function deletePolicy(arg: DeleteOriginal | boolean | undefined, setting: DeleteOriginal): DeleteOriginal {
  if (arg === true) return 'always';
  if (arg === false) return 'never';
  return arg ?? setting;
}

/** Runs `work` with a progress UI; cancelling (UI or `external`) makes `token` report cancellation. */
export async function withFileProgress<T>(
  title: string,
  total: number,
  external: vscode.CancellationToken | undefined,
  work: (token: Cancellation, progress: (done: number) => void) => Promise<T>,
): Promise<T> {
  const location = total >= NOTIFY_BYTES ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
  return vscode.window.withProgress({ location, title, cancellable: location === vscode.ProgressLocation.Notification }, (progress, uiToken) => {
    let reported = 0;
    const token: Cancellation = {
      get isCancellationRequested() {
        return uiToken.isCancellationRequested || external?.isCancellationRequested === true;
      },
    };
    return work(token, (done) => {
      if (total <= 0) return;
      const pct = Math.floor((done / total) * 100);
      if (pct > reported) {
        progress.report({ increment: pct - reported, message: vscode.l10n.t('{0} of {1}', formatBytes(done), formatBytes(total)) });
        reported = pct;
      }
    });
  });
}

async function pickFilesToEncrypt(): Promise<vscode.Uri[] | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && !isEncryptedFileUri(active)) return [active];
  return vscode.window.showOpenDialog({ canSelectMany: true, openLabel: vscode.l10n.t('Encrypt'), title: vscode.l10n.t('Encrypt Files'), defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
