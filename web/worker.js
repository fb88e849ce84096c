// worker.js: runs the wasm engine and the training loop off the main thread.
//
// Page -> worker: {type: 'init', build: 'auto'|'portable', seed},
//                 {type: 'start'}, {type: 'pause'}, {type: 'step'}
// Worker -> page: {type: 'status', text}, {type: 'ready', build, seed},
//                 {type: 'stats', stats, losses, stepsPerSec, running},
//                 {type: 'grid', width, height, pixels}, {type: 'error', message}
'use strict';

// The smallest module using a v128 instruction (i32.const 0; i8x16.splat):
// it validates only where wasm SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
]);

const CHUNK_MS = 40; // training time per loop turn, so messages are handled promptly
const GRID_MS = 250; // how often the sample grid is redrawn while training

let M = null; // the Emscripten module
let s = 0; // the gp_session pointer
let ready = false; // a model exists and the dataset is loaded
let running = false;
let lastGrid = 0;
let lastChunkEnd = 0;
let rate = 0; // steps/s, smoothed

// Loop turns go through a MessageChannel: unlike setTimeout it is not
// clamped, and page messages still get their turn in between.
const loopChannel = new MessageChannel();
loopChannel.port1.onmessage = tick;

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

// Throws the session's message if a gpw call returned a nonzero status.
function check(rc, what) {
  if (rc !== 0) throw new Error(`${what} failed: ${M.UTF8ToString(M._gpw_error(s))} (status ${rc}).`);
}

function withString(str, fn) {
  const n = M.lengthBytesUTF8(str) + 1;
  const p = M._malloc(n);
  try {
    M.stringToUTF8(str, p, n);
    return fn(p);
  } finally {
    M._free(p);
  }
}

// Heap views are read afresh each time: memory may have grown.
function readStats() {
  const p = M._gpw_stats(s) >> 3;
  return Array.from(M.HEAPF64.subarray(p, p + 6));
}

function postStats(losses) {
  const buf = new Float32Array(losses);
  post({ type: 'stats', stats: readStats(), losses: buf, stepsPerSec: running ? rate : 0, running }, [buf.buffer]);
}

function postGrid() {
  check(M._gpw_render_fixed(s, 64, 8), 'Drawing the samples');
  const w = M._gpw_rgba_width(s), h = M._gpw_rgba_height(s), p = M._gpw_rgba(s);
  const pixels = M.HEAPU8.slice(p, p + w * h * 4);
  post({ type: 'grid', width: w, height: h, pixels: pixels.buffer }, [pixels.buffer]);
  lastGrid = performance.now();
}

// One training step; appends its D and G losses to losses.
function trainOne(losses) {
  check(M._gpw_train(s, 1), 'Training');
  const p = (M._gpw_stats(s) >> 3) + 2;
  losses.push(M.HEAPF64[p], M.HEAPF64[p + 1]);
}

function tick() {
  if (!running) return;
  const losses = [];
  const t0 = performance.now();
  try {
    do trainOne(losses);
    while (performance.now() - t0 < CHUNK_MS);
  } catch (e) {
    running = false;
    postStats(losses);
    return fail(e);
  }
  const now = performance.now();
  const inst = losses.length / 2 / ((now - lastChunkEnd) / 1000);
  rate = rate ? 0.8 * rate + 0.2 * inst : inst;
  lastChunkEnd = now;
  postStats(losses);
  if (now - lastGrid >= GRID_MS) postGrid();
  loopChannel.port2.postMessage(null);
}

async function init({ build, seed }) {
  const simd = build !== 'portable' && WebAssembly.validate(SIMD_PROBE);
  const name = simd ? 'simd' : 'portable';
  post({ type: 'status', text: 'Loading the engine…' });
  try {
    importScripts(simd ? 'ganplay-simd.js' : 'ganplay.js');
    M = await createGanplay();
  } catch (e) {
    const why = String((e && e.message) || e).replace(/\s*Build with -s ASSERTIONS=1.*$/, '');
    throw new Error(`The ${name} WebAssembly build failed to load: ${why}`);
  }
  post({ type: 'status', text: 'Loading the MNIST digits…' });
  const res = await fetch('data/mnist.bin');
  if (!res.ok) throw new Error(`Could not load the digits from data/mnist.bin (HTTP ${res.status}).`);
  const bytes = new Uint8Array(await res.arrayBuffer());

  s = M._gpw_new();
  if (!s) throw new Error('Out of memory creating a session.');
  const p = M._gpw_alloc(bytes.length);
  if (!p) throw new Error('Out of memory for the dataset.');
  M.HEAPU8.set(bytes, p);
  try {
    check(M._gpw_load_dataset(s, p, bytes.length), 'Loading the dataset');
  } finally {
    M._gpw_free(p); // the session keeps its own copy
  }
  withString('mlp', (k) => check(M._gpw_config_default(s, k), 'Choosing the preset'));
  withString('seed', (k) => check(M._gpw_config_set(s, k, seed), 'Setting the seed'));
  check(M._gpw_create(s), 'Creating the model');
  postStats([]);
  postGrid();
  ready = true;
  post({ type: 'ready', build: name, seed });
}

function fail(e) {
  post({ type: 'error', message: (e && e.message) || String(e) });
}

const handlers = {
  init,
  start() {
    if (running || !ready) return;
    running = true;
    rate = 0;
    lastChunkEnd = performance.now();
    loopChannel.port2.postMessage(null);
  },
  pause() {
    if (!running) return;
    running = false;
    postStats([]);
    postGrid();
  },
  step() {
    if (running || !ready) return;
    const losses = [];
    trainOne(losses);
    postStats(losses);
    postGrid();
  },
};

self.onmessage = async (e) => {
  try {
    await handlers[e.data.type](e.data);
  } catch (err) {
    fail(err);
  }
};
