import * as vscode from 'vscode';
// A Shamir share set as it lives in a workspace (docs/SHAMIR.md, "Shamir sets in a workspace"):
// `.custodian/shares/<set>/manifest.json` (public metadata only), `<custodian>.share.enc` (the share's
// text form sealed to that custodian, signed by the dealer) and `<custodian>.release-to-<who>.share.enc`
// (the same share re-sealed by the custodian to the person recovering). The layout and its checks are
// src/core/share-set.ts, shared with the CLI; here: what the extension adds, in the user's language.
import { CustodianError } from '../../core/errors';
import { ShareManifestError, parseManifest as parseManifestText, type ShareSetManifest } from '../../core/share-set';
import type { ShareFileProblem, ShareFileRef } from '../../core/share-file';

export {
  MANIFEST_FILE,
  MANIFEST_TYPE,
  MANIFEST_VERSION,
  MAX_MANIFEST_BYTES,
  RELEASE_INFIX,
  SHARE_FILE_SUFFIX,
  fileNamePart,
  parseShareFileName,
  releaseFileName,
  shareFileName,
} from '../../core/share-set';
export type { ManifestCustodian, ManifestPerson, ShareFileName, ShareSetManifest } from '../../core/share-set';

export const SHARES_DIR = ['.custodian', 'shares'] as const;

/** A set that cannot be used as it is: bad manifest, a share that fails verification, a name clash. */
export class ShareSetError extends CustodianError {}

/** A set name (a directory name): safe on every OS, readable in a diff. */
export function validateSetName(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) || name.endsWith('.')) {
    return 'Use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.';
  }
  return undefined;
}

/** Threshold preselected for N custodians: a majority. */
export function defaultThreshold(total: number): number {
  return Math.floor(total / 2) + 1;
}

/** What replaces a secret selection after a split. */
export function splitNote(manifest: Pick<ShareSetManifest, 'name' | 'threshold' | 'total'>): string {
  return `<secret split into set ${manifest.name}, ${manifest.threshold} of ${manifest.total}>`;
}

export function serializeManifest(m: ShareSetManifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}

/** Parses and checks a manifest (core/share-set.ts); `dirName` is the set's directory, which must match its name. */
export function parseManifest(text: string, dirName: string): ShareSetManifest {
  try {
    return parseManifestText(text, dirName);
  } catch (err) {
    if (!(err instanceof ShareManifestError)) throw err;
    const message =
      err.problem === undefined
        ? vscode.l10n.t('The manifest of share set "{0}" is not valid JSON.', dirName)
        : vscode.l10n.t('The manifest of share set "{0}" is invalid: {1}.', dirName, err.problem);
    throw new ShareSetError(message, { cause: err, hint: vscode.l10n.t('Restore manifest.json from version control.') });
  }
}

/** Why a share file is not used (core/share-set.ts), in the user's language. */
export function shareFileProblemText(p: ShareFileProblem, manifest: ShareSetManifest, ref: ShareFileRef): string {
  switch (p.kind) {
    case 'not-sealed-to-custodian':
      return vscode.l10n.t('it is not sealed to {0}\'s key as the manifest says', ref.custodian.name);
    case 'not-signed-by-dealer':
      return vscode.l10n.t('it is not signed by the dealer ({0})', manifest.dealer.name);
    case 'release-not-to-one':
      return vscode.l10n.t('a release must be sealed to exactly one person');
    case 'release-not-signed-by-custodian':
      return vscode.l10n.t('it is not signed by the custodian {0}', ref.custodian.name);
    case 'unsigned':
      return vscode.l10n.t('it is not signed');
    case 'wrong-signer':
      return vscode.l10n.t('it is signed by {0}, not by {1} ({2})', p.signer, p.expected.name, p.expected.fingerprint);
    case 'not-a-share':
      return vscode.l10n.t('it does not hold a share ({0})', p.reason);
    case 'other-set':
      return vscode.l10n.t('its share belongs to a different share set');
    case 'other-shape':
      return vscode.l10n.t('its share says {0} of {1}, the manifest {2} of {3}', p.threshold, p.total, manifest.threshold, manifest.total);
    case 'wrong-index':
      return vscode.l10n.t('its share has index {0}, but {1} holds index {2}', p.index, ref.custodian.name, ref.custodian.index);
  }
}
