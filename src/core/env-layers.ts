// Env files layered into a program's environment: `custodian run` and the editor's debug sessions,
// tasks and terminals merge the same way. Later files win over earlier ones; the environment the
// program would get anyway wins over all files unless the caller overrides (as dotenv does).
import { ARMOR_BEGIN, COMPACT_PREFIX } from './armor';
import type { DotenvEntry } from './dotenv';

/** The variables of one env file, in file order. */
export interface EnvLayer {
  /** Where they came from (a path as the user gave it), for messages. */
  readonly source: string;
  readonly entries: readonly DotenvEntry[];
  /** The file was encrypted (a `.enc`, or value-encrypted): its values came authenticated. */
  readonly encrypted?: boolean;
}

/** Variables a plain file sets over values an encrypted file gave, by the two files. */
export interface PlainOverride {
  readonly plain: string;
  readonly encrypted: string;
  readonly names: readonly string[];
}

/**
 * Where a later plain file replaces a value an earlier encrypted file set. Anyone who can push can
 * write a plain file (or name one in the repository's config): a host or an endpoint set there
 * sends the encrypted file's other secrets elsewhere, so such an override is said, not taken silently.
 */
export function plainOverrides(layers: readonly EnvLayer[]): PlainOverride[] {
  const setBy = new Map<string, EnvLayer>();
  const found = new Map<string, { plain: string; encrypted: string; names: string[] }>();
  for (const layer of layers) {
    for (const { name } of layer.entries) {
      const before = setBy.get(name);
      if (!layer.encrypted && before?.encrypted && before !== layer) {
        const key = JSON.stringify([layer.source, before.source]);
        const entry = found.get(key) ?? { plain: layer.source, encrypted: before.source, names: [] };
        if (!entry.names.includes(name)) entry.names.push(name);
        found.set(key, entry);
      }
      setBy.set(name, layer);
    }
  }
  return [...found.values()];
}

/** Name → value over all layers, the last assignment winning; names in first-seen order. */
export function mergeEnvLayers(layers: readonly EnvLayer[]): Map<string, string> {
  if (!Array.isArray(layers)) throw new TypeError(`"layers" expected an array, got ${typeof layers}`);
  const merged = new Map<string, string>();
  for (const layer of layers) for (const entry of layer.entries) merged.set(entry.name, entry.value);
  return merged;
}

/**
 * The environment for the program: `base` plus `added`. A name set in both keeps `base`'s value
 * unless `override` (dotenv's rule: what the user exported in their shell is deliberate).
 */
export function applyEnv(base: Readonly<Record<string, string | undefined>>, added: ReadonlyMap<string, string>, override: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(base)) if (value !== undefined) out[name] = value;
  for (const [name, value] of added) if (override || out[name] === undefined) out[name] = value;
  return out;
}

/**
 * The prefix of a value sealed by value-level encryption. Such a file must be opened by that feature
 * first; passed on as is, a program would get ciphertext where it expects a password.
 */
export const SEALED_VALUE_PREFIX = 'custodian-val1.';

/** Ciphertext in a value that no env file reader here opens, and so must not pass on. */
export interface SealedValue {
  readonly line: number;
  /** `values`: a value-level token (`custodian-val1.…`); `selection`: Encrypt Selection's token or block. */
  readonly kind: 'values' | 'selection';
}

/**
 * The first value of `layer` that holds ciphertext: a value-level token, or an encrypted selection (a
 * compact token anywhere in it, or an armored block). A red team's `DB_PASSWORD=custodian-enc1.…` (Encrypt
 * Selection in a .env) reached the program as its password.
 */
export function firstSealedValue(layer: EnvLayer): SealedValue | undefined {
  for (const entry of layer.entries) {
    if (entry.value.startsWith(SEALED_VALUE_PREFIX)) return { line: entry.line, kind: 'values' };
    if (entry.value.includes(COMPACT_PREFIX) || entry.value.includes(ARMOR_BEGIN)) return { line: entry.line, kind: 'selection' };
  }
  return undefined;
}
