import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { zeroize } from '../../../core/bytes';
import { KeyFormatError, PassphraseError } from '../../../core/errors';
import { shellQuote } from '../../../core/shell-quote';
import type { RsaPrivateKey } from '../../../core/keys';
import type { KeysDeps } from './register';
import { alreadyStored, type KeyInfo } from '../../storage/key-store';
import { normalizePastedPem, promptForKeyText, readKeyFile } from '../key-input';
import { fromArgument, is, type Shape } from '../arguments';
import { announce } from './generate-key';
import { lazyCore, type KeysModule } from '../../lazy-core';
import { withKeyOwnerHint } from '../key-refusals';
import { ActionableError, type ErrorAction } from '../../ui/error-reporter';
import { CommandId } from '../ids';

export interface ImportPrivateKeyArgs {
  /** PEM text (PKCS#8, encrypted PKCS#8, PKCS#1, or an OpenSSH private key). */
  pem?: string;
  /** Or a file to read it from. */
  uri?: vscode.Uri;
  passphrase?: string;
  name?: string;
  label?: string;
  /** Test hook: cancels like the progress notification's Cancel button. */
  cancellationToken?: vscode.CancellationToken;
}

const IMPORT_PRIVATE_KEY_ARGS: Shape<ImportPrivateKeyArgs> = { pem: is.string, uri: is.uri, passphrase: is.string, name: is.string, label: is.string, cancellationToken: is.cancellationToken };

const PASSPHRASE_ATTEMPTS = 3;

export async function importPrivateKey(deps: KeysDeps, arg: unknown): Promise<KeyInfo | undefined> {
  const a = fromArgument(arg, IMPORT_PRIVATE_KEY_ARGS);
  const interactive = a.pem === undefined && a.uri === undefined;
  let source: { text: string; uri?: vscode.Uri } | undefined;
  if (a.pem !== undefined) source = { text: normalizePastedPem(a.pem) };
  else if (a.uri) source = { text: await readKeyFile(a.uri), uri: a.uri };
  else {
    source = await promptForKeyText({
      title: vscode.l10n.t('Import Private Key'),
      kind: 'private',
      filters: { [vscode.l10n.t('Private keys')]: ['pem', 'key', 'p8', 'der', '*'], [vscode.l10n.t('All files')]: ['*'] },
      pastePlaceholder: '-----BEGIN PRIVATE KEY----- …',
      password: true,
      defaultUri: await sshFolder(),
    });
  }
  if (!source) return undefined;

  refuseLegacyEncryptedPem(source.text, source.uri);
  const keys = await lazyCore.keys();
  let key: RsaPrivateKey | undefined;
  try {
    key = await parseWithPassphrase(keys, source.text, a.passphrase, interactive, a.cancellationToken);
  } catch (err) {
    if (err instanceof KeyFormatError && isPublicKey(keys, source.text)) throw publicKeyGiven(err, source.uri);
    throw withKeyOwnerHint(err, 'mine');
  }
  if (!key) return undefined;
  try {
    // Said before a name is asked for: the key store refuses a second copy anyway.
    const existing = deps.keys.current.findByFingerprint(key.publicKey.fingerprint);
    if (existing) throw alreadyStored(existing);
    // The name the team knows me by, when the key is in the roster already (a backup brought to a new
    // machine): the file's name ("alice-backup") said nothing the roster did not say better.
    const inRoster = await deps.rosterNames(key.publicKey.fingerprint);
    const suggested = inRoster[0] ?? key.publicKey.comment ?? source.uri?.path.split('/').pop()?.replace(/\.(pem|key|p8)$/i, '');
    const name =
      a.name ??
      (!interactive ? (suggested ?? vscode.l10n.t('Imported {0}-bit key', key.publicKey.bits)) : undefined) ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Import Private Key: name'),
        prompt: vscode.l10n.t('A name for this {0}-bit key ({1})', key.publicKey.bits, key.publicKey.fingerprint),
        value: suggested,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name.')),
        ignoreFocusOut: true,
      }));
    if (name === undefined) return undefined;
    const info = await deps.keys.current.add(key, { name, label: a.label ?? (key.publicKey.comment?.includes('@') ? key.publicKey.comment : undefined) });
    // A passphrase-protected key file is a backup already (Back Up writes one): not offered again.
    announce(info, interactive && inRoster.length === 0, keys.isEncryptedPrivateKey(source.text));
    return info;
  } finally {
    zeroize(key.pkcs8Der);
  }
}

/**
 * ~/.ssh when there is one: where a person looks for their private key. The extension host's home, since
 * that is where the file is read (in code-server too).
 */
async function sshFolder(): Promise<vscode.Uri | undefined> {
  const uri = vscode.Uri.file(path.join(os.homedir(), '.ssh'));
  try {
    return (await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory ? uri : undefined;
  } catch {
    return undefined;
  }
}

// RFC 1421 headers, as `ssh-keygen -m PEM` and `openssl rsa -aes256` write them. The core reads no such
// key (docs/KEYS.md), so it is refused before a passphrase is asked for, not after.
const LEGACY_ENCRYPTED_PEM = /-----BEGIN RSA PRIVATE KEY-----\s+(?:Proc-Type:\s*4\s*,\s*ENCRYPTED|DEK-Info:)/i;

function refuseLegacyEncryptedPem(text: string, uri: vscode.Uri | undefined): void {
  if (!LEGACY_ENCRYPTED_PEM.test(text)) return;
  const file = uri ? shellQuote(uri.fsPath) : 'KEY';
  throw new KeyFormatError(vscode.l10n.t('This key is in the old encrypted PEM format ("Proc-Type: 4,ENCRYPTED", as "ssh-keygen -m PEM" writes it), which Custodian does not read.'), {
    hint: vscode.l10n.t(
      'Convert it in place to the OpenSSH format, which Custodian reads: {0} (it asks for the passphrase, then for a new one: enter the same to keep it). Or with openssl: {1}',
      `ssh-keygen -p -f ${file}`,
      `openssl pkcs8 -topk8 -v2 aes256 -in ${file} -out key-pkcs8.pem`,
    ),
  });
}

function isPublicKey(keys: KeysModule, text: string): boolean {
  try {
    keys.parsePublicKey(text.trim());
    return true;
  } catch {
    return false;
  }
}

/**
 * Someone's public key (a .pub file, a certificate) given to Import Private Key: most likely the person
 * meant to trust it, so the commands that do are offered, with the file when there is one.
 */
function publicKeyGiven(err: KeyFormatError, uri: vscode.Uri | undefined): ActionableError {
  const args = uri ? [uri] : [];
  const actions: ErrorAction[] = [
    ...(vscode.workspace.workspaceFolders?.length ? [{ title: vscode.l10n.t('Add Teammate…'), command: CommandId.AddTeammate, args }] : []),
    { title: vscode.l10n.t('Add Contact…'), command: CommandId.AddContact, args },
  ];
  return new ActionableError(err.message, { cause: err, hint: vscode.l10n.t('To trust someone\'s public key, use Add Teammate… (or Add Contact… for someone outside this repository).') }, actions);
}

async function parseWithPassphrase(
  keys: KeysModule,
  text: string,
  given: string | undefined,
  interactive: boolean,
  external?: vscode.CancellationToken,
): Promise<RsaPrivateKey | undefined> {
  if (!keys.isEncryptedPrivateKey(text)) return keys.parsePrivateKey(text);
  const unlock = (passphrase: string | undefined) => withDerivationProgress((signal) => keys.parsePrivateKey(text, passphrase, { signal }), external);
  if (given !== undefined || !interactive) return unlock(given);
  // What can be told without the passphrase is told first: an OpenSSH key says its type in the clear, so
  // an Ed25519 key is refused before anyone types a passphrase for nothing.
  try {
    return await keys.parsePrivateKey(text);
  } catch (err) {
    if (!(err instanceof PassphraseError)) throw err;
  }
  for (let attempt = 1; ; attempt++) {
    const passphrase = await vscode.window.showInputBox({
      title: vscode.l10n.t('Import Private Key: passphrase'),
      prompt: attempt === 1 ? vscode.l10n.t('This key is encrypted. Enter its passphrase.') : vscode.l10n.t('Wrong passphrase. Try again ({0} of {1}).', attempt, PASSPHRASE_ATTEMPTS),
      password: true,
      ignoreFocusOut: true,
    });
    if (passphrase === undefined) return undefined;
    try {
      return await unlock(passphrase);
    } catch (err) {
      if (!(err instanceof PassphraseError) || attempt >= PASSPHRASE_ATTEMPTS) throw err;
    }
  }
}

/**
 * Runs a passphrase's key derivation behind a cancellable notification: at the allowed maximums it
 * takes seconds (PBKDF2 with 10^7 iterations: ~6 s; OpenSSH bcrypt with 1024 rounds: ~24 s). Cancel
 * stops waiting at once (undefined) and aborts the derivation; a key that still arrives is zeroized
 * unused. WebCrypto's PBKDF2 runs off the extension host's thread; bcrypt gives way between rounds
 * (core/bcrypt-pbkdf.ts) and stops at the next one.
 */
async function withDerivationProgress(parse: (signal: AbortSignal) => Promise<RsaPrivateKey>, external?: vscode.CancellationToken): Promise<RsaPrivateKey | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Custodian: unlocking the key with its passphrase (this can take a few seconds)…'), cancellable: true },
    async (_progress, uiToken) => {
      const subscriptions: vscode.Disposable[] = [];
      const cancelled = new Promise<undefined>((resolve) => {
        for (const token of [uiToken, external]) {
          if (!token) continue;
          if (token.isCancellationRequested) resolve(undefined);
          subscriptions.push(token.onCancellationRequested(() => resolve(undefined)));
        }
      });
      try {
        // Let the notification render before the derivation starts.
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (uiToken.isCancellationRequested || external?.isCancellationRequested) return undefined;
        const abort = new AbortController();
        const work = parse(abort.signal);
        const winner = await Promise.race([work.then((key) => ({ key })), cancelled]);
        if (winner) return winner.key;
        abort.abort();
        work.then((key) => zeroize(key.pkcs8Der), () => undefined);
        return undefined;
      } finally {
        for (const d of subscriptions) d.dispose();
      }
    },
  );
}
