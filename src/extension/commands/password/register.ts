// Password commands, registered by commands/register.ts with the shared error handling.
import type { Services } from '../../services';
import { CommandId } from '../ids';
import { generatePassword } from './generate-password';

export const PASSWORD_HANDLERS: ReadonlyArray<readonly [CommandId, (services: Services, arg: unknown) => Promise<unknown>]> = [
  [CommandId.GeneratePassword, generatePassword],
];
