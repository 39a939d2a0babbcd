// Answers the extension's modal dialogs in a test. The test bundle lives inside the extension, so it is
// handed the same `vscode` API object as the extension: replacing window.showWarningMessage here is seen
// by the extension's own calls. Non-modal messages go to the real implementation.
import * as vscode from 'vscode';

export interface ModalPrompt {
  message: string;
  detail: string;
  items: string[];
  /** The item Escape answers with (`isCloseAffordance`): VS Code then shows no Cancel of its own. */
  closeAffordance?: string;
}

type Answer = (prompt: ModalPrompt) => string | undefined;

export interface ModalAnswerer extends vscode.Disposable {
  readonly prompts: ModalPrompt[];
}

/** Until disposed, every modal warning is recorded and answered by `answer` (undefined = Cancel). */
export function answerModals(answer: Answer): ModalAnswerer {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window.showWarningMessage as (...args: unknown[]) => Thenable<unknown>;
  const prompts: ModalPrompt[] = [];
  window.showWarningMessage = (message: string, ...rest: unknown[]): Thenable<unknown> => {
    const options = rest[0] as vscode.MessageOptions | undefined;
    if (typeof options !== 'object' || options === null || !('modal' in options) || !options.modal) return original.call(vscode.window, message, ...rest);
    const items = rest.slice(1).map((i) => (typeof i === 'string' ? i : (i as vscode.MessageItem).title));
    const close = rest.slice(1).find((i): i is vscode.MessageItem => typeof i === 'object' && i !== null && (i as vscode.MessageItem).isCloseAffordance === true);
    const prompt = { message, detail: options.detail ?? '', items, closeAffordance: close?.title };
    prompts.push(prompt);
    const chosen = answer(prompt);
    return Promise.resolve(rest.slice(1).find((i) => (typeof i === 'string' ? i : (i as vscode.MessageItem).title) === chosen));
  };
  return {
    prompts,
    dispose: () => {
      window.showWarningMessage = original;
    },
  };
}
