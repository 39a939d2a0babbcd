// Core errors read like CLI output ("rsa key is 1024 bits", hint "generate a new key …"); in the
// UI they are shown as sentences, hint after message.
import * as vscode from 'vscode';
import { CustodianError, describeError } from '../../core/errors';
import { explainError } from './error-text';

/**
 * Capitalises a first word of lowercase letters and ends with a full stop (unless it already ends in
 * punctuation). A first word that is a name (`plain.env`, `config/app.json`, `db_url`) keeps its case.
 */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = /^[a-z]+(?![\w./-])/.test(t) ? t[0].toUpperCase() + t.slice(1) : t;
  return /[.!?:…]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * "Message. Hint." of a thrown value, for a page, tooltip or diagnostic: what happened and what to do
 * (explainError) followed by the technical message as details, or the error's own message and hint.
 */
export function errorMessageWithHint(err: unknown): string {
  const explained = explainError(err);
  if (explained) return vscode.l10n.t('{0} Details: {1}', messageWithHint(explained.message, explained.hint), sentence(describeError(err)));
  return messageWithHint(describeError(err), err instanceof CustodianError ? err.hint : undefined);
}

/** "Message. Hint." for a notification, a tooltip or a diagnostic. */
export function messageWithHint(message: string, hint?: string): string {
  return hint ? `${sentence(message)} ${sentence(hint)}` : sentence(message);
}
