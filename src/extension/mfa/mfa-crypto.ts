// Who a new Shared MFA file is encrypted to: the team of its workspace folder (CryptoSession.teamRecipients,
// which refuses a roster with unusable entries), or the keys a caller names; plus me.
import * as vscode from 'vscode';
import { CustodianError, InvalidArgumentError } from '../../core/errors';
import type { RsaPublicKey } from '../../core/keys';
import type { CryptoSession } from '../crypto-session';
import { lazyCore } from '../lazy-core';
import { normalizeRosterName, type Roster } from '../storage/roster';

export interface RecipientOptions {
  /**
   * Roster file names (without `.pub`) or public keys as text (`ssh-rsa …` line, PEM). Default: every
   * teammate in the folder's roster.
   */
  recipients?: readonly string[];
  /** Add my default key; default `custodian.alwaysIncludeMyself`. */
  includeMyself?: boolean;
}

function looksLikeKeyText(text: string): boolean {
  return /^\s*(ssh-rsa\s|-----BEGIN )/.test(text);
}

/** The public keys a new file in `folder` is encrypted to, deduplicated by fingerprint. */
export async function resolveRecipients(
  roster: Roster,
  session: CryptoSession,
  folder: vscode.WorkspaceFolder,
  options: RecipientOptions,
): Promise<RsaPublicKey[]> {
  let keys: RsaPublicKey[];
  if (options.recipients === undefined) {
    keys = (await session.teamRecipients(folder.uri, { includeMyself: options.includeMyself })).map((k) => k.key);
  } else {
    keys = await namedKeys(roster, folder, options.recipients);
    const me = await session.myself(folder.uri, options.includeMyself);
    if (me) keys.push(me.key);
  }
  const unique = [...new Map(keys.map((k) => [k.fingerprint, k])).values()];
  if (unique.length === 0) {
    throw new CustodianError(vscode.l10n.t('There is nobody to encrypt to: the team roster is empty.'), {
      hint: vscode.l10n.t('Run "Custodian: Add Myself to Team" first, or turn on custodian.alwaysIncludeMyself.'),
    });
  }
  return unique;
}

/** Roster names of `folder` (each must be a usable key) or public keys as text. */
async function namedKeys(roster: Roster, folder: vscode.WorkspaceFolder, recipients: readonly string[]): Promise<RsaPublicKey[]> {
  const { parsePublicKey } = await lazyCore.keys();
  const entries = (await roster.list()).filter((e) => e.folder.index === folder.index);
  const keys: RsaPublicKey[] = [];
  for (const r of recipients) {
    if (typeof r !== 'string') throw new InvalidArgumentError(vscode.l10n.t('"recipients" must be roster names or public keys as text.'));
    if (looksLikeKeyText(r)) {
      keys.push(parsePublicKey(r.trim()));
      continue;
    }
    const name = normalizeRosterName(r);
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new CustodianError(vscode.l10n.t('"{0}" is not in the team roster of {1}.', name, folder.name));
    if (entry.kind !== 'member') throw new CustodianError(vscode.l10n.t('{0}.pub is not a usable key: {1}', name, entry.problem));
    keys.push(entry.key);
  }
  return keys;
}
