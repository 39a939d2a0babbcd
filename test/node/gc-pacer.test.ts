import * as assert from 'node:assert/strict';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { createGcPacer, GC_PACE_BYTES } from '../../src/node/gc-pacer';

describe('node/gc-pacer', () => {
  it('runs one minor GC per pace of bytes streamed', async () => {
    const pace = 1 << 20;
    const pacer = createGcPacer(pace);
    assert.equal(pacer.active, true, 'this Node exposes gc at run time');
    let minor = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      for (let i = 0; i < 12; i++) pacer.advance(pace / 4); // 3 paces
      await new Promise((resolve) => setTimeout(resolve, 50)); // gc entries are delivered asynchronously
    } finally {
      observer.disconnect();
    }
    assert.ok(minor >= 3, `expected at least 3 minor GCs, saw ${minor}`);
  });

  it('advance never throws for any byte count', () => {
    const pacer = createGcPacer();
    for (const n of [0, 1, GC_PACE_BYTES - 1, GC_PACE_BYTES, 10 * GC_PACE_BYTES]) pacer.advance(n);
  });
});
