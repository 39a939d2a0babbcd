// "Resolve in Merge Editor" above the first conflict marker of a decrypted `.enc` or value-encrypted file
// that git reports as conflicted. Documents without a marker line cost one regular expression; git is
// asked once per document version.
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import { ENC_SCHEME, toEncryptedUri } from '../fs/enc-uri';
import { fromValuesUri, VALUES_SCHEME } from '../fs/values-uri';
import { conflictStages } from './merge-editor';

/** git's conflict start marker (any marker length git was configured with, 7 by default). */
const CONFLICT_START = /^<{7,} /m;

export class MergeConflictCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  /** The last answer per open document: its version and whether git had it in conflict then. */
  private readonly answers = new Map<string, { version: number; conflicted: Promise<boolean> }>();
  private readonly closed = vscode.workspace.onDidCloseTextDocument((d) => this.answers.delete(d.uri.toString()));

  dispose(): void {
    this.closed.dispose();
    this.answers.clear();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const file = document.uri.scheme === VALUES_SCHEME ? fromValuesUri(document.uri) : toEncryptedUri(document.uri);
    if ((document.uri.scheme !== ENC_SCHEME && document.uri.scheme !== VALUES_SCHEME) || file.scheme !== 'file') return [];
    const marker = CONFLICT_START.exec(document.getText());
    if (!marker) {
      this.answers.delete(document.uri.toString());
      return [];
    }
    const k = document.uri.toString();
    let answer = this.answers.get(k);
    if (answer?.version !== document.version) {
      const conflicted = conflictStages(file).then(
        (stages) => stages.has(2) && stages.has(3),
        () => false,
      );
      answer = { version: document.version, conflicted };
      this.answers.set(k, answer);
    }
    if (!(await answer.conflicted)) return [];
    const at = document.positionAt(marker.index);
    return [
      new vscode.CodeLens(new vscode.Range(at, at), {
        title: vscode.l10n.t('$(git-merge) Resolve in Merge Editor'),
        tooltip: vscode.l10n.t('Compare the base, current and incoming versions side by side, decrypted in memory'),
        command: CommandId.ResolveInMergeEditor,
        arguments: [file],
      }),
    ];
  }
}
