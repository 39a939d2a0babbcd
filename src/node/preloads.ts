// What makes a process run code that is not its own: NODE_OPTIONS' --require/--import/--loader, the
// inspector and --openssl-config; LD_PRELOAD, LD_AUDIT and OPENSSL_CONF. A repository's terminal settings can set them, so code of the repository runs inside a
// `custodian` the person typed, and would use whatever the person allows that process: the agent's
// dialog says so of the process asking, and the CLI of itself after a denial.

/**
 * Node options that run code in the process that is not the program's: a module before its own (`-r`,
 * `--import`, a loader), a debugger's (the inspector: whoever connects to its port runs code in it; a
 * red team's background process attached to a `--inspect-brk` CLI and had it ask for another file's key
 * under the user's answer), native code OpenSSL's configuration loads (`--openssl-config`).
 */
const NODE_PRELOAD_OPTION = /^(?:-r|--require|--import|--loader|--experimental-loader|--inspect|--inspect-brk|--inspect-wait|--openssl-config)(?:=|$)/;
/** Options that take their value as the next word when written without "=". */
const NODE_OPTION_WITH_VALUE = /^(?:-r|--require|--import|--loader|--experimental-loader|--openssl-config)$/;
/** Variables that make a process load code of their naming at start: the dynamic linker's, and OpenSSL's configuration (engines, providers), which Node reads. */
const LOADING_VARIABLES = ['LD_PRELOAD', 'LD_AUDIT', 'OPENSSL_CONF'];

/**
 * NODE_OPTIONS split as Node splits it: at spaces outside double quotes, a backslash inside them taking
 * the next character as it is (a red team hid `"--require" hook.js` from a split at spaces).
 */
export function nodeOptionWords(value: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === '\\' && i + 1 < value.length) word = (word ?? '') + value[++i];
    else if (c === '"') {
      quoted = !quoted;
      word ??= '';
    } else if (!quoted && /\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * What a process's environment (`/proc/PID/environ`: NUL-separated, as it was started) makes it run
 * besides its own code: NODE_OPTIONS' --require/--import/--loader, inspector and --openssl-config;
 * LD_PRELOAD, LD_AUDIT and OPENSSL_CONF. A
 * repository's terminal settings can set them, so code of the repository runs inside a `custodian`
 * the person typed, and would use whatever the person allows that process.
 */
export function preloadsOf(environ: Uint8Array): string[] {
  const found: string[] = [];
  const bytes = Buffer.from(environ.buffer, environ.byteOffset, environ.byteLength);
  // Only the variables looked for become strings: the others may hold the process's own secrets.
  const wanted = [...LOADING_VARIABLES, 'NODE_OPTIONS'].map((p) => Buffer.from(`${p}=`));
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (!wanted.some((p) => raw.subarray(0, p.length).equals(p))) continue;
    const entry = raw.toString('utf8');
    const eq = entry.indexOf('=');
    const [name, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
    // A system may set OPENSSL_CONF for every program (VS Code then has it too): only another one is news.
    const systemWide = name === 'OPENSSL_CONF' && value === process.env.OPENSSL_CONF;
    if (LOADING_VARIABLES.includes(name) && value.trim() !== '' && !systemWide) found.push(`${name}=${value}`);
    if (name === 'NODE_OPTIONS') {
      const words = nodeOptionWords(value);
      const loads = words.flatMap((w, i) => (NODE_PRELOAD_OPTION.test(w) ? [NODE_OPTION_WITH_VALUE.test(w) ? `${w} ${words[i + 1] ?? ''}`.trim() : w] : []));
      if (loads.length > 0) found.push(`NODE_OPTIONS=${loads.join(' ')}`);
    }
  }
  return found;
}

/** The same, of an environment as Node gives it (`process.env`): what this process itself was started with. */
export function preloadsInEnv(env: NodeJS.ProcessEnv): string[] {
  const entries = [...LOADING_VARIABLES, 'NODE_OPTIONS'].flatMap((name) => (env[name] === undefined ? [] : [`${name}=${env[name]}`]));
  return preloadsOf(Buffer.from(entries.map((e) => `${e}\0`).join('')));
}
