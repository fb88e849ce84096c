// worker-explore.js: the Explore section's requests, part of the engine's
// worker (loaded by worker.js; it shares M, s, w, check and takeRgba).
// Latent rows are composed in the engine (gpw_z_*) and rendered there;
// nothing here touches the training run.
'use strict';

// Latent rows used here (the engine has 256).
const ROW = { a: 0, b: 1, neighbours: 2, path: 16, steered: 32, tmp: 33, frame: 40, strips: 48 };
// a direction's strip: the amounts of the measure (-2..2 standard deviations), scaled to the range it is offered over
const STRIP = [-2, -1, 0, 1, 2];

function setKept(a, b) {
  check(M._gpw_z_seed(s, ROW.a, a.seed, a.index), 'Keeping the sample');
  check(M._gpw_z_seed(s, ROW.b, b.seed, b.index), 'Keeping the sample');
}

// Explore renders draw the kept sample's class: the one picked, or (classes in
// turn) the class it had at its place in the grid.
function withKeptClass(a, fn) {
  const classes = w.classes;
  if (!classes) return fn();
  check(M._gpw_set_class(s, w.label >= 0 ? w.label : a.index % classes), 'Choosing the class');
  try {
    return fn();
  } finally {
    M._gpw_set_class(s, w.label);
  }
}

function exploreViews({ a, b, dirs, radius, neighbourSeed, stripDirs }) {
  setKept(a, b);
  // neighbours: a 3x3 grid with the kept sample in the middle
  for (let i = 0; i < 9; i++) {
    if (i === 4) check(M._gpw_z_slerp(s, ROW.neighbours + i, ROW.a, ROW.a, 0), 'Neighbours');
    else check(M._gpw_z_jitter(s, ROW.neighbours + i, ROW.a, neighbourSeed + i, radius), 'Neighbours');
  }
  check(M._gpw_render_z(s, ROW.neighbours, 9, 3), 'Neighbours');
  const neighbours = takeRgba();
  // path: 8 steps of the spherical interpolation from b (before) to a (last kept)
  for (let i = 0; i < 8; i++) check(M._gpw_z_slerp(s, ROW.path + i, ROW.b, ROW.a, i / 7), 'Interpolating');
  check(M._gpw_render_z(s, ROW.path, 8, 8), 'Interpolating');
  const path = takeRgba();
  // directions: the kept sample moved along each latent direction
  check(M._gpw_z_slerp(s, ROW.steered, ROW.a, ROW.a, 0), 'Steering');
  dirs.forEach((amount, k) => {
    if (amount) check(M._gpw_z_direction(s, ROW.steered, ROW.steered, k, amount), 'Steering');
  });
  check(M._gpw_render_z(s, ROW.steered, 1, 1), 'Steering');
  const steered = takeRgba();
  // strips: the kept sample at -r, -r/2, 0, r/2, r along each direction asked for ({k, range: r}), a row each
  let strips = null;
  if (stripDirs && stripDirs.length) {
    stripDirs.forEach(({ k, range }, i) => STRIP.forEach((f, j) =>
      check(M._gpw_z_direction(s, ROW.strips + i * STRIP.length + j, ROW.a, k, (f * range) / 2), 'Directions')));
    check(M._gpw_render_z(s, ROW.strips, stripDirs.length * STRIP.length, STRIP.length), 'Directions');
    strips = takeRgba();
  }
  return { neighbours, path, steered, strips };
}

Object.assign(handlers, {
  // Fits and measures the model's directions (eval/directions.h) on the
  // engine's page sample counts; what they are, and the step they belong to.
  // The classifier of the model's data (where the site has one) says
  // whether each direction keeps the class.
  async findDirections() {
    if (!w.model) throw new Error('No model yet.');
    const id = w.modelDataset, file = w.classifierFiles[id];
    let bytes = null;
    if (file) {
      try {
        if (!w.classifierBytes[id]) w.classifierBytes[id] = await fetchBytes(file, 'the classifier');
        bytes = w.classifierBytes[id];
      } catch {
        bytes = null; // measured without it: said in the answer
      }
    }
    if (!w.model) throw new Error('No model yet.');
    const find = (p, n) => check(M._gpw_directions_find(s, tables.direction_fit, tables.direction_measure, p, n),
      'Finding the directions');
    if (bytes) withBytes(bytes, find);
    else find(0, 0);
    return { ...json(M._gpw_directions_json(s)), step: w.step, model: w.model.name, epoch: w.epoch, amounts: STRIP };
  },
  explore(args) {
    if (!w.model) throw new Error('No model yet.');
    return withKeptClass(args.a, () => exploreViews(args));
  },
  frame({ a, b, t }) {
    return withKeptClass(a, () => {
      setKept(a, b);
      check(M._gpw_z_slerp(s, ROW.frame, ROW.b, ROW.a, Math.min(1, Math.max(0, t))), 'Interpolating');
      check(M._gpw_render_z(s, ROW.frame, 1, 1), 'Interpolating');
      return takeRgba();
    });
  },
});
