import assert from 'node:assert/strict';
import { KeyFormatError } from '../../src/core/errors';
import { decodePemBlocks, encodePem } from '../../src/core/pem';
import { fixture } from './key-fixtures';

describe('core/pem', () => {
  it('re-encodes an openssl PEM byte for byte (64-column lines, final newline)', () => {
    const text = fixture('rsa2048-spki.pem');
    const [block] = decodePemBlocks(text);
    assert.equal(block.label, 'PUBLIC KEY');
    assert.equal(encodePem(block.label, block.der), text);
  });

  it('reads RFC 1421 headers of legacy encrypted keys', () => {
    const [block] = decodePemBlocks(fixture('rsa2048-pkcs1-legacy-aes256.pem'));
    assert.equal(block.headers.get('Proc-Type'), '4,ENCRYPTED');
    assert.match(block.headers.get('DEK-Info') ?? '', /^AES-256-CBC,[0-9A-F]{32}$/);
  });

  it('tolerates CRLF and surrounding text, finds several blocks', () => {
    const a = fixture('rsa2048-spki.pem');
    const b = fixture('rsa2048-cert.pem');
    const blocks = decodePemBlocks(`subject=whatever\r\n${a.replace(/\n/g, '\r\n')}junk\n${b}`);
    assert.deepEqual(blocks.map((x) => x.label), ['PUBLIC KEY', 'CERTIFICATE']);
  });

  it('rejects bad base64 and mismatched END labels', () => {
    assert.throws(() => decodePemBlocks('-----BEGIN PUBLIC KEY-----\nAB$D\n-----END PUBLIC KEY-----'), KeyFormatError);
    assert.deepEqual(decodePemBlocks('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----'), []);
  });
});
