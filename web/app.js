// app.js: the page. It only draws and forwards button presses; the training
// itself runs in worker.js. URL options: ?build=portable (skip the SIMD
// build), ?seed=N (the model's seed, default 1).
'use strict';

const $ = (id) => document.getElementById(id);
const ui = {
  error: $('error'), status: $('status'), start: $('start'), pause: $('pause'), step: $('step'),
  grid: $('grid'), chart: $('chart'), build: $('r-build'),
  step_: $('r-step'), rate: $('r-rate'), dLoss: $('r-dloss'), gLoss: $('r-gloss'), dReal: $('r-dreal'), dFake: $('r-dfake'),
};

// Latest numbers, also read by the end-to-end test.
const state = {
  ready: false, running: false, build: null, seed: null,
  step: 0, dStep: 0, dLoss: NaN, gLoss: NaN, dReal: NaN, dFake: NaN, stepsPerSec: 0,
  grids: 0, chartDraws: 0, errors: [],
};
window.ganplay = { state };

// Every step's (D loss, G loss), packed; grows by doubling.
let history = new Float32Array(2 * 4096);
let points = 0;

function appendLosses(pairs) {
  const need = 2 * points + pairs.length;
  if (need > history.length) {
    const bigger = new Float32Array(Math.max(need, 2 * history.length));
    bigger.set(history.subarray(0, 2 * points));
    history = bigger;
  }
  history.set(pairs, 2 * points);
  points += pairs.length / 2;
}

function showError(message) {
  state.errors.push(message);
  const p = document.createElement('p');
  p.textContent = message;
  ui.error.append(p);
  ui.error.hidden = false;
}

function setStatus(text) {
  if (ui.status.textContent !== text) ui.status.textContent = text;
}

// Keeps keyboard focus on a button when the one it was on gets disabled.
function setButtons() {
  const had = document.activeElement;
  ui.start.disabled = !state.ready || state.running;
  ui.pause.disabled = !state.ready || !state.running;
  ui.step.disabled = !state.ready || state.running;
  if (had && had.disabled) (had === ui.start ? ui.pause : ui.start).focus();
}

const fmt = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

function showStats() {
  ui.step_.textContent = String(state.step);
  ui.rate.textContent = state.running && state.stepsPerSec > 0 ? fmt(state.stepsPerSec, 1) : '–';
  if (state.step > 0) {
    ui.dLoss.textContent = fmt(state.dLoss, 3);
    ui.gLoss.textContent = fmt(state.gLoss, 3);
    ui.dReal.textContent = fmt(state.dReal, 3);
    ui.dFake.textContent = fmt(state.dFake, 3);
  }
}

// ---- loss chart ----------------------------------------------------------

// Round tick spacing (1, 2 or 5 times a power of ten) for about n ticks.
function tickStep(range, n) {
  const raw = range / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

let chartQueued = false;
function queueChart() {
  if (!chartQueued) {
    chartQueued = true;
    requestAnimationFrame(drawChart);
  }
}

function drawChart() {
  chartQueued = false;
  const c = ui.chart;
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;
  if (!w || !h) return;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  ctx.fillStyle = color('--chart-bg');
  ctx.fillRect(0, 0, w, h);

  const L = 40, R = 12, T = 12, B = 30; // plot margins, CSS pixels
  const pw = w - L - R, ph = h - T - B;

  // Downsample: average the points into at most one bucket per pixel.
  const buckets = Math.min(points, Math.floor(pw));
  const xs = new Float32Array(buckets), ds = new Float32Array(buckets), gs = new Float32Array(buckets);
  let ymax = 1;
  for (let b = 0; b < buckets; b++) {
    const i0 = Math.floor((b * points) / buckets), i1 = Math.floor(((b + 1) * points) / buckets);
    let d = 0, g = 0;
    for (let i = i0; i < i1; i++) {
      d += history[2 * i];
      g += history[2 * i + 1];
    }
    xs[b] = (i0 + i1 + 1) / 2; // steps count from 1
    ds[b] = d / (i1 - i0);
    gs[b] = g / (i1 - i0);
    if (ds[b] > ymax) ymax = ds[b];
    if (gs[b] > ymax) ymax = gs[b];
  }
  const xmax = Math.max(points, 10);
  const yStep = tickStep(ymax, ph < 150 ? 3 : 5);
  ymax = Math.ceil(ymax / yStep) * yStep;
  const X = (step) => L + (step / xmax) * pw;
  const Y = (v) => T + ph - (Math.min(v, ymax) / ymax) * ph; // NaN and inf stay on the chart

  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.strokeStyle = color('--chart-grid');
  ctx.fillStyle = color('--chart-text');
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let v = 0; v <= ymax + 1e-9; v += yStep) {
    const y = Math.round(Y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(L, y);
    ctx.lineTo(L + pw, y);
    ctx.stroke();
    ctx.fillText(+v.toFixed(6) + '', L - 6, y);
  }
  const xStep = Math.max(1, tickStep(xmax, Math.max(2, Math.floor(pw / 70))));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let v = 0; v <= xmax; v += xStep) ctx.fillText(String(v), X(v), T + ph + 6);
  ctx.textAlign = 'right';
  ctx.fillText('step', L + pw, T + ph + 18);

  ctx.strokeStyle = color('--chart-axis');
  ctx.beginPath();
  ctx.moveTo(L + 0.5, T);
  ctx.lineTo(L + 0.5, T + ph + 0.5);
  ctx.lineTo(L + pw, T + ph + 0.5);
  ctx.stroke();

  if (!buckets && state.ready) {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('Press Start to train', L + pw / 2, T + ph / 2);
  }
  ctx.lineWidth = 1.75;
  ctx.lineJoin = 'round';
  for (const [ys, name] of [[ds, '--d-color'], [gs, '--g-color']]) {
    ctx.strokeStyle = color(name);
    ctx.beginPath();
    for (let b = 0; b < buckets; b++) ctx[b ? 'lineTo' : 'moveTo'](X(xs[b]), Y(ys[b]));
    if (buckets === 1) ctx.lineTo(X(xs[0]) + 2, Y(ys[0]));
    ctx.stroke();
  }
  state.chartDraws++;
}

// ---- worker --------------------------------------------------------------

const onMessage = {
  status(m) {
    setStatus(m.text);
  },
  ready(m) {
    state.ready = true;
    state.build = m.build;
    state.seed = m.seed;
    ui.build.textContent =
      (m.build === 'simd' ? 'WebAssembly SIMD' : 'portable WebAssembly (no SIMD)') + ` · seed ${m.seed}`;
    setStatus('Ready: press Start.');
    setButtons();
    queueChart();
  },
  stats(m) {
    const [step, dStep, dLoss, gLoss, dReal, dFake] = m.stats;
    Object.assign(state, { step, dStep, dLoss, gLoss, dReal, dFake, stepsPerSec: m.stepsPerSec });
    if (m.losses.length) {
      appendLosses(m.losses);
      queueChart();
    }
    if (state.running !== m.running) {
      state.running = m.running;
      setButtons();
    }
    setStatus(m.running ? 'Training…' : state.step ? 'Paused.' : 'Ready: press Start.');
    showStats();
  },
  grid(m) {
    const c = ui.grid;
    if (c.width !== m.width || c.height !== m.height) {
      c.width = m.width;
      c.height = m.height;
    }
    c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(m.pixels), m.width, m.height), 0, 0);
    state.grids++;
  },
  error(m) {
    showError(m.message);
    if (!state.ready) {
      setStatus('Could not start.');
      ui.build.textContent = 'not loaded';
    }
  },
};

function startWorker() {
  if (typeof WebAssembly !== 'object') {
    showError('This browser does not support WebAssembly, which ganplay needs.');
    setStatus('Could not start.');
    return;
  }
  const params = new URLSearchParams(location.search);
  const seed = params.has('seed') ? Number(params.get('seed')) : 1;
  let worker;
  try {
    worker = new Worker('worker.js');
  } catch (e) {
    showError(`Could not start the training worker: ${e.message}. Serve the page over http (e.g. make serve).`);
    setStatus('Could not start.');
    return;
  }
  worker.onmessage = (e) => onMessage[e.data.type](e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    showError(`The training worker failed: ${e.message || 'it could not be loaded'}.`);
    setStatus('Could not start.');
  };
  worker.postMessage({ type: 'init', build: params.get('build') === 'portable' ? 'portable' : 'auto', seed });

  ui.start.onclick = () => worker.postMessage({ type: 'start' });
  ui.pause.onclick = () => worker.postMessage({ type: 'pause' });
  ui.step.onclick = () => worker.postMessage({ type: 'step' });
}

new ResizeObserver(queueChart).observe(ui.chart);
showStats();
startWorker();
