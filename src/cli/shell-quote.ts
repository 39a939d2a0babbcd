// Quoting a word for a POSIX shell: in the fixes the guard prints and the driver commands git runs.

/** `word` as one shell word: left as is when it is plainly safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
