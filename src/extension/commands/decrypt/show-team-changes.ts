// Show Changes Since the Team's Version. A version of an encrypted file written by someone Custodian
// does not vouch for (a teammate removed who can still push, a stranger, or no one: unsigned) is to be
// read before it is used or re-encrypted, and re-encrypting signs it as mine. This opens the decrypted
// diff from the newest committed version signed by someone I vouch for (one of my keys, a teammate, a
// contact) to the file as it is now, so what such a writer changed can be read, and only that.
// A version counts only when its signature verifies: a value-encrypted file's without a key (VALUES.md
// §8), a `.enc` file's by decrypting it in memory (its header alone only claims a signer), so a version
// that names a teammate as its signer but was written by someone else is passed over, not shown as
// theirs. A file that is an older version back (a rollback: it brings back secrets rotated since, even
// when a teammate signed that version) is compared with the version it undid instead. It runs git with
// the repository's config (git log): trusted workspaces only, as everything that reads git history.
import * as vscode from 'vscode';
import { is, type Shape } from '../arguments';
import { CustodianError } from '../../../core/errors';
import type { EnvelopeInfo } from '../../../core/envelope';
import type { Party } from '../../crypto-session';
import { basename, isEncryptedFileUri, toDecryptedUri } from '../../fs/enc-uri';
import { MAX_INLINE_BYTES } from '../../fs/encrypted-documents';
import { isValuesFile, readValuesHeader, valuesHeaderOf } from '../../fs/values-files';
import { hasValuesFileName, toValuesUri } from '../../fs/values-uri';
import { commitsChanging, readGitBlob, rollbackOf, sameAsHead, toGitUri } from '../../git/git-blobs';
import { lazyCore } from '../../lazy-core';
import type { EncDeps } from '../encrypt/deps';
import { encTargets, rel } from './target';

/** How far back the history is searched: a team's version is usually the one before the last. */
const MAX_VERSIONS = 100;

export interface ShowTeamChangesArgs {
  uri?: vscode.Uri;
}

const SHOW_TEAM_CHANGES_ARGS: Shape<ShowTeamChangesArgs> = { uri: is.uri };

export interface ShowTeamChangesResult {
  uri: vscode.Uri;
  /** The committed version the diff starts from, and who signed it; undefined when none was found. */
  teamVersion?: { commit: string; signer: Party };
  /** Set when the file is an older version back: the commit it equals, and the version it undid (the diff's left side). */
  rollback?: { sameAs: string; undone: string };
  /** The diff opened (left: the team's version, or the version a rollback undid; right: the file now), both decrypted views. */
  diff?: { left: vscode.Uri; right: vscode.Uri };
}

export async function showTeamChanges(deps: EncDeps, first: unknown, second: unknown): Promise<ShowTeamChangesResult> {
  const { uris } = encTargets(first, second, SHOW_TEAM_CHANGES_ARGS, (uri) => isEncryptedFileUri(uri) || hasValuesFileName(uri));
  const uri = uris[0];
  if (!deps.services.trust.isTrusted) {
    throw new CustodianError(vscode.l10n.t('Reading the history of {0} runs git with this repository\'s settings: trust the workspace first.', rel(uri)));
  }
  if ((await vscode.workspace.fs.stat(uri)).size > MAX_INLINE_BYTES) throw new CustodianError(vscode.l10n.t('{0} is too large to open in an editor.', rel(uri)));
  const known = await deps.session.knownKeys();
  const vouchedSigner = (header: EnvelopeInfo): Party | undefined =>
    header.signer && deps.session.unverifiedSigner(header, known) === undefined ? deps.session.party(header.signer.fingerprint, known) : undefined;
  // A version that is an older one back (a rollback committed by someone who can push) brings back what
  // was rotated since, whoever signed it then: what it undid is what to read.
  const rollback = await rollbackOf(uri);
  if (rollback) {
    const left = decryptedView(toGitUri(uri, rollback.undone));
    const right = await nowView(uri);
    const title = vscode.l10n.t('{0} (the version it undid, {1}) ↔ now (back to {2})', basename(uri.path), rollback.undone.slice(0, 7), rollback.sameAs.slice(0, 7));
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false, override: true } as vscode.TextDocumentShowOptions);
    return { uri, rollback, diff: { left, right } };
  }
  // The version on disk is the team's only when its signature verifies too (a header can claim anyone).
  const signer = isValuesFile(uri)
    ? vouchedSigner(await readValuesHeader(uri))
    : await verifiedEncSigner(deps, uri, await vscode.workspace.fs.readFile(uri), vouchedSigner).catch(() => undefined);
  if (signer) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} is signed by {1}, whom Custodian vouches for: this version is the team\'s.', rel(uri), signer.name));
    return { uri };
  }
  const teamVersion = await lastTeamVersion(deps, uri, vouchedSigner);
  if (!teamVersion) {
    const open = vscode.l10n.t('Open Decrypted');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('No committed version of {0} is signed by someone Custodian vouches for, so there is nothing to compare it with: read all of it before you use it.', rel(uri)),
      open,
    );
    if (choice === open) await vscode.commands.executeCommand('vscode.open', decryptedView(uri));
    return { uri };
  }
  const left = decryptedView(toGitUri(uri, teamVersion.commit));
  const right = await nowView(uri);
  const title = vscode.l10n.t('{0} (the version {1} signed, {2}) ↔ now', basename(uri.path), teamVersion.signer.name, teamVersion.commit.slice(0, 7));
  // `override`: the decrypted path keeps its `.enc` name, which would open Custodian's custom editor (see git/encrypted-diffs.ts).
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false, override: true } as vscode.TextDocumentShowOptions);
  return { uri, teamVersion, diff: { left, right } };
}

/**
 * The file as it is now, decrypted: HEAD's version (read-only) when the file on disk is what HEAD holds,
 * as after the pull that brought it, so reading it cannot start a save (auto-save included) that would
 * sign it as mine; the editable file otherwise (changes not committed yet).
 */
async function nowView(uri: vscode.Uri): Promise<vscode.Uri> {
  return decryptedView((await sameAsHead(uri)) ? toGitUri(uri, 'HEAD') : uri);
}

function decryptedView(uri: vscode.Uri): vscode.Uri {
  return isValuesFile(uri) ? toValuesUri(uri) : toDecryptedUri(uri);
}

/** The newest committed version of `uri` signed, verifiably, by someone Custodian vouches for; versions that do not read as encrypted are passed over. */
async function lastTeamVersion(deps: EncDeps, uri: vscode.Uri, vouchedSigner: (header: EnvelopeInfo) => Party | undefined): Promise<{ commit: string; signer: Party } | undefined> {
  for (const commit of await commitsChanging(uri, MAX_VERSIONS)) {
    try {
      const bytes = await readGitBlob(toGitUri(uri, commit), MAX_INLINE_BYTES);
      const signer = isValuesFile(uri) ? vouchedSigner(await valuesHeaderOf(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), uri)) : await verifiedEncSigner(deps, uri, bytes, vouchedSigner);
      if (signer) return { commit, signer };
    } catch {
      // Deleted, too large, not encrypted then, damaged, or its signature does not verify: not a version to start from.
    }
  }
  return undefined;
}

/** The vouched signer of a `.enc` version, once its signature verified (decrypted in memory, then wiped); undefined when I cannot open it. */
async function verifiedEncSigner(deps: EncDeps, uri: vscode.Uri, bytes: Uint8Array, vouchedSigner: (header: EnvelopeInfo) => Party | undefined): Promise<Party | undefined> {
  const { inspectEnvelope, decryptBytes } = await lazyCore.envelope();
  const header = await inspectEnvelope(bytes);
  if (!vouchedSigner(header) || !deps.session.canDecrypt(header.recipients)) return undefined;
  const identities = await deps.session.identitiesFor(header.recipients, rel(uri));
  try {
    const { plaintext, signature } = await decryptBytes(bytes, { identities, backend: await deps.services.backend() });
    plaintext.fill(0);
    return signature.kind === 'signed' ? vouchedSigner({ ...header, signer: { fingerprint: signature.signer.fingerprint, spkiDer: signature.signer.spkiDer } }) : undefined;
  } finally {
    deps.session.release(...identities);
  }
}
