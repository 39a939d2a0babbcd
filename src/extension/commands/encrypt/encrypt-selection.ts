// Encrypt Selection: each non-empty selection is encrypted for the chosen recipients, signed by my
// default key, in a form that keeps the file valid (FORMAT.md §7.2): a value inside a line becomes a
// one-line compact token where it stood; whole lines become an armored block at their indentation.
// Decrypt in Place restores the original text byte for byte.
import * as vscode from 'vscode';
import { utf8Encode, zeroize } from '../../../core/bytes';
import { CustodianError } from '../../../core/errors';
import { fromArgument, is, type Shape } from '../arguments';
import type { SelectionClash } from '../../../core/selection-armor';
import type { EncDeps } from './deps';
import { chooseRecipients, RECIPIENT_ARGS, type RecipientArgs } from './recipients';
import { lazyCore } from '../../lazy-core';
import { markEncrypted } from '../../views/context-keys';

export interface EncryptSelectionArgs extends RecipientArgs {
  /** Defaults to the active editor. */
  editor?: vscode.TextEditor;
}

const ENCRYPT_SELECTION_ARGS: Shape<EncryptSelectionArgs> = { ...RECIPIENT_ARGS, editor: is.editor };

export interface EncryptSelectionResult {
  blocks: number;
  recipients: string[];
}

export async function encryptSelection(deps: EncDeps, arg: unknown): Promise<EncryptSelectionResult | undefined> {
  const a = fromArgument(arg, ENCRYPT_SELECTION_ARGS);
  const editor = a.editor ?? vscode.window.activeTextEditor;
  if (!editor) throw new CustodianError(vscode.l10n.t('Open a file and select the text to encrypt.'));
  const selections = editor.selections.filter((s) => !s.isEmpty);
  if (selections.length === 0) throw new CustodianError(vscode.l10n.t('Select the text to encrypt first.'));
  const document = editor.document;
  const version = document.version;
  const text = document.getText();
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const [{ planSelection, sealedText, selectionClash }, { valueSyntaxFor }] = await Promise.all([lazyCore.selectionArmor(), lazyCore.valueQuoting()]);
  const syntax = valueSyntaxFor(document.languageId, document.fileName);
  // Every selection is checked before anything is asked or encrypted, so a bad one changes nothing.
  const plans = selections.map((s) => planSelection(text, document.offsetAt(s.start), document.offsetAt(s.end), syntax));
  const clash = selectionClash(text, plans);
  if (clash) throw clashError(clash.problem);
  const recipients = await chooseRecipients(deps.services, deps.session, a, document.uri);
  if (!recipients) return undefined;

  const [{ encryptBytes }, backend] = await Promise.all([lazyCore.envelope(), deps.services.backend()]);
  const signer = await deps.session.signer();
  const replacements: [vscode.Range, string][] = [];
  try {
    for (const plan of plans) {
      const plaintext = utf8Encode(plan.plaintext);
      try {
        const sealed = await encryptBytes(plaintext, { recipients: recipients.map((r) => r.key), signer, backend });
        replacements.push([new vscode.Range(document.positionAt(plan.start), document.positionAt(plan.end)), sealedText(plan, sealed, eol)]);
      } finally {
        zeroize(plaintext);
      }
    }
  } finally {
    deps.session.release(signer);
  }
  if (document.version !== version) throw new CustodianError(vscode.l10n.t('The document changed while encrypting; nothing was replaced. Try again.'));
  const ok = await editor.edit((edit) => {
    for (const [range, sealed] of replacements) edit.replace(range, sealed);
  });
  if (!ok) throw new CustodianError(vscode.l10n.t('The editor refused the change; nothing was replaced.'));
  markEncrypted();
  return { blocks: replacements.length, recipients: recipients.map((r) => r.fingerprint) };
}

/** What to do about selections whose encrypted values could not be read back (FORMAT.md §7.1). */
function clashError(problem: SelectionClash['problem']): CustodianError {
  switch (problem) {
    case 'after':
      return new CustodianError(vscode.l10n.t('The selection starts right after an encrypted value or block: the new one would run into it, and neither could be decrypted.'), {
        hint: vscode.l10n.t('An encrypted value ends at the first character that is not a letter, digit, "-" or "_": start the selection one character later, so that such a character stays between them, or decrypt that value first and encrypt both in one selection.'),
      });
    case 'before':
      return new CustodianError(vscode.l10n.t('The selection ends where the line of an encrypted block starts: the new value would go onto that line and break the block.'), {
        hint: vscode.l10n.t('End the selection before the line break, or select the whole block too.'),
      });
    case 'inside':
      return new CustodianError(vscode.l10n.t('The selection cuts through an encrypted value or block: that one would be damaged, and the new one could not be found.'), {
        hint: vscode.l10n.t('Select all of it (a block from its BEGIN line to its END line) or none of it.'),
      });
    case 'touching':
      return new CustodianError(vscode.l10n.t('Two selections touch: their encrypted values would run together, and neither could be decrypted.'), {
        hint: vscode.l10n.t('An encrypted value ends at the first character that is not a letter, digit, "-" or "_": select them as one, or leave such a character between them.'),
      });
  }
}
