// The agent: serves the keys of one VS Code window to processes of the same user, without ever
// sending a private key. It lists public keys, returns one file's key for a header whose MAC
// verifies, and signs transcript digests (FORMAT.md §5). Every use of a private key needs the user's
// consent (a callback: the extension shows the prompt) and is recorded (another callback). A bad
// request gets an error on its own connection; the agent keeps serving everyone else.
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import { utf8DecodeKeepingBom, zeroize } from '../core/bytes';
import { fingerprintToString, parseHeader } from '../core/envelope-header';
import { CustodianError, FormatError, HeaderAuthError, NoIdentityMatchedError, ValuesMacError } from '../core/errors';
import type { RsaPublicKey } from '../core/keys';
import { SOCKET_MODE, preparePrivateDirectory, removeDeadAgents, removeStaleSocket } from './agent-address';
import { peerAllowed, runsThisRuntime, type GitCommand, type PeerInfo, type PeerInspector } from './agent-peer';
import {
  FrameDecoder,
  MAX_REQUEST_BYTES,
  ProtocolError,
  encodeResponse,
  parseRequest,
  type AgentErrorCode,
  type AgentOp,
  type AgentRequest,
  type AgentResponse,
  type ValuesFormat,
} from './agent-protocol';

/** What the agent may do with the window's keys: use them, never read them. */
export interface AgentKeyring {
  /** The public keys, the default (active) key first. */
  list(): Promise<readonly RsaPublicKey[]>;
  /** The file key of `header` with the key `fingerprint`, MAC verified (core `unwrapHeaderFileKey`). */
  unwrap(fingerprint: string, header: Uint8Array): Promise<Uint8Array>;
  /** The §5 signature of `digest` with the key `fingerprint` (core `signTranscriptDigest`). */
  sign(fingerprint: string, digest: Uint8Array): Promise<Uint8Array>;
  /** The data key of a value-encrypted file with the key `fingerprint`, MAC verified (core `unwrapValuesDataKey`). */
  unwrapValues(fingerprint: string, text: string, format: ValuesFormat): Promise<Uint8Array>;
  /** The VALUES.md §8 signature of `digest` with the key `fingerprint` (core `signValuesDigest`). */
  signValues(fingerprint: string, digest: Uint8Array): Promise<Uint8Array>;
}

export interface ConsentRequest {
  readonly peer: PeerInfo;
  readonly op: 'unwrap' | 'sign';
  /** What the client says the key is for: a claim, shown as such. */
  readonly file?: string;
  readonly key: RsaPublicKey;
  /**
   * Set when the request is a diff driver's (`git textconv`) run by this git process: the prompt may
   * offer to allow every decryption its drivers ask with this key (`allowed-git-command`), until it exits.
   */
  readonly gitCommand?: GitCommand;
}

export type AuditOutcome = 'allowed' | 'denied' | 'refused' | 'failed';

/** The user's answer; no answer within the time limit is a denial too, said as such. */
export type ConsentAnswer = 'allowed' | 'allowed-git-command' | 'denied' | 'timed-out';

/** One line of the audit trail: what was asked, by whom, and what happened. Never key material. */
export interface AuditEntry {
  readonly time: Date;
  readonly peer: PeerInfo;
  readonly op: AgentOp | 'connect';
  readonly file?: string;
  readonly key?: string;
  readonly outcome: AuditOutcome;
  readonly detail?: string;
}

export interface AgentServerOptions {
  readonly keyring: AgentKeyring;
  readonly consent: (request: ConsentRequest) => Promise<ConsentAnswer>;
  readonly audit: (entry: AuditEntry) => void;
  readonly inspectPeer: PeerInspector;
  /**
   * The recipients' fingerprints of a value-encrypted file, parsed strictly without a key (core
   * `valuesRecipients`); given, so the extension loads the values module (and yaml) only when needed.
   */
  readonly valuesRecipients: (text: string, format: ValuesFormat) => Promise<readonly string[]>;
  /** This process's uid; undefined where there are none (Windows). Injectable so a test can play another user. */
  readonly ownUid: number | undefined;
  /**
   * The longest an "Allow for This git Command" answer lasts, even while its git process runs (a process
   * that names itself git can live as long as it likes): `custodian.agent.allowMinutes`. Default 10 min.
   */
  readonly gitGrantMs?: () => number;
  /** The clock (a seam for tests). */
  readonly now?: () => number;
}

const TRANSCRIPT_DIGEST_LENGTH = 32;
/** A connection with nothing to say for this long is closed (a consent prompt times out well before). */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_CONNECTIONS = 64;

/** One connection: the process behind it, and what the user allowed it (`grantOf`). */
interface Client {
  peer: PeerInfo;
  readonly granted: Set<string>;
}

/**
 * What one "Allow Once" covers: the operation the prompt named (on a `.enc` file, or on a value-encrypted
 * one: `op` as the client sent it), for the file it named, with the key it named. Decrypting a file also
 * covers signing that kind of file under that name (a `custodian set` or a merge writes back the file it
 * opened); nothing covers decrypting another file, or signing one the prompt did not name, so code
 * loaded into an allowed process (a preload, a hook) gets no more than the prompt said. The name is the
 * client's claim: what is left is documented (docs/AGENT.md).
 */
function grantOf(op: AgentOp, file: string | undefined, key: RsaPublicKey): string {
  return JSON.stringify([op, file ?? null, key.fingerprint]);
}

/** The signing a decryption's grant also covers: the same kind of file, written back. */
const SIGN_AFTER: Partial<Record<AgentOp, AgentOp>> = { unwrap: 'sign', 'unwrap-values': 'sign-values' };

/**
 * The git process whose diff drivers one answer may cover: a decryption asked by `custodian git textconv`
 * (git runs one per version of a file: a `git log -p` would ask for each). Only decryption, only that
 * driver: a textconv prints what it decrypts to git and writes nothing, and signs nothing.
 */
function gitCommandFor(op: AgentOp, peer: PeerInfo): GitCommand | undefined {
  // The runtime itself, not arguments that say so: any program can be started as `node … git textconv`.
  const driver = runsThisRuntime(peer) && peer.argv !== undefined && peer.argv[2] === 'git' && peer.argv[3] === 'textconv';
  // A driver started with code loaded into it is asked, grant or not: that code is not the driver.
  const preloaded = (peer.preloads ?? []).length > 0;
  return driver && !preloaded && (op === 'unwrap' || op === 'unwrap-values') ? peer.gitCommand : undefined;
}

function gitGrantOf(git: GitCommand, key: RsaPublicKey): string {
  return JSON.stringify([git.pid, git.started, key.fingerprint]);
}

/** Git commands allowed at once are few; the oldest are forgotten first (their processes are long gone). */
const MAX_GIT_GRANTS = 16;
const DEFAULT_GIT_GRANT_MS = 10 * 60_000;

function fail(id: number, code: ProtocolError['code'], message: string): AgentResponse {
  return { id, ok: false, code, message };
}

export class AgentServer {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** "Allow for This git Command" answers (`gitGrantOf`) and when each ends: they outlive each driver's connection. */
  private readonly gitGrants = new Map<string, number>();

  constructor(private readonly options: AgentServerOptions) {}

  /** Ends every "Allow for This git Command" answer now (Ask Again Before Each Use, or the agent stopping). */
  revokeGitGrants(): boolean {
    const had = this.gitGrants.size > 0;
    this.gitGrants.clear();
    return had;
  }

  /** Listens on `address` (a socket path in a private directory, or a Windows pipe name). */
  async listen(address: string, platform: NodeJS.Platform = process.platform): Promise<void> {
    const unix = platform !== 'win32';
    if (unix) {
      const dir = address.slice(0, address.lastIndexOf('/'));
      await preparePrivateDirectory(dir, this.options.ownUid);
      await removeStaleSocket(address);
      await removeDeadAgents(dir);
    }
    const server = net.createServer((socket) => this.accept(socket));
    server.maxConnections = MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Serving never keeps a process alive by itself (a CLI test, a host shutting down).
    server.unref();
    this.server = server;
    if (unix) await fs.chmod(address, SOCKET_MODE);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined); // a client that vanishes mid-answer is not our failure
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    const peer = this.options.inspectPeer(socket).catch((): PeerInfo => ({}));
    const client: Client = { peer: {}, granted: new Set() };
    const decoder = new FrameDecoder(MAX_REQUEST_BYTES);
    let queue = Promise.resolve();
    socket.on('data', (piece: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength));
      } catch (err) {
        // The stream cannot be resynchronised after a refused length: answer, then hang up.
        socket.pause();
        const message = err instanceof ProtocolError ? err.message : 'malformed frame';
        queue = queue.then(async () => {
          this.options.audit({ time: new Date(), peer: await peer, op: 'connect', outcome: 'refused', detail: message });
          socket.end(encodeResponse(fail(0, err instanceof ProtocolError ? err.code : 'malformed', message)));
        });
        return;
      }
      for (const frame of frames) {
        queue = queue.then(async () => {
          client.peer = await peer;
          const response = await this.respond(frame, client);
          if (!socket.destroyed) socket.write(encodeResponse(response));
          if (response.ok && 'fileKey' in response) zeroize(response.fileKey);
          if (!response.ok && response.code === 'refused') socket.end();
        });
      }
    });
  }

  private async respond(frame: Uint8Array, client: Client): Promise<AgentResponse> {
    const peer = client.peer;
    if (!peerAllowed(peer, this.options.ownUid)) {
      const who = peer.uid !== undefined ? `a process of uid ${peer.uid}` : 'a process the system does not show as this user\'s';
      this.options.audit({ time: new Date(), peer, op: 'connect', outcome: 'refused', detail: `${who} is not served` });
      return fail(0, 'refused', 'the agent serves only processes of the user running VS Code');
    }
    let request: AgentRequest;
    try {
      request = parseRequest(frame);
    } catch (err) {
      const e = err instanceof ProtocolError ? err : new ProtocolError('malformed', 'malformed request');
      this.options.audit({ time: new Date(), peer, op: 'connect', outcome: 'refused', detail: e.message });
      return fail(e.id, e.code, e.message);
    }
    try {
      switch (request.op) {
        case 'list':
          return await this.list(request.id, peer);
        case 'unwrap':
          return await this.unwrap(request, client);
        case 'unwrap-values':
          return await this.unwrapValues(request, client);
        case 'sign':
        case 'sign-values':
          return await this.sign(request, client);
      }
    } catch (err) {
      const file = request.op === 'list' ? undefined : request.file;
      this.options.audit({ time: new Date(), peer, op: request.op, file, outcome: 'failed', detail: err instanceof CustodianError ? err.message : 'internal error' });
      return fail(request.id, 'internal', err instanceof CustodianError ? err.message : 'the agent failed to answer');
    }
  }

  private async list(id: number, peer: PeerInfo): Promise<AgentResponse> {
    const keys = await this.options.keyring.list();
    this.options.audit({ time: new Date(), peer, op: 'list', outcome: 'allowed' });
    return { id, ok: true, keys: keys.map((k) => ({ spki: k.spkiDer, comment: k.comment })) };
  }

  /** A use of a key the connection was not allowed yet asks (`grantOf`: what an answer covers for that process). */
  private async consent(client: Client, op: AgentOp, request: ConsentRequest): Promise<'allowed' | 'denied' | 'timed-out'> {
    if (client.granted.has(grantOf(op, request.file, request.key))) return 'allowed';
    const git = gitCommandFor(op, request.peer);
    const now = this.options.now?.() ?? Date.now();
    if (git !== undefined && (this.gitGrants.get(gitGrantOf(git, request.key)) ?? 0) > now) return 'allowed';
    const answer = await this.options.consent(git === undefined ? request : { ...request, gitCommand: git });
    if (answer === 'allowed-git-command' && git !== undefined) {
      // From the answer, not the question: the dialog may have stayed open a while.
      this.gitGrants.set(gitGrantOf(git, request.key), (this.options.now?.() ?? Date.now()) + (this.options.gitGrantMs?.() ?? DEFAULT_GIT_GRANT_MS));
      if (this.gitGrants.size > MAX_GIT_GRANTS) this.gitGrants.delete(this.gitGrants.keys().next().value!);
    }
    if (answer === 'allowed' || answer === 'allowed-git-command') {
      client.granted.add(grantOf(op, request.file, request.key));
      const then = SIGN_AFTER[op];
      if (then !== undefined && answer === 'allowed') client.granted.add(grantOf(then, request.file, request.key));
      return 'allowed';
    }
    return answer;
  }

  private async unwrap(request: Extract<AgentRequest, { op: 'unwrap' }>, client: Client): Promise<AgentResponse> {
    const peer = client.peer;
    const { id, file } = request;
    const entry = { peer, op: 'unwrap' as const, file };
    let stanzas: string[];
    try {
      const parsed = parseHeader(request.header);
      if (parsed.bytes.length !== request.header.length) throw new FormatError('the request carries more than one header');
      stanzas = parsed.stanzas.map((s) => fingerprintToString(s.fingerprint));
    } catch (err) {
      const message = err instanceof CustodianError ? err.message : 'malformed header';
      this.options.audit({ ...entry, time: new Date(), outcome: 'refused', detail: message });
      return fail(id, 'format', message);
    }
    return this.unwrapWithConsent(id, client, entry, stanzas, 'the key could not unwrap the file key', {
      unwrap: (fingerprint) => this.options.keyring.unwrap(fingerprint, request.header),
      codeOf: (err) => (err instanceof HeaderAuthError ? 'header-auth' : err instanceof NoIdentityMatchedError ? 'no-match' : 'internal'),
    });
  }

  /**
   * A value-encrypted file's data key: as `unwrap`, with the whole file in place of a header. The key is
   * returned only when the file's MAC verifies with it (VALUES.md §7), so a recipient line copied into
   * another file unwraps nothing.
   */
  private async unwrapValues(request: Extract<AgentRequest, { op: 'unwrap-values' }>, client: Client): Promise<AgentResponse> {
    const peer = client.peer;
    const { id, file, format } = request;
    const entry = { peer, op: 'unwrap-values' as const, file };
    let text: string;
    let stanzas: readonly string[];
    try {
      text = utf8DecodeKeepingBom(request.values);
      stanzas = await this.options.valuesRecipients(text, format);
    } catch (err) {
      const message = err instanceof CustodianError ? err.message : 'not a value-encrypted file in UTF-8';
      this.options.audit({ ...entry, time: new Date(), outcome: 'refused', detail: message });
      return fail(id, 'format', message);
    }
    return this.unwrapWithConsent(id, client, entry, stanzas, 'the key could not unwrap the data key', {
      unwrap: (fingerprint) => this.options.keyring.unwrapValues(fingerprint, text, format),
      codeOf: (err) => (err instanceof ValuesMacError ? 'header-auth' : err instanceof NoIdentityMatchedError ? 'no-match' : err instanceof FormatError ? 'format' : 'internal'),
    });
  }

  /**
   * What `unwrap` and `unwrap-values` share once the request is parsed: a key of this window among the
   * file's recipients (no prompt for a file this window cannot open anyway), the user's consent naming
   * the file and the key, the unwrap, and an audit entry for each outcome.
   */
  private async unwrapWithConsent(
    id: number,
    client: Client,
    entry: { readonly peer: PeerInfo; readonly op: 'unwrap' | 'unwrap-values'; readonly file?: string },
    stanzas: readonly string[],
    failure: string,
    how: { unwrap(fingerprint: string): Promise<Uint8Array>; codeOf(err: unknown): AgentErrorCode },
  ): Promise<AgentResponse> {
    const key = (await this.options.keyring.list()).find((k) => stanzas.includes(k.fingerprint));
    if (!key) {
      this.options.audit({ ...entry, time: new Date(), outcome: 'refused', detail: 'no key of this window is a recipient' });
      return fail(id, 'no-match', 'none of the keys in VS Code is a recipient of this file');
    }
    const answer = await this.consent(client, entry.op, { peer: entry.peer, op: 'unwrap', file: entry.file, key });
    if (answer !== 'allowed') return this.denied(id, answer, 'decrypt', { ...entry, key: key.fingerprint });
    let fileKey: Uint8Array;
    try {
      fileKey = await how.unwrap(key.fingerprint);
    } catch (err) {
      const message = err instanceof CustodianError ? err.message : failure;
      this.options.audit({ ...entry, key: key.fingerprint, time: new Date(), outcome: 'failed', detail: message });
      return fail(id, how.codeOf(err), message);
    }
    this.options.audit({ ...entry, key: key.fingerprint, time: new Date(), outcome: 'allowed' });
    return { id, ok: true, fileKey }; // zeroed once written
  }

  /** `sign` (FORMAT.md §5 context) and `sign-values` (VALUES.md §8 context): one digest, one consent. */
  private async sign(request: Extract<AgentRequest, { op: 'sign' | 'sign-values' }>, client: Client): Promise<AgentResponse> {
    const peer = client.peer;
    const { id, file } = request;
    const entry = { peer, op: request.op, file };
    if (request.digest.length !== TRANSCRIPT_DIGEST_LENGTH) {
      const message = `"digest" expected ${TRANSCRIPT_DIGEST_LENGTH} bytes, got ${request.digest.length}`;
      this.options.audit({ ...entry, time: new Date(), outcome: 'refused', detail: message });
      return fail(id, 'malformed', message);
    }
    const keys = await this.options.keyring.list();
    const key = request.key === undefined ? keys[0] : keys.find((k) => k.fingerprint === request.key);
    if (!key) {
      const message = request.key === undefined ? 'VS Code holds no key' : `VS Code holds no key ${request.key}`;
      this.options.audit({ ...entry, key: request.key, time: new Date(), outcome: 'refused', detail: message });
      return fail(id, 'no-key', message);
    }
    const answer = await this.consent(client, request.op, { peer, op: 'sign', file, key });
    if (answer !== 'allowed') return this.denied(id, answer, 'sign', { ...entry, key: key.fingerprint });
    const signature = request.op === 'sign' ? await this.options.keyring.sign(key.fingerprint, request.digest) : await this.options.keyring.signValues(key.fingerprint, request.digest);
    this.options.audit({ ...entry, key: key.fingerprint, time: new Date(), outcome: 'allowed' });
    return { id, ok: true, signature };
  }

  private denied(id: number, answer: 'denied' | 'timed-out', what: string, entry: Omit<AuditEntry, 'time' | 'outcome'>): AgentResponse {
    const timedOut = answer === 'timed-out';
    this.options.audit({ ...entry, time: new Date(), outcome: 'denied', detail: timedOut ? 'no answer in time' : undefined });
    return fail(id, 'denied', timedOut ? `the request to ${what} was not answered in VS Code in time, so it was denied` : `the request to ${what} was denied in VS Code`);
  }
}
