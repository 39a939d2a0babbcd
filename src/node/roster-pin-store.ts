// Where pinned roster fingerprints live (docs/ROSTER.md §6): one JSON file per user, outside every
// repository (whoever can commit to a repository must not be able to edit what its users trust), read
// and written by the CLI and the extension alike, like ssh's known_hosts. A roster is keyed by the real
// path of the folder holding it and its own path there. CI can instead name a pins file it controls (read-only, one `NAME SHA256:…` line
// per member, `@root SHA256:…` for a root of trust).
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CustodianError } from '../core/errors';
import type { RosterPins } from '../core/roster-pins';
import { rosterNameProblem } from '../core/roster-names';
import { writeFileAtomic } from './atomic-file';

/** Environment variable naming a read-only pins file (same as `--pins FILE`). */
export const PINS_FILE_ENV = 'CUSTODIAN_ROSTER_PINS';
const STORE_FORMAT = 'custodian-roster-pins/1';
const STORE_FILE = 'roster-pins.json';
/** A pins file or store far larger than this is not ours. */
const MAX_PINS_BYTES = 4 * 1024 * 1024;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** `$XDG_CONFIG_HOME/custodian/roster-pins.json` (`~/.config/…`; `%APPDATA%\custodian\…` on Windows). */
export function defaultPinStoreFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : platform === 'win32' && env.APPDATA ? env.APPDATA : path.join(home, '.config');
  return path.join(base, 'custodian', STORE_FILE);
}

/**
 * The key a roster's pins are stored under: the real, absolute path of the folder holding it (the
 * repository, for `.custodian/team`), then the roster's own path there. The last components are not
 * resolved: a commit can make `.custodian/team` or `.custodian` a link to another folder of keys, and
 * that folder must be reviewed against the same pins, not read as a roster seen for the first time.
 */
export async function rosterKey(dir: string): Promise<string> {
  const resolved = path.resolve(dir);
  const inRepository = path.basename(path.dirname(resolved)) === '.custodian';
  const holder = inRepository ? path.dirname(path.dirname(resolved)) : path.dirname(resolved);
  const own = path.relative(holder, resolved);
  try {
    return path.join(await fs.realpath(holder), own);
  } catch {
    return resolved;
  }
}

class PinsFormatError extends CustodianError {}

function checkPins(value: unknown, where: string): RosterPins {
  const bad = (): never => {
    throw new PinsFormatError(`${where} is not a valid pins entry`, { hint: 'Fix or delete it; pins are rebuilt as you encrypt and confirm.' });
  };
  if (typeof value !== 'object' || value === null) return bad();
  const v = value as Record<string, unknown>;
  if (v.root !== undefined && (typeof v.root !== 'string' || !FINGERPRINT.test(v.root))) bad();
  if (typeof v.members !== 'object' || v.members === null || Array.isArray(v.members)) bad();
  const members: Record<string, string> = {};
  for (const [name, fp] of Object.entries(v.members as Record<string, unknown>)) {
    if (rosterNameProblem(name) || typeof fp !== 'string' || !FINGERPRINT.test(fp)) bad();
    members[name] = fp as string;
  }
  return { ...(typeof v.root === 'string' ? { root: v.root } : {}), members };
}

async function readText(file: string, what: string): Promise<string | undefined> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!stat.isFile() || stat.size > MAX_PINS_BYTES) throw new PinsFormatError(`${what} ${file} is not a pins file`);
  return fs.readFile(file, 'utf8');
}

/** The user's pin store: every roster's pins in one file, rewritten atomically on each change. */
export class PinStore {
  constructor(readonly file: string) {}

  private async readAll(): Promise<Record<string, RosterPins>> {
    const text = await readText(this.file, 'pin store');
    if (text === undefined) return {};
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PinsFormatError(`the pin store ${this.file} is not JSON`, { hint: 'Fix or delete it; pins are rebuilt as you encrypt and confirm.' });
    }
    const j = json as { format?: unknown; rosters?: unknown };
    if (typeof j !== 'object' || j === null || j.format !== STORE_FORMAT || typeof j.rosters !== 'object' || j.rosters === null) {
      throw new PinsFormatError(`the pin store ${this.file} is not a Custodian pin store`, { hint: 'Fix or delete it; pins are rebuilt as you encrypt and confirm.' });
    }
    const out: Record<string, RosterPins> = {};
    for (const [k, v] of Object.entries(j.rosters as Record<string, unknown>)) out[k] = checkPins(v, `the pins for ${k} in ${this.file}`);
    return out;
  }

  async get(key: string): Promise<RosterPins | undefined> {
    const all = await this.readAll();
    return Object.prototype.hasOwnProperty.call(all, key) ? all[key] : undefined;
  }

  /** Replaces one roster's pins (undefined forgets them). */
  async set(key: string, pins: RosterPins | undefined): Promise<void> {
    const all = await this.readAll();
    if (pins === undefined) delete all[key];
    else all[key] = checkPins(pins, 'the new pins');
    const sorted = Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, new TextEncoder().encode(JSON.stringify({ format: STORE_FORMAT, rosters: sorted }, null, 2) + '\n'), { force: true, mode: 0o600 });
  }
}

/** Reads a pins file CI controls: `NAME SHA256:…` lines, `@root SHA256:…`, `#` comments. */
export async function readPinsFile(file: string): Promise<RosterPins> {
  const text = await readText(file, 'pins file');
  if (text === undefined) throw new PinsFormatError(`pins file ${file} does not exist`);
  const pins: RosterPins = { members: {} };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [name, fp, extra] = line.split(/\s+/);
    const where = `${file}:${i + 1}`;
    if (extra !== undefined || fp === undefined || !FINGERPRINT.test(fp)) throw new PinsFormatError(`${where}: expected "NAME SHA256:…"`);
    if (name === '@root') pins.root = fp;
    else if (rosterNameProblem(name)) throw new PinsFormatError(`${where}: "${name.slice(0, 64)}" is not a valid roster name`);
    else pins.members[name] = fp;
  });
  return pins;
}
