// toy-worker.js: the 2-D mode's part of the engine's worker (loaded by
// worker.js with importScripts; it shares M, post, json and withString).
// It owns one 2-D session (src/app/wasm_toy.c), trains in short turns while
// playing, and answers the page's frame requests with what to draw, so that
// drawing runs at the display's rate whatever the training rate.
'use strict';

const TOY_TURN_MS = 8; // training time per loop turn at full speed
const TOY_MEASURE_MS = 250; // KL, JS and coverage are measured this often while training
const TOY_MEASURE_N = 1000; // samples per measurement
const TOY_RATE_MS = 2000;

const toy = {
  s: 0,
  running: false,
  speed: 0, // rounds per second; 0 = as fast as possible
  points: [], // chart points since the last frame: [round, D loss, G loss]
  measures: [], // [round, KL, JS] since the last frame
  lastMeasure: 0,
  measure: null, // the latest {kl, js, modes_covered, ...}
  rateLog: [],
  rate: 0,
  scheduled: false,
  debt: 0, // rounds owed at a set speed
  lastTurn: 0,
};

const toyError = () => M.UTF8ToString(M._gpt_error(toy.s));
function toyCheck(rc, what) {
  if (rc !== 0) throw new Error(`${what}: ${toyError()}`);
}
// [rounds, G steps, D steps, D loss, G loss, mean D(x), mean D(G(z)), D(G(z)) seen by G] (gpt_stats)
function toyStats() {
  const p = M._gpt_stats(toy.s) >> 3;
  return Array.from(M.HEAPF64.subarray(p, p + 8));
}
const toyConfig = (which) => json(M._gpt_config_json(toy.s, which));
const floats = (p, n) => M.HEAPF32.slice(p >> 2, (p >> 2) + n);

function toyPoint() {
  const st = toyStats();
  toy.points.push(st[0], st[3], st[4]);
}

function toyMeasure() {
  toy.lastMeasure = performance.now();
  const m = json(M._gpt_measure_json(toy.s, TOY_MEASURE_N));
  if (!m) return;
  toy.measure = m;
  toy.measures.push(toyStats()[0], m.kl, m.js);
}

function toyNewModel() {
  toyCheck(M._gpt_create(toy.s), 'Making the 2-D model');
  toy.points = [];
  toy.measures = [];
  toy.measure = null;
  toyMeasure();
}

// Turns at full speed go through a MessageChannel (setTimeout would be
// clamped to 4 ms); the page's requests still get their turn in between.
const toyChannel = new MessageChannel();
function toySchedule(delay) {
  if (toy.scheduled) return;
  toy.scheduled = true;
  const go = () => {
    toy.scheduled = false;
    toyTick();
  };
  if (delay > 0) setTimeout(go, delay);
  else {
    toyChannel.port1.onmessage = go;
    toyChannel.port2.postMessage(null);
  }
}

// One turn: as many rounds as fit in TOY_TURN_MS (or the speed allows), a
// chart point, a measurement now and then.
function toyTick() {
  if (!toy.running) return;
  const t0 = performance.now();
  let rounds = 0;
  if (toy.speed > 0) {
    toy.debt += (toy.speed * (t0 - (toy.lastTurn || t0))) / 1000;
    toy.lastTurn = t0;
    const n = Math.floor(toy.debt);
    if (n > 0) {
      toy.debt -= n;
      toyRun(n);
      rounds = n;
    }
  } else {
    let chunk = 8;
    while (performance.now() - t0 < TOY_TURN_MS && toy.running) {
      toyRun(chunk);
      rounds += chunk;
      chunk = Math.min(chunk * 2, 256);
    }
  }
  if (rounds) toyPoint();
  const now = performance.now();
  toy.rateLog.push({ t: now, n: toyStats()[0] });
  while (toy.rateLog.length > 2 && now - toy.rateLog[0].t > TOY_RATE_MS) toy.rateLog.shift();
  const first = toy.rateLog[0], last = toy.rateLog[toy.rateLog.length - 1];
  toy.rate = last.t > first.t ? ((last.n - first.n) * 1000) / (last.t - first.t) : 0;
  if (now - toy.lastMeasure >= TOY_MEASURE_MS && rounds) toyMeasure();
  if (toy.running) toySchedule(toy.speed > 0 ? Math.max(4, Math.min(100, 1000 / toy.speed)) : 0);
}

function toyRun(n) {
  const rc = M._gpt_train(toy.s, n);
  if (rc !== 0) {
    toy.running = false;
    post({ type: 'toy-halted', message: `Training stopped: ${toyError()}. Lower the learning rates and press Reset.` });
  }
}

// The batch the last step saw (see gpt_d_step, gpt_g_step).
function toyBatch(kind) {
  const n = M._gpt_batch_n(toy.s);
  const b = {
    kind, n, z: floats(M._gpt_batch_z(toy.s), 2 * n), fake: floats(M._gpt_batch_fake(toy.s), 2 * n),
    dFake: floats(M._gpt_batch_d_fake(toy.s), n), loss: M._gpt_batch_loss(toy.s),
  };
  if (kind === 'd') {
    b.real = floats(M._gpt_batch_real(toy.s), 2 * n);
    b.dReal = floats(M._gpt_batch_d_real(toy.s), n);
  } else {
    b.after = floats(M._gpt_batch_after(toy.s), 2 * n);
    b.grad = floats(M._gpt_batch_grad(toy.s), 2 * n);
  }
  return b;
}

function toyState() {
  return { stats: toyStats(), config: toyConfig(1), pending: toyConfig(0), running: toy.running, rate: toy.rate,
    measure: toy.measure };
}

// Applies a setting: to the next model always, to the model now if it can change live.
function toySet(key, value) {
  const text = String(value);
  const rc = withString(key, (k) => withString(text, (v) => M._gpt_config_set(toy.s, k, v)));
  if (rc !== 0) throw new Error(toyError());
  const row = table.settings.find((r) => r.name === key);
  let applied = 'next';
  if (row && row.live) {
    toyCheck(withString(key, (k) => withString(text, (v) => M._gpt_model_set(toy.s, k, v))), row.label);
    applied = 'now';
  }
  return applied;
}

function toyDist(name, points) {
  const pts = new Float32Array(points || []);
  const bytes = new Uint8Array(pts.buffer);
  withBytes(bytes, (p) => withString(name, (k) => toyCheck(M._gpt_set_dist(toy.s, k, p, pts.length / 2), 'The distribution')));
}

const TOY_HANDLERS = {
  toyInit() {
    if (!toy.s) {
      toy.s = M._gpt_new();
      if (!toy.s) throw new Error('Out of memory for the 2-D mode.');
      toyNewModel();
    }
    return { toys: json(M._gpt_toys_json(toy.s)), ...toyState() };
  },
  // A lesson: its distribution and settings, and a new model.
  toyLesson({ name }) {
    toy.running = false;
    toyCheck(withString(name, (k) => M._gpt_lesson(toy.s, k)), 'The lesson');
    toyDist(toyConfig(0).dataset, []);
    toyNewModel();
    return toyState();
  },
  // Settings by name (from a link), then a new model; nothing changes if one is refused.
  toyConfigure({ settings, dist, points }) {
    toy.running = false;
    toyCheck(M._gpt_config_default(toy.s), 'The settings');
    const refused = [];
    for (const [key, value] of Object.entries(settings || {})) {
      try {
        toySet(key, value);
      } catch (e) {
        refused.push(e.message);
      }
    }
    if (dist) toyDist(dist, points);
    toyNewModel();
    return { ...toyState(), refused };
  },
  toySet({ key, value }) {
    const applied = toySet(key, value);
    return { applied, ...toyState() };
  },
  toyDist({ name, points }) {
    toyDist(name, points);
    toy.measure = null;
    return toyState();
  },
  toyReset() {
    toy.running = false;
    toyNewModel();
    return toyState();
  },
  toyPlay() {
    if (toy.running) return toyState();
    toy.running = true;
    toy.rateLog = [];
    toy.debt = 0;
    toy.lastTurn = performance.now();
    toySchedule(0);
    return toyState();
  },
  toyPause() {
    toy.running = false;
    toyMeasure();
    return toyState();
  },
  toySpeed({ speed }) {
    toy.speed = speed;
    toy.debt = 0;
    toy.lastTurn = performance.now();
  },
  // One round, or one D step or one G step with the batch it saw.
  toyStep({ kind }) {
    if (toy.running) throw new Error('Pause first.');
    let batch = null;
    if (kind === 'd') {
      toyCheck(M._gpt_d_step(toy.s), 'The D step');
      batch = toyBatch('d');
    } else if (kind === 'g') {
      toyCheck(M._gpt_g_step(toy.s), 'The G step');
      batch = toyBatch('g');
    } else {
      toyCheck(M._gpt_train(toy.s, 1), 'The round');
    }
    toyPoint();
    toyMeasure();
    return { ...toyState(), batch };
  },
  // What the next frame draws (copies: the page keeps them while it draws).
  toyFrame({ grid, mesh, n, arrows, seed }) {
    toyCheck(M._gpt_frame(toy.s, grid, mesh, n, arrows, seed), 'The frame');
    const st = toyStats();
    const latent = toyConfig(1).latent;
    const meshCount = latent === 1 ? mesh : mesh * mesh;
    const frame = {
      grid: floats(M._gpt_grid(toy.s), grid * grid), gridN: grid, mesh: floats(M._gpt_mesh(toy.s), 2 * meshCount), meshN: mesh,
      latent, real: floats(M._gpt_real(toy.s), 2 * n), fake: floats(M._gpt_fake(toy.s), 2 * n),
      fakeD: floats(M._gpt_fake_d(toy.s), n), arrows: floats(M._gpt_arrows(toy.s), 2 * arrows),
      points: Float32Array.from(toy.points), measures: Float32Array.from(toy.measures),
      stats: st, running: toy.running, rate: toy.rate, measure: toy.measure,
    };
    toy.points = [];
    toy.measures = [];
    return frame;
  },
};
Object.assign(handlers, TOY_HANDLERS);
