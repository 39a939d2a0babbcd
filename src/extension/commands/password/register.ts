// Password commands, registered by commands/register.ts with the shared error handling.
import type { Services } from '../../services';
import { CommandId } from '../ids';
import type { Handlers } from '../register';
import { generatePassword } from './generate-password';

export const PASSWORD_HANDLERS: Handlers<Services> = [
  [CommandId.GeneratePassword, generatePassword],
];
