// One measuring loop for the bench's A/B comparisons (scripts/bench.js, scripts/bench/core-bench.ts).

/**
 * Runs `a` and `b` `runs` times each, alternating which goes first (A B, B A, …), so load that comes
 * and goes on the machine hits both alike.
 */
async function interleaved(runs, a, b) {
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await a();
      await b();
    } else {
      await b();
      await a();
    }
  }
}

module.exports = { interleaved };
