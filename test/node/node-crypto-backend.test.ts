import { strict as assert } from 'node:assert';
import { createPrivateKey } from 'node:crypto';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend';
import { backendConformance } from '../core/webcrypto-backend.test';

describe('node crypto backend', () => {
  backendConformance(createNodeCryptoBackend);
  it('generates RSA keys natively, as PKCS#8 and SPKI DER', async () => {
    const pair = await createNodeCryptoBackend().generateRsaKeyPair(2048);
    const key = createPrivateKey({ key: Buffer.from(pair.pkcs8Der), format: 'der', type: 'pkcs8' });
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(key.asymmetricKeyDetails?.publicExponent, 65537n);
  });
  it('randomBytes gives fresh bytes', () => {
    const b = createNodeCryptoBackend();
    assert.notDeepEqual(b.randomBytes(32), b.randomBytes(32));
  });
});
