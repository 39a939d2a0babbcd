// Who a new Shared MFA file is encrypted to: the roster of its workspace folder (refusing a roster with
// unusable entries, which would silently drop a teammate), or the keys a caller names; plus me.
import * as vscode from 'vscode';
import { CustodianError, InvalidArgumentError } from '../../core/errors';
import type { RsaPublicKey } from '../../core/keys';
import type { Services } from '../services';
import { normalizeRosterName } from '../storage/roster';

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
export async function resolveRecipients(services: Services, folder: vscode.WorkspaceFolder, options: RecipientOptions): Promise<RsaPublicKey[]> {
  const { parsePublicKey } = await services.keys();
  const entries = (await services.roster.list()).filter((e) => e.folder.index === folder.index);
  const keys: RsaPublicKey[] = [];
  if (options.recipients === undefined) {
    const broken = entries.filter((e) => e.kind === 'invalid');
    if (broken.length > 0) {
      // Encrypting around a broken roster file would silently leave that teammate out.
      throw new CustodianError(`The team roster has unusable entries: ${broken.map((e) => `${e.name}.pub`).join(', ')}.`, {
        hint: 'Fix or remove them (see the Problems panel), so nobody silently drops out of the recipients.',
      });
    }
    for (const e of entries) if (e.kind === 'member') keys.push(e.key);
  } else {
    for (const r of options.recipients) {
      if (typeof r !== 'string') throw new InvalidArgumentError('"recipients" must be roster names or public keys as text.');
      if (looksLikeKeyText(r)) {
        keys.push(parsePublicKey(r.trim()));
        continue;
      }
      const name = normalizeRosterName(r);
      const entry = entries.find((e) => e.name === name);
      if (!entry) throw new CustodianError(`"${name}" is not in the team roster of ${folder.name}.`);
      if (entry.kind !== 'member') throw new CustodianError(`${name}.pub is not a usable key: ${entry.problem}`);
      keys.push(entry.key);
    }
  }
  if (options.includeMyself ?? services.config(folder.uri).alwaysIncludeMyself) {
    const me = services.keyStore.getDefault();
    if (me) keys.push(await services.keyStore.getPublicKey(me.id));
  }
  const unique = [...new Map(keys.map((k) => [k.fingerprint, k])).values()];
  if (unique.length === 0) {
    throw new CustodianError('There is nobody to encrypt to: the team roster is empty.', {
      hint: 'Run "Custodian: Add Myself to Team" first, or turn on custodian.alwaysIncludeMyself.',
    });
  }
  return unique;
}
