// A small passphrase strength estimator for passphrases that protect key backups. Deliberately
// conservative and dependency-free: it credits full entropy only to characters that are not part
// of a run, a repetition, a keyboard walk or a well-known weak word, then demands a minimum.
// It cannot see that "Summer2024!Summer" is a pattern people use; it only refuses the obvious.

/** Below this many characters a passphrase is refused outright. */
export const MIN_PASSPHRASE_LENGTH = 12;
/** Minimum estimated entropy (bits) for a backup passphrase: the key protects every shared secret. */
export const MIN_PASSPHRASE_BITS = 50;

export interface PassphraseStrength {
  /** Estimated entropy in bits (an upper bound for random strings, generous for words). */
  bits: number;
  ok: boolean;
  /** Why it is refused; undefined when ok. Never quotes the passphrase. */
  problem?: string;
}

// Passwords from every breach top list; each counts as one cheap guess, not as its letters.
const WEAK_WORDS = [
  'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'qwerty', 'azerty', 'letmein', 'welcome', 'admin', 'secret',
  'iloveyou', 'monkey', 'dragon', 'football', 'baseball', 'master', 'login', 'abc123', 'changeme', 'trustno1',
  'sunshine', 'princess', 'shadow', 'superman', 'custodian', 'default', 'backup', 'private',
];
const WEAK_WORD_BITS = 6;
const KEYBOARD_ROWS = ['`1234567890-=', 'qwertyuiop[]\\', "asdfghjkl;'", 'zxcvbnm,./'];
/** Credit for a character that continues a run, repeat or keyboard walk. */
const PATTERN_CHAR_BITS = 1;

function poolSize(chars: readonly string[]): number {
  let pool = 0;
  if (chars.some((c) => c >= 'a' && c <= 'z')) pool += 26;
  if (chars.some((c) => c >= 'A' && c <= 'Z')) pool += 26;
  if (chars.some((c) => c >= '0' && c <= '9')) pool += 10;
  if (chars.some((c) => /^[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(c))) pool += 33;
  if (chars.some((c) => c.codePointAt(0)! > 0x7e)) pool += 100;
  return Math.max(pool, 2);
}

function keyboardAdjacent(a: string, b: string): boolean {
  for (const row of KEYBOARD_ROWS) {
    const i = row.indexOf(a.toLowerCase());
    const j = row.indexOf(b.toLowerCase());
    if (i >= 0 && j >= 0 && Math.abs(i - j) === 1) return true;
  }
  return false;
}

/** Length of the shortest unit the string repeats (itself when it does not repeat). */
function repeatingUnit(chars: readonly string[]): number {
  for (let unit = 1; unit <= chars.length / 2; unit++) {
    if (chars.every((c, i) => c === chars[i % unit])) return unit;
  }
  return chars.length;
}

export function estimatePassphraseStrength(passphrase: string): PassphraseStrength {
  if (typeof passphrase !== 'string') throw new TypeError(`"passphrase" expected string, got ${typeof passphrase}`);
  const all = [...passphrase];
  if (all.length < MIN_PASSPHRASE_LENGTH) {
    return { bits: 0, ok: false, problem: `Use at least ${MIN_PASSPHRASE_LENGTH} characters (this one has ${all.length}).` };
  }
  const unit = repeatingUnit(all);
  const chars = all.slice(0, unit);
  if (new Set(all.map((c) => c.toLowerCase())).size < 5) {
    return { bits: 0, ok: false, problem: 'Use more different characters: this one repeats a few characters.' };
  }

  // Weak words become single placeholder characters worth WEAK_WORD_BITS each.
  let text = chars.join('');
  let wordBits = 0;
  const lower = text.toLowerCase();
  const hits: [number, number][] = [];
  for (const w of WEAK_WORDS) {
    for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + 1)) hits.push([i, i + w.length]);
  }
  hits.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  let rest = '';
  for (const [start, end] of hits) {
    if (start < cursor) continue;
    rest += text.slice(cursor, start) + '\u0000';
    wordBits += WEAK_WORD_BITS;
    cursor = end;
  }
  text = rest + text.slice(cursor);

  const remaining = [...text];
  const pool = poolSize(remaining.filter((c) => c !== '\u0000'));
  const perChar = Math.log2(pool);
  let bits = wordBits;
  for (let i = 0; i < remaining.length; i++) {
    const c = remaining[i];
    if (c === '\u0000') continue;
    const prev = remaining[i - 1];
    const patterned =
      prev !== undefined &&
      prev !== '\u0000' &&
      (prev === c || Math.abs(c.codePointAt(0)! - prev.codePointAt(0)!) === 1 || keyboardAdjacent(prev, c));
    bits += patterned ? PATTERN_CHAR_BITS : perChar;
  }
  if (unit < all.length) bits += Math.log2(all.length / unit + 1);
  bits = Math.round(bits);
  if (bits < MIN_PASSPHRASE_BITS) {
    return { bits, ok: false, problem: `Too easy to guess (about ${bits} bits; needs ${MIN_PASSPHRASE_BITS}). Use a few random words or a longer mix of characters.` };
  }
  return { bits, ok: true };
}
