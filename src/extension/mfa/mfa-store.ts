// Shared MFA seeds: `.custodian/mfa/<name>.otpauth.enc`, each an `.enc` envelope (docs/FORMAT.md) holding
// one canonical `otpauth://totp/…` URI, encrypted to the team roster (+ me) and signed by my default key.
// Only the file name is visible without a key; issuer, account, parameters and secret are inside
// (docs/SHARED-MFA.md). Listing reads headers only; a seed is decrypted only when a code is asked for.
import * as vscode from 'vscode';
import type { CryptoBackend } from '../../core/crypto-backend';
import type { SignatureStatus } from '../../core/envelope';
import { utf8Decode, utf8Encode, zeroize } from '../../core/bytes';
import {
  CustodianError,
  FormatError,
  HeaderAuthError,
  InvalidArgumentError,
  NoIdentityMatchedError,
  OtpFormatError,
  PayloadAuthError,
  SignatureError,
  describeError,
} from '../../core/errors';
import type { TotpKey } from '../../core/otpauth';
import { type CryptoSession, NotARecipientError } from '../crypto-session';
import { policyForNewFile } from '../../core/recipient-policy';
import { lazyCore, type EnvelopeModule } from '../lazy-core';
import type { ActiveKeyStore } from '../storage/active-key-store';
import type { Roster } from '../storage/roster';
import { stripExtension, validateEntryName } from '../storage/entry-names';
import { entryNameProblem } from '../ui/name-rules';
import { KeyNotFoundError, SecretStorageError } from '../storage/key-store';
import { versionOf, WorkspaceFileStore, type FileVersion } from '../storage/workspace-file-store';
import { exists, inFolder, targetFolder, workspaceFolders, writeFileAtomic } from '../storage/workspace-files';
import { resolveRecipients, type RecipientOptions } from './mfa-crypto';

export const MFA_DIR = ['.custodian', 'mfa'] as const;
export const MFA_EXT = '.otpauth.enc';
/** A URI is under 2 KiB; the header grows by ~0.5 KiB per recipient (at most 256). */
const MAX_MFA_FILE_BYTES = 1024 * 1024;

export type MfaProblemKind = 'damaged' | 'not-recipient' | 'tampered' | 'invalid' | 'keychain' | 'unreadable';

export interface MfaProblem {
  kind: MfaProblemKind;
  /** Safe to show: a typed error's message, never the seed. */
  message: string;
  hint?: string;
  /** The error class name, for tests. */
  errorName: string;
}

export interface MfaEntry {
  /** File name without `.otpauth.enc`. */
  name: string;
  uri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  /** Recipient fingerprints from the header (readable without a key). */
  recipients: readonly string[];
  /** Signer fingerprint named in the header, if any. */
  signer?: string;
  /** Why no code can be shown, when known: from the header, or from the last failed attempt to open it. */
  problem?: MfaProblem;
  /** `mtime:size` of the file when listed: facts learnt from one version never describe another. */
  version: string;
}

export type SignerKind = 'me' | 'teammate' | 'unknown' | 'unsigned';

/** What opening an entry gave: the key (secret included: zeroize `key.secret` when done) and who signed it. */
export interface OpenedMfa {
  entry: MfaEntry;
  key: TotpKey;
  /** `mtime:size` of the file that was decrypted. */
  version: string;
  signer: { kind: SignerKind; name?: string; fingerprint?: string };
}

/** Non-secret facts learnt by opening an entry, shown until the file changes. */
export interface MfaLabel {
  issuer?: string;
  account: string;
  algorithm: string;
  digits: number;
  period: number;
  signer: OpenedMfa['signer'];
}

export interface AddMfaOptions extends RecipientOptions {
  folder?: vscode.Uri;
  overwrite?: boolean;
}

/** `Amazon Web Services` → `amazon-web-services`. */
export function suggestMfaName(issuer: string | undefined, account: string | undefined): string | undefined {
  const base = issuer ?? account;
  if (!base) return undefined;
  const slug = base.toLowerCase().replace(/[^a-z0-9._@+-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '').slice(0, 64);
  return slug && !validateEntryName(slug) ? slug : undefined;
}

export function normalizeMfaName(name: string): string {
  return stripExtension(name, MFA_EXT);
}

/** What the header alone shows (no keychain access): none of my keys can open the file. */
const NOT_A_RECIPIENT: MfaProblem = {
  kind: 'not-recipient',
  message: vscode.l10n.t('None of your keys is a recipient of this file.'),
  hint: vscode.l10n.t('Ask a teammate who can open it to add you to the team roster and add it again (or re-encrypt it for the team).'),
  errorName: 'NotARecipientError',
};

/** What the header of one version of an MFA file says (or why it could not be read). */
interface Header {
  recipients: readonly string[];
  signer?: string;
  problem?: MfaProblem;
}

export function classifyProblem(err: unknown): MfaProblem {
  const base = { message: describeError(err), hint: err instanceof CustodianError ? err.hint : undefined, errorName: err instanceof Error ? err.name : 'Error' };
  let kind: MfaProblemKind;
  // A key of mine matched a stanza but could not open it: the stanza (or the header) was changed.
  if (err instanceof NoIdentityMatchedError && err.failures.length > 0) kind = 'tampered';
  else if (err instanceof NoIdentityMatchedError || err instanceof NotARecipientError) kind = 'not-recipient';
  else if (err instanceof HeaderAuthError || err instanceof PayloadAuthError || err instanceof SignatureError) kind = 'tampered';
  else if (err instanceof FormatError) kind = 'damaged';
  else if (err instanceof OtpFormatError) kind = 'invalid';
  else if (err instanceof SecretStorageError || err instanceof KeyNotFoundError) kind = 'keychain';
  else kind = 'unreadable';
  return { kind, ...base };
}

/** What the MFA store reads and decrypts with. */
export interface MfaStoreDeps {
  session: CryptoSession;
  keys: ActiveKeyStore;
  roster: Roster;
  backend: () => Promise<CryptoBackend>;
}

export class MfaStore implements vscode.Disposable {
  /** Headers are cached per file version, and so are failures and labels below: a late event for our own write cannot wipe them. */
  private readonly files: WorkspaceFileStore<Header>;
  /** Fires when an MFA file changes on disk (debounced) or through this class, or my keys change. */
  readonly onDidChange: vscode.Event<void>;
  /** Fires with each MFA file that changed or was deleted: anything decrypted from it is stale. */
  readonly onDidChangeFile: vscode.Event<vscode.Uri>;
  /** Failures of the last attempt to open a file, by uri, valid for the file version it was made on. */
  private readonly failures = new Map<string, { version: FileVersion; problem: MfaProblem }>();
  private readonly labels = new Map<string, { version: FileVersion; label: MfaLabel }>();
  private readonly session: CryptoSession;

  constructor(private readonly deps: MfaStoreDeps) {
    this.session = deps.session;
    this.files = new WorkspaceFileStore({ dir: MFA_DIR, depth: 'files', read: readHeader, alsoChangesOn: [deps.keys.onDidChange] });
    this.onDidChange = this.files.onDidChange;
    this.onDidChangeFile = this.files.onDidChangeFile;
  }

  dispose(): void {
    this.files.dispose();
  }

  mfaDir(folder: vscode.WorkspaceFolder): vscode.Uri {
    return this.files.dir(folder);
  }

  /** Every MFA file in every workspace folder, problems included. Reads headers only (cached by mtime). */
  async list(): Promise<MfaEntry[]> {
    const out: MfaEntry[] = [];
    for (const folder of workspaceFolders()) out.push(...(await this.listFolder(folder)));
    return out;
  }

  /** By file name; in the given folder, else the first folder that has it. */
  async find(name: string, folderUri?: vscode.Uri): Promise<MfaEntry | undefined> {
    const wanted = normalizeMfaName(name);
    const inWanted = inFolder(folderUri);
    return (await this.list()).find((e) => e.name === wanted && inWanted(e.folder));
  }

  async require(name: string, folderUri?: vscode.Uri): Promise<MfaEntry> {
    const entry = await this.find(name, folderUri);
    if (!entry) throw new CustodianError(vscode.l10n.t('There is no shared MFA entry "{0}" ({1}/<name>{2}).', normalizeMfaName(name), MFA_DIR.join('/'), MFA_EXT));
    return entry;
  }

  label(entry: MfaEntry): MfaLabel | undefined {
    const known = this.labels.get(entry.uri.toString());
    return known && known.version === entry.version ? known.label : undefined;
  }

  /** `mtime:size` of the file now; undefined when it is gone. */
  async version(uri: vscode.Uri): Promise<string | undefined> {
    try {
      return versionOf(await vscode.workspace.fs.stat(uri));
    } catch {
      return undefined;
    }
  }

  /**
   * Decrypts an entry in memory. A failure is remembered on the entry (the tree shows it) and rethrown.
   * The caller owns `key.secret` and zeroizes it when done.
   */
  async open(entry: MfaEntry): Promise<OpenedMfa> {
    const id = entry.uri.toString();
    let stat: vscode.FileStat | undefined;
    try {
      stat = await vscode.workspace.fs.stat(entry.uri);
      const opened = await this.decrypt(entry, stat);
      this.failures.delete(id);
      const k = opened.key;
      this.labels.set(id, {
        version: opened.version,
        label: { issuer: k.issuer, account: k.account, algorithm: k.algorithm, digits: k.digits, period: k.period, signer: opened.signer },
      });
      return opened;
    } catch (err) {
      const problem = classifyProblem(err);
      if (stat) this.failures.set(id, { version: versionOf(stat), problem });
      this.files.changed();
      throw err;
    }
  }

  /** Throws what `add` would throw for want of recipients or of my key, before anyone pastes a seed. */
  async checkCanAdd(folder: vscode.WorkspaceFolder, options: RecipientOptions = {}): Promise<void> {
    await resolveRecipients(this.deps.roster, this.session, folder, options);
    this.session.release(await this.session.signer());
  }

  /** Encrypts `key` to the folder's team (see RecipientOptions) signed by my default key, as `<name>.otpauth.enc`. */
  async add(name: string, key: TotpKey, options: AddMfaOptions = {}): Promise<{ entry: MfaEntry; recipients: number }> {
    const clean = normalizeMfaName(name);
    const invalid = entryNameProblem(clean);
    if (invalid) throw new InvalidArgumentError(vscode.l10n.t('"{0}" cannot be a shared MFA name. {1}', clean, invalid));
    const folder = targetFolder(options.folder);
    const dir = this.mfaDir(folder);
    const uri = vscode.Uri.joinPath(dir, clean + MFA_EXT);
    if (!options.overwrite && (await exists(uri))) {
      throw new CustodianError(vscode.l10n.t('{0}/{1}{2} already exists.', MFA_DIR.join('/'), clean, MFA_EXT), { hint: vscode.l10n.t('Choose another name, or remove that entry first.') });
    }
    const recipients = await resolveRecipients(this.deps.roster, this.session, folder, options);
    const [{ encryptBytes }, { formatOtpAuthUri }, backend] = await Promise.all([
      lazyCore.envelope(),
      lazyCore.otpauth(),
      this.deps.backend(),
    ]);
    const plaintext = utf8Encode(formatOtpAuthUri(key));
    let sealed: Uint8Array;
    let signer;
    try {
      signer = await this.session.signer();
      const team = await this.session.teamFingerprints(folder.uri);
      const recipientPolicy = policyForNewFile(uri.path, recipients.map((k) => k.fingerprint), team);
      sealed = await encryptBytes(plaintext, { recipients, signer, backend, recipientPolicy });
    } finally {
      zeroize(plaintext);
      this.session.release(signer);
    }
    await vscode.workspace.fs.createDirectory(dir);
    await writeFileAtomic(uri, sealed, { overwrite: options.overwrite === true });
    this.forget(uri);
    this.files.changed(uri);
    const entry = (await this.find(clean, folder.uri)) ?? { name: clean, uri, folder, recipients: [], version: '' };
    return { entry, recipients: recipients.length };
  }

  async remove(entry: MfaEntry): Promise<void> {
    await vscode.workspace.fs.delete(entry.uri, { useTrash: false });
    this.forget(entry.uri);
    this.files.changed(entry.uri);
  }

  private forget(uri: vscode.Uri): void {
    const id = uri.toString();
    this.failures.delete(id);
    this.labels.delete(id);
  }

  private async decrypt(entry: MfaEntry, stat: vscode.FileStat): Promise<OpenedMfa> {
    if (stat.size > MAX_MFA_FILE_BYTES) throw new FormatError(vscode.l10n.t('Too large to be a shared MFA file ({0} bytes).', stat.size));
    const bytes = await vscode.workspace.fs.readFile(entry.uri);
    const [{ decryptBytes, describeSigner, inspectEnvelope }, { parseOtpAuthUri }, backend] = await Promise.all([
      lazyCore.envelope(),
      lazyCore.otpauth(),
      this.deps.backend(),
    ]);
    const header = await inspectEnvelope(bytes);
    const identities = await this.session.identitiesFor(header.recipients, `${entry.name}${MFA_EXT}`);
    let decrypted;
    try {
      decrypted = await decryptBytes(bytes, { identities, backend });
    } finally {
      this.session.release(...identities);
    }
    const { plaintext, signature } = decrypted;
    let key;
    try {
      key = parseOtpAuthUri(utf8Decode(plaintext));
    } catch (err) {
      // The message never quotes the URI; say which file it is.
      throw new OtpFormatError(vscode.l10n.t('{0}{1} decrypts, but not to a valid otpauth:// URI: {2}', entry.name, MFA_EXT, describeError(err)), { cause: err });
    } finally {
      zeroize(plaintext);
    }
    if (key.type !== 'totp') {
      zeroize(key.secret);
      throw new OtpFormatError(vscode.l10n.t('{0}{1} holds an HOTP (counter-based) key; Shared MFA supports TOTP only.', entry.name, MFA_EXT), {
        hint: vscode.l10n.t('A shared counter cannot be kept in step between teammates.'),
      });
    }
    return { entry, key, version: versionOf(stat), signer: await this.describeSignature(signature, describeSigner) };
  }

  private async describeSignature(
    signature: SignatureStatus,
    describeSigner: EnvelopeModule['describeSigner'],
  ): Promise<OpenedMfa['signer']> {
    if (signature.kind === 'unsigned') return { kind: 'unsigned' };
    const fingerprint = signature.signer.fingerprint;
    const mine = this.deps.keys.current.findByFingerprint(fingerprint);
    if (mine) return { kind: 'me', name: mine.name, fingerprint };
    const members = await this.deps.roster.members();
    const d = describeSigner(
      signature,
      members.map((m) => m.key),
    );
    if (d.kind === 'known') {
      const member = members.find((m) => m.key.fingerprint === d.key.fingerprint);
      return { kind: 'teammate', name: member?.identity, fingerprint };
    }
    return { kind: 'unknown', fingerprint };
  }

  private async listFolder(folder: vscode.WorkspaceFolder): Promise<MfaEntry[]> {
    const dir = this.mfaDir(folder);
    const files = (await this.files.entries(folder))
      .filter(([n, type]) => type === vscode.FileType.File && n.toLowerCase().endsWith(MFA_EXT) && n.length > MFA_EXT.length)
      .map(([n]) => n)
      .sort((a, b) => a.localeCompare(b));
    const entries: MfaEntry[] = [];
    for (const file of files) {
      const uri = vscode.Uri.joinPath(dir, file);
      const name = file.slice(0, -MFA_EXT.length);
      const { value: header, version } = await this.files.read(uri).catch((err: unknown) => ({ value: unreadable(err), version: '' }));
      const failure = this.failures.get(uri.toString());
      let problem = header.problem;
      if (!problem && failure?.version === version) problem = failure.problem;
      if (!problem && !this.session.canDecrypt(header.recipients)) problem = NOT_A_RECIPIENT;
      entries.push({ name, uri, folder, recipients: header.recipients, signer: header.signer, problem, version });
    }
    return entries;
  }
}

function unreadable(err: unknown): Header {
  return { recipients: [], problem: { ...classifyProblem(err), kind: 'unreadable' } };
}

/** One version of an MFA file's header: readable without a key. */
async function readHeader(uri: vscode.Uri, stat: vscode.FileStat): Promise<Header> {
  try {
    if (stat.size > MAX_MFA_FILE_BYTES) throw new FormatError(vscode.l10n.t('Too large to be a shared MFA file ({0} bytes).', stat.size));
    const { inspectEnvelope } = await lazyCore.envelope();
    const info = await inspectEnvelope(await vscode.workspace.fs.readFile(uri));
    return { recipients: info.recipients, signer: info.signer?.fingerprint };
  } catch (err) {
    return { recipients: [], problem: classifyProblem(err) };
  }
}

