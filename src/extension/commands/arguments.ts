// Command arguments are parsed, not cast. Any extension can run any command with any value, and the
// integration tests pass argument objects too, so each command declares, per field, a guard (the
// `is.*` functions below, as vscode-eslint checks its settings) and gets back only fields whose value
// has the declared type. A field of the wrong type is an error naming it, never a value used as if it
// were right. Objects that stand for stored things (a roster entry, a contact, a share set) are only
// accepted as names of those things: the pickers look them up again in their stores (pick.ts).
import * as vscode from 'vscode';
import { InvalidArgumentError } from '../../core/errors';
import { MessageNode } from '../views/tree';

/** A type guard that can say what it expected, for the error message. */
export interface Guard<T> {
  (value: unknown): value is T;
  readonly expected: string;
}

function guard<T>(expected: string, test: (value: unknown) => boolean): Guard<T> {
  return Object.assign((value: unknown): value is T => test(value), { expected });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export const is = {
  string: guard<string>('a string', (v) => typeof v === 'string'),
  boolean: guard<boolean>('true or false', (v) => typeof v === 'boolean'),
  integer: guard<number>('an integer', (v) => Number.isSafeInteger(v)),
  strings: guard<string[]>('a list of strings', (v) => Array.isArray(v) && v.every((s) => typeof s === 'string')),
  bytes: guard<Uint8Array>('bytes (a Uint8Array)', (v) => v instanceof Uint8Array),
  uri: guard<vscode.Uri>('a Uri', (v) => v instanceof vscode.Uri),
  uris: guard<vscode.Uri[]>('a list of Uris', (v) => Array.isArray(v) && v.every((u) => u instanceof vscode.Uri)),
  viewColumn: guard<vscode.ViewColumn>('a ViewColumn', (v) => Number.isSafeInteger(v) && (v as number) >= vscode.ViewColumn.Beside && (v as number) <= vscode.ViewColumn.Nine),
  range: guard<vscode.Range>('a Range', (v) => v instanceof vscode.Range),
  /** An editor of this window (not an object shaped like one). */
  editor: guard<vscode.TextEditor>('an open text editor', (v) => vscode.window.visibleTextEditors.includes(v as vscode.TextEditor)),
  cancellationToken: guard<vscode.CancellationToken>('a CancellationToken', (v) => isRecord(v) && typeof v.isCancellationRequested === 'boolean' && typeof v.onCancellationRequested === 'function'),
  /** A callback (test hooks); its signature cannot be checked at run time, only that it is callable. */
  callback<T extends (...args: never[]) => unknown>(): Guard<T> {
    return guard<T>('a function', (v) => typeof v === 'function');
  },
  oneOf<const T extends string | number | boolean>(...values: T[]): Guard<T> {
    return guard<T>(`one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, (v) => values.includes(v as T));
  },
  either<A, B>(a: Guard<A>, b: Guard<B>): Guard<A | B> {
    return guard<A | B>(`${a.expected} or ${b.expected}`, (v) => a(v) || b(v));
  },
  /**
   * A stored thing a tree node carries (roster entry, contact, share set, MFA entry): checked for the
   * fields the command reads to find it again in its store (`uri`, `name`, `id`), nothing more.
   */
  reference<T>(expected: string, fields: Readonly<Record<string, Guard<unknown>>>): Guard<T> {
    return guard<T>(expected, (v) => isRecord(v) && Object.entries(fields).every(([field, check]) => check(v[field])));
  },
};

/** A guard for every field of an argument interface: a field added to `T` without one does not compile. */
export type Shape<T> = { readonly [K in keyof T]-?: Guard<NonNullable<T[K]>> };

/**
 * The fields of `arg` that `shape` declares, each checked. What VS Code passes that is not an
 * argument object (a Uri, a list, a message row of a view) is no argument.
 */
export function fromArgument<T extends object>(arg: unknown, shape: Shape<T>): Partial<T> {
  if (!isRecord(arg) || Array.isArray(arg) || arg instanceof vscode.Uri) return {};
  if (arg instanceof MessageNode) return {};
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const field of Object.keys(shape) as (keyof T & string)[]) {
    const value = arg[field];
    if (value === undefined) continue;
    const check = shape[field] as Guard<unknown>;
    if (!check(value)) {
      throw new InvalidArgumentError(vscode.l10n.t('The command\'s argument "{0}" must be {1}.', field, check.expected), {
        hint: vscode.l10n.t('Run the command from the Command Palette or the Custodian view instead.'),
      });
    }
    out[field] = value;
  }
  return out as Partial<T>;
}

/** The files a command acts on, named by `uri` or `uris`. */
export interface FileArgs {
  uri?: vscode.Uri;
  uris?: vscode.Uri[];
}

export const FILE_ARGS: Shape<FileArgs> = { uri: is.uri, uris: is.uris };

/**
 * The explorer's `(uri, uris[])` (several files selected: `uris`), or one argument object: its
 * fields, and the files it names.
 */
export function fromFileArguments<T extends FileArgs>(first: unknown, second: unknown, shape: Shape<T>): { args: Partial<T>; uris?: vscode.Uri[] } {
  if (first instanceof vscode.Uri) {
    const many = is.uris(second) && second.length > 0 ? second : [first];
    return { args: {}, uris: many };
  }
  const args = fromArgument(first, shape);
  const uris = args.uris ?? (args.uri ? [args.uri] : undefined);
  return { args, uris };
}
