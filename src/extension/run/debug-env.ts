// Launch configurations with `"custodianEnvFiles": [".env.enc"]`: the decrypted variables go into the
// configuration's `env` in memory, for any debugger that takes `env` (node, python, go …). The
// configuration's own `env` wins over the files, as launch.json's `env` wins over `envFile`.
import * as vscode from 'vscode';
import type { ErrorReporter } from '../ui/error-reporter';
import type { EnvLoader } from './env-source';
import { envFileUris, insideWorkspace } from './env-files-arg';

export const DEBUG_ENV_FILES_KEY = 'custodianEnvFiles';

export class DebugEnvProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly load: EnvLoader,
    private readonly errors: Pick<ErrorReporter, 'report'>,
  ) {}

  async resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!(DEBUG_ENV_FILES_KEY in config)) return config;
    try {
      const vars = await this.load(await insideWorkspace(envFileUris(config[DEBUG_ENV_FILES_KEY], DEBUG_ENV_FILES_KEY, folder), DEBUG_ENV_FILES_KEY));
      const own: unknown = config.env;
      const explicit = typeof own === 'object' && own !== null && !Array.isArray(own) ? (own as Record<string, unknown>) : {};
      const env: Record<string, unknown> = Object.fromEntries(vars);
      vars.clear();
      const resolved: vscode.DebugConfiguration = { ...config, env: { ...env, ...explicit } };
      delete resolved[DEBUG_ENV_FILES_KEY];
      return resolved;
    } catch (err) {
      // undefined stops the launch; the report names the file and why.
      this.errors.report(err, DEBUG_ENV_FILES_KEY);
      return undefined;
    }
  }
}
