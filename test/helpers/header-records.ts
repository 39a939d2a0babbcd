// Headers with fields no real writer produces (unknown, repeated or malformed records), for the vector
// generator and the hostile-input tests. The shipped encoder takes only well-formed HeaderFields; this
// splices extra records into its output, in the §3.1 order (by type, stable: an extra record follows
// the writer's records of the same type).
import { HEADER_PREFIX_LENGTH, encodeHeaderBody, type HeaderFields } from '../../src/core/envelope-header';

export interface HeaderRecord {
  readonly type: number;
  readonly value: Uint8Array;
}

// §3.1: type (u16) || length (u32) || value.
const RECORD_HEADER_LENGTH = 6;

/** `encodeHeaderBody(fields)` with `extra` records added: magic through the last field, no MAC. */
export function encodeHeaderBodyWith(fields: HeaderFields, extra: readonly HeaderRecord[]): Uint8Array {
  const body = encodeHeaderBody(fields);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const records: HeaderRecord[] = [];
  for (let at = HEADER_PREFIX_LENGTH; at < body.length; ) {
    const length = view.getUint32(at + 2);
    records.push({ type: view.getUint16(at), value: body.subarray(at + RECORD_HEADER_LENGTH, at + RECORD_HEADER_LENGTH + length) });
    at += RECORD_HEADER_LENGTH + length;
  }
  records.push(...extra);
  records.sort((a, b) => a.type - b.type); // stable
  let fieldsLength = 0;
  for (const r of records) fieldsLength += RECORD_HEADER_LENGTH + r.value.length;
  const out = new Uint8Array(HEADER_PREFIX_LENGTH + fieldsLength);
  out.set(body.subarray(0, HEADER_PREFIX_LENGTH));
  const outView = new DataView(out.buffer);
  outView.setUint32(HEADER_PREFIX_LENGTH - 4, fieldsLength);
  let at = HEADER_PREFIX_LENGTH;
  for (const r of records) {
    outView.setUint16(at, r.type);
    outView.setUint32(at + 2, r.value.length);
    out.set(r.value, at + RECORD_HEADER_LENGTH);
    at += RECORD_HEADER_LENGTH + r.value.length;
  }
  return out;
}
