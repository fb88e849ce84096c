// worker-edit.js: editing with the generator, the memorization check and
// D's saliency: the engine's worker's part (loaded by worker.js with
// importScripts; it shares M, s, w, tables, check, json, takeRgba, and
// worker-explore.js's withKeptClass, setKept and ROW). The numbers are the engine's (gpw_project_begin/step/finish,
// gpw_nearest, gpw_saliency); this only moves pixels.
'use strict';

// Latent rows: the projection's result, and the result moved by the page's controls.
const EDIT_ROW = { result: 48, moved: 49 };
const NEAREST = 6;

// model: the model the projection was made with (another model's latent
// rows mean nothing); label: the class the projection settled on
// running: the projection under way ({cancelled, model}) or null
const edit = { model: null, label: -1, running: null };

// Resolves after the messages already queued for this worker (a cancel) have had their turn.
const editChannel = new MessageChannel();
const editWaiting = [];
editChannel.port1.onmessage = () => editWaiting.shift()();
function nextMessageTurn() {
  return new Promise((resolve) => {
    editWaiting.push(resolve);
    editChannel.port2.postMessage(null);
  });
}
// Throws unless the result in the latent rows was projected with the model on show.
function needProjected() {
  if (edit.model === null) throw new Error('Project a picture first.');
  if (edit.model !== w.model) throw new Error('The result was projected with another model: press Project to project the picture with this one.');
}

// Draws with class `label` (a conditional model), then puts the page's class back.
function withClass(label, fn) {
  if (!w.classes || label < 0) return fn();
  check(M._gpw_set_class(s, label), 'Choosing the class');
  try {
    return fn();
  } finally {
    M._gpw_set_class(s, w.label);
  }
}

const EDIT_HANDLERS = {
  // One held-out real image (the k-th in the mixed order) as RGBA, for the pad.
  editReal({ k }) {
    if (!w.model || !w.dataset) throw new Error('The data is still loading.');
    check(M._gpw_render_real(s, k, 1, 1), 'Taking a real image');
    return takeRgba();
  },

  // rgba: size x size x 4 (a whole multiple of the model's side); mask the
  // same or null; noise 0..2; label -1 for the best class. The engine
  // takes a few steps per call (gpw_project_step); between two calls the
  // worker posts {type: 'editProgress', step, steps} and takes other
  // messages, so editCancel stops it. One projection at a time: another
  // is refused while one runs, and so is one while training runs; a
  // training step taken meanwhile (G changes) ends it. Answers the result, or {cancelled, step,
  // steps, why} with nothing written.
  // op (1: upscale, by factor; 2: colourise) projects through the engine's
  // operator instead (gpw_project_op_begin; no mask, no noise), with the
  // engine's steps and starts for it; real: the held-out image the picture
  // came from (editRealOp), or -1. Its answer adds compare: the engine's
  // comparison with the baseline and the original (gpw_project_op_json) and
  // its row of images.
  async editProject({ rgba, size, mask, noise, label, seed = 1, op = 0, factor = 1, real = -1 }) {
    if (!w.model) throw new Error('No model yet.');
    if (edit.running) throw new Error('A projection is already running: cancel it or let it finish first.');
    if (w.running) throw new Error('Training is running: pause it first (a projection needs a generator that holds still).');
    const pic = new Uint8Array(rgba), msk = mask ? new Uint8Array(mask) : null;
    const t = tables.project; // the engine's defaults for editing
    const { steps_per_call: perCall } = t, steps = op ? t.op_steps : t.steps, starts = op ? t.op_starts : t.starts;
    const p = M._gpw_alloc(pic.length), q = msk ? M._gpw_alloc(msk.length) : 0;
    try {
      M.HEAPU8.set(pic, p);
      if (msk) M.HEAPU8.set(msk, q);
      if (op) {
        check(M._gpw_project_op_begin(s, p, pic.length, size, size, op, factor, real, steps,
          Math.min(starts, w.batch || starts), seed, w.classes ? label : -1, EDIT_ROW.result), 'Projecting');
      } else {
        check(M._gpw_project_begin(s, p, pic.length, size, size, q, msk ? msk.length : 0, noise, steps,
          Math.min(starts, w.batch || starts), seed, w.classes ? label : -1, EDIT_ROW.result), 'Projecting');
      }
    } finally { // the engine has its own copies
      M._gpw_free(p);
      if (q) M._gpw_free(q);
    }
    const job = { cancelled: false, model: w.model, step: w.step };
    edit.running = job;
    const t0 = performance.now();
    let at = { step: 0, steps };
    try {
      post({ type: 'editProgress', ...at });
      while (at.step < at.steps) {
        await nextMessageTurn(); // a cancel, or a new model, gets its turn here
        const why = job.cancelled ? 'cancel' : w.model !== job.model ? 'model' : w.running || w.step !== job.step ? 'training' : null;
        if (why) return { cancelled: true, why, ...at };
        check(M._gpw_project_step(s, perCall), 'Projecting');
        at = json(M._gpw_project_json(s));
        post({ type: 'editProgress', step: at.step, steps: at.steps });
      }
      check(M._gpw_project_finish(s), 'Projecting');
      const result = json(M._gpw_project_json(s));
      const strip = takeRgba();
      let compare = null;
      if (op) {
        compare = json(M._gpw_project_op_json(s));
        compare.row = takeRgba();
      }
      edit.model = w.model;
      edit.label = result.class;
      return { ...result, strip, compare, ms: performance.now() - t0, steps, starts: Math.min(starts, w.batch || starts) };
    } finally {
      M._gpw_project_cancel(s); // whatever ended it, the engine holds no projection after
      edit.running = null;
    }
  },

  // Held-out image k through the operator (op 1: made small by factor; 2:
  // its gray), at the model's size as RGBA, for the pad.
  editRealOp({ k, op, factor }) {
    if (!w.model || !w.dataset) throw new Error('The data is still loading.');
    check(M._gpw_edit_real_op(s, k, op, factor), 'Taking a real image');
    return takeRgba();
  },

  // Stops the projection under way before its next steps; false if none runs.
  editCancel() {
    if (!edit.running) return false;
    edit.running.cancelled = true;
    return true;
  },

  // The result moved along latent direction dir by amount, drawn as class
  // asClass (-1: the class the projection found).
  editMove({ dir, amount, asClass }) {
    needProjected();
    check(M._gpw_z_slerp(s, EDIT_ROW.moved, EDIT_ROW.result, EDIT_ROW.result, 0), 'Moving');
    if (amount && dir >= 0) check(M._gpw_z_direction(s, EDIT_ROW.moved, EDIT_ROW.moved, dir, amount), 'Moving');
    return withClass(asClass >= 0 ? asClass : edit.label, () => {
      check(M._gpw_render_z(s, EDIT_ROW.moved, 1, 1), 'Drawing');
      return takeRgba();
    });
  },

  // The training images nearest to the moved result ('result') or to the
  // kept sample of Explore ('kept', with a and b as Explore keeps them),
  // in pixels, and in the classifier's features where it is loaded for
  // this data.
  editNearest({ source, a, b, asClass }) {
    if (!w.model || !w.dataset) throw new Error('The data is still loading.');
    const drawSource = () => {
      if (source === 'kept') {
        withKeptClass(a, () => {
          setKept(a, b);
          check(M._gpw_render_z(s, ROW.a, 1, 1), 'Drawing the kept sample');
        });
      } else {
        needProjected();
        withClass(asClass >= 0 ? asClass : edit.label, () => check(M._gpw_render_z(s, EDIT_ROW.moved, 1, 1), 'Drawing'));
      }
    };
    drawSource();
    const image = takeRgba();
    check(M._gpw_nearest(s, 0, NEAREST, 0), 'Finding the nearest training images');
    const pixels = { ...json(M._gpw_project_json(s)), ...takeRgba() };
    let features = null;
    if (w.classifierReady && w.classifierFor === w.dataset.id) {
      drawSource();
      check(M._gpw_nearest(s, 0, NEAREST, 1), 'Finding the nearest training images');
      features = { ...json(M._gpw_project_json(s)), ...takeRgba() };
    }
    return { image, pixels, features };
  },

  // D's saliency over the real/fake view: on or off, redrawn at once.
  setSaliency({ on }) {
    w.saliency = !!on;
    postRealFake();
  },
};

Object.assign(handlers, EDIT_HANDLERS);
