// The Node half of the agent, loaded on first use (lazy-core.ts): activation stays cheap, and the
// server's core modules (header parsing, hashes) load only when the agent starts.
import * as fs from 'node:fs/promises';
import { agentAddress, agentDirectory } from '../../node/agent-address';
import { platformPeerInspector } from '../../node/agent-peer';
import { AgentServer, type AgentKeyring, type AuditEntry, type ConsentAnswer, type ConsentRequest } from '../../node/agent-server';
import { lazyCore } from '../lazy-core';

export interface RunningAgent {
  readonly address: string;
  /** Ends the "Allow for This git Command" answers; true when there were any. */
  revokeGitGrants(): boolean;
  close(): Promise<void>;
}

export async function startAgent(deps: {
  keyring: AgentKeyring;
  consent: (request: ConsentRequest) => Promise<ConsentAnswer>;
  audit: (entry: AuditEntry) => void;
  /** The longest a git command's answer lasts (`custodian.agent.allowMinutes`). */
  gitGrantMs: () => number;
}): Promise<RunningAgent> {
  const address = agentAddress(agentDirectory());
  const server = new AgentServer({
    ...deps,
    // The values module (and the yaml package) loads on the first value-encrypted request, not with the agent.
    valuesRecipients: async (text, format) => (await lazyCore.values()).valuesRecipients(text, format),
    inspectPeer: platformPeerInspector(),
    ownUid: process.getuid?.(),
  });
  await server.listen(address);
  return {
    address,
    revokeGitGrants: () => server.revokeGitGrants(),
    close: async () => {
      await server.close();
      if (process.platform !== 'win32') await fs.rm(address, { force: true });
    },
  };
}
