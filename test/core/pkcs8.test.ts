import assert from 'node:assert/strict';
import { InvalidArgumentError, KeyFormatError, PassphraseError, UnsupportedKeyError } from '../../src/core/errors';
import { decodePemBlocks, encodePem } from '../../src/core/pem';
import { decryptPkcs8, encryptPkcs8, unwrapPkcs8, wrapPkcs8 } from '../../src/core/pkcs8';
import { FIXTURE_PASSPHRASE, fixture, runTool } from './key-fixtures';

const der = (name: string): Uint8Array => decodePemBlocks(fixture(name))[0].der;
const FAST = { iterations: 2048, insecureAllowLowIterationsForTests: true };

describe('core/pkcs8', () => {
  it('unwraps and re-wraps openssl PKCS#8 byte for byte', () => {
    const pkcs8 = der('rsa2048-pkcs8.pem');
    assert.deepEqual(wrapPkcs8(unwrapPkcs8(pkcs8)), pkcs8);
    assert.deepEqual(unwrapPkcs8(pkcs8), der('rsa2048-pkcs1.pem'));
  });

  it('names non-RSA algorithms', () => {
    assert.throws(() => unwrapPkcs8(der('ec-p256-pkcs8.pem')), (e: Error) => e instanceof UnsupportedKeyError && /EC/.test(e.message));
    assert.throws(() => unwrapPkcs8(der('ed25519-pkcs8.pem')), /Ed25519/);
  });

  it('decrypts PBES2 as openssl writes it', async () => {
    for (const name of ['rsa2048-pkcs8-v2-aes256.pem', 'rsa2048-pkcs8-v2-aes128-sha1.pem', 'rsa2048-pkcs8-v2-aes192.pem']) {
      assert.deepEqual(await decryptPkcs8(der(name), FIXTURE_PASSPHRASE), der('rsa2048-pkcs8.pem'), name);
    }
  });

  it('encrypts so that openssl decrypts, with a fresh salt and IV each time', async () => {
    const plain = der('rsa2048-pkcs8.pem');
    const a = await encryptPkcs8(plain, 'pässword', FAST);
    const b = await encryptPkcs8(plain, 'pässword', FAST);
    assert.notDeepEqual(a, b);
    const out = runTool('openssl', ['pkcs8', '-in', '{k}', '-passin', 'pass:pässword'], { k: encodePem('ENCRYPTED PRIVATE KEY', a) });
    assert.equal(out, fixture('rsa2048-pkcs8.pem'));
    assert.deepEqual(await decryptPkcs8(b, 'pässword'), plain);
  });

  it('maps a wrong passphrase to PassphraseError', async () => {
    const enc = await encryptPkcs8(der('rsa2048-pkcs8.pem'), 'right', FAST);
    await assert.rejects(decryptPkcs8(enc, 'wrong'), PassphraseError);
  });

  it('rejects tampered parameters as format errors, not passphrase errors', async () => {
    const enc = await encryptPkcs8(der('rsa2048-pkcs8.pem'), 'right', FAST);
    const pbes2 = Buffer.from('2a864886f70d01050d', 'hex');
    const bad = enc.slice();
    bad[Buffer.from(enc).indexOf(pbes2) + pbes2.length - 1] = 0x03; // PBES1 pbeWithMD5AndDES-CBC
    await assert.rejects(decryptPkcs8(bad, 'right'), (e: KeyFormatError) => e instanceof KeyFormatError && /only PBES2/.test(e.message));
  });

  it('validates iteration counts', async () => {
    const plain = der('rsa2048-pkcs8.pem');
    await assert.rejects(encryptPkcs8(plain, 'p', { iterations: 599_999 }), InvalidArgumentError);
    await assert.rejects(encryptPkcs8(plain, 'p', { iterations: 0, insecureAllowLowIterationsForTests: true }), InvalidArgumentError);
    await assert.rejects(encryptPkcs8(plain, 'p', { iterations: 1.5 }), InvalidArgumentError);
  });
});
