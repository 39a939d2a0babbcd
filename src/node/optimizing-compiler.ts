// Turns off V8's optimizing compiler (TurboFan) for the rest of a CLI process that streams a binary
// file. Such a run spends its time in native AES-GCM, SHA-256 and I/O; what little JavaScript it runs
// per chunk is fast enough in V8's baseline tiers. TurboFan still compiled those functions on V8's
// background threads, which on a 2-core machine compete with the file I/O and the hashing worker,
// and its compilation zones raised the peak memory by ~10 MiB: a signed 256 MiB encrypt took
// ~20 ms and ~12 MiB less without it (docs/PERFORMANCE.md). Never for JavaScript-heavy work (armor,
// Shamir), which TurboFan makes 3-7x faster, and never in the shared extension host.
import { setFlagsFromString } from 'node:v8';

/**
 * From now on V8 optimizes no further functions (code it already optimized keeps running). V8 reads
 * this flag each time it considers optimizing a function, so it takes effect at run time.
 */
export function stopOptimizingCompiler(): void {
  setFlagsFromString('--no-turbofan');
}
