// until (src/extension/until.ts): a state checked now and at each event, up to a deadline; listeners disposed.
import { strict as assert } from 'node:assert';
import { until } from '../../src/extension/until';

/** A minimal vscode.Event: listeners, how many are subscribed, and a way to fire. */
function emitter(): { event: (listener: (e: unknown) => unknown) => { dispose(): void }; fire(): void; listening(): number } {
  const listeners = new Set<(e: unknown) => unknown>();
  return {
    event: (listener) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    fire: () => listeners.forEach((l) => l(undefined)),
    listening: () => listeners.size,
  };
}

describe('until', () => {
  it('true at once when the state holds already, with no listener', async () => {
    const e = emitter();
    assert.equal(await until([e.event], () => true, 1_000), true);
    assert.equal(e.listening(), 0);
  });

  it('true when an event finds the state holding; the listeners of every event are disposed', async () => {
    const [a, b] = [emitter(), emitter()];
    let holds = false;
    const waiting = until([a.event, b.event], () => holds, 5_000);
    a.fire();
    holds = true;
    b.fire();
    assert.equal(await waiting, true);
    assert.deepEqual([a.listening(), b.listening()], [0, 0]);
  });

  it('after the deadline, what the state is then, and nothing left listening', async () => {
    const e = emitter();
    assert.equal(await until([e.event], () => false, 20), false);
    let holds = false;
    const late = until([e.event], () => holds, 20);
    holds = true; // changed with no event: seen at the deadline
    assert.equal(await late, true);
    assert.equal(e.listening(), 0);
  });
});
