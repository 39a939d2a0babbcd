// `.custodian/config`: the one file for per-repository settings, committed with the roster so the whole
// team shares them (docs/CONFIG.md). JSON, parsed strictly: an unknown key is an error, because a
// misspelt guard rule that is silently ignored is a guard that does not guard.
import { CustodianError } from './errors';

/** Where the file lives, relative to the repository (workspace) root. */
export const PROJECT_CONFIG_PATH = '.custodian/config';

/** A config file is a few hundred bytes; anything near this is not one. */
export const MAX_PROJECT_CONFIG_BYTES = 64 * 1024;

/** `.custodian/config` is missing pieces, malformed, or names a key this version does not know. */
export class ProjectConfigError extends CustodianError {}

export interface GuardConfig {
  /**
   * Paths that must never be committed in the clear: gitignore-style patterns (`*` within a path
   * segment, `**` across segments, a leading `!` re-allows). Replaces the defaults when present.
   */
  readonly plaintextPaths: readonly string[];
}

export interface RunConfig {
  /** Env files `custodian run` reads when no `-e` is given, in order (later files win). */
  readonly envFiles: readonly string[];
}

export interface ProjectConfig {
  readonly guard: GuardConfig;
  readonly run: RunConfig;
}

/**
 * What the guard refuses when the repository says nothing: dotenv files (`.env`, `.env.*`, `NAME.env`:
 * the names the values formats read as dotenv; but not the `.env.*` templates),
 * private keys and key stores, credential files (`.netrc`, `.pgpass`, `.git-credentials`, `.aws/credentials`)
 * and a `secrets/` folder. Encrypted files (`*.enc`) are always allowed.
 */
export const DEFAULT_GUARD_PLAINTEXT_PATHS: readonly string[] = Object.freeze([
  '*.env',
  '.env',
  '.env.*',
  '!.env.example',
  '!.env.sample',
  '!.env.template',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.ppk',
  'id_rsa',
  'id_ecdsa',
  'id_ed25519',
  'id_dsa',
  // Files whose only purpose is to hold credentials, as tools read them from a home folder.
  '.netrc',
  '_netrc',
  '.pgpass',
  '.git-credentials',
  '**/.aws/credentials',
  'secrets/**',
]);

export const DEFAULT_PROJECT_CONFIG: ProjectConfig = Object.freeze({
  guard: Object.freeze({ plaintextPaths: DEFAULT_GUARD_PLAINTEXT_PATHS }),
  run: Object.freeze({ envFiles: Object.freeze([]) as readonly string[] }),
});

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string): never {
  throw new ProjectConfigError(`${PROJECT_CONFIG_PATH}: ${message}`, { hint: 'fix the file (docs/CONFIG.md lists every key), or delete it to use the defaults' });
}

function onlyKeys(obj: Record<string, Json>, where: string, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) fail(`unknown key "${where}${key}" (known: ${known.map((k) => where + k).join(', ')})`);
  }
}

function section(root: Record<string, Json>, name: string, known: readonly string[]): Record<string, Json> | undefined {
  const value = root[name];
  if (value === undefined) return undefined;
  if (!isObject(value)) fail(`"${name}" must be an object`);
  onlyKeys(value, `${name}.`, known);
  return value;
}

function stringList(value: Json, where: string): readonly string[] {
  if (!Array.isArray(value)) fail(`"${where}" must be a list of strings`);
  return Object.freeze(
    value.map((item, i) => {
      if (typeof item !== 'string' || item.trim() === '') fail(`"${where}[${i}]" must be a non-empty string`);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(item)) fail(`"${where}[${i}]" holds a control character`);
      return item;
    }),
  );
}

/** Parses the file's text; the defaults fill what it leaves out. */
export function parseProjectConfig(text: string): ProjectConfig {
  let root: Json;
  try {
    root = JSON.parse(text);
  } catch (err) {
    fail(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(root)) fail('must be a JSON object, e.g. { "guard": { "plaintextPaths": [".env"] } }');
  onlyKeys(root, '', ['$schema', 'version', 'guard', 'run']);
  if (root.version !== undefined && root.version !== 1) fail(`"version" ${JSON.stringify(root.version)} is not supported (this Custodian reads version 1)`);
  const guard = section(root, 'guard', ['plaintextPaths']);
  const run = section(root, 'run', ['envFiles']);
  return Object.freeze({
    guard: Object.freeze({
      plaintextPaths: guard?.plaintextPaths === undefined ? DEFAULT_GUARD_PLAINTEXT_PATHS : stringList(guard.plaintextPaths, 'guard.plaintextPaths'),
    }),
    run: Object.freeze({
      envFiles: run?.envFiles === undefined ? DEFAULT_PROJECT_CONFIG.run.envFiles : stringList(run.envFiles, 'run.envFiles'),
    }),
  });
}
