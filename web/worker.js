// worker.js: the engine's thread. It owns the wasm module and one gp_session
// (the model on show, the dataset, the classifier), runs the training loop,
// keeps the last good training state, and autosaves to IndexedDB. The page
// only draws what it posts.
//
// Page -> worker: {rid, type, ...args}; every request is answered with
//   {type: 'reply', rid, ok, result | error}. See `handlers` below.
// Worker -> page, unasked: status, model, stats, grid, realfake, fd, dataset,
//   halted, saved, resumable, error (see the post* functions).
'use strict';

// The smallest module using a v128 instruction (i32.const 0; i8x16.splat):
// it validates only where wasm SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
]);

// The smallest module using f32x4.relaxed_madd (three v128.const zeros, then
// 0xfd 0x85 0x02): it validates only where wasm relaxed SIMD is supported.
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
]);

const DATASETS = {
  mnist: { file: 'data/mnist.bin.gz', name: 'MNIST digits', classes: 10 },
  fashion: { file: 'data/fashion.bin.gz', name: 'Fashion-MNIST', classes: 10 },
};
const ST_NOMEM = 2, ST_NAN = 5;

const CHUNK_MS = 40; // training time per loop turn at full speed
const FRAME_MS = 1000 / 60; // the shortest pause between loop turns at a set speed
const GRID_MS = 200; // how often the live grid is redrawn while training
const REALFAKE_MS = 1500; // how often D's view of real and fake images is redrawn
const SAVE_MS = 5000; // autosave and last-good-state interval while training
const RATE_MS = 3000; // steps/s is measured over about this long
const FD_SAMPLES = 500;
const FD_SEED = 424242;
const REAL_FAKE_COUNT = 8;
const MAX_SNAPSHOTS = 64; // timeline images kept (and saved with the state); thinned by halves

let M = null; // the Emscripten module
let s = 0; // the gp_session pointer
let table = null; // the engine's settings table: {settings, presets, losses}
let buildName = '';

const w = {
  model: null, // {kind: 'pretrained' | 'training', name, ...} or null
  dataset: null, // {id, name, count, heldOut}
  datasetLoading: null, // a promise while a dataset loads
  ownImages: null, // {rgba, count, h, w} of the user's images, for autosave
  classifierFiles: {}, // dataset id -> its classifier's file, where the site has one
  classifierBytes: {}, // dataset id -> the file's bytes, once fetched
  classifierFor: null, // the dataset whose classifier the engine holds
  running: false,
  label: -1, // the class a conditional model draws; -1: classes in turn
  batch: 0, // of the model on show (from postModel)
  classes: 0,
  modelDataset: null, // what the model on show was trained on
  halted: false, // a loss became non-finite: training stopped
  speed: 0, // steps per second; 0 = as fast as possible
  noiseSeed: 1,
  snapEvery: 50,
  fdEvery: 250,
  realFirst: 0, // which held-out images the real/fake view shows
  saliency: false, // D's saliency laid over the real/fake view
  lastGrid: 0,
  lastRealFake: 0,
  lastSave: 0,
  savedStep: -1, // step of the last autosave (of this model)
  dirty: false, // trained since the last autosave
  rate: 0,
  lastTurnEnd: 0,
  runSteps: 0, // steps since Start
  rateLog: [], // {t, n}: turn ends and steps since Start, for the rate
  lastGood: null, // {bytes, step, points}
  sourceBytes: null, // a pretrained generator's file as loaded
  runId: null, // the autosave key of the model in training
  // where the training loop's time goes (ms since Start), for scripts/bench-page.mjs
  spent: { train: 0, grid: 0, realfake: 0, fd: 0, save: 0, idle: 0, wall: 0 },
};

// Runs fn and adds its time to w.spent[key].
function timed(key, fn) {
  const t = performance.now();
  try {
    return fn();
  } finally {
    w.spent[key] += performance.now() - t;
  }
}

// The training record: 5 floats per point (step, D loss, G loss, D(x), D(G(z))).
const hist = { data: new Float32Array(5 * 1024), n: 0 };
const fdHist = { data: new Float32Array(2 * 256), n: 0 };
// The timeline: {step, gray (the grid's pixels, one byte each), h, w}, in step order.
let snaps = [];

// The records a run keeps (and saves with its state) stay bounded: past
// their limit, neighbouring points are merged in pairs (x of the later, the
// mean of the values each computed), halving the count.
const MAX_POINTS = 4096, MAX_FD_POINTS = 512;

function thin(h, width) {
  const d = h.data, half = Math.ceil(h.n / 2);
  for (let i = 0; i < half; i++) {
    const a = 2 * i, b = Math.min(2 * i + 1, h.n - 1);
    const row = [d[b * width]];
    for (let k = 1; k < width; k++) {
      const u = d[a * width + k], v = d[b * width + k];
      row.push(a === b ? u : Number.isNaN(u) ? v : Number.isNaN(v) ? u : (u + v) / 2);
    }
    d.set(row, i * width);
  }
  h.n = half;
}

function keepBounded() {
  if (hist.n > MAX_POINTS) {
    thin(hist, 5);
    if (w.lastGood) w.lastGood.points = Math.ceil(w.lastGood.points / 2);
  }
  if (fdHist.n > MAX_FD_POINTS) thin(fdHist, 2);
}

function push(h, width, values) {
  if ((h.n + 1) * width > h.data.length) {
    const bigger = new Float32Array(h.data.length * 2);
    bigger.set(h.data);
    h.data = bigger;
  }
  h.data.set(values, h.n * width);
  h.n++;
}

// Loop turns at full speed go through a MessageChannel: unlike setTimeout it
// is not clamped, and page messages still get their turn in between.
const loopChannel = new MessageChannel();
loopChannel.port1.onmessage = () => tick();
let loopScheduled = false;
function scheduleTurn(delay) {
  if (loopScheduled) return;
  loopScheduled = true;
  const go = () => {
    loopScheduled = false;
    tick();
  };
  if (delay > 0) setTimeout(go, delay);
  else {
    loopChannel.port1.onmessage = go;
    loopChannel.port2.postMessage(null);
  }
}

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

// ---- engine helpers -------------------------------------------------------

class EngineError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const errorText = () => M.UTF8ToString(M._gpw_error(s));

// Throws the session's message if a gpw call returned a nonzero status.
function check(rc, what) {
  if (rc === 0) return;
  if (rc === ST_NOMEM)
    throw new EngineError(`${what}: the browser would not give the engine more memory (${errorText()}). ` +
      'Close other tabs or pick a smaller batch size, then reload the page.', rc);
  throw new EngineError(`${what}: ${errorText()}`, rc);
}

function withString(str, fn) {
  const n = M.lengthBytesUTF8(str) + 1;
  const p = M._malloc(n);
  if (!p) throw new EngineError('Out of memory.', ST_NOMEM);
  try {
    M.stringToUTF8(str, p, n);
    return fn(p);
  } finally {
    M._free(p);
  }
}

// Copies bytes into wasm memory for the call, then frees them.
function withBytes(bytes, fn) {
  const p = M._gpw_alloc(Math.max(1, bytes.length));
  if (!p) throw new EngineError(`Out of memory for ${bytes.length} bytes. Close other tabs and reload.`, ST_NOMEM);
  try {
    M.HEAPU8.set(bytes, p);
    return fn(p, bytes.length);
  } finally {
    M._gpw_free(p);
  }
}

// Heap views are read afresh at every use: memory may have grown.
const f64 = (p, n) => Array.from(M.HEAPF64.subarray(p >> 3, (p >> 3) + n));

// [step, d_step, d_loss, g_loss, d_real, d_fake, g_fake] (named in
// gpw_stats_json): read after every training step, without a JSON round trip.
function readStats() {
  return f64(M._gpw_stats(s), 7);
}

const json = (p) => JSON.parse(M.UTF8ToString(p));

// The settings by name (choices such as the loss by their names).
function configValues(which) {
  return json(M._gpw_config_json(s, which));
}

function modelInfo() {
  const m = json(M._gpw_model_json(s));
  if (!m) return null;
  return {
    ...w.model,
    latent: m.settings.latent, channels: m.image.channels, height: m.image.height, width: m.image.width,
    hasD: m.has_discriminator, classes: m.classes.count, classNames: m.classes.names, dataset: m.dataset,
    gParams: m.parameters.generator, dParams: m.parameters.discriminator, step: m.steps, dStep: m.d_steps_taken,
    batch: m.settings.batch, loss: m.loss, tools: m.tools, config: m.settings, label: w.label,
  };
}

// The last render as transferable RGBA.
function takeRgba() {
  const wd = M._gpw_rgba_width(s), ht = M._gpw_rgba_height(s), p = M._gpw_rgba(s);
  const pixels = M.HEAPU8.slice(p, p + wd * ht * 4);
  return { width: wd, height: ht, pixels: pixels.buffer };
}

function probs(n) {
  const p = M._gpw_probs(s) >> 2;
  return Array.from(M.HEAPF32.subarray(p, p + n));
}

// ---- what the page is told --------------------------------------------------

function postModel() {
  const info = modelInfo();
  w.batch = info ? info.batch : 0;
  w.classes = info ? info.classes : 0;
  w.modelDataset = info ? info.dataset : null;
  post({ type: 'model', info, pending: configValues(0) });
}

function postStats(points, reset) {
  const buf = Float32Array.from(points);
  const batch = w.batch;
  post({
    type: 'stats', stats: readStats(), points: buf, reset: !!reset, running: w.running, halted: w.halted,
    stepsPerSec: w.running ? w.rate : 0, imagesPerSec: w.running ? w.rate * batch : 0,
  }, [buf.buffer]);
}

// The sample grid; snapshot: also keep it in the timeline (a training
// model's first grid always is). The page keeps the steps the worker keeps.
function postGrid(snapshot) {
  check(M._gpw_render_seed(s, w.noiseSeed, 64, 8), 'Drawing the samples');
  const img = takeRgba(), step = readStats()[0];
  const keep = !!w.model && w.model.kind === 'training' && (snapshot || !snaps.length);
  if (keep) keepSnapshot(step, img);
  post({ type: 'grid', ...img, step, seed: w.noiseSeed, snapshot: keep, timeline: keep ? snaps.map((sn) => sn.step) : null },
    [img.pixels]);
  w.lastGrid = performance.now();
}

function keepSnapshot(step, img) {
  const rgba = new Uint8Array(img.pixels), gray = new Uint8Array(img.width * img.height);
  for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i]; // the grid is gray: r = g = b
  while (snaps.length && snaps[snaps.length - 1].step >= step) snaps.pop(); // the same step again
  snaps.push({ step, gray, h: img.height, w: img.width });
  // keep every other one (and the newest): the timeline stays bounded
  if (snaps.length > MAX_SNAPSHOTS) snaps = snaps.filter((_, i) => i % 2 === 0 || i === snaps.length - 1);
}

// The whole timeline, after a model file brought its own.
function postTimeline() {
  const list = snaps.map((sn) => {
    const rgba = new Uint8ClampedArray(4 * sn.gray.length);
    for (let i = 0; i < sn.gray.length; i++) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = sn.gray[i];
      rgba[4 * i + 3] = 255;
    }
    return { step: sn.step, width: sn.w, height: sn.h, pixels: rgba.buffer };
  });
  post({ type: 'timeline', snapshots: list }, list.map((x) => x.pixels));
}

// ---- the run's history in the training state (src/gan/history.h) ----------------

function historyBytes() {
  const last = snaps[snaps.length - 1];
  const shots = last ? snaps.filter((sn) => sn.h === last.h && sn.w === last.w) : [];
  const H = last ? last.h : 0, W = last ? last.w : 0;
  const buf = new ArrayBuffer(4 + 20 * hist.n + 4 + 8 * fdHist.n + 12 + shots.length * (4 + H * W));
  const dv = new DataView(buf), bytes = new Uint8Array(buf);
  let at = 0;
  const u32 = (v) => {
    dv.setUint32(at, v, true);
    at += 4;
  };
  const floats = (a, n) => {
    for (let i = 0; i < n; i++, at += 4) dv.setFloat32(at, a[i], true);
  };
  u32(hist.n);
  floats(hist.data, 5 * hist.n);
  u32(fdHist.n);
  floats(fdHist.data, 2 * fdHist.n);
  u32(shots.length);
  u32(H);
  u32(W);
  for (const sn of shots) {
    u32(sn.step);
    bytes.set(sn.gray, at);
    at += sn.gray.length;
  }
  return bytes;
}

// Hands the history to the engine for the next training-state save.
function setHistory() {
  withBytes(historyBytes(), (p, n) => check(M._gpw_set_history(s, p, n), 'Keeping the history'));
}

// The history a loaded file carried (checked by the engine): false if none.
function takeHistory() {
  const n = M._gpw_history_len(s);
  if (!n) return false;
  const p = M._gpw_history(s), copy = M.HEAPU8.slice(p, p + n);
  const dv = new DataView(copy.buffer);
  let at = 0;
  const u32 = () => {
    at += 4;
    return dv.getUint32(at - 4, true);
  };
  const floats = (h, width, count) => {
    h.n = 0;
    for (let i = 0; i < count; i++, at += 4 * width) {
      const row = [];
      for (let k = 0; k < width; k++) row.push(dv.getFloat32(at + 4 * k, true));
      push(h, width, row);
    }
  };
  floats(hist, 5, u32());
  floats(fdHist, 2, u32());
  const K = u32(), H = u32(), W = u32();
  snaps = [];
  for (let k = 0; k < K; k++) {
    const step = u32();
    snaps.push({ step, gray: copy.slice(at, at + H * W), h: H, w: W });
    at += H * W;
  }
  return true;
}

// D's view: held-out real images and generated ones, each with D(x).
function postRealFake() {
  w.lastRealFake = performance.now();
  if (!w.model || !w.dataset) return;
  const hasD = M._gpw_has_discriminator(s) === 1;
  const msg = { type: 'realfake', step: readStats()[0], hasD };
  // with the saliency on, D's gradient is laid over the images as heat
  const heat = () => hasD && w.saliency && M._gpw_saliency(s, 4) === 0;
  msg.saliency = hasD && !!w.saliency;
  if (M._gpw_render_real(s, w.realFirst, REAL_FAKE_COUNT, 4) === 0) {
    const scored = hasD && M._gpw_d_score(s) === 0;
    heat();
    msg.real = { ...takeRgba(), probs: scored ? probs(REAL_FAKE_COUNT) : null };
  }
  check(M._gpw_render_seed(s, w.noiseSeed, REAL_FAKE_COUNT, 4), 'Drawing the samples');
  const scored = hasD && M._gpw_d_score(s) === 0;
  heat();
  msg.fake = { ...takeRgba(), probs: scored ? probs(REAL_FAKE_COUNT) : null };
  post(msg, [msg.fake.pixels].concat(msg.real ? [msg.real.pixels] : []));
}

const scoreAvailable = () => typeof M._gpw_score === 'function';

// The FD compares the model's samples with the held-out images of the data on
// show, through that data's own classifier: only when the model was trained on
// that data (models from before datasets were recorded say "unknown").
function fdReady() {
  if (!scoreAvailable() || !w.classifierReady || !w.dataset || w.classifierFor !== w.dataset.id || !w.model) return false;
  const trainedOn = w.model.kind === 'pretrained' ? w.modelDataset : w.dataset.id;
  return trainedOn === w.dataset.id || trainedOn === 'unknown';
}

function postFd() {
  if (!fdReady()) return;
  const rc = M._gpw_score(s, FD_SAMPLES, FD_SEED, -1);
  if (rc !== 0) return; // e.g. a model whose images the classifier cannot score
  const r = json(M._gpw_score_json(s));
  const step = readStats()[0];
  if (w.model.kind === 'training') push(fdHist, 2, [step, r.fd]);
  post({ type: 'fd', step, fd: r.fd, entropy: r.entropy, hist: r.hist, condAcc: r.cond_acc, training: w.model.kind === 'training' });
}

// ---- datasets, models, classifier ------------------------------------------

async function fetchBytes(url, what) {
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`Could not load ${what} (${url}): ${e.message}. Check the connection and reload.`);
  }
  if (!res.ok) throw new Error(`Could not load ${what} (${url}): HTTP ${res.status}.`);
  if (url.endsWith('.gz')) {
    if (typeof DecompressionStream !== 'function')
      throw new Error('This browser cannot unpack gzip data (no DecompressionStream); use a recent browser.');
    res = new Response(res.body.pipeThrough(new DecompressionStream('gzip')));
  }
  return new Uint8Array(await res.arrayBuffer());
}

// The next new model trains on this dataset: a conditional one learns its
// classes; the user's own images have one class, so conditioning goes off.
function pendingDataset(id) {
  const classes = DATASETS[id] ? DATASETS[id].classes : 1;
  if (withString(id, (k) => M._gpw_config_dataset(s, k, classes)) === 0) return;
  withString('cond', (k) => withString('none', (v) => check(M._gpw_config_set(s, k, v), 'Class conditioning')));
  withString(id, (k) => check(M._gpw_config_dataset(s, k, classes), 'Choosing the dataset'));
}

// A change made during a run, marked on the charts at the current update.
function markChange(label) {
  const st = readStats();
  if (w.model && w.model.kind === 'training' && st[0] + st[1] > 0) post({ type: 'marker', x: st[0] + st[1], label });
}

function setDataset(id, name) {
  pendingDataset(id);
  markChange(`data: ${name}`);
  w.dataset = { id, name, count: M._gpw_dataset_count(s), heldOut: M._gpw_dataset_held_out(s) };
  w.realFirst = 0;
  w.classifierReady = false;
  post({ type: 'dataset', ...w.dataset, fd: false });
}

async function loadDataset(id) {
  const d = DATASETS[id];
  if (!d) throw new Error(`Unknown dataset '${id}'.`);
  if (w.dataset && w.dataset.id === id) return w.dataset;
  const job = (async () => {
    post({ type: 'status', text: `Loading ${d.name}…` });
    const bytes = await fetchBytes(d.file, d.name);
    withBytes(bytes, (p, n) => check(M._gpw_load_dataset(s, p, n), `Loading ${d.name}`));
    w.ownImages = null;
    setDataset(id, d.name);
    await loadClassifier(id);
    if (w.model && !w.running) postRealFake();
    return w.dataset;
  })();
  w.datasetLoading = job;
  try {
    return await job;
  } finally {
    if (w.datasetLoading === job) w.datasetLoading = null;
  }
}

// The classifier behind the FD of a dataset, where the engine and the site have it.
async function loadClassifier(id) {
  const file = w.classifierFiles[id];
  if (!scoreAvailable() || !file) return;
  try {
    if (!w.classifierBytes[id]) w.classifierBytes[id] = await fetchBytes(file, `the ${DATASETS[id].name} classifier`);
    if (!w.dataset || w.dataset.id !== id) return; // another dataset came in the meantime
    withBytes(w.classifierBytes[id], (p, n) => check(M._gpw_load_classifier(s, p, n), 'Loading the classifier'));
    w.classifierReady = true;
    w.classifierFor = id;
    post({ type: 'dataset', ...w.dataset, fd: true });
    if (w.model && w.model.kind === 'pretrained') postFd();
  } catch (e) {
    w.classifierReady = false; // FD is extra: the page works without it
  }
}

// The settings for the next new model, as the engine holds them: every row
// of the engine's table that cfg has, as text (the engine parses and checks).
function setPending(cfg) {
  withString(cfg.preset, (k) => check(M._gpw_config_default(s, k), 'Choosing the preset'));
  if (w.dataset) pendingDataset(w.dataset.id);
  for (const { name, label } of table.settings) {
    if (cfg[name] === undefined) continue;
    withString(name, (k) => withString(String(cfg[name]), (v) => check(M._gpw_config_set(s, k, v), label)));
  }
}

// Loads a model file; a bad file changes nothing. Generator-only files keep
// the settings for the next new model as they were.
function loadModelBytes(bytes, meta, keepHistory) {
  const pending = configValues(0);
  withBytes(bytes, (p, n) => check(M._gpw_load_model(s, p, n), 'Loading the model'));
  const hasD = M._gpw_has_discriminator(s) === 1;
  w.sourceBytes = hasD ? null : bytes.slice();
  if (!hasD) setPending(pending);
  w.running = false;
  w.label = -1;
  w.halted = false;
  w.model = { kind: hasD ? 'training' : 'pretrained', name: meta.name, description: meta.description || '' };
  if (hasD && !keepHistory) w.runId = newRunId(); // an opened training state saves apart from the run before
  // a training state brings its charts and timeline back (src/gan/history.h)
  const brought = !keepHistory && hasD && takeHistory();
  if (!keepHistory && !brought) {
    hist.n = 0;
    fdHist.n = 0;
    snaps = [];
  }
  w.savedStep = hasD ? readStats()[0] : -1;
  w.dirty = false;
  w.lastGood = hasD ? { bytes: bytes.slice(), step: readStats()[0], points: hist.n } : null;
  postModel();
  if (brought) postHistory();
  else if (!keepHistory) postStats([], true);
  postGrid();
  if (w.dataset) postRealFake();
  if (!hasD) postFd();
}

// The charts and the timeline as the worker holds them, replacing the page's.
function postHistory() {
  post({ type: 'stats', stats: readStats(), points: hist.data.slice(0, 5 * hist.n), fd: fdHist.data.slice(0, 2 * fdHist.n),
    reset: true, running: false, halted: false, stepsPerSec: 0, imagesPerSec: 0 });
  postTimeline();
}

// A name that tells saved runs apart: preset, data, seed and start time.
function runName(cfg) {
  const data = w.dataset ? w.dataset.name : DATASETS.mnist.name;
  const at = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `${cfg.preset.toUpperCase()} on ${data}, seed ${cfg.seed}, started ${at}`;
}

const newRunId = () => `run-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

function newModel() {
  check(M._gpw_create(s), 'Creating the model');
  w.label = -1;
  const cfg = configValues(1);
  w.model = { kind: 'training', name: runName(cfg), description: '' };
  w.runId = newRunId();
  w.halted = false;
  hist.n = 0;
  fdHist.n = 0;
  snaps = [];
  w.savedStep = -1;
  w.dirty = false;
  w.lastGood = null;
  postModel();
  postStats([], true);
  postGrid();
  if (w.dataset) postRealFake();
}

// Training needs a model with a discriminator and a dataset: makes a new
// model from the settings when the one on show is a generator only.
async function readyToTrain() {
  if (!w.model || w.model.kind !== 'training') newModel();
  if (!w.dataset) {
    if (w.datasetLoading) await w.datasetLoading;
    else await loadDataset('mnist');
  }
  if (w.halted) throw new Error('Training stopped because a loss became NaN. Return to the last good state or press Reset.');
}

// ---- training ----------------------------------------------------------------

function keepGood() {
  setHistory();
  check(M._gpw_save(s, 1), 'Saving the training state');
  const p = M._gpw_saved(s), n = M._gpw_saved_len(s);
  w.lastGood = { bytes: M.HEAPU8.slice(p, p + n), step: readStats()[0], points: hist.n };
  return w.lastGood;
}

// Runs one engine call that trains; records a point; stops on NaN.
// A chart point: x counts network updates (D steps + G steps), so that a D
// step alone and a G step alone both move it; a step plots only the values it
// computed (NaN for the others): a D step the D loss, D(x) and D(G(z)); a G
// step the G loss and D(G(z)) as G saw it after D's update.
function chartPoint(st, kind) {
  const x = st[0] + st[1];
  if (kind === 'd') return [x, st[2], NaN, st[4], st[5]];
  if (kind === 'g') return [x, NaN, st[3], NaN, st[6]];
  return [x, st[2], st[3], st[4], st[5]];
}

function trainCall(fn, points, kind = 'full') {
  const rc = fn();
  const st = readStats();
  if (rc === ST_NAN) {
    halt(errorText());
    return false;
  }
  check(rc, 'Training');
  const pt = chartPoint(st, kind);
  push(hist, 5, pt);
  keepBounded();
  points.push(...pt);
  w.dirty = true;
  return true;
}

function halt(why) {
  w.running = false;
  w.halted = true;
  w.dirty = false; // never autosave a broken state
  post({
    type: 'halted',
    message: `Training stopped: ${why}. The numbers blew up, which happens when learning rates are too high ` +
      'or the two networks fall badly out of balance.',
    lastGoodStep: w.lastGood ? w.lastGood.step : null,
  });
}

function tick() {
  if (!w.running) return;
  const t0 = performance.now();
  // at a set speed: turns at least a frame apart, each with the steps that keep the rate
  const interval = w.speed > 0 ? Math.max(FRAME_MS, 1000 / w.speed) : 0;
  const perTurn = w.speed > 0 ? Math.max(1, Math.round((w.speed * interval) / 1000)) : Infinity;
  const points = [];
  let steps = 0;
  try {
    for (;;) {
      if (!timed('train', () => trainCall(() => M._gpw_train(s, 1), points))) break;
      steps++;
      const step = readStats()[0];
      if (step % w.snapEvery === 0) timed('grid', () => postGrid(true));
      if (w.fdEvery && step % w.fdEvery === 0) timed('fd', () => postFd());
      if (w.speed > 0 ? steps >= perTurn || performance.now() - t0 > 250 : performance.now() - t0 >= CHUNK_MS) break;
    }
  } catch (e) {
    w.running = false;
    postStats(points);
    return fail(e);
  }
  const now = performance.now();
  // the rate over the last few seconds of turns (not the first turn alone,
  // which at a slow speed runs at once after Start)
  w.runSteps += steps;
  w.rateLog.push({ t: now, n: w.runSteps });
  while (w.rateLog.length > 2 && now - w.rateLog[1].t > RATE_MS) w.rateLog.shift();
  const first = w.rateLog[0];
  w.rate = w.rateLog.length > 1 && now > first.t ? (w.runSteps - first.n) / ((now - first.t) / 1000) : 0;
  w.lastTurnEnd = now;
  postStats(points);
  if (!w.running) return; // halted
  if (now - w.lastGrid >= GRID_MS) timed('grid', () => postGrid());
  if (now - w.lastRealFake >= REALFAKE_MS) timed('realfake', () => postRealFake());
  if (now - w.lastSave >= SAVE_MS) timed('save', () => autosave().catch(() => {}));
  scheduleTurn(w.speed > 0 ? Math.max(0, interval - (performance.now() - t0)) : 0);
}

// ---- autosave (IndexedDB) ---------------------------------------------------

const DB_NAME = 'ganplay', STORE = 'autosave';
const MAX_SAVES = 5; // trainings kept; the oldest go first

function openDb() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('IndexedDB is not available'));
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function dbDo(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

// Saves the training state (with optimizer state) when it changed, under the
// run's own key, so that one run never overwrites another's save; keeps the
// MAX_SAVES newest runs.
async function autosave(force) {
  w.lastSave = performance.now();
  if (!w.model || w.model.kind !== 'training' || w.halted) return null;
  if (!w.dirty && !force) return null;
  const good = keepGood();
  const st = readStats();
  const record = {
    version: 1, id: w.runId, savedAt: Date.now(), step: st[0], dStep: st[1], name: w.model.name,
    preset: configValues(1).preset, dataset: w.dataset ? w.dataset.id : null,
    own: w.dataset && w.dataset.id === 'own' ? w.ownImages : null,
    noiseSeed: w.noiseSeed, state: good.bytes, // with the charts and the timeline in it
  };
  w.dirty = false;
  try {
    await dbDo('readwrite', (store) => store.put(record, record.id));
    const old = (await savedList()).slice(MAX_SAVES);
    if (old.length) await dbDo('readwrite', (store) => old.forEach((r) => store.delete(r.id)));
  } catch (e) {
    post({ type: 'saved', ok: false, message: `Autosave failed: ${e.message}` });
    return null;
  }
  w.savedStep = st[0];
  const info = describe(record);
  post({ type: 'saved', ok: true, ...info, list: await savedList() });
  return info;
}

const describe = (r) => ({ id: r.id, step: r.step, dStep: r.dStep, savedAt: r.savedAt, name: r.name, dataset: r.dataset,
  preset: r.preset });

// The saved trainings, newest first (without their bytes).
async function savedList() {
  let all;
  try {
    all = await dbDo('readonly', (store) => store.getAll());
  } catch {
    return [];
  }
  return all.filter((r) => r && r.version === 1).map((r) => describe({ ...r, id: r.id || 'current' }))
    .sort((a, b) => b.savedAt - a.savedAt);
}

async function savedInfo() {
  const list = await savedList();
  return list.length ? { ...list[0], list } : null;
}

async function resume({ id } = {}) {
  const list = await savedList();
  const key = id || (list[0] && list[0].id);
  const r = key ? await dbDo('readonly', (store) => store.get(key)) : null;
  if (!r || r.version !== 1) throw new Error('There is no saved training to resume.');
  w.running = false;
  if (r.dataset === 'own' && r.own) ownDataset(r.own);
  else if (r.dataset) await loadDataset(r.dataset);
  w.noiseSeed = r.noiseSeed;
  loadModelBytes(r.state, { name: r.name });
  w.runId = key; // its saves go on under its own key
  w.savedStep = r.step;
  if (r.history && !M._gpw_history_len(s)) {
    // a save from before the state carried its history: the charts were beside it
    hist.n = 0;
    for (let i = 0; i < r.history.length / 5; i++) push(hist, 5, r.history.subarray(5 * i, 5 * i + 5));
    fdHist.n = 0;
    for (let i = 0; i < r.fd.length / 2; i++) push(fdHist, 2, r.fd.subarray(2 * i, 2 * i + 2));
    w.lastGood.points = hist.n;
    postHistory();
  }
  return { step: r.step, noiseSeed: r.noiseSeed, dataset: r.dataset, id: key };
}

// ---- the user's own images ---------------------------------------------------

function ownDataset(own) {
  const { rgba, count, h, w: wd } = own;
  withBytes(rgba, (p, n) => check(M._gpw_dataset_from_rgba(s, p, n, count, h, wd), 'Using your images'));
  w.ownImages = { rgba: rgba.slice(), count, h, w: wd };
  setDataset('own', 'Your images');
  if (w.model) postRealFake();
  return w.dataset;
}

// ---- explore -------------------------------------------------------------------

// Latent rows used here (the engine has 256).
const ROW = { a: 0, b: 1, neighbours: 2, path: 16, steered: 32, tmp: 33, frame: 40 };

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

function explore(args) {
  if (!w.model) throw new Error('No model yet.');
  return withKeptClass(args.a, () => exploreViews(args));
}

function exploreViews({ a, b, dirs, radius, neighbourSeed }) {
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
  return { neighbours, path, steered };
}

function frame({ a, b, t }) {
  return withKeptClass(a, () => {
    setKept(a, b);
    check(M._gpw_z_slerp(s, ROW.frame, ROW.b, ROW.a, Math.min(1, Math.max(0, t))), 'Interpolating');
    check(M._gpw_render_z(s, ROW.frame, 1, 1), 'Interpolating');
    return takeRgba();
  });
}

// ---- requests ------------------------------------------------------------------

// What boot.js fetched on the page's side: {list, bytes}.
let givePreload;
const preloaded = new Promise((resolve) => (givePreload = resolve));

// The engine builds, best first. The page takes the first this browser and
// page can run: threads (every core the browser offers, up to 8) where the
// page is cross-origin isolated (SharedArrayBuffer); fused multiply-add
// where WebAssembly.validate accepts relaxed SIMD; else 128-bit SIMD; else
// portable. ?build=NAME asks for one (it still needs what it needs).
const BUILDS = {
  'threads-relaxed': { file: 'ganplay-threads-relaxed.js', name: 'SIMD with fused multiply-add, threaded', threads: true, relaxed: true },
  threads: { file: 'ganplay-threads.js', name: 'SIMD, threaded', threads: true },
  relaxed: { file: 'ganplay-relaxed.js', name: 'SIMD with fused multiply-add', relaxed: true },
  simd: { file: 'ganplay-simd.js', name: 'SIMD', simd: true },
  portable: { file: 'ganplay.js', name: 'portable' },
};

function pickBuild(asked) {
  const simd = WebAssembly.validate(SIMD_PROBE);
  const relaxed = simd && WebAssembly.validate(RELAXED_PROBE);
  const cores = Math.max(1, Math.min(8, Number(self.navigator && navigator.hardwareConcurrency) || 1));
  const shared = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  const runs = (b) => b === 'portable' || (simd && (!BUILDS[b].relaxed || relaxed) && (!BUILDS[b].threads || shared));
  const wanted = BUILDS[asked] && runs(asked) ? [asked] : Object.keys(BUILDS);
  // one core: the threaded builds would only add their overhead
  const usable = (b) => runs(b) && (!BUILDS[b].threads || cores > 1 || asked === b);
  const build = wanted.find(usable) || 'portable';
  // if it fails to load, the next builds this browser runs, down to portable
  const order = [build, ...Object.keys(BUILDS).filter((b) => b !== build && usable(b) &&
    Object.keys(BUILDS).indexOf(b) > Object.keys(BUILDS).indexOf(build))];
  return { build, order, threadsOf: (b) => (BUILDS[b].threads ? Math.max(2, cores) : 1), cores, shared, relaxed };
}

async function init({ build, noiseSeed, dataset, preload }) {
  const pick = pickBuild(build);
  post({ type: 'status', text: 'Loading the engine…' });
  // the list of models and the first model's bytes load while the engine compiles
  let models, first;
  if (preload) {
    models = preloaded.then((p) => checkManifest(p.list));
    first = preloaded.then((p) => (p.bytes && p.list ? { bytes: new Uint8Array(p.bytes), meta: p.list.models[p.list.first] } : null));
  } else {
    models = loadManifest();
    first = models.then(firstModel);
  }
  // the best build first; one that fails to load gives way to the next
  const failures = [];
  for (const name of pick.order) {
    try {
      const file = BUILDS[name].file;
      importScripts(file);
      // the threaded builds start their pool of workers with the module; they load the same script
      M = await createGanplay({ print: () => {}, printErr: () => {}, gpPoolSize: pick.threadsOf(name) - 1,
        mainScriptUrlOrBlob: new URL(file, self.location.href).href });
      buildName = name;
      break;
    } catch (e) {
      failures.push(`the ${BUILDS[name].name} build: ${String((e && e.message) || e).replace(/\s*Build with -s ASSERTIONS=1.*$/, '')}`);
    }
  }
  if (!M) {
    throw new Error(`The WebAssembly engine failed to load (${failures.join('; ')}). ` +
      'Reload the page; if that does not help, try another up-to-date browser.');
  }
  if (failures.length) post({ type: 'error', message: `The best engine for this browser did not load (${failures.join('; ')}); ` +
    `the page runs the ${BUILDS[buildName].name} build instead.` });
  s = M._gpw_new();
  if (!s) throw new Error('Out of memory starting the engine. Close other tabs and reload.');
  const threads = M._gpw_set_threads(s, pick.threadsOf(buildName));
  table = json(M._gpw_settings_json(s));
  w.noiseSeed = noiseSeed;
  const presets = table.presets.map((p) => p.name);
  const loaded = await first;
  if (loaded) {
    try {
      loadModelBytes(loaded.bytes, loaded.meta);
    } catch (e) {
      post({ type: 'error', message: `The pretrained model ${loaded.meta.file} could not be used: ${e.message}` });
    }
  }
  if (!w.model) newModel(); // no pretrained model shipped: show an untrained one
  const result = {
    build: buildName, buildText: BUILDS[buildName].name, simd: M._gpw_simd() === 1, relaxed: !!BUILDS[buildName].relaxed,
    threads, cores: pick.cores, isolated: self.crossOriginIsolated === true,
    score: scoreAvailable(), model: modelInfo(),
    directions: M._gpw_directions(), models: await models, presets, table,
    classifier: scoreAvailable() && Object.keys(w.classifierFiles).length > 0,
  };
  // the rest loads after the first samples are on screen
  setTimeout(async () => {
    try {
      if (!w.dataset && !w.datasetLoading) await loadDataset(DATASETS[dataset] ? dataset : 'mnist');
    } catch (e) {
      fail(e);
    }
    const saved = await savedInfo();
    if (saved) post({ type: 'resumable', ...saved });
    post({ type: 'status', text: '' });
  }, 0);
  return result;
}

// The pretrained models the site has (models.json, written by make site).
async function loadManifest() {
  try {
    const res = await fetch('models.json');
    return res.ok ? checkManifest(await res.json()) : [];
  } catch {
    return [];
  }
}

function checkManifest(list) {
  if (!list) return [];
  if (list.classifiers && typeof list.classifiers === 'object')
    for (const [id, file] of Object.entries(list.classifiers)) if (DATASETS[id] && typeof file === 'string') w.classifierFiles[id] = file;
  return Array.isArray(list.models) ? list.models.filter((m) => m && typeof m.file === 'string' && typeof m.name === 'string') : [];
}

// Fetches the first model of the list that the site has.
async function firstModel(models) {
  for (const m of models) {
    try {
      const res = await fetch(m.file);
      if (!res.ok) continue;
      return { bytes: new Uint8Array(await res.arrayBuffer()), meta: m };
    } catch {
      // try the next one
    }
  }
  return null;
}

const handlers = {
  init,
  preload(p) {
    givePreload(p);
  },
  async start() {
    if (w.running) return;
    await readyToTrain();
    if (!w.lastGood) keepGood();
    w.running = true;
    w.rate = 0;
    w.lastTurnEnd = performance.now();
    w.runSteps = 0;
    w.rateLog = []; // from the first turn's end: the first turn runs at once after Start
    for (const k of Object.keys(w.spent)) w.spent[k] = 0;
    w.spentFrom = performance.now();
    w.lastSave = performance.now();
    postModel();
    scheduleTurn(0);
  },
  pause() {
    if (!w.running) return;
    w.running = false;
    postStats([]);
    postGrid();
    postRealFake();
    // the state is taken now; writing it to IndexedDB does not hold up the answer
    autosave().catch(() => {});
  },
  // One full training step, one D step or one G step (while paused).
  async step({ kind }) {
    if (w.running) throw new Error('Pause training first.');
    await readyToTrain();
    if (!w.lastGood) keepGood();
    const points = [];
    const fn = kind === 'd' ? () => M._gpw_d_step(s) : kind === 'g' ? () => M._gpw_g_step(s) : () => M._gpw_train(s, 1);
    trainCall(fn, points, kind === 'd' || kind === 'g' ? kind : 'full');
    postStats(points);
    postGrid(kind !== 'd' && readStats()[0] % w.snapEvery === 0);
    postRealFake();
    return readStats();
  },
  reset() {
    w.running = false;
    newModel();
  },
  setSpeed({ speed }) {
    w.speed = speed;
  },
  setSnapEvery({ every }) {
    w.snapEvery = every;
  },
  setFdEvery({ every }) {
    w.fdEvery = every;
  },
  samples({ seed }) {
    w.noiseSeed = seed;
    postGrid();
    postRealFake();
  },
  // The class a conditional model draws (-1: classes in turn).
  setClass({ label }) {
    check(M._gpw_set_class(s, label), 'Choosing the class');
    w.label = label;
    postGrid();
    postRealFake();
    postModel();
  },
  realFake({ first }) {
    if (first !== undefined) w.realFirst = first;
    postRealFake();
  },
  configPreset({ preset }) {
    withString(preset, (k) => check(M._gpw_config_default(s, k), 'Preset'));
    return configValues(0);
  },
  // Checks a setting (the text typed) against the settings for the next
  // model and, for the ones a live model can take, applies it to the
  // training model too.
  configSet({ key, value }) {
    const text = String(value);
    const rc = withString(key, (k) => withString(text, (v) => M._gpw_config_set(s, k, v)));
    if (rc !== 0) throw new Error(errorText());
    let applied = 'next';
    const row = table.settings.find((r) => r.name === key);
    if (w.model && w.model.kind === 'training' && row && row.live) {
      check(withString(key, (k) => withString(text, (v) => M._gpw_model_set(s, k, v))), 'Changing the setting');
      markChange(`${key} ${configValues(1)[key]}`);
      applied = 'now';
      w.dirty = true;
      postModel();
    }
    return { applied, pending: configValues(0) };
  },
  setPending({ config }) {
    setPending(config);
    return configValues(0);
  },
  async loadModelUrl({ model }) {
    const bytes = await fetchBytes(model.file, model.name);
    w.running = false;
    loadModelBytes(bytes, model);
    return modelInfo();
  },
  loadModelBytes({ bytes, name }) {
    loadModelBytes(new Uint8Array(bytes), { name });
    return modelInfo();
  },
  save({ kind }) {
    // a pretrained generator downloads as the file it came from (float16 where it was)
    if (kind === 0 && w.model && w.model.kind === 'pretrained' && w.sourceBytes) return w.sourceBytes.slice();
    if (kind === 1) setHistory(); // the charts and the timeline go with the state
    check(M._gpw_save(s, kind), 'Saving');
    const p = M._gpw_saved(s);
    return M.HEAPU8.slice(p, p + M._gpw_saved_len(s));
  },
  async loadDataset({ id }) {
    return loadDataset(id);
  },
  ownDataset(own) {
    return ownDataset(own);
  },
  explore,
  frame,
  checksum() {
    return json(M._gpw_checksum_json(s));
  },
  // The classifier's view of count samples of one class (-1: classes in turn).
  scoreClass({ label, count = 200 }) {
    check(M._gpw_score(s, count, FD_SEED, label), 'Scoring');
    return json(M._gpw_score_json(s));
  },
  modelInfo() {
    return modelInfo();
  },
  async saveNow() {
    return autosave(true);
  },
  savedInfo,
  resume,
  async forgetSaved({ id } = {}) {
    const key = id || ((await savedList())[0] || {}).id;
    if (key) await dbDo('readwrite', (store) => store.delete(key));
    post({ type: 'resumable', ...((await savedInfo()) || { list: [] }) });
    w.savedStep = -1;
  },
  restoreGood() {
    const good = w.lastGood;
    if (!good) throw new Error('There is no earlier good state to return to.');
    loadModelBytes(good.bytes, { name: w.model ? w.model.name : 'Training model' }, true);
    hist.n = Math.min(hist.n, good.points);
    while (fdHist.n && fdHist.data[2 * (fdHist.n - 1)] > good.step) fdHist.n--;
    snaps = snaps.filter((sn) => sn.step <= good.step);
    w.lastGood = good;
    post({ type: 'stats', stats: readStats(), points: hist.data.slice(0, 5 * hist.n), fd: fdHist.data.slice(0, 2 * fdHist.n),
      reset: true, running: false, halted: false, stepsPerSec: 0, imagesPerSec: 0 });
    return { step: good.step, points: good.points };
  },
  // The engine's memory (bytes of wasm memory) and the worker's run records, for scripts/soak.mjs.
  memory() {
    return { wasm: M.HEAPU8.buffer.byteLength, points: hist.n, snapshots: snaps.length };
  },
  // Where the time went since Start (ms): the engine's steps and each of the page's extras.
  timing() {
    const wall = performance.now() - (w.spentFrom || performance.now());
    const busy = w.spent.train + w.spent.grid + w.spent.realfake + w.spent.fd + w.spent.save;
    return { ...w.spent, idle: wall - busy, wall, steps: w.runSteps };
  },
  poison() {
    check(M._gpw_test_poison(s), 'Poison');
  },
};

// An error in words. A trap inside the engine (an abort, memory that could
// not grow) leaves it unusable: say so, and what to do.
function explain(e) {
  const msg = (e && e.message) || String(e);
  if (e instanceof WebAssembly.RuntimeError || /^Aborted|out of memory|Cannot enlarge memory/i.test(msg)) {
    w.running = false;
    return `The engine stopped (${msg.replace(/\s*Build with -s ASSERTIONS=1.*$/, '')}). This usually means the browser ran ` +
      'out of memory: close other tabs, choose a smaller batch size, and reload the page (your training is autosaved).';
  }
  return msg;
}

function fail(e) {
  post({ type: 'error', message: explain(e) });
}

// The 2-D mode's requests (toy*), and editing (edit*), in their own files.
importScripts('toy-worker.js', 'edit-worker.js');

self.onmessage = async (e) => {
  const { rid, type, ...args } = e.data;
  try {
    const fn = handlers[type];
    if (!fn) throw new Error(`unknown request '${type}'`);
    if (!M && type !== 'init' && type !== 'preload') throw new Error('The engine is still loading.');
    const result = await fn(args);
    if (rid) post({ type: 'reply', rid, ok: true, result }, result && result.buffer instanceof ArrayBuffer && result.byteLength === result.buffer.byteLength ? [result.buffer] : []);
  } catch (err) {
    if (rid) post({ type: 'reply', rid, ok: false, error: explain(err) });
    else fail(err);
  }
};
