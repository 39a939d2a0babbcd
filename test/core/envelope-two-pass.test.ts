// verifyEnvelopeSignature (a first pass with no private key) and decryptStream's `firstPass`: what a
// host that streams plaintext relies on to release nothing unverified.
import { strict as assert } from 'node:assert';
import { armor } from '../../src/core/armor';
import { decryptStream, encryptBytes, verifyEnvelopeSignature, type VerifiedSignature } from '../../src/core/envelope';
import { SignatureError } from '../../src/core/errors';
import type { RsaPrivateKey } from '../../src/core/keys';
import { bytesToStream } from '../../src/core/stream';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey, patternBytes } from './envelope-fixtures';

const backend = createNodeCryptoBackend();
const alice = loadKey('alice');
const bob = loadKey('bob');
const carol = loadKey('carol');
const plaintext = patternBytes(5000);

function seal(signer: RsaPrivateKey | undefined, data = plaintext): Promise<Uint8Array> {
  return encryptBytes(data, { recipients: [carol.publicKey], signer, backend, chunkSize: 16 });
}

/** Decrypts with `firstPass`; returns how many plaintext bytes were released before a failure. */
async function released(file: Uint8Array, firstPass: VerifiedSignature): Promise<{ bytes: number; error?: unknown }> {
  let bytes = 0;
  try {
    const opened = await decryptStream(bytesToStream(file, 100), { identities: [carol], backend, firstPass });
    for await (const piece of opened.plaintext) bytes += piece.length;
    return { bytes };
  } catch (error) {
    return { bytes, error };
  }
}

describe('envelope: signature first, then plaintext', () => {
  it('verifies a signed file with no private key, from any piece size, binary or armored', async () => {
    const file = await seal(alice);
    for (const input of [bytesToStream(file, 1), bytesToStream(file, 7), bytesToStream(file, file.length), bytesToStream(new TextEncoder().encode(armor(file)), 33)]) {
      const v = await verifyEnvelopeSignature(input, { backend });
      assert.equal(v.status.kind === 'signed' && v.status.signer.fingerprint, alice.publicKey.fingerprint);
      assert.equal(v.transcript?.length, 32);
    }
    const unsigned = await verifyEnvelopeSignature(bytesToStream(await seal(undefined)), { backend });
    assert.deepEqual(unsigned, { status: { kind: 'unsigned' } });
  });

  it('refuses a header that names alice over a signature she did not make, and a stripped or truncated one', async () => {
    const forged = await seal({ pkcs8Der: bob.pkcs8Der, publicKey: alice.publicKey });
    const genuine = await seal(alice);
    for (const [what, file] of [
      ['forged', forged],
      ['signature flipped', Uint8Array.from(genuine, (b, i) => (i === genuine.length - 1 ? b ^ 1 : b))],
      ['signature stripped', genuine.subarray(0, genuine.length - 256)],
      ['chunk flipped', Uint8Array.from(genuine, (b, i) => (i === 1000 ? b ^ 1 : b))],
    ] as const) {
      await assert.rejects(verifyEnvelopeSignature(bytesToStream(file, 64), { backend }), (err: unknown) => {
        assert.ok(err instanceof SignatureError, `${what}: ${String(err)}`);
        assert.match(err.message, new RegExp(`claims to be signed by ${alice.publicKey.fingerprint.replace(/[+/]/g, '\\$&')}`), what);
        return true;
      });
    }
  });

  it('checkClaim sees the claimed signer before the rest of the file is read', async () => {
    const file = await seal(alice);
    let pulled = 0;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const piece of bytesToStream(file, 64)) {
        pulled += piece.length;
        yield piece;
      }
    }
    await assert.rejects(
      verifyEnvelopeSignature(counted(), {
        backend,
        checkClaim: (claimed) => {
          throw new SignatureError(`claimed ${claimed?.fingerprint}`);
        },
      }),
      new RegExp(`claimed ${alice.publicKey.fingerprint.replace(/[+/]/g, '\\$&')}`),
    );
    assert.ok(pulled < file.length / 2, `read ${pulled} of ${file.length} bytes`);
  });

  it('a second pass over another file by the same signer fails at its end; signed/unsigned swaps fail before any plaintext', async () => {
    const first = await verifyEnvelopeSignature(bytesToStream(await seal(alice)), { backend });
    const other = await seal(alice, patternBytes(4000));
    const swapped = await released(other, first);
    assert.ok(swapped.error instanceof SignatureError, String(swapped.error));
    assert.match((swapped.error as Error).message, /changed while it was being read/);

    const unsignedFirst = await verifyEnvelopeSignature(bytesToStream(await seal(undefined)), { backend });
    const toSigned = await released(await seal(alice), unsignedFirst);
    assert.equal(toSigned.bytes, 0);
    assert.match(String(toSigned.error), /changed while it was being read/);
    const toUnsigned = await released(await seal(undefined), first);
    assert.equal(toUnsigned.bytes, 0);
    assert.match(String(toUnsigned.error), /changed while it was being read/);

    const same = await released(other, await verifyEnvelopeSignature(bytesToStream(other), { backend }));
    assert.equal(same.error, undefined);
    assert.equal(same.bytes, 4000);
  });
});
