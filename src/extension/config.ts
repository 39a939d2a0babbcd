// Typed view of contributes.configuration (package.json); keep the two in step.
import * as vscode from 'vscode';
import type { RsaKeySize } from '../core/crypto-backend';
import type { PasswordPolicy } from '../core/password';

export interface CustodianConfig {
  /** custodian.alwaysIncludeMyself */
  alwaysIncludeMyself: boolean;
  /** custodian.clipboardClearSeconds (0 disables clearing) */
  clipboardClearSeconds: number;
  /** custodian.keys.defaultSize: RSA size Generate Key preselects. */
  defaultKeySize: RsaKeySize;
  /**
   * custodian.password.*: the policy Generate Password uses. As the user wrote it (defaults from package.json),
   * not yet validated: `resolvePasswordPolicy` checks it and names a bad setting.
   */
  password: Partial<PasswordPolicy>;
  /** custodian.deleteOriginalAfterEncrypt: after Encrypt File, delete the plaintext original (after verifying the .enc). */
  deleteOriginalAfterEncrypt: 'ask' | 'always' | 'never';
  /** custodian.openEncryptedInline: opening a .enc file, or a value-encrypted file I can open, shows its plaintext in a text editor. */
  openEncryptedInline: boolean;
  /** custodian.agent.*: application-scoped, so a repository's settings cannot loosen consent. */
  agent: AgentConfig;
}

export interface AgentConfig {
  /** custodian.agent.enabled */
  enabled: boolean;
  /** custodian.agent.consentTimeoutSeconds: an unanswered prompt is a denial after this long. */
  consentTimeoutSeconds: number;
  /** custodian.agent.allowMinutes: how long "Allow for this window" lasts. */
  allowMinutes: number;
}

export const CONFIG_SECTION = 'custodian';

const KEY_SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];

const PASSWORD_SETTINGS: readonly (keyof PasswordPolicy)[] = [
  'length',
  'lowercase',
  'uppercase',
  'digits',
  'symbols',
  'excludeLookAlikes',
  'requireEachClass',
  'words',
  'separator',
  'capitalize',
  'appendNumber',
];

function readPasswordPolicy(c: vscode.WorkspaceConfiguration): Partial<PasswordPolicy> {
  const out: Record<string, unknown> = {};
  for (const name of PASSWORD_SETTINGS) {
    const value = c.get<unknown>(`password.${name}`);
    if (value !== undefined && value !== null) out[name] = value;
  }
  return out as Partial<PasswordPolicy>;
}

/**
 * Reads the settings. Most are `resource`-scoped (a team may commit them per folder); the two that
 * protect the user (`clipboardClearSeconds`, `keys.defaultSize`) are `application`-scoped, so a cloned
 * repository's `.vscode/settings.json` cannot turn clipboard clearing off. They are read unscoped.
 */
export function readConfig(scope?: vscode.ConfigurationScope): CustodianConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  const app = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const size = app.get<number>('keys.defaultSize', 3072);
  return {
    alwaysIncludeMyself: c.get<boolean>('alwaysIncludeMyself', true),
    clipboardClearSeconds: Math.max(0, app.get<number>('clipboardClearSeconds', 30)),
    defaultKeySize: KEY_SIZES.includes(size as RsaKeySize) ? (size as RsaKeySize) : 3072,
    password: readPasswordPolicy(c),
    deleteOriginalAfterEncrypt: readDeletePolicy(c.get<string>('deleteOriginalAfterEncrypt', 'ask')),
    openEncryptedInline: c.get<boolean>('openEncryptedInline', true),
    agent: {
      enabled: app.get<boolean>('agent.enabled', true),
      consentTimeoutSeconds: clamp(app.get<number>('agent.consentTimeoutSeconds', 60), 1, 600),
      allowMinutes: clamp(app.get<number>('agent.allowMinutes', 10), 1, 480),
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}

function readDeletePolicy(value: string): CustodianConfig['deleteOriginalAfterEncrypt'] {
  return value === 'always' || value === 'never' ? value : 'ask';
}
