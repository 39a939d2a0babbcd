// Getting key text from the user: a file, the clipboard, or pasted text.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';

/** Key files are small; refuse anything that cannot be one before reading it into memory. */
const MAX_KEY_FILE_BYTES = 256 * 1024;

export type KeySource = 'file' | 'clipboard' | 'paste';

export async function readKeyFile(uri: vscode.Uri): Promise<string> {
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_KEY_FILE_BYTES) {
    throw new CustodianError(vscode.l10n.t('{0} is too large to be a key file ({1} bytes).', uri.path.split('/').pop() ?? '', stat.size));
  }
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/**
 * A PEM block pasted into a single-line input box arrives with its line breaks turned into spaces;
 * rebuild the lines so the PEM parser accepts it. Text that is not such a block is returned as is.
 */
export function normalizePastedPem(text: string): string {
  const m = /^\s*(-----BEGIN ([A-Z0-9 ]+)-----)([\s\S]*?)(-----END \2-----)\s*$/.exec(text);
  if (!m || m[3].includes('\n') || m[3].includes(':')) return text;
  const body = m[3].replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return [m[1], ...lines, m[4], ''].join('\n');
}

export interface KeyTextRequest {
  title: string;
  /** Which kind of key is asked for: it words the prompts. */
  kind: 'public' | 'private';
  filters: Record<string, string[]>;
  pastePlaceholder: string;
  password?: boolean;
  /** Where the open dialog starts (VS Code's default: the workspace folder). */
  defaultUri?: vscode.Uri;
}

/** Asks where the key comes from and returns its text and where it came from; undefined when cancelled. */
export async function promptForKeyText(request: KeyTextRequest): Promise<{ text: string; uri?: vscode.Uri } | undefined> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(folder-opened) From File…'), source: 'file' as KeySource },
      { label: vscode.l10n.t('$(clippy) From Clipboard'), source: 'clipboard' as KeySource },
      { label: vscode.l10n.t('$(edit) Paste Text…'), source: 'paste' as KeySource },
    ],
    { title: request.title, placeHolder: request.kind === 'private' ? vscode.l10n.t('Where is the private key?') : vscode.l10n.t('Where is the public key?') },
  );
  if (!choice) return undefined;
  switch (choice.source) {
    case 'file': {
      const picked = await vscode.window.showOpenDialog({
        title: request.title,
        canSelectMany: false,
        openLabel: vscode.l10n.t('Select'),
        filters: request.filters,
        defaultUri: request.defaultUri,
      });
      if (!picked?.[0]) return undefined;
      return { text: await readKeyFile(picked[0]), uri: picked[0] };
    }
    case 'clipboard': {
      const text = await vscode.env.clipboard.readText();
      if (!text.trim()) throw new CustodianError(vscode.l10n.t('The clipboard is empty.'));
      return { text };
    }
    case 'paste': {
      const text = await vscode.window.showInputBox({
        title: request.title,
        prompt: request.kind === 'private' ? vscode.l10n.t('Paste the private key') : vscode.l10n.t('Paste the public key'),
        placeHolder: request.pastePlaceholder,
        password: request.password,
        ignoreFocusOut: true,
      });
      return text ? { text: normalizePastedPem(text) } : undefined;
    }
  }
}
