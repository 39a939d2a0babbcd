// What identifies a version of an encrypted file when looking for an older one put back (docs/GIT.md,
// "An older version put back"; docs/SECURITY.md): what its signature covers, not its bytes. The same
// signed content in another wrapping (ASCII armor, a full-line comment no MAC covers) is the same
// version, and still brings back what was changed after it. Used by the CLI's merge driver and by the
// extension's rollback check alike.
import { createHash } from 'node:crypto';
import { dearmor, isArmored } from '../core/armor';
import { utf8DecodeKeepingBom } from '../core/bytes';
import { valuesFormat, valuesFormatForFileName } from '../core/values-formats';
import { parseMetadataLines, type ValuesFormatName } from '../core/values-metadata';

/** Versions larger than this are told apart by their bytes (blob id) only: a file's history is read whole. */
export const MAX_VERSION_ID_BYTES = 4 * 1024 * 1024;

/** A version's identity, or undefined when it cannot be read as one (then its blob id is compared). */
export type VersionId = (bytes: Uint8Array) => string | undefined;

/** A `.enc` version's identity: its binary envelope (header, payload, signature), armored or not. */
export function envelopeVersionId(bytes: Uint8Array): string | undefined {
  try {
    const binary = isArmored(bytes) ? dearmor(new TextDecoder().decode(bytes)) : bytes;
    return createHash('sha256').update(binary).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * A value-encrypted version's identity: its `mac=` and `signature=` lines (VALUES.md §7, §8), which cover
 * every value, the metadata and the document but its full-line comments and blank lines: an old version
 * put back with a comment added is still that version.
 */
export function valuesVersionId(format: ValuesFormatName): VersionId {
  return (bytes) => {
    try {
      const lines = valuesFormat(format).split(utf8DecodeKeepingBom(bytes)).lines;
      if (!lines) return undefined;
      const meta = parseMetadataLines(lines);
      return `${Buffer.from(meta.mac).toString('hex')}.${meta.signature ? Buffer.from(meta.signature).toString('hex') : ''}`;
    } catch {
      return undefined;
    }
  };
}

/** The identity for a file by its name: a `.enc` file's envelope, a .env/JSON/YAML file's metadata lines; else none. */
export function versionIdFor(fileName: string): VersionId {
  if (fileName.endsWith('.enc')) return envelopeVersionId;
  const format = valuesFormatForFileName(fileName);
  return format ? valuesVersionId(format) : () => undefined;
}

/**
 * What two versions are compared by: `signed:` what the signature covers when the bytes read as a version
 * (`versionId`), else `blob:` the blob id (bytes not read, too large, empty or not a version).
 */
export function versionKey(bytes: Uint8Array | undefined, blob: string, versionId: VersionId): string {
  const id = bytes === undefined || bytes.length === 0 ? undefined : versionId(bytes);
  return id !== undefined ? `signed:${id}` : `blob:${blob}`;
}
