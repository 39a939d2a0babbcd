// Identities and signers that hold their private key elsewhere (the VS Code agent): the envelope
// must work through them, check what they answer, and pass on a refusal unchanged.
import { strict as assert } from 'node:assert';
import { utf8Encode, utf8Decode } from '../../src/core/bytes';
import {
  decryptBytes,
  encryptBytes,
  signTranscriptDigest,
  unwrapHeaderFileKey,
  type Identity,
  type Signer,
} from '../../src/core/envelope';
import { parseHeader } from '../../src/core/envelope-header';
import { CustodianError, FormatError, HeaderAuthError, NoIdentityMatchedError, SignatureError } from '../../src/core/errors';
import type { RsaPrivateKey } from '../../src/core/keys';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { loadKey } from './envelope-fixtures';

const backend = createNodeCryptoBackend();
const alice = loadKey('alice');
const bob = loadKey('bob');
const carol = loadKey('carol');

/** Plays a key holder in another process: it sees headers and digests, and answers with file keys and signatures. */
function remote(key: RsaPrivateKey, seen: Uint8Array[] = []): Identity & Signer {
  return {
    publicKey: key.publicKey,
    unwrapFileKey: (header) => {
      seen.push(header);
      return unwrapHeaderFileKey(header, [key], backend);
    },
    signTranscript: (digest) => signTranscriptDigest(key, digest, backend),
  };
}

function headerOf(file: Uint8Array): Uint8Array {
  return parseHeader(file).bytes;
}

class DeniedForTest extends CustodianError {}

describe('envelope: identities and signers held elsewhere', () => {
  it('decrypts through an Identity that is given only the header', async () => {
    const file = await encryptBytes(utf8Encode('hello'), { recipients: [bob.publicKey, alice.publicKey], backend });
    const seen: Uint8Array[] = [];
    const out = await decryptBytes(file, { identities: [remote(alice, seen)], backend });
    assert.equal(utf8Decode(out.plaintext), 'hello');
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0], headerOf(file));
  });

  it('asks an Identity only for a file it is a recipient of', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [bob.publicKey], backend });
    const seen: Uint8Array[] = [];
    await assert.rejects(decryptBytes(file, { identities: [remote(alice, seen)], backend }), NoIdentityMatchedError);
    assert.equal(seen.length, 0);
  });

  it('a holder answers with the file key only for a header whose MAC verifies', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend });
    const header = headerOf(file);
    const fileKey = await unwrapHeaderFileKey(header, [alice], backend);
    assert.equal(fileKey.length, 32);
    // Any edit to the MAC-covered part (here the chunk size) makes the holder refuse.
    const edited = header.slice();
    edited[14 + 6 + 3] ^= 0x01;
    await assert.rejects(unwrapHeaderFileKey(edited, [alice], backend), HeaderAuthError);
    const badMac = header.slice();
    badMac[badMac.length - 1] ^= 0x01;
    await assert.rejects(unwrapHeaderFileKey(badMac, [alice], backend), HeaderAuthError);
  });

  it('a holder without a matching key says no identity matched', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend });
    await assert.rejects(unwrapHeaderFileKey(headerOf(file), [bob, carol], backend), NoIdentityMatchedError);
  });

  it('a holder refuses anything but exactly one header', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend });
    const header = headerOf(file);
    await assert.rejects(unwrapHeaderFileKey(file, [alice], backend), /bytes after the header MAC/);
    await assert.rejects(unwrapHeaderFileKey(header.subarray(0, header.length - 1), [alice], backend), FormatError);
    await assert.rejects(unwrapHeaderFileKey(utf8Encode('not a header at all'), [alice], backend), FormatError);
  });

  it('checks the key an Identity returns against the header MAC', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend });
    const liar: Identity = { publicKey: alice.publicKey, unwrapFileKey: async () => new Uint8Array(32).fill(7) };
    await assert.rejects(decryptBytes(file, { identities: [liar], backend }), HeaderAuthError);
    const short: Identity = { publicKey: alice.publicKey, unwrapFileKey: async () => new Uint8Array(16) };
    await assert.rejects(decryptBytes(file, { identities: [short], backend }), (e: unknown) => e instanceof NoIdentityMatchedError && /16 bytes/.test(e.message));
  });

  it('passes a refusal on unchanged, and a local key before it is never asked', async () => {
    const file = await encryptBytes(utf8Encode('x'), { recipients: [alice.publicKey], backend });
    const refusing: Identity = { publicKey: alice.publicKey, unwrapFileKey: () => Promise.reject(new DeniedForTest('denied')) };
    await assert.rejects(decryptBytes(file, { identities: [refusing], backend }), DeniedForTest);
    const out = await decryptBytes(file, { identities: [alice, refusing], backend });
    assert.equal(utf8Decode(out.plaintext), 'x');
  });

  it('signs through a Signer; the signature verifies as the key\'s own', async () => {
    const file = await encryptBytes(utf8Encode('signed'), { recipients: [bob.publicKey], signer: remote(alice), backend });
    const out = await decryptBytes(file, { identities: [bob], backend });
    assert.equal(out.signature.kind, 'signed');
    assert.equal(out.signature.kind === 'signed' && out.signature.signer.fingerprint, alice.publicKey.fingerprint);
  });

  it('refuses a Signer that answers with another key\'s signature, before writing the trailer', async () => {
    const impostor: Signer = { publicKey: alice.publicKey, signTranscript: (d) => signTranscriptDigest(carol, d, backend) };
    await assert.rejects(encryptBytes(utf8Encode('x'), { recipients: [bob.publicKey], signer: impostor, backend }), SignatureError);
  });

  it('a holder signs only a 32-byte transcript digest', async () => {
    await assert.rejects(signTranscriptDigest(alice, new Uint8Array(31), backend), RangeError);
    await assert.rejects(signTranscriptDigest(alice, utf8Encode('any message you like, please sign it'), backend), RangeError);
  });
});
