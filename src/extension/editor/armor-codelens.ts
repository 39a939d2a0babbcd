// CodeLenses above each encrypted block or value in a text document: who it is for, "Decrypt" (a
// read-only peek) and "Decrypt in Place". Documents without a marker cost two `includes`.
import * as vscode from 'vscode';
import { ARMOR_BEGIN, COMPACT_PREFIX } from '../../core/armor';
import { displayText } from '../../core/display-text';
import type { CryptoSession } from '../crypto-session';
import { CommandId } from '../commands/ids';
import { lazyCore } from '../lazy-core';

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

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const text = document.getText();
    if (!text.includes(ARMOR_BEGIN) && !text.includes(COMPACT_PREFIX)) return [];
    const [{ findEncryptedSpans, spanCiphertext }, { inspectEnvelope }] = await Promise.all([lazyCore.selectionArmor(), lazyCore.envelope()]);
    const known = await this.session.knownKeys();
    const lenses: vscode.CodeLens[] = [];
    for (const [index, block] of findEncryptedSpans(text).entries()) {
      const range = new vscode.Range(document.positionAt(block.start), document.positionAt(block.end));
      const head = new vscode.Range(range.start, range.start);
      const arg = { uri: document.uri, range, index };
      let forWhom = 'Encrypted';
      let canDecrypt = true;
      try {
        const header = await inspectEnvelope(spanCiphertext(block));
        forWhom = `Encrypted for ${this.session.parties(header.recipients, known).map((p) => displayText(p.name)).join(', ')}`;
        canDecrypt = this.session.canDecrypt(header.recipients);
      } catch {
        forWhom = '$(error) Damaged encrypted block';
        canDecrypt = false;
      }
      lenses.push(new vscode.CodeLens(head, { title: `$(lock) ${forWhom}`, command: '' }));
      if (canDecrypt) {
        lenses.push(new vscode.CodeLens(head, { title: '$(eye) Decrypt', tooltip: 'Show the plaintext in a read-only preview', command: CommandId.PreviewBlock, arguments: [arg] }));
        lenses.push(new vscode.CodeLens(head, { title: 'Decrypt in Place', tooltip: 'Replace it with its plaintext (asks first: the plaintext can reach the disk)', command: CommandId.DecryptSelection, arguments: [arg] }));
      }
    }
    return lenses;
  }
}
