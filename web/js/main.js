// main.js: the page. It wires the sections to the engine's worker and draws
// what the worker sends; all numeric work happens in the engine.
// Address options: ?build=threads-relaxed|threads|relaxed|simd|portable
// (pick the engine build; by default the best this browser runs, see
// worker.js); the hash holds the settings (see settings.js).

import { Engine } from './engine.js';
import { LineChart } from './charts.js';
import { Settings, parseHash } from './settings.js';
import { OwnImages } from './own.js';
import { Explore } from './explore.js';
import { Units } from './units.js';
import { Mode2d } from './mode-2d.js';
import { Edit } from './edit.js';
import { Overview } from './overview.js';
import { $, fmt, setText, drawRgba, download, fieldMessage } from './util.js';
import { t, core, apply, onLang, lang, num, time } from './i18n.js';
import { initLangSwitch, withLang } from './lang-switch.js';

apply(); // the page's static words in its language, before anything else is shown
// Live text: the key's words now, and again after each change of language.
const L = (key, vars) => () => t(key, vars);

// What Start trains on a first visit is a recipe of the engine's settings
// table (first_visit); a link or the preset field gives the preset's own
// defaults.
const FIRST_VISIT = 'first_visit';

// What boot.js asks the engine for, where boot.js did not run.
function bootInit() {
  const hash = parseHash();
  const noise = Number(hash.noise);
  const build = new URLSearchParams(location.search).get('build');
  return {
    build: ['portable', 'simd', 'relaxed', 'threads', 'threads-relaxed'].includes(build) ? build : 'auto',
    noiseSeed: hash.noise !== undefined && Number.isSafeInteger(noise) && noise >= 0 ? noise : 1,
    dataset: ['fashion', 'emoji'].includes(hash.dataset) ? hash.dataset : 'mnist',
  };
}

// Everything the page knows, also read by the end-to-end tests.
const state = {
  ready: false, build: null, threads: 0, score: false, firstGridAt: null, model: null, pending: null, dataset: null,
  running: false, halted: false, step: 0, dStep: 0, dLoss: NaN, gLoss: NaN, dReal: NaN, dFake: NaN,
  stepsPerSec: 0, imagesPerSec: 0, noiseSeed: 1, modelFd: null, grids: 0, snapshots: 0, realScores: null, fakeScores: null,
  fd: [], label: -1, modelCondAcc: null, busy: null, exploreDraws: 0, directionsFound: 0, exploreAsked: 0, exploreAnswered: 0, morphFrames: 0,
  kept: null, saved: null, saveFailed: null, resumable: null, loadAnswers: 0, errors: [], startupDone: false,
};

const engine = new Engine('worker.js', bootInit());
const settings = new Settings(engine);
const explore = new Explore(engine, state);
const units = new Units(engine, state, explore); // what G's units draw, and switching them off
const own = new OwnImages(engine, (d) => onDataset(d)); // the "your own images" panel
const edit = new Edit(engine, state, explore); // editing with the generator
explore.onDirections = (list) => edit.setDirections(list); // Edit moves its result along the same directions
const mode2d = new Mode2d(engine, (h) => history.replaceState(null, '', withLang(h))); // the 2-D mode
const overview = new Overview($('overview-image'), { kind: 'image' }); // the model's parts and tensors' shapes
let manifest = [];
let engineTable = null;
let lossTable = []; // the engine's losses: {name, label, help, probability, notes}
let datasetTable = []; // the engine's shipped datasets: {name, label, fd_label, things, classes, channels, height, width, class_labels}
// What the FD of a dataset is called, and what its classifier knows: the engine's words.
const datasetInfo = (id) => datasetTable.find((d) => d.name === id) || { name: 'own', label: t('dataset.own'), fd_label: 'FD', things: t('dataset.own_things') };
let runTable = null; // the engine's run policy: {speeds, snap_choices, measure_every, ...}
let limits = { model_bytes: 256 << 20 }; // the engine's limits (until it says)
// the engine's numbers, with null (JSON's NaN) back as NaN
const nums = (a) => Float32Array.from(a, (v) => (v === null ? NaN : v));

window.ganplay = {
  state,
  engine,
  mode2d: mode2d.state,
  modes: { mode2d },
  overview: overview.state,
  debug: {
    checksum: () => engine.call('checksum'),
    scoreClass: (label, count) => engine.call('scoreClass', { label, count }),
    modelInfo: () => engine.call('modelInfo'),
    saveNow: () => engine.call('saveNow'),
    savedInfo: () => engine.call('savedInfo'),
    poison: () => engine.call('poison'),
    setFdEvery: (every) => engine.call('setFdEvery', { every }),
    timing: () => engine.call('timing'),
    memory: () => engine.call('memory'),
  },
};

// ---- messages ------------------------------------------------------------------

// message: the engine's words (English: other languages show them in a
// sentence of their own, the English inside lang="en"), or a function giving
// the page's own words in its language.
function showError(message, { restore = false, download = false } = {}) {
  state.errors.push(typeof message === 'function' ? message() : message);
  const p = document.createElement('p');
  englishOr(p, message);
  $('error-list').append(p);
  $('restore-good').hidden = !restore;
  $('error-download').hidden = !download;
  $('error').hidden = false;
}

// A message about the page's state that is not an error, in the same place.
function showNote(message) {
  const p = document.createElement('p');
  p.className = 'note';
  englishOr(p, message);
  $('error-list').append(p);
  $('error').hidden = false;
}

function englishOr(p, message) {
  if (typeof message === 'function') return setText(p, message);
  p.render = () => {
    if (lang() === 'en') return (p.textContent = message);
    const en = document.createElement('span');
    en.lang = 'en';
    en.textContent = message;
    p.replaceChildren(`${t('error.engine')} `, en);
  };
  p.render();
}
onLang(() => $('error-list').querySelectorAll('p').forEach((p) => p.render && p.render()));

function clearErrors() {
  $('error-list').textContent = '';
  $('error').hidden = true;
  $('restore-good').hidden = true;
  $('error-download').hidden = true;
}

// text: a function giving the words in the page's language (statusText, L(key)).
function setStatus(text) {
  setText($('status'), text);
}

// ---- buttons and readouts --------------------------------------------------------

function setButtons() {
  const had = document.activeElement;
  // a control whose request is under way: the others wait, and clicks do not pile up
  const idle = state.ready && !state.running && !state.busy;
  $('start').disabled = !idle || state.halted;
  $('pause').disabled = !state.running || !!state.busy;
  setText($('pause'), L(state.busy === 'pause' ? 'train.pausing' : 'train.pause'));
  setText($('start'), L(state.busy === 'start' ? 'train.starting' : 'train.start'));
  $('reset').disabled = !idle;
  for (const id of ['step', 'd-step', 'g-step']) $(id).disabled = !idle || state.halted;
  $('dl-gen').disabled = !state.model;
  $('dl-state').disabled = !state.model || !state.model.hasD;
  $('dl-png').disabled = !state.grids;
  $('dl-one').disabled = !state.grids;
  $('resume-saved').disabled = !state.resumable || state.running;
  $('forget-saved').disabled = !state.resumable;
  if (had && had.disabled) (had === $('start') ? $('pause') : $('start')).focus();
}

function showStats() {
  setText($('r-step'), String(state.step));
  setText($('r-dstep'), String(state.dStep));
  setText($('r-rate'), state.running && state.stepsPerSec > 0 ? fmt(state.stepsPerSec, 1) : '–');
  setText($('r-images'), state.running && state.imagesPerSec > 0 ? String(Math.round(state.imagesPerSec)) : '–');
  // each value with the step it was computed at: D's at a D step, G's at a G step
  const dDone = state.dStep > 0, gDone = state.step > 0;
  const atD = dDone ? L('train.at_d', { n: state.dAt }) : L('train.no_d_yet'), atG = gDone ? L('train.at_g', { n: state.gAt }) : L('train.no_g_yet');
  setText($('r-dloss'), dDone ? fmt(state.dLoss, 3) : '–');
  setText($('r-dreal'), dDone ? fmt(state.dReal, 3) : '–');
  setText($('r-dfake'), dDone ? fmt(state.dFake, 3) : '–');
  setText($('r-gloss'), gDone ? fmt(state.gLoss, 3) : '–');
  setText($('r-gfake'), gDone ? fmt(state.gFake, 3) : '–');
  for (const id of ['at-dloss', 'at-dreal', 'at-dfake']) setText($(id), atD);
  for (const id of ['at-gloss', 'at-gfake']) setText($(id), atG);
  overview.show({ dStep: state.dStep, gStep: state.step, dLoss: state.dLoss, gLoss: state.gLoss, dReal: state.dReal, dFake: state.dFake });
}

function statusText() {
  if (!state.ready) return t('train.starting');
  if (state.halted) return t('status.halted', { step: state.step });
  if (state.running) return t('status.training', { data: state.dataset ? datasetName(state.dataset) : t('status.the_data') });
  if (!state.model) return '';
  if (!state.model.hasD) return t('status.pretrained');
  return state.step || state.dStep ? t('status.paused', { step: state.step }) : t('status.ready');
}

// ---- charts -------------------------------------------------------------------------

const lossChart = new LineChart($('chart-loss'), {
  width: 5, ymin: null, series: [{ color: '--d-color', column: 1 }, { color: '--g-color', column: 2 }],
});
const dChart = new LineChart($('chart-d'), {
  width: 5, ymin: 0, ymax: 1, ref: 0.5, series: [{ color: '--real-color', column: 3 }, { color: '--fake-color', column: 4 }],
});
const fdChart = new LineChart($('chart-fd'), {
  width: 3, minTop: 10, series: [{ color: '--fd-color', column: 1 }], empty: '',
});
window.ganplay.charts = { lossChart, dChart, fdChart };
window.ganplay.settings = settings; // the engine's tables (settings.table) and the next model's settings (settings.pending)

const saliencyNote = L('watch.saliency_note');
const NO_D_VERDICT = L('watch.no_d_verdict');
const NO_D_SALIENCY = L('watch.no_d_saliency');

// Charts and notes follow the loss of the model on show.
// The notes and labels are the engine's loss table's.
function showLoss(loss) {
  const l = lossTable.find((x) => x.name === loss) || lossTable[0];
  if (!l) return;
  const c = (field) => () => core('loss', l.name, field, l[field]);
  setText($('loss-explain'), c('losses_note'));
  setText($('d-explain'), c('readout_note'));
  const noD = !!state.model && !state.model.hasD;
  setText($('rf-explain'), noD ? NO_D_VERDICT : c('verdict_note'));
  // what D looks at needs a D: the control says why it is off
  const box = $('rf-saliency');
  box.disabled = noD;
  if (noD && box.checked) {
    box.checked = state.saliency = false;
    engine.call('setSaliency', { on: false }).catch(() => {});
  }
  setText($('rf-saliency-explain'), noD ? NO_D_SALIENCY : saliencyNote);
  dChart.setRange(l.probability ? { ymin: 0, ymax: 1, ref: 0.5 } : { ymin: null, ymax: null, ref: 0 });
  setText($('d-real-label'), c('d_real_label'));
  setText($('d-fake-label'), c('d_fake_label'));
  setText($('g-fake-label'), c('g_fake_label'));
}

// ---- timeline ------------------------------------------------------------------------

const snapshots = []; // {step, bitmap}
let lastExplore = 0;
let timelineLive = true;
// Timeline changes run in the order their messages came (making bitmaps is asynchronous).
let timelineQueue = Promise.resolve();
const inOrder = (fn) => (timelineQueue = timelineQueue.then(fn).catch((e) => state.errors.push(String(e))));

// A snapshot the worker kept; `timeline` lists the steps it keeps now (it
// thins the timeline by halves), so the page drops the others.
async function addSnapshot(img) {
  const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(img.pixels), img.width, img.height));
  // the same or an earlier step again (a reload of the model): replace
  while (snapshots.length && snapshots[snapshots.length - 1].step >= img.step) snapshots.pop().bitmap.close();
  snapshots.push({ step: img.step, bitmap });
  if (img.timeline) {
    const keep = new Set(img.timeline);
    for (let i = snapshots.length - 1; i >= 0; i--) if (!keep.has(snapshots[i].step)) snapshots.splice(i, 1)[0].bitmap.close();
  }
  state.snapshots = snapshots.length;
  updateTimeline();
}

// A whole timeline from a model file: replaces the one shown.
async function setTimeline(list) {
  const bitmaps = await Promise.all(list.map((sn) => createImageBitmap(new ImageData(new Uint8ClampedArray(sn.pixels), sn.width, sn.height))));
  snapshots.splice(0).forEach((sn) => sn.bitmap.close());
  list.forEach((sn, i) => snapshots.push({ step: sn.step, bitmap: bitmaps[i] }));
  state.snapshots = snapshots.length;
  timelineLive = true;
  updateTimeline();
}

function updateTimeline() {
  state.snapshotSteps = snapshots.map((sn) => sn.step);
  const slider = $('timeline');
  slider.max = String(Math.max(0, snapshots.length - 1));
  slider.disabled = snapshots.length < 2;
  if (timelineLive) slider.value = slider.max;
  showSnapshot(Number(slider.value));
}

function showSnapshot(i) {
  const sn = snapshots[i];
  const c = $('timeline-grid');
  if (!sn) { /* an empty box says what will come into it */
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--chart-text').trim() || '#888';
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(t('watch.snap_empty_1'), c.width / 2, c.height / 2 - 8);
    ctx.fillText(t('watch.snap_empty_2'), c.width / 2, c.height / 2 + 12);
    setText($('timeline-label'), L('watch.no_snapshots'));
    return;
  }
  if (c.width !== sn.bitmap.width || c.height !== sn.bitmap.height) { // a grid of 32x32 images is larger than one of 28x28
    c.width = sn.bitmap.width;
    c.height = sn.bitmap.height;
  }
  c.getContext('2d').drawImage(sn.bitmap, 0, 0);
  setText($('timeline-label'), L(i === snapshots.length - 1 ? 'watch.step_latest' : 'watch.step', { step: sn.step }));
  state.timelineStep = sn.step;
}

$('timeline').addEventListener('input', (e) => {
  timelineLive = Number(e.target.value) === snapshots.length - 1;
  showSnapshot(Number(e.target.value));
});
$('snap-every').addEventListener('change', (e) => engine.call('setSnapEvery', { every: Number(e.target.value) }));

// ---- real versus generated ------------------------------------------------------------

function makeBadges(id) {
  const box = $(id);
  for (let i = 0; i < 8; i++) {
    const b = document.createElement('span');
    b.className = 'badge';
    b.textContent = '–';
    box.append(b);
  }
  return [...box.children];
}
const badges = { real: makeBadges('real-badges'), fake: makeBadges('fake-badges') };
onLang(() => [...badges.real, ...badges.fake, $('class-hist')].forEach((b) => b.retitle ? b.retitle() : b.relabel && b.relabel()));

function showScored(which, img) {
  if (!img) return;
  drawRgba($(which), img);
  badges[which].forEach((b, i) => {
    const p = img.probs ? img.probs[i] : null;
    const none = p === null || p === undefined; // a generator alone has no D to ask
    b.style.visibility = none ? 'hidden' : '';
    setText(b, none ? '' : p.toFixed(2));
    const prob = !state.model || (lossTable.find((l) => l.name === state.model.loss) || { probability: true }).probability;
    b.retitle = () => (b.title = none ? t('watch.badge_no_d')
      : prob ? t('watch.badge_prob', { p: Math.round(p * 100) }) : t('watch.badge_score', { s: p.toFixed(2) }));
    b.retitle();
  });
  state[which === 'real' ? 'realScores' : 'fakeScores'] = img.probs;
}

$('rf-next').onclick = () => engine.call('realFake', { first: (state.realFirst = (state.realFirst || 0) + 8) });
$('rf-saliency').onchange = () => engine.call('setSaliency', { on: (state.saliency = $('rf-saliency').checked) }).catch((e) => showError(e.message));

// ---- worker events -----------------------------------------------------------------------

engine.on('status', (m) => {
  if (m.startup) state.startupDone = true;
  if (m.text) setStatus(workerText(m.text));
  else setStatus(statusText);
});

engine.on('model', (m) => {
  const other = !state.model || !m.info || state.model.name !== m.info.name || state.model.kind !== m.info.kind;
  if (other) state.modelFd = null; // the digit FD shown belongs to the model before
  state.model = m.info;
  state.pending = m.pending;
  if (m.info) explore.modelChanged(m.info, state.running);
  if (m.pending && JSON.stringify(m.pending) !== JSON.stringify(settings.pending)) settings.show(m.pending);
  showModel();
  setButtons();
});

// The worker's status lines in the page's language.
function workerText(text) {
  const m = /^Loading (.+)…$/.exec(text);
  if (text === 'Loading the engine…') return L('status.loading_engine');
  if (m) return () => t('status.loading', { name: m[1] });
  return text;
}

// A shipped dataset's name in the page's language.
const datasetName = (d) => (d && datasetTable.some((x) => x.name === d.id) ? core('dataset', d.id, 'label', d.name) : d.name);

function showModel() {
  const m = state.model;
  if (!m) return;
  const pick = $('model-pick');
  const idx = manifest.findIndex((x) => x.name === m.name);
  let current = pick.querySelector('option[value="current"]');
  if (idx < 0) {
    if (!current) {
      current = new Option('', 'current');
      pick.add(current, 0);
    }
    current.textContent = m.name;
    pick.value = 'current';
  } else {
    if (current) current.remove();
    pick.value = String(idx);
  }
  m.classLabels = m.classes > 0 ? classLabels(m) : [];
  showCaption();
  showClasses(m);
  edit.setModel(m);
  showLoss(m.loss);
  overview.setModel(m);
  setStatus(statusText);
}

// A model's class names for people: a shipped dataset's whole names (the
// engine's class_labels: "Smileys & Emotion"), else the names its file keeps.
function classLabels(m) {
  const long = datasetInfo(m.dataset).class_labels;
  if (!(long && long.length === m.classNames.length)) return m.classNames;
  return core('dataset', m.dataset, 'class_labels', long.join('|')).split('|');
}

// A conditional model gets a class picker over the grid: all classes (class
// i mod n at place i) or one.
function showClasses(m) {
  const row = $('class-row'), pick = $('class-pick');
  row.hidden = !(m.classes > 0);
  const names = m.classLabels;
  const want = [lang(), ...names].join('|');
  if (pick.dataset.names !== want) {
    pick.textContent = '';
    pick.add(new Option(t('samples.all_classes', { n: m.classes }), '-1'));
    names.forEach((n, i) => pick.add(new Option(n, String(i))));
    pick.dataset.names = want;
  }
  pick.value = String(m.label === undefined ? -1 : m.label);
  state.label = m.label === undefined ? -1 : m.label;
}

$('class-pick').addEventListener('change', () => {
  const label = Number($('class-pick').value);
  settings.extra.class = label >= 0 ? label : undefined;
  settings.updateUrl();
  act(() => engine.call('setClass', { label }));
});

function showCaption() {
  const m = state.model;
  if (!m) return;
  const step = state.step;
  setText($('model-caption'), () => {
    const kind = m.hasD ? t('caption.kind_full', { step }) : t('caption.kind_g', { n: m.step });
    const params = num((m.gParams + m.dParams) / 1e6, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const fd = m.hasD ? (state.fd.length ? state.fd[state.fd.length - 1] : null) : state.modelFd !== null ? [m.step, state.modelFd] : null;
    const cond = m.classes > 0 ? t('caption.cond', { n: m.classes, cond: m.config.cond }) : '';
    const acc = !m.hasD && state.modelCondAcc !== null && state.modelCondAcc !== undefined
      ? t('caption.acc', { p: (100 * state.modelCondAcc).toFixed(1) }) : '';
    const info = datasetInfo(m.dataset);
    const fdText = fd ? t('caption.fd', { fd: core('dataset', m.dataset, 'fd_label', info.fd_label), v: fd[1].toFixed(1), step: fd[0] }) : '';
    const desc = m.description ? t('caption.desc', { desc: modelText(m, 'description') }) : '';
    return desc + t('caption.model', { preset: (m.config.preset || '').toUpperCase(), cond, latent: m.latent, params, kind }) + fdText + acc;
  });
}

// The run's numbers as the engine answered a turn, a step or a history
// (a generator alone is not trained: its file's counters are history).
function takeStats(m) {
  const trainable = !state.model || state.model.hasD;
  const t = trainable ? m : { step: 0, d_step: 0, d_loss: NaN, g_loss: NaN, d_real: NaN, d_fake: NaN, g_fake: NaN };
  const num = (v) => (v === null ? NaN : v);
  // D's values come from the last D step, G's from the last G step: say which
  Object.assign(state, { step: t.step, dStep: t.d_step, dLoss: num(t.d_loss), gLoss: num(t.g_loss), dReal: num(t.d_real),
    dFake: num(t.d_fake), gFake: num(t.g_fake), dAt: t.d_step, gAt: t.step });
}

function setRunning(running, halted) {
  if (state.running === running && state.halted === halted) return;
  state.running = running;
  state.halted = halted;
  setButtons();
  if (state.model) explore.modelChanged({ ...state.model, step: explore.modelStep() }, running, false);
}

// A turn or a step of the engine's run: its numbers, its chart points, its
// FD, and whether it stopped on a non-finite loss.
engine.on('turn', (m) => {
  takeStats(m);
  state.stepsPerSec = m.steps_per_s;
  state.imagesPerSec = m.images_per_s;
  if (m.points.length) {
    const points = nums(m.points);
    lossChart.append(points);
    dChart.append(points);
  }
  if (m.measured) addFd(m.measured);
  if (m.halted && !state.halted) {
    showError(m.good_step >= 0
      ? L('error.halted_good', { message: m.message, step: m.good_step })
      : L('error.halted', { message: m.message }),
    { restore: m.good_step >= 0 });
  }
  setRunning(m.running, m.halted);
  showStats();
  showCaption();
  setStatus(statusText);
});

// The whole history of the model on show (a new model, an opened file, the
// way back to the last good state): the charts start again from it.
engine.on('history', (m) => {
  takeStats(m);
  state.stepsPerSec = state.imagesPerSec = 0;
  lossChart.clear();
  dChart.clear();
  fdChart.clear();
  state.fd = [];
  clearClassHistogram();
  const points = nums(m.points);
  if (points.length) {
    lossChart.append(points);
    dChart.append(points);
  }
  const measures = nums(m.measures);
  for (let i = 0; i < measures.length; i += 3) state.fd.push([measures[i], measures[i + 1]]);
  if (measures.length) fdChart.append(measures);
  if (m.last_measure && m.last_measure.fd !== undefined) showClassHistogram(m.last_measure);
  setRunning(false, false);
  showStats();
  showCaption();
  setStatus(statusText);
});

// An FD the run measured (its chart, the class histogram).
function addFd(m) {
  fdChart.append([m.step, m.fd, NaN]);
  state.fd.push([m.step, m.fd]);
  showClassHistogram(m);
}

engine.on('grid', (m) => {
  drawRgba($('grid'), m);
  if (state.firstGridAt === null) {
    state.firstGridAt = performance.now();
    $('grid-loading').hidden = true;
    setButtons();
  }
  state.grids++;
  state.gridStep = m.step;
  // the explore views follow the model as it trains
  const now = performance.now();
  if (state.ready && now - lastExplore > 700) {
    lastExplore = now;
    explore.refresh();
  }
});

engine.on('snapshot', (m) => inOrder(() => addSnapshot(m)));
engine.on('timeline', (m) => inOrder(() => setTimeline(m.snapshots)));

engine.on('realfake', (m) => {
  showScored('real', m.real);
  showScored('fake', m.fake);
  state.realFakeSaliency = m.saliency; // the images carry D's saliency as heat
  state.realFakeStep = m.step;
  state.realFakes = (state.realFakes || 0) + 1;
});

// The classes the classifier sees in the scored samples: ten bars (a tenth
// each when G covers every class; a few tall bars mean mode collapse).
function showClassHistogram(m) {
  const c = $('class-hist'), ctx = c.getContext('2d');
  const css = (n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim();
  ctx.fillStyle = css('--chart-bg');
  ctx.fillRect(0, 0, c.width, c.height);
  // as many bars as the data has classes (the engine's histogram has room for 10)
  const n = (state.dataset && datasetInfo(state.dataset.id).classes) || m.hist.length, hist = m.hist.slice(0, n);
  const top = Math.max(0.2, ...hist), bw = c.width / n, base = c.height - 12;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'center';
  hist.forEach((h, k) => {
    const bh = (h / top) * (base - 2);
    ctx.fillStyle = css('--fd-color');
    ctx.fillRect(k * bw + 3, base - bh, bw - 6, bh);
    ctx.fillStyle = css('--chart-text');
    ctx.fillText(String(k), k * bw + bw / 2, c.height - 2);
  });
  // the even share, for reference
  ctx.strokeStyle = css('--chart-axis');
  ctx.setLineDash([3, 3]);
  const y = base - (1 / n / top) * (base - 2);
  ctx.beginPath();
  ctx.moveTo(0, y);
  ctx.lineTo(c.width, y);
  ctx.stroke();
  ctx.setLineDash([]);
  state.classHist = hist;
  const ds = state.dataset && state.dataset.id;
  c.relabel = () => {
    const long = ds && datasetInfo(ds).class_labels;
    const names = long && core('dataset', ds, 'class_labels', long.join('|')).split('|');
    c.setAttribute('aria-label', `${t('watch.class_hist.label')}${t('explore.colon')}` +
      hist.map((h, k) => `${names ? names[k] : k} ${(100 * h).toFixed(0)}%`).join(t('settings.list_sep')));
  };
  c.relabel();
  const even = Math.log(n).toFixed(2);
  setText($('fd-latest'), () => {
    $('fd-latest').title = t('watch.fd_latest_title', { even });
    const acc = m.cond_acc === null || m.cond_acc === undefined ? '' : t('watch.fd_latest_acc', { p: (100 * m.cond_acc).toFixed(1) });
    return t('watch.fd_latest', { step: m.step, fd: m.fd.toFixed(1), h: m.entropy.toFixed(2), even, acc });
  });
}

// No class bars until the model on show is measured (a new model, or one
// whose file has no bars).
function clearClassHistogram() {
  const c = $('class-hist');
  c.getContext('2d').clearRect(0, 0, c.width, c.height);
  state.classHist = null;
  $('fd-latest').removeAttribute('title');
  setText($('fd-latest'), L('watch.fd_none', { n: runTable ? runTable.measure_count : '' }));
}

// A pretrained generator's FD, measured when it is shown.
engine.on('fd', (m) => {
  state.modelFd = m.fd;
  state.modelCondAcc = m.cond_acc;
  showModel();
  showClassHistogram({ ...m, step: state.model ? state.model.step : 0 });
});

engine.on('dataset', (m) => onDataset(m));

engine.on('marker', (m) => {
  lossChart.mark(m.x, m.label);
  dChart.mark(m.x, m.label);
  state.markers = (state.markers || 0) + 1;
});

function onDataset(d) {
  state.dataset = d;
  // a person gathering their own images keeps that choice while another
  // dataset (or the classifier) finishes loading behind it
  const gathering = $('dataset').value === 'own' && d.id !== 'own';
  if (!gathering) $('dataset').value = d.id;
  $('own').hidden = !gathering && d.id !== 'own';
  $('fd-figure').hidden = !d.fd;
  // the FD is measured with a classifier of the data on show
  const info = datasetInfo(d.id);
  setText($('fd-title'), () => {
    $('fd-title').title = t('watch.fd_title', { things: core('dataset', info.name, 'things', info.things) });
    return core('dataset', info.name, 'fd_label', info.fd_label);
  });
  if (!gathering) fieldMessage($('dataset'), $('dataset-msg'), L('train.dataset_count', { n: num(d.count), held: num(d.heldOut) }), 'note');
  setStatus(statusText);
}

// The saved trainings, newest first, in the picker of the Keep section.
function showSaved(list) {
  state.savedList = list;
  const pick = $('saved-pick');
  const keep = pick.value;
  pick.textContent = '';
  for (const r of list) pick.add(new Option(t('keep.saved_item', { name: r.name, step: r.step, at: new Date(r.savedAt).toLocaleString(lang()) }), r.id));
  if (!list.length) pick.add(new Option(t('keep.none_yet'), ''));
  if (list.some((r) => r.id === keep)) pick.value = keep;
  pick.disabled = list.length === 0;
  state.resumable = list.length ? list.find((r) => r.id === pick.value) || list[0] : null;
  setButtons();
}

engine.on('saved', (m) => {
  if (!m.ok) {
    setText($('autosave'), m.message);
    // said where it is seen, once until a save works again, with what to do
    if (!state.saveFailed) showError(m.message, { download: true });
    state.saveFailed = m.message;
    return;
  }
  state.saveFailed = null;
  state.saved = m;
  setText($('autosave'), L('keep.saved_at', { step: m.step, at: time(m.savedAt) }));
  showSaved(m.list); // the pick in Keep stays on the run picked there
});

engine.on('resumable', (m) => {
  showSaved(m.list || []);
  if (!m.list || !m.list.length) {
    $('banner').hidden = true;
    return;
  }
  setText($('banner-text'), () => t('frame.banner_text', { name: m.name, step: m.step, at: time(m.savedAt),
    more: m.list.length > 1 ? t('frame.banner_more', { n: m.list.length }) : '' }));
  $('banner').hidden = false;
  setText($('autosave'), L('keep.saved_training', { name: m.name, step: m.step }));
});
$('saved-pick').addEventListener('change', () => showSaved(state.savedList || []));

engine.on('error', (m) => {
  showError(m.message);
  setStatus(state.ready ? statusText : L('status.failed'));
  if (!state.ready) setText($('r-build'), L('train.not_loaded'));
});


// ---- controls ------------------------------------------------------------------------------

async function act(fn) {
  try {
    return await fn();
  } catch (e) {
    showError(e.message);
    return null;
  }
}

// Runs a training control's request; while it is under way the controls
// show it (Pausing…) and further clicks are ignored.
async function control(kind, fn) {
  if (state.busy) return null;
  state.busy = kind;
  setButtons();
  try {
    return await act(fn);
  } finally {
    state.busy = null;
    setButtons();
  }
}

// Whether the training on show has steps a replacement would take off the
// screen: it is saved in this browser first (Keep can resume it), and the
// person is asked. Resolves true to go on.
function confirmReplace(what) {
  const m = state.model;
  if (!m || !m.hasD || !(state.step || state.dStep)) return Promise.resolve(true);
  const dlg = $('confirm');
  setText($('confirm-text'), () => t('frame.confirm_text', { what: what(), name: m.name, step: state.step }));
  dlg.showModal();
  state.confirming = what();
  return new Promise((resolve) => {
    const done = async (ok, first) => {
      $('confirm-yes').onclick = $('confirm-no').onclick = $('confirm-download').onclick = dlg.oncancel = null;
      if (first) await first().catch((e) => showError(e.message));
      dlg.close();
      state.confirming = null;
      if (ok) await engine.call('saveNow').catch(() => {});
      resolve(ok);
    };
    $('confirm-yes').onclick = () => done(true);
    $('confirm-no').onclick = () => done(false);
    dlg.oncancel = (e) => {
      e.preventDefault();
      done(false);
    };
    $('confirm-download').onclick = () => done(true, async () =>
      download(await engine.call('save', { kind: 1 }), `${fileStem()}-training.gpm`));
  });
}

// Training a pretrained generator alone is not possible (it has no D): say
// that what trains is a new model, and where the pretrained one still is.
function noteNewModel() {
  const m = state.model;
  const note = m && !m.hasD
    ? () => t('train.note_new', { preset: (settings.pending && settings.pending.preset || '').toUpperCase(), name: modelText(m, 'name') })
    : '';
  setText($('train-note'), note);
}

// Whether the model on show makes other images than the data on show
// (a digit model with the emoji chosen): Start then needs a new model.
function otherImages() {
  const m = state.model, im = state.dataset && state.dataset.image;
  return !!(m && m.hasD && im && (m.channels !== im.channels || m.height !== im.height || m.width !== im.width));
}

$('start').onclick = () => control('start', async () => {
  clearErrors();
  if (otherImages()) {
    const im = state.dataset.image;
    // the training on show is kept or downloaded first if the person wants
    if (!(await confirmReplace(L(im.channels === 3 ? 'confirm.new_colour' : 'confirm.new_gray',
      { data: datasetName(state.dataset), w: im.width, h: im.height })))) return;
    state.halted = false;
    await engine.call('reset');
  }
  noteNewModel();
  await engine.call('start');
});
$('pause').onclick = () => control('pause', () => engine.call('pause'));
$('reset').onclick = () => control('reset', async () => {
  if (!(await confirmReplace(L('confirm.reset')))) return;
  clearErrors();
  state.halted = false;
  await engine.call('reset');
});
$('step').onclick = () => control('step', () => (noteNewModel(), engine.call('step', { kind: 'full' })));
$('d-step').onclick = () => control('step', () => (noteNewModel(), engine.call('step', { kind: 'd' })));
$('g-step').onclick = () => control('step', () => (noteNewModel(), engine.call('step', { kind: 'g' })));
$('restore-good').onclick = () => act(async () => {
  const r = await engine.call('restoreGood'); // the history and the timeline come back with it
  clearErrors();
  state.halted = false;
  setButtons();
  setStatus(L('status.back_good', { step: r.step }));
});
$('error-dismiss').onclick = () => clearErrors();
$('error-download').onclick = () => act(async () => download(await engine.call('save', { kind: 1 }), `${fileStem()}-training.gpm`));

function speedLabel(v) {
  if (v === 0) return t('train.speed_max');
  return v < 1 ? t('train.speed_slow', { s: 1 / v }) : t(v === 1 ? 'train.speed_one' : 'train.speed_n', { n: v });
}
$('speed').addEventListener('input', (e) => {
  const v = runTable.speeds[Number(e.target.value)];
  setText($('speed-value'), () => speedLabel(v));
  engine.call('setSpeed', { speed: v });
});

$('new-samples').onclick = () => {
  const seed = 1 + Math.floor(Math.random() * 1e6);
  $('noise-seed').value = String(seed);
  setNoiseSeed(seed);
};
$('noise-seed').addEventListener('change', (e) => {
  const v = Number(e.target.value);
  if (!Number.isSafeInteger(v) || v < 0) {
    fieldMessage(e.target, $('noise-seed-msg'), L('samples.seed_refused'));
    return;
  }
  setNoiseSeed(v);
});

function setNoiseSeed(seed) {
  fieldMessage($('noise-seed'), $('noise-seed-msg'), '');
  state.noiseSeed = seed;
  settings.extra.noise = seed;
  settings.updateUrl();
  act(() => engine.call('samples', { seed }));
}

$('model-pick').addEventListener('change', (e) => act(async () => {
  const m = manifest[Number(e.target.value)];
  if (!m) return;
  showModel(); // the picker shows the model on show until another has loaded
  if (!(await confirmReplace(L('confirm.showing', { name: m.name })))) return;
  if (state.running) await engine.call('pause');
  clearErrors();
  state.modelFd = null;
  await engine.call('loadModelUrl', { model: m });
  settings.extra.model = modelKey(m);
  settings.extra.class = undefined;
  const ds = m.dataset;
  if (ds && ds !== state.dataset?.id && ds !== 'own') await changeDataset(ds);
  else settings.updateUrl();
  explore.refresh();
}));

// A pretrained model's name in the address: its file name without .gpm.
const modelKey = (m) => (m.file || m.source || '').replace(/^.*\//, '').replace(/\.gpm$/, '');

// A shipped model's name or description (models.json, from models/*.md) in
// the page's language: core.model.KEY.FIELD; other models' as they are.
function modelText(m, field) {
  const key = modelKey(m);
  return manifest.some((x) => modelKey(x) === key) ? core('model', key, field, m[field]) : m[field];
}

async function changeDataset(id) {
  $('own').hidden = id !== 'own';
  settings.extra.dataset = id === 'own' ? undefined : id;
  settings.updateUrl();
  if (id === 'own') {
    fieldMessage($('dataset'), $('dataset-msg'), L('train.own_add'), 'note');
    return;
  }
  fieldMessage($('dataset'), $('dataset-msg'), L('train.loading'), 'note');
  try {
    await engine.call('loadDataset', { id });
  } catch (e) {
    fieldMessage($('dataset'), $('dataset-msg'), e.message);
    return;
  }
  // the emoji train the shipped emoji generator's recipe (the DCGAN as ACGAN) unless other
  // settings were chosen; leaving them goes back to the first visit's
  const preset = settings.pending && settings.pending.preset;
  if (id === 'emoji' && preset === 'mlp' && !state.emojiRecipe) {
    settings.show(await engine.call('configPreset', { preset: 'dcgan', recipe: 'emoji' }));
    state.emojiRecipe = true;
    setText($('train-note'), L('train.note_emoji'));
  } else if (id !== 'emoji' && state.emojiRecipe && preset === 'dcgan') {
    settings.show(await engine.call('configPreset', { preset: 'mlp', recipe: FIRST_VISIT }));
    state.emojiRecipe = false;
    setText($('train-note'), '');
  }
  settings.updateUrl();
}
$('dataset').addEventListener('change', (e) => changeDataset(e.target.value));

// ---- keep -------------------------------------------------------------------------------------

function fileStem() {
  const m = state.model;
  // a generator alone counts the steps its file records; a training model, its own
  const step = m && !m.hasD ? m.step : state.step;
  return `ganplay-${m && m.config ? m.config.preset : 'model'}-step${step}`;
}

// A canvas (less `inset` pixels of frame on each side) scaled up k times
// with square pixels, as a PNG download carrying its provenance (what made
// it: the engine writes it into the PNG, see web/worker-provenance.js).
// state.pngDownloads counts the downloads offered (what the tests wait on).
function downloadScaled(src, k, name, prov, inset = 0) {
  const w = src.width - 2 * inset, h = src.height - 2 * inset;
  const c = document.createElement('canvas');
  c.width = w * k;
  c.height = h * k;
  const ctx = c.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, inset, inset, w, h, 0, 0, c.width, c.height);
  return act(async () => {
    const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error(t('keep.png_failed'));
    const bytes = await blob.arrayBuffer();
    download(await engine.call('stampPng', { bytes, ...prov }, [bytes]), name, 'image/png');
    state.pngDownloads = (state.pngDownloads || 0) + 1;
  });
}

$('dl-png').onclick = () => {
  const k = Number($('png-scale').value);
  downloadScaled($('grid'), k, `${fileStem()}-seed${state.noiseSeed}-x${k}.png`,
    { seed: state.noiseSeed, index: 0, count: runTable.view_count, what: 'sample' });
};
// the kept sample alone (as steered by the sliders: itself at 0)
$('dl-one').onclick = () => {
  const k = Number($('png-scale').value), { seed, index } = explore.kept[0]; // what the steered view shows
  // the direction sliders moved off 0, by their names
  const directions = {};
  explore.dirs.forEach((d) => {
    if (d && Number(d.value)) directions[d.closest('.dir-row').dataset.name] = Number(d.value);
  });
  downloadScaled($('steered'), k, `${fileStem()}-seed${seed}-sample${index + 1}-x${k}.png`,
    { seed, index, count: 1, directions, what: 'sample' }, 2); // the grid's frame around a single image
};
$('dl-gen').onclick = () => act(async () => download(await engine.call('save', { kind: 0 }), `${fileStem()}-generator.gpm`));
$('dl-state').onclick = () => act(async () => download(await engine.call('save', { kind: 1 }), `${fileStem()}-training.gpm`));

// Opens the model file chosen under Keep; a bad file changes nothing.
async function openModelFile(e) {
  const file = e.target.files[0];
  const msg = $('load-msg');
  if (!file) return;
  if (file.size > limits.model_bytes) {
    fieldMessage(e.target, msg, L('keep.too_large', { name: file.name, mb: (file.size / 1e6).toFixed(0) }));
    e.target.value = ''; // the same file chosen again is read again
    return;
  }
  // a file the engine would refuse is refused before anything is asked
  const bytes = await file.arrayBuffer();
  try {
    await engine.call('checkModelBytes', { bytes });
  } catch (err) {
    fieldMessage(e.target, msg, L('keep.refused', { name: file.name, why: err.message.replace(/^Loading the model: /, '') }));
    e.target.value = '';
    return;
  }
  if (!(await confirmReplace(L('confirm.opening', { name: file.name })))) {
    fieldMessage(e.target, msg, L('keep.not_opened', { name: file.name }), 'note');
    e.target.value = '';
    return;
  }
  fieldMessage(e.target, msg, L('keep.opening', { name: file.name }), 'note');
  const wasRunning = state.running;
  try {
    if (wasRunning) await engine.call('pause');
    const info = await engine.call('loadModelBytes', { bytes, name: file.name }, [bytes]);
    state.modelFd = null;
    // a model of a shipped dataset whose images are not those of the data on show brings its data (emoji, digits)
    const its = datasetTable.find((d) => d.name === info.dataset), now = state.dataset && datasetTable.find((d) => d.name === state.dataset.id);
    if (its && (!now || its.channels !== now.channels || its.height !== now.height)) await changeDataset(its.name);
    // a training state has its discriminator: Start fine-tunes it from where it stopped
    fieldMessage(e.target, msg, L(info.hasD ? 'keep.loaded_state' : 'keep.loaded_g', { name: file.name, step: info.step }), 'note');
    explore.refresh();
  } catch (err) {
    fieldMessage(e.target, msg, L('keep.refused', { name: file.name, why: err.message.replace(/^Loading the model: /, '') }));
    if (wasRunning) engine.call('start');
  }
  e.target.value = '';
}
// (state.loadAnswers counts the files opened, refused or not opened: the tests wait on it)
$('load-file').addEventListener('change', (e) => openModelFile(e).finally(() => state.loadAnswers++));

async function resume() {
  $('banner').hidden = true;
  const id = state.resumable ? state.resumable.id : undefined; // picked before the question's save
  if (!(await confirmReplace(L('confirm.resuming')))) return null;
  return act(async () => {
    if (state.running) await engine.call('pause');
    clearErrors();
    const r = await engine.call('resume', { id });
    if (r.own) own.restore(r.own);
    state.noiseSeed = r.noiseSeed;
    $('noise-seed').value = String(r.noiseSeed);
    state.resumedCopy = r.copy;
    if (r.copy) {
      // the other tab goes on saving the run; this one saves apart
      setText($('autosave'), () => `${t('keep.resumed', { step: r.step })} ${t('keep.copy_note')}`);
      showNote(L('keep.copy_note'));
    } else setText($('autosave'), L('keep.resumed', { step: r.step }));
    explore.refresh();
    return r;
  });
}
$('resume').onclick = resume;
$('resume-saved').onclick = resume;
$('resume-dismiss').onclick = () => ($('banner').hidden = true);
$('forget-saved').onclick = () => act(async () => {
  await engine.call('forgetSaved', { id: state.resumable ? state.resumable.id : undefined });
  $('banner').hidden = true;
  setText($('autosave'), L('keep.forgotten'));
});

settings.onUrl = (u) => ($('share-url').value = u);
initLangSwitch(() => ($('share-url').value = settings.url()));
$('copy-link').onclick = async () => {
  const u = settings.url();
  $('share-url').value = u;
  try {
    await navigator.clipboard.writeText(u);
    setText($('copy-link'), L('keep.copied'));
    setTimeout(() => setText($('copy-link'), L('keep.copy')), 2000);
  } catch {
    $('share-url').select();
  }
};

// Autosave when the page is hidden or left.
const saveOnHide = () => {
  if (state.model && state.model.hasD && (state.step || state.dStep)) engine.call('saveNow').catch(() => {});
};
document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && saveOnHide());
window.addEventListener('pagehide', saveOnHide);

// ---- the two modes ------------------------------------------------------------------------------

// The 2-D mode is what #view=2d, #lesson=NAME and #embed=... open.
const is2dHash = (h) => h.view === '2d' || h.lesson !== undefined || h.embed !== undefined;

async function setView(hash) {
  const in2d = is2dHash(hash);
  document.body.dataset.view = in2d ? '2d' : 'images';
  document.body.classList.toggle('present', in2d && hash.present === '1');
  document.body.classList.toggle('embed', in2d && hash.embed !== undefined);
  for (const id of ['play-2d', 'charts-2d', 'setup-2d', 'lessons-2d']) $(id).hidden = !in2d;
  $('view-images').toggleAttribute('aria-current', !in2d);
  $('view-2d').toggleAttribute('aria-current', in2d);
  if (in2d) $('view-2d').setAttribute('aria-current', 'page');
  else $('view-images').setAttribute('aria-current', 'page');
  if (!in2d) {
    mode2d.close();
    return;
  }
  // one engine: the image training waits while the 2-D game plays
  if (state.running) await control('pause', () => engine.call('pause'));
  await mode2d.open(hash, engineTable);
}

window.addEventListener('hashchange', () => {
  if (state.ready) setView(parseHash());
});

// ---- start --------------------------------------------------------------------------------------

async function main() {
  if (typeof WebAssembly !== 'object') {
    showError(L('error.no_wasm'));
    setStatus(L('status.failed'));
    return;
  }
  const hash = parseHash();
  const init = engine.init;
  state.noiseSeed = init.noiseSeed;
  $('noise-seed').value = String(state.noiseSeed);
  explore.kept = [{ seed: state.noiseSeed, index: 1 }, { seed: state.noiseSeed, index: 0 }];
  $('dataset').value = init.dataset;
  engine.flush();
  let r;
  try {
    r = await engine.started;
  } catch (e) {
    showError(e.message);
    setStatus(L('status.failed'));
    setText($('r-build'), L('train.not_loaded'));
    setText($('grid-loading'), L('samples.engine_failed'));
    return;
  }
  manifest = r.models;
  const pick = $('model-pick');
  manifest.forEach((m, i) => {
    const o = new Option('', String(i));
    setText(o, () => modelText(m, 'name'));
    pick.add(o);
  });
  showModel();
  state.build = r.build;
  state.score = r.score;
  state.classifier = r.classifier; // the digit FD can be measured
  state.threads = r.threads;
  setText($('r-build'), () => engineText(r));
  edit.setDirections([]);
  edit.setDefaults(r.project);
  settings.build(r.table);
  engineTable = r.table;
  lossTable = r.table.losses;
  datasetTable = window.ganplay.datasets = r.datasets; // the tests read it
  runTable = r.run;
  limits = r.limits;
  explore.setLayout(runTable.view_cols, limits.grid_pad);
  own.setLimits(limits);
  $('speed').max = String(runTable.speeds.length - 1);
  $('speed').value = $('speed').max;
  fdChart.empty = t('watch.fd_empty', { n: runTable.measure_every });
  onLang(() => (fdChart.empty = t('watch.fd_empty', { n: runTable.measure_every })));
  state.keepMs = runTable.keep_ms; // the autosave's cadence, the run policy's
  setText($('keep-every'), String(runTable.keep_ms / 1000));
  for (const el of document.querySelectorAll('[data-run]')) setText(el, String(runTable[el.dataset.run]));
  clearClassHistogram();
  const snapOptions = () => [...$('snap-every').options].forEach((o) => (o.textContent = t('watch.snap_option', { n: o.value })));
  for (const n of runTable.snap_choices) $('snap-every').add(new Option('', String(n)));
  snapOptions();
  onLang(snapOptions);
  $('snap-every').value = String(runTable.snap_every);
  showModel();
  // the pretrained model and class the address names
  const linked = hash.model ? manifest.find((m) => modelKey(m) === hash.model) : null;
  if (linked && linked.name !== (state.model && state.model.name)) {
    try {
      await engine.call('loadModelUrl', { model: linked });
    } catch (e) {
      showError(e.message);
    }
  }
  if (linked) settings.extra.model = hash.model;
  if (hash.class !== undefined && state.model && state.model.classes > 0) {
    const label = Number(hash.class);
    if (Number.isInteger(label) && label >= 0 && label < state.model.classes) {
      await engine.call('setClass', { label });
      settings.extra.class = label;
    }
  }
  // settings: the preset's defaults, then what the address asks for
  const preset = hash.preset || 'mlp';
  await settings.loadDefaults('mlp').catch(() => {});
  settings.extra.dataset = hash.dataset ? init.dataset : undefined;
  if (hash.noise !== undefined) settings.extra.noise = state.noiseSeed;
  if (Object.keys(hash).some((k) => k !== 'lang') && !is2dHash(hash)) {
    $('settings-box').open = true;
    const ok = await settings.applyHash({ ...hash, preset });
    if (!ok) showError(L('error.link_refused'));
  } else {
    settings.show(await engine.call('configPreset', { preset: 'mlp', recipe: FIRST_VISIT }));
  }
  $('share-url').value = settings.url();
  state.ready = true;
  setButtons();
  setStatus(statusText);
  explore.refresh();
  if (state.model) explore.modelChanged(state.model, state.running);
  units.refresh();
  registerServiceWorker();
  if (is2dHash(hash)) await setView(hash);
}

// What runs the numbers: the build and its threads, and why only one
// thread where the browser has more cores.
function engineText(r) {
  const kind = r.simd ? t(r.relaxed ? 'engine.simd_fma' : 'engine.simd') : t('engine.portable');
  if (r.threads > 1) return t('engine.threads', { kind, n: r.threads });
  const base = t('engine.one_thread', { kind });
  if (r.cores > 1 && !r.isolated && r.simd) return t('engine.not_isolated', { base, n: r.cores });
  return base;
}

// A page that is not cross-origin isolated cannot run threads. Hosts that
// cannot send the headers get them from the service worker, which adds them
// to every response; the page reloads once when the worker takes over, if
// nothing has been done on it yet (no work is lost to the reload).
let touched = false;
for (const ev of ['pointerdown', 'keydown']) addEventListener(ev, () => (touched = true), { capture: true, once: true });
const RELOADED_KEY = 'ganplay-isolation-reload';

function reloadForThreads() {
  if (self.crossOriginIsolated || touched || state.step > 0 || state.running || !(navigator.hardwareConcurrency > 1)) return;
  try {
    if (sessionStorage.getItem(RELOADED_KEY)) return; // once: isolation did not take; stay single-threaded
    sessionStorage.setItem(RELOADED_KEY, '1');
  } catch {
    return;
  }
  location.reload();
}

// Offline after the first visit: a service worker keeps the site's files.
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
  navigator.serviceWorker.addEventListener('controllerchange', reloadForThreads);
  navigator.serviceWorker.register('sw.js').catch(() => {});
  // then the engine build this browser runs; the rest is kept as it is used
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'kept-build') state.offlineReady = true;
  });
  navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage({ type: 'keep-build', build: state.build }))
    .catch(() => {});
}

onLang(() => {
  if (state.model) showModel();
  if (state.dataset) onDataset(state.dataset);
  if (state.savedList) showSaved(state.savedList);
  showSnapshot(Number($('timeline').value));
  for (const c of [lossChart, dChart, fdChart]) if (c.draw) c.draw();
});

showStats();
showSnapshot(0); // the empty timeline says what it is for
main();
