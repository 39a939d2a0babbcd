// Teammates who join or leave through a change this window did not make (a pull, a checkout, another
// editor) are news: the Team view shows them, but nobody looks at it unasked. One notification per
// change says who, and what it means for the files here: a newcomer cannot read them until someone
// re-encrypts them; someone who left still can until then. Changes made by this window's own commands
// (Add Teammate, Remove Teammate, …) are announced by those commands, which say so first (expect).
import * as vscode from 'vscode';
import { displayText } from '../core/display-text';
import { CommandId } from './commands/ids';
import type { Roster } from './storage/roster';
import { lookWhenSettled } from './storage/workspace-files';

/** Roster files change one by one during a pull: one notification once they have settled. */
const SETTLE_MS = 750;

export interface RosterChangesDeps {
  roster: Roster;
  /** The fingerprints of my keys: a change about me is said to me, not about "them". */
  myKeys: () => ReadonlySet<string>;
  /** Files for the team that do not include the whole team, and how many of them my keys open; undefined when not searched. */
  drifting: () => Promise<{ total: number; mine: number } | undefined>;
  /** The fingerprints of the roster's members no verified member has signed (roster-trust.ts): encrypting to them asks first. */
  unverified: () => Promise<ReadonlySet<string>>;
  log: vscode.LogOutputChannel;
}

export class RosterChanges implements vscode.Disposable {
  /** Fingerprint → roster name, as last seen; undefined until the first read (which is no news). */
  private known: Map<string, string> | undefined;
  /** Keys this window's own commands are adding or removing. */
  private readonly expected = new Set<string>();
  private readonly watch: vscode.Disposable;

  constructor(private readonly deps: RosterChangesDeps) {
    this.watch = lookWhenSettled([deps.roster.onDidChange], () => this.updateLogged(), SETTLE_MS);
    this.updateLogged();
  }

  /** A command of this window is about to add or remove this key: it says so itself. */
  expect(fingerprint: string): void {
    this.expected.add(fingerprint);
  }

  dispose(): void {
    this.watch.dispose();
  }

  /** The update running or last run: updates run one after another, each comparing with the one before. */
  private pending: Promise<void> = Promise.resolve();

  private updateLogged(): void {
    this.pending = this.pending.then(() =>
      this.update().catch((err: unknown) => {
        // What the roster was is unknown now: the next reading starts afresh rather than comparing with an
        // older one (which announced a teammate whose file had since changed hands as gone).
        this.known = undefined;
        this.deps.log.warn(`roster changes: ${err instanceof Error ? err.name : 'Error'}`);
      }),
    );
  }

  private async update(): Promise<void> {
    const now = new Map((await this.deps.roster.members()).map((m) => [m.key.fingerprint, m.name]));
    const before = this.known;
    this.known = now;
    if (!before) return;
    // Keys added or removed, less those this window's own commands announce (each expectation used once).
    const unannounced = (from: Map<string, string>, to: Map<string, string>): [string, string][] => [...from].filter(([fp]) => !to.has(fp) && !this.expected.delete(fp));
    const added = unannounced(now, before);
    const removed = unannounced(before, now);
    // A change about one of my keys is said to me as such: I was removed, or I was added.
    const mine = this.deps.myKeys();
    if (removed.some(([fp]) => mine.has(fp))) {
      void vscode.window.showWarningMessage(vscode.l10n.t('You were removed from the team roster by a change you did not make here: files encrypted for the team from now on are not for you. Ask a teammate why.'));
    } else if (added.some(([fp]) => mine.has(fp))) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Your key was added to the team roster by a change you did not make here.'));
    }
    const others = (list: [string, string][]): string[] => list.filter(([fp]) => !mine.has(fp)).map(([, name]) => name);
    const joined = others(added);
    const left = others(removed);
    // The same name with another key: a changed key, which the next encryption asks about.
    const changed = joined.filter((name) => left.includes(name));
    const names = (list: string[]): string => list.map((name) => displayText(name)).join(', ');
    const showTeam = vscode.l10n.t('Show Team');
    const reencrypt = vscode.l10n.t('Re-encrypt Workspace Files');
    const act = (choice: string | undefined): void => {
      if (choice === showTeam) void vscode.commands.executeCommand('custodian.team.focus');
      else if (choice === reencrypt) void vscode.commands.executeCommand(CommandId.ReencryptWorkspace);
    };
    if (changed.length > 0) {
      void vscode.window
        .showWarningMessage(vscode.l10n.t('The key of {0} in the team roster changed. You are asked to confirm it before anything is encrypted to it.', names(changed)), showTeam)
        .then(act);
    }
    const fresh = joined.filter((name) => !changed.includes(name));
    const gone = left.filter((name) => !changed.includes(name));
    if (fresh.length === 0 && gone.length === 0) return;
    const files = await this.deps.drifting();
    const none = files?.total === 0;
    // Re-encrypting is offered when there are files for the team and my keys open some (or the workspace is not searched).
    const items = [...(!none && (files === undefined || files.mine > 0) ? [reencrypt] : []), showTeam];
    if (fresh.length > 0) {
      const who = names(fresh);
      let text = none
        ? vscode.l10n.t('{0} joined the team (a change to the roster that you did not make here). Files encrypted for the team from now on include them.', who)
        : vscode.l10n.t('{0} joined the team (a change to the roster that you did not make here). They cannot open the files here until someone re-encrypts them.', who);
      // A newcomer nobody verifiably signed is asked about before anything is encrypted to them: said now, not then.
      const unverified = await this.deps.unverified().catch(() => new Set<string>());
      const unchecked = added.filter(([fp, name]) => unverified.has(fp) && fresh.includes(name)).map(([, name]) => name);
      if (unchecked.length > 0) {
        text += ` ${vscode.l10n.t('Not verified yet: no verified teammate has signed the entry of {0}. Compare the fingerprint with them over a channel you trust (the Team view shows it); Custodian asks you before it encrypts anything to them.', names(unchecked))}`;
      }
      void vscode.window.showInformationMessage(text, ...items).then(act);
    }
    if (gone.length > 0) {
      const who = names(gone);
      const text = none
        ? vscode.l10n.t('{0} left the team (a change to the roster that you did not make here).', who)
        : vscode.l10n.t('{0} left the team (a change to the roster that you did not make here). The files here stay readable by them until they are re-encrypted; rotate what they could read.', who);
      void vscode.window.showWarningMessage(text, ...items).then(act);
    }
  }
}
