// Diffs of `.enc` files opened by the Source Control view, the Timeline or `git.openChange` show the
// decrypted contents. Those open `vscode.diff` on `git:` URIs (the built-in git extension's read-only
// file system, which serves blobs: ciphertext) and on the working file. `*.enc` opens in Custodian's
// custom editor, so such a diff arrives here as two custom editors in one diff tab (or, with the
// custom editor turned off, as a text diff of ciphertext); either way it is replaced by the same diff
// over `custodian-enc:` views of the same URIs: the custodian-enc file system reads each blob through
// VS Code (the git extension) and decrypts it in memory, and the working-tree side stays editable (a
// save re-encrypts). No plaintext reaches a file.
// A value-encrypted .env, JSON or YAML file (docs/VALUES.md) opens as a plain text diff of tokens; it is
// replaced the same way by a diff over `custodian-values:` views, each version opened in memory. A
// version that is not value-encrypted (from before the file was) stays as git has it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runGit } from '../../node/git';
import { basename, ENC_SCHEME, isEncryptedFileUri, toDecryptedUri } from '../fs/enc-uri';
import { readText } from '../fs/values-file-system';
import { looksValueEncrypted, toValuesUri, VALUES_SCHEME } from '../fs/values-uri';
import { GIT_SCHEME, readGitBlob } from './git-blobs';
import { until } from '../until';

/** Which files are value-encrypted in the working tree (fs/value-file-index.ts). */
export interface ValueFiles {
  has(uri: vscode.Uri): boolean;
}

/** How long the first side of a diff waits for the second before it opens on its own. */
const PAIR_WAIT_MS = 1_500;

interface PendingDiff {
  readonly tab: vscode.Tab;
  readonly sides: { uri: vscode.Uri; panel: vscode.WebviewPanel }[];
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * VS Code's own view of a document through another scheme, its URI's query naming the original scheme:
 * "Compare with Saved" (`showModifications:`) reads the saved text of a decrypted document that way.
 */
function viewOfDecrypted(uri: vscode.Uri): boolean {
  try {
    const inner = (JSON.parse(uri.query) as { scheme?: unknown }).scheme;
    return inner === ENC_SCHEME || inner === VALUES_SCHEME;
  } catch {
    return false;
  }
}

/**
 * The side of a diff as shown: a `.enc` file or git version decrypted. A side that is not a `.enc` file
 * (the plain file of "Compare with Selected"), is decrypted already, or is VS Code's view of a decrypted
 * document stays as it is; so does an empty side (a file added or deleted), which has nothing to decrypt.
 */
async function decryptedSide(uri: vscode.Uri): Promise<vscode.Uri> {
  if (!isEncryptedFileUri(uri) || viewOfDecrypted(uri)) return uri;
  try {
    const size = uri.scheme === GIT_SCHEME ? (await readGitBlob(uri, Number.MAX_SAFE_INTEGER)).length : (await vscode.workspace.fs.stat(uri)).size;
    if (size === 0) return uri;
  } catch {
    return uri;
  }
  return toDecryptedUri(uri);
}

/** A value-encrypted version opens decrypted; an empty one, or one from before the file was value-encrypted, as it is. */
async function valuesSide(uri: vscode.Uri): Promise<vscode.Uri> {
  try {
    return looksValueEncrypted(await readText(uri, basename(uri.path))) ? toValuesUri(uri) : uri;
  } catch {
    return uri;
  }
}

/**
 * Resolves once VS Code shows `uri` in an editor, or after PAIR_WAIT_MS: a text diff whose tab is closed
 * while VS Code is still opening it never settles the command that opened it (the git extension's).
 */
async function untilShown(uri: vscode.Uri): Promise<void> {
  await until([vscode.window.onDidChangeVisibleTextEditors], () => vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString()), PAIR_WAIT_MS);
}

/** The git extension's ref in a `git:` URI's query (`""`/`"~"`: the index). */
function refOf(uri: vscode.Uri): string | undefined {
  try {
    const ref = (JSON.parse(uri.query) as { ref?: unknown }).ref;
    return typeof ref === 'string' ? ref : undefined;
  } catch {
    return undefined;
  }
}

/** Which of two versions is the older (the diff's original): the working file is newest, then the index, then by ancestry. */
async function ordered(a: vscode.Uri, b: vscode.Uri): Promise<[vscode.Uri, vscode.Uri]> {
  // The working file, or the open decrypted document (Compare with Saved puts the saved text on the left).
  if (a.scheme === 'file' || a.scheme === ENC_SCHEME) return [b, a];
  if (b.scheme === 'file' || b.scheme === ENC_SCHEME) return [a, b];
  const [ra, rb] = [refOf(a), refOf(b)];
  const isIndex = (r: string | undefined) => r === '' || r === '~';
  if (isIndex(ra) !== isIndex(rb)) return isIndex(ra) ? [b, a] : [a, b];
  if (ra && rb) {
    const cwd = path.dirname(vscode.Uri.from({ scheme: 'file', path: a.path }).fsPath);
    if ((await runGit(cwd, ['merge-base', '--is-ancestor', rb, ra])).status === 0) return [b, a];
  }
  return [a, b];
}

function isEncryptedDiff(input: unknown): input is vscode.TabInputTextDiff {
  return input instanceof vscode.TabInputTextDiff && (isEncryptedFileUri(input.original) || isEncryptedFileUri(input.modified));
}

/** A file or git version of a file that is value-encrypted in the working tree. */
function isValuesSide(uri: vscode.Uri, values: ValueFiles): boolean {
  return (uri.scheme === 'file' || uri.scheme === GIT_SCHEME) && values.has(uri.with({ scheme: 'file', query: '', fragment: '' }));
}

/** Whether two tabs show the same thing: the API may hand out a new input object for the same diff. */
function sameInput(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!(a instanceof vscode.TabInputTextDiff) || !(b instanceof vscode.TabInputTextDiff)) return false;
  return a.original.toString() === b.original.toString() && a.modified.toString() === b.modified.toString();
}

/**
 * A decrypted document's path keeps its `.enc` name (enc-uri.ts), so left to itself the diff would open
 * in Custodian's `*.enc` custom editor again. `override` (a boolean: VS Code's default text editor) is
 * honoured by vscode.diff's option converter though TextDocumentShowOptions does not declare it.
 */
function textDiffOptions(viewColumn: vscode.ViewColumn, preview: boolean): vscode.TextDocumentShowOptions {
  return { viewColumn, preview, override: true } as vscode.TextDocumentShowOptions;
}

export class EncryptedDiffs implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private readonly replacing = new WeakSet<vscode.Tab>();
  private readonly pending = new Map<string, PendingDiff>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly values: ValueFiles,
  ) {
    this.subscription = vscode.window.tabGroups.onDidChangeTabs((e) => {
      // A diff that replaces a preview tab arrives as a changed tab, not an opened one.
      for (const tab of [...e.opened, ...e.changed]) {
        if (this.replacing.has(tab) || !(tab.input instanceof vscode.TabInputTextDiff)) continue;
        const { original, modified } = tab.input;
        // Already a decrypted diff (one side may be left as git has it: empty, or from before encryption).
        if ([original, modified].some((u) => u.scheme === ENC_SCHEME || u.scheme === VALUES_SCHEME)) continue;
        if (isEncryptedDiff(tab.input)) {
          this.replacing.add(tab);
          void this.open(tab, original, modified, decryptedSide);
        } else if (isValuesSide(original, this.values) || isValuesSide(modified, this.values)) {
          this.replacing.add(tab);
          void untilShown(modified).then(() => this.open(tab, original, modified, valuesSide));
        }
      }
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  /**
   * Called by the custom editor for each `.enc` it is asked to show. True when `uri` is one side of a
   * diff tab: this then opens the decrypted diff once both sides are known (or the one side alone).
   */
  claim(uri: vscode.Uri, panel: vscode.WebviewPanel): boolean {
    const group = vscode.window.tabGroups.all.find((g) => g.viewColumn === panel.viewColumn);
    // A diff of two custom editors is a tab whose input the API does not describe (undefined).
    const tab = group?.tabs.find((t) => t.input === undefined && t.label.includes(basename(uri.path)));
    if (!tab) return false;
    const key = `${panel.viewColumn}:${tab.label}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = { tab, sides: [] };
      this.pending.set(key, pending);
      pending.timer = setTimeout(() => void this.flush(key), PAIR_WAIT_MS);
    }
    pending.sides.push({ uri, panel });
    if (pending.sides.length === 2) void this.flush(key);
    return true;
  }

  private async flush(key: string): Promise<void> {
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    clearTimeout(pending.timer);
    const [first, second] = pending.sides;
    const [original, modified] = second ? await ordered(first.uri, second.uri) : [undefined, first.uri];
    for (const side of pending.sides) side.panel.dispose();
    await this.open(pending.tab, original, modified, decryptedSide);
  }

  /** Opens the decrypted diff (or the one side) where `tab` was, then closes `tab` if it is still there. */
  private async open(tab: vscode.Tab, original: vscode.Uri | undefined, modified: vscode.Uri, shown: (side: vscode.Uri) => Promise<vscode.Uri>): Promise<void> {
    try {
      const viewColumn = tab.group.viewColumn;
      const right = await shown(modified);
      const left = original && (await shown(original));
      // Nothing to decrypt on either side: a text diff stays as it is (a diff of custom editors, which
      // the API does not describe, is reopened as text: Compare with Saved of a decrypted document).
      if (original && right === modified && left === original && tab.input !== undefined) return;
      if (original) await vscode.commands.executeCommand('vscode.diff', left, right, tab.label, textDiffOptions(viewColumn, tab.isPreview));
      else await vscode.window.showTextDocument(right, { viewColumn, preview: tab.isPreview });
      const stale = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t === tab || (t.label === tab.label && sameInput(t.input, tab.input) && t.group.viewColumn === viewColumn));
      if (stale) await vscode.window.tabGroups.close(stale, true).then(undefined, () => undefined);
    } catch (err) {
      this.log.warn(`decrypted diff: ${err instanceof Error ? `${err.name}: ${err.message}` : 'Error'}`);
    }
  }
}
