// Writing a generated secret into a file so that the file's parser reads back exactly that string
// (docs/PASSWORDS.md "Inserting into files"). A default password holds any of the 32 ASCII symbols:
// raw, `#`, `: `, a leading quote or `*` change or break a YAML, JSON or .env value.

/** The value syntaxes Generate Password quotes for. */
export type ValueSyntax = 'yaml' | 'json' | 'toml' | 'dotenv' | 'shell';

const BY_LANGUAGE: Readonly<Record<string, ValueSyntax>> = {
  yaml: 'yaml',
  'github-actions-workflow': 'yaml',
  dockercompose: 'yaml',
  json: 'json',
  jsonc: 'json',
  json5: 'json',
  toml: 'toml',
  dotenv: 'dotenv',
  shellscript: 'shell',
};

/** The syntax of a document, from its VS Code language id or else its file name; undefined: insert as is. */
export function valueSyntaxFor(languageId: string, fileName: string): ValueSyntax | undefined {
  if (typeof languageId !== 'string') throw new TypeError(`"languageId" expected string, got ${typeof languageId}`);
  if (typeof fileName !== 'string') throw new TypeError(`"fileName" expected string, got ${typeof fileName}`);
  const base = fileName.split(/[\\/]/).pop() ?? '';
  // A .env file is often shown as shell or properties; its parsers are dotenv's, not the shell's.
  if (/^\.env(\..*)?$|\.env$/i.test(base)) return 'dotenv';
  const known = BY_LANGUAGE[languageId];
  if (known) return known;
  if (/\.ya?ml$/i.test(base)) return 'yaml';
  if (/\.json5?$|\.jsonc$/i.test(base)) return 'json';
  if (/\.toml$/i.test(base)) return 'toml';
  if (/\.(sh|bash|zsh)$/i.test(base)) return 'shell';
  return undefined;
}

/** What to write: `text` replaces the range and, when `widen` is 1, the quote just before and after it too. */
export interface QuotedValue {
  text: string;
  widen: 0 | 1;
}

/** Characters that need no quoting unquoted in a .env file or a shell word. */
const BARE_SAFE = /^[A-Za-z0-9_.,:/@%+=-]+$/;

function jsonString(value: string): string {
  // JSON.stringify escapes `"`, `\` and control characters; the result is also a YAML 1.2 double-quoted scalar.
  return JSON.stringify(value);
}

function tomlBasicString(value: string): string {
  // JSON's escapes are TOML's too (JSON.stringify never emits `\/`); TOML also forbids a raw DEL.
  return jsonString(value).replace(/\u007f/g, '\\u007F');
}

function dotenvQuoted(value: string): string | undefined {
  // dotenv parsers (Node's util.parseEnv / --env-file, the dotenv package) end a quoted value at the
  // first matching quote, have no escapes, and expand \n (and \r) inside double quotes only.
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `"${value}"`;
  if (!value.includes('`')) return `\`${value}\``;
  return undefined;
}

/** `value` as a complete value (quoted when needed). Undefined when the syntax cannot hold it. */
function quoted(value: string, syntax: ValueSyntax): string | undefined {
  switch (syntax) {
    case 'yaml':
      // Single-quoted: no escapes but '' for ', so every printable string survives, `#` and `: ` included.
      return `'${value.replace(/'/g, "''")}'`;
    case 'json':
      return jsonString(value);
    case 'toml':
      return tomlBasicString(value);
    case 'dotenv':
      return BARE_SAFE.test(value) ? value : dotenvQuoted(value);
    case 'shell':
      return BARE_SAFE.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
  }
}

/** `value` inside an existing pair of `quote`s of `syntax`. Undefined when it cannot be written there. */
function escapedInside(value: string, syntax: ValueSyntax, quote: string): string | undefined {
  switch (syntax) {
    case 'yaml':
      if (quote === "'") return value.replace(/'/g, "''");
      return quote === '"' ? jsonString(value).slice(1, -1) : undefined;
    case 'json':
      return quote === '"' ? jsonString(value).slice(1, -1) : undefined;
    case 'toml':
      if (quote === '"') return tomlBasicString(value).slice(1, -1);
      return quote === "'" && !value.includes("'") ? value : undefined;
    case 'dotenv':
      if (value.includes(quote)) return undefined;
      return quote === '"' && /\\[nr]/.test(value) ? undefined : value;
    case 'shell':
      if (quote === "'") return value.replace(/'/g, "'\\''");
      return quote === '"' ? value.replace(/[\\"$`]/g, '\\$&') : undefined;
  }
}

/** The quote characters of each syntax (a shell backtick is command substitution, not a quote). */
const QUOTES: Readonly<Record<ValueSyntax, readonly string[]>> = {
  yaml: ['"', "'"],
  json: ['"', "'"],
  toml: ['"', "'"],
  dotenv: ['"', "'", '`'],
  shell: ['"', "'"],
};

/**
 * How to write `value` where `before` and `after` are the characters just outside the range it replaces.
 * Between a pair of quotes it is escaped for them; if that is impossible there (a .env value with that
 * quote), the pair is replaced by a quoting that works. Undefined when no quoting of `syntax` holds
 * the value (a .env value with all of ', " and `): generate another.
 */
export function quoteValue(value: string, syntax: ValueSyntax, before: string, after: string): QuotedValue | undefined {
  if (typeof value !== 'string') throw new TypeError(`"value" expected string, got ${typeof value}`);
  if (QUOTES[syntax].includes(before) && after === before) {
    const inside = escapedInside(value, syntax, before);
    if (inside !== undefined) return { text: inside, widen: 0 };
    const whole = quoted(value, syntax);
    return whole === undefined ? undefined : { text: whole, widen: 1 };
  }
  const whole = quoted(value, syntax);
  return whole === undefined ? undefined : { text: whole, widen: 0 };
}
