// Multi-step input (the pattern of vscode-extension-samples' multiStepInput): each step is a real quick
// input showing "step/total" in its title and, from the second step on, a Back button that returns to
// the previous step with its answer kept. Escape cancels the whole sequence.
import * as vscode from 'vscode';

/** What a step returns when its Back button was pressed. */
export const BACK = Symbol('back');
export type Back = typeof BACK;

export interface StepPosition {
  title: string;
  step: number;
  /** Undefined while it depends on an answer still to come. */
  totalSteps?: number;
}

export interface InputStep extends StepPosition {
  prompt?: string;
  placeholder?: string;
  value?: string;
  password?: boolean;
  /** A problem with `value` (shown under the box, blocks Enter), or undefined when it is fine. */
  validate?: (value: string) => string | undefined | Promise<string | undefined>;
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepPosition {
  items: readonly T[];
  placeholder?: string;
  /** The item to highlight (a previous answer, or the recommended one). */
  active?: T;
}

export interface PickManyStep<T extends vscode.QuickPickItem> extends PickStep<T> {
  /** A problem with the selection (shown as the placeholder, blocks Enter), or undefined when it is fine. */
  validate?: (picked: readonly T[]) => string | undefined;
}

function configure(input: vscode.QuickInput, position: StepPosition): void {
  input.title = position.title;
  // A step number is shown only with its total: a lone "(1)" then "(2/2)" read as a miscount.
  input.step = position.totalSteps === undefined ? undefined : position.step;
  input.totalSteps = position.totalSteps;
  input.ignoreFocusOut = true;
}

/** Resolves to what the user did; the input is disposed once it resolves. */
function settle<R>(input: vscode.QuickInput, listen: (finish: (result: R | Back | undefined) => void) => vscode.Disposable[]): Promise<R | Back | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: R | Back | undefined): void => {
      if (done) return;
      done = true;
      for (const d of subscriptions) d.dispose();
      input.dispose();
      resolve(result);
    };
    const subscriptions = [...listen(finish), input.onDidHide(() => finish(undefined))];
    input.show();
  });
}

function backButton(position: StepPosition): vscode.QuickInputButton[] {
  return position.step > 1 ? [vscode.QuickInputButtons.Back] : [];
}

export function inputStep(options: InputStep): Promise<string | Back | undefined> {
  const box = vscode.window.createInputBox();
  configure(box, options);
  box.prompt = options.prompt;
  box.placeholder = options.placeholder;
  box.value = options.value ?? '';
  box.password = options.password ?? false;
  box.buttons = backButton(options);
  return settle<string>(box, (finish) => [
    box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK)),
    box.onDidChangeValue(async (v) => {
      const problem = await options.validate?.(v);
      if (box.value === v) box.validationMessage = problem;
    }),
    box.onDidAccept(async () => {
      const value = box.value;
      box.busy = true;
      const problem = await options.validate?.(value);
      box.busy = false;
      box.validationMessage = problem;
      if (problem === undefined) finish(value);
    }),
  ]);
}

export function pickStep<T extends vscode.QuickPickItem>(options: PickStep<T>): Promise<T | Back | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  configure(pick, options);
  pick.placeholder = options.placeholder;
  pick.items = options.items;
  if (options.active) pick.activeItems = [options.active];
  pick.buttons = backButton(options);
  return settle<T>(pick, (finish) => [
    pick.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK)),
    pick.onDidAccept(() => pick.selectedItems[0] && finish(pick.selectedItems[0])),
  ]);
}

export function pickManyStep<T extends vscode.QuickPickItem>(options: PickManyStep<T>): Promise<T[] | Back | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  configure(pick, options);
  pick.canSelectMany = true;
  pick.placeholder = options.placeholder;
  pick.items = options.items;
  pick.selectedItems = options.items.filter((i) => i.picked);
  pick.buttons = backButton(options);
  return settle<T[]>(pick, (finish) => [
    pick.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK)),
    pick.onDidAccept(() => {
      const problem = options.validate?.(pick.selectedItems);
      if (problem === undefined) finish([...pick.selectedItems]);
      else pick.placeholder = problem;
    }),
  ]);
}

export type StepRun = () => Promise<true | Back | undefined>;

/** A step, or one that only applies `when` an earlier answer says so (skipped going forward and back). */
export type Step = StepRun | { run: StepRun; when: () => boolean };

/**
 * Runs `steps` in order. A step resolves to true to go on, BACK to rerun the previous step, or
 * undefined to cancel everything; resolves to true when the last step went on.
 */
export async function runSteps(steps: readonly Step[]): Promise<boolean> {
  const applies = (i: number): boolean => {
    const s = steps[i];
    return typeof s === 'function' || s.when();
  };
  let i = 0;
  while (i < steps.length) {
    if (!applies(i)) {
      i++;
      continue;
    }
    const s = steps[i];
    const outcome = await (typeof s === 'function' ? s() : s.run());
    if (outcome === undefined) return false;
    if (outcome === BACK) {
      let j = i - 1;
      while (j > 0 && !applies(j)) j--;
      i = Math.max(0, j);
    } else i++;
  }
  return true;
}
