// What the error reporter may say about a failed command: which file it was working on, who encrypted
// that file, and the names of the keys it knows. Gathered only after a failure, and best effort: a
// failure here must never hide the original error.
import * as vscode from 'vscode';
import { displayText } from '../../core/display-text';
import type { ActiveKeyStore } from '../storage/active-key-store';
import type { Contacts } from '../storage/contacts';
import type { Roster } from '../storage/roster';
import type { ErrorContext } from './error-text';
import { lazyCore } from '../lazy-core';

/** Header reads stop here: a damaged file's signer is a courtesy, not worth reading a large file for. */
const MAX_HEADER_READ_BYTES = 1024 * 1024;

/** Where the names of keys come from. */
export interface KnownNameSources {
  keys: ActiveKeyStore;
  roster: Roster;
  contacts: Contacts;
}

export async function errorContext(sources: KnownNameSources, arg: unknown): Promise<ErrorContext> {
  const names = await knownNames(sources).catch(() => new Map<string, string>());
  const uri = targetUri(arg);
  if (!uri) return { names };
  const file = displayText(vscode.workspace.asRelativePath(uri));
  const signer = await signerOf(uri).catch(() => undefined);
  const mine = new Set(sources.keys.current.list().map((k) => k.fingerprint));
  const author = signer === undefined ? undefined : mine.has(signer) ? 'you' : names.get(signer);
  return { file, author, names };
}

/** Fingerprint → name: mine as `"name" (you)`, then the roster's and contacts' (first wins). */
async function knownNames(sources: KnownNameSources): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const add = (fp: string, name: string): void => {
    if (!names.has(fp)) names.set(fp, name);
  };
  for (const k of sources.keys.current.list()) add(k.fingerprint, vscode.l10n.t('"{0}" (you)', displayText(k.name)));
  for (const m of await sources.roster.members()) add(m.key.fingerprint, displayText(m.name));
  for (const c of sources.contacts.list()) add(c.fingerprint, displayText(c.name));
  return names;
}

function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (arg === null || typeof arg !== 'object') return undefined;
  const a = arg as { uri?: unknown; uris?: unknown };
  if (a.uri instanceof vscode.Uri) return a.uri;
  if (Array.isArray(a.uris) && a.uris[0] instanceof vscode.Uri) return a.uris[0];
  return undefined;
}

/** The signer a `.enc` file's header names (its MAC is not checked: this only picks whom to ask). */
async function signerOf(uri: vscode.Uri): Promise<string | undefined> {
  if (!uri.path.toLowerCase().endsWith('.enc')) return undefined;
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_HEADER_READ_BYTES) return undefined;
  const { inspectEnvelope } = await lazyCore.envelope();
  const header = await inspectEnvelope(await vscode.workspace.fs.readFile(uri));
  return header.signer?.fingerprint;
}
