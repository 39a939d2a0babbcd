// The agent's wire protocol (docs/AGENT.md "Protocol"): frames of a 4-byte big-endian length and a
// UTF-8 JSON object, one request and one response at a time per connection. Both sides parse what
// they receive strictly (exact fields, exact types, canonical base64): an agent that answers other
// processes must not guess what a malformed request meant.
import { base64Decode, base64Encode } from '../core/bytes';
import { AgentError } from '../core/errors';

export const AGENT_PROTOCOL_VERSION = 1;
/** A request carries at most one header (FORMAT.md §2: 1 MiB), base64-encoded, and a little JSON. */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
/** A response carries public keys, a 32-byte file key or a signature. */
export const MAX_RESPONSE_BYTES = 256 * 1024;
const LENGTH_PREFIX = 4;
/** What a client may say a request is for; shown in the consent prompt, so bounded. */
const MAX_FILE_LABEL_LENGTH = 1024;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

export type AgentOp = 'list' | 'unwrap' | 'sign' | 'unwrap-values' | 'sign-values';
export type ValuesFormat = 'dotenv' | 'json' | 'yaml';
const VALUES_FORMATS: readonly ValuesFormat[] = ['dotenv', 'json', 'yaml'];

export type AgentRequest =
  | { readonly id: number; readonly op: 'list' }
  | { readonly id: number; readonly op: 'unwrap'; readonly header: Uint8Array; readonly file?: string }
  | { readonly id: number; readonly op: 'sign'; readonly digest: Uint8Array; readonly key?: string; readonly file?: string }
  | { readonly id: number; readonly op: 'unwrap-values'; readonly values: Uint8Array; readonly format: ValuesFormat; readonly file?: string }
  | { readonly id: number; readonly op: 'sign-values'; readonly digest: Uint8Array; readonly key?: string; readonly file?: string };

export interface AgentKeyInfo {
  readonly spki: Uint8Array;
  readonly comment?: string;
}

/** Error codes a client maps to typed errors (agent-client.ts). */
export type AgentErrorCode = 'malformed' | 'too-large' | 'unknown-op' | 'unsupported-version' | 'format' | 'no-match' | 'header-auth' | 'no-key' | 'denied' | 'refused' | 'internal';
const ERROR_CODES: readonly AgentErrorCode[] = ['malformed', 'too-large', 'unknown-op', 'unsupported-version', 'format', 'no-match', 'header-auth', 'no-key', 'denied', 'refused', 'internal'];

export type AgentResponse =
  | { readonly id: number; readonly ok: true; readonly keys: readonly AgentKeyInfo[] }
  | { readonly id: number; readonly ok: true; readonly fileKey: Uint8Array }
  | { readonly id: number; readonly ok: true; readonly signature: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly code: AgentErrorCode; readonly message: string };

/** A request the agent refuses; `code` and `message` go back to the client. */
export class ProtocolError extends AgentError {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly id: number = 0,
  ) {
    super(message);
  }
}

/** A frame: length prefix and JSON. */
export function encodeFrame(message: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message));
  const frame = new Uint8Array(LENGTH_PREFIX + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, LENGTH_PREFIX);
  return frame;
}

/**
 * Splits a byte stream into frame bodies. A frame announced larger than `maxBytes` throws at once,
 * before its body is buffered: nobody can make the agent hold more than the limit.
 */
export class FrameDecoder {
  private buffered: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  push(piece: Uint8Array): Uint8Array[] {
    this.buffered.push(piece);
    this.size += piece.length;
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.size < LENGTH_PREFIX) return frames;
      const all = this.flatten();
      const length = new DataView(all.buffer, all.byteOffset, all.byteLength).getUint32(0);
      if (length > this.maxBytes) throw new ProtocolError('too-large', `request of ${length} bytes refused: the limit is ${this.maxBytes}`);
      if (all.length < LENGTH_PREFIX + length) return frames;
      frames.push(all.slice(LENGTH_PREFIX, LENGTH_PREFIX + length));
      const rest = all.subarray(LENGTH_PREFIX + length);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
    }
  }

  private flatten(): Uint8Array {
    if (this.buffered.length === 1) return this.buffered[0];
    const all = new Uint8Array(this.size);
    let offset = 0;
    for (const b of this.buffered) {
      all.set(b, offset);
      offset += b.length;
    }
    this.buffered = [all];
    return all;
  }
}

function parseJsonObject(body: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new ProtocolError('malformed', 'the request is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError('malformed', 'the request is not a JSON object');
  return value as Record<string, unknown>;
}

function onlyFields(obj: Record<string, unknown>, allowed: readonly string[], id: number): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new ProtocolError('malformed', `unexpected field "${extra[0].slice(0, 40)}"`, id);
}

/** Canonical padded base64 only: one encoding per value. */
function bytesField(obj: Record<string, unknown>, name: string, id: number): Uint8Array {
  const v = obj[name];
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw new ProtocolError('malformed', `"${name}" expected base64 text`, id);
  let bytes: Uint8Array | undefined;
  try {
    bytes = base64Decode(v);
  } catch {
    bytes = undefined;
  }
  if (!bytes || base64Encode(bytes) !== v) throw new ProtocolError('malformed', `"${name}" is not canonical base64`, id);
  return bytes;
}

function optionalFile(obj: Record<string, unknown>, id: number): string | undefined {
  const v = obj.file;
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > MAX_FILE_LABEL_LENGTH) throw new ProtocolError('malformed', `"file" expected a string of at most ${MAX_FILE_LABEL_LENGTH} characters`, id);
  return v;
}

/** Parses one request frame. Throws ProtocolError, carrying the request's id once it is known. */
export function parseRequest(body: Uint8Array): AgentRequest {
  const obj = parseJsonObject(body);
  const id = obj.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new ProtocolError('malformed', '"id" expected a non-negative integer');
  if (obj.v !== AGENT_PROTOCOL_VERSION) throw new ProtocolError('unsupported-version', `protocol version ${String(obj.v).slice(0, 20)} is not supported (the agent speaks ${AGENT_PROTOCOL_VERSION})`, id);
  switch (obj.op) {
    case 'list':
      onlyFields(obj, ['v', 'id', 'op'], id);
      return { id, op: 'list' };
    case 'unwrap':
      onlyFields(obj, ['v', 'id', 'op', 'header', 'file'], id);
      return { id, op: 'unwrap', header: bytesField(obj, 'header', id), file: optionalFile(obj, id) };
    case 'sign':
    case 'sign-values': {
      onlyFields(obj, ['v', 'id', 'op', 'digest', 'key', 'file'], id);
      const key = obj.key;
      if (key !== undefined && (typeof key !== 'string' || !FINGERPRINT.test(key))) throw new ProtocolError('malformed', '"key" expected a fingerprint SHA256:…', id);
      return { id, op: obj.op, digest: bytesField(obj, 'digest', id), key: key as string | undefined, file: optionalFile(obj, id) };
    }
    case 'unwrap-values': {
      onlyFields(obj, ['v', 'id', 'op', 'values', 'format', 'file'], id);
      const format = obj.format;
      if (typeof format !== 'string' || !VALUES_FORMATS.includes(format as ValuesFormat)) throw new ProtocolError('malformed', '"format" expected dotenv, json or yaml', id);
      return { id, op: 'unwrap-values', values: bytesField(obj, 'values', id), format: format as ValuesFormat, file: optionalFile(obj, id) };
    }
    default:
      throw new ProtocolError('unknown-op', `unknown operation "${String(obj.op).slice(0, 40)}": the agent knows list, unwrap, sign, unwrap-values and sign-values`, id);
  }
}

export function encodeRequest(request: AgentRequest): Uint8Array {
  switch (request.op) {
    case 'list':
      return encodeFrame({ v: AGENT_PROTOCOL_VERSION, id: request.id, op: 'list' });
    case 'unwrap':
      return encodeFrame({ v: AGENT_PROTOCOL_VERSION, id: request.id, op: 'unwrap', header: base64Encode(request.header), file: request.file });
    case 'sign':
    case 'sign-values':
      return encodeFrame({ v: AGENT_PROTOCOL_VERSION, id: request.id, op: request.op, digest: base64Encode(request.digest), key: request.key, file: request.file });
    case 'unwrap-values':
      return encodeFrame({ v: AGENT_PROTOCOL_VERSION, id: request.id, op: 'unwrap-values', values: base64Encode(request.values), format: request.format, file: request.file });
  }
}

export function encodeResponse(response: AgentResponse): Uint8Array {
  if (!response.ok) return encodeFrame({ id: response.id, ok: false, error: { code: response.code, message: response.message } });
  if ('keys' in response) return encodeFrame({ id: response.id, ok: true, keys: response.keys.map((k) => ({ spki: base64Encode(k.spki), comment: k.comment })) });
  if ('fileKey' in response) return encodeFrame({ id: response.id, ok: true, fileKey: base64Encode(response.fileKey) });
  return encodeFrame({ id: response.id, ok: true, signature: base64Encode(response.signature) });
}

/** Parses the agent's answer to the request `op`; a client trusts no more of it than a server of a request. */
export function parseResponse(body: Uint8Array, op: AgentOp): AgentResponse {
  const obj = parseJsonObject(body);
  const id = obj.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new ProtocolError('malformed', 'the agent answered without an id');
  if (obj.ok === false) {
    const error = obj.error as Record<string, unknown> | undefined;
    const code = error?.code;
    const message = error?.message;
    if (typeof code !== 'string' || !ERROR_CODES.includes(code as AgentErrorCode) || typeof message !== 'string') throw new ProtocolError('malformed', 'the agent answered with a malformed error');
    return { id, ok: false, code: code as AgentErrorCode, message };
  }
  if (obj.ok !== true) throw new ProtocolError('malformed', 'the agent answered without "ok"');
  switch (op) {
    case 'list': {
      if (!Array.isArray(obj.keys)) throw new ProtocolError('malformed', 'the agent answered "list" without keys');
      const keys = obj.keys.map((k: unknown) => {
        if (typeof k !== 'object' || k === null) throw new ProtocolError('malformed', 'the agent listed a malformed key');
        const entry = k as Record<string, unknown>;
        if (entry.comment !== undefined && typeof entry.comment !== 'string') throw new ProtocolError('malformed', 'the agent listed a malformed key comment');
        return { spki: bytesField(entry, 'spki', id), comment: entry.comment as string | undefined };
      });
      return { id, ok: true, keys };
    }
    case 'unwrap':
    case 'unwrap-values':
      return { id, ok: true, fileKey: bytesField(obj, 'fileKey', id) };
    case 'sign':
    case 'sign-values':
      return { id, ok: true, signature: bytesField(obj, 'signature', id) };
  }
}
