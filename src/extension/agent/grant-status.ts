// While "Allow for N Minutes" lets the agent use my keys for any process of mine without asking, the
// status bar says so, with the time left, and a click ends it: an approval nobody sees is one nobody
// remembers to take back.
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import type { AgentConsent } from './consent';

/** Often enough for a count in minutes. */
const TICK_MS = 15_000;

export class AgentGrantStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('custodian.agentGrant', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [this.item];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly consent: AgentConsent) {
    this.item.name = vscode.l10n.t('Custodian: Agent Approval');
    this.item.command = CommandId.RevokeAgentApproval;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.subscriptions.push(consent.onDidChangeGrant(() => this.update()));
    this.update();
  }

  /** What the item shows now; undefined while hidden (tests). */
  get text(): string | undefined {
    return this.timer === undefined ? undefined : this.item.text;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.subscriptions) d.dispose();
  }

  private update(): void {
    const end = this.consent.grantEnd();
    // A git command's answer is narrower: shown only while no minutes grant (which covers it) runs.
    const gitEnd = end === undefined ? this.consent.gitGrantEnd() : undefined;
    void vscode.commands.executeCommand('setContext', 'custodian.agentApproved', end !== undefined || gitEnd !== undefined);
    const until = end ?? gitEnd;
    if (until === undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.item.hide();
      return;
    }
    const minutes = String(Math.max(1, Math.ceil((until - Date.now()) / 60_000)));
    const time = new Date(until).toLocaleTimeString();
    if (end !== undefined) {
      this.item.text = vscode.l10n.t('$(unlock) Keys without asking: {0} min', minutes);
      this.item.tooltip = vscode.l10n.t('The Custodian agent uses your keys for any process of yours without asking until {0}. Click to ask again from now on.', time);
    } else {
      this.item.text = vscode.l10n.t('$(unlock) git command allowed: {0} min', minutes);
      this.item.tooltip = vscode.l10n.t('The diff drivers of a git command you allowed decrypt with your key without asking until it ends, and {0} at the latest. Click to ask again from now on.', time);
    }
    this.item.show();
    this.timer ??= setInterval(() => this.update(), TICK_MS);
  }
}
