// Value-encrypted files for the workspace-wide flows (drift, Re-encrypt for Team): reading who they are
// for without a key, and re-keying one, like `.enc` files. value-file-index.ts finds them.
import * as vscode from 'vscode';
import type { EnvelopeInfo } from '../../core/envelope';
import type { RecipientPolicy } from '../../core/envelope-header';
import { CustodianError } from '../../core/errors';
import type { RsaPrivateKey, RsaPublicKey } from '../../core/keys';
import { lazyCore } from '../lazy-core';
import { basename } from './enc-uri';
import { writeFileAtomic } from '../storage/workspace-files';
import { formatOf, readText } from './values-file-system';

/** True for a URI the scan found as a value-encrypted file (anything but a `.enc`). */
export function isValuesFile(uri: vscode.Uri): boolean {
  return !uri.path.toLowerCase().endsWith('.enc');
}

/**
 * A value-encrypted file's recipients, policy and signer in the shape of a `.enc` header, for the flows
 * that compare them with the team. The signature is verified (no key needed), so the signer is not a claim.
 */
export async function readValuesHeader(uri: vscode.Uri): Promise<EnvelopeInfo> {
  return valuesHeaderOf(await readText(uri, basename(uri.path)), uri);
}

/** `readValuesHeader` of a version of `uri` already read (from git history, say). */
export async function valuesHeaderOf(text: string, uri: vscode.Uri): Promise<EnvelopeInfo> {
  const [{ inspectValues }, backend] = await Promise.all([lazyCore.values(), lazyCore.createBackend()]);
  const info = await inspectValues(text, await formatOf(uri), backend);
  const signer = info.signature.kind === 'signed' ? { fingerprint: info.signature.signer.fingerprint, spkiDer: info.signature.signer.spkiDer } : undefined;
  return { version: 1, recipients: info.recipients, recipientPolicy: info.recipientPolicy, signer, chunkSize: 0, headerSize: 0 };
}

export interface ReencryptValuesOptions {
  identities: readonly RsaPrivateKey[];
  recipients: readonly RsaPublicKey[];
  signer: RsaPrivateKey;
  backend: Awaited<ReturnType<typeof lazyCore.createBackend>>;
  recipientPolicy: RecipientPolicy;
  /** Checked on the file as it is now, before anything is written (it may have changed since the plan). */
  expect: (current: EnvelopeInfo) => boolean;
}

/**
 * Re-keys a value-encrypted file: opened with my keys, sealed again under a new data key for
 * `recipients` (every token changes: a removed recipient knew the old key), same rule, signed by me.
 */
export async function reencryptValuesFile(uri: vscode.Uri, opts: ReencryptValuesOptions): Promise<void> {
  const what = basename(uri.path);
  const format = await formatOf(uri);
  const text = await readText(uri, what);
  const values = await lazyCore.values();
  const opened = await values.openValues(text, { format, identities: opts.identities, backend: opts.backend });
  try {
    const status = opened.signature;
    const current: EnvelopeInfo = {
      version: 1,
      recipients: opened.info.recipients,
      recipientPolicy: opened.info.recipientPolicy,
      signer: status.kind === 'signed' ? { fingerprint: status.signer.fingerprint, spkiDer: status.signer.spkiDer } : undefined,
      chunkSize: 0,
      headerSize: 0,
    };
    if (!opts.expect(current)) throw new CustodianError(vscode.l10n.t('{0} changed since it was checked; run the command again.', what));
    const sealed = await values.sealValues(opened.document, {
      format,
      recipients: opts.recipients,
      signer: opts.signer,
      backend: opts.backend,
      rule: opened.info.rule,
      recipientPolicy: opts.recipientPolicy,
    });
    await writeFileAtomic(uri, new TextEncoder().encode(sealed), { overwrite: true });
  } finally {
    opened.dispose();
  }
}
