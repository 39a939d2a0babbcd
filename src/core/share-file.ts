// What a share file of a set must be before its share counts (docs/SHAMIR.md §9, steps 1–3), and how one
// is sealed. One implementation, so VS Code's Release/Recover and the CLI's `release`/`combine` accept and
// refuse the same files. Problems are data; each host words them (the CLI in English, VS Code localized).
import { hexEncode, utf8Decode, utf8Encode, zeroize } from './bytes';
import type { CryptoBackend } from './crypto-backend';
import { encryptBytes, type SignatureStatus, type SigningKey } from './envelope';
import type { RsaPublicKey } from './keys';
import type { Share } from './shamir';
import { encodeShareText, parseShare } from './share-encoding';
import type { ManifestCustodian, ManifestPerson, ShareSetManifest } from './share-set';

/** Why a share file of a set is not used (§9 steps 1–3). Hosts word these; none carries share bytes. */
export type ShareFileProblem =
  | { kind: 'not-sealed-to-custodian' }
  | { kind: 'not-signed-by-dealer' }
  | { kind: 'release-not-to-one' }
  | { kind: 'release-not-signed-by-custodian' }
  | { kind: 'unsigned' }
  | { kind: 'wrong-signer'; signer: string; expected: ManifestPerson }
  | { kind: 'not-a-share'; reason: string }
  | { kind: 'other-set' }
  | { kind: 'other-shape'; threshold: number; total: number }
  | { kind: 'wrong-index'; index: number };

/** One file of a set, as its name and the manifest place it. */
export interface ShareFileRef {
  custodian: ManifestCustodian;
  /** File-name part of the recipient, for release files. */
  releasedTo?: string;
}

/**
 * §9 step 1, from the header alone (no private key): a share file is sealed to its custodian alone and
 * names the dealer as signer; a release is sealed to one person and names its custodian as signer.
 * Whether the signature verifies is step 2.
 */
export function shareFileHeaderProblem(
  manifest: ShareSetManifest,
  ref: ShareFileRef,
  header: { readonly recipients: readonly string[]; readonly signer?: { readonly fingerprint: string } },
): ShareFileProblem | undefined {
  const signer = header.signer?.fingerprint;
  if (ref.releasedTo === undefined) {
    if (header.recipients.length !== 1 || header.recipients[0] !== ref.custodian.fingerprint) return { kind: 'not-sealed-to-custodian' };
    if (signer !== manifest.dealer.fingerprint) return { kind: 'not-signed-by-dealer' };
    return undefined;
  }
  if (header.recipients.length !== 1) return { kind: 'release-not-to-one' };
  if (signer !== ref.custodian.fingerprint) return { kind: 'release-not-signed-by-custodian' };
  return undefined;
}

/**
 * §9 steps 2–3 on a file that decrypted (its chunks and signature verified): signed by the dealer (a
 * share file) or by its custodian (a release), holding one share whose set id, T and N are the
 * manifest's and whose index is the custodian's. Does not keep or zero `plaintext`; the caller does.
 */
export function checkOpenedShare(
  manifest: ShareSetManifest,
  ref: ShareFileRef,
  opened: { readonly plaintext: Uint8Array; readonly signature: SignatureStatus },
): { share: Share; problem?: undefined } | { share?: undefined; problem: ShareFileProblem } {
  const expected = ref.releasedTo === undefined ? manifest.dealer : ref.custodian;
  if (opened.signature.kind !== 'signed') return { problem: { kind: 'unsigned' } };
  if (opened.signature.signer.fingerprint !== expected.fingerprint) {
    return { problem: { kind: 'wrong-signer', signer: opened.signature.signer.fingerprint, expected: { name: expected.name, fingerprint: expected.fingerprint } } };
  }
  let share: Share;
  try {
    share = parseShare(utf8Decode(opened.plaintext));
  } catch (err) {
    return { problem: { kind: 'not-a-share', reason: err instanceof Error ? err.message : String(err) } };
  }
  const problem: ShareFileProblem | undefined =
    hexEncode(share.setId) !== manifest.setId
      ? { kind: 'other-set' }
      : share.threshold !== manifest.threshold || share.total !== manifest.total
        ? { kind: 'other-shape', threshold: share.threshold, total: share.total }
        : share.index !== ref.custodian.index
          ? { kind: 'wrong-index', index: share.index }
          : undefined;
  if (problem) {
    zeroize(share.value);
    return { problem };
  }
  return { share };
}

/** A problem in English, as the CLI shows it (the extension words them in the user's language). */
export function describeShareFileProblem(p: ShareFileProblem, manifest: ShareSetManifest, ref: ShareFileRef): string {
  switch (p.kind) {
    case 'not-sealed-to-custodian':
      return `it is not sealed to ${ref.custodian.name}'s key as the manifest says`;
    case 'not-signed-by-dealer':
      return `it is not signed by the dealer (${manifest.dealer.name})`;
    case 'release-not-to-one':
      return 'a release must be sealed to exactly one person';
    case 'release-not-signed-by-custodian':
      return `it is not signed by the custodian ${ref.custodian.name}`;
    case 'unsigned':
      return 'it is not signed';
    case 'wrong-signer':
      return `it is signed by ${p.signer}, not by ${p.expected.name} (${p.expected.fingerprint})`;
    case 'not-a-share':
      return `it does not hold a share (${p.reason})`;
    case 'other-set':
      return 'its share belongs to a different share set';
    case 'other-shape':
      return `its share says ${p.threshold} of ${p.total}, the manifest ${manifest.threshold} of ${manifest.total}`;
    case 'wrong-index':
      return `its share has index ${p.index}, but ${ref.custodian.name} holds index ${ref.custodian.index}`;
  }
}

/**
 * A share file's content (§9): the share's compact text form and LF, sealed to `recipient` alone and
 * signed by `signer` (the dealer for a share file, the custodian for a release).
 */
export async function sealShare(share: Share, recipient: RsaPublicKey, signer: SigningKey, backend: CryptoBackend): Promise<Uint8Array> {
  const plaintext = utf8Encode(encodeShareText(share) + '\n');
  try {
    // FORMAT.md §3.4: a share is for its custodian alone; re-keying tools must leave it so.
    return await encryptBytes(plaintext, { recipients: [recipient], signer, backend, recipientPolicy: 'chosen' });
  } finally {
    zeroize(plaintext);
  }
}
