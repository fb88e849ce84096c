// worker-data.js: what the engine trains on and measures with, part of the
// engine's worker (loaded by worker.js; it shares M, s, w, post, check,
// answer, withString, withBytes): the datasets, the user's own images, the
// classifiers behind the FD, and the list of pretrained models the site has.
'use strict';

// Where the site keeps each shipped dataset; their names, classes and image
// shapes are the engine's (tables.datasets), filled in by useDatasetTable
// once it answers. Each is fetched only when it is chosen.
const DATASET_FILES = { mnist: 'data/mnist.bin.gz', fashion: 'data/fashion.bin.gz', emoji: 'data/emoji32.bin.gz' };
const DATASETS = {};
function useDatasetTable(list) {
  for (const d of list) {
    if (DATASET_FILES[d.name]) DATASETS[d.name] = { file: DATASET_FILES[d.name], name: d.label, classes: d.classes, channels: d.channels };
  }
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
// Its images are the dataset's (the engine's table), the user's gray or in
// colour as they chose (w.ownChannels).
function pendingDataset(id) {
  const classes = DATASETS[id] ? DATASETS[id].classes : 1, channels = DATASETS[id] ? 0 : w.ownChannels;
  if (withString(id, (k) => M._gpw_config_dataset(s, k, classes, channels)) === 0) return;
  withString('cond', (k) => withString('none', (v) => answer(M._gpw_setting(s, k, v), 'Class conditioning')));
  withString(id, (k) => check(M._gpw_config_dataset(s, k, classes, channels), 'Choosing the dataset'));
}

// A change made during a run, marked on the charts at the current update.
function markChange(label) {
  const st = json(M._gpw_run_json(s));
  if (w.model && w.model.kind === 'training' && st.step + st.d_step > 0) post({ type: 'marker', x: st.step + st.d_step, label });
}

function untrained() {
  const st = json(M._gpw_run_json(s));
  return st.step + st.d_step === 0;
}

function setDataset(id, name) {
  pendingDataset(id);
  markChange(`data: ${name}`);
  // the image a new model makes for this data (the pending settings' image: emoji 3x32x32)
  const image = json(M._gpw_config_json(s, 0)).image;
  w.dataset = { id, name, count: M._gpw_dataset_count(s), heldOut: M._gpw_dataset_held_out(s), image };
  w.realFirst = 0;
  w.classifierReady = false;
  post({ type: 'dataset', ...w.dataset, fd: false });
  // an untrained model made for other data is made again for this one: its
  // classes, its name and its FD are this dataset's
  if (w.model && w.model.kind === 'training' && !w.running && untrained()) newModel();
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

// The classifier behind the FD of a dataset, where the site has it.
async function loadClassifier(id) {
  const file = w.classifierFiles[id];
  if (!file) return;
  try {
    if (!w.classifierBytes[id]) w.classifierBytes[id] = await fetchBytes(file, `the ${DATASETS[id].name} classifier`);
    if (!w.dataset || w.dataset.id !== id) return; // another dataset came in the meantime
    withBytes(w.classifierBytes[id], (p, n) => check(M._gpw_load_classifier(s, p, n), 'Loading the classifier'));
    w.classifierReady = true;
    w.classifierFor = id;
    post({ type: 'dataset', ...w.dataset, fd: true });
    postModelFd();
  } catch (e) {
    w.classifierReady = false; // FD is extra: the page works without it
  }
}

// The settings for the next new model: a preset's defaults (and a recipe's
// values), then every row of the engine's table that cfg has, as text.
function setPending(cfg, recipe = '') {
  withString(cfg.preset, (k) => withString(recipe, (r) => check(M._gpw_config_default(s, k, r), 'Choosing the preset')));
  if (w.dataset) pendingDataset(w.dataset.id);
  for (const { name, label } of tables.tables.settings) {
    if (cfg[name] === undefined) continue;
    withString(name, (k) => withString(String(cfg[name]), (v) => answer(M._gpw_setting(s, k, v), label)));
  }
}

// ---- the user's own images ---------------------------------------------------

// own: {rgba, count, h, w, channels}: 1 gray, 3 colour (a save from before
// colour has none: gray).
function ownDataset(own) {
  const { rgba, count, h, w: wd } = own, channels = own.channels === 3 ? 3 : 1;
  withBytes(rgba, (p, n) => check(M._gpw_dataset_from_rgba(s, p, n, count, h, wd, channels), 'Using your images'));
  w.ownImages = { rgba: rgba.slice(), count, h, w: wd, channels };
  w.ownChannels = channels;
  setDataset('own', 'Your images');
  if (w.model) postRealFake();
  return w.dataset;
}

// Images of the user's as the engine trains on them (channels x h x w bytes
// each: gray, or R, G, B planes): the thumbnails show these.
function asTrained({ rgba, count, h, w: wd, channels }) {
  const len = count * channels * h * wd, out = M._gpw_alloc(Math.max(1, len));
  if (!out) throw new Error(`Out of memory for ${len} bytes. Close other tabs and reload.`);
  try {
    withBytes(rgba, (p, n) => check(M._gpw_images_as_trained(s, p, n, count, h, wd, channels, out, len), 'Showing your images'));
    return M.HEAPU8.slice(out, out + len);
  } finally {
    M._gpw_free(out);
  }
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
    for (const [id, file] of Object.entries(list.classifiers)) if (DATASET_FILES[id] && typeof file === 'string') w.classifierFiles[id] = file;
  return Array.isArray(list.models) ? list.models.filter((m) => m && typeof m.file === 'string' && typeof m.name === 'string') : [];
}

// Fetches the first model of the list that the site has.
async function firstModel(models) {
  for (const m of models) {
    try {
      const res = await fetch(m.file);
      if (res.ok) return { bytes: new Uint8Array(await res.arrayBuffer()), meta: m };
    } catch {
      // try the next one
    }
  }
  return null;
}

