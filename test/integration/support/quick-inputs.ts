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
