// bench.js: runs the benchmark tasks one at a time, each in a fresh worker,
// and leaves the results in window.bench ({done, results}) for the driver
// (scripts/bench-browser.mjs) or a person reading the page.
'use strict';

const GANPLAY_TRAIN = { warmupSteps: 5, warmupMs: 1000, measureMs: 4000, capMs: 20000 };
const GANPLAY_SAMPLE = { warmup: 3, maxRuns: 21, maxMs: 2000 };
const TF_TRAIN = {
  wasm: { warmupSteps: 3, warmupMs: 3000, measureMs: 4000, capMs: 20000 },
  cpu: { warmupSteps: 1, warmupMs: 0, measureMs: 20000, capMs: 20000 },
};
const TF_SAMPLE = { warmup: 1, minRuns: 3, maxRuns: 11, maxMs: 3000 };
const HARD_STOP = 1.5; // a worker still training at 1.5 x capMs is stopped
const SETUP_MS = 60000; // loading, building and sampling must end by then

const TASKS = [];
for (const model of ['mlp', 'dcgan']) {
  for (const variant of ['threads-relaxed', 'threads', 'relaxed', 'simd', 'portable'])
    TASKS.push({ engine: 'ganplay', variant, model, train: GANPLAY_TRAIN, sample: GANPLAY_SAMPLE });
  for (const variant of ['wasm', 'cpu'])
    TASKS.push({ engine: 'tfjs', variant, model, train: TF_TRAIN[variant], sample: TF_SAMPLE });
}

const bench = (window.bench = { done: false, results: [] });
const logEl = document.getElementById('log');

function log(text) {
  console.log(`bench: ${text}`);
  logEl.textContent += text + '\n';
}

// A task stopped at the hard limit: what completed before it, if anything.
function stopped(result, progress, ms) {
  const rate = progress && trainingRate(progress);
  const train = rate ? { ...progress, ...rate, stoppedAfterMs: ms } : { timeout: ms };
  return { ...result, train };
}

// Runs one task in its own worker; resolves to the task with its result.
function runTask(task) {
  const worker = new Worker(task.engine === 'ganplay' ? 'ganplay-worker.js' : 'tfjs-worker.js');
  return new Promise((resolve) => {
    let partial = {}, progress = null;
    const finish = (result) => {
      clearTimeout(timer);
      worker.terminate();
      resolve({ engine: task.engine, variant: task.variant, model: task.model, ...result });
    };
    let timer = setTimeout(() => finish({ ...partial, error: `setup took over ${SETUP_MS / 1000} s` }), SETUP_MS);
    worker.onmessage = ({ data: m }) => {
      if (m.type === 'train-start') {
        partial = m.result;
        const ms = task.train.capMs * HARD_STOP;
        clearTimeout(timer);
        timer = setTimeout(() => finish(stopped(partial, progress, ms)), ms);
      } else if (m.type === 'progress') progress = m.train;
      else if (m.type === 'done') finish(m.result);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish({ ...partial, error: e.message || 'the worker failed to load' });
    };
    worker.postMessage(task);
  });
}

function summary(r) {
  const name = `${r.engine} ${r.variant} ${r.model}`;
  if (r.error) return `${name}: error: ${r.error}`;
  if (r.available === false) return `${name}: not available (${r.reason})`;
  const t = r.train || {};
  const train = t.stepsPerSec ? `${t.stepsPerSec.toFixed(2)} steps/s` : t.error ? `train fails: ${t.error}` : `no step in ${t.timeout / 1000} s`;
  const s = r.sample || {};
  const sample = s.ms !== undefined ? `64 samples ${s.ms.toFixed(2)} ms` : `sampling fails: ${s.error}`;
  return `${name}: ${train}, ${sample}`;
}

async function main() {
  const t0 = performance.now();
  for (const task of TASKS) {
    log(`running ${task.engine} ${task.variant} ${task.model} ...`);
    const r = await runTask(task);
    bench.results.push(r);
    log(summary(r));
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  bench.done = true;
}

main();
