// Command-line parsing on Node's util.parseArgs (strict: unknown flags are usage errors), with typed
// accessors that turn bad values into usage errors naming the flag.
import { parseArgs } from 'node:util';
import { PROGRAM, UsageError } from './output';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}
export type OptionSpecs = Record<string, OptionSpec>;

type Value = string | boolean | (string | boolean)[] | undefined;

function helpHint(command: string): string {
  return `run '${PROGRAM} ${command} --help' for usage`;
}

export class Args {
  constructor(
    readonly command: string,
    private readonly values: Record<string, Value>,
    readonly positionals: readonly string[],
    /** How many positionals came before a `--` (all of them when there is none). */
    readonly positionalsBeforeTerminator: number = positionals.length,
  ) {}

  usageError(message: string): UsageError {
    return new UsageError(message, { hint: helpHint(this.command) });
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    if (Array.isArray(v)) return v.length > 0 ? String(v[v.length - 1]) : undefined;
    return typeof v === 'string' ? v : undefined;
  }

  strings(name: string): string[] {
    const v = this.values[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
  }

  integer(name: string, range: { min: number; max: number }): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^[0-9]+$/.test(raw)) throw this.usageError(`--${name} expects a whole number, got "${raw}"`);
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
      throw this.usageError(`--${name} must be between ${range.min} and ${range.max}, got ${raw}`);
    }
    return n;
  }

  choice<T extends string>(name: string, choices: readonly T[], normalize: (s: string) => string = (s) => s): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const found = choices.find((c) => c === normalize(raw));
    if (found === undefined) throw this.usageError(`--${name} must be one of ${choices.join(', ')}, got "${raw}"`);
    return found;
  }

  /** Checks the number of positional arguments; `names` describes them in the message. */
  expectPositionals(min: number, max: number, names: string): void {
    const n = this.positionals.length;
    if (n < min) throw this.usageError(`missing ${names}`);
    if (n > max) {
      const extra = this.positionals[max];
      throw this.usageError(max === 0 ? `unexpected argument "${extra}"` : `too many arguments (unexpected "${extra}")`);
    }
  }
}

/** The flag named in a parseArgs message: `'-o, --out <value>'` becomes `-o/--out`. */
function flagFromMessage(message: string): string {
  const inner = /'(-[^']*)'/.exec(message)?.[1] ?? '';
  return inner.replace(/ <value>$/, '').replace(', ', '/');
}

/** Parses `argv` (the words after the command name). `--help`/`-h` is always accepted. */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpecs): Args {
  try {
    const { values, positionals, tokens } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    // parseArgs keeps the last of a repeated one-value flag: `-o a -o b` or two --require-signer would
    // silently drop one.
    const seen = new Set<string>();
    for (const t of tokens) {
      if (t.kind !== 'option' || options[t.name]?.type !== 'string' || options[t.name].multiple) continue;
      if (seen.has(t.name)) {
        const short = options[t.name].short;
        throw new UsageError(`flag ${short ? `-${short}/` : ''}--${t.name} is given more than once; it takes one value`, { hint: helpHint(command) });
      }
      seen.add(t.name);
    }
    const terminator = tokens.findIndex((t) => t.kind === 'option-terminator');
    const before = terminator === -1 ? positionals.length : tokens.slice(0, terminator).filter((t) => t.kind === 'positional').length;
    return new Args(command, values as Record<string, Value>, positionals, before);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const flag = flagFromMessage(e.message ?? '');
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown flag ${flag}`, { hint: helpHint(command) });
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (e.message.includes('argument missing')) {
          throw new UsageError(`flag ${flag} needs a value`, { hint: helpHint(command) });
        }
        if (e.message.includes('ambiguous')) {
          throw new UsageError(`flag ${flag} is followed by another flag instead of its value`, {
            hint: "to pass a value that starts with '-', use the --flag=VALUE form",
          });
        }
        throw new UsageError(`flag ${flag} does not take a value`, { hint: helpHint(command) });
      default:
        throw new UsageError(e.message ?? String(err), { hint: helpHint(command) });
    }
  }
}
