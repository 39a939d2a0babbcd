// Encrypt Selection: each non-empty selection becomes an armored block for the chosen recipients,
// signed by my default key. A selection starting after indentation keeps that indentation on every
// armor line (FORMAT.md §7), so a block can sit in a YAML block scalar.
import * as vscode from 'vscode';
import { utf8Encode, zeroize } from '../../../core/bytes';
import { CustodianError } from '../../../core/errors';
import { asObject } from '../pick';
import type { EncDeps } from './deps';
import { chooseRecipients, type RecipientArgs } from './recipients';

export interface EncryptSelectionArgs extends RecipientArgs {
  /** Defaults to the active editor. */
  editor?: vscode.TextEditor;
}

export interface EncryptSelectionResult {
  blocks: number;
  recipients: string[];
}

export async function encryptSelection(deps: EncDeps, arg: unknown): Promise<EncryptSelectionResult | undefined> {
  const a = asObject<EncryptSelectionArgs>(arg);
  const editor = a.editor ?? vscode.window.activeTextEditor;
  if (!editor) throw new CustodianError('Open a file and select the text to encrypt.');
  const selections = editor.selections.filter((s) => !s.isEmpty);
  if (selections.length === 0) throw new CustodianError('Select the text to encrypt first.');
  const recipients = await chooseRecipients(deps.services, deps.session, a, editor.document.uri);
  if (!recipients) return undefined;

  const [{ encryptBytes }, { armor }, backend] = await Promise.all([import('../../../core/envelope'), import('../../../core/armor'), deps.services.backend()]);
  const signer = await deps.session.signer();
  const document = editor.document;
  const version = document.version;
  const replacements: [vscode.Selection, string][] = [];
  try {
    for (const selection of selections) {
      const plaintext = utf8Encode(dedent(document.getText(selection), indentOf(document, selection)));
      try {
        const sealed = await encryptBytes(plaintext, { recipients: recipients.map((r) => r.key), signer, backend });
        replacements.push([selection, layout(armor(sealed), document, selection)]);
      } finally {
        zeroize(plaintext);
      }
    }
  } finally {
    deps.session.release(signer);
  }
  if (document.version !== version) throw new CustodianError('The document changed while encrypting; nothing was replaced. Try again.');
  const ok = await editor.edit((edit) => {
    for (const [selection, text] of replacements) edit.replace(selection, text);
  });
  if (!ok) throw new CustodianError('The editor refused the change; nothing was replaced.');
  return { blocks: replacements.length, recipients: recipients.map((r) => r.fingerprint) };
}

/** Armor text placed at `selection`: indented like its line, line endings like the document, no final newline mid-line. */
function layout(armored: string, document: vscode.TextDocument, selection: vscode.Selection): string {
  const linePrefix = document.lineAt(selection.start.line).text.slice(0, selection.start.character);
  const indent = indentOf(document, selection);
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const lines = armored.replace(/\n$/, '').split('\n');
  let text = lines.map((l, i) => (i === 0 ? l : indent + l)).join(eol);
  // Keep the line break the selection swallowed (a whole-line selection ends at the next line's start).
  if (selection.end.character === 0 && selection.end.line > selection.start.line) text += eol;
  // A block must start on its own line (§7): break the line when the selection started mid-text.
  if (!indent && linePrefix.length > 0) text = eol + text;
  return text;
}

/** The indentation before a selection that starts after only spaces/tabs ('' otherwise). */
function indentOf(document: vscode.TextDocument, selection: vscode.Selection): string {
  const linePrefix = document.lineAt(selection.start.line).text.slice(0, selection.start.character);
  return /^[ \t]*$/.test(linePrefix) ? linePrefix : '';
}

/**
 * The selected text without the block's indentation on its later lines (as YAML reads a block
 * scalar); Decrypt Selection puts it back. Left as is unless every later non-empty line has it.
 */
function dedent(text: string, indent: string): string {
  if (!indent) return text;
  const lines = text.split(/(?<=\n)/);
  const later = lines.slice(1).filter((l) => l.trim() !== '');
  if (!later.every((l) => l.startsWith(indent))) return text;
  return lines.map((l, i) => (i > 0 && l.startsWith(indent) ? l.slice(indent.length) : l)).join('');
}
