// Waiting for something VS Code does on its own time (a tab to show, an editor to become active, a
// document to be reloaded or reverted), up to a deadline: the state is checked now and at each of the
// events that can change it, and the listeners are disposed whichever comes first.
import type * as vscode from 'vscode';

/** True once `holds()` is true (now, or when one of `events` fires); false when `ms` passed without it. */
export function until(events: readonly vscode.Event<unknown>[], holds: () => boolean, ms: number): Promise<boolean> {
  if (holds()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
      resolve(value);
    };
    const subscriptions = events.map((event) => event(() => holds() && done(true)));
    const timer = setTimeout(() => done(holds()), ms);
  });
}
