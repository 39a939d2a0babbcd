import assert from 'node:assert/strict';
import { fingerprintSshBlob, shortFingerprint } from '../../src/core/fingerprint';
import { EXPECTED, fixture, runTool } from './key-fixtures';

describe('core/fingerprint', () => {
  it('equals ssh-keygen -lf for every committed RSA key', () => {
    for (const name of ['rsa3072-openssh', 'rsa4096-openssh', 'rsa3072-openssh-encrypted']) {
      const blob = Uint8Array.from(Buffer.from(fixture(`${name}.pub`).split(' ')[1], 'base64'));
      const fp = fingerprintSshBlob(blob);
      assert.equal(fp.text, EXPECTED[name].fingerprint);
      assert.equal(Buffer.from(fp.bytes).toString('base64').replace(/=+$/, ''), fp.text.slice(7));
    }
  });

  it('also matches ssh-keygen for a non-RSA blob (the definition is type-independent)', () => {
    const line = fixture('ed25519-openssh.pub');
    const blob = Uint8Array.from(Buffer.from(line.split(' ')[1], 'base64'));
    const expected = runTool('ssh-keygen', ['-lf', '{k}'], { k: line }).split(' ')[1];
    assert.equal(fingerprintSshBlob(blob).text, expected);
  });

  it('shortens to 8 characters and rejects other formats', () => {
    assert.equal(shortFingerprint('SHA256:ChYngpMGjI0GqTUOoyi7cyX9ea4LVJ/4tkYEPFSRqBk'), 'ChYngpMG');
    assert.throws(() => shortFingerprint('ChYngpMGjI0GqTUO'), /SHA256/);
    assert.throws(() => shortFingerprint('SHA256:abc'), /SHA256/);
  });
});
