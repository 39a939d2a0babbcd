// Generate Password…: a password (policy from `custodian.password.*`, never below the entropy floor),
// a passphrase or a token, inserted into the active editor — quoted for the file's syntax, after a
// preview — or copied with clipboard clearing. With several cursors every cursor gets its own
// independently generated value (like the $UUID snippet variable): one secret pasted in several
// places is rarely what someone generating credentials wants, and the entropy shown holds for each value.
import * as vscode from 'vscode';
import { InvalidArgumentError } from '../../../core/errors';
import type { Generated, PasswordPolicy } from '../../../core/password';
import type { ValueSyntax } from '../../../core/value-quoting';
import { fromArgument, is, type Shape } from '../arguments';
import { isInteractive } from '../pick';
import { applyInsertions, drawInsertions, previewInsertions, type Quoting } from './insert-secret';
import { lazyCore, type CoreModule } from '../../lazy-core';
import type { PasswordDeps } from './register';

export type SecretKind = 'password' | 'passphrase' | 'hex' | 'base64url';
export type SecretTarget = 'editor' | 'clipboard';

export interface GeneratePasswordArgs {
  kind?: SecretKind;
  /** Default: the active editor when there is one, else the clipboard. */
  target?: SecretTarget;
  /** Overrides the `custodian.password.*` settings for this call. */
  policy?: Partial<PasswordPolicy>;
  /** Token size in random bytes (hex and base64url); default 32, at least MIN_TOKEN_BYTES_FLOOR. */
  bytes?: number;
  /** Into the editor: quoted for the document's syntax (default) or as is. */
  quoting?: Quoting;
}

const GENERATE_PASSWORD_ARGS: Shape<GeneratePasswordArgs> = {
  kind: is.oneOf<SecretKind>('password', 'passphrase', 'hex', 'base64url'),
  target: is.oneOf<SecretTarget>('editor', 'clipboard'),
  // Checked field by field, with the setting's name in the message, by resolvePasswordPolicy.
  policy: is.reference<Partial<PasswordPolicy>>('an object of password settings', {}),
  bytes: is.integer,
  quoting: is.oneOf<Quoting>('auto', 'none'),
};

export interface GeneratePasswordResult {
  kind: SecretKind;
  target: SecretTarget;
  /** Entropy of each generated value. */
  entropyBits: number;
  /** How many values were generated: one per cursor in the editor, one for the clipboard. */
  count: number;
  /** Into the editor: the syntax the values were quoted for (absent: inserted as is). */
  quotedFor?: ValueSyntax;
  /** Settings raised to the entropy floor, as told to the user. */
  notices: string[];
}

type PasswordModule = CoreModule<'password'>;

const KINDS: readonly SecretKind[] = ['password', 'passphrase', 'hex', 'base64url'];
const OPEN_SETTINGS = 'settings';

interface Plan {
  kind: SecretKind;
  entropyBits: number;
  summary: string;
  generate(): Generated;
}

/** What each kind would produce under the current policy, with its entropy, without generating anything. */
function plans(m: PasswordModule, wordlistSize: number, policy: PasswordPolicy, tokenBytes: number): Record<SecretKind, Plan> {
  const classes = m.characterClasses(policy);
  const classNames = [policy.lowercase && 'a–z', policy.uppercase && 'A–Z', policy.digits && '0–9', policy.symbols && vscode.l10n.t('symbols')].filter(Boolean);
  const wordBits = Math.log2(wordlistSize) * policy.words + (policy.appendNumber ? Math.log2(10) : 0);
  const token = (encoding: 'hex' | 'base64url'): Plan => ({
    kind: encoding,
    entropyBits: 8 * tokenBytes,
    summary: vscode.l10n.t('{0} random bytes as {1} {2} characters', tokenBytes, encoding === 'hex' ? 2 * tokenBytes : Math.ceil((4 * tokenBytes) / 3), encoding),
    generate: () => m.generateToken({ bytes: tokenBytes, encoding }),
  });
  return {
    password: {
      kind: 'password',
      entropyBits: m.passwordEntropyBits(
        classes.map((c) => c.length),
        policy.length,
        policy.requireEachClass,
      ),
      summary: [
        vscode.l10n.t('{0} characters from {1}', policy.length, classNames.join(' ')),
        ...(policy.excludeLookAlikes ? [vscode.l10n.t('no look-alikes')] : []),
        ...(policy.requireEachClass && classes.length > 1 ? [vscode.l10n.t('each class present')] : []),
      ].join(', '),
      generate: () => m.generatePassword(policy),
    },
    passphrase: {
      kind: 'passphrase',
      entropyBits: wordBits,
      summary: [
        vscode.l10n.t('{0} words from the EFF list, separated by "{1}"', policy.words, policy.separator),
        ...(policy.capitalize ? [vscode.l10n.t('capitalized')] : []),
        ...(policy.appendNumber ? [vscode.l10n.t('plus a digit')] : []),
      ].join(', '),
      generate: () => m.generatePassphrase(policy),
    },
    hex: token('hex'),
    base64url: token('base64url'),
  };
}

export function formatBits(bits: number): string {
  return `${bits.toFixed(1)} bits`;
}

export async function generatePassword(deps: PasswordDeps, arg: unknown): Promise<GeneratePasswordResult | undefined> {
  const a = fromArgument(arg, GENERATE_PASSWORD_ARGS);
  const [m, { EFF_LARGE_WORDLIST_SIZE }] = await Promise.all([lazyCore.password(), lazyCore.effLargeWordlist()]);
  const editor = vscode.window.activeTextEditor;
  // Settings a repository wrote are raised to the floor, not obeyed below it (docs/PASSWORDS.md).
  const { policy, raised } = m.resolveSettingsWithFloor({ ...deps.config(editor?.document.uri).password, ...a.policy });
  let tokenBytes = a.bytes ?? m.DEFAULT_TOKEN_BYTES;
  if (!Number.isInteger(tokenBytes) || tokenBytes < m.MIN_TOKEN_BYTES || tokenBytes > m.MAX_TOKEN_BYTES) {
    throw new InvalidArgumentError(vscode.l10n.t('A token has {0} to {1} random bytes, got {2}.', m.MIN_TOKEN_BYTES, m.MAX_TOKEN_BYTES, tokenBytes));
  }
  const tokenNotice =
    tokenBytes < m.MIN_TOKEN_BYTES_FLOOR
      ? vscode.l10n.t(
          'A token of {0} bytes ({1} bits) was asked for: raised to {2} bytes, as Custodian never generates secrets below {3} bits.',
          tokenBytes,
          8 * tokenBytes,
          m.MIN_TOKEN_BYTES_FLOOR,
          m.MIN_ENTROPY_BITS,
        )
      : undefined;
  tokenBytes = Math.max(tokenBytes, m.MIN_TOKEN_BYTES_FLOOR);

  const all = plans(m, EFF_LARGE_WORDLIST_SIZE, policy, tokenBytes);
  const kind = a.kind ?? (await pickKind(all));
  if (kind === undefined) return undefined;
  const plan = all[kind];
  const relevant = kind === 'password' ? 'length' : kind === 'passphrase' ? 'words' : undefined;
  const notices = [...raised.filter((r) => r.setting === relevant).map(m.describeRaise), ...(kind === 'hex' || kind === 'base64url' ? [tokenNotice] : [])].filter(
    (n): n is string => n !== undefined,
  );
  for (const notice of notices) {
    deps.log.warn(notice);
    void vscode.window.showWarningMessage(notice, vscode.l10n.t('Open Settings')).then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'custodian.password'));
  }

  const target = a.target ?? (a.kind !== undefined || !editor ? (editor ? 'editor' : 'clipboard') : await pickTarget(editor, plan, deps.config().clipboardClearSeconds));
  if (target === undefined) return undefined;

  let count: number;
  let quotedFor: ValueSyntax | undefined;
  if (target === 'editor') {
    if (!editor) throw new InvalidArgumentError(vscode.l10n.t('There is no active editor to insert into.'), { hint: vscode.l10n.t('Open a file, or copy to the clipboard instead.') });
    const draw = (): ReturnType<typeof drawInsertions> => drawInsertions(editor, () => plan.generate().value, a.quoting ?? 'auto');
    const version = editor.document.version;
    let chosen = { draw: await draw(), raw: false };
    if (isInteractive(arg)) {
      const previewed = await previewInsertions(vscode.l10n.t('Generate {0}: {1}', kindTitle(kind), formatBits(plan.entropyBits)), chosen.draw, draw);
      if (!previewed) return undefined;
      chosen = previewed;
    }
    // The ranges (and the quoting chosen for their surroundings) belong to the text as it was.
    if (editor.document.version !== version) throw new InvalidArgumentError(vscode.l10n.t('The document changed while the value was shown; nothing was inserted. Try again.'));
    await applyInsertions(editor, chosen.draw.insertions, chosen.raw);
    count = chosen.draw.insertions.length;
    quotedFor = chosen.raw ? undefined : chosen.draw.syntax;
  } else if (target === 'clipboard') {
    const { clearsInSeconds } = await deps.clipboard.copy(plan.generate().value);
    const copied =
      clearsInSeconds > 0
        ? vscode.l10n.t('Custodian: copied: {0} ({1}); the clipboard clears in {2}s', kindTitle(kind), formatBits(plan.entropyBits), clearsInSeconds)
        : vscode.l10n.t('Custodian: copied: {0} ({1})', kindTitle(kind), formatBits(plan.entropyBits));
    // Chosen in the picker, a line in the status bar is enough; with no editor open the copy was not
    // chosen, so it is said where it is seen.
    if (editor) void vscode.window.setStatusBarMessage(copied, 4000);
    else void vscode.window.showInformationMessage(copied);
    count = 1;
  } else {
    throw new InvalidArgumentError(vscode.l10n.t('"target" must be "editor" or "clipboard".'));
  }
  // The value itself is never logged.
  deps.log.info(`generated ${count} ${kindName(kind)}${count > 1 ? ' values' : ''} of ${formatBits(plan.entropyBits)} into the ${target}${quotedFor ? `, quoted for ${quotedFor}` : ''}`);
  return { kind, target, entropyBits: plan.entropyBits, count, ...(quotedFor ? { quotedFor } : {}), notices };
}

function kindName(kind: SecretKind): string {
  return kind === 'hex' ? 'hex token' : kind === 'base64url' ? 'base64url token' : kind;
}

async function pickKind(all: Record<SecretKind, Plan>): Promise<SecretKind | undefined> {
  type Item = vscode.QuickPickItem & { choice?: SecretKind | typeof OPEN_SETTINGS };
  const icon: Record<SecretKind, string> = { password: '$(key)', passphrase: '$(whole-word)', hex: '$(symbol-number)', base64url: '$(symbol-string)' };
  const items: Item[] = KINDS.map((k) => ({
    label: `${icon[k]} ${kindTitle(k)}`,
    description: all[k].summary,
    detail: vscode.l10n.t('{0} of entropy', formatBits(all[k].entropyBits)),
    choice: k,
  }));
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: vscode.l10n.t('$(gear) Change the defaults…'), description: vscode.l10n.t('custodian.password.* settings'), choice: OPEN_SETTINGS });
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Generate Password'), placeHolder: vscode.l10n.t('What kind of secret?'), matchOnDescription: true });
  if (picked?.choice === OPEN_SETTINGS) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'custodian.password');
    return undefined;
  }
  return picked?.choice;
}

async function pickTarget(editor: vscode.TextEditor, plan: Plan, clearSeconds: number): Promise<SecretTarget | undefined> {
  const n = editor.selections.length;
  const items: (vscode.QuickPickItem & { target: SecretTarget })[] = [
    {
      label: n > 1 ? vscode.l10n.t('$(multiple-windows) Insert at {0} cursors', n) : vscode.l10n.t('$(insert) Insert at the cursor'),
      description: n > 1 ? vscode.l10n.t('a different value at each cursor') : undefined,
      target: 'editor',
    },
    { label: vscode.l10n.t('$(copy) Copy to the clipboard'), description: clearSeconds > 0 ? vscode.l10n.t('cleared after {0} s', clearSeconds) : vscode.l10n.t('not cleared (custodian.clipboardClearSeconds is 0)'), target: 'clipboard' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Generate Password: {0}', formatBits(plan.entropyBits)), placeHolder: vscode.l10n.t('Where should it go?') });
  return picked?.target;
}

/** The kind's name as a title ("Password", "Hex token"), in the user's language. */
function kindTitle(kind: SecretKind): string {
  switch (kind) {
    case 'password':
      return vscode.l10n.t('Password');
    case 'passphrase':
      return vscode.l10n.t('Passphrase');
    case 'hex':
      return vscode.l10n.t('Hex token');
    case 'base64url':
      return vscode.l10n.t('Base64url token');
  }
}
