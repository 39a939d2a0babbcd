// CodeLenses above each encrypted block or value in a text document: who it is for, "Decrypt" (a
// read-only peek) and "Decrypt in Place". Documents without a marker cost two `includes`.
import * as vscode from 'vscode';
import { ARMOR_BEGIN, COMPACT_PREFIX } from '../../core/armor';
import { displayText } from '../../core/display-text';
import type { CryptoSession } from '../crypto-session';
import { CommandId } from '../commands/ids';
import { lazyCore } from '../lazy-core';

/**
 * Headers inspected per document and refresh. Each inspection is bounded (header size, key sizes), but
 * a file anyone can commit may hold thousands of blocks; past this many, blocks get their lenses
 * without the "for whom" line, and nothing more is parsed.
 */
const MAX_INSPECTED_SPANS = 50;

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
    for (const [index, block] of findEncryptedSpans(text).entries()) {
      if (token?.isCancellationRequested) return [];
      const range = new vscode.Range(document.positionAt(block.start), document.positionAt(block.end));
      const head = new vscode.Range(range.start, range.start);
      const arg = { uri: document.uri, range, index };
      let forWhom = vscode.l10n.t('$(lock) Encrypted (not inspected: more than {0} encrypted blocks in this file)', MAX_INSPECTED_SPANS);
      let canDecrypt = true;
      if (index < MAX_INSPECTED_SPANS) {
        try {
          const header = await inspectEnvelope(spanCiphertext(block));
          forWhom = vscode.l10n.t('$(lock) Encrypted for {0}', this.session.parties(header.recipients, known).map((p) => displayText(p.name)).join(', '));
          canDecrypt = this.session.canDecrypt(header.recipients);
        } catch {
          forWhom = vscode.l10n.t('$(error) Damaged encrypted block');
          canDecrypt = false;
        }
      }
      lenses.push(new vscode.CodeLens(head, { title: forWhom, command: '' }));
      if (canDecrypt) {
        lenses.push(new vscode.CodeLens(head, { title: vscode.l10n.t('$(eye) Decrypt'), tooltip: vscode.l10n.t('Show the plaintext in a read-only preview'), command: CommandId.PreviewBlock, arguments: [arg] }));
        lenses.push(new vscode.CodeLens(head, { title: vscode.l10n.t('Decrypt in Place'), tooltip: vscode.l10n.t('Replace it with its plaintext (asks first: the plaintext can reach the disk)'), command: CommandId.DecryptSelection, arguments: [arg] }));
      }
    }
    return lenses;
  }
}
