import assert from 'node:assert/strict';
import { InvalidArgumentError, KeyFormatError, PassphraseError, UnsupportedKeyError } from '../../src/core/errors';
import { decodeOpenSshPrivateKey, formatSshPublicLine, isEncryptedOpenSsh, parseSshPublicLine } from '../../src/core/openssh';
import { decodePemBlocks } from '../../src/core/pem';
import { EXPECTED, FIXTURE_PASSPHRASE, fixture } from './key-fixtures';

const der = (name: string): Uint8Array => decodePemBlocks(fixture(name))[0].der;

describe('core/openssh', () => {
  it('round-trips an ssh-keygen public line', () => {
    const line = fixture('rsa4096-openssh.pub').trim();
    const parsed = parseSshPublicLine(line);
    assert.equal(parsed.comment, 'carol');
    assert.equal(formatSshPublicLine(parsed, parsed.comment), line);
    assert.equal(formatSshPublicLine(parsed), EXPECTED['rsa4096-openssh'].sshPublicKey);
  });

  it('keeps multi-word comments and refuses a comment with a newline', () => {
    const line = `${EXPECTED['rsa4096-openssh'].sshPublicKey} Carol  at work`;
    assert.equal(parseSshPublicLine(line).comment, 'Carol at work');
    assert.throws(() => formatSshPublicLine(parseSshPublicLine(line), 'a\nb'), InvalidArgumentError);
  });

  it('refuses other key types and certificates by name', () => {
    assert.throws(() => parseSshPublicLine(fixture('ed25519-openssh.pub')), /Ed25519/);
    assert.throws(() => parseSshPublicLine('ssh-rsa-cert-v01@openssh.com AAAA'), (e: Error) => e instanceof UnsupportedKeyError && /certificates/.test(e.message));
    assert.throws(() => parseSshPublicLine('ssh-rsa'), KeyFormatError);
  });

  it('refuses a truncated blob', () => {
    const [type, b64] = EXPECTED['rsa4096-openssh'].sshPublicKey.split(' ');
    const cut = Buffer.from(b64, 'base64').subarray(0, 100).toString('base64');
    assert.throws(() => parseSshPublicLine(`${type} ${cut}`), /truncated/);
  });

  it('tells encrypted from unencrypted containers', () => {
    assert.equal(isEncryptedOpenSsh(der('rsa3072-openssh')), false);
    assert.equal(isEncryptedOpenSsh(der('rsa3072-openssh-encrypted')), true);
  });

  it('decodes an encrypted key to PKCS#1 with its comment; refuses missing and wrong passphrases', async () => {
    const key = await decodeOpenSshPrivateKey(der('rsa3072-openssh-encrypted'), FIXTURE_PASSPHRASE);
    assert.equal(key.comment, 'bob@example.com');
    assert.equal(key.pkcs1Der[0], 0x30);
    await assert.rejects(decodeOpenSshPrivateKey(der('rsa3072-openssh-encrypted')), /passphrase is needed/);
    await assert.rejects(decodeOpenSshPrivateKey(der('rsa3072-openssh-encrypted'), 'nope'), PassphraseError);
  });

  it('refuses a corrupted private section (check words differ)', async () => {
    const bytes = der('rsa3072-openssh').slice();
    // In the private section, "ssh-rsa" follows check word 1, check word 2 and its own length.
    const keyType = Buffer.from(bytes).indexOf(Buffer.from('ssh-rsa', 'latin1'), 400);
    bytes[keyType - 8] ^= 1; // last byte of the second check word
    await assert.rejects(decodeOpenSshPrivateKey(bytes), /check words/);
  });

  it('refuses files without the openssh-key-v1 magic', async () => {
    await assert.rejects(decodeOpenSshPrivateKey(new Uint8Array(40)), /openssh-key-v1/);
  });
});
