// SHA-256 of a long stream computed on a worker thread, for the signature transcript of a large
// signed encrypt (FORMAT.md §5): hashing is ~125 ms of CPU per 256 MiB, nearly half of such a run,
// and the second core has time for it (docs/PERFORMANCE.md). The caller copies its bytes into a
// ring of shared slots and goes on; the worker hashes the slots in order. Only the header and
// ciphertext pass through the ring: nothing secret.
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { Sha256Hasher } from '../core/crypto-backend';
import { CustodianError } from '../core/errors';

/** The hashing thread failed or stopped answering; the output is not signed and must not be kept. */
export class TranscriptHashError extends CustodianError {}

export interface OffThreadSha256 extends Sha256Hasher {
  /** Stops the worker. Safe at any time and more than once; `digest()` stops it too. */
  dispose(): void;
}

export interface OffThreadSha256Options {
  /** How long to wait for the worker to start; then the caller hashes inline. */
  startTimeoutMs?: number;
  /** How long to wait for the running worker to free a slot before failing. */
  stallTimeoutMs?: number;
  /** Test seam: the worker's source (default WORKER_SOURCE). */
  workerSource?: string;
}

/** Four 512 KiB slots: as fast as larger rings, and 2 MiB of memory (docs/PERFORMANCE.md). */
const SLOT_SIZE = 512 << 10;
const SLOT_COUNT = 4;
/** A slot's length word: 0 = free; 1…SLOT_SIZE = bytes to hash; FINISH = write the digest. */
const FINISH = -1;
/** The status word after the slots' length words, then the digest (8 words). */
const STATUS = SLOT_COUNT;
const RUNNING = 0;
const DONE = 1;
const FAILED = 2;
const DIGEST_OFFSET = (SLOT_COUNT + 1) * 4;
const CONTROL_BYTES = DIGEST_OFFSET + 32;
/** A worker starts in ~20 ms; one that takes this long is not worth waiting for. */
const DEFAULT_START_TIMEOUT_MS = 10_000;
/**
 * Hashing a slot takes ~0.25 ms: only a worker that died (it cannot report that while the caller
 * blocks) or a machine stalled this long reaches it.
 */
const DEFAULT_STALL_TIMEOUT_MS = 30_000;

// Plain JavaScript run by the worker (`eval`), so the bundle needs no second entry point. It reports
// that it is ready, then waits on each slot in turn, hashes it and frees it; on FINISH it writes the
// digest and stops.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { ring, control, slotSize, slotCount, finish, status, done, failed, digestOffset } = workerData;
const bytes = new Uint8Array(ring);
const words = new Int32Array(control);
try {
  const hash = createHash('sha256');
  parentPort.postMessage('ready');
  for (let slot = 0; ; slot = (slot + 1) % slotCount) {
    Atomics.wait(words, slot, 0);
    const length = Atomics.load(words, slot);
    if (length === finish) break;
    hash.update(bytes.subarray(slot * slotSize, slot * slotSize + length));
    Atomics.store(words, slot, 0);
    Atomics.notify(words, slot);
  }
  new Uint8Array(control, digestOffset, 32).set(hash.digest());
  Atomics.store(words, status, done);
} catch {
  Atomics.store(words, status, failed);
}
for (let i = 0; i <= status; i++) Atomics.notify(words, i);
`;

/**
 * Starts the worker; resolves once it is ready, or to undefined if it cannot start (then hash inline).
 * Never rejects. Start it before other work (loading keys) so that its start-up overlaps that work.
 */
export function startOffThreadSha256(options: OffThreadSha256Options = {}): Promise<OffThreadSha256 | undefined> {
  const ring = new SharedArrayBuffer(SLOT_SIZE * SLOT_COUNT);
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  let worker: Worker;
  try {
    worker = new Worker(options.workerSource ?? WORKER_SOURCE, {
      eval: true,
      env: SHARE_ENV,
      workerData: { ring, control, slotSize: SLOT_SIZE, slotCount: SLOT_COUNT, finish: FINISH, status: STATUS, done: DONE, failed: FAILED, digestOffset: DIGEST_OFFSET },
    });
  } catch {
    return Promise.resolve(undefined);
  }
  // Failures after start-up reach the caller through the status word (or as a stall): while it
  // blocks on a slot, no event is delivered.
  worker.on('error', () => undefined);
  return new Promise((resolve) => {
    // The starting worker keeps the process alive (a caller awaits it); a running one does not.
    const timer = setTimeout(() => settle(false), options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const settle = (ready: boolean): void => {
      clearTimeout(timer);
      worker.off('message', onReady).off('error', onFailure).off('exit', onFailure);
      if (ready) {
        worker.unref();
        resolve(ringHasher(Buffer.from(ring), new Int32Array(control), worker, options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS));
      } else {
        void worker.terminate();
        resolve(undefined);
      }
    };
    const onReady = (): void => settle(true);
    const onFailure = (): void => settle(false);
    worker.once('message', onReady).once('error', onFailure).once('exit', onFailure);
  });
}

function ringHasher(bytes: Buffer, words: Int32Array, worker: Worker, stallTimeoutMs: number): OffThreadSha256 {
  let slot = 0;
  let fill = 0;
  let state: 'open' | 'finished' | 'disposed' = 'open';

  const dispose = (): void => {
    if (state === 'disposed') return;
    state = 'disposed';
    void worker.terminate();
  };
  const fail = (message: string): never => {
    dispose();
    throw new TranscriptHashError(message, { hint: 'run the command again' });
  };
  // Blocks while `index` holds a value `busy` accepts: the caller has nothing else to do until then.
  const waitWhile = (index: number, busy: (value: number) => boolean): void => {
    for (let value = Atomics.load(words, index); busy(value); value = Atomics.load(words, index)) {
      if (Atomics.load(words, STATUS) === FAILED) fail('the SHA-256 worker thread failed');
      if (Atomics.wait(words, index, value, stallTimeoutMs) === 'timed-out') fail(`the SHA-256 worker thread did not answer for ${stallTimeoutMs} ms`);
    }
  };
  const publish = (length: number): void => {
    Atomics.store(words, slot, length);
    Atomics.notify(words, slot);
    slot = (slot + 1) % SLOT_COUNT;
    fill = 0;
    waitWhile(slot, (value) => value !== 0);
  };
  const assertOpen = (): void => {
    if (state !== 'open') throw new Error(`the transcript hasher is ${state}`);
  };

  return {
    update(data) {
      assertOpen();
      for (let offset = 0; offset < data.length; ) {
        const n = Math.min(data.length - offset, SLOT_SIZE - fill);
        const at = slot * SLOT_SIZE + fill;
        // Not `set`: into shared memory V8 copies with relaxed atomics, byte by byte when source and
        // target are aligned differently, as they are after the header (~70 ms per 256 MiB).
        // Buffer's `fill` with a source as long as the range is one native memcpy (~7 ms).
        bytes.fill(data.subarray(offset, offset + n), at, at + n);
        fill += n;
        offset += n;
        if (fill === SLOT_SIZE) publish(SLOT_SIZE);
      }
    },
    digest() {
      assertOpen();
      if (fill > 0) publish(fill);
      Atomics.store(words, slot, FINISH);
      Atomics.notify(words, slot);
      waitWhile(STATUS, (value) => value === RUNNING);
      if (Atomics.load(words, STATUS) !== DONE) fail('the SHA-256 worker thread failed');
      const digest = new Uint8Array(words.buffer, DIGEST_OFFSET, 32).slice();
      state = 'finished';
      void worker.terminate();
      return digest;
    },
    dispose,
  };
}
