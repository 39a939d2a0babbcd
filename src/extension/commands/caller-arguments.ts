// Any extension in the same host can run any command with any argument. What VS Code itself passes
// names a target: a Uri (explorer, editor title), Uris, one of our tree nodes (context menus). The
// argument objects also accept answers a person would give (a passphrase, a confirmation, key text,
// recipients…) so that the integration tests can drive the commands; from another extension those
// answers would export a private key under a passphrase it chose, trust its key without the
// fingerprint check, or delete keys unasked. So outside ExtensionMode.Test the answer fields are
// removed before a command sees its arguments, and the command asks the person instead.
// No `vscode` import: the unit test that classifies every argument field runs in plain Node.

/** Fields that say WHAT a command acts on; a context menu or another command may pass them. */
export const TARGET_FIELDS: ReadonlySet<string> = new Set([
  'id', 'keyId', 'entry', 'contact', 'set', 'custodian', 'uri', 'uris', 'folder', 'folderUri', 'editor', 'range',
  'resourceUri',
  // Sign Roster's entries to sign: it narrows what the modal lists, which the person still confirms.
  'only',
  // Restore the Team's Version: the version a notice showed; the command restores only the team's version.
  'commit',
]);

/**
 * Commands whose `uri` is not what they act on but an answer: the key file to import, the otpauth URI
 * of a new seed, where a recovered secret or a private key backup is written.
 */
export const URI_IS_ANSWER: ReadonlySet<string> = new Set(['custodian.importPrivateKey', 'custodian.addSharedMfa', 'custodian.recoverSecret', 'custodian.exportPrivateKey']);

/** Fields that stand in for a person's answer or choice: honoured only in ExtensionMode.Test. */
export const ANSWER_FIELDS: ReadonlySet<string> = new Set([
  'confirm', 'overwrite', 'passphrase', 'text', 'pem', 'secret', 'bytes', 'name', 'label', 'setName',
  'recipients', 'recipient', 'custodians', 'includeMyself', 'threshold', 'deleteOriginal', 'signUnverified',
  'reencrypt', 'deleteReleases', 'fingerprint', 'output', 'source', 'kind', 'format', 'armor', 'bits', 'policy', 'preview',
  'quiet', 'issuer', 'account', 'period', 'digits', 'algorithm', 'beside', 'viewColumn', 'cancellationToken',
  'onProgress', 'quoting', 'target', 'names', 'keepPublic', 'readable', 'done', 'rotated', 'widen',
]);

/**
 * `arg` of `command` without the answer fields, for a caller that is not the test harness. An argument
 * without any (every tree node, Uri and array) is returned as it is, so instanceof checks still hold.
 */
export function withoutAnswers(arg: unknown, command = ''): unknown {
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) return arg;
  const answers = URI_IS_ANSWER.has(command) ? [...ANSWER_FIELDS, 'uri'] : [...ANSWER_FIELDS];
  const present = answers.filter((field) => field in arg);
  if (present.length === 0) return arg;
  const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(arg) as object | null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(arg)) if (!present.includes(key)) copy[key] = value;
  for (const field of present) Object.defineProperty(copy, field, { value: undefined, enumerable: false });
  return copy;
}
