// The `custodian` launcher the VS Code extension puts on its terminals' PATH and gives git's drivers
// (docs/CLI.md, "In VS Code's terminals"): a shell script that runs the CLI the extension ships
// (dist/cli.js) with the runtime VS Code runs extensions on, so nothing has to be installed for
// `custodian` to work in an integrated terminal. VS Code's own git extension starts its askpass helper
// the same way (ELECTRON_RUN_AS_NODE: the Electron binary runs a script as Node does).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { shellQuote } from '../core/shell-quote';
import { writeFileAtomic } from './atomic-file';

/**
 * Set by the launcher to its own path. The CLI then knows how git should start it (`custodian git
 * setup`: the launcher, whose path survives updates of the extension), and removes this and
 * ELECTRON_RUN_AS_NODE from its environment, so the programs it starts (`custodian run -- code .`, git)
 * do not inherit them: an Electron application started with ELECTRON_RUN_AS_NODE set runs as Node
 * instead of opening.
 */
export const LAUNCHER_ENV = 'CUSTODIAN_VSCODE_LAUNCHER';

/**
 * The text of the launcher at `self`: `runtime` (Node, or Electron acting as Node) runs `cliScript` with
 * the arguments.
 */
export function launcherScript(self: string, runtime: string, cliScript: string): string {
  return [
    '#!/bin/sh',
    '# Written by the Custodian VS Code extension each time it starts: runs the command-line tool the',
    '# extension ships with the runtime VS Code runs extensions on. Safe to delete; it is written again.',
    `${LAUNCHER_ENV}=${shellQuote(self)} ELECTRON_RUN_AS_NODE=1 exec ${shellQuote(runtime)} ${shellQuote(cliScript)} "$@"`,
    '',
  ].join('\n');
}

/**
 * Writes the launcher as `dir`/custodian, readable and runnable by this user only, unless it already says
 * the same (a start of VS Code writes nothing then); returns its path.
 */
export async function installLauncher(dir: string, runtime: string, cliScript: string): Promise<string> {
  const file = path.resolve(dir, 'custodian');
  const text = launcherScript(file, runtime, cliScript);
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (current === text && ((await fs.stat(file)).mode & 0o777) === 0o700) return file;
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, new TextEncoder().encode(text), { force: true, mode: 0o700 });
  // The mode given at creation is filtered by the umask; a launcher that cannot run is no launcher.
  await fs.chmod(file, 0o700);
  return file;
}
