// Keeps a streaming process's memory flat. node:crypto returns every AES-GCM output as a fresh
// buffer (so does a pipe every read), and V8 collects young buffers only after 32 MiB of them have
// piled up (2 × its default maximum semi-space, fixed at start-up); on top of Node's own ~45 MiB that
// breaks the CLI's memory budget. A minor GC (a scavenge, ~0.2 ms with almost nothing live) every few
// MiB frees them early. Only for processes Custodian owns (the CLI), never the shared extension host.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes streamed between minor GCs: the garbage this leaves is a few MiB (docs/PERFORMANCE.md). */
export const GC_PACE_BYTES = 4 << 20;

export interface GcPacer {
  /** False where V8 refuses to expose `gc`: then `advance` does nothing (memory is higher, output the same). */
  readonly active: boolean;
  /** Counts `bytes` streamed; runs a minor GC once `paceBytes` have passed since the last one. */
  advance(bytes: number): void;
}

type GcFunction = (options: { type: 'minor' | 'major' }) => void;

/** V8's `gc`, exposed at run time, or undefined where V8 refuses. */
function exposeGc(): GcFunction | undefined {
  try {
    // `gc` is installed in contexts created after the flag is set; the main context never sees it.
    setFlagsFromString('--expose-gc');
    const candidate: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof candidate === 'function' ? (candidate as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}

/** A pacer for this process. `gc` is fetched on the first pace, so small outputs never pay for it. */
export function createGcPacer(paceBytes = GC_PACE_BYTES): GcPacer {
  let gc: GcFunction | null | undefined; // undefined: not fetched yet; null: unavailable
  let since = 0;
  return {
    get active(): boolean {
      gc ??= exposeGc() ?? null;
      return gc !== null;
    },
    advance(bytes: number): void {
      since += bytes;
      if (since < paceBytes) return;
      since = 0;
      gc ??= exposeGc() ?? null;
      gc?.({ type: 'minor' });
    },
  };
}
