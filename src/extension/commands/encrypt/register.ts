// Encrypt/decrypt in the editor (issue 5): the custodian-enc file system, the double-click editor,
// CodeLenses, the status-bar item, the Encrypted Files section and the commands (registered as in
// commands/register.ts). Only registrations here: modules load on first use.
import * as vscode from 'vscode';
import { ArmorCodeLensProvider } from '../../editor/armor-codelens';
import { InnerLanguages } from '../../editor/inner-language';
import { DecryptedDecorations } from '../../editor/decorations';
import { ENCRYPTED_EDITOR_VIEW_TYPE, EncryptedEditorProvider } from '../../editor/encrypted-editor';
import { PEEK_SCHEME, PlaintextDocuments } from '../../editor/plaintext-documents';
import { EncryptionStatusBar } from '../../editor/status-bar';
import { SaveAsGuard } from '../../fs/save-as-guard';
import { SearchEditorGuard } from '../../fs/search-editor-guard';
import { BackupGuard } from '../../fs/backup-guard';
import { ENC_SCHEME } from '../../fs/enc-uri';
import { EncryptedDocuments } from '../../fs/encrypted-documents';
import { EncryptedDiffs } from '../../git/encrypted-diffs';
import { rollbacksAmong, type Rollback } from '../../git/git-blobs';
import { MergeConflictCodeLensProvider } from '../../git/merge-codelens';
import { completeMerge, resolveInMergeEditor } from '../../git/merge-editor';
import { VALUES_SCHEME } from '../../fs/values-uri';
import { EncryptedFileSystem } from '../../fs/encrypted-file-system';
import type { EncryptionServices } from './deps';
import { EncryptedFilesSection } from '../../views/sections/encrypted-files-section';
import { copyDecrypted } from '../decrypt/copy-decrypted';
import { decryptSelection } from '../decrypt/decrypt-selection';
import { decryptToFile } from '../decrypt/decrypt-to-file';
import { openDecrypted } from '../decrypt/open-decrypted';
import { previewBlock } from '../decrypt/preview-block';
import { showRecipients } from '../decrypt/show-recipients';
import { restoreTeamVersion } from '../decrypt/restore-team-version';
import { TeamVersions } from '../decrypt/team-version';
import { showTeamChanges } from '../decrypt/show-team-changes';
import { CommandId } from '../ids';
import { registerHandlers, type CommandHost, type Handlers } from '../register';
import { DriftScanner } from '../rekey/drift';
import { ValueFileIndex } from '../../fs/value-file-index';
import { reencryptFiles, reencryptWorkspace } from '../rekey/reencrypt';
import type { EncDeps } from './deps';
import { encryptFiles } from './encrypt-file';
import { encryptSelection } from './encrypt-selection';
import { registerValuesFeature } from '../values/register';
import type { ValuesDeps } from '../values/deps';

const HANDLERS: Handlers<EncDeps> = [
  [CommandId.EncryptSelection, encryptSelection],
  [CommandId.DecryptSelection, decryptSelection],
  [CommandId.EncryptFile, encryptFiles],
  [CommandId.OpenDecrypted, openDecrypted],
  [CommandId.DecryptToFile, decryptToFile],
  [CommandId.CopyDecrypted, copyDecrypted],
  [CommandId.ShowRecipients, showRecipients],
  [CommandId.ShowTeamChanges, showTeamChanges],
  [CommandId.RestoreTeamVersion, restoreTeamVersion],
  [CommandId.PreviewBlock, previewBlock],
  [CommandId.ReencryptFile, reencryptFiles],
  [CommandId.ReencryptWorkspace, reencryptWorkspace],
  [CommandId.ResolveInMergeEditor, resolveInMergeEditor],
  [CommandId.CompleteMerge, completeMerge],
];

/** What the encryption feature exposes to tests (through the extension's API). */
export interface EncryptionFeature {
  readonly deps: EncDeps;
  readonly statusBar: EncryptionStatusBar;
  readonly backupGuard: BackupGuard;
  readonly section: EncryptedFilesSection;
  /** Which workspace files are value-encrypted (the menus' context key). */
  readonly valueFiles: ValueFileIndex;
  /** The lock on decrypted documents' tabs. */
  readonly decorations: DecryptedDecorations;
  /** Value-encrypted .env/JSON/YAML files (custodian-values:). */
  readonly values: ValuesDeps;
}

export function registerEncryptionCommands(context: vscode.ExtensionContext, host: CommandHost, services: EncryptionServices): EncryptionFeature {
  const session = services.session;
  const backupGuard = new BackupGuard(context, services.log);
  // git runs with the repository's config: only in a trusted workspace.
  const rollbacks = async (files: readonly vscode.Uri[]): Promise<Map<string, Rollback>> => {
    if (!services.trust.isTrusted) return new Map();
    const teams = await TeamVersions.load({ services, session });
    return rollbacksAmong(files, (file, version) => teams.claimsTeamSigner(file, version));
  };
  const rollbackOf = async (file: vscode.Uri): Promise<Rollback | undefined> => (await rollbacks([file])).get(file.fsPath);
  const documents = new EncryptedDocuments(services, session, rollbackOf);
  const languages = new InnerLanguages(services.log);
  const fs = new EncryptedFileSystem(documents, services.log, backupGuard, languages);
  const peek = new PlaintextDocuments(
    PEEK_SCHEME,
    vscode.l10n.t('(This preview has expired. Run "Decrypt" on the block again.)') + '\n',
    vscode.l10n.t('a decrypted block'),
    services.globalStorageUri,
  );
  const valueFiles = new ValueFileIndex();
  const drift = new DriftScanner(services, session, valueFiles, rollbacks);
  const values = registerValuesFeature(context, host, services, backupGuard, rollbackOf);
  const deps: EncDeps = { services, session, fs, valuesFs: values.fs, peek, drift };
  // One drift scan gives both (it works out the file's rollback too); a link's entry carries none, so it is asked for.
  const annotationOf = async (file: vscode.Uri): Promise<{ rollback?: Rollback; missing: string[] }> => {
    const entry = (await drift.scan([file])).entries.find((e) => e.uri.toString() === file.toString());
    const rollback = entry === undefined || entry.status === 'linked' ? await rollbackOf(file) : entry.rollback;
    return { rollback, missing: entry?.missing.map((p) => p.name) ?? [] };
  };
  const statusBar = new EncryptionStatusBar(documents, values.fs, annotationOf);
  context.subscriptions.push(services.roster.onDidChange(() => statusBar.refresh()));
  const codeLens = new ArmorCodeLensProvider(session);
  const section = new EncryptedFilesSection(services, drift, valueFiles.onDidChange);
  const diffs = new EncryptedDiffs(services.log, valueFiles);
  const mergeLens = new MergeConflictCodeLensProvider();
  const decorations = new DecryptedDecorations();
  const isDecryptedView = (uri: vscode.Uri): boolean => uri.scheme === ENC_SCHEME || uri.scheme === VALUES_SCHEME || uri.scheme === PEEK_SCHEME;
  const saveAsGuard = new SaveAsGuard(isDecryptedView, services.log);
  const searchEditorGuard = new SearchEditorGuard(isDecryptedView, services.log);

  // The menus need the index once VS Code has started, whether or not the Custodian view is open.
  setTimeout(() => void valueFiles.scan(), 0);

  context.subscriptions.push(
    valueFiles,
    saveAsGuard,
    searchEditorGuard,
    documents,
    fs,
    diffs,
    peek,
    statusBar,
    codeLens,
    section,
    services.views.addSection(section),
    vscode.workspace.registerFileSystemProvider(ENC_SCHEME, fs, { isCaseSensitive: true, isReadonly: backupGuard.readOnlyReason() }),
    vscode.window.registerCustomEditorProvider(ENCRYPTED_EDITOR_VIEW_TYPE, new EncryptedEditorProvider(services, fs, diffs), {
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.window.registerFileDecorationProvider(decorations),
    languages,
    vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: ENC_SCHEME }], services.trust.codeLensesWhenTrusted(codeLens)),
    mergeLens,
    // It runs git in the file's repository, which a repository's own config can make run programs.
    vscode.languages.registerCodeLensProvider([{ scheme: ENC_SCHEME }, { scheme: VALUES_SCHEME }], services.trust.codeLensesWhenTrusted(mergeLens)),
    services.trust.onDidChange(() => codeLens.refresh()),
    services.onDidChangeKeys(() => codeLens.refresh()),
    services.roster.onDidChange(() => codeLens.refresh()),
  );

  registerHandlers(context, host, deps, HANDLERS);
  return { deps, statusBar, backupGuard, section, valueFiles, decorations, values };
}
