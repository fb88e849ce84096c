// worker-units.js: the Units section's requests, part of the engine's worker
// (loaded by worker.js; it shares M, s, w, check, json, takeRgba, postGrid,
// postRealFake and worker-explore.js's withKeptClass). What G's units draw
// and switching them off are the engine's (gpw_units_*, src/gan/units.h);
// this passes the page's asks on and redraws what they change.
'use strict';

const UNITS_ROW = 48; // the kept sample's latent row (worker-explore.js uses rows up to 40)

// n numbers (Int32Array or Float32Array) in the engine's memory for the call, then freed.
function withArray(values, fn) {
  const n = values.length;
  const p = M._gpw_alloc(Math.max(4, 4 * n));
  if (!p) throw new Error('Out of memory.');
  try {
    (values instanceof Float32Array ? M.HEAPF32 : M.HEAP32).set(values, p >> 2);
    return fn(p, n);
  } finally {
    M._gpw_free(p);
  }
}
const withUnits = (units, fn) => withArray(Int32Array.from(units), fn);

const unitsInfo = () => json(M._gpw_units_json(s));

// The samples on show follow the units switched off or on.
function unitsChanged() {
  postGrid();
  postRealFake();
  return unitsInfo();
}

Object.assign(handlers, {
  unitsInfo() {
    if (!w.model) throw new Error('No model yet.');
    return unitsInfo();
  },
  // Every unit of a layer ranked by stroke IoU over the sample grid (count samples of the page's seed).
  unitsRank({ layer, count }) {
    return { seed: w.noiseSeed, ...answer(M._gpw_units_rank_json(s, layer, w.noiseSeed, count), 'Ranking the units') };
  },
  // The kept sample as the whole G draws it with the maps of the units over it where they
  // are above their thresholds (one row: the sample, then a map per unit), and the kept
  // sample as G draws it now.
  unitsMaps({ a, layer, units, thresholds }) {
    return withKeptClass(a, () => {
      check(M._gpw_z_seed(s, UNITS_ROW, a.seed, a.index), 'The kept sample');
      withUnits(units, (p, n) => withArray(Float32Array.from(thresholds), (t) =>
        check(M._gpw_units_render(s, UNITS_ROW, layer, p, t, n, n + 1), 'The units’ maps')));
      const maps = takeRgba();
      check(M._gpw_render_z(s, UNITS_ROW, 1, 1), 'The kept sample');
      return { maps, now: takeRgba() };
    });
  },
  unitsSet({ layer, units, off }) {
    withUnits(units, (p, n) => check(M._gpw_units_set(s, layer, p, n, off ? 1 : 0), 'Switching units'));
    return unitsChanged();
  },
  unitsClear() {
    check(M._gpw_units_clear(s), 'Switching units on');
    return unitsChanged();
  },
});
