// VS Code's search reads the text of open editors, decrypted documents included, and a Search Editor
// (the Search view's "Open in editor", or "Search: New Search Editor") keeps the matching lines as a
// document of its own, which VS Code writes to disk itself: to a `.code-search` file on Ctrl+S, and to
// its hot-exit backups once edited. A red-team trial saved one and found the decrypted lines there. The
// Search view keeps its results in memory only, and shows them as the editor does.
//
// So in a Search Editor, a result or context line that is a line of an open decrypted document is
// replaced by a note as soon as it appears (a search editor's text changes only when it is searched, or
// edited, while it is shown). VS Code's search cannot be told to skip a scheme, and a save or a backup
// of a search editor runs no participant an extension can join: the text itself must not hold the lines.
import * as vscode from 'vscode';

/** The scheme of a Search Editor's document, as the extension host sees it. */
export const SEARCH_EDITOR_SCHEME = 'search-editor';

/** `  12: text` (a match) or `  12  text` (context): the line number, then the file's line as it is. */
const RESULT_LINE = /^( +\d+(?:: | {2}))(.*)$/;

/** What a comparison sees of a line: without the indentation and trailing spaces the serializer may change. */
function comparable(line: string): string {
  return line.trim();
}

/** Lines worth hiding: a line of only punctuation (`}`, `---`) holds nothing, and appears everywhere. */
function mayHoldASecret(line: string): boolean {
  return /[\p{L}\p{N}]/u.test(line);
}

/**
 * VS Code shows a long line in search results cut (about 1,000 characters, or a window around the
 * match), which no whole line equals: a red team found a 1,500-character decrypted line kept that way.
 * A result that long is hidden when it is part of a decrypted document; shorter ones are compared whole,
 * so that a plain file's short line that happens to occur inside a secret's stays readable.
 */
const CUT_LINE_MIN = 100;

export class SearchEditorGuard implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  /** Search editors whose text changed while not shown: redacted when they are. */
  private readonly pending = new Set<vscode.TextDocument>();

  constructor(
    /** Whether a document is a decrypted view (`custodian-enc:`, `custodian-values:`, a block's preview). */
    private readonly isDecrypted: (uri: vscode.Uri) => boolean,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === SEARCH_EDITOR_SCHEME && e.contentChanges.length > 0) void this.redact(e.document);
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const editor of editors) if (this.pending.has(editor.document)) void this.redact(editor.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.pending.delete(d)),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.pending.clear();
  }

  /** Replaces the lines of `search` that are lines of an open decrypted document; true when it holds none. */
  async redact(search: vscode.TextDocument): Promise<boolean> {
    const decrypted = new Set<string>();
    const texts: string[] = [];
    for (const d of vscode.workspace.textDocuments) {
      if (!this.isDecrypted(d.uri)) continue;
      const text = d.getText();
      texts.push(text);
      for (const line of text.split(/\r?\n/)) {
        const c = comparable(line);
        if (mayHoldASecret(c)) decrypted.add(c);
      }
    }
    if (decrypted.size === 0) return true;
    const isDecryptedLine = (text: string): boolean => decrypted.has(text) || (text.length >= CUT_LINE_MIN && texts.some((t) => t.includes(text)));
    const hidden: vscode.Range[] = [];
    for (let n = 0; n < search.lineCount; n++) {
      const m = RESULT_LINE.exec(search.lineAt(n).text);
      if (m && isDecryptedLine(comparable(m[2]))) hidden.push(new vscode.Range(n, m[1].length, n, m[0].length));
    }
    if (hidden.length === 0) {
      this.pending.delete(search);
      return true;
    }
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === search);
    // Only a shown editor can be edited (a search editor is not a document a workspace edit reaches).
    if (!editor) {
      this.pending.add(search);
      return false;
    }
    const note = vscode.l10n.t('(a line of a decrypted file: hidden here by Custodian, since a search editor can be saved to disk)');
    const done = await editor.edit((b) => hidden.forEach((range) => b.replace(range, note)), { undoStopBefore: false, undoStopAfter: false });
    if (done) {
      this.pending.delete(search);
      this.log.info(`search editor: ${hidden.length} line(s) of decrypted documents hidden`);
    } else this.pending.add(search);
    return done;
  }
}
