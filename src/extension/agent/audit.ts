// The agent's audit trail: every request, who made it, for which file and key, and what happened, in
// the Custodian output channel and (the recent ones) in a read-only document that "Custodian: Show
// Agent Log" opens. Entries hold names and fingerprints only, never key material or plaintext, and
// of the client's command line only the program (and the CLI's command): the channel's file is on disk.
import * as vscode from 'vscode';
import { displayText } from '../../core/display-text';
import type { AuditEntry } from '../../node/agent-server';
import { describePeerForLog } from './consent';

export const AGENT_LOG_SCHEME = 'custodian-agent-log';
const RECENT_ENTRIES = 200;

/** The operation in the words the consent dialog uses (AGENT.md names the protocol's in parentheses). */
const OPERATION: Readonly<Record<AuditEntry['op'], string>> = {
  unwrap: 'decrypt (unwrap)',
  'unwrap-values': 'decrypt values (unwrap-values)',
  sign: 'sign',
  'sign-values': 'sign values (sign-values)',
  list: 'list public keys (list)',
  connect: 'connect',
};

export function formatAuditEntry(e: AuditEntry, cliScript?: string): string {
  const parts = [e.time.toISOString(), e.outcome, OPERATION[e.op], `client ${describePeerForLog(e.peer, cliScript)}`];
  if (e.file !== undefined) parts.push(`file ${displayText(e.file)}`);
  if (e.key !== undefined) parts.push(`key ${e.key}`);
  if (e.detail) parts.push(`(${displayText(e.detail)})`);
  return parts.join('  ');
}

export class AgentAudit implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly lines: string[] = [];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  readonly uri = vscode.Uri.from({ scheme: AGENT_LOG_SCHEME, path: '/Custodian Agent Log' });

  constructor(
    private readonly log: vscode.LogOutputChannel,
    /** The CLI this extension ships: a process running it is logged as `custodian COMMAND`. */
    private readonly cliScript?: string,
  ) {}

  record(entry: AuditEntry): void {
    this.add(formatAuditEntry(entry, this.cliScript));
  }

  /** A line that is not a request: the agent started or stopped, and where. */
  note(text: string): void {
    this.add(`${new Date().toISOString()}  ${text}`);
  }

  private add(line: string): void {
    this.log.info(`agent: ${line}`);
    this.lines.push(line);
    if (this.lines.length > RECENT_ENTRIES) this.lines.splice(0, this.lines.length - RECENT_ENTRIES);
    this.changed.fire(this.uri);
  }

  recent(): readonly string[] {
    return this.lines;
  }

  provideTextDocumentContent(): string {
    const header = vscode.l10n.t('Custodian agent: the last {0} requests (newest last). Time, outcome, operation, client, file, key.', String(RECENT_ENTRIES));
    return [header, '', ...(this.lines.length > 0 ? this.lines : [vscode.l10n.t('No requests yet.')])].join('\n') + '\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}
