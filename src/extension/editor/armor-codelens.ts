// CodeLenses above each encrypted block or value in a text document: who it is for, "Decrypt" (a
// read-only peek) and "Decrypt in Place". Documents without a marker cost two `includes`.
import * as vscode from 'vscode';
import { ARMOR_BEGIN, COMPACT_PREFIX } from '../../core/armor';
import { displayText } from '../../core/display-text';
import type { CryptoSession } from '../crypto-session';
import { CommandId } from '../commands/ids';
import { lazyCore } from '../lazy-core';

/**
 * Encrypted blocks and values that get lenses, per document. A file anyone can commit may hold tens of
 * thousands (80,000 one-line tokens made 240,000 lenses and stalled the extension host for seconds), and
 * each lens parses a header (bounded: header size, key sizes). The first ones in the file get theirs;
 * above the next, one lens says how many follow without and how to open one: Decrypt Selection and
 * Preview Decrypted Block work on whatever value holds the cursor. The first ones, not those on screen:
 * VS Code asks for a document's lenses when it changes, not when it scrolls.
 */
const MAX_LENSED_SPANS = 50;

export class ArmorCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor(private readonly session: CryptoSession) {}

  dispose(): void {
    this.changeEmitter.dispose();
  }

  refresh(): void {
    this.changeEmitter.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token?: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    const text = document.getText();
    if (!text.includes(ARMOR_BEGIN) && !text.includes(COMPACT_PREFIX)) return [];
    const [{ findEncryptedSpans, spanCiphertext }, { inspectEnvelope }] = await Promise.all([lazyCore.selectionArmor(), lazyCore.envelope()]);
    const known = await this.session.knownKeys();
    const lenses: vscode.CodeLens[] = [];
    const spans = findEncryptedSpans(text);
    for (const [index, block] of spans.slice(0, MAX_LENSED_SPANS).entries()) {
      if (token?.isCancellationRequested) return [];
      const range = new vscode.Range(document.positionAt(block.start), document.positionAt(block.end));
      const head = new vscode.Range(range.start, range.start);
      const arg = { uri: document.uri, range, index };
      let forWhom: string;
      let canDecrypt: boolean;
      try {
        const header = await inspectEnvelope(spanCiphertext(block));
        forWhom = vscode.l10n.t('$(lock) Encrypted for {0}', this.session.parties(header.recipients, known).map((p) => displayText(p.name)).join(', '));
        canDecrypt = this.session.canDecrypt(header.recipients);
      } catch {
        forWhom = vscode.l10n.t('$(error) Damaged encrypted block');
        canDecrypt = false;
      }
      lenses.push(new vscode.CodeLens(head, { title: forWhom, command: '' }));
      if (canDecrypt) {
        lenses.push(new vscode.CodeLens(head, { title: vscode.l10n.t('$(eye) Decrypt'), tooltip: vscode.l10n.t('Show the plaintext in a read-only preview'), command: CommandId.PreviewBlock, arguments: [arg] }));
        lenses.push(new vscode.CodeLens(head, { title: vscode.l10n.t('Decrypt in Place'), tooltip: vscode.l10n.t('Replace it with its plaintext (asks first: the plaintext can reach the disk)'), command: CommandId.DecryptSelection, arguments: [arg] }));
      }
    }
    if (spans.length > MAX_LENSED_SPANS) {
      const next = document.positionAt(spans[MAX_LENSED_SPANS].start);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(next, next), {
          title: vscode.l10n.t('$(lock) {0} more encrypted blocks or values from here on have no lenses: put the cursor in one and run "Custodian: Decrypt Selection" or "Custodian: Preview Decrypted Block"', spans.length - MAX_LENSED_SPANS),
          tooltip: vscode.l10n.t('Only the first {0} encrypted blocks or values of a file get lenses: thousands would slow the editor down.', MAX_LENSED_SPANS),
          command: '',
        }),
      );
    }
    return lenses;
  }
}
