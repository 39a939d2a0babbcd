// Show Recipients and Signer: who can open a `.enc` file and who signed it. When one of my keys is a
// recipient the file is decrypted (streamed, discarded) so the signature is verified, not just claimed.
import * as vscode from 'vscode';
import type { RsaPrivateKey } from '../../../core/keys';
import type { EnvelopeDescription } from '../../crypto-session';
import { readEnvelopeHeader } from '../../fs/envelope-files';
import type { EncDeps } from '../encrypt/deps';
import { encTargets, rel } from './target';
import { lazyCore } from '../../lazy-core';

export interface ShowRecipientsArgs {
  uri?: vscode.Uri;
  /** Do not show the list (tests, other commands). */
  quiet?: boolean;
}

export interface ShowRecipientsResult extends EnvelopeDescription {
  uri: vscode.Uri;
  /** Whether one of my keys can open it. */
  canDecrypt: boolean;
}

export async function showRecipients(deps: EncDeps, first: unknown, second: unknown): Promise<ShowRecipientsResult> {
  const { args, uris } = encTargets<ShowRecipientsArgs>(first, second);
  const uri = uris[0];
  const result = await describeFile(deps, uri);
  if (!args.quiet) {
    const { shortFingerprint } = await lazyCore.keys();
    const items: vscode.QuickPickItem[] = [
      { label: 'Recipients', kind: vscode.QuickPickItemKind.Separator },
      ...result.recipients.map((r) => ({ label: `$(person) ${r.name}`, description: r.source ? shortFingerprint(r.fingerprint) : r.fingerprint })),
      { label: 'Signer', kind: vscode.QuickPickItemKind.Separator },
      result.signer.kind === 'unsigned'
        ? { label: '$(warning) Not signed', detail: result.warning }
        : {
            label: `${result.signer.known ? '$(verified)' : '$(warning)'} ${result.signer.party.name}`,
            description: result.signer.kind === 'verified' ? 'signature verified' : 'claimed in the header; not verified (you cannot decrypt this file)',
            detail: result.warning,
          },
    ];
    void vscode.window.showQuickPick(items, { title: `${rel(uri)}: ${result.summary}`, placeHolder: 'Who can read this file, and who wrote it' });
  }
  return result;
}

export async function describeFile(deps: EncDeps, uri: vscode.Uri): Promise<ShowRecipientsResult> {
  const header = await readEnvelopeHeader(uri.fsPath);
  const known = await deps.session.knownKeys();
  const canDecrypt = deps.session.canDecrypt(header.recipients);
  if (!canDecrypt) return { ...deps.session.describe(header, undefined, known), uri, canDecrypt };
  const [{ decryptStream }, { readFileChunks }, backend] = await Promise.all([
    lazyCore.envelope(),
    lazyCore.nodeStreams(),
    deps.services.backend(),
  ]);
  const identities: RsaPrivateKey[] = await deps.session.identitiesFor(header.recipients, rel(uri));
  try {
    const stream = await decryptStream(readFileChunks(uri.fsPath), { identities, backend });
    for await (const piece of stream.plaintext) piece.fill(0);
    return { ...deps.session.describe(stream.header, stream.signature(), known), uri, canDecrypt };
  } finally {
    deps.session.release(...identities);
  }
}
