// `custodian-values:` — a value-encrypted .env, JSON or YAML file (docs/VALUES.md) seen decrypted. Reading
// opens it in memory with my keys; saving re-seals it for the file's own recipients with the same data
// key, so every value I did not change keeps its token byte for byte and `git diff` shows the values I
// changed plus the metadata's mac=/signature= lines. Signed by my default key. Plaintext exists only in
// memory (BackupGuard keeps hot-exit backups of this scheme off the disk too).
import * as vscode from 'vscode';
import { BackedFileSystem } from './backed-file-system';
import { hasConflictMarkers } from '../../core/conflict-markers';
import { utf8DecodeKeepingBom } from '../../core/bytes';
import { CustodianError } from '../../core/errors';
import type { EnvelopeInfo, SignatureStatus } from '../../core/envelope';
import type { RecipientPolicy } from '../../core/envelope-header';
import { sameFingerprints } from '../../core/fingerprint-set';
import { policyForSave } from '../../core/recipient-policy';
import type { OpenedValues, SelectionRule, ValuesFormatName } from '../../core/values';
import { signerVouched, unreadableDescription, type CryptoSession, type EnvelopeDescription } from '../crypto-session';
import { lazyCore } from '../lazy-core';
import type { EncryptionServices } from '../commands/encrypt/deps';
import { errorMessageWithHint, messageWithHint } from '../ui/messages';
import type { BackupGuard } from './backup-guard';
import { basename } from './enc-uri';
import { MAX_INLINE_BYTES } from './encrypted-documents';
import { writeFileAtomic } from '../storage/workspace-files';
import { confirmEmptySave, isBlank } from './empty-save';
import { FormerRecipientsConsent } from './former-recipients';
import { SigningConsent } from './signing-consent';
import { fromValuesUri, isShownValuesUri, toValuesUri, VALUES_SCHEME } from './values-uri';
import { CommittedVersions } from '../git/committed-versions';
import { KeyedDigest } from '../keyed-digest';
import type { Rollback } from '../git/git-blobs';
import { GIT_SCHEME, readGitBlob, statGitBlob, toGitUri } from '../git/git-blobs';

interface Entry {
  description: EnvelopeDescription;
  recipients: readonly string[];
  /** What an edit is checked against (valuesSaveProblem): the file's rule, and the slips it held when read. */
  edit: EditContext;
}

/** The file's selection rule, and the names of the values a slip of syntax left readable in it (valuesReadableSlips). */
export interface EditContext {
  readonly rule: SelectionRule;
  readonly slips: readonly string[];
}

/** A committed value file as a save compares it: a keyed digest of its document, its recipients and rule. */
interface CommittedValues {
  digest: Uint8Array;
  recipients: readonly string[];
  recipientPolicy?: RecipientPolicy;
  /** `ruleToString` of its rule. */
  rule: string;
}

export class ValuesFileSystem extends BackedFileSystem {
  private readonly infoEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with a decrypted URI whose recipients/signer description changed (opened, saved). */
  readonly onDidChangeInfo = this.infoEmitter.event;
  private readonly entries = new Map<string, Entry>();
  private readonly signing: SigningConsent;
  private readonly former: FormerRecipientsConsent;
  private readonly committed: CommittedVersions<CommittedValues>;
  /** Digests of committed documents: compared, never kept in the clear. */
  private readonly digests = new KeyedDigest();

  constructor(
    private readonly services: EncryptionServices,
    private readonly session: CryptoSession,
    private readonly guard: BackupGuard,
    /** When a file is an older version back (git-blobs.ts): a save signing it anew asks first. */
    rollbackOf?: (file: vscode.Uri) => Promise<Rollback | undefined>,
  ) {
    // Created too: an atomic replace (a re-key, `custodian set`, git) can reach the watcher as a new file.
    super(fromValuesUri, [vscode.FileChangeType.Changed, vscode.FileChangeType.Created, vscode.FileChangeType.Deleted], isShownValuesUri);
    this.committed = new CommittedVersions(() => services.trust.isTrusted, (bytes, file) => this.learnCommitted(bytes, file));
    this.former = new FormerRecipientsConsent(session);
    this.signing = new SigningConsent(rollbackOf);
  }

  override dispose(): void {
    super.dispose();
    this.infoEmitter.dispose();
  }

  /** Recipients and signer of an open decrypted document (undefined until it was read). */
  describe(uri: vscode.Uri): EnvelopeDescription | undefined {
    return this.entries.get(key(uri))?.description;
  }

  recipientsOf(uri: vscode.Uri): readonly string[] | undefined {
    return this.entries.get(key(uri))?.recipients;
  }

  /** What an edit of an open decrypted document is checked against (undefined until it was read). */
  editContextOf(uri: vscode.Uri): EditContext | undefined {
    return this.entries.get(key(uri))?.edit;
  }

  override async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const file = fromValuesUri(uri);
    // A version in git (a diff's side) is read-only.
    if (file.scheme === GIT_SCHEME) return statGitBlob(file);
    return this.guard.guardStat(await super.stat(uri), file);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    this.checkShown(uri, false);
    void this.guard.ensure();
    const file = fromValuesUri(uri);
    // A version absent from git (a file added or deleted on that side) is empty, as git shows it.
    if (file.scheme === GIT_SCHEME && (await statGitBlob(file)).size === 0) return new Uint8Array(0);
    try {
      const { values: opened, document } = await this.open(file);
      // What I agreed to sign was the content read before (a pull may have changed it): asked again.
      this.signing.forget(uri);
      this.former.forget(uri);
      try {
        return new TextEncoder().encode(document);
      } finally {
        opened.dispose();
      }
    } catch (err) {
      this.services.log.warn(`open ${basename(file.path)}: ${err instanceof Error ? err.name : 'Error'}`);
      const entry = file.scheme === GIT_SCHEME ? undefined : this.entries.get(key(file));
      if (entry) {
        // An open document whose file changed and no longer opens: the status bar says so.
        entry.description = unreadableDescription(entry.description, basename(file.path), err instanceof Error ? err.message : String(err));
        this.infoEmitter.fire(toValuesUri(file));
      }
      if (err instanceof vscode.FileSystemError) throw err;
      throw vscode.FileSystemError.Unavailable(errorMessageWithHint(err));
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    this.checkShown(uri, true);
    await this.guard.ensure();
    const file = fromValuesUri(uri);
    if (file.scheme === GIT_SCHEME) throw vscode.FileSystemError.NoPermissions(uri);
    try {
      let document: string;
      try {
        document = utf8DecodeKeepingBom(content);
      } catch {
        throw new CustodianError(vscode.l10n.t('Cannot save {0}: the text is not UTF-8.', basename(file.path)));
      }
      // What is wrong with the text comes before anything is read or unwrapped: it is the edit that is
      // refused, not the file on disk (which a FormatError from sealing would be reported as, damaged).
      // Conflict markers would parse in places (inside a YAML block scalar): refused wherever they are.
      if (hasConflictMarkers(document)) {
        throw new CustodianError(vscode.l10n.t('Not saved: {0} still has merge conflict markers. Keep the version you want between them (or use "Resolve in Merge Editor"), then save. The file on disk is unchanged.', basename(file.path)), { hint: autoSaveHint(uri) });
      }
      const problem = (await lazyCore.values()).valuesDocumentProblem(document, await formatOf(file));
      if (problem) throw new CustodianError(vscode.l10n.t('Not saved: {0} The file on disk is unchanged.', messageWithHint(problem.message, problem.hint)), { hint: autoSaveHint(uri) });
      // Opened again from disk: the data key is never kept between a read and a save.
      const { values: opened, document: before } = await this.open(file);
      let committed: Uint8Array | undefined;
      let recipients = opened.info.recipients;
      const known = await this.session.knownKeys();
      let newlyReadable: string[] = [];
      try {
        newlyReadable = await readableByRuleOnly(document, before, await formatOf(file), opened.info.rule);
        // What the text means beside the file's rule: an alias copying an encrypted value, or a value a
        // slip of syntax would write readable (`pass: &Sup3r!`) that the file did not hold before.
        const edit = this.entries.get(key(file))?.edit;
        const saveProblem = edit && (await lazyCore.values()).valuesSaveProblem(document, await formatOf(file), edit.rule, edit.slips);
        if (saveProblem) throw new CustodianError(vscode.l10n.t('Not saved: {0} The file on disk is unchanged.', messageWithHint(saveProblem.message, saveProblem.hint)), { hint: autoSaveHint(uri) });
        if (isBlank(document) && !isBlank(before)) await confirmEmptySave(basename(file.path));
        committed = await this.committedBytes(file, document, opened);
        if (committed === undefined) {
          recipients = await this.former.recipientsForSave(uri, file, basename(file.path), recipients, known);
          await this.confirmSigning(uri, basename(file.path));
        }
      } catch (err) {
        opened.dispose();
        throw err;
      }
      let bytes: Uint8Array;
      if (committed !== undefined) {
        // What the last commit holds, for the same recipients and rule: its bytes go back, git sees no change.
        opened.dispose();
        bytes = committed;
        this.services.log.info(`save ${basename(file.path)}: the committed text, written back as committed`);
      } else {
        const [backend, signer] = await Promise.all([this.services.backend(), this.session.signer()]);
        try {
          // A "chosen" written by someone I do not vouch for counts for nothing, and is not signed again as mine.
          const recipientPolicy = policyForSave(file.path, opened.info.recipientPolicy, signerVouched(this.describe(uri))) ?? null;
          if (recipients === opened.info.recipients) bytes = new TextEncoder().encode(await opened.reseal(document, { backend, signer, recipientPolicy }));
          else {
            // Fewer recipients: a new data key (VALUES.md §6), as a re-key seals it; the rule and policy kept.
            const keys = (await this.session.resolve(recipients, known)).map((k) => k.key);
            const { sealValues } = await lazyCore.values();
            bytes = new TextEncoder().encode(
              await sealValues(document, { format: await formatOf(file), recipients: keys, signer, backend, rule: opened.info.rule, recipientPolicy: recipientPolicy ?? undefined }),
            );
          }
        } finally {
          opened.dispose();
          this.session.release(signer);
        }
      }
      await writeFileAtomic(file, bytes, { overwrite: true });
      await this.open(file).then(({ values }) => values.dispose());
      if (newlyReadable.length > 0) void warnReadableByRule(basename(file.path), newlyReadable, opened.info.rule);
    } catch (err) {
      this.services.log.warn(`save ${basename(file.path)}: ${err instanceof Error ? err.name : 'Error'}`);
      if (err instanceof vscode.FileSystemError) throw err;
      throw vscode.FileSystemError.Unavailable(errorMessageWithHint(err));
    }
  }

  /**
   * The last commit's bytes of `file` when `document` is what it holds, for the recipients and rule the
   * save would keep (those of the file on disk, `opened`); undefined otherwise. Re-sealing the same
   * document keeps every token but signs anew, so the signature line alone would show as a change.
   */
  private async committedBytes(file: vscode.Uri, document: string, opened: OpenedValues): Promise<Uint8Array | undefined> {
    const version = await this.committed.head(file);
    const c = version?.facts;
    const info = opened.info;
    const { ruleToString } = await lazyCore.values();
    if (!version || !c || c.recipientPolicy !== info.recipientPolicy || c.rule !== ruleToString(info.rule) || !sameFingerprints(c.recipients, info.recipients)) return undefined;
    if (!this.digests.same(c.digest, this.digests.of(document))) return undefined;
    return this.committed.bytes(file, version.id);
  }

  /** What a committed version holds (CommittedVersions' `learn`): only a keyed digest of its document is kept. */
  private async learnCommitted(bytes: Uint8Array, file: vscode.Uri): Promise<CommittedValues | undefined> {
    const { values: opened, conflicted } = await this.decrypt(file, utf8DecodeKeepingBom(bytes));
    try {
      if (conflicted) return undefined;
      const { ruleToString } = await lazyCore.values();
      return { digest: this.digests.of(opened.document), recipients: opened.info.recipients, recipientPolicy: opened.info.recipientPolicy, rule: ruleToString(opened.info.rule) };
    } finally {
      opened.dispose();
    }
  }

  /**
   * Saving signs the whole file as me, values I did not write included: when it is unsigned or signed by a
   * key Custodian does not know, ask first (once per document), as the `.enc` editor does.
   */
  private async confirmSigning(uri: vscode.Uri, what: string): Promise<void> {
    const description = this.describe(uri);
    if (!description) return;
    await this.signing.confirm(uri, fromValuesUri(uri), what, description, (summary) =>
      vscode.l10n.t(
        'Now: {0}.\n\nSaving re-seals the values you changed and signs every value with your key, including those you did not write: teammates will then read them as written by you. Save only if you trust where they came from.',
        summary,
      ),
    );
  }

  /**
   * Opens the file (its text given, or read), records who it is for and who signed it. A file the git
   * merge driver left in conflict shows both sides' plaintexts between markers; its save re-seals the
   * resolved text with ours' data key (`values` is ours), so the result is an ordinary file again.
   */
  private async open(file: vscode.Uri, given?: string): Promise<{ values: OpenedValues; document: string }> {
    const text = given ?? (await readText(file, basename(file.path)));
    const { values: opened, document, recipients, theirs } = await this.decrypt(file, text);
    const known = await this.session.knownKeys();
    const header: EnvelopeInfo = { version: 1, recipients, chunkSize: 0, headerSize: 0 };
    const description = this.session.describe(header, opened.signature, known);
    if (theirs) {
      // In conflict, "signed by" names the current side's signer only: the incoming side is someone else's.
      // The driver re-sealed that side with the merging key, so its signature names whoever merged; git's
      // stage 3 holds the incoming version as its author signed it.
      const committed = await this.incomingSignature(file);
      const incoming = this.session.describe(header, committed ?? theirs, known).signer;
      const by = incoming.kind === 'unsigned' ? vscode.l10n.t('unsigned ⚠') : `${incoming.party.name} ${incoming.kind === 'verified' && incoming.known ? '✓' : '⚠'}`;
      description.summary = committed
        ? vscode.l10n.t('{0} · merge conflict, the incoming side signed by {1}', description.summary, by)
        : vscode.l10n.t('{0} · merge conflict, the incoming side re-sealed in the merge by {1}', description.summary, by);
      description.warning ??= vscode.l10n.t('A merge conflict: both versions are shown between the markers. Keep the one you want (or use "Resolve in Merge Editor"), then save.');
    }
    const { valuesReadableSlips } = await lazyCore.values();
    const rule = opened.info.rule;
    let slips: string[] = [];
    try {
      slips = valuesReadableSlips(document, await formatOf(file), rule).map((s) => s.name);
    } catch {
      // A document in conflict (markers between the two sides) is no document of its format: its save is
      // checked once the markers are gone, against no slip.
    }
    const edit: EditContext = { rule, slips };
    this.entries.set(key(file), { description, recipients, edit });
    this.infoEmitter.fire(toValuesUri(file));
    return { values: opened, document };
  }

  /**
   * The signature of the incoming version of a conflicted `file` as committed (git's stage 3); undefined
   * outside a trusted repository, when git holds no such stage (a conflict committed, or copied), or when
   * that version does not open.
   */
  private async incomingSignature(file: vscode.Uri): Promise<SignatureStatus | undefined> {
    if (file.scheme !== 'file' || !this.services.trust.isTrusted) return undefined;
    try {
      const incoming = toGitUri(file, ':3');
      const text = await readText(incoming, basename(file.path));
      if (text === '') return undefined;
      const { values: opened, conflicted } = await this.decrypt(incoming, text);
      opened.dispose();
      return conflicted ? undefined : opened.signature;
    } catch {
      return undefined;
    }
  }

  /**
   * Opens `text`, a version of `file`, with my keys (a conflicted file: ours, the document with markers,
   * and theirs' signature); records nothing.
   */
  private async decrypt(file: vscode.Uri, text: string): Promise<{ values: OpenedValues; document: string; recipients: string[]; conflicted: boolean; theirs?: SignatureStatus }> {
    const format = await formatOf(file);
    const [values, conflict, backend] = await Promise.all([lazyCore.values(), lazyCore.valuesConflict(), this.services.backend()]);
    const conflicted = conflict.isConflictedValues(text, format);
    // Only the recipients first: opening then checks in the specified order (VALUES.md §9), so an edited
    // value is reported by its name rather than as a signature that no longer verifies.
    const ours = conflicted ? conflict.splitConflict(text)!.ours : text;
    const recipients = values.valuesRecipients(ours, format);
    const identities = await this.session.identitiesFor(recipients, basename(file.path), values.valuesRecipientPolicy(ours, format));
    try {
      if (!conflicted) {
        const opened = await values.openValues(text, { format, identities, backend });
        return { values: opened, document: opened.document, recipients, conflicted };
      }
      const both = await conflict.openConflictedValues(text, { format, identities, backend });
      const theirs = both.theirs.signature;
      both.theirs.dispose();
      return { values: both.ours, document: both.document, recipients, conflicted, theirs };
    } finally {
      this.session.release(...identities);
    }
  }
}

function key(uri: vscode.Uri): string {
  // The file's URI, not the decrypted URI's display path (which follows the workspace folders).
  return fromValuesUri(uri).toString();
}

/** With auto-save on, what makes VS Code wait for a document that parses (the problems are marked as you type). */
function autoSaveHint(uri: vscode.Uri): string | undefined {
  const files = vscode.workspace.getConfiguration('files', uri);
  if (files.get<string>('autoSave') === 'off' || files.get<boolean>('autoSaveWhenNoErrors')) return undefined;
  return vscode.l10n.t('With auto-save on, turn on the setting "files.autoSaveWhenNoErrors": VS Code then saves once the problem marked in the editor is fixed.');
}

export async function formatOf(file: vscode.Uri): Promise<ValuesFormatName> {
  const { valuesFormatForFileName } = await lazyCore.values();
  const format = valuesFormatForFileName(file.path);
  if (!format) throw new CustodianError(vscode.l10n.t('{0} is not a .env, JSON or YAML file.', basename(file.path)));
  return format;
}

export async function readText(file: vscode.Uri, what: string): Promise<string> {
  let bytes: Uint8Array;
  // A version in git (a diff's side) as git stores it.
  if (file.scheme === GIT_SCHEME) bytes = await readGitBlob(file, MAX_INLINE_BYTES);
  else {
    const s = await vscode.workspace.fs.stat(file);
    if (s.size > MAX_INLINE_BYTES) throw new CustodianError(vscode.l10n.t('{0} is too large to open in an editor.', what));
    bytes = await vscode.workspace.fs.readFile(file);
  }
  try {
    // A byte order mark stays part of the document (VALUES.md §3); VS Code shows it as the encoding.
    return utf8DecodeKeepingBom(bytes);
  } catch {
    throw new CustodianError(vscode.l10n.t('{0} is not UTF-8 text.', what));
  }
}

export { VALUES_SCHEME };

/**
 * The values a save writes in the clear that the file did not hold in the clear: added (or renamed) under
 * a key the file's rule leaves readable. A newcomer ticked `key` for `featureFlag.key`, later added
 * `tls.key` holding a private key, and it was written readable without a word (the rule reaches a key
 * wherever it stands, as SOPS's does). Values the rule left readable before are not named again.
 */
async function readableByRuleOnly(document: string, before: string, format: ValuesFormatName, rule: SelectionRule): Promise<string[]> {
  if (rule.kind === 'all') return [];
  const { namesInTheClear } = await lazyCore.values();
  const was = new Set(namesInTheClear(before, format, rule));
  return namesInTheClear(document, format, rule).filter((name) => !was.has(name));
}

/** Said after the save, as `custodian set` says it: a warning, since the value may be a secret. */
async function warnReadableByRule(what: string, names: readonly string[], rule: SelectionRule): Promise<void> {
  const { ruleToString } = await lazyCore.values();
  const list = new Intl.ListFormat(vscode.env.language, { type: 'conjunction' }).format(names);
  void vscode.window.showWarningMessage(
    names.length === 1
      ? vscode.l10n.t('{0} was saved in the clear in {1}, not encrypted: the file\'s rule ({2}) leaves values so named readable. If it is a secret, give it another name and save again.', list, what, ruleToString(rule))
      : vscode.l10n.t('{0} were saved in the clear in {1}, not encrypted: the file\'s rule ({2}) leaves values so named readable. If one is a secret, give it another name and save again.', list, what, ruleToString(rule)),
  );
}
