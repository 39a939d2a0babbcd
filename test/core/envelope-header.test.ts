// The recipient-policy field (docs/FORMAT.md §3.4): written when asked, MAC-covered, strict in shape,
// and an unknown value reads as "chosen" so a newer writer's statement is never read as "team".
import { strict as assert } from 'node:assert';
import { concatBytes } from '../../src/core/bytes';
import { decryptBytes, encryptBytes, inspectEnvelope } from '../../src/core/envelope';
import { FIELD_RECIPIENT_POLICY, computeHeaderMac, parseHeader } from '../../src/core/envelope-header';
import { HeaderAuthError } from '../../src/core/errors';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { encodeHeaderBodyWith, type HeaderRecord } from '../helpers/header-records';
import { loadKey } from './envelope-fixtures';

const backend = createNodeCryptoBackend();
const alice = loadKey('alice');

async function sealed(recipientPolicy?: 'team' | 'chosen'): Promise<Uint8Array> {
  return encryptBytes(new TextEncoder().encode('x'), { recipients: [alice.publicKey], backend, recipientPolicy });
}

/** Replaces the header's fields with `edit`'s, keeping the old MAC (the file key is unknown here). */
function reencode(bytes: Uint8Array, extra: HeaderRecord[], dropPolicy = false): Uint8Array {
  const h = parseHeader(bytes);
  const body = encodeHeaderBodyWith({ ...h, recipientPolicy: dropPolicy ? undefined : h.recipientPolicy }, extra);
  return concatBytes(body, h.mac, bytes.subarray(h.bytes.length));
}

describe('envelope-header recipient policy (§3.4)', () => {
  it('round-trips team and chosen, and is absent when not given', async () => {
    assert.equal((await inspectEnvelope(await sealed('team'))).recipientPolicy, 'team');
    assert.equal((await inspectEnvelope(await sealed('chosen'))).recipientPolicy, 'chosen');
    assert.equal((await inspectEnvelope(await sealed())).recipientPolicy, undefined);
    assert.equal((await decryptBytes(await sealed('chosen'), { identities: [alice], backend })).header.recipientPolicy, 'chosen');
  });

  it('is covered by the header MAC: turning "chosen" into "team" or dropping it is a header failure', async () => {
    const file = await sealed('chosen');
    const toTeam = reencode(file, [{ type: FIELD_RECIPIENT_POLICY, value: Uint8Array.of(1) }], true);
    assert.equal(parseHeader(toTeam).recipientPolicy, 'team');
    await assert.rejects(decryptBytes(toTeam, { identities: [alice], backend }), HeaderAuthError);
    await assert.rejects(decryptBytes(reencode(file, [], true), { identities: [alice], backend }), HeaderAuthError);
  });

  it('reads an unknown value as "chosen"; a wrong length or a second field is a FormatError', async () => {
    const plain = parseHeader(await sealed());
    const withField = (...values: Uint8Array[]) => {
      const body = encodeHeaderBodyWith(plain, values.map((value) => ({ type: FIELD_RECIPIENT_POLICY, value })));
      return concatBytes(body, computeHeaderMac(new Uint8Array(32), body));
    };
    assert.equal(parseHeader(withField(Uint8Array.of(7))).recipientPolicy, 'chosen');
    assert.throws(() => parseHeader(withField(Uint8Array.of(1, 1))), /recipient-policy field has 2 bytes/);
    assert.throws(() => parseHeader(withField(Uint8Array.of(1), Uint8Array.of(1))), /more than one recipient-policy field/);
  });
});
