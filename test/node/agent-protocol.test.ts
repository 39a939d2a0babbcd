// The agent's framing and strict request parsing (src/node/agent-protocol.ts).
import { strict as assert } from 'node:assert';
import {
  FrameDecoder,
  MAX_REQUEST_BYTES,
  ProtocolError,
  encodeFrame,
  encodeRequest,
  parseRequest,
  parseResponse,
} from '../../src/node/agent-protocol';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const FP = 'SHA256:' + 'A'.repeat(43);

function rejects(body: Uint8Array, code: string, message?: RegExp): void {
  assert.throws(
    () => parseRequest(body),
    (e: unknown) => e instanceof ProtocolError && e.code === code && (!message || message.test(e.message)),
  );
}

describe('agent protocol', () => {
  it('frames survive any split and several frames in one piece', () => {
    const a = encodeRequest({ id: 1, op: 'list' });
    const b = encodeRequest({ id: 2, op: 'sign', digest: new Uint8Array(32).fill(9), key: FP, file: 'x.enc' });
    const both = new Uint8Array([...a, ...b]);
    const one = new FrameDecoder(MAX_REQUEST_BYTES);
    const frames = [...both].flatMap((byte) => one.push(Uint8Array.of(byte)));
    assert.equal(frames.length, 2);
    assert.deepEqual(parseRequest(frames[1]), { id: 2, op: 'sign', digest: new Uint8Array(32).fill(9), key: FP, file: 'x.enc' });
    assert.equal(new FrameDecoder(MAX_REQUEST_BYTES).push(both).length, 2);
  });

  it('an oversized frame is refused from its length alone, before its body arrives', () => {
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, MAX_REQUEST_BYTES + 1);
    assert.throws(() => new FrameDecoder(MAX_REQUEST_BYTES).push(prefix), (e: unknown) => e instanceof ProtocolError && e.code === 'too-large');
    new DataView(prefix.buffer).setUint32(0, MAX_REQUEST_BYTES);
    assert.deepEqual(new FrameDecoder(MAX_REQUEST_BYTES).push(prefix), []); // at the limit: waits for the body
  });

  it('refuses malformed requests with a code and, once known, the request id', () => {
    rejects(Uint8Array.of(0xff, 0xfe), 'malformed', /UTF-8 JSON/);
    rejects(enc([1, 2]), 'malformed', /not a JSON object/);
    rejects(enc({ v: 1, op: 'list' }), 'malformed', /"id"/);
    rejects(enc({ v: 1, id: -1, op: 'list' }), 'malformed', /"id"/);
    rejects(enc({ v: 2, id: 1, op: 'list' }), 'unsupported-version');
    rejects(enc({ v: 1, id: 1, op: 'export-private-key' }), 'unknown-op', /knows list, unwrap, sign, unwrap-values and sign-values/);
    rejects(enc({ v: 1, id: 1, op: 'unwrap-values', values: 'AAAA', format: 'toml' }), 'malformed', /"format" expected dotenv, json or yaml/);
    rejects(enc({ v: 1, id: 1, op: 'unwrap-values', values: 'AAAA', format: 'dotenv', header: 'AAAA' }), 'malformed', /unexpected field "header"/);
    rejects(enc({ v: 1, id: 1, op: 'sign-values', digest: 'AAAA', key: 'alice' }), 'malformed', /"key" expected a fingerprint/);
    rejects(enc({ v: 1, id: 1, op: 'list', extra: true }), 'malformed', /unexpected field "extra"/);
    rejects(enc({ v: 1, id: 1, op: 'unwrap' }), 'malformed', /"header" expected base64/);
    rejects(enc({ v: 1, id: 1, op: 'unwrap', header: 'not base64!' }), 'malformed', /"header" expected base64/);
    rejects(enc({ v: 1, id: 1, op: 'unwrap', header: 'AB==' }), 'malformed', /canonical/);
    rejects(enc({ v: 1, id: 1, op: 'unwrap', header: 'AA==', file: 7 }), 'malformed', /"file"/);
    rejects(enc({ v: 1, id: 1, op: 'unwrap', header: 'AA==', file: 'x'.repeat(1025) }), 'malformed', /"file"/);
    rejects(enc({ v: 1, id: 1, op: 'sign', digest: 'AA==', key: 'alice' }), 'malformed', /fingerprint/);
    try {
      parseRequest(enc({ v: 1, id: 42, op: 'nope' }));
    } catch (e) {
      assert.equal((e as ProtocolError).id, 42);
    }
  });

  it('a client parses answers as strictly', () => {
    assert.throws(() => parseResponse(enc({ id: 1, ok: true }), 'unwrap'), ProtocolError);
    assert.throws(() => parseResponse(enc({ id: 1, ok: false, error: { code: 'whatever', message: 'x' } }), 'list'), ProtocolError);
    assert.throws(() => parseResponse(enc({ id: 1, ok: true, keys: [{ spki: 1 }] }), 'list'), ProtocolError);
    assert.deepEqual(parseResponse(enc({ id: 1, ok: false, error: { code: 'denied', message: 'no' } }), 'sign'), { id: 1, ok: false, code: 'denied', message: 'no' });
    assert.equal(encodeFrame({}).length, 4 + 2);
  });
});
