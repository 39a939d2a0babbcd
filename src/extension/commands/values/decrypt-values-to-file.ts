// Decrypt Values to New File: writes the plaintext of a value-encrypted file to a NEW file (never over
// the encrypted one, never over an existing file), after a warning: that file holds every secret in
// the clear, on disk, where git could pick it up: one in a git work tree that git does not ignore is
// named, with Add to .gitignore (unignored-plaintext.ts).
import * as vscode from 'vscode';
import { CustodianError } from '../../../core/errors';
import { basename } from '../../fs/enc-uri';
import { writeFileAtomic } from '../../storage/workspace-files';
import { formatOf, readText } from '../../fs/values-file-system';
import { fromValuesUri } from '../../fs/values-uri';
import { exists } from '../../storage/workspace-files';
import { lazyCore } from '../../lazy-core';
import { fromArgument, is, type Shape } from '../arguments';
import { valuesTarget, type ValuesDeps } from './deps';
import { askSecretPlace } from '../secret-place';
import { warnDecryptedCopies } from '../unignored-plaintext';
import { DECRYPTED_COPY_SUFFIX } from '../../../core/decrypted-copy';

export interface DecryptValuesArgs {
  uri?: vscode.Uri;
  /** Test harness: where to write (instead of the save dialog) and the warning's answer. */
  target?: vscode.Uri;
  confirm?: boolean;
}

const DECRYPT_VALUES_ARGS: Shape<DecryptValuesArgs> = { uri: is.uri, target: is.uri, confirm: is.boolean };

export async function decryptValuesToFile(deps: ValuesDeps, first: unknown): Promise<vscode.Uri | undefined> {
  const args = fromArgument(first, DECRYPT_VALUES_ARGS);
  const picked = valuesTarget(first) ?? vscode.window.activeTextEditor?.document.uri;
  if (!picked) throw new CustodianError(vscode.l10n.t('Open a value-encrypted .env, JSON or YAML file first.'));
  const file = fromValuesUri(picked);
  const what = basename(file.path);
  // Whether I can open it at all, before asking anything: no key, or not a recipient, is said first.
  const format = await formatOf(file);
  const text = await readText(file, what);
  const [values, backend] = await Promise.all([lazyCore.values(), deps.services.backend()]);
  const info = await values.inspectValues(text, format, backend);
  const identities = await deps.session.identitiesFor(info.recipients, what, info.recipientPolicy);
  let target: vscode.Uri | undefined;
  try {
    const proceed = vscode.l10n.t('Write Plaintext File');
    const answer =
      args.confirm === undefined
        ? await vscode.window.showWarningMessage(
            vscode.l10n.t('Decrypting {0} writes every value in the clear to a new file on disk.', what),
            { modal: true, detail: vscode.l10n.t('Keep that file out of version control and delete it when done. The encrypted file stays as it is.') },
            proceed,
          )
        : args.confirm && proceed;
    if (answer !== proceed) return undefined;
    target =
      args.target ??
      (await askSecretPlace({
        fileName: `${what}${DECRYPTED_COPY_SUFFIX}`,
        dialog: { title: vscode.l10n.t('Save the decrypted copy as') },
        question: vscode.l10n.t('Write the plaintext of {0} inside the workspace?', what),
        detail: (chosen) =>
          vscode.l10n.t(
            '{0} will hold the secret in plain text inside the workspace, where it is easily committed, synced or shared by accident. Unless git ignores it, a place outside the repository is safer.',
            vscode.workspace.asRelativePath(chosen),
          ),
        anyway: vscode.l10n.t('Decrypt Here Anyway'),
      }));
    if (!target) return undefined;
    if (target.toString() === file.toString() || (await exists(target))) {
      throw new CustodianError(vscode.l10n.t('{0} already exists: the decrypted copy goes to a new file only.', basename(target.path)));
    }
    const opened = await values.openValues(text, { format, identities, backend });
    try {
      // Readable by me only, as `custodian decrypt -o` and Decrypt to File write plaintext.
      await writeFileAtomic(target, new TextEncoder().encode(opened.document), { overwrite: false, mode: 0o600 });
    } finally {
      opened.dispose();
    }
  } finally {
    deps.session.release(...identities);
  }
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Decrypted {0} to {1}, every value in the clear. Keep it out of version control and delete it when done.', what, vscode.workspace.asRelativePath(target)),
  );
  if (deps.services.trust.isTrusted) warnDecryptedCopies([target]).catch((err: unknown) => deps.services.errors.report(err, 'custodian.decryptValuesToFile'));
  return target;
}
