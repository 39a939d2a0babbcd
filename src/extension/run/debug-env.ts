// Launch configurations with `"custodianEnvFiles": [".env.enc"]`: the decrypted variables go into the
// configuration's `env` in memory, for any debugger that takes `env` (node, python, go …). The
// configuration's own `env` wins over the files, as launch.json's `env` wins over `envFile`.
import * as vscode from 'vscode';
import type { ErrorReporter } from '../ui/error-reporter';
import type { EnvLoader } from './env-source';
import { envFileUris, insideWorkspace } from './env-files-arg';

export const DEBUG_ENV_FILES_KEY = 'custodianEnvFiles';

/** Debuggers whose `console` is a terminal when launch.json does not say (debugpy's default). */
const TERMINAL_BY_DEFAULT = new Set(['python', 'debugpy']);

/**
 * Where the program runs. In a terminal (`console: integratedTerminal` or `externalTerminal`), the
 * debugger asks VS Code to start it there, and VS Code types the variables into the shell's command
 * line (`env NAME=value … program`), which the shell's history file keeps (a red team found them in
 * ~/.bash_history). So the variables from encrypted files go to programs in the Debug Console only.
 */
function inTerminal(config: vscode.DebugConfiguration): boolean {
  const where: unknown = config.console;
  return where === 'integratedTerminal' || where === 'externalTerminal' || (where === undefined && TERMINAL_BY_DEFAULT.has(config.type));
}

export class DebugEnvProvider implements vscode.DebugConfigurationProvider {
  private toldConsole = false;

  constructor(
    private readonly load: EnvLoader,
    private readonly errors: Pick<ErrorReporter, 'report'>,
  ) {}

  async resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!(DEBUG_ENV_FILES_KEY in config)) return config;
    try {
      const own: unknown = config.env;
      const explicit = typeof own === 'object' && own !== null && !Array.isArray(own) ? (own as Record<string, unknown>) : {};
      const vars = await this.load(await insideWorkspace(envFileUris(config[DEBUG_ENV_FILES_KEY], DEBUG_ENV_FILES_KEY, folder), DEBUG_ENV_FILES_KEY), Object.keys(explicit));
      const env: Record<string, unknown> = Object.fromEntries(vars);
      vars.clear();
      const resolved: vscode.DebugConfiguration = { ...config, env: { ...env, ...explicit } };
      delete resolved[DEBUG_ENV_FILES_KEY];
      if (inTerminal(config)) {
        resolved.console = 'internalConsole';
        // Where the output went is shown, or a person who asked for a terminal sees none (a trial).
        resolved.internalConsoleOptions = 'openOnSessionStart';
        this.tellConsole(config.name);
      }
      return resolved;
    } catch (err) {
      // undefined stops the launch; the report names the file and why.
      this.errors.report(err, DEBUG_ENV_FILES_KEY);
      return undefined;
    }
  }

  /** Said once per session: the program's output is in the Debug Console, and why. */
  private tellConsole(name: string): void {
    if (this.toldConsole) return;
    this.toldConsole = true;
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        '"{0}" runs in the Debug Console, not in a terminal: VS Code would type the decrypted variables into the terminal\'s command line, where the shell\'s history keeps them. For a program that reads from the keyboard, run it in a terminal with "custodian run -e FILE -- COMMAND" and attach the debugger.',
        name,
      ),
    );
  }
}
