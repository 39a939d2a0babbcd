// Records the quick inputs the extension creates (the test shares the extension's `vscode` API object),
// so a test can type into the real widgets (their `value`) and press Enter / Back with VS Code's commands.
import * as vscode from 'vscode';

export function recordInputs(): { inputs: (vscode.InputBox | vscode.QuickPick<vscode.QuickPickItem>)[]; dispose(): void } {
  const window = vscode.window as unknown as Record<string, unknown>;
  const originals = { createInputBox: window.createInputBox, createQuickPick: window.createQuickPick, showInputBox: window.showInputBox };
  const inputs: (vscode.InputBox | vscode.QuickPick<vscode.QuickPickItem>)[] = [];
  window.createInputBox = (...args: unknown[]) => {
    const box = (originals.createInputBox as (...a: unknown[]) => vscode.InputBox).apply(vscode.window, args);
    inputs.push(box);
    return box;
  };
  window.createQuickPick = (...args: unknown[]) => {
    const pick = (originals.createQuickPick as (...a: unknown[]) => vscode.QuickPick<vscode.QuickPickItem>).apply(vscode.window, args);
    inputs.push(pick);
    return pick;
  };
  window.showInputBox = (...args: unknown[]) => {
    inputs.push({ title: 'showInputBox' } as vscode.InputBox);
    return (originals.showInputBox as (...a: unknown[]) => Thenable<string | undefined>).apply(vscode.window, args);
  };
  return {
    inputs,
    dispose: () => Object.assign(window, originals),
  };
}

export const enter = (): Thenable<unknown> => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
export const back = (): Thenable<unknown> => vscode.commands.executeCommand('workbench.action.quickInputBack');

/**
 * Runs Encrypt Selection on a new YAML document `key: value` (the value selected) and resolves once its
 * recipient picker is shown: the picker, to read and answer (or hide), and the command's own promise.
 */
export async function encryptSelectionPicker(value: string): Promise<{ pick: vscode.QuickPick<vscode.QuickPickItem>; done: Thenable<unknown>; dispose(): Promise<void> }> {
  const doc = await vscode.workspace.openTextDocument({ content: `token: ${value}\n`, language: 'yaml' });
  const editor = await vscode.window.showTextDocument(doc);
  editor.selection = new vscode.Selection(0, 7, 0, 7 + value.length);
  const inputs = recordInputs();
  const done = vscode.commands.executeCommand('custodian.encryptSelection');
  const end = Date.now() + 10_000;
  let pick: vscode.QuickPick<vscode.QuickPickItem> | undefined;
  while (!(pick = inputs.inputs.find((i): i is vscode.QuickPick<vscode.QuickPickItem> => 'selectedItems' in i))) {
    if (Date.now() > end) {
      inputs.dispose();
      throw new Error('timed out waiting for the recipient picker');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pick,
    done,
    dispose: async () => {
      inputs.dispose();
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    },
  };
}
