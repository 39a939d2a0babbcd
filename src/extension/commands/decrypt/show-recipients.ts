// Show Recipients and Signer: who can open a `.enc` file or a value-encrypted .env/JSON/YAML file, and
// who signed it. When one of my keys is a recipient the file is decrypted (streamed or opened, then
// discarded) so the signature is verified, not just claimed; a value-encrypted file's signature verifies
// without a key (VALUES.md §8). A file whose contents are damaged still shows what its header claims:
// that is what a person needs to know whom to ask for a new copy.
import * as vscode from 'vscode';
import { is, type Shape } from '../arguments';
import { CustodianError, describeError } from '../../../core/errors';
import type { EnvelopeInfo, SignatureStatus } from '../../../core/envelope';
import type { RsaPrivateKey } from '../../../core/keys';
import type { EnvelopeDescription } from '../../crypto-session';
import { readEnvelopeHeader } from '../../../node/envelope-files';
import { basename, isEncryptedFileUri } from '../../fs/enc-uri';
import { isValuesFile } from '../../fs/values-files';
import { formatOf, readText } from '../../fs/values-file-system';
import { hasValuesFileName, looksValueEncrypted } from '../../fs/values-uri';
import type { EncDeps } from '../encrypt/deps';
import { encTargets, rel } from './target';
import { lazyCore } from '../../lazy-core';

export interface ShowRecipientsArgs {
  uri?: vscode.Uri;
  /** Do not show the list (tests, other commands). */
  quiet?: boolean;
}

const SHOW_RECIPIENTS_ARGS: Shape<ShowRecipientsArgs> = { uri: is.uri, quiet: is.boolean };

export interface ShowRecipientsResult extends EnvelopeDescription {
  uri: vscode.Uri;
  /** Whether one of my keys can open it. */
  canDecrypt: boolean;
  /** Set when the header reads but the file does not decrypt: why (the rest are the header's claims). */
  damaged?: string;
  /**
   * A value-encrypted file's selection rule (VALUES.md §5) and the values it holds in the clear (display
   * form): what a reviewer reads in a diff without a key. Undefined for a `.enc`, or a file that does not parse.
   */
  readable?: { rule: string; names: string[] };
}

export async function showRecipients(deps: EncDeps, first: unknown, second: unknown): Promise<ShowRecipientsResult> {
  const { args, uris } = encTargets(first, second, SHOW_RECIPIENTS_ARGS, (uri) => isEncryptedFileUri(uri) || hasValuesFileName(uri));
  const uri = uris[0];
  const result = await describeFile(deps, uri);
  if (!args.quiet) {
    const { shortFingerprint } = await lazyCore.keys();
    const items: vscode.QuickPickItem[] = [
      { label: vscode.l10n.t('Recipients'), kind: vscode.QuickPickItemKind.Separator },
      ...result.recipients.map((r) =>
        r.deploy
          ? { label: `$(server-process) ${r.name}`, description: vscode.l10n.t('deploy key · {0}', shortFingerprint(r.fingerprint)) }
          : { label: `$(person) ${r.name}`, description: r.source ? shortFingerprint(r.fingerprint) : r.fingerprint },
      ),
      { label: vscode.l10n.t('Signer'), kind: vscode.QuickPickItemKind.Separator },
      result.signer.kind === 'unsigned'
        ? { label: vscode.l10n.t('$(warning) Not signed'), detail: result.warning }
        : {
            label: `${result.signer.known ? '$(verified)' : '$(warning)'} ${result.signer.party.name}`,
            description:
              result.signer.kind === 'verified'
                ? vscode.l10n.t('signature verified')
                : result.damaged
                  ? vscode.l10n.t('claimed in the header; not verified (the file is damaged)')
                  : vscode.l10n.t('claimed in the header; not verified (you cannot decrypt this file)'),
            detail: result.warning,
          },
    ];
    if (result.readable) items.push(...readableItems(result.readable));
    if (result.damaged) items.unshift({ label: vscode.l10n.t('$(error) Damaged: {0}', result.damaged), detail: vscode.l10n.t('Restore it from git if it was committed, or ask its signer or a recipient for a new copy.') });
    void vscode.window.showQuickPick(items, { title: `${rel(uri)}: ${result.summary}`, placeHolder: vscode.l10n.t('Who can read this file, and who wrote it') });
  }
  return result;
}

/** Values listed one per line under "Readable in the File"; the rest are counted. */
const SHOWN_READABLE = 20;

/**
 * "Readable in the File": every value encrypted, or the file's rule on a line of its own and each value it
 * leaves in the clear on its own line (one line cut the rule to "unencrypted-…" and the list to five).
 */
function readableItems(readable: { rule: string; names: string[] }): vscode.QuickPickItem[] {
  const { rule, names } = readable;
  const heading = { label: vscode.l10n.t('Readable in the File'), kind: vscode.QuickPickItemKind.Separator };
  if (names.length === 0) return [heading, { label: vscode.l10n.t('$(lock) Every value is encrypted'), description: rule === 'all' ? undefined : vscode.l10n.t('rule: {0}', rule) }];
  return [
    heading,
    {
      label: `$(law) ${rule}`,
      description: names.length === 1 ? vscode.l10n.t('the file\'s rule, signed with it: 1 value in the clear') : vscode.l10n.t('the file\'s rule, signed with it: {0} values in the clear', names.length),
    },
    ...names.slice(0, SHOWN_READABLE).map((name) => ({ label: `$(eye) ${name}` })),
    ...(names.length > SHOWN_READABLE ? [{ label: vscode.l10n.t('… and {0} more', names.length - SHOWN_READABLE) }] : []),
  ];
}

export async function describeFile(deps: EncDeps, uri: vscode.Uri): Promise<ShowRecipientsResult> {
  if (isValuesFile(uri)) return describeValuesFile(deps, uri);
  const header = await readEnvelopeHeader(uri.fsPath);
  const known = await deps.session.knownKeys();
  const canDecrypt = deps.session.canDecrypt(header.recipients);
  if (!canDecrypt) return { ...deps.session.describe(header, undefined, known), uri, canDecrypt };
  const [{ decryptStream }, { readFileChunks }, backend] = await Promise.all([
    lazyCore.envelope(),
    lazyCore.nodeStreams(),
    deps.services.backend(),
  ]);
  const identities: RsaPrivateKey[] = await deps.session.identitiesFor(header.recipients, rel(uri), header.recipientPolicy);
  try {
    const stream = await decryptStream(readFileChunks(uri.fsPath), { identities, backend });
    for await (const piece of stream.plaintext) piece.fill(0);
    return { ...deps.session.describe(stream.header, stream.signature(), known), uri, canDecrypt };
  } catch (err) {
    if (!(err instanceof CustodianError)) throw err;
    const damaged = describeError(err);
    const claimed = deps.session.describe(header, undefined, known);
    return { ...claimed, uri, canDecrypt, damaged, warning: vscode.l10n.t('The file is damaged ({0}): the recipients and signer are what its header claims.', damaged) };
  } finally {
    deps.session.release(...identities);
  }
}

async function describeValuesFile(deps: EncDeps, uri: vscode.Uri): Promise<ShowRecipientsResult> {
  const what = basename(uri.path);
  const [values, backend, format, text] = await Promise.all([lazyCore.values(), deps.services.backend(), formatOf(uri), readText(uri, what)]);
  if (!looksValueEncrypted(text)) {
    throw new CustodianError(vscode.l10n.t('{0} has no values encrypted by Custodian.', what), { hint: vscode.l10n.t('Run "Custodian: Encrypt Values for Team" on it first.') });
  }
  const recipients = values.valuesRecipients(text, format);
  const known = await deps.session.knownKeys();
  const canDecrypt = deps.session.canDecrypt(recipients);
  const header: EnvelopeInfo = { version: 1, recipients, chunkSize: 0, headerSize: 0 };
  try {
    let signature: SignatureStatus;
    if (canDecrypt) {
      // Opened as the editor would open it: the MAC and every value are checked too.
      const identities: RsaPrivateKey[] = await deps.session.identitiesFor(recipients, what);
      try {
        const opened = await values.openValues(text, { format, identities, backend });
        opened.dispose();
        signature = opened.signature;
      } finally {
        deps.session.release(...identities);
      }
    } else {
      signature = (await values.inspectValues(text, format, backend)).signature;
    }
    const clear = values.valuesInTheClear(text, format);
    const readable = { rule: values.ruleToString(clear.rule), names: clear.names };
    return { ...deps.session.describe(header, signature, known), uri, canDecrypt, readable };
  } catch (err) {
    if (!(err instanceof CustodianError)) throw err;
    const damaged = describeError(err);
    const signer = values.valuesClaimedSigner(text, format);
    const claimed = deps.session.describe({ ...header, signer: signer && { fingerprint: signer.fingerprint, spkiDer: signer.spkiDer } }, undefined, known);
    return { ...claimed, uri, canDecrypt, damaged, warning: vscode.l10n.t('The file is damaged ({0}): the recipients and signer are what its header claims.', damaged) };
  }
}
