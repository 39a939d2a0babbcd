// The command line itself: help for every command, version, unknown commands and flags, exit codes.
import * as assert from 'node:assert/strict';
import type { Command } from '../../src/cli/command';
import { COMMANDS } from '../../src/cli/main';
import { run } from './helpers';

/** The command object a command's module exports (main.ts loads the module's bundle by the same name). */
function commandNamed(name: string): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(`../../src/cli/commands/${name}`) as Record<string, unknown>;
  const command = Object.values(exports).find((v): v is Command => typeof v === 'object' && v !== null && (v as Command).name === name && 'options' in v);
  if (!command) throw new Error(`src/cli/commands/${name}.ts exports no command named ${name}`);
  return command;
}

describe('cli: usage, help, exit codes', function () {
  this.timeout(60_000);

  it('--help lists every command and exits 0; no arguments prints it to stderr and exits 2', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.split('\n').filter((line) => line.length > 100), [], 'fits a 100-column terminal');
    for (const c of COMMANDS) assert.match(r.out, new RegExp(`^  ${c.name} +\\S`, 'm'));
    assert.match(r.out, /Exit status: 0 success, 1 failure/);
    assert.match(r.out, /Messages are in English/, 'the help says the CLI is not localized (the extension is)');
    const none = run([]);
    assert.equal(none.code, 2);
    assert.equal(none.out, '');
    assert.match(none.stderr, /^Usage: custodian COMMAND/);
  });

  it('--version / -V print the package version', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { version } = require('../../package.json') as { version: string };
    assert.equal(run(['--version']).out, `custodian ${version}\n`);
    assert.equal(run(['-V']).out, `custodian ${version}\n`);
  });

  for (const c of COMMANDS) {
    it(`${c.name} --help and -h print usage with examples, exit 0`, () => {
      for (const flag of ['--help', '-h']) {
        const r = run([c.name, flag]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.out.startsWith(`Usage: custodian ${c.name}`), r.out);
        assert.match(r.out, /\nExamples:\n {2}custodian /);
      }
      // Prose fits a 100-column terminal (a trial's terminal split "authenticate|d" in run's); usage
      // lines and example commands, meant to be copied whole, may run longer.
      const help = run([c.name, '--help']).out;
      const usage = help.slice(0, help.indexOf('\n\n'));
      const examples = help.slice(help.indexOf('\nExamples:\n'));
      const long = help.split('\n').filter((line) => line.length > 100 && !usage.includes(line) && !examples.includes(line));
      assert.deepEqual(long, [], `lines over 100 columns in custodian ${c.name} --help`);
      assert.equal(run(['help', c.name]).out, help);
    });

    it(`${c.name}: its usage lines show every flag it accepts`, () => {
      const { help, options } = commandNamed(c.name);
      // The usage lines: the help up to its first blank line.
      const usage = help.slice(0, help.indexOf('\n\n'));
      for (const [name, spec] of Object.entries(options)) {
        const spellings = [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])];
        const shown = spellings.some((flag) => new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(usage));
        assert.ok(shown, `custodian ${c.name} accepts ${spellings.join('/')}, which its usage lines leave out:\n${usage}`);
      }
    });

    it(`${c.name}: an unknown flag is a usage error naming the flag (exit 2)`, () => {
      const r = run([c.name, '--no-such-flag'], { input: '' });
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `custodian: error: unknown flag --no-such-flag\ncustodian: hint: run 'custodian ${c.name} --help' for usage\n`);
      assert.equal(r.out, '');
    });
  }

  it('unknown commands exit 2, with a suggestion for a prefix', () => {
    const r = run(['encrpyt']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^custodian: error: unknown command "encrpyt"\n/);
    const prefix = run(['dec']);
    assert.match(prefix.stderr, /did you mean 'custodian decrypt'\?/);
    assert.equal(run(['--frobnicate']).code, 2);
    assert.equal(run(['help', 'nope']).code, 2);
  });

  it('a flag missing its value, or given a value it does not take, is a usage error', () => {
    const missing = run(['encrypt', '-r']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /flag -r\/--recipient needs a value/);
    const extra = run(['encrypt', '--armor=yes']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /flag -a\/--armor does not take a value/);
  });
});
