// The pure name validators (storage/entry-names.ts, shamir/share-set.ts) say whether a name is usable;
// these say why not in the user's language.
import * as vscode from 'vscode';
import { validateEntryName } from '../storage/entry-names';
import { validateSetName } from '../shamir/share-set';

/** Why `name` cannot name a `.custodian/team` or `.custodian/mfa` file, or undefined when it can. */
export function entryNameProblem(name: string): string | undefined {
  return validateEntryName(name) === undefined ? undefined : vscode.l10n.t('Use 1–64 letters, digits, ".", "_", "@", "+" or "-", starting with a letter or digit.');
}

/** Why `name` cannot name a share set, or undefined when it can. */
export function setNameProblem(name: string): string | undefined {
  return validateSetName(name) === undefined ? undefined : vscode.l10n.t('Use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.');
}
