// The agent as a feature of the window: serves my keys to processes of this user while Custodian is
// active in a trusted workspace (docs/AGENT.md), tells this window's terminals, tasks, debug sessions
// and git (run by the Source Control view, in this same process) where it is, and keeps the audit
// trail. It is given a keyring that can use keys, never the key store.
//
// Not in Restricted Mode: VS Code itself runs no tasks and no git for an untrusted workspace, so
// nothing legitimate needs the key there, and a prompt would invite allowing a repository the user
// has not trusted. It starts when the workspace is trusted.
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { AGENT_SOCK_ENV } from '../../node/agent-address';
import type { AgentKeyring } from '../../node/agent-server';
import { CommandId } from '../commands/ids';
import type { AgentConfig } from '../config';
import { lazyCore } from '../lazy-core';
import type { WorkspaceTrust } from '../workspace-trust';
import { AGENT_LOG_SCHEME, AgentAudit } from './audit';
import { AgentConsent } from './consent';
import { AgentGrantStatus } from './grant-status';
import type { RunningAgent } from './agent-service';

export interface AgentFeatureDeps {
  readonly keyring: AgentKeyring;
  readonly log: vscode.LogOutputChannel;
  readonly trust: WorkspaceTrust;
  readonly config: () => AgentConfig;
  /** The name of my key with this fingerprint, for the consent prompt (no key material). */
  readonly keyName: (fingerprint: string) => string | undefined;
  /** The CLI this extension ships (dist/cli.js): the prompt names a process running it `custodian …`. */
  readonly cliScript?: string;
}

export class AgentFeature implements vscode.Disposable {
  readonly audit: AgentAudit;
  /** The status bar item shown while "Allow for N Minutes" runs. */
  readonly grantStatus: AgentGrantStatus;
  private readonly consent: AgentConsent;
  private running: Promise<RunningAgent | undefined> = Promise.resolve(undefined);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly env: vscode.GlobalEnvironmentVariableCollection,
    private readonly deps: AgentFeatureDeps,
  ) {
    this.audit = new AgentAudit(deps.log, deps.cliScript);
    this.consent = new AgentConsent(deps.config, deps.keyName, deps.cliScript);
    this.grantStatus = new AgentGrantStatus(this.consent);
    this.subscriptions.push(
      this.audit,
      this.grantStatus,
      this.consent,
      deps.trust.onDidChange(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('custodian.agent.enabled')) this.update();
      }),
    );
    this.update();
  }

  /** Ends "Allow for N Minutes" and "Allow for This git Command" answers now: the next use of a key asks again. */
  async revokeApproval(): Promise<void> {
    const agent = await this.running;
    const hadGit = agent?.revokeGitGrants() ?? false;
    if (hadGit) this.audit.note('"Allow for This git Command" answers ended by the user');
    const hadMinutes = this.consent.grantEnd() !== undefined;
    if (hadMinutes) this.audit.note('"Allow for N Minutes" ended by the user');
    const shown = hadMinutes || this.consent.gitGrantEnd() !== undefined;
    this.consent.revoke();
    if (!hadGit && !shown) return;
    // The status bar item just goes: a trial could not tell whether the click had done anything.
    void vscode.window.showInformationMessage(vscode.l10n.t('Approval ended: Custodian asks again before a terminal or git uses your keys.'));
  }

  /** The address while serving, else undefined (after any pending start or stop). */
  async address(): Promise<string | undefined> {
    return (await this.running)?.address;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    void this.stop();
  }

  private update(): void {
    const wanted = this.deps.config().enabled && this.deps.trust.isTrusted;
    this.running = this.running.then(async (current) => {
      if (wanted && !current) return this.start();
      if (!wanted && current) await this.stopRunning(current);
      return wanted ? current : undefined;
    });
  }

  private async start(): Promise<RunningAgent | undefined> {
    try {
      const { startAgent } = await lazyCore.agentService();
      const agent = await startAgent({
        keyring: this.deps.keyring,
        consent: (r) => this.consent.ask(r),
        audit: (e) => this.audit.record(e),
        gitGrantMs: () => this.deps.config().allowMinutes * 60_000,
      });
      // Terminals, tasks and debug sessions started from now on (the collection is not kept for a restart: activate()).
      this.env.replace(AGENT_SOCK_ENV, agent.address);
      // The built-in git extension spawns git in this process's environment (Source Control view).
      process.env[AGENT_SOCK_ENV] = agent.address;
      this.audit.note(`serving at ${agent.address}`);
      return agent;
    } catch (err) {
      this.deps.log.error(`agent: could not start: ${describeError(err)}`);
      return undefined;
    }
  }

  private async stopRunning(agent: RunningAgent): Promise<void> {
    this.env.delete(AGENT_SOCK_ENV);
    if (process.env[AGENT_SOCK_ENV] === agent.address) delete process.env[AGENT_SOCK_ENV];
    this.consent.revoke();
    await agent.close().catch(() => undefined);
    this.audit.note('stopped');
  }

  private stop(): Promise<void> {
    const previous = this.running;
    this.running = Promise.resolve(undefined);
    return previous.then((agent) => (agent ? this.stopRunning(agent) : undefined));
  }
}

/** Starts the agent (when allowed) and registers "Custodian: Show Agent Log" and ending an approval early. */
export function registerAgentFeature(context: vscode.ExtensionContext, deps: AgentFeatureDeps): AgentFeature {
  const feature = new AgentFeature(context.environmentVariableCollection, deps);
  context.subscriptions.push(
    feature,
    vscode.workspace.registerTextDocumentContentProvider(AGENT_LOG_SCHEME, feature.audit),
    vscode.commands.registerCommand(CommandId.ShowAgentLog, async () => {
      const doc = await vscode.workspace.openTextDocument(feature.audit.uri);
      await vscode.window.showTextDocument(doc, { preview: true });
      return feature.audit.recent();
    }),
    vscode.commands.registerCommand(CommandId.RevokeAgentApproval, () => feature.revokeApproval()),
  );
  return feature;
}
