// worker-provenance.js: what every PNG the page offers says about itself,
// part of the engine's worker (loaded by worker.js; it shares M, s, w and
// check). The engine writes the PNG's 'ganplay' text chunk (gpw_png_stamp):
// the model's name (from the file it came from; a model trained here has
// none), its weights hash, the seed, sample index, count, class and latent
// directions of the picture. docs/formats.md has the chunk.
'use strict';

Object.assign(handlers, {
  // The PNG bytes of a canvas with its provenance: seed, the first sample's
  // index among the seed's latents and count (grid: 0 and all of it);
  // directions {name: amount} the sample was moved along; what made it.
  // The class is the one the samples were drawn with: the one picked, or
  // with classes in turn none for a grid and, for one sample, the class of
  // its place (as Explore draws it, worker-explore.js).
  stampPng({ bytes, seed, index, count, directions = {}, what = 'sample' }) {
    if (!w.model) throw new Error('No model yet.');
    const label = !w.classes ? -1 : w.label >= 0 ? w.label : count === 1 && index >= 0 ? index % w.classes : -1;
    const names = Object.keys(directions), amounts = names.map((n) => Number(directions[n]));
    const a = M._malloc(8 * Math.max(1, amounts.length));
    if (!a) throw new Error('Out of memory.');
    try {
      M.HEAPF64.set(amounts, a >> 3);
      withBytes(new Uint8Array(bytes), (p, n) => withString(w.model.source || '', (src) => withString(what, (wh) =>
        withString(names.join('\n'), (d) => check(M._gpw_png_stamp(s, p, n, src, seed, index, count, label, wh, d, a,
          names.length, -1, 0, 0), 'The PNG’s provenance')))));
    } finally {
      M._free(a);
    }
    const p = M._gpw_png(s);
    return M.HEAPU8.slice(p, p + M._gpw_png_len(s));
  },
  // The weights hash of the model on show (tests compare it with the CLI's).
  weightsHash() {
    const p = M._gpw_weights_hash(s);
    if (!p) throw new Error(`The weights hash: ${M.UTF8ToString(M._gpw_error(s))}`);
    return M.UTF8ToString(p);
  },
  // The provenance a PNG carries, as the engine reads it back.
  pngProvenance({ bytes }) {
    const p = withBytes(new Uint8Array(bytes), (q, n) => M._gpw_png_provenance(s, q, n));
    if (!p) throw new Error(`The PNG’s provenance: ${M.UTF8ToString(M._gpw_error(s))}`);
    return JSON.parse(M.UTF8ToString(p));
  },
});
