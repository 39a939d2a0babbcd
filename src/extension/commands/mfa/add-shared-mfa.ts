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
import { fromArgument, is, type Shape } from '../arguments';
import { BACK, inputStep, pickStep, runSteps, type Back, type Step } from '../../ui/multi-step';
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

const ADD_SHARED_MFA_ARGS: Shape<AddSharedMfaArgs> = {
  recipients: is.strings,
  includeMyself: is.boolean,
  uri: is.string,
  secret: is.string,
  name: is.string,
  issuer: is.string,
  account: is.string,
  algorithm: is.oneOf<OtpAlgorithm>('SHA1', 'SHA256', 'SHA512'),
  digits: is.integer,
  period: is.integer,
  folder: is.uri,
  overwrite: is.boolean,
};

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
  const a = fromArgument(arg, ADD_SHARED_MFA_ARGS);
  const [otpauth, base32, hotp] = await Promise.all([lazyCore.otpauth(), lazyCore.base32(), lazyCore.hotp()]);
  const m: OtpModules = { ...otpauth, ...base32, ...hotp };
  const folder = targetFolder(a.folder);
  const fromArgs = a.uri !== undefined || a.secret !== undefined;
  // What can refuse (nobody to encrypt to, no key to sign with) is checked before the seed is pasted.
  if (!fromArgs) await deps.mfa.store.checkCanAdd(folder);
  const asked = fromArgs ? undefined : await askSeedAndName(deps, m, folder, a.name);
  if (!fromArgs && !asked) return undefined;
  const key = asked?.key ?? keyFromArgs(m, a);
  try {
    const name = a.name ?? asked?.name ?? suggestMfaName(key.issuer, key.account);
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

interface SeedAnswers {
  pasted?: string;
  issuer?: string;
  account?: string;
  algorithm?: OtpAlgorithm;
  digits?: number;
  period?: string;
  name?: string;
}

/**
 * The seed, then (for a bare base32 secret) issuer, account, algorithm, digits and period, then the file
 * name, with Back between them. The step count is the URI's until the seed says it is a bare secret.
 */
async function askSeedAndName(deps: MfaDeps, m: OtpModules, folder: vscode.WorkspaceFolder, givenName: string | undefined): Promise<{ key: TotpKey; name: string } | undefined> {
  const existing = new Set((await deps.mfa.store.list()).filter((e) => e.folder.index === folder.index).map((e) => e.name));
  const x: SeedAnswers = {};
  const isUri = (): boolean => /^\s*otpauth:/i.test(x.pasted ?? '');
  const bare = (): boolean => x.pasted !== undefined && !isUri();
  // Before the seed is pasted, counted as for an otpauth:// URI (a QR code's, the usual case): "1/2",
  // then "2/2"; a bare base32 secret adds five steps, and the total says so from step 2 on.
  const total = (): number => (x.pasted === undefined || isUri() ? 1 : 6) + (givenName === undefined ? 1 : 0);
  const at = (label: string, step: number): { title: string; step: number; totalSteps: number } => ({ title: `${TITLE()}: ${label}`, step, totalSteps: total() });
  const text = (answer: keyof SeedAnswers, ask: () => Promise<string | Back | undefined>) => async (): Promise<true | Back | undefined> => {
    const v = await ask();
    if (typeof v !== 'string') return v;
    (x as Record<string, unknown>)[answer] = v;
    return true;
  };
  const steps: Step[] = [
    text('pasted', () =>
      inputStep({
        ...at(vscode.l10n.t('the seed'), 1),
        prompt: vscode.l10n.t('Paste the otpauth://totp/… URI (from the QR code) or the base32 secret. It is stored encrypted to the team.'),
        placeholder: vscode.l10n.t('otpauth://totp/Example:root@example.com?secret=… or JBSW Y3DP EHPK 3PXP …'),
        password: true,
        value: x.pasted,
        validate: (v) => {
          if (!v.trim()) return vscode.l10n.t('Paste a URI or a secret.');
          try {
            if (/^\s*otpauth:/i.test(v)) zeroize(parseTotpUri(m, v).secret);
            else zeroize(parseSecret(m, v));
            return undefined;
          } catch (err) {
            return describeError(err);
          }
        },
      }),
    ),
    {
      when: bare,
      run: text('issuer', () =>
        inputStep({
          ...at(vscode.l10n.t('issuer (optional)'), 2),
          prompt: vscode.l10n.t('The service, e.g. "Amazon Web Services"'),
          value: x.issuer,
          validate: (v) => (v.includes(':') ? vscode.l10n.t('No ":" please.') : undefined),
        }),
      ),
    },
    {
      when: bare,
      run: text('account', () =>
        inputStep({
          ...at(vscode.l10n.t('account'), 3),
          prompt: vscode.l10n.t('The account the code is for, e.g. "root@example.com"'),
          value: x.account ?? (x.issuer?.trim() ? undefined : 'shared'),
          validate: (v) => (!v.trim() ? vscode.l10n.t('Enter the account name.') : v.includes(':') ? vscode.l10n.t('No ":" please.') : undefined),
        }),
      ),
    },
    {
      when: bare,
      run: async () => {
        const items = m.OTP_ALGORITHMS.map((alg) => ({ label: alg, description: alg === m.DEFAULT_ALGORITHM ? vscode.l10n.t('default: what almost every service uses') : undefined }));
        const picked = await pickStep({
          ...at(vscode.l10n.t('algorithm'), 4),
          items,
          placeholder: vscode.l10n.t('HMAC algorithm (keep SHA1 unless the service says otherwise)'),
          active: items.find((i) => i.label === (x.algorithm ?? m.DEFAULT_ALGORITHM)),
        });
        if (picked === undefined || picked === BACK) return picked;
        x.algorithm = picked.label as OtpAlgorithm;
        return true;
      },
    },
    {
      when: bare,
      run: async () => {
        const items = [6, 7, 8].map((d) => ({ label: String(d), description: d === m.DEFAULT_DIGITS ? vscode.l10n.t('default') : undefined, digits: d }));
        const picked = await pickStep({ ...at(vscode.l10n.t('digits'), 5), items, placeholder: vscode.l10n.t('Digits per code'), active: items.find((i) => i.digits === (x.digits ?? m.DEFAULT_DIGITS)) });
        if (picked === undefined || picked === BACK) return picked;
        x.digits = picked.digits;
        return true;
      },
    },
    {
      when: bare,
      run: text('period', () =>
        inputStep({
          ...at(vscode.l10n.t('period'), 6),
          prompt: vscode.l10n.t('Seconds each code is valid'),
          value: x.period ?? '30',
          validate: (v) => (/^[1-9][0-9]{0,8}$/.test(v.trim()) ? undefined : vscode.l10n.t('A whole number of seconds, at least 1.')),
        }),
      ),
    },
    {
      when: () => givenName === undefined,
      run: text('name', () => {
        const label = isUri() ? parseTotpUri(m, x.pasted!) : { issuer: x.issuer?.trim() || undefined, account: x.account?.trim() ?? '' };
        if ('secret' in label) zeroize(label.secret);
        return inputStep({
          ...at(vscode.l10n.t('{0}/<name>{1}', MFA_DIR.join('/'), MFA_EXT), total()!),
          prompt: vscode.l10n.t('The file name is the only part anyone can read without a key: issuer, account and secret are encrypted.'),
          value: x.name ?? suggestMfaName(label.issuer, label.account),
          placeholder: vscode.l10n.t('e.g. aws-root'),
          validate: (v) => {
            const clean = normalizeMfaName(v);
            return entryNameProblem(clean) ?? (existing.has(clean) ? vscode.l10n.t('{0} already exists.', `${clean}${MFA_EXT}`) : undefined);
          },
        });
      }),
    },
  ];
  if (!(await runSteps(steps))) return undefined;
  const pasted = x.pasted!;
  const key = isUri()
    ? parseTotpUri(m, pasted)
    : checked(m, {
        type: 'totp',
        secret: parseSecret(m, pasted),
        account: x.account!.trim(),
        ...(x.issuer?.trim() ? { issuer: x.issuer.trim() } : {}),
        algorithm: x.algorithm!,
        digits: x.digits!,
        period: Number(x.period!.trim()),
      });
  return { key, name: x.name === undefined ? (givenName ?? suggestMfaName(key.issuer, key.account) ?? '') : normalizeMfaName(x.name) };
}
