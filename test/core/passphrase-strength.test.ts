import { strict as assert } from 'node:assert';
import { estimatePassphraseStrength, MIN_PASSPHRASE_BITS, MIN_PASSPHRASE_LENGTH } from '../../src/core/passphrase-strength';

describe('passphrase-strength', () => {
  it('refuses short, repetitive, sequential, keyboard-walk and common-word passphrases', () => {
    const weak = [
      'short',
      'a'.repeat(MIN_PASSPHRASE_LENGTH - 1) + 'b',
      'aaaaaaaaaaaaaaaa',
      'abababababababab',
      'abcdefghijklmnop',
      '1234567890123456',
      'qwertyuiopasdfgh',
      'password1234',
      'Password12345!',
      'letmeinletmein99',
      'custodian2024!!',
    ];
    for (const p of weak) {
      const s = estimatePassphraseStrength(p);
      assert.equal(s.ok, false, `${JSON.stringify(p)} is refused (${s.bits} bits)`);
      assert.ok(s.problem && !s.problem.includes(p), 'the problem never quotes the passphrase');
    }
  });

  it('accepts random mixes and word passphrases', () => {
    for (const p of ['kT9#mQ2$vL8!', 'correct horse battery staple', 'plover-cactus-umbrella-47-Quartz', 'Tr0ub4dor&3xZ', 'zq7 vexil 4pmn']) {
      const s = estimatePassphraseStrength(p);
      assert.equal(s.ok, true, `${JSON.stringify(p)} is accepted (${s.bits} bits: ${s.problem})`);
      assert.ok(s.bits >= MIN_PASSPHRASE_BITS);
    }
  });

  it('counts characters, not UTF-16 units, and rejects non-strings', () => {
    assert.equal(estimatePassphraseStrength('🔑🔑🔑🔑🔑🔑').ok, false);
    assert.throws(() => estimatePassphraseStrength(42 as unknown as string), TypeError);
  });
});
