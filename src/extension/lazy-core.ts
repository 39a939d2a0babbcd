// The core as the extension sees it: each module loads on first use. activate() must stay cheap (no
// node-forge, no envelope code, no wordlists), so this is the one file in src/extension that names a
// core module by `import()`; everything else asks here. esbuild keeps each such module behind an init
// function in dist/extension.js until the first call. Stateless: the module system caches the loads.
import type { CryptoBackend } from '../core/crypto-backend';

export const lazyCore = Object.freeze({
  armor: () => import('../core/armor'),
  base32: () => import('../core/base32'),
  dotenv: () => import('../core/dotenv'),
  envLayers: () => import('../core/env-layers'),
  loaderVariables: () => import('../core/loader-variables'),
  envelope: () => import('../core/envelope'),
  hotp: () => import('../core/hotp'),
  keys: () => import('../core/keys'),
  otpauth: () => import('../core/otpauth'),
  password: () => import('../core/password'),
  effLargeWordlist: () => import('../core/wordlists/eff-large'),
  selectionArmor: () => import('../core/selection-armor'),
  shamir: () => import('../core/shamir'),
  shareEncoding: () => import('../core/share-encoding'),
  /** Sealing a share file and the checks it passes before its share counts (SHAMIR.md §9). */
  shareFile: () => import('../core/share-file'),
  shellQuote: () => import('../core/shell-quote'),
  totp: () => import('../core/totp'),
  valueQuoting: () => import('../core/value-quoting'),
  /** Value-encrypted .env/JSON/YAML files; brings the `yaml` package. */
  values: () => import('../core/values'),
  /** git's line merge (the merge driver's algorithm). */
  lineMerge: () => import('../core/line-merge'),
  /** A value-encrypted file the git merge driver left in conflict (docs/VALUES.md §12). */
  valuesConflict: () => import('../core/values-conflict'),
  /** Node host pieces the extension shares with the CLI. */
  atomicFile: () => import('../node/atomic-file'),
  nodeStreams: () => import('../node/node-streams'),
  /** Reads `.enc` headers and streams envelopes on disk. */
  envelopeFiles: () => import('../node/envelope-files'),
  /** The working tree's encrypted files and selections, found with git (trusted workspaces only). */
  encryptedFiles: () => import('../node/encrypted-files'),
  /** What identifies a version of an encrypted file (an older one put back): what its signature covers. */
  versionId: () => import('../node/version-id'),
  /** Signed roster records, pins and their files (docs/ROSTER.md). */
  rosterRecords: () => import('../core/roster-records'),
  rosterPins: () => import('../core/roster-pins'),
  rosterPinStore: () => import('../node/roster-pin-store'),
  rosterRecordsDir: () => import('../node/roster-records-dir'),
  /** Which custodian tasks start by themselves (tasks.json, read with jsonc-parser): when a task starts. */
  autoStartedTasks: () => import('./run/auto-started-tasks'),
  /** The agent's server (node:net, header parsing): started after activation, not during it. */
  agentService: () => import('./agent/agent-service'),
  /** Extension code that runs git: only for trusted workspaces, and rarely. */
  rosterHistory: () => import('./storage/roster-history'),
  /** A new Node crypto backend (the extension host is Node); callers keep the one they make. */
  createBackend: (): Promise<CryptoBackend> => import('../node/node-crypto-backend').then((m) => m.createNodeCryptoBackend()),
});

export type LazyCore = typeof lazyCore;
/** The module `lazyCore[name]()` resolves to, for signatures that take one. */
export type CoreModule<K extends keyof LazyCore> = Awaited<ReturnType<LazyCore[K]>>;
export type KeysModule = CoreModule<'keys'>;
export type EnvelopeModule = CoreModule<'envelope'>;
