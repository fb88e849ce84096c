// ganplay-worker.js: measures one ganplay build on one preset, in a worker
// like the playground's. Gets a task {variant: 'threads-relaxed'|'threads'|'relaxed'|'simd'|'portable', model,
// train, sample} (options for measure.js); posts 'train-start' (with the
// result so far), 'progress' and finally 'done' with the result.
'use strict';
importScripts('measure.js');

let M = null; // the Emscripten module
let s = 0; // the gp_session pointer

function check(rc, what) {
  if (rc !== 0) throw new Error(`${what}: ${M.UTF8ToString(M._gpw_error(s))} (status ${rc})`);
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

async function loadDataset() {
  const res = await fetch('data/mnist.bin');
  if (!res.ok) throw new Error(`data/mnist.bin: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const p = M._gpw_alloc(bytes.length);
  M.HEAPU8.set(bytes, p);
  try {
    check(M._gpw_load_dataset(s, p, bytes.length), 'loading the dataset');
  } finally {
    M._gpw_free(p);
  }
}

// Fills result as it goes, so a failure keeps what was measured before it.
async function run(task, result) {
  const file = `ganplay${task.variant === 'portable' ? '' : '-' + task.variant}.js`;
  const threads = task.variant.startsWith('threads') ? Math.min(8, navigator.hardwareConcurrency || 1) : 1;
  if (threads > 1 && !self.crossOriginIsolated) throw new Error('the page is not cross-origin isolated: no threads');
  importScripts(file);
  M = await createGanplay({ gpPoolSize: threads - 1, mainScriptUrlOrBlob: new URL(file, self.location.href).href });
  s = M._gpw_new();
  result.info = { kernels: M._gpw_simd() ? 'simd128' : 'portable', threads: M._gpw_set_threads(s, threads) };
  await loadDataset();

  const rc = withString(task.model, (k) => M._gpw_config_default(s, k, 0));
  if (rc !== 0) {
    result.available = false;
    result.reason = M.UTF8ToString(M._gpw_error(s));
    return;
  }
  // gpw_setting answers JSON, or NULL (0) with the reason in gpw_error
  const set = (key, value) => withString(key, (k) => withString(value, (v) => check(M._gpw_setting(s, k, v) ? 0 : 1, `setting ${key}`)));
  set('seed', '1');
  set('batch', String(BATCH));
  check(M._gpw_create(s), 'creating the model');
  result.available = true;

  const out = M._gpw_alloc(BATCH * M._gpw_image_size(s) * 4);
  let seed = 1;
  result.sample = measureSampling(() => check(M._gpw_sample(s, seed++, BATCH, out, BATCH * M._gpw_image_size(s)), 'sampling'), task.sample);

  self.postMessage({ type: 'train-start', result });
  const report = (train) => self.postMessage({ type: 'progress', train });
  // one whole training step at a time, as the page's "one step" does (gpw_run_step, kind 0)
  let last = 0;
  result.train = measureTraining(() => check((last = M._gpw_run_step(s, 0)) ? 0 : 1, 'training'), task.train, report);
  try {
    const j = JSON.parse(M.UTF8ToString(last));
    const st = j.stats ?? j.turn ?? j;
    result.losses = { d: st.d_loss ?? null, g: st.g_loss ?? null };
  } catch { result.losses = null; }
}

answerTasks(run);
