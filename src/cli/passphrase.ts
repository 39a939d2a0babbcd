// Where passphrases come from, in order: --passphrase-file, $CUSTODIAN_PASSPHRASE, then a prompt on
// the terminal without echo. The prompt reads the controlling terminal (/dev/tty) when stdin is busy
// with data, so `custodian decrypt -i key.pem < file.enc` can still ask.
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { CliError, InterruptedError, UsageError } from './output';
import { readSmallFile } from '../node/node-streams';

export const PASSPHRASE_ENV = 'CUSTODIAN_PASSPHRASE';

/** Passphrase files are a line of text; anything larger is a mistake (e.g. a key passed by accident). */
const MAX_PASSPHRASE_FILE_BYTES = 64 * 1024;

/** Tries at an interactive prompt before giving up on a wrong passphrase. */
export const PROMPT_ATTEMPTS = 3;

export interface PassphraseRequest {
  /** The prompt text, e.g. `Passphrase for key.pem: `. */
  prompt: string;
  /** Ask twice and require both to match (when creating a key). Ignored for non-interactive sources. */
  confirm?: boolean;
}

export interface PassphraseSourceOptions {
  passphraseFile?: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

/** Supplies passphrases to commands. Non-interactive sources give the same answer every time. */
export class PassphraseSource {
  private cached?: string;

  constructor(private readonly options: PassphraseSourceOptions) {}

  /** True when asking again may give a different answer (so retrying a wrong passphrase makes sense). */
  get interactive(): boolean {
    return this.options.passphraseFile === undefined && this.options.env[PASSPHRASE_ENV] === undefined;
  }

  async get(request: PassphraseRequest): Promise<string> {
    const { passphraseFile, env } = this.options;
    if (passphraseFile !== undefined) {
      this.cached ??= await readPassphraseFile(passphraseFile);
      return this.cached;
    }
    const fromEnv = env[PASSPHRASE_ENV];
    if (fromEnv !== undefined) return fromEnv;
    const first = await promptHidden(request.prompt, this.options);
    if (!request.confirm) return first;
    const second = await promptHidden('Repeat the passphrase: ', this.options);
    if (first !== second) throw new CliError('the two passphrases differ', { hint: 'run the command again and type the same passphrase twice' });
    return first;
  }
}

/** The first line of a file, without its line ending (as `--passphrase-file` expects). */
export async function readPassphraseFile(path: string): Promise<string> {
  const bytes = await readSmallFile(path, MAX_PASSPHRASE_FILE_BYTES, `passphrase file ${path}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`passphrase file ${path} is not UTF-8 text`);
  } finally {
    bytes.fill(0);
  }
  const newline = text.search(/\r?\n/);
  return newline === -1 ? text : text.slice(0, newline);
}

interface Terminal {
  input: tty.ReadStream;
  output: NodeJS.WritableStream;
  close(): void;
}

function openTerminal(options: PassphraseSourceOptions): Terminal | undefined {
  if (options.stdin.isTTY) {
    return { input: options.stdin as tty.ReadStream, output: options.stderr, close: () => undefined };
  }
  // stdin carries data: ask on the controlling terminal instead (POSIX only).
  let fd: number;
  try {
    fd = fs.openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  const input = new tty.ReadStream(fd);
  const output = options.stderr.isTTY ? options.stderr : new tty.WriteStream(fd);
  return {
    input,
    output,
    close: () => {
      input.destroy();
      if (output !== options.stderr) (output as tty.WriteStream).destroy();
    },
  };
}

/** Reads a line from the terminal in raw mode, echoing nothing; `what` names it in errors. */
export async function promptHidden(prompt: string, options: PassphraseSourceOptions, what = 'passphrase'): Promise<string> {
  const term = openTerminal(options);
  if (!term) {
    throw new UsageError(`a ${what} is needed but there is no terminal to ask on`, {
      hint: what === 'passphrase' ? `pass --passphrase-file FILE or set ${PASSPHRASE_ENV}` : `pipe the ${what} on standard input`,
    });
  }
  const { input, output } = term;
  output.write(prompt);
  const wasRaw = input.isRaw;
  input.setRawMode(true);
  input.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      const chars: string[] = [];
      const finish = (error?: Error): void => {
        input.removeListener('data', onData);
        input.removeListener('error', onError);
        output.write('\n');
        if (error) reject(error);
        else resolve(chars.join(''));
        chars.length = 0;
      };
      const onError = (err: Error): void => finish(err);
      const onData = (data: string): void => {
        for (const ch of data) {
          if (ch === '\r' || ch === '\n') return finish();
          if (ch === '\u0003') return finish(new InterruptedError('interrupted'));
          if (ch === '\u0004') {
            if (chars.length === 0) return finish(new CliError(`no ${what} entered`));
            return finish();
          }
          if (ch === '\u007f' || ch === '\b') chars.pop();
          else if (ch === '\u0015') chars.length = 0; // Ctrl-U clears the line
          else if (ch >= ' ') chars.push(ch);
        }
      };
      input.on('data', onData);
      input.on('error', onError);
      input.resume();
    });
  } finally {
    input.setRawMode(wasRaw);
    input.pause();
    term.close();
  }
}
