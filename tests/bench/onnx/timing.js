// timing.js: the time of one call that makes 64 images, as scripts/bench-onnx.mjs
// and tests/bench/bench_sample.c take it: two warm-up calls, then ROUNDS rounds
// of calls for at least ROUND_MS each; the fastest round's mean, in ms (a burst
// of load on a shared machine weighs less). fn may return a promise.
// A classic script and a module alike: it sets a global.
'use strict';
globalThis.sample64Ms = async function sample64Ms(fn, { rounds = 3, roundMs = 500 } = {}) {
  for (let i = 0; i < 2; i++) await fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let reps = 0;
    const t0 = performance.now();
    let t;
    do {
      await fn();
      reps++;
      t = performance.now() - t0;
    } while (t < roundMs);
    best = Math.min(best, t / reps);
  }
  return best;
};
