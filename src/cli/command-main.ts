// One command, run in this process: its flags parsed, its code run with the process's context, and any
// failure reported as `custodian: error: …` with its exit status. Each command's module exports its
// `main` made here, and is its own bundle (dist/cli/NAME.js), required by main.ts when the command is
// named: a start compiles and runs the code of that one command only (docs/PERFORMANCE.md).
import { agentFromEnv } from '../node/agent-client';
import { createNodeCryptoBackend } from '../node/node-crypto-backend';
import { parseCommandArgs } from './args';
import { CommandContext, type Command, type CommandMain } from './command';
import { ExitCode, PROGRAM, reportError } from './output';

export function commandMain(command: Command): CommandMain {
  return async (argv, io) => {
    try {
      const args = parseCommandArgs(command.name, argv, command.options);
      if (args.flag('help')) {
        io.stdout.write(command.help);
        return ExitCode.Ok;
      }
      const waiting = (): void => void io.stderr.write(`${PROGRAM}: waiting for your answer in VS Code: it asks whether this command may use your key\n`);
      const noted = new Set<string>();
      const note = (line: string): void => {
        if (!noted.has(line)) void io.stderr.write(`${PROGRAM}: ${line}\n`);
        noted.add(line);
      };
      const status = await command.run(args, new CommandContext(io, () => createNodeCryptoBackend(), () => agentFromEnv(io.env, waiting, note)));
      return typeof status === 'number' ? status : ExitCode.Ok;
    } catch (err) {
      return reportError(err, io);
    }
  };
}
