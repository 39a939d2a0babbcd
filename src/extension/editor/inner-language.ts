// A decrypted document's URI ends in `.enc` (its tab reads `app.json.enc`, like the file), so VS Code
// cannot pick its language from the name. VS Code is asked instead: an empty document named like the
// inner file (`app.json`) is opened under a scheme of its own, and the language VS Code gives it —
// `files.associations`, then every extension's file names, patterns and extensions, in VS Code's own
// order — is the decrypted document's. Reproducing those rules here got them wrong (`.env.json`).
import * as vscode from 'vscode';
import { ENC_SCHEME, ENC_SUFFIX, toEncryptedUri } from '../fs/enc-uri';
import { fromValuesUri, isShownValuesUri, toValuesMergeResultUri, VALUES_SCHEME } from '../fs/values-uri';

/** Empty, read-only documents that only carry a name: nothing of a decrypted file is ever in them. */
const PROBE_SCHEME = 'custodian-language-probe';

function innerPath(decrypted: vscode.Uri): string {
  const encrypted = toEncryptedUri(decrypted).path;
  return encrypted.toLowerCase().endsWith(ENC_SUFFIX) ? encrypted.slice(0, -ENC_SUFFIX.length) : encrypted;
}

/**
 * The name whose language a document has: a decrypted `.enc` document's inner file; a value-encrypted
 * file's merge result ("app.env (merge result)") the file's own. Undefined for any other document (a
 * decrypted value-encrypted file's view keeps the file's name, and VS Code reads its language from it).
 */
function languagePath(uri: vscode.Uri): string | undefined {
  if (uri.scheme === ENC_SCHEME) return innerPath(uri);
  if (uri.scheme !== VALUES_SCHEME || !isShownValuesUri(uri)) return undefined;
  const file = fromValuesUri(uri);
  return uri.path === toValuesMergeResultUri(file).path ? file.path : undefined;
}

export class InnerLanguages implements vscode.Disposable {
  /** Inner path → the language VS Code gives it, asked once until the associations or extensions change. */
  private readonly known = new Map<string, Promise<string | undefined>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(PROBE_SCHEME, { provideTextDocumentContent: () => '' }),
      vscode.workspace.onDidOpenTextDocument((doc) => this.applyLogged(doc)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.associations')) this.known.clear();
      }),
      vscode.extensions.onDidChange(() => this.known.clear()),
    ];
    vscode.workspace.textDocuments.forEach((doc) => this.applyLogged(doc));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.known.clear();
  }

  /**
   * Asks VS Code for the language of a decrypted document before it opens (the file system calls this as
   * it reads one), so it is set as the document opens, as VS Code sets a file's: set later, it would
   * change under the user's first edits.
   */
  async prepare(decrypted: vscode.Uri): Promise<void> {
    await this.languageOf(innerPath(decrypted));
  }

  private applyLogged(doc: vscode.TextDocument): void {
    this.apply(doc).catch((err: unknown) => this.log.warn(`language of a decrypted document: ${err instanceof Error ? err.message : String(err)}`));
  }

  private languageOf(path: string): Promise<string | undefined> {
    let language = this.known.get(path);
    if (!language) {
      language = Promise.resolve(vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: PROBE_SCHEME, path }))).then(
        (probe) => probe.languageId,
        (err: unknown) => {
          this.log.warn(`language of a decrypted document: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        },
      );
      this.known.set(path, language);
    }
    return language;
  }

  private async apply(doc: vscode.TextDocument): Promise<void> {
    const path = languagePath(doc.uri);
    if (path === undefined) return;
    const id = await this.languageOf(path);
    if (id && id !== doc.languageId && !doc.isClosed) await vscode.languages.setTextDocumentLanguage(doc, id);
  }
}
