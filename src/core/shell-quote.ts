// Quoting a word for a POSIX shell: the fixes the guard prints, the commands git's drivers run, the
// launcher the extension writes, and a command line as the agent's consent dialog shows it.

/** `word` as one shell word: left as is when it is plainly safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
