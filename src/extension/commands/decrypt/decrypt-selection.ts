// Decrypt Selection ("Decrypt in Place"): encrypted blocks and tokens that touch a selection (or hold
// the cursor) are replaced by their plaintext, restoring the text that was encrypted (FORMAT.md §7.2).
// Plaintext in a document that is not Custodian's own reaches the disk through hot-exit backups and
// (auto-)save, so the user is told first and may preview instead; the CodeLens "Decrypt" only previews.
import * as vscode from 'vscode';
import { displayText } from '../../../core/display-text';
import { CustodianError } from '../../../core/errors';
import type { EncryptedSpan } from '../../../core/selection-armor';
import type { Party, SignerState } from '../../crypto-session';
import type { EncDeps } from '../encrypt/deps';
import { ENC_SCHEME, toEncryptedUri } from '../../fs/enc-uri';
import { fromValuesUri, VALUES_SCHEME } from '../../fs/values-uri';
import { fromArgument, is, type Shape } from '../arguments';
import { blockRange, blocksIn, decryptBlock, notTextError } from './blocks';
import { previewBlock, type PreviewBlockResult } from './preview-block';
import { lazyCore } from '../../lazy-core';

export interface DecryptSelectionArgs {
  /** Defaults to the active editor (or the editor showing `uri`). */
  editor?: vscode.TextEditor;
  /** A document and a block range (from the CodeLens) instead of the selections. */
  uri?: vscode.Uri;
  range?: vscode.Range;
  /** The user already agreed to plaintext in this document: skip the warning (tests, other commands). */
  confirm?: boolean;
  /** Test harness: the user agreed that the file's other recipients may read the block. */
  widen?: boolean;
}

const DECRYPT_SELECTION_ARGS: Shape<DecryptSelectionArgs> = { editor: is.editor, uri: is.uri, range: is.range, confirm: is.boolean, widen: is.boolean };

export interface DecryptSelectionResult {
  blocks: number;
  signers: SignerState[];
  recipients: Party[][];
  /** Set when the user chose "Preview Instead": the read-only previews shown (nothing was replaced). */
  previews?: PreviewBlockResult[];
}

const IN_PLACE = (): string => vscode.l10n.t('Decrypt in Place');
const PREVIEW = (): string => vscode.l10n.t('Preview Instead');
const WIDEN = (): string => vscode.l10n.t('Decrypt in Place Anyway');

export async function decryptSelection(deps: EncDeps, arg: unknown): Promise<DecryptSelectionResult | undefined> {
  const a = fromArgument(arg, DECRYPT_SELECTION_ARGS);
  let editor = a.editor ?? vscode.window.activeTextEditor;
  if (a.uri) {
    editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === a.uri!.toString()) ?? (await vscode.window.showTextDocument(a.uri));
  }
  if (!editor) throw new CustodianError(vscode.l10n.t('Open a file with an encrypted block first.'));
  const document = editor.document;
  const targets = a.range ? [a.range] : editor.selections;
  const blocks = (await blocksIn(document)).filter((b) => {
    const r = blockRange(document, b);
    return targets.some((t) => (t.isEmpty ? r.contains(t.start) : r.intersection(t) !== undefined));
  });
  if (blocks.length === 0) {
    throw new CustodianError(vscode.l10n.t('There is no encrypted block at the selection.'), {
      hint: vscode.l10n.t('Put the cursor inside an encrypted block ("-----BEGIN CUSTODIAN ENCRYPTED FILE-----") or value ("custodian-enc1.…").'),
    });
  }
  const version = document.version;
  const original = document.getText();
  const what = displayText(vscode.workspace.asRelativePath(document.uri));
  // Each block's recipients, read once from its header: who gains it here, and whether I can open it.
  const readers = await Promise.all(blocks.map(blockReaders));
  const gained = readersGained(deps, document.uri, readers);
  if (gained.length > 0 && a.widen !== true) {
    const choice = await warnReadersGained(document, gained);
    if (choice === undefined) return undefined;
    if (choice === PREVIEW()) return { blocks: 0, signers: [], recipients: [], previews: await previewAll(deps, document, blocks) };
  }
  if (a.confirm !== true && document.uri.scheme !== ENC_SCHEME) {
    // A block I cannot open fails with who can, before asking about plaintext that will not come.
    for (const [i, block] of blocks.entries()) {
      const fingerprints = readers[i];
      if (fingerprints === undefined || !deps.session.canDecrypt(fingerprints)) await decryptBlock(deps, block, vscode.l10n.t('the encrypted block in {0}', what));
    }
    const choice = await warnPlaintextInDocument(document);
    if (choice === undefined) return undefined;
    if (choice === PREVIEW()) return { blocks: 0, signers: [], recipients: [], previews: await previewAll(deps, document, blocks) };
  }
  const { openedEdit } = await lazyCore.selectionArmor();
  const edits: [vscode.Range, string][] = [];
  const result: DecryptSelectionResult = { blocks: 0, signers: [], recipients: [] };
  for (const block of blocks) {
    const decrypted = await decryptBlock(deps, block, vscode.l10n.t('the encrypted block in {0}', what));
    decrypted.plaintext.fill(0);
    if (decrypted.text === undefined) throw notTextError(vscode.l10n.t('The encrypted block in {0}', what));
    const edit = openedEdit(original, block, decrypted.text);
    edits.push([new vscode.Range(document.positionAt(edit.start), document.positionAt(edit.end)), edit.text]);
    result.signers.push(decrypted.description.signer);
    result.recipients.push(decrypted.description.recipients);
    if (decrypted.description.warning) void vscode.window.showWarningMessage(vscode.l10n.t('Decrypted block: {0}', decrypted.description.warning));
  }
  if (document.version !== version) throw new CustodianError(vscode.l10n.t('The document changed while decrypting; nothing was replaced. Try again.'));
  const ok = await editor.edit((edit) => {
    for (const [range, text] of edits) edit.replace(range, text);
  });
  if (!ok) throw new CustodianError(vscode.l10n.t('The editor refused the change; nothing was replaced.'));
  result.blocks = edits.length;
  return result;
}

async function previewAll(deps: EncDeps, document: vscode.TextDocument, blocks: readonly EncryptedSpan[]): Promise<PreviewBlockResult[]> {
  const previews: PreviewBlockResult[] = [];
  for (const block of blocks) previews.push(await previewBlock(deps, { uri: document.uri, range: blockRange(document, block) }));
  return previews;
}

/** The block's recipients (fingerprints), or undefined when its header does not read. */
async function blockReaders(block: EncryptedSpan): Promise<readonly string[] | undefined> {
  const [{ inspectEnvelope }, { spanCiphertext }] = await Promise.all([lazyCore.envelope(), lazyCore.selectionArmor()]);
  try {
    return (await inspectEnvelope(spanCiphertext(block))).recipients;
  } catch {
    return undefined;
  }
}

/**
 * Who could read a block once it is decrypted into this document and saved, and cannot now: in a
 * decrypted `.enc` or value-encrypted file, everyone the file is encrypted for whom a block is not.
 * A red team decrypted a block for one person inside a file for three, saved, and the other two read it.
 * (A plain document's readers are anyone with the file: warnPlaintextInDocument says so.)
 */
function readersGained(deps: EncDeps, uri: vscode.Uri, readersOfBlocks: readonly (readonly string[] | undefined)[]): Party[] {
  const file = uri.scheme === ENC_SCHEME ? deps.fs.documents.describe(uri) : uri.scheme === VALUES_SCHEME ? deps.valuesFs.describe(uri) : undefined;
  if (!file) return [];
  const gained = new Map<string, Party>();
  for (const readers of readersOfBlocks) {
    if (readers === undefined) continue; // Damaged: decrypting it fails, and says so.
    for (const party of file.recipients) if (!readers.includes(party.fingerprint)) gained.set(party.fingerprint, party);
  }
  return [...gained.values()];
}

/** The modal before a block goes into a file more people can open than the block: who, and Preview Instead. */
async function warnReadersGained(document: vscode.TextDocument, gained: readonly Party[]): Promise<string | undefined> {
  // The file's own name, as the Explorer shows it (the decrypted view's URI would read "/secrets/…").
  const file = document.uri.scheme === ENC_SCHEME ? toEncryptedUri(document.uri) : fromValuesUri(document.uri);
  const name = displayText(vscode.workspace.asRelativePath(file));
  const who = gained.map((p) => displayText(p.name)).join(', ');
  return vscode.window.showWarningMessage(
    vscode.l10n.t('Decrypting this block here lets {0} read it.', who),
    {
      modal: true,
      detail: [
        // "Once saved" read as later to a newcomer whose auto-save wrote the file at once.
        vscode.l10n.t('The block is encrypted for fewer people than {0}. Its next save, auto-save included, puts the block\'s text in the file for everyone {0} is encrypted for.', name),
        '',
        vscode.l10n.t('"{0}" shows the plaintext read-only and leaves the file unchanged.', PREVIEW()),
      ].join('\n'),
    },
    PREVIEW(),
    WIDEN(),
  );
}

/**
 * The modal before plaintext goes into a document VS Code backs up and saves as is: what can happen
 * to it, with "Preview Instead" (read-only, nothing written). Resolves to the choice, or undefined.
 */
async function warnPlaintextInDocument(document: vscode.TextDocument): Promise<string | undefined> {
  const files = vscode.workspace.getConfiguration('files', document.uri);
  // A file name comes from the repository: shown without controls or bidi overrides.
  const name = document.isUntitled ? vscode.l10n.t('this unsaved document') : displayText(vscode.workspace.asRelativePath(document.uri));
  const autoSave = files.get<string>('autoSave', 'off');
  const lines = [vscode.l10n.t('The decrypted text becomes ordinary, unencrypted text of the document:')];
  if (files.get<string>('hotExit', 'onExitAndWindowClose') !== 'off') {
    lines.push(vscode.l10n.t('• VS Code backs up unsaved changes to disk (hot exit) about a second after an edit.'));
  }
  if (!document.isUntitled) {
    lines.push(
      autoSave === 'off'
        ? vscode.l10n.t('• Saving (or turning auto-save on) writes the plaintext into {0}, where git can commit it.', name)
        : vscode.l10n.t('• Auto-save is on ("{0}"): the plaintext will be written into {1}, where git can commit it.', autoSave, name),
    );
  }
  lines.push('', vscode.l10n.t('"{0}" shows the plaintext read-only and leaves the file unchanged.', PREVIEW()));
  return vscode.window.showWarningMessage(vscode.l10n.t('Decrypt in Place puts the plaintext into {0}.', name), { modal: true, detail: lines.join('\n') }, IN_PLACE(), PREVIEW());
}
