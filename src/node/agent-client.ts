// A client of the VS Code agent (agent-server.ts): one connection, one request at a time. Its keys
// are core `Identity` and `Signer` objects, so decrypt and encrypt use them like key files; the
// private keys stay in VS Code.
import * as net from 'node:net';
import type { Identity, Signer } from '../core/envelope';
import type { RemoteValuesIdentity, RemoteValuesSigner } from '../core/values';
import { AgentDeniedError, AgentError, FormatError, HeaderAuthError, NoIdentityMatchedError } from '../core/errors';
import { publicKeyFromSpkiDer, type RsaPublicKey } from '../core/keys';
import { AGENT_SOCK_ENV, liveAgentAddress } from './agent-address';
import { preloadsInEnv } from './preloads';
import { FrameDecoder, MAX_RESPONSE_BYTES, ProtocolError, encodeRequest, parseResponse, type AgentRequest, type AgentResponse } from './agent-protocol';

/** A key the agent holds: it unwraps and signs (`.enc` files and value-encrypted files) through the agent. */
export type AgentKey = Identity & Signer & RemoteValuesIdentity & RemoteValuesSigner;

/**
 * What to do after a denial: answer the dialog, or give a key file (`-s` names the signing key, `-i` the
 * others). When this process was started with code loaded into it (the dialog warned of it), that first:
 * a person who did not set it should find what did, not allow it.
 */
export function deniedHint(op: AgentRequest['op'], env: NodeJS.ProcessEnv = process.env): string {
  const flag = op === 'sign' || op === 'sign-values' ? '-s KEY to sign with a key file' : '-i KEY';
  const usual = `to use the key held by VS Code, choose "Allow Once" in the dialog VS Code shows (Enter denies), or pass ${flag}`;
  const preloads = preloadsInEnv(env);
  if (preloads.length === 0) return usual;
  return `this command was started with ${preloads.join(' ')}, code that runs inside it before its own: if you did not set that, find what did (a repository's .vscode/settings.json can, with terminal.integrated.env) and run the command in a terminal without it; otherwise ${usual}`;
}

type Ok<K extends string> = Extract<AgentResponse, { ok: true } & Record<K, unknown>>;

/** How long a request that may need the user's consent waits before the client says it is waiting. */
const WAITING_NOTICE_MS = 700;

export class AgentClient {
  private socket?: net.Socket;
  private connecting?: Promise<net.Socket>;
  private nextId = 1;

  constructor(
    readonly address: string,
    /**
     * Told once per request that uses a key and has waited a moment: VS Code is showing a dialog, and a
     * terminal that prints nothing meanwhile looks like a command that hangs.
     */
    private readonly onWaiting?: () => void,
  ) {}

  /** The agent's public keys, its default key first. Needs no consent; `file` is what later requests are for. */
  async keys(request: { readonly file?: string } = {}): Promise<AgentKey[]> {
    const response = (await this.request({ id: this.nextId++, op: 'list' })) as Ok<'keys'>;
    return response.keys.map((k) => this.key(publicKeyFromSpkiDer(k.spki, k.comment), request.file));
  }

  private key(publicKey: RsaPublicKey, file: string | undefined): AgentKey {
    return {
      publicKey,
      unwrapFileKey: async (header) => ((await this.request({ id: this.nextId++, op: 'unwrap', header, file })) as Ok<'fileKey'>).fileKey,
      signTranscript: async (digest) => ((await this.request({ id: this.nextId++, op: 'sign', digest, key: publicKey.fingerprint, file })) as Ok<'signature'>).signature,
      unwrapValuesKey: async (text, format) =>
        ((await this.request({ id: this.nextId++, op: 'unwrap-values', values: new TextEncoder().encode(text), format, file })) as Ok<'fileKey'>).fileKey,
      signValuesDigest: async (digest) => ((await this.request({ id: this.nextId++, op: 'sign-values', digest, key: publicKey.fingerprint, file })) as Ok<'signature'>).signature,
    };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.connecting = undefined;
  }

  private connect(): Promise<net.Socket> {
    this.connecting ??= new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(this.address);
      socket.once('connect', () => {
        socket.off('error', reject);
        this.socket = socket;
        resolve(socket);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        this.connecting = undefined;
        reject(
          new AgentError(`no Custodian agent answers at ${this.address} (${err.code ?? err.message})`, {
            cause: err,
            hint: `${AGENT_SOCK_ENV} may be left from a VS Code window that was closed: open the terminal again from a window with Custodian active, or pass -i KEY`,
          }),
        );
      });
    });
    return this.connecting;
  }

  /** Sends one request and reads its answer; an error answer becomes the typed error it stands for. */
  async request(request: AgentRequest): Promise<AgentResponse> {
    const socket = await this.connect();
    socket.ref();
    const notice = request.op !== 'list' && this.onWaiting ? setTimeout(this.onWaiting, WAITING_NOTICE_MS) : undefined;
    try {
      const body = await new Promise<Uint8Array>((resolve, reject) => {
        const decoder = new FrameDecoder(MAX_RESPONSE_BYTES);
        const cleanup = (): void => {
          socket.off('data', onData);
          socket.off('close', onClose);
          socket.off('error', onClose);
        };
        const onData = (piece: Buffer): void => {
          try {
            const frames = decoder.push(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength));
            if (frames.length === 0) return;
            cleanup();
            resolve(frames[0]);
          } catch (err) {
            cleanup();
            reject(err);
          }
        };
        const onClose = (): void => {
          cleanup();
          reject(new AgentError(`the Custodian agent at ${this.address} closed the connection without answering`, { hint: 'see "Custodian: Show Agent Log" in VS Code' }));
        };
        socket.on('data', onData);
        socket.once('close', onClose);
        socket.once('error', onClose);
        socket.write(encodeRequest(request));
      });
      const response = parseResponse(body, request.op);
      if (!response.ok) throw errorFor(response.code, response.message, this.address, request.op);
      return response;
    } catch (err) {
      if (err instanceof ProtocolError) throw new AgentError(`the Custodian agent at ${this.address} answered outside its protocol: ${err.message}`, { cause: err });
      throw err;
    } finally {
      clearTimeout(notice);
      // Between requests the connection must not keep a finished command alive.
      socket.unref();
    }
  }
}

function errorFor(code: ProtocolError['code'], message: string, address: string, op: AgentRequest['op']): Error {
  switch (code) {
    case 'denied':
      return new AgentDeniedError(`the Custodian agent: ${message}`, { hint: deniedHint(op) });
    case 'no-match':
      return new NoIdentityMatchedError(message, []);
    case 'header-auth':
      return new HeaderAuthError(message, { hint: 'the file changed since it was written: restore it from git (git checkout -- FILE), or ask whoever wrote it for a fresh copy' });
    case 'format':
      return new FormatError(message);
    case 'refused':
      return new AgentError(`the Custodian agent at ${address} refused this process: ${message}`);
    default:
      return new AgentError(`the Custodian agent at ${address}: ${message}`, { hint: 'see "Custodian: Show Agent Log" in VS Code' });
  }
}

/**
 * The agent named by $CUSTODIAN_AGENT_SOCK (or the one that took its place, `liveAgentAddress`, said
 * through `onNote`), or undefined when it is not set. `onWaiting`: see AgentClient.
 */
export function agentFromEnv(env: NodeJS.ProcessEnv, onWaiting?: () => void, onNote?: (line: string) => void): AgentClient | undefined {
  const named = env[AGENT_SOCK_ENV];
  if (!named) return undefined;
  const { address, instead } = liveAgentAddress(named);
  if (instead !== undefined) onNote?.(`the VS Code agent this terminal was given (${instead}) is gone, as after a reload of the window; using the one agent running now (${address})`);
  return new AgentClient(address, onWaiting);
}
