// What makes a process load code before its own: NODE_OPTIONS' --require/--import/--loader, LD_PRELOAD
// and LD_AUDIT. A repository's terminal settings can set them, so code of the repository runs inside a
// `custodian` the person typed, and would use whatever the person allows that process: the agent's
// dialog says so of the process asking, and the CLI of itself after a denial.

/** Node options that run a module before the program's own code. */
const NODE_PRELOAD_OPTION = /^(?:-r|--require|--import|--loader|--experimental-loader)(?:=|$)/;

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
 * What a process's environment (`/proc/PID/environ`: NUL-separated, as it was started) makes it load
 * before its own code: NODE_OPTIONS' --require/--import/--loader, LD_PRELOAD and LD_AUDIT. A
 * repository's terminal settings can set them, so code of the repository runs inside a `custodian`
 * the person typed, and would use whatever the person allows that process.
 */
export function preloadsOf(environ: Uint8Array): string[] {
  const found: string[] = [];
  const bytes = Buffer.from(environ.buffer, environ.byteOffset, environ.byteLength);
  // Only the variables looked for become strings: the others may hold the process's own secrets.
  const wanted = ['LD_PRELOAD=', 'LD_AUDIT=', 'NODE_OPTIONS='].map((p) => Buffer.from(p));
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (!wanted.some((p) => raw.subarray(0, p.length).equals(p))) continue;
    const entry = raw.toString('utf8');
    const eq = entry.indexOf('=');
    const [name, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
    if ((name === 'LD_PRELOAD' || name === 'LD_AUDIT') && value.trim() !== '') found.push(`${name}=${value}`);
    if (name === 'NODE_OPTIONS') {
      const words = nodeOptionWords(value);
      const loads = words.flatMap((w, i) => (NODE_PRELOAD_OPTION.test(w) ? [w.includes('=') ? w : `${w} ${words[i + 1] ?? ''}`.trim()] : []));
      if (loads.length > 0) found.push(`NODE_OPTIONS=${loads.join(' ')}`);
    }
  }
  return found;
}

/** The same, of an environment as Node gives it (`process.env`): what this process itself was started with. */
export function preloadsInEnv(env: NodeJS.ProcessEnv): string[] {
  const entries = ['LD_PRELOAD', 'LD_AUDIT', 'NODE_OPTIONS'].flatMap((name) => (env[name] === undefined ? [] : [`${name}=${env[name]}`]));
  return preloadsOf(Buffer.from(entries.map((e) => `${e}\0`).join('')));
}
