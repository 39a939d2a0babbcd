// A decrypted document's URI ends in `.enc` (its tab reads `app.json.enc`, like the file), so VS Code
// cannot pick its language from the name: it is picked here from the inner name (`app.json`), the way
// VS Code does for a file: `files.associations` first, then the languages extensions contribute
// (exact file names, then the longest matching extension, then file-name patterns).
import * as vscode from 'vscode';
import { ENC_SCHEME, ENC_SUFFIX, basename, toEncryptedUri } from '../fs/enc-uri';

interface LanguageContribution {
  id?: unknown;
  extensions?: unknown;
  filenames?: unknown;
  filenamePatterns?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** A glob (`*`, `**`, `?`, `{a,b}`) as a regular expression over a whole name or path. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',' && re.includes('(?:')) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** The language of a file named `innerPath` (a path; patterns with a `/` match it, others its base name). */
export function languageForName(innerPath: string, associations: Record<string, string>, contributions: readonly LanguageContribution[]): string | undefined {
  const name = basename(innerPath);
  const matches = (pattern: string): boolean => globToRegExp(pattern).test(pattern.includes('/') ? innerPath : name);
  for (const [pattern, id] of Object.entries(associations)) if (typeof id === 'string' && matches(pattern)) return id;
  const lower = name.toLowerCase();
  let best: { id: string; length: number } | undefined;
  for (const c of contributions) {
    if (typeof c.id !== 'string') continue;
    if (strings(c.filenames).some((f) => f.toLowerCase() === lower)) return c.id;
    for (const ext of strings(c.extensions)) {
      if (lower.endsWith(ext.toLowerCase()) && (!best || ext.length > best.length)) best = { id: c.id, length: ext.length };
    }
  }
  if (best) return best.id;
  return contributions.find((c) => typeof c.id === 'string' && strings(c.filenamePatterns).some(matches))?.id as string | undefined;
}

/** Gives decrypted documents the language of their inner name as they open. */
export function setInnerLanguages(): vscode.Disposable {
  const apply = (doc: vscode.TextDocument): void => {
    if (doc.uri.scheme !== ENC_SCHEME) return;
    const encrypted = toEncryptedUri(doc.uri).path;
    const inner = encrypted.toLowerCase().endsWith(ENC_SUFFIX) ? encrypted.slice(0, -ENC_SUFFIX.length) : encrypted;
    const contributions = vscode.extensions.all.flatMap((e) => {
      const languages = (e.packageJSON as { contributes?: { languages?: unknown } }).contributes?.languages;
      return Array.isArray(languages) ? (languages as LanguageContribution[]) : [];
    });
    const associations = vscode.workspace.getConfiguration('files', doc.uri).get<Record<string, string>>('associations') ?? {};
    const id = languageForName(inner, associations, contributions);
    if (id && id !== doc.languageId) void vscode.languages.setTextDocumentLanguage(doc, id);
  };
  vscode.workspace.textDocuments.forEach(apply);
  return vscode.workspace.onDidOpenTextDocument(apply);
}
