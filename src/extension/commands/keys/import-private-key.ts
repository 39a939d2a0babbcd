import * as vscode from 'vscode';
import { zeroize } from '../../../core/bytes';
import { PassphraseError } from '../../../core/errors';
import type { RsaPrivateKey } from '../../../core/keys';
import type { Services } from '../../services';
import type { KeyInfo } from '../../storage/key-store';
import { normalizePastedPem, promptForKeyText, readKeyFile } from '../key-input';
import { asObject } from '../pick';
import { announce } from './generate-key';

export interface ImportPrivateKeyArgs {
  /** PEM text (PKCS#8, encrypted PKCS#8, PKCS#1, or an OpenSSH private key). */
  pem?: string;
  /** Or a file to read it from. */
  uri?: vscode.Uri;
  passphrase?: string;
  name?: string;
  label?: string;
}

const PASSPHRASE_ATTEMPTS = 3;

export async function importPrivateKey(services: Services, arg: unknown): Promise<KeyInfo | undefined> {
  const a = asObject<ImportPrivateKeyArgs>(arg);
  const interactive = a.pem === undefined && a.uri === undefined;
  let source: { text: string; uri?: vscode.Uri } | undefined;
  if (a.pem !== undefined) source = { text: normalizePastedPem(a.pem) };
  else if (a.uri) source = { text: await readKeyFile(a.uri), uri: a.uri };
  else {
    source = await promptForKeyText({
      title: 'Import Private Key',
      what: 'Private key',
      filters: { 'Private keys': ['pem', 'key', 'p8', 'der', '*'], 'All files': ['*'] },
      pastePlaceholder: '-----BEGIN PRIVATE KEY----- …',
      password: true,
    });
  }
  if (!source) return undefined;

  const keys = await services.keys();
  const key = await parseWithPassphrase(keys, source.text, a.passphrase, interactive);
  if (!key) return undefined;
  try {
    const suggested = key.publicKey.comment ?? source.uri?.path.split('/').pop()?.replace(/\.(pem|key|p8)$/i, '');
    const name =
      a.name ??
      (!interactive ? (suggested ?? `Imported ${key.publicKey.bits}-bit key`) : undefined) ??
      (await vscode.window.showInputBox({
        title: 'Import Private Key: name',
        prompt: `A name for this ${key.publicKey.bits}-bit key (${key.publicKey.fingerprint})`,
        value: suggested,
        validateInput: (v) => (v.trim() ? undefined : 'Enter a name.'),
        ignoreFocusOut: true,
      }));
    if (name === undefined) return undefined;
    const info = await services.keyStore.add(key, { name, label: a.label ?? (key.publicKey.comment?.includes('@') ? key.publicKey.comment : undefined) });
    announce(info, interactive);
    return info;
  } finally {
    zeroize(key.pkcs8Der);
  }
}

async function parseWithPassphrase(
  keys: typeof import('../../../core/keys'),
  text: string,
  given: string | undefined,
  interactive: boolean,
): Promise<RsaPrivateKey | undefined> {
  if (!keys.isEncryptedPrivateKey(text)) return keys.parsePrivateKey(text);
  if (given !== undefined || !interactive) return keys.parsePrivateKey(text, given);
  for (let attempt = 1; ; attempt++) {
    const passphrase = await vscode.window.showInputBox({
      title: 'Import Private Key: passphrase',
      prompt: attempt === 1 ? 'This key is encrypted. Enter its passphrase.' : `Wrong passphrase. Try again (${attempt} of ${PASSPHRASE_ATTEMPTS}).`,
      password: true,
      ignoreFocusOut: true,
    });
    if (passphrase === undefined) return undefined;
    try {
      return await keys.parsePrivateKey(text, passphrase);
    } catch (err) {
      if (!(err instanceof PassphraseError) || attempt >= PASSPHRASE_ATTEMPTS) throw err;
    }
  }
}
