import assert from 'node:assert/strict';
import { UnsupportedKeyError } from '../../src/core/errors';
import { decodePemBlocks, encodePem } from '../../src/core/pem';
import { createSelfSignedCertificateDer, parseCertificate } from '../../src/core/x509';
import { fixture, runTool } from './key-fixtures';

const der = (name: string): Uint8Array => decodePemBlocks(fixture(name))[0].der;

describe('core/x509', () => {
  it('reads the SPKI and subject of an openssl certificate', () => {
    const info = parseCertificate(der('rsa2048-cert.pem'));
    assert.deepEqual(info.spkiDer, der('rsa2048-spki.pem'));
    assert.equal(info.commonName, 'Alice Example');
    assert.equal(info.email, 'alice@example.com');
  });

  it('refuses a certificate for an EC key', () => {
    const ecCert = runTool('openssl', ['req', '-x509', '-key', '{k}', '-subj', '/CN=ec', '-days', '1'], { k: fixture('ec-p256-pkcs8.pem') });
    assert.throws(() => parseCertificate(decodePemBlocks(ecCert)[0].der), UnsupportedKeyError);
  });

  it('writes a v3 self-signed certificate whose signature openssl verifies', async () => {
    const cert = await createSelfSignedCertificateDer(der('rsa2048-pkcs8.pem'), der('rsa2048-spki.pem'), { commonName: 'Bob' });
    const pem = encodePem('CERTIFICATE', cert);
    const text = runTool('openssl', ['x509', '-noout', '-text', '-in', '{c}'], { c: pem });
    assert.match(text, /Version: 3/);
    assert.match(text, /Issuer: CN\s?=\s?Bob/);
    assert.match(text, /Subject Key Identifier/);
    assert.match(text, /Digital Signature, Key Encipherment, Certificate Sign/);
    assert.match(runTool('openssl', ['verify', '-CAfile', '{c}', '{c}'], { c: pem }), /OK/);
    assert.deepEqual(parseCertificate(cert).spkiDer, der('rsa2048-spki.pem'));
  });

  it('produces a signature that fails verification once the certificate is altered', async () => {
    const cert = await createSelfSignedCertificateDer(der('rsa2048-pkcs8.pem'), der('rsa2048-spki.pem'), { commonName: 'Bob' });
    const tampered = cert.slice();
    const at = Buffer.from(cert).indexOf(Buffer.from('Bob'));
    tampered[at] = 'C'.charCodeAt(0);
    const pem = encodePem('CERTIFICATE', tampered);
    assert.throws(() => runTool('openssl', ['verify', '-CAfile', '{c}', '{c}'], { c: pem }));
  });
});
