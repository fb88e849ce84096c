// worker-2d.js: the 2-D mode's part of the engine's worker (loaded by
// worker.js; it shares M, post, answer, withString and withBytes). It owns
// one 2-D session (src/app/wasm_2d.c): the core's training run turns while
// playing, and the page's frame requests are answered with what to draw,
// so that drawing keeps the display's pace whatever the training rate.
'use strict';

const d2 = {
  s: 0,
  running: false,
  last: null, // the engine's answer to the last turn or step (snake_case)
  points: [], // chart points since the last frame (the run's point columns)
  measures: [], // [round, KL, JS] since the last frame
  measure: null, // the latest measurement
  scheduled: false,
};

// A message's first part is a key of the page's tables (@2d.err.NAME), which the page shows in its language.
const error2d = () => M.UTF8ToString(M._gpw_2d_error(d2.s));
function check2d(rc, what) {
  if (rc !== 0) throw new Error(`${what}: ${error2d()}`);
}
function answer2d(p, what) {
  if (!p) throw new Error(`${what}: ${error2d()}`);
  return JSON.parse(M.UTF8ToString(p));
}
const config2d = (which) => answer2d(M._gpw_2d_config_json(d2.s, which), '@2d.err.settings');
const floats = (p, n) => M.HEAPF32.slice(p >> 2, (p >> 2) + n);

// What a turn or step answered: its chart point and measurement are kept for the next frame.
function took2d(r) {
  d2.last = r;
  d2.running = r.running;
  d2.points.push(...r.points.map((v) => (v === null ? NaN : v))); // JSON's null is a value not computed
  if (r.measured) {
    d2.measure = r.measured;
    d2.measures.push(r.measured.round, r.measured.kl, r.measured.js);
  }
  if (r.halted) post({ type: 'halted-2d', reason: r.message, message: `Training stopped: ${r.message}. Lower the learning rates and press Reset.` });
  return r;
}

function newModel2d() {
  check2d(M._gpw_2d_create(d2.s), '@2d.err.create');
  d2.points = [];
  d2.measures = [];
  d2.measure = null;
  took2d(answer2d(M._gpw_2d_run_json(d2.s), '@2d.err.run'));
}

// Turns at full speed go through a MessageChannel (setTimeout would be
// clamped to 4 ms); the page's requests still get their turn in between.
const channel2d = new MessageChannel();
function schedule2d(delay) {
  if (d2.scheduled) return;
  d2.scheduled = true;
  const go = () => {
    d2.scheduled = false;
    turn2d();
  };
  if (delay > 0) setTimeout(go, delay);
  else {
    channel2d.port1.onmessage = go;
    channel2d.port2.postMessage(null);
  }
}

function turn2d() {
  if (!d2.running) return;
  try {
    const r = took2d(answer2d(M._gpw_2d_run_turn(d2.s), '@2d.err.training'));
    if (r.running) schedule2d(r.next_ms);
  } catch (e) {
    d2.running = false;
    post({ type: 'halted-2d', message: e.message });
  }
}

// The batch the last D or G step saw (see gp_2d_trace).
function batch2d(kind) {
  const n = M._gpw_2d_batch_n(d2.s);
  const b = {
    kind, n, z: floats(M._gpw_2d_batch_z(d2.s), 2 * n), fake: floats(M._gpw_2d_batch_fake(d2.s), 2 * n),
    dFake: floats(M._gpw_2d_batch_d_fake(d2.s), n), loss: M._gpw_2d_batch_loss(d2.s),
  };
  if (kind === 'd') {
    b.real = floats(M._gpw_2d_batch_real(d2.s), 2 * n);
    b.dReal = floats(M._gpw_2d_batch_d_real(d2.s), n);
  } else {
    b.after = floats(M._gpw_2d_batch_after(d2.s), 2 * n);
    b.grad = floats(M._gpw_2d_batch_grad(d2.s), 2 * n);
  }
  return b;
}

const state2d = () => ({ run: d2.last, config: config2d(1), pending: config2d(0), running: d2.running, measure: d2.measure });

// A setting by name: the engine applies it to the next model, and to the
// model now if it can change live; a refusal is the engine's message.
function set2d(key, value) {
  const p = withString(key, (k) => withString(String(value), (v) => M._gpw_2d_setting(d2.s, k, v)));
  if (!p) throw new Error(error2d());
  return JSON.parse(M.UTF8ToString(p)).applied;
}

function dist2d(name, points) {
  const pts = new Float32Array(points || []);
  withBytes(new Uint8Array(pts.buffer), (p) => withString(name, (k) =>
    check2d(M._gpw_2d_set_dist(d2.s, k, p, pts.length / 2), '@2d.err.dist')));
}

Object.assign(handlers, {
  init2d() {
    if (!d2.s) {
      d2.s = M._gpw_2d_new();
      if (!d2.s) throw new Error('@2d.err.memory');
      newModel2d();
    }
    return { tables: answer2d(M._gpw_2d_tables_json(d2.s), '@2d.err.mode'), ...state2d() };
  },
  // A lesson: its distribution and settings, and a new model.
  lesson2d({ name }) {
    d2.running = false;
    withString(name, (k) => check2d(M._gpw_2d_lesson(d2.s, k), '@2d.err.lesson'));
    newModel2d();
    return state2d();
  },
  // Settings by name (from a link), then a new model; a refused one is reported, the others apply.
  configure2d({ settings, dist, points }) {
    d2.running = false;
    check2d(M._gpw_2d_config_default(d2.s), '@2d.err.settings');
    const refused = [];
    for (const [key, value] of Object.entries(settings || {})) {
      try {
        set2d(key, value);
      } catch (e) {
        refused.push(e.message);
      }
    }
    if (dist) dist2d(dist, points);
    newModel2d();
    return { ...state2d(), refused };
  },
  set2d({ key, value }) {
    return { applied: set2d(key, value), ...state2d() };
  },
  dist2d({ name, points }) {
    dist2d(name, points);
    d2.measure = null;
    return state2d();
  },
  reset2d() {
    d2.running = false;
    newModel2d();
    return state2d();
  },
  play2d() {
    if (d2.running) return state2d();
    check2d(M._gpw_2d_run_start(d2.s), '@2d.err.play');
    d2.running = true;
    schedule2d(0);
    return state2d();
  },
  pause2d() {
    d2.running = false;
    took2d(answer2d(M._gpw_2d_run_pause(d2.s), '@2d.err.pause'));
    return state2d();
  },
  speed2d({ speed }) {
    check2d(withString('speed', (k) => M._gpw_2d_run_set(d2.s, k, speed)), '@2d.err.speed');
  },
  // One round, or one D step or one G step with the batch it saw.
  step2d({ kind }) {
    if (d2.running) throw new Error('@2d.err.pause_first');
    took2d(answer2d(M._gpw_2d_run_step(d2.s, kind === 'd' ? 1 : kind === 'g' ? 2 : 0), '@2d.err.step'));
    return { ...state2d(), batch: kind === 'd' || kind === 'g' ? batch2d(kind) : null };
  },
  // Saved runs (src/app/wasm_2d.c): the run as a file's bytes, with its lesson
  // ('' for none) and the seed of the fakes the view draws.
  save2d({ lesson, frameSeed }) {
    withString(lesson || '', (k) => check2d(M._gpw_2d_save(d2.s, k, frameSeed), '@save2d.err.save'));
    const p = M._gpw_2d_saved(d2.s);
    return M.HEAPU8.slice(p, p + M._gpw_2d_saved_len(d2.s));
  },
  // Whether a file would open, asked before the page asks to replace the run on show.
  checkRun2d({ bytes }) {
    withBytes(new Uint8Array(bytes), (p, n) => check2d(M._gpw_2d_check(d2.s, p, n), '@save2d.err.open'));
    return true;
  },
  // Opens a saved run: a refused file changes nothing (the run on show goes on as it was).
  // Answers the state, what the file held, its drawn points and its charts.
  openRun2d({ bytes }) {
    withBytes(new Uint8Array(bytes), (p, n) => check2d(M._gpw_2d_open(d2.s, p, n), '@save2d.err.open'));
    d2.running = false; // the opened run is paused
    const opened = answer2d(M._gpw_2d_opened_json(d2.s), '@save2d.err.open');
    const n = M._gpw_2d_drawn_n(d2.s);
    const drawn = Array.from(floats(M._gpw_2d_drawn(d2.s), 2 * n));
    const h = answer2d(M._gpw_2d_history_json(d2.s), '@save2d.err.open');
    const nums = (a) => Float32Array.from(a, (v) => (v === null ? NaN : v)); // JSON's null is a value not computed
    took2d(answer2d(M._gpw_2d_run_json(d2.s), '@2d.err.run')); // its measurement is the file's last, not a new chart row
    d2.points = [];
    d2.measures = [];
    return { ...state2d(), opened, drawn, history: { points: nums(h.points), measures: nums(h.measures) } };
  },
  // What the next frame draws (copies: the page keeps them while it draws).
  frame2d({ grid, mesh, n, arrows, seed }) {
    check2d(M._gpw_2d_frame(d2.s, grid, mesh, n, arrows, seed), '@2d.err.frame');
    const latent = config2d(1).latent;
    const meshCount = latent === 1 ? mesh : mesh * mesh;
    const frame = {
      grid: floats(M._gpw_2d_grid(d2.s), grid * grid), gridN: grid, mesh: floats(M._gpw_2d_mesh(d2.s), 2 * meshCount),
      meshN: mesh, latent, real: floats(M._gpw_2d_real(d2.s), 2 * n), fake: floats(M._gpw_2d_fake(d2.s), 2 * n),
      fakeD: floats(M._gpw_2d_fake_d(d2.s), n), arrows: floats(M._gpw_2d_arrows(d2.s), 2 * arrows),
      points: Float32Array.from(d2.points), measures: Float32Array.from(d2.measures),
      run: d2.last, running: d2.running, measure: d2.measure,
    };
    d2.points = [];
    d2.measures = [];
    return frame;
  },
});
