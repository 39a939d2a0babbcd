import assert from 'node:assert/strict';
import { displayText, hasUnsafeDisplayCharacters, MAX_DISPLAY_CHARS } from '../../src/core/display-text';

describe('core/display-text', () => {
  it('leaves ordinary names alone, including non-ASCII letters', () => {
    assert.equal(displayText('alice@example.com'), 'alice@example.com');
    assert.equal(displayText('José Pérez (ops)'), 'José Pérez (ops)');
    assert.equal(hasUnsafeDisplayCharacters('José'), false);
  });

  it('neutralizes terminal escapes that would clear the screen or forge a line', () => {
    const hostile = 'bob\x1b[2J\x1b[H\rcustodian: signed by SHA256:FAKE (ceo)\n';
    const shown = displayText(hostile);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\x00-\x1f\x7f]/.test(shown), JSON.stringify(shown));
    assert.ok(!shown.includes('\n') && !shown.includes('\r'));
    assert.equal(hasUnsafeDisplayCharacters(hostile), true);
  });

  it('neutralizes C1 controls, bidi overrides and zero-width characters', () => {
    for (const c of ['\u009b', '\u202e', '\u2066', '\u200b', '\ufeff', '\u2028', '\u061c']) {
      assert.ok(!displayText(`a${c}b`).includes(c), `U+${c.codePointAt(0)!.toString(16)}`);
      assert.equal(hasUnsafeDisplayCharacters(`a${c}b`), true);
    }
  });

  it('bounds the length without splitting a surrogate pair', () => {
    const long = '😀'.repeat(MAX_DISPLAY_CHARS + 5);
    const shown = displayText(long);
    assert.equal(Array.from(shown).length, MAX_DISPLAY_CHARS);
    assert.ok(shown.endsWith('…'));
    assert.ok(!/[\ud800-\udfff]$/.test(shown.slice(0, -1)) || /[\ud800-\udbff][\udc00-\udfff]$/.test(shown.slice(0, -1)));
  });

  it('rejects wrong argument types with a TypeError', () => {
    assert.throws(() => displayText(42 as unknown as string), TypeError);
    assert.throws(() => displayText('a', 0), RangeError);
  });
});
