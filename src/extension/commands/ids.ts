// Every command id in one place; package.json's contributes.commands must list the same ids.
export const enum CommandId {
  ShowVersion = 'custodian.showVersion',
  Refresh = 'custodian.refresh',
  /** Ctrl+S and Save As in a document held in memory only (editor/plaintext-documents.ts). */
  SaveInMemoryDocument = 'custodian.saveInMemoryDocument',
  /** A button of a page Custodian shows in a webview (editor/encrypted-editor.ts): the command and file it names. */
  RunPageAction = 'custodian.runPageAction',

  // My keys
  GenerateKey = 'custodian.generateKey',
  ImportPrivateKey = 'custodian.importPrivateKey',
  ExportPublicKey = 'custodian.exportPublicKey',
  ExportPrivateKey = 'custodian.exportPrivateKey',
  RenameKey = 'custodian.renameKey',
  SetDefaultKey = 'custodian.setDefaultKey',
  CopyFingerprint = 'custodian.copyFingerprint',
  DeleteKey = 'custodian.deleteKey',

  // Team roster
  AddMyselfToTeam = 'custodian.addMyselfToTeam',
  AddTeammate = 'custodian.addTeammate',
  AddDeployKey = 'custodian.addDeployKey',
  RemoveTeammate = 'custodian.removeTeammate',
  SignRoster = 'custodian.signRoster',
  VerifyFingerprint = 'custodian.verifyFingerprint',

  // Contacts
  AddContact = 'custodian.addContact',
  RemoveContact = 'custodian.removeContact',

  // Passwords
  GeneratePassword = 'custodian.generatePassword',

  // Shared MFA
  AddSharedMfa = 'custodian.addSharedMfa',
  ShowMfaCode = 'custodian.showMfaCode',
  CopyMfaCode = 'custodian.copyMfaCode',
  RemoveSharedMfa = 'custodian.removeSharedMfa',

  // Shamir share sets
  SplitSecret = 'custodian.splitSecret',
  ReleaseShare = 'custodian.releaseShare',
  RecoverSecret = 'custodian.recoverSecret',
  RevealShareManifest = 'custodian.revealShareManifest',

  // Encrypt and decrypt (issue 5)
  EncryptSelection = 'custodian.encryptSelection',
  DecryptSelection = 'custodian.decryptSelection',
  EncryptFile = 'custodian.encryptFile',
  OpenDecrypted = 'custodian.openDecrypted',
  DecryptToFile = 'custodian.decryptToFile',
  CopyDecrypted = 'custodian.copyDecrypted',
  ShowRecipients = 'custodian.showRecipients',
  ShowTeamChanges = 'custodian.showTeamChanges',
  RestoreTeamVersion = 'custodian.restoreTeamVersion',
  ShowWhatToRotate = 'custodian.showWhatToRotate',
  /** The CodeLens "Decrypt": a read-only preview of one armored block. */
  PreviewBlock = 'custodian.previewBlock',
  ReencryptFile = 'custodian.reencryptFile',
  /** Remove Teammate calls it when present. */
  ReencryptWorkspace = 'custodian.reencryptWorkspace',

  // Git (docs/GIT.md)
  GitSetup = 'custodian.gitSetup',
  ResolveInMergeEditor = 'custodian.resolveInMergeEditor',
  CompleteMerge = 'custodian.completeMerge',

  // The agent (docs/AGENT.md)
  ShowAgentLog = 'custodian.showAgentLog',
  RevokeAgentApproval = 'custodian.revokeAgentApproval',
  // Value-encrypted .env/JSON/YAML files (docs/VALUES.md)
  OpenValuesDecrypted = 'custodian.openValuesDecrypted',
  OpenValuesEncrypted = 'custodian.openValuesEncrypted',
  EncryptValues = 'custodian.encryptValues',
  EncryptValuesChoosing = 'custodian.encryptValuesChoosing',
  DecryptValuesToFile = 'custodian.decryptValuesToFile',
  // Secrets in terminals, tasks and debug sessions
  NewTerminalWithSecrets = 'custodian.newTerminalWithSecrets',
}
