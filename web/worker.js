// worker.js: the engine's thread. It owns the wasm module and one gp_session
// (the model on show, its training run, the dataset, the classifier) and
// passes messages: the training run itself (its turns, speed, chart
// points, snapshots, FD, last good state, NaN halt) is the core's
// (src/run/run.h); a turn's answer is posted to the page as it comes.
//
// Page -> worker: {rid, type, ...args}; every request is answered with
//   {type: 'reply', rid, ok, result | error}. See `handlers` below.
// Worker -> page, unasked: status, model, turn (the engine's answer to a
//   turn or step, snake_case), history, snapshot, timeline, grid, realfake,
//   fd, dataset, marker, saved, resumable, editProgress, error.
'use strict';

importScripts('worker-engine.js', 'worker-data.js');

const REAL_FAKE_COUNT = 8;
const STEP_KINDS = { full: 0, d: 1, g: 2 }; // gpw_run_step's kinds

let tables = null; // what the engine says once: {tables: {settings, presets, losses, recipes}, run, project, directions, limits, statuses}

const w = {
  model: null, // {kind: 'pretrained' | 'training', name, description, source} or null (source: the file it came from)
  epoch: 0, // counts the models put on show (new, loaded, restored): what a model's directions belong to
  dataset: null, // {id, name, count, heldOut}
  datasetLoading: null, // a promise while a dataset loads
  ownImages: null, // {rgba, count, h, w, channels} of the user's images, for autosave
  ownChannels: 1, // the user's images as the engine takes them: 1 gray, 3 colour
  classifierFiles: {}, // dataset id -> its classifier's file, where the site has one
  classifierBytes: {}, // dataset id -> the file's bytes, once fetched
  classifierFor: null, // the dataset whose classifier the engine holds
  classifierReady: false,
  running: false, // turns are scheduled
  label: -1, // the class a conditional model draws; -1: classes in turn
  batch: 0,
  classes: 0,
  modelDataset: null, // what the model on show was trained on
  noiseSeed: 1,
  step: 0, // the model's G steps, as the engine last answered
  realFirst: 0, // which held-out images the real/fake view shows
  saliency: false, // D's saliency laid over the real/fake view
  sourceBytes: null, // a pretrained generator's file as loaded
  runId: null, // the autosave key of the model in training
  spent: { grid: 0, realfake: 0, save: 0 }, // the page's drawing and saving since Start (ms)
};

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

const configValues = (which) => json(M._gpw_config_json(s, which));

// The page's record of the model on show: the engine's description, named for the page.
function modelInfo() {
  const m = json(M._gpw_model_json(s));
  if (!m) return null;
  return {
    ...w.model,
    latent: m.settings.latent, channels: m.image.channels, height: m.image.height, width: m.image.width,
    hasD: m.has_discriminator, classes: m.classes.count, classNames: m.classes.names, dataset: m.dataset,
    gParams: m.parameters.generator, dParams: m.parameters.discriminator, step: m.steps, dStep: m.d_steps_taken,
    batch: m.settings.batch, loss: m.loss, tools: m.tools, config: m.settings, history: m.history, label: w.label, epoch: w.epoch,
  };
}

function timed(key, fn) {
  const t = performance.now();
  try {
    return fn();
  } finally {
    w.spent[key] += performance.now() - t;
  }
}

// ---- what the page is told --------------------------------------------------

function postModel() {
  const info = modelInfo();
  w.batch = info ? info.batch : 0;
  w.classes = info ? info.classes : 0;
  w.modelDataset = info ? info.dataset : null;
  post({ type: 'model', info, pending: configValues(0) });
}

// The sample grid of the page's noise seed.
function postGrid() {
  check(M._gpw_render_seed(s, w.noiseSeed, tables.run.view_count, tables.run.view_cols), 'Drawing the samples');
  post({ type: 'grid', ...takeRgba(), seed: w.noiseSeed, step: w.step });
}

// Snapshots of the timeline (indices from..to-1) as images, with the steps the timeline keeps.
function postSnapshots(timeline, from) {
  for (let k = Math.max(0, from); k < timeline.length; k++) {
    check(M._gpw_run_snapshot(s, k), 'The timeline');
    const img = takeRgba();
    post({ type: 'snapshot', ...img, step: timeline[k], timeline }, [img.pixels]);
  }
}

// The charts and the timeline the run holds, replacing the page's.
function postHistory() {
  const h = json(M._gpw_run_history_json(s));
  w.step = h.step;
  post({ type: 'history', ...h });
  const shots = h.timeline.map((step, k) => {
    check(M._gpw_run_snapshot(s, k), 'The timeline');
    return { step, ...takeRgba() };
  });
  post({ type: 'timeline', snapshots: shots }, shots.map((x) => x.pixels));
}

// D's view: held-out real images and generated ones, each with D(x).
function postRealFake() {
  if (!w.model || !w.dataset) return;
  const hasD = M._gpw_has_discriminator(s) === 1;
  const msg = { type: 'realfake', step: w.step, hasD, saliency: hasD && w.saliency };
  // with the saliency on, D's gradient is laid over the images as heat
  const scored = () => {
    const ok = hasD && M._gpw_d_score(s) === 0;
    const p = ok ? probs(REAL_FAKE_COUNT) : null;
    if (msg.saliency) M._gpw_saliency(s, 4);
    return { ...takeRgba(), probs: p };
  };
  if (M._gpw_render_real(s, w.realFirst, REAL_FAKE_COUNT, 4) === 0) msg.real = scored();
  check(M._gpw_render_seed(s, w.noiseSeed, REAL_FAKE_COUNT, 4), 'Drawing the samples');
  msg.fake = scored();
  post(msg, [msg.fake.pixels].concat(msg.real ? [msg.real.pixels] : []));
}

// A pretrained model's FD, where the classifier of the data it was trained on is loaded.
function postModelFd() {
  const trained = w.modelDataset === w.dataset?.id || w.modelDataset === 'unknown';
  if (!w.classifierReady || w.classifierFor !== w.dataset?.id || !w.model || w.model.kind !== 'pretrained' || !trained) return;
  if (M._gpw_score(s, tables.run.measure_count, tables.run.measure_seed, -1) !== 0) return; // e.g. a model the classifier cannot score
  post({ type: 'fd', training: false, ...json(M._gpw_score_json(s)) });
}

// ---- the training run ---------------------------------------------------------

// Loop turns at full speed go through a MessageChannel: unlike setTimeout it
// is not clamped, and page messages still get their turn in between.
const loopChannel = new MessageChannel();
let loopScheduled = false;
function scheduleTurn(delay) {
  if (loopScheduled) return;
  loopScheduled = true;
  const go = () => {
    loopScheduled = false;
    turn();
  };
  if (delay > 0) setTimeout(go, delay);
  else {
    loopChannel.port1.onmessage = go;
    loopChannel.port2.postMessage(null);
  }
}

function turn() {
  if (!w.running) return;
  try {
    took(answer(M._gpw_run_turn(s), 'Training'));
  } catch (e) {
    w.running = false;
    fail(e);
    post({ type: 'turn', ...json(M._gpw_run_json(s)) });
  }
}

// What a turn or a step answered: posted to the page as it is, then what it
// says is due: new snapshots, the views, the autosave, the next turn.
function took(r) {
  w.running = r.running;
  w.step = r.step;
  post({ type: 'turn', ...r });
  if (r.snapshots) postSnapshots(r.timeline, r.timeline.length - r.snapshots);
  if (r.draw_grid) timed('grid', postGrid);
  if (r.draw_realfake) timed('realfake', postRealFake);
  if (r.kept) timed('save', () => saveGood().catch(() => {}));
  if (r.running) scheduleTurn(r.next_ms);
  return r;
}

// Training needs a model with a discriminator and a dataset: makes a new
// model from the settings when the one on show is a generator only.
async function readyToTrain() {
  // the dataset first: a new model learns its classes and is named after it
  if (!w.dataset) {
    if (w.datasetLoading) await w.datasetLoading;
    else await loadDataset('mnist');
  }
  if (!w.model || w.model.kind !== 'training') newModel();
}

// Shows what the engine now holds: the model, its history, its views.
function showModel() {
  w.epoch++;
  postModel();
  postHistory();
  postGrid();
  if (w.dataset) postRealFake();
}

// Loads a model file; a bad file changes nothing. A training state brings
// its charts and timeline back (the engine reads them from the file).
function loadModelBytes(bytes, meta) {
  withBytes(bytes, (p, n) => check(M._gpw_load_model(s, p, n), 'Loading the model'));
  const hasD = M._gpw_has_discriminator(s) === 1;
  w.sourceBytes = hasD ? null : bytes.slice();
  w.running = false;
  w.label = -1;
  w.model = { kind: hasD ? 'training' : 'pretrained', name: meta.name, description: meta.description || '', source: meta.source || meta.file || '' };
  if (hasD) {
    w.runId = newRunId(); // an opened training state saves apart from the run before
    holdRun(w.runId);
  }
  showModel();
  if (!hasD) postModelFd();
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
  w.running = false;
  w.model = { kind: 'training', name: runName(configValues(1)), description: '' };
  w.runId = newRunId();
  holdRun(w.runId);
  showModel();
}

// ---- requests ------------------------------------------------------------------

// What boot.js fetched on the page's side: {list, bytes}.
let givePreload;
const preloaded = new Promise((resolve) => (givePreload = resolve));

async function init({ build, noiseSeed, dataset, preload }) {
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
  const engine = await loadEngine(build);
  M = engine.M;
  const buildName = engine.name;
  if (engine.failures.length) post({ type: 'error', message: `The best engine for this browser did not load (${engine.failures.join('; ')}); ` +
    `the page runs the ${BUILDS[buildName].name} build instead.` });
  s = M._gpw_new();
  if (!s) throw new Error('Out of memory starting the engine. Close other tabs and reload.');
  const threads = M._gpw_set_threads(s, engine.pick.threadsOf(buildName));
  tables = json(M._gpw_tables_json(s));
  useDatasetTable(tables.datasets);
  w.noiseSeed = noiseSeed;
  check(withString('view_seed', (k) => M._gpw_run_set(s, k, noiseSeed)), 'The samples');
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
    threads, cores: engine.pick.cores, isolated: self.crossOriginIsolated === true, score: true, model: modelInfo(),
    directions: tables.directions, models: await models, presets: tables.tables.presets.map((p) => p.name),
    table: tables.tables, datasets: tables.datasets, run: tables.run, project: tables.project, limits: tables.limits,
    classifier: Object.keys(w.classifierFiles).length > 0,
  };
  // the rest loads after the first samples are on screen
  // (a saved training is offered first: that offer waits on no download)
  setTimeout(async () => {
    try {
      const saved = await savedInfo();
      if (saved) post({ type: 'resumable', ...saved });
    } catch (e) {
      fail(e);
    }
    try {
      if (!w.dataset && !w.datasetLoading) await loadDataset(DATASETS[dataset] ? dataset : 'mnist');
    } catch (e) {
      fail(e);
    }
    post({ type: 'status', text: '', startup: true }); // the start-up's downloads are done
  }, 0);
  return result;
}

const runSet = (key, value) => check(withString(key, (k) => M._gpw_run_set(s, k, value)), 'The run');

const handlers = {
  init,
  preload(p) {
    givePreload(p);
  },
  async start() {
    if (w.running) return;
    await readyToTrain();
    check(M._gpw_run_start(s), 'Starting');
    for (const k of Object.keys(w.spent)) w.spent[k] = 0;
    w.running = true;
    postModel();
    scheduleTurn(0);
  },
  async pause() {
    if (!w.running) return;
    w.running = false;
    const r = answer(M._gpw_run_pause(s), 'Pausing');
    post({ type: 'turn', ...r });
    postGrid();
    postRealFake();
    // the state was kept now; writing it to IndexedDB does not hold up the answer
    if (r.kept) saveGood().catch(() => {});
  },
  // One full training step, one D step or one G step (while paused).
  async step({ kind }) {
    if (w.running) throw new Error('Pause training first.');
    await readyToTrain();
    return took(answer(M._gpw_run_step(s, STEP_KINDS[kind] ?? 0), 'Training'));
  },
  reset() {
    w.running = false;
    newModel();
  },
  setSpeed: ({ speed }) => runSet('speed', speed),
  setSnapEvery: ({ every }) => runSet('snap_every', every),
  setFdEvery: ({ every }) => runSet('measure_every', every),
  samples({ seed }) {
    runSet('view_seed', seed);
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
  // A preset's defaults (and a recipe's values, e.g. the first visit's) for the next new model.
  configPreset({ preset, recipe = '' }) {
    withString(preset, (k) => withString(recipe, (r) => check(M._gpw_config_default(s, k, r), 'Preset')));
    if (w.dataset) pendingDataset(w.dataset.id);
    return configValues(0);
  },
  // One setting, from the text typed: the engine checks it and applies it
  // to the next model, and to the training model at once if it can.
  configSet({ key, value }) {
    const p = withString(key, (k) => withString(String(value), (v) => M._gpw_setting(s, k, v)));
    if (!p) throw new Error(errorText()); // the engine's words: the setting's label, the text typed
    const r = JSON.parse(M.UTF8ToString(p));
    if (r.marker) markChange(r.marker);
    if (r.applied === 'now') postModel();
    return { applied: r.applied, pending: r.pending };
  },
  setPending({ config, recipe }) {
    setPending(config, recipe);
    return configValues(0);
  },
  async loadModelUrl({ model }) {
    const bytes = await fetchBytes(model.file, model.name);
    loadModelBytes(bytes, model);
    return modelInfo();
  },
  // Whether a model file would load, asked before the page asks to replace the training on show.
  checkModelBytes({ bytes }) {
    withBytes(new Uint8Array(bytes), (p, n) => check(M._gpw_check_model(s, p, n), 'Loading the model'));
    return true;
  },
  loadModelBytes({ bytes, name }) {
    loadModelBytes(new Uint8Array(bytes), { name, source: name });
    return modelInfo();
  },
  save({ kind }) {
    // a pretrained generator downloads as the file it came from (float16 where it was)
    if (kind === 0 && w.model && w.model.kind === 'pretrained' && w.sourceBytes) return w.sourceBytes.slice();
    check(M._gpw_save(s, kind), 'Saving'); // a training state carries the charts and the timeline
    const p = M._gpw_saved(s);
    return M.HEAPU8.slice(p, p + M._gpw_saved_len(s));
  },
  loadDataset: ({ id }) => loadDataset(id),
  ownDataset,
  asTrained,
  checksum: () => json(M._gpw_checksum_json(s)),
  // The classifier's view of count samples of one class (-1: classes in turn).
  scoreClass({ label, count = 200 }) {
    check(M._gpw_score(s, count, tables.run.measure_seed, label), 'Scoring');
    return json(M._gpw_score_json(s));
  },
  modelInfo,
  restoreGood() {
    check(M._gpw_run_restore(s), 'Returning to the last good state');
      w.label = -1;
    showModel();
    const st = json(M._gpw_run_json(s));
    return { step: st.step };
  },
  // The engine's memory (bytes of wasm memory) and the run's records, for scripts/soak.mjs.
  memory() {
    const h = json(M._gpw_run_history_json(s));
    return { wasm: M.HEAPU8.buffer.byteLength, points: h.points.length / tables.run.point_columns.length, snapshots: h.timeline.length };
  },
  // Where the time went since Start (ms): the engine's (training, snapshots,
  // FD, keeping) and the page's drawing and saving.
  timing() {
    const t = json(M._gpw_run_timing_json(s));
    const busy = t.train + t.snapshot + t.measure + t.keep + w.spent.grid + w.spent.realfake + w.spent.save;
    return { ...t, ...w.spent, idle: t.wall - busy };
  },
  poison: () => check(M._gpw_test_poison(s), 'Poison'),
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

// Autosave and resume, Explore, editing, the 2-D mode's, provenance's and the units' requests, in their own files.
importScripts('worker-store.js', 'worker-explore.js', 'worker-edit.js', 'worker-2d.js', 'worker-provenance.js', 'worker-units.js');

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
