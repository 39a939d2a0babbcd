// Custodian: New Terminal with Secrets…: an integrated terminal whose environment holds the chosen env
// files' variables. Only that terminal has them (createTerminal's env, not the workspace's
// environment collection), and it is transient: VS Code does not restore it, or its env, on reload.
// Its variables are those of the files when it opened: when one of them changes on disk (a save in the
// decrypted editor, a pull), the terminal is said to be out of date, once, with a way to a fresh one,
// and while it is the active terminal a status bar item says so. Terminals of the same files are
// numbered, so the one out of date can be told from its successor.
import * as vscode from 'vscode';
import { CustodianError } from '../../core/errors';
import { CommandId } from '../commands/ids';
import type { EnvLoader } from './env-source';
import { terminalSettingsAccepted } from './workspace-terminal-settings';

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

/** workspaceState key: the files the last secrets terminal of this workspace was opened with. */
const LAST_CHOICE = 'custodian.secretsTerminal.files';

async function pickFiles(state: vscode.Memento): Promise<vscode.Uri[] | undefined> {
  // .custodian/ holds Custodian's own files (Shamir shares, MFA seeds), never a program's environment.
  const found = await vscode.workspace.findFiles('**/{*.enc,.env,.env.*,*.env}', '{**/node_modules/**,**/.custodian/**}', 500);
  // A plaintext left beside its .enc (Encrypt File with Keep Original) is a stale copy: the .enc is the file.
  const encrypted = new Set(found.map((u) => u.toString()));
  const candidates = found
    .filter((u) => !/\.(example|sample|template)$/i.test(u.path) && !encrypted.has(u.with({ path: `${u.path}.enc` }).toString()))
    .sort((a, b) => a.path.localeCompare(b.path));
  if (candidates.length === 0) {
    throw new CustodianError(vscode.l10n.t('This workspace has no .enc or .env files.'), { hint: vscode.l10n.t('Encrypt a .env file first (Custodian: Encrypt File…).') });
  }
  // Ticked: the last choice, else the only file, else every .env.enc.
  const last = new Set(state.get<string[]>(LAST_CHOICE, []));
  const chosenBefore = candidates.some((u) => last.has(u.toString()));
  const picked = (uri: vscode.Uri): boolean => (chosenBefore ? last.has(uri.toString()) : candidates.length === 1 || /\.env\.enc$/i.test(uri.path));
  const items = candidates.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, picked: picked(uri) }));
  const chosen = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: vscode.l10n.t('New Terminal with Secrets'),
    placeHolder: vscode.l10n.t('Env files whose variables the terminal gets (where two set a variable, the one lower in this list wins)'),
  });
  if (chosen === undefined) return undefined;
  if (chosen.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No terminal opened: no env file was ticked. Tick one or more (Space), then press Enter.'));
    return undefined;
  }
  await state.update(LAST_CHOICE, chosen.map((c) => c.uri.toString()));
  return chosen.map((c) => c.uri);
}

/** When `file` was last written; undefined when it cannot be read. */
async function modified(file: vscode.Uri): Promise<number | undefined> {
  return vscode.workspace.fs.stat(file).then((s) => s.mtime, () => undefined);
}

/** An open secrets terminal: its files, and the one found changed since it loaded them. */
interface OpenTerminal {
  readonly files: readonly vscode.Uri[];
  readonly watching: vscode.Disposable;
  outOfDate?: vscode.Uri;
}

/** The open secrets terminals, each watching its files until it closes. */
export class SecretsTerminals implements vscode.Disposable {
  private readonly open = new Map<vscode.Terminal, OpenTerminal>();
  /** Shown while the active terminal is one whose files changed since it opened. */
  private staleShown = false;
  private readonly staleItem = vscode.window.createStatusBarItem('custodian.secretsTerminalOutOfDate', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions = [
    vscode.window.onDidCloseTerminal((t) => this.forget(t)),
    vscode.window.onDidChangeActiveTerminal(() => this.showStaleness()),
  ];

  constructor(
    private readonly load: EnvLoader,
    /** Remembers the files last chosen in this workspace (paths only). */
    private readonly state: vscode.Memento,
  ) {
    this.staleItem.name = vscode.l10n.t('Custodian: secrets terminal out of date');
    this.staleItem.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.staleItem.dispose();
    for (const t of [...this.open.keys()]) this.forget(t);
  }

  async newTerminal(first: unknown, second: unknown): Promise<SecretsTerminalResult | undefined> {
    const files = filesFromArgs(first, second) ?? (await pickFiles(this.state));
    if (!files) return undefined;
    if (!(await terminalSettingsAccepted(this.state))) return undefined;
    // When each file was written, as loaded: a watcher's event may arrive after the load for a write before it.
    const loaded = await Promise.all(files.map((f) => modified(f)));
    const vars = await this.load(files);
    const names = [...vars.keys()];
    const terminalName = this.uniqueName(vscode.l10n.t('Secrets: {0}', files.map((u) => vscode.workspace.asRelativePath(u, false)).join(', ')));
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

  /** `name`, or `name (2)`, `(3)`…: a new terminal of the same files must not look like the one it replaces. */
  private uniqueName(name: string): string {
    const taken = new Set(vscode.window.terminals.map((t) => t.name));
    if (!taken.has(name)) return name;
    let n = 2;
    while (taken.has(`${name} (${n})`)) n++;
    return `${name} (${n})`;
  }

  private watch(terminal: vscode.Terminal, files: readonly vscode.Uri[], loaded: readonly (number | undefined)[]): void {
    const changed = async (file: vscode.Uri, at: number): Promise<void> => {
      const entry = this.open.get(terminal);
      if (!entry || entry.outOfDate || (await modified(file)) === loaded[at]) return;
      if (entry.outOfDate) return; // another event got here during the stat
      entry.outOfDate = file;
      this.showStaleness();
      void this.sayOutOfDate(terminal, file, files);
    };
    const watchers = files.map((file, at) => {
      // An atomic replace (a save, a pull) can reach the watcher as a new file.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(file, '..'), file.path.split('/').pop()!), false, false, true);
      return vscode.Disposable.from(watcher, watcher.onDidChange(() => void changed(file, at)), watcher.onDidCreate(() => void changed(file, at)));
    });
    this.open.set(terminal, { files, watching: vscode.Disposable.from(...watchers) });
  }

  private outOfDateMessage(terminal: vscode.Terminal, file: vscode.Uri): string {
    return vscode.l10n.t('{0} changed since the terminal "{1}" opened: programs started there still get the values it had then.', vscode.workspace.asRelativePath(file, false), terminal.name);
  }

  private async sayOutOfDate(terminal: vscode.Terminal, file: vscode.Uri, files: readonly vscode.Uri[]): Promise<void> {
    const fresh = vscode.l10n.t('Open a New One');
    const choice = await vscode.window.showInformationMessage(this.outOfDateMessage(terminal, file), fresh);
    // The old terminal stays: a program may be running in it.
    if (choice === fresh) await this.newTerminal({ uris: files }, undefined);
  }

  /** The status bar item, for the active terminal: shown while it is a secrets terminal out of date. */
  private showStaleness(): void {
    const active = vscode.window.activeTerminal;
    const entry = active && this.open.get(active);
    this.staleShown = Boolean(active && entry?.outOfDate);
    if (!active || !entry?.outOfDate) {
      this.staleItem.hide();
      return;
    }
    this.staleItem.text = vscode.l10n.t('$(warning) Terminal secrets out of date');
    this.staleItem.tooltip = `${this.outOfDateMessage(active, entry.outOfDate)}\n\n${vscode.l10n.t('Click to open a new terminal with the files as they are now.')}`;
    this.staleItem.command = { title: vscode.l10n.t('Open a New One'), command: CommandId.NewTerminalWithSecrets, arguments: [{ uris: entry.files }] };
    this.staleItem.show();
  }

  private forget(terminal: vscode.Terminal): void {
    this.open.get(terminal)?.watching.dispose();
    this.open.delete(terminal);
    this.showStaleness();
  }

  /** What the status bar says of the active terminal: undefined when it is not a secrets terminal out of date. */
  get staleness(): string | undefined {
    return this.staleShown ? this.staleItem.text : undefined;
  }
}
