// shellQuote against the shell itself (the oracle): whatever the word, `sh` reads it back as one word,
// byte for byte. Git runs the drivers' command lines through sh, and the launcher is a sh script.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { shellQuote } from '../../src/core/shell-quote';

/** The words `sh` makes of `line`, one per argument of printf. */
function wordsOf(line: string): string[] {
  const r = spawnSync('sh', ['-c', `for w in ${line}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent-home', X: 'expanded' } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('leaves plain words as they are and quotes the rest', () => {
    assert.equal(shellQuote('/usr/bin/node'), '/usr/bin/node');
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote(''), "''");
  });

  it('sh reads every word back unchanged: spaces, quotes, $, backquotes, globs, ~, newlines (fast-check)', () => {
    const special = fc.constantFrom(' ', "'", '"', '$', '`', '\\', '*', '?', '[', ']', '~', '\n', '\t', '#', ';', '&', '|', '(', ')', '<', '>', '!', '{', '}', '$X', '$(id)', 'é');
    const word = fc.array(fc.oneof(fc.string({ minLength: 0, maxLength: 4 }).filter((s) => !s.includes('\0')), special), { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        assert.deepEqual(wordsOf(words.map(shellQuote).join(' ')), words);
      }),
      { numRuns: 150 },
    );
  });
});
