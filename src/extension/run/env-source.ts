// The variables of env files for a debug session, a task or a terminal: each file read, decrypted in
// memory with my keys when it is an envelope (through the crypto session, as Open Decrypted does) and
// parsed as dotenv text. Nothing is written; the plaintext bytes are zeroed once parsed.
// An encrypted file that is unsigned, or signed by a key no one on the team holds, could have been
// written by anyone who can push (its recipients' public keys are in the roster): its values (a
// database host, an API endpoint) go to the program only once the person, told so, says to. The
// answer holds for those bytes until the window closes, so a task run again does not ask again.
import * as vscode from 'vscode';
import type { CryptoBackend } from '../../core/crypto-backend';
import { utf8DecodeKeepingBom } from '../../core/bytes';
import { CustodianError, describeError } from '../../core/errors';
import type { EnvLayer } from '../../core/env-layers';
import type { DecryptedBytes, EnvelopeInfo, SignatureStatus } from '../../core/envelope';
import type { CryptoSession } from '../crypto-session';
import { KeyedDigest } from '../keyed-digest';
import { lazyCore } from '../lazy-core';
import { looksValueEncrypted } from '../fs/values-uri';

/** An env file is a few KiB; anything near this is not one. */
const MAX_ENV_FILE_BYTES = 4 * 1024 * 1024;

/** What loading env files needs: the session (my keys that are recipients) and a crypto backend. */
export interface EnvSourceDeps {
  session: Pick<CryptoSession, 'identitiesFor' | 'release' | 'describe' | 'knownKeys'>;
  backend: () => Promise<CryptoBackend>;
}

/**
 * The variables of a list of env files; errors name the file, never a value. `own`: the names the
 * configuration sets itself (a launch configuration's or task's `env`), which win over the files.
 */
export type EnvLoader = (files: readonly vscode.Uri[], own?: readonly string[]) => Promise<Map<string, string>>;

/** A file the user cannot use as env: the message names it and says why. */
export class EnvFileError extends CustodianError {}

export class EnvSource {
  /** Files whose signer the person accepted, by a keyed digest of their bytes. */
  private readonly accepted = new Set<string>();
  private readonly digests = new KeyedDigest();

  constructor(private readonly deps: EnvSourceDeps) {}

  /**
   * Throws unless the file's signer is someone the team knows, or the person says to use it anyway
   * (asked once per version of the file). `warning` is the crypto session's: unsigned, an unknown key,
   * a former teammate, a deploy key.
   */
  private async checkSigner(name: string, bytes: Uint8Array, header: EnvelopeInfo, signature: SignatureStatus): Promise<void> {
    const { warning } = this.deps.session.describe(header, signature, await this.deps.session.knownKeys());
    if (warning === undefined) return;
    const id = Buffer.from(this.digests.of(bytes)).toString('hex');
    if (this.accepted.has(id)) return;
    const useAnyway = vscode.l10n.t('Use Anyway');
    // "Do Not Use" first: the dialog's default, so an Enter typed by habit does not pass the values on.
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0}: {1}', name, warning),
      { modal: true, detail: vscode.l10n.t('Its values would go to the program as they are: a host or an endpoint in it could send the other secrets elsewhere. Use them anyway? If not, nothing is started: the program would otherwise run without this file\'s values.') },
      vscode.l10n.t('Do Not Use'),
      useAnyway,
    );
    if (answer !== useAnyway) {
      throw new EnvFileError(vscode.l10n.t('Not used, so nothing was started: {0}: {1}', name, warning), { hint: vscode.l10n.t("Look at how the file changed (its history in git, or Custodian: Show Changes Since the Team's Version), then run again.") });
    }
    this.accepted.add(id);
  }

  /**
   * Merged variables of `files`, later files winning. A variable that decides which code the program
   * loads or which command runs (core/loader-variables.ts) is refused unless `own` sets it: a file's
   * values are binary to a reviewer, a configuration's `env` is not.
   */
  readonly load: EnvLoader = async (files, own = []) => {
    const layers: EnvLayer[] = [];
    for (const uri of files) layers.push(await this.layer(uri));
    const [{ mergeEnvLayers }, { loaderVariablesPassedOn }] = await Promise.all([lazyCore.envLayers(), lazyCore.loaderVariables()]);
    const refused = loaderVariablesPassedOn(layers, (name) => !own.includes(name));
    if (refused.length > 0) {
      const sets = refused.map((f) => vscode.l10n.t('{0} sets {1}', f.source, f.names.join(', '))).join('; ');
      throw new EnvFileError(vscode.l10n.t('{0}: these decide which code programs load or which commands run, so Custodian does not take them from an env file; nothing was started.', sets), {
        hint: vscode.l10n.t('An encrypted file\'s values are not reviewed, and anyone who can push can commit one. If you mean them, set them in the launch configuration\'s or task\'s own "env", which a reviewer sees, or run the program in a terminal with "custodian run --allow-env NAME".'),
      });
    }
    return mergeEnvLayers(layers);
  };

  private async layer(uri: vscode.Uri): Promise<EnvLayer> {
    const name = vscode.workspace.asRelativePath(uri);
    let bytes: Uint8Array;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_ENV_FILE_BYTES) throw new EnvFileError(vscode.l10n.t('{0} is too large to be an env file.', name));
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch (err) {
      if (err instanceof EnvFileError) throw err;
      throw new EnvFileError(vscode.l10n.t('Cannot read the env file {0}: {1}', name, describeError(err)), { cause: err, hint: vscode.l10n.t('Check the path in custodianEnvFiles (relative to the workspace folder).') });
    }
    let plaintext = bytes;
    try {
      const [{ isArmored }, { parseDotenv }, { firstSealedValue }] = await Promise.all([lazyCore.armor(), lazyCore.dotenv(), lazyCore.envLayers()]);
      if (/\.enc(\.asc)?$/i.test(uri.path) || isArmored(bytes)) plaintext = await this.decrypt(bytes, name, isArmored(bytes));
      else if (looksValueEncrypted(new TextDecoder().decode(bytes))) plaintext = await this.openValues(bytes, name);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
      } catch {
        throw new EnvFileError(vscode.l10n.t('{0} is not UTF-8 text, so it is not an env file.', name));
      }
      let layer: EnvLayer;
      try {
        layer = { source: name, entries: parseDotenv(text) };
      } catch (err) {
        // The parser's message gives the line number and never the line's text.
        throw new EnvFileError(vscode.l10n.t('{0}: {1}', name, describeError(err)), { cause: err, hint: vscode.l10n.t('Each line is NAME=value, a comment or blank (docs/DOTENV.md).') });
      }
      const sealed = firstSealedValue(layer);
      if (sealed?.kind === 'values') {
        throw new EnvFileError(vscode.l10n.t('{0}: line {1} holds a value-encrypted value, which cannot be passed on as is.', name, sealed.line), { hint: vscode.l10n.t('Encrypt the whole file to a .enc file instead.') });
      }
      if (sealed?.kind === 'selection') {
        throw new EnvFileError(vscode.l10n.t('{0}: line {1} holds an encrypted selection, which cannot be passed on as is.', name, sealed.line), {
          hint: vscode.l10n.t('Encrypt the file\'s values instead ("Encrypt Values for Team"), or the whole file to a .enc file.'),
        });
      }
      return layer;
    } finally {
      plaintext.fill(0);
      bytes.fill(0);
    }
  }

  /** A value-encrypted .env (docs/VALUES.md): every value, its MAC and signature verified, in memory. */
  private async openValues(bytes: Uint8Array, name: string): Promise<Uint8Array> {
    const [values, backend] = await Promise.all([lazyCore.values(), this.deps.backend()]);
    let identities;
    let document: string;
    let signed: { header: EnvelopeInfo; signature: SignatureStatus };
    try {
      const text = utf8DecodeKeepingBom(bytes);
      const info = await values.inspectValues(text, 'dotenv', backend);
      identities = await this.deps.session.identitiesFor(info.recipients, name, info.recipientPolicy);
      const opened = await values.openValues(text, { format: 'dotenv', identities, backend });
      try {
        document = opened.document;
        signed = { header: { version: 1, recipients: info.recipients, chunkSize: 0, headerSize: 0 }, signature: opened.signature };
      } finally {
        opened.dispose();
      }
    } catch (err) {
      throw this.cannotDecrypt(err, name);
    } finally {
      if (identities) this.deps.session.release(...identities);
    }
    // Asked with the keys released and the data key zeroed: a dialog may stay open a while.
    await this.checkSigner(name, bytes, signed.header, signed.signature);
    return new TextEncoder().encode(document);
  }

  private async decrypt(bytes: Uint8Array, name: string, armored: boolean): Promise<Uint8Array> {
    const [{ decryptBytes, inspectEnvelope }, backend] = await Promise.all([lazyCore.envelope(), this.deps.backend()]);
    const ciphertext = armored ? new TextDecoder().decode(bytes) : bytes;
    let identities;
    let decrypted: DecryptedBytes;
    try {
      const header = await inspectEnvelope(ciphertext);
      identities = await this.deps.session.identitiesFor(header.recipients, name, header.recipientPolicy);
      decrypted = await decryptBytes(ciphertext, { identities, backend });
    } catch (err) {
      throw this.cannotDecrypt(err, name);
    } finally {
      if (identities) this.deps.session.release(...identities);
    }
    try {
      await this.checkSigner(name, bytes, decrypted.header, decrypted.signature);
    } catch (err) {
      decrypted.plaintext.fill(0);
      throw err;
    }
    return decrypted.plaintext;
  }

  /** A failure to open `name`, naming it (once). */
  private cannotDecrypt(err: unknown, name: string): Error {
    if (err instanceof CustodianError && err.message.includes(name)) return err;
    return new EnvFileError(vscode.l10n.t('Cannot decrypt {0}: {1}', name, describeError(err)), { cause: err, hint: err instanceof CustodianError ? err.hint : undefined });
  }
}
