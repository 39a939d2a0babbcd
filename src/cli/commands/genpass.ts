// custodian genpass: random passwords, passphrases (EFF word list) and tokens, with their entropy.
import {
  DEFAULT_PASSWORD_POLICY,
  DEFAULT_TOKEN_BYTES,
  generatePassphrase,
  generatePassword,
  generateToken,
  MAX_PASSWORD_LENGTH,
  MAX_TOKEN_BYTES,
  MAX_WORDS,
  MIN_PASSWORD_LENGTH,
  MIN_TOKEN_BYTES,
  MIN_WORDS,
  MIN_ENTROPY_BITS,
  MIN_TOKEN_BYTES_FLOOR,
  resolveSettingsWithFloor,
  type Generated,
} from '../../core/password';
import { type Command } from '../command';
import { commandMain } from '../command-main';

const MAX_COUNT = 1000;

export const genpassCommand: Command = {
  name: 'genpass',
  options: {
    length: { type: 'string', short: 'l' },
    'no-lowercase': { type: 'boolean' },
    'no-uppercase': { type: 'boolean' },
    'no-digits': { type: 'boolean' },
    'no-symbols': { type: 'boolean' },
    'no-look-alikes': { type: 'boolean' },
    'any-class': { type: 'boolean' },
    words: { type: 'string', short: 'w' },
    separator: { type: 'string' },
    capitalize: { type: 'boolean' },
    number: { type: 'boolean' },
    token: { type: 'boolean' },
    bytes: { type: 'string' },
    base64url: { type: 'boolean' },
    count: { type: 'string', short: 'c' },
  },
  help: `Usage: custodian genpass [-l LENGTH] [--no-lowercase] [--no-uppercase] [--no-digits]
                         [--no-symbols] [--no-look-alikes] [--any-class]
       custodian genpass -w WORDS [--separator S] [--capitalize] [--number]
       custodian genpass --token [--bytes N] [--base64url]
       (each with [-c COUNT])

Prints random passwords (default: ${DEFAULT_PASSWORD_POLICY.length} characters from all 94 printable ASCII characters, at least
one of each class), passphrases (words from the EFF large word list, 7776 words) or tokens (hex
or base64url), one per line. Every choice is uniform (rejection sampling from the OS CSPRNG).
The entropy in bits goes to standard error. Nothing below 72 bits is generated: a length, word
count or token size that gives less is refused, with the least one that reaches it.

Flags:
  -l, --length N          password length (default ${DEFAULT_PASSWORD_POLICY.length}, at most ${MAX_PASSWORD_LENGTH}; at least 12 with
                          every class, more with fewer: whatever reaches 72 bits)
      --no-lowercase, --no-uppercase, --no-digits, --no-symbols
                          leave out a character class
      --no-look-alikes    leave out easily confused characters (${'Il1|O0'})
      --any-class         do not require at least one character of every class
  -w, --words N           a passphrase of N words (6..${MAX_WORDS}) instead of a password
      --separator S       between words (default "${DEFAULT_PASSWORD_POLICY.separator}")
      --capitalize        capitalize each word
      --number            append a random digit
      --token             a random token instead of a password
      --bytes N           token size in bytes (${MIN_TOKEN_BYTES_FLOOR}..${MAX_TOKEN_BYTES}, default ${DEFAULT_TOKEN_BYTES})
      --base64url         token in base64url instead of hex
  -c, --count N           print N values (default 1)

Examples:
  custodian genpass -l 32 --no-symbols
  custodian genpass -w 6 --capitalize --number
  custodian genpass --token --bytes 32 --base64url
`,
  async run(args, ctx) {
    args.expectPositionals(0, 0, '');
    const count = args.integer('count', { min: 1, max: MAX_COUNT }) ?? 1;
    const passwordFlags = ['length', 'no-lowercase', 'no-uppercase', 'no-digits', 'no-symbols', 'no-look-alikes', 'any-class'];
    const passphraseFlags = ['separator', 'capitalize', 'number'];
    const tokenFlags = ['bytes', 'base64url'];
    const mode = args.flag('token') ? 'token' : args.has('words') ? 'passphrase' : 'password';
    if (args.flag('token') && args.has('words')) throw args.usageError('--token and --words cannot be combined');
    const misplaced = [
      ...(mode !== 'password' ? passwordFlags : []),
      ...(mode !== 'passphrase' ? passphraseFlags : []),
      ...(mode !== 'token' ? tokenFlags : []),
    ].find((f) => args.has(f));
    if (misplaced) throw args.usageError(`--${misplaced} does not apply to a ${mode}`);

    // The floor Generate Password keeps (PASSWORDS.md): here flags asked for it, so the CLI refuses and
    // names the least value that reaches it rather than printing something other than what was asked.
    const belowFloor = (flag: string, asked: number, bits: number, least: number, leastBits: number): Error =>
      args.usageError(
        `${flag} ${asked} gives ${bits.toFixed(1)} bits; Custodian never generates secrets below ${MIN_ENTROPY_BITS} bits: use ${flag} ${least} (${leastBits.toFixed(1)} bits) or more`,
      );
    let generate: () => Generated;
    if (mode === 'token') {
      const bytes = args.integer('bytes', { min: MIN_TOKEN_BYTES, max: MAX_TOKEN_BYTES }) ?? DEFAULT_TOKEN_BYTES;
      if (bytes < MIN_TOKEN_BYTES_FLOOR) throw belowFloor('--bytes', bytes, bytes * 8, MIN_TOKEN_BYTES_FLOOR, MIN_TOKEN_BYTES_FLOOR * 8);
      const encoding = args.flag('base64url') ? 'base64url' : 'hex';
      generate = () => generateToken({ bytes, encoding });
    } else if (mode === 'passphrase') {
      const words = args.integer('words', { min: MIN_WORDS, max: MAX_WORDS }) as number;
      const options = { words, separator: args.string('separator'), capitalize: args.flag('capitalize'), appendNumber: args.flag('number') };
      const raised = resolveSettingsWithFloor(options).raised.find((r) => r.setting === 'words');
      if (raised) throw belowFloor('-w', raised.from, raised.fromBits, raised.to, raised.toBits);
      generate = () => generatePassphrase(options);
    } else {
      const options = {
        length: args.integer('length', { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH }),
        lowercase: !args.flag('no-lowercase'),
        uppercase: !args.flag('no-uppercase'),
        digits: !args.flag('no-digits'),
        symbols: !args.flag('no-symbols'),
        excludeLookAlikes: args.flag('no-look-alikes'),
        requireEachClass: !args.flag('any-class'),
      };
      if (!options.lowercase && !options.uppercase && !options.digits && !options.symbols) {
        throw args.usageError('every character class is excluded: keep at least one');
      }
      const raised = resolveSettingsWithFloor(options).raised.find((r) => r.setting === 'length');
      if (raised) throw belowFloor('-l', raised.from, raised.fromBits, raised.to, raised.toBits);
      generate = () => generatePassword(options);
    }
    let entropy = 0;
    for (let i = 0; i < count; i++) {
      const g = generate();
      entropy = g.entropyBits;
      ctx.print(g.value);
    }
    ctx.info(`entropy: ${entropy.toFixed(1)} bits${count > 1 ? ' each' : ''}`);
  },
};

export const main = commandMain(genpassCommand);
