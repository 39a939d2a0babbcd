// CodeLenses above each armored block in a text document: who it is for, "Decrypt" (a read-only peek)
// and "Decrypt in Place". Documents without the BEGIN marker cost one `includes`.
import * as vscode from 'vscode';
import { ARMOR_BEGIN } from '../../core/armor';
import type { CryptoSession } from '../crypto-session';
import { CommandId } from '../commands/ids';

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
    if (!text.includes(ARMOR_BEGIN)) return [];
    const [{ findArmoredBlocks }, { inspectEnvelope }] = await Promise.all([import('../../core/armor'), import('../../core/envelope')]);
    const known = await this.session.knownKeys();
    const lenses: vscode.CodeLens[] = [];
    for (const [index, block] of findArmoredBlocks(text).entries()) {
      const range = new vscode.Range(document.positionAt(block.start), document.positionAt(block.end));
      const head = new vscode.Range(range.start, range.start);
      const arg = { uri: document.uri, range, index };
      let forWhom = 'Encrypted';
      let canDecrypt = true;
      try {
        const header = await inspectEnvelope(block.text);
        forWhom = `Encrypted for ${this.session.parties(header.recipients, known).map((p) => p.name).join(', ')}`;
        canDecrypt = this.session.canDecrypt(header.recipients);
      } catch {
        forWhom = '$(error) Damaged encrypted block';
        canDecrypt = false;
      }
      lenses.push(new vscode.CodeLens(head, { title: `$(lock) ${forWhom}`, command: '' }));
      if (canDecrypt) {
        lenses.push(new vscode.CodeLens(head, { title: '$(eye) Decrypt', tooltip: 'Show the plaintext in a read-only preview', command: CommandId.PreviewBlock, arguments: [arg] }));
        lenses.push(new vscode.CodeLens(head, { title: 'Decrypt in Place', tooltip: 'Replace the block with its plaintext', command: CommandId.DecryptSelection, arguments: [arg] }));
      }
    }
    return lenses;
  }
}
