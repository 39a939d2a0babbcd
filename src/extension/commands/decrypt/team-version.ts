// The team's version of an encrypted file: the newest committed version whose signature by someone
// Custodian vouches for (one of my keys, a teammate, a contact) verifies. What Show Changes Since the
// Team's Version compares with, and what Restore the Team's Version puts back.
// A version counts only when its signature verifies: a value-encrypted file's without a key (VALUES.md
// §8), a `.enc` file's by decrypting it in memory (its header alone only claims a signer), so a version
// that names a teammate as its signer but was written by someone else is passed over. A version that is
// an older one back (a rollback: it brings back secrets rotated since, whoever signed it then) is passed
// over too: the version it undid is the team's. Also here, since they judge versions by the same
// signers: whether a version back undoes the team's (a rollback, git-blobs.ts rollbackIn) and which values
// of an outsider's version are back to older ones. Runs git with the repository's config (git log):
// trusted workspaces only, as everything that reads git history.
import * as vscode from 'vscode';
import { utf8DecodeKeepingBom } from '../../../core/bytes';
import type { EnvelopeInfo } from '../../../core/envelope';
import type { KnownKey, Party } from '../../crypto-session';
import { MAX_INLINE_BYTES } from '../../fs/encrypted-documents';
import { isValuesFile, readValuesHeader, valuesHeaderOf } from '../../fs/values-files';
import { toDecryptedUri } from '../../fs/enc-uri';
import { toValuesUri } from '../../fs/values-uri';
import { fileHistories, GIT_SCHEME, isRollbackAt, readGitBlob, rollbackOf, toGitUri, type FileVersion, type Rollback } from '../../git/git-blobs';
import { formatOf, readText } from '../../fs/values-file-system';
import { lazyCore } from '../../lazy-core';
import type { EncDeps } from '../encrypt/deps';
import { rel } from './target';

/** The working file a command names: a diff's side may be a version from git (`git:`, whose path is the file's). */
export function workingFileOf(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === GIT_SCHEME ? vscode.Uri.file(uri.path) : uri;
}

/** Where `uri` (the working file, or a version of it from git) opens decrypted. */
export function decryptedViewOf(uri: vscode.Uri): vscode.Uri {
  return isValuesFile(uri) ? toValuesUri(uri) : toDecryptedUri(uri);
}

export interface TeamVersion {
  readonly commit: string;
  readonly signer: Party;
}

/** An encrypted value back to what an older version held: its name, that version, and the team's version that had changed it. */
export interface RevertedValue {
  readonly name: string;
  readonly sameAs: string;
  readonly undone: string;
}

/** How many older versions are read for reverted values: a put-back secret is a recent one. */
const MAX_VERSIONS_READ = 20;

export class TeamVersions {
  private constructor(
    private readonly deps: Pick<EncDeps, 'services' | 'session'>,
    private readonly known: readonly KnownKey[],
  ) {}

  static async load(deps: Pick<EncDeps, 'services' | 'session'>): Promise<TeamVersions> {
    return new TeamVersions(deps, await deps.session.knownKeys());
  }

  /**
   * Whether a committed version names a signer Custodian vouches for, read from its header: a `.enc`
   * header's signer is a claim (verifying it needs the key), a value-encrypted file's is verified. What
   * tells a rollback from a restore (git-blobs.ts rollbackIn): a forged claim can only add a warning.
   */
  async claimsTeamSigner(uri: vscode.Uri, version: FileVersion): Promise<boolean> {
    const bytes = await readGitBlob(toGitUri(uri, version.commit), MAX_INLINE_BYTES);
    if (isValuesFile(uri)) return this.vouched(await valuesHeaderOf(utf8DecodeKeepingBom(bytes), uri)) !== undefined;
    const { inspectEnvelope } = await lazyCore.envelope();
    return this.vouched(await inspectEnvelope(bytes)) !== undefined;
  }

  /**
   * The encrypted values of a value-encrypted file that hold what an older committed version held at the
   * same key, after a version a vouched signer wrote under the same data key had changed them: a secret
   * rotated out and put back (by a version built on an old one). Told by token, without a key: an unchanged
   * value keeps its token byte for byte (VALUES.md §6), so an equal token is that older value; a re-key
   * (a new data key) changes every token, so only versions under the same data key (the same salt) are
   * compared, and a change made after a re-key is not seen here (Show Changes decrypts both sides).
   */
  async revertedValues(uri: vscode.Uri): Promise<RevertedValue[]> {
    if (!isValuesFile(uri)) return [];
    const [{ valueTokens }, format] = await Promise.all([lazyCore.values(), formatOf(uri)]);
    const history = (await fileHistories([uri])).get(uri.fsPath);
    if (!history?.working) return [];
    const now = valueTokens(await readText(uri, rel(uri)), format);
    const older: { commit: string; salt: string; tokens: Map<string, string>; version: FileVersion }[] = [];
    for (const version of history.versions.filter((v) => v.blob !== '' && v.blob !== history.working).slice(0, MAX_VERSIONS_READ)) {
      const read = await readText(toGitUri(uri, version.commit), rel(uri))
        .then((text) => valueTokens(text, format))
        .catch(() => undefined);
      if (read) older.push({ commit: version.commit, ...read, version });
    }
    const vouched = new Map<string, Promise<boolean>>();
    const byTeam = (v: (typeof older)[number]): Promise<boolean> => {
      if (!vouched.has(v.commit)) vouched.set(v.commit, this.claimsTeamSigner(uri, v.version).catch(() => false));
      return vouched.get(v.commit)!;
    };
    const out: RevertedValue[] = [];
    for (const [name, token] of now.tokens) {
      // The newest older version that held this very value (an equal token: the same data key)…
      const at = older.findIndex((v) => v.tokens.get(name) === token);
      if (at < 0) continue;
      // …and a newer one, under that data key (a token of another key says nothing), where the team had changed it.
      for (const v of older.slice(0, at)) {
        const held = v.tokens.get(name);
        if (v.salt === older[at].salt && held !== undefined && held !== token && (await byTeam(v))) {
          out.push({ name, sameAs: older[at].commit, undone: v.commit });
          break;
        }
      }
    }
    return out;
  }

  /** A rollback of `uri` (git-blobs.ts rollbackOf), judged with this window's teammates and contacts. */
  rollbackOf(uri: vscode.Uri): Promise<Rollback | undefined> {
    return rollbackOf(uri, (file, version) => this.claimsTeamSigner(file, version));
  }

  /** The signer of the file as it is on disk, when its signature verifies and Custodian vouches for them. */
  async ofWorkingFile(uri: vscode.Uri): Promise<Party | undefined> {
    return isValuesFile(uri)
      ? this.vouched(await readValuesHeader(uri))
      : this.verifiedEncSigner(uri, await vscode.workspace.fs.readFile(uri)).catch(() => undefined);
  }

  /**
   * The newest committed version of `uri` a vouched signer verifiably signed that is not an older version
   * back, nor the file on disk (what it would replace). Versions that do not read as encrypted (deleted,
   * too large, damaged) are passed over.
   */
  async last(uri: vscode.Uri): Promise<TeamVersion | undefined> {
    const history = (await fileHistories([uri])).get(uri.fsPath);
    const versions = history?.versions ?? [];
    for (const [at, { commit, blob }] of versions.entries()) {
      if (blob === '' || blob === history?.working || isRollbackAt(versions, at)) continue;
      try {
        const bytes = await readGitBlob(toGitUri(uri, commit), MAX_INLINE_BYTES);
        const signer = isValuesFile(uri) ? this.vouched(await valuesHeaderOf(utf8DecodeKeepingBom(bytes), uri)) : await this.verifiedEncSigner(uri, bytes);
        if (signer) return { commit, signer };
      } catch {
        // Too large, not encrypted then, damaged, or its signature does not verify: not the team's.
      }
    }
    return undefined;
  }

  private vouched(header: EnvelopeInfo): Party | undefined {
    return header.signer && this.deps.session.unverifiedSigner(header, this.known) === undefined ? this.deps.session.party(header.signer.fingerprint, this.known) : undefined;
  }

  /** The vouched signer of a `.enc` version, once its signature verified (decrypted in memory, then wiped); undefined when I cannot open it. */
  private async verifiedEncSigner(uri: vscode.Uri, bytes: Uint8Array): Promise<Party | undefined> {
    const { inspectEnvelope, decryptBytes } = await lazyCore.envelope();
    const header = await inspectEnvelope(bytes);
    if (!this.vouched(header) || !this.deps.session.canDecrypt(header.recipients)) return undefined;
    const identities = await this.deps.session.identitiesFor(header.recipients, rel(uri), header.recipientPolicy);
    try {
      const { plaintext, signature } = await decryptBytes(bytes, { identities, backend: await this.deps.services.backend() });
      plaintext.fill(0);
      return signature.kind === 'signed' ? this.vouched({ ...header, signer: { fingerprint: signature.signer.fingerprint, spkiDer: signature.signer.spkiDer } }) : undefined;
    } finally {
      this.deps.session.release(...identities);
    }
  }
}
