// Context keys for `when` clauses (viewsWelcome, menus, commandPalette):
//   custodian.hasKeys      I have at least one key
//   custodian.rosterCount  number of `.pub` files in the workspace roster(s); unset while not yet counted
//   custodian.onTeam       one of my keys is in a workspace roster (on changes here; as it lists, by the Team section)
//   custodian.rosterUnverified  a roster entry is unverified: something to sign (set by the Team section)
//   custodian.openedDecrypted  an encrypted file was opened decrypted in this window (the walkthrough's "open"
//                              step: a double-click opens one without any command it could wait for)
//   custodian.gitSetUp     git was set up in this window (the walkthrough's "git" step; set by git/git-setup.ts)
//   custodian.encrypted    something was encrypted in this window (the walkthrough's "encrypt" step, set
//                          on success: ticking on the command's start ticked a cancelled picker too)
import * as vscode from 'vscode';
import { ENC_SCHEME } from '../fs/enc-uri';
import { VALUES_SCHEME } from '../fs/values-uri';
import type { ActiveKeyStore } from '../storage/active-key-store';
import type { Roster } from '../storage/roster';
import { ROSTER_EXT } from '../storage/roster';
import { readDirectoryIfExists, workspaceFolders } from '../storage/workspace-files';

/** The walkthrough's "encrypt" step is done: called by each encrypting command once it wrote something. */
export function markEncrypted(): void {
  void vscode.commands.executeCommand('setContext', 'custodian.encrypted', true);
}

export class ContextKeys implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly keys: ActiveKeyStore,
    private readonly roster: Roster,
  ) {
    this.subscriptions = [
      keys.onDidChange(() => {
        this.updateKeys();
        void this.updateOnTeam();
      }),
      roster.onDidChange(() => {
        void this.updateRoster();
        void this.updateOnTeam();
      }),
    ];
    this.updateKeys();
    const decrypted = (doc: vscode.TextDocument): boolean => doc.uri.scheme === ENC_SCHEME || doc.uri.scheme === VALUES_SCHEME;
    if (vscode.workspace.textDocuments.some(decrypted)) this.markOpenedDecrypted();
    this.subscriptions.push(vscode.workspace.onDidOpenTextDocument((doc) => decrypted(doc) && this.markOpenedDecrypted()));
  }

  private markOpenedDecrypted(): void {
    void vscode.commands.executeCommand('setContext', 'custodian.openedDecrypted', true);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  /** Reads the roster directory listing only (no parsing), so it is cheap right after activation. */
  async updateRoster(): Promise<void> {
    let count = 0;
    for (const folder of workspaceFolders()) {
      const entries = await readDirectoryIfExists(this.roster.teamDir(folder));
      count += entries.filter(([n, t]) => t === vscode.FileType.File && n.toLowerCase().endsWith(ROSTER_EXT)).length;
    }
    await vscode.commands.executeCommand('setContext', 'custodian.rosterCount', count);
  }

  /**
   * custodian.onTeam on a change of the roster or of my keys (Add Myself to Team ticks the walkthrough's
   * "team" step at once); the Team section also sets it as it lists the roster, which covers activation
   * without parsing the roster before anyone looks at it.
   */
  private async updateOnTeam(): Promise<void> {
    const mine = new Set(this.keys.current.list().map((k) => k.fingerprint));
    const members = await this.roster.members().catch(() => []);
    await vscode.commands.executeCommand('setContext', 'custodian.onTeam', members.some((m) => mine.has(m.key.fingerprint)));
  }

  private updateKeys(): void {
    void vscode.commands.executeCommand('setContext', 'custodian.hasKeys', this.keys.current.list().length > 0);
  }
}
