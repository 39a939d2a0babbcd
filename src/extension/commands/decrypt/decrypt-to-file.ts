// Decrypt to File: the one explicit way plaintext reaches the disk. Asks where (the name without `.enc`,
// proposed outside the workspace), never replaces a file without asking, and streams through an atomic
// temp file that becomes the target only once the whole `.enc` authenticated. A copy in a git work tree
// that git does not ignore is named, with Add to .gitignore (unignored-plaintext.ts).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FILE_ARGS, is, type Shape } from '../arguments';
import { CustodianError } from '../../../core/errors';
import type { RsaPrivateKey } from '../../../core/keys';
import type { EnvelopeDescription } from '../../crypto-session';
import { ENC_SUFFIX } from '../../fs/enc-uri';
import { decryptFile, readEnvelopeHeader } from '../../../node/envelope-files';
import type { EncDeps } from '../encrypt/deps';
import { askSecretPlace } from '../secret-place';
import { trackedPlaintext, warnDecryptedCopies } from '../unignored-plaintext';
import { withFileProgress } from '../encrypt/encrypt-file';
import { encTargets, rel } from './target';

export interface DecryptToFileArgs {
  uri?: vscode.Uri;
  uris?: vscode.Uri[];
  /** Where to write (one input only); asked with a save dialog when absent. */
  target?: vscode.Uri;
  /** Replace an existing target; without it an existing target is refused. */
  overwrite?: boolean;
  cancellationToken?: vscode.CancellationToken;
}

const DECRYPT_TO_FILE_ARGS: Shape<DecryptToFileArgs> = { ...FILE_ARGS, target: is.uri, overwrite: is.boolean, cancellationToken: is.cancellationToken };

export interface DecryptToFileResult {
  files: { source: vscode.Uri; target: vscode.Uri; description: EnvelopeDescription }[];
}

export async function decryptToFile(deps: EncDeps, first: unknown, second: unknown): Promise<DecryptToFileResult | undefined> {
  const { args, uris } = encTargets(first, second, DECRYPT_TO_FILE_ARGS);
  if (args.target && uris.length > 1) throw new CustodianError(vscode.l10n.t('"target" names one file; decrypt one .enc file at a time with it.'));
  const backend = await deps.services.backend();
  const result: DecryptToFileResult = { files: [] };
  for (const uri of uris) {
    let target = args.target;
    let overwrite = args.overwrite === true;
    if (!target) {
      // As for a key backup: plaintext inside the workspace is one `git add .` from being committed.
      target = await askSecretPlace({
        fileName: path.basename(uri.fsPath.slice(0, -ENC_SUFFIX.length)),
        dialog: { title: vscode.l10n.t('Decrypt {0} to…', rel(uri)), saveLabel: vscode.l10n.t('Decrypt') },
        question: vscode.l10n.t('Write the plaintext of {0} inside the workspace?', rel(uri)),
        detail: (chosen) =>
          vscode.l10n.t(
            '{0} will hold the secret in plain text inside the workspace, where it is easily committed, synced or shared by accident. Unless git ignores it, a place outside the repository is safer.',
            rel(chosen),
          ),
        anyway: vscode.l10n.t('Decrypt Here Anyway'),
        // Said before writing, not only after: a newcomer decrypted over the team's committed template.
        concern: async (chosen) =>
          deps.services.trust.isTrusted && (await trackedPlaintext(chosen))
            ? vscode.l10n.t('{0} is tracked by git: the decrypted secrets would replace the committed file, and the next commit of all changes would carry them.', rel(chosen))
            : undefined,
      });
      if (!target) return result.files.length ? result : undefined;
      // The save dialog already asked before choosing an existing file.
      overwrite = true;
    }
    if (target.scheme !== 'file') throw new CustodianError(vscode.l10n.t('Decrypt to File writes to a file on disk.'));
    if (target.fsPath === uri.fsPath) throw new CustodianError(vscode.l10n.t('Choose a different file: the target is the encrypted file itself.'));
    if (!overwrite && (await fs.lstat(target.fsPath).then(() => true, () => false))) {
      throw new CustodianError(vscode.l10n.t('{0} already exists; it was not replaced.', rel(target)), { hint: vscode.l10n.t('Choose another name, or confirm replacing it.') });
    }
    const header = await readEnvelopeHeader(uri.fsPath);
    const identities: RsaPrivateKey[] = await deps.session.identitiesFor(header.recipients, rel(uri), header.recipientPolicy);
    let decrypted;
    try {
      const size = (await fs.stat(uri.fsPath)).size;
      decrypted = await withFileProgress(vscode.l10n.t('Decrypting {0}', rel(uri)), size, args.cancellationToken, (token, progress) =>
        decryptFile(uri.fsPath, target!.fsPath, { identities, backend, overwrite, token, progress }),
      );
    } finally {
      deps.session.release(...identities);
    }
    const description = deps.session.describe(decrypted.header, decrypted.signature, await deps.session.knownKeys());
    result.files.push({ source: uri, target, description });
    const note = description.warning ? ` ${description.warning}` : '';
    void vscode.window.showInformationMessage(vscode.l10n.t('Decrypted {0} to {1} ({2}).{3}', rel(uri), rel(target), description.summary, note));
  }
  // The pre-commit guard knows only a plaintext named like its `.enc` twin: a copy under another name would
  // be committed, and so would one over a tracked file by the next commit of all changes.
  if (deps.services.trust.isTrusted) warnDecryptedCopies(result.files.map((f) => f.target)).catch((err: unknown) => deps.services.errors.report(err, 'custodian.decryptToFile'));
  return result;
}
