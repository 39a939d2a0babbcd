// Add Shared MFA…: from a pasted `otpauth://totp/…` URI or a base32 secret (then issuer, account, algorithm,
// digits and period are asked, with the usual defaults), written as `.custodian/mfa/<name>.otpauth.enc`.
// The seed is typed into a password box and never logged.
import * as vscode from 'vscode';
import { zeroize } from '../../../core/bytes';
import { InvalidArgumentError, OtpFormatError, describeError } from '../../../core/errors';
import type { OtpAlgorithm } from '../../../core/hotp';
import type { TotpKey } from '../../../core/otpauth';
import { MFA_DIR, MFA_EXT, normalizeMfaName, suggestMfaName } from '../../mfa/mfa-store';
import type { RecipientOptions } from '../../mfa/mfa-crypto';
import type { MfaDeps } from './register';
import { entryNameProblem } from '../../ui/name-rules';
import { targetFolder } from '../../storage/workspace-files';
import { asObject } from '../pick';
import { lazyCore, type CoreModule } from '../../lazy-core';

export interface AddSharedMfaArgs extends RecipientOptions {
  /** An `otpauth://totp/…` URI. Or: */
  uri?: string;
  /** A base32 secret (spaces, lowercase and missing padding are fine). */
  secret?: string;
  /** File name (without `.otpauth.enc`); default from the issuer (else the account). */
  name?: string;
  /** Override (URI) or set (secret) the label. */
  issuer?: string;
  account?: string;
  /** With `secret`: defaults SHA1, 6, 30. */
  algorithm?: OtpAlgorithm;
  digits?: number;
  period?: number;
  /** Workspace folder (multi-root); default the first. */
  folder?: vscode.Uri;
  /** Replace an existing entry of that name. */
  overwrite?: boolean;
}

export interface AddSharedMfaResult {
  name: string;
  /** The `.otpauth.enc` file written. */
  file: vscode.Uri;
  /** How many public keys it is encrypted to. */
  recipients: number;
}

type OtpModules = CoreModule<'otpauth'> & CoreModule<'base32'> & CoreModule<'hotp'>;

const TITLE = (): string => vscode.l10n.t('Add Shared MFA');

export async function addSharedMfa(deps: MfaDeps, arg: unknown): Promise<AddSharedMfaResult | undefined> {
  const a = asObject<AddSharedMfaArgs>(arg);
  const [otpauth, base32, hotp] = await Promise.all([lazyCore.otpauth(), lazyCore.base32(), lazyCore.hotp()]);
  const m: OtpModules = { ...otpauth, ...base32, ...hotp };
  const folder = targetFolder(a.folder);
  const fromArgs = a.uri !== undefined || a.secret !== undefined;
  const key = fromArgs ? keyFromArgs(m, a) : await promptForKey(m);
  if (!key) return undefined;
  try {
    const name = a.name ?? (fromArgs ? suggestMfaName(key.issuer, key.account) : await promptName(deps, folder, key));
    if (name === undefined) return undefined;
    if (!name) throw new InvalidArgumentError(vscode.l10n.t('Give the shared MFA entry a name.'));
    const { entry, recipients } = await deps.mfa.store.add(name, key, { ...a, folder: folder.uri });
    const path = vscode.workspace.asRelativePath(entry.uri);
    deps.log.info(`added shared MFA ${path}, encrypted to ${recipients} keys`);
    void vscode.window.showInformationMessage(
      recipients === 1
        ? vscode.l10n.t('Added {0}, encrypted to 1 key and signed by you. Commit it to share it with the team.', path)
        : vscode.l10n.t('Added {0}, encrypted to {1} keys and signed by you. Commit it to share it with the team.', path, recipients),
    );
    return { name: normalizeMfaName(name), file: entry.uri, recipients };
  } finally {
    zeroize(key.secret);
  }
}

function keyFromArgs(m: OtpModules, a: Partial<AddSharedMfaArgs>): TotpKey {
  if (a.uri !== undefined && a.secret !== undefined) throw new InvalidArgumentError(vscode.l10n.t('Give either "uri" or "secret", not both.'));
  if (a.uri !== undefined) {
    const parsed = parseTotpUri(m, a.uri);
    return withLabel(m, parsed, a.issuer ?? parsed.issuer, a.account ?? parsed.account);
  }
  const secret = parseSecret(m, a.secret ?? '');
  const key: TotpKey = {
    type: 'totp',
    secret,
    account: a.account ?? a.issuer ?? a.name ?? 'shared',
    ...(a.issuer ? { issuer: a.issuer } : {}),
    algorithm: a.algorithm ?? m.DEFAULT_ALGORITHM,
    digits: a.digits ?? m.DEFAULT_DIGITS,
    period: a.period ?? 30,
  };
  return checked(m, key);
}

function parseTotpUri(m: OtpModules, text: string): TotpKey {
  const key = m.parseOtpAuthUri(text);
  if (key.type !== 'totp') {
    zeroize(key.secret);
    throw new OtpFormatError(vscode.l10n.t('That is an HOTP (counter-based) key; Shared MFA supports TOTP only.'), {
      hint: vscode.l10n.t('A shared counter cannot be kept in step between teammates.'),
    });
  }
  return key;
}

function parseSecret(m: OtpModules, text: string): Uint8Array {
  let secret: Uint8Array;
  try {
    secret = m.base32Decode(text.trim(), { loose: true });
  } catch (err) {
    throw new OtpFormatError(vscode.l10n.t('The secret is not valid base32: {0}', describeError(err)), { cause: err });
  }
  try {
    m.assertSecret(secret);
  } catch (err) {
    zeroize(secret);
    throw new OtpFormatError(vscode.l10n.t('The secret is {0} bits; at least {1} are required.', secret.length * 8, m.MIN_SECRET_BYTES * 8), { cause: err });
  }
  return secret;
}

/** Re-labels a key, validating issuer and account as the URI writer will. */
function withLabel(m: OtpModules, key: TotpKey, issuer: string | undefined, account: string): TotpKey {
  const { issuer: _drop, ...rest } = key;
  return checked(m, { ...rest, account: account.trim(), ...(issuer?.trim() ? { issuer: issuer.trim() } : {}) });
}

/** Fails now, not after the prompts, on what formatOtpAuthUri would refuse. The message never holds the secret. */
function checked(m: OtpModules, key: TotpKey): TotpKey {
  try {
    m.formatOtpAuthUri(key);
    if (!Number.isSafeInteger(key.period) || key.period < 1) throw new OtpFormatError(vscode.l10n.t('"period" must be a whole number of seconds, at least 1'));
  } catch (err) {
    zeroize(key.secret);
    throw err;
  }
  return key;
}

async function promptForKey(m: OtpModules): Promise<TotpKey | undefined> {
  const pasted = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} (1/2): the seed', TITLE()),
    prompt: vscode.l10n.t('Paste the otpauth://totp/… URI (from the QR code) or the base32 secret. It is stored encrypted to the team.'),
    placeHolder: vscode.l10n.t('otpauth://totp/Example:root@example.com?secret=… or JBSW Y3DP EHPK 3PXP …'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v.trim()) return vscode.l10n.t('Paste a URI or a secret.');
      try {
        if (/^\s*otpauth:/i.test(v)) zeroize(parseTotpUri(m, v).secret);
        else zeroize(parseSecret(m, v));
        return undefined;
      } catch (err) {
        return describeError(err);
      }
    },
  });
  if (pasted === undefined) return undefined;
  if (/^\s*otpauth:/i.test(pasted)) return parseTotpUri(m, pasted);
  const secret = parseSecret(m, pasted);
  const key = await promptParameters(m, secret);
  if (!key) zeroize(secret);
  return key;
}

async function promptParameters(m: OtpModules, secret: Uint8Array): Promise<TotpKey | undefined> {
  const issuer = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0}: issuer (optional)', TITLE()),
    prompt: vscode.l10n.t('The service, e.g. "Amazon Web Services"'),
    ignoreFocusOut: true,
    validateInput: (v) => (v.includes(':') ? vscode.l10n.t('No ":" please.') : undefined),
  });
  if (issuer === undefined) return undefined;
  const account = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0}: account', TITLE()),
    prompt: vscode.l10n.t('The account the code is for, e.g. "root@example.com"'),
    value: issuer.trim() ? undefined : 'shared',
    ignoreFocusOut: true,
    validateInput: (v) => (!v.trim() ? vscode.l10n.t('Enter the account name.') : v.includes(':') ? vscode.l10n.t('No ":" please.') : undefined),
  });
  if (account === undefined) return undefined;
  const algorithm = await vscode.window.showQuickPick(
    m.OTP_ALGORITHMS.map((alg) => ({ label: alg, description: alg === m.DEFAULT_ALGORITHM ? vscode.l10n.t('default: what almost every service uses') : undefined })),
    { title: vscode.l10n.t('{0}: algorithm', TITLE()), placeHolder: vscode.l10n.t('HMAC algorithm (keep SHA1 unless the service says otherwise)') },
  );
  if (!algorithm) return undefined;
  const digits = await vscode.window.showQuickPick(
    [6, 7, 8].map((d) => ({ label: String(d), description: d === m.DEFAULT_DIGITS ? vscode.l10n.t('default') : undefined, digits: d })),
    { title: vscode.l10n.t('{0}: digits', TITLE()), placeHolder: vscode.l10n.t('Digits per code') },
  );
  if (!digits) return undefined;
  const period = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0}: period', TITLE()),
    prompt: vscode.l10n.t('Seconds each code is valid'),
    value: '30',
    ignoreFocusOut: true,
    validateInput: (v) => (/^[1-9][0-9]{0,8}$/.test(v.trim()) ? undefined : vscode.l10n.t('A whole number of seconds, at least 1.')),
  });
  if (period === undefined) return undefined;
  return checked(m, {
    type: 'totp',
    secret,
    account: account.trim(),
    ...(issuer.trim() ? { issuer: issuer.trim() } : {}),
    algorithm: algorithm.label as OtpAlgorithm,
    digits: digits.digits,
    period: Number(period.trim()),
  });
}

async function promptName(deps: MfaDeps, folder: vscode.WorkspaceFolder, key: TotpKey): Promise<string | undefined> {
  const existing = new Set((await deps.mfa.store.list()).filter((e) => e.folder.index === folder.index).map((e) => e.name));
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} (2/2): {1}/<name>{2}', TITLE(), MFA_DIR.join('/'), MFA_EXT),
    prompt: vscode.l10n.t('The file name is the only part anyone can read without a key: issuer, account and secret are encrypted.'),
    value: suggestMfaName(key.issuer, key.account),
    placeHolder: vscode.l10n.t('e.g. aws-root'),
    ignoreFocusOut: true,
    validateInput: (v) => {
      const clean = normalizeMfaName(v);
      return entryNameProblem(clean) ?? (existing.has(clean) ? vscode.l10n.t('{0} already exists.', `${clean}${MFA_EXT}`) : undefined);
    },
  });
  return name === undefined ? undefined : normalizeMfaName(name);
}
