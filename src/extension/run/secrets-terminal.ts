// Custodian: New Terminal with Secrets…: an integrated terminal whose environment holds the chosen env
// files' variables. Only that terminal has them (createTerminal's env, not the workspace's
// environment collection), and it is transient: VS Code does not restore it, or its env, on reload.
// Its variables are those of the files when it opened: when one of them changes on disk (a save in the
// decrypted editor, a pull), the terminal is said to be out of date, once, with a way to a fresh one.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import type { EnvLoader } from './env-source';

export interface SecretsTerminalResult {
  /** The terminal's name, to find it in `vscode.window.terminals`. */
  terminalName: string;
  /** The variable names it holds (never the values). */
  names: string[];
}

/** The files: `{ uris }`, a Uri, or the explorer's `(uri, uris[])`; none → a picker. */
function filesFromArgs(first: unknown, second: unknown): vscode.Uri[] | undefined {
  if (Array.isArray(second) && second.every((u) => u instanceof vscode.Uri) && second.length > 0) return second;
  if (first instanceof vscode.Uri) return [first];
  const uris = (first as { uris?: unknown } | undefined)?.uris;
  if (Array.isArray(uris) && uris.length > 0 && uris.every((u) => u instanceof vscode.Uri)) return uris;
  return undefined;
}

async function pickFiles(): Promise<vscode.Uri[] | undefined> {
  const found = await vscode.workspace.findFiles('**/{*.enc,.env,.env.*}', '**/node_modules/**', 500);
  const candidates = found.filter((u) => !/\.(example|sample|template)$/i.test(u.path)).sort((a, b) => a.path.localeCompare(b.path));
  if (candidates.length === 0) {
    throw new CustodianError(vscode.l10n.t('This workspace has no .enc or .env files.'), { hint: vscode.l10n.t('Encrypt a .env file first (Custodian: Encrypt File…).') });
  }
  const items = candidates.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, picked: /\.env\.enc$/i.test(uri.path) }));
  const chosen = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: vscode.l10n.t('New Terminal with Secrets'),
    placeHolder: vscode.l10n.t('Env files whose variables the terminal gets (later files win)'),
  });
  return chosen && chosen.length > 0 ? chosen.map((c) => c.uri) : undefined;
}

/** When `file` was last written; undefined when it cannot be read. */
async function modified(file: vscode.Uri): Promise<number | undefined> {
  return vscode.workspace.fs.stat(file).then((s) => s.mtime, () => undefined);
}

/** The open secrets terminals, each watching its files until it closes. */
export class SecretsTerminals implements vscode.Disposable {
  private readonly open = new Map<vscode.Terminal, vscode.Disposable>();
  private readonly closing = vscode.window.onDidCloseTerminal((t) => this.forget(t));

  constructor(private readonly load: EnvLoader) {}

  dispose(): void {
    this.closing.dispose();
    for (const t of [...this.open.keys()]) this.forget(t);
  }

  async newTerminal(first: unknown, second: unknown): Promise<SecretsTerminalResult | undefined> {
    const files = filesFromArgs(first, second) ?? (await pickFiles());
    if (!files) return undefined;
    // When each file was written, as loaded: a watcher's event may arrive after the load for a write before it.
    const loaded = await Promise.all(files.map((f) => modified(f)));
    const vars = await this.load(files);
    const names = [...vars.keys()];
    const terminalName = vscode.l10n.t('Secrets: {0}', files.map((u) => vscode.workspace.asRelativePath(u, false)).join(', '));
    const terminal = vscode.window.createTerminal({
      name: terminalName,
      env: Object.fromEntries(vars),
      isTransient: true,
      iconPath: new vscode.ThemeIcon('lock'),
    });
    vars.clear();
    this.watch(terminal, files, loaded);
    terminal.show();
    return { terminalName, names };
  }

  private watch(terminal: vscode.Terminal, files: readonly vscode.Uri[], loaded: readonly (number | undefined)[]): void {
    let told = false;
    const changed = async (file: vscode.Uri, at: number): Promise<void> => {
      if (told || !this.open.has(terminal) || (await modified(file)) === loaded[at]) return;
      if (told) return; // another event got here during the stat
      told = true;
      void this.sayOutOfDate(terminal, file, files);
    };
    const watchers = files.map((file, at) => {
      // An atomic replace (a save, a pull) can reach the watcher as a new file.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(file, '..'), file.path.split('/').pop()!), false, false, true);
      return vscode.Disposable.from(watcher, watcher.onDidChange(() => void changed(file, at)), watcher.onDidCreate(() => void changed(file, at)));
    });
    this.open.set(terminal, vscode.Disposable.from(...watchers));
  }

  private async sayOutOfDate(terminal: vscode.Terminal, file: vscode.Uri, files: readonly vscode.Uri[]): Promise<void> {
    const fresh = vscode.l10n.t('Open a New One');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('{0} changed since the terminal "{1}" opened: programs started there still get the values it had then.', vscode.workspace.asRelativePath(file, false), terminal.name),
      fresh,
    );
    // The old terminal stays: a program may be running in it.
    if (choice === fresh) await this.newTerminal({ uris: files }, undefined);
  }

  private forget(terminal: vscode.Terminal): void {
    this.open.get(terminal)?.dispose();
    this.open.delete(terminal);
  }
}
