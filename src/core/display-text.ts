// Names that come from files (key comments, certificate CNs, roster and contact names, inner file
// names) are attacker-controlled. Shown raw, a terminal escape can clear the screen or forge a line
// such as "custodian: signed by …", and a bidi override can reorder what a reviewer reads. Every place
// that shows such a name passes it through displayText() first.

/** Longest name shown; longer ones are cut with an ellipsis (a name is a label, not a payload). */
export const MAX_DISPLAY_CHARS = 200;

// C0 and C1 controls, DEL, and the Unicode format characters that change how text is laid out:
// bidi embeddings/overrides/isolates (U+202A–202E, U+2066–2069), marks (U+200E/F, U+061C), zero-width
// characters (U+200B–200D, U+2060, U+FEFF), line and paragraph separators (U+2028/2029).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A single line safe to print in a terminal or show in the UI: every unsafe character becomes U+FFFD,
 * surrounding whitespace is trimmed, and the result is at most `maxChars` characters.
 */
export function displayText(text: string, maxChars: number = MAX_DISPLAY_CHARS): string {
  if (typeof text !== 'string') throw new TypeError(`"text" expected a string, got ${typeof text}`);
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`"maxChars" expected a positive integer, got ${maxChars}`);
  const cleaned = text.replace(UNSAFE, '\ufffd').trim();
  const chars = Array.from(cleaned);
  return chars.length <= maxChars ? cleaned : chars.slice(0, maxChars - 1).join('') + '…';
}

/** Whether `text` would be changed by displayText() (for validators that refuse rather than repair). */
export function hasUnsafeDisplayCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}
