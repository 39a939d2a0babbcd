import * as vscode from 'vscode';
// What a failure means for the person who sees it. Core errors say precisely what is wrong with the
// bytes ("malformed header: chunk size 17039360 outside 16..16777216"), which helps a developer and
// nobody else; here each class of error becomes what happened and what to do, naming the file and the
// people involved where they are known. The precise message still goes to the output channel.
import {
  ArmorError,
  FormatError,
  HeaderAuthError,
  KeyFormatError,
  PayloadAuthError,
  SelectionError,
  SignatureError,
  SignerMismatchError,
  TruncatedError,
  UnsupportedVersionError,
} from '../../core/errors';

export interface ErrorContext {
  /** The file the command worked on, as shown to the user (workspace-relative, display-safe). */
  file?: string;
  /** Who encrypted that file (its header's signer), by name: "alice", or "you" for one of my keys. */
  author?: string;
  /** Names of known keys by fingerprint ("SHA256:…"): mine, the roster's and contacts'. */
  names?: ReadonlyMap<string, string>;
}

export interface ErrorText {
  message: string;
  hint?: string;
}

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/g;

// KeyFormatError messages about bytes that do not parse (as opposed to "this is a public key, expected a
// private key", which already says what to do).
const DAMAGED_KEY = /malformed|truncated|trailing|non-minimal|negative integer|invalid UTF-8|not contain valid base64/i;

/** The user's sentence for `err`; undefined when its own message already is one. */
export function explainError(err: unknown, ctx: ErrorContext = {}): ErrorText | undefined {
  const file = ctx.file ?? vscode.l10n.t('This file');
  const restore = restoreHint(ctx);
  // Its English message is the CLI's; the UI says it in the user's language (es 013 showed it in English).
  if (err instanceof SelectionError) return selectionText(err);
  if (err instanceof ArmorError) {
    return { message: ctx.file
          ? vscode.l10n.t('An encrypted block in {0} is damaged: its text was changed or cut (e.g. by an editor or a merge).', ctx.file)
          : vscode.l10n.t('An encrypted block is damaged: its text was changed or cut (e.g. by an editor or a merge).'), hint: restore };
  }
  if (err instanceof UnsupportedVersionError) {
    return { message: vscode.l10n.t('{0} was written in a format version this Custodian does not know.', file), hint: vscode.l10n.t('Update Custodian, or ask whoever wrote it which version they use.') };
  }
  if (err instanceof FormatError) {
    // "not a Custodian encrypted file" already says what it is; anything else is a damaged file.
    if (/not a Custodian encrypted file/.test(err.message)) return undefined;
    return { message: vscode.l10n.t('{0} is damaged: it is not a readable Custodian encrypted file any more.', file), hint: restore };
  }
  if (err instanceof TruncatedError) {
    return { message: vscode.l10n.t('{0} is truncated: it ends before its last part (an interrupted copy, download or merge).', file), hint: restore };
  }
  if (err instanceof PayloadAuthError) {
    return { message: vscode.l10n.t('{0} is damaged or was modified after it was written: part of its contents failed authentication.', file), hint: restore };
  }
  if (err instanceof HeaderAuthError) {
    return { message: vscode.l10n.t('{0} is damaged or was modified after it was written: its header failed authentication.', file), hint: restore };
  }
  if (err instanceof SignatureError && !(err instanceof SignerMismatchError)) {
    return {
      message: vscode.l10n.t('{0}\'s signature does not verify: it was damaged or modified after it was signed.', file),
      hint: vscode.l10n.t('Do not trust its contents. {0}', restore),
    };
  }
  if (err instanceof KeyFormatError && DAMAGED_KEY.test(err.message)) {
    return {
      message: vscode.l10n.t('This key is damaged: its text was cut or changed on the way (copying, pasting or an e-mail client).'),
      hint: vscode.l10n.t('Copy or export the key again from where it came from.'),
    };
  }
  return undefined;
}

function selectionText(err: SelectionError): ErrorText {
  switch (err.problem) {
    case 'empty':
      return { message: vscode.l10n.t('Select the text to encrypt first.') };
    case 'empty-string':
      return { message: vscode.l10n.t('The selection is an empty string: there is nothing to encrypt.') };
    case 'outside-string': {
      const syntax = err.detail.syntax ?? '';
      return {
        message: vscode.l10n.t('In a {0} file, select text inside a string ("…"): encrypted text anywhere else would make the file invalid {0}.', syntax),
        hint: vscode.l10n.t('To encrypt a number, a boolean or a whole section, use "Encrypt File" on the file instead.'),
      };
    }
    case 'inside-word':
      return {
        message: vscode.l10n.t('The selection ends inside a word: select the whole value.'),
        hint: vscode.l10n.t('The encrypted value ends at the first character that is not a letter, digit, "-" or "_"; the "{0}" after the selection would become part of it.', err.detail.next ?? ''),
      };
  }
}

/** Fingerprints in `text` replaced by the names they are known by. */
export function nameFingerprints(text: string, names: ReadonlyMap<string, string> | undefined): string {
  if (!names || names.size === 0) return text;
  return text.replace(FINGERPRINT, (fp) => names.get(fp) ?? fp);
}

function restoreHint(ctx: ErrorContext): string {
  if (ctx.author === 'you') {
    return ctx.file
      ? vscode.l10n.t('Restore {0} from git if it was committed, or encrypt your original again.', ctx.file)
      : vscode.l10n.t('Restore it from git if it was committed, or encrypt your original again.');
  }
  if (ctx.author !== undefined) {
    return ctx.file
      ? vscode.l10n.t('Restore {0} from git if it was committed, or ask {1} to re-encrypt it.', ctx.file, ctx.author)
      : vscode.l10n.t('Restore it from git if it was committed, or ask {0} to re-encrypt it.', ctx.author);
  }
  return ctx.file
    ? vscode.l10n.t('Restore {0} from git if it was committed, or ask whoever encrypted it to re-encrypt it.', ctx.file)
    : vscode.l10n.t('Restore it from git if it was committed, or ask whoever encrypted it to re-encrypt it.');
}
