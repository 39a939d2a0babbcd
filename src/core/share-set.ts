// A Shamir share set as it lives in a repository (docs/SHAMIR.md §9): `manifest.json` and the file names
// `<custodian>.share.enc` and `<custodian>.release-to-<who>.share.enc`. What a file must be before its
// share counts is share-file.ts. Shared by the extension and the CLI; no crypto here (activation reads it).
import { CustodianError } from './errors';

export const MANIFEST_FILE = 'manifest.json';
export const SHARE_FILE_SUFFIX = '.share.enc';
export const RELEASE_INFIX = '.release-to-';
export const MANIFEST_TYPE = 'custodian-shamir-set';
export const MANIFEST_VERSION = 1;
/** Manifests are a few KiB even with 255 custodians; anything larger is not one. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/** manifest.json is not a manifest; `problem` says what (English, for a host to wrap), undefined: not JSON. */
export class ShareManifestError extends CustodianError {
  constructor(
    readonly setName: string,
    readonly problem: string | undefined,
  ) {
    super(`the manifest of share set "${setName}" is ${problem === undefined ? 'not valid JSON' : `invalid: ${problem}`}`, { hint: 'restore manifest.json from version control' });
  }
}

export interface ManifestPerson {
  /** Roster name (file name without `.pub`), safe as part of a file name. */
  name: string;
  /** `SHA256:…` of the person's RSA key. */
  fingerprint: string;
}

export interface ManifestCustodian extends ManifestPerson {
  /** The share's x-coordinate (1..total); the share itself carries it too. */
  index: number;
}

/** manifest.json. Public: never holds share values, the secret, its hash or its length. */
export interface ShareSetManifest {
  type: typeof MANIFEST_TYPE;
  version: typeof MANIFEST_VERSION;
  name: string;
  /** 16 lowercase hex digits, the set id inside every share (SHAMIR.md §4). */
  setId: string;
  threshold: number;
  total: number;
  /** ISO 8601 */
  created: string;
  dealer: ManifestPerson;
  custodians: ManifestCustodian[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
const FINGERPRINT_RE = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** A person's part of a file name: a roster name, or a slug of a display name. */
export function fileNamePart(name: string): string | undefined {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._@+-]+/g, '-')
    .replace(/^[^a-z0-9]+|[-.]+$/g, '')
    .slice(0, 64);
  return NAME_RE.test(slug) && !slug.includes(RELEASE_INFIX) ? slug : undefined;
}

export function shareFileName(custodian: string): string {
  return custodian + SHARE_FILE_SUFFIX;
}

export function releaseFileName(custodian: string, recipient: string): string {
  return custodian + RELEASE_INFIX + recipient + SHARE_FILE_SUFFIX;
}

export interface ShareFileName {
  custodian: string;
  /** The file-name part of the recipient for a release file; undefined for the dealer's share file. */
  releasedTo?: string;
}

export function parseShareFileName(file: string): ShareFileName | undefined {
  if (file.startsWith('.') || !file.endsWith(SHARE_FILE_SUFFIX)) return undefined;
  const stem = file.slice(0, -SHARE_FILE_SUFFIX.length);
  const at = stem.indexOf(RELEASE_INFIX);
  if (at < 0) return NAME_RE.test(stem) ? { custodian: stem } : undefined;
  const custodian = stem.slice(0, at);
  const releasedTo = stem.slice(at + RELEASE_INFIX.length);
  return NAME_RE.test(custodian) && NAME_RE.test(releasedTo) ? { custodian, releasedTo } : undefined;
}

/** Parses and checks a manifest (§9); `dirName` is the set's directory, which must match its name. */
export function parseManifest(text: string, dirName: string): ShareSetManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ShareManifestError(dirName, undefined);
  }
  const bad = (what: string) => new ShareManifestError(dirName, what);
  if (!isRecord(raw)) throw bad('expected a JSON object');
  if (raw.type !== MANIFEST_TYPE) throw bad(`"type" must be "${MANIFEST_TYPE}"`);
  if (raw.version !== MANIFEST_VERSION) throw bad(`unsupported "version" ${JSON.stringify(raw.version)} (this Custodian reads version ${MANIFEST_VERSION})`);
  if (raw.name !== dirName) throw bad(`"name" must equal the directory name "${dirName}"`);
  if (typeof raw.setId !== 'string' || !/^[0-9a-f]{16}$/.test(raw.setId)) throw bad('"setId" must be 16 lowercase hex digits');
  const { threshold, total } = raw;
  if (!isInt(total) || total < 2 || total > 255) throw bad('"total" must be an integer from 2 to 255');
  if (!isInt(threshold) || threshold < 2 || threshold > total) throw bad('"threshold" must be an integer from 2 to "total"');
  if (typeof raw.created !== 'string' || Number.isNaN(Date.parse(raw.created))) throw bad('"created" must be an ISO 8601 date');
  const dealer = person(raw.dealer, '"dealer"', bad);
  if (!Array.isArray(raw.custodians) || raw.custodians.length !== total) throw bad(`"custodians" must list ${total} custodians`);
  const custodians = raw.custodians.map((c: unknown, i) => {
    const p = person(c, `custodian ${i + 1}`, bad);
    const index = (c as Record<string, unknown>).index;
    if (!isInt(index) || index < 1 || index > total) throw bad(`custodian "${p.name}" needs an "index" from 1 to ${total}`);
    return { ...p, index };
  });
  for (const [key, what] of [
    ['name', 'names'],
    ['fingerprint', 'keys'],
    ['index', 'indices'],
  ] as const) {
    if (new Set(custodians.map((c) => c[key])).size !== custodians.length) throw bad(`custodians must have distinct ${what}`);
  }
  return { type: MANIFEST_TYPE, version: MANIFEST_VERSION, name: dirName, setId: raw.setId, threshold, total, created: raw.created, dealer, custodians };
}

function person(value: unknown, what: string, bad: (what: string) => Error): ManifestPerson {
  if (!isRecord(value)) throw bad(`${what} must be an object`);
  if (typeof value.name !== 'string' || !NAME_RE.test(value.name) || value.name.includes(RELEASE_INFIX)) throw bad(`${what} has an unusable "name"`);
  if (typeof value.fingerprint !== 'string' || !FINGERPRINT_RE.test(value.fingerprint)) throw bad(`${what} needs a "fingerprint" (SHA256:…)`);
  return { name: value.name, fingerprint: value.fingerprint };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
