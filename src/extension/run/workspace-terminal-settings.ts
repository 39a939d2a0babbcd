// A repository's own settings (.vscode/settings.json, a .code-workspace file) can decide what a new
// integrated terminal runs and what it gets: an env block (PROMPT_COMMAND, NODE_OPTIONS, LD_PRELOAD), a
// profile and its arguments (bash --rcfile a script of the repository). A secrets terminal is an
// integrated terminal like any other, so whatever those settings run reads its variables. VS Code gives
// no way to open a terminal past them; a committer who is no recipient could have set them. So before a
// secrets terminal opens in a workspace that sets any of them, the person is told which, and asked; the
// answer holds while the settings stay as they were.
import * as vscode from 'vscode';

/** workspaceState key: the workspace's terminal settings, as they were when the person said to go on. */
const ACCEPTED = 'custodian.secretsTerminal.acceptedTerminalSettings';

/** `terminal.integrated.*` settings (for this platform) that change what a terminal runs or its environment. */
function settingNames(platform: NodeJS.Platform): string[] {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'osx' : 'linux';
  return ['env', 'profiles', 'defaultProfile', 'shell', 'shellArgs', 'automationProfile'].map((name) => `${name}.${os}`);
}

/** The settings above that the workspace (or one of its folders) sets, with the values it sets. */
export function workspaceTerminalSettings(platform: NodeJS.Platform = process.platform): Map<string, unknown> {
  const found = new Map<string, unknown>();
  const scopes: (vscode.WorkspaceFolder | undefined)[] = [undefined, ...(vscode.workspace.workspaceFolders ?? [])];
  for (const scope of scopes) {
    const config = vscode.workspace.getConfiguration('terminal.integrated', scope);
    for (const name of settingNames(platform)) {
      const inspected = config.inspect(name);
      for (const value of [inspected?.workspaceValue, inspected?.workspaceFolderValue]) {
        if (value !== undefined) found.set(`terminal.integrated.${name}`, value);
      }
    }
  }
  return found;
}

/**
 * True when a secrets terminal may open: the workspace sets none of those settings, or the person,
 * told which, chose to go on (remembered until they change).
 */
export async function terminalSettingsAccepted(state: vscode.Memento): Promise<boolean> {
  const settings = workspaceTerminalSettings();
  if (settings.size === 0) return true;
  const seen = JSON.stringify([...settings].sort(([a], [b]) => a.localeCompare(b)));
  if (state.get<string>(ACCEPTED) === seen) return true;
  const openAnyway = vscode.l10n.t('Open Anyway');
  const show = vscode.l10n.t('Show the Settings');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t("This workspace's settings decide how its terminals start: {0}. Whatever they run would read this terminal's secrets. Open it anyway?", [...settings.keys()].join(', ')),
    {
      modal: true,
      detail: vscode.l10n.t("They come from the repository (.vscode/settings.json or the .code-workspace file), which anyone who can commit to it can change. Check what they run first. Going on is remembered until they change."),
    },
    // The first button is the dialog's default: an Enter typed by habit shows the settings, it does not open the terminal.
    show,
    openAnyway,
  );
  if (answer === show) await vscode.commands.executeCommand('workbench.action.openWorkspaceSettingsFile');
  if (answer !== openAnyway) return false;
  await state.update(ACCEPTED, seen);
  return true;
}
