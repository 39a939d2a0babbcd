// Shared MFA commands, registered by commands/register.ts with the shared error handling.
import type { Services } from '../../services';
import { CommandId } from '../ids';
import type { Handlers } from '../register';
import { addSharedMfa } from './add-shared-mfa';
import { removeSharedMfa } from './remove-shared-mfa';
import { copyMfaCode, showMfaCode } from './show-mfa-code';

export const MFA_HANDLERS: Handlers<Services> = [
  [CommandId.AddSharedMfa, addSharedMfa],
  [CommandId.ShowMfaCode, showMfaCode],
  [CommandId.CopyMfaCode, copyMfaCode],
  [CommandId.RemoveSharedMfa, removeSharedMfa],
];
