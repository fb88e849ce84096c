// measure.js: timing helpers shared by the benchmark page and its workers
// (a classic script: its functions become globals of whoever loads it).
'use strict';

const BATCH = 64; // images per training step and per sampling call

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Times fn (one call makes 64 images): a few warm-up calls, then up to
// maxRuns timed calls within maxMs (at least minRuns). Median in ms.
function measureSampling(fn, { warmup = 2, minRuns = 3, maxRuns = 21, maxMs = 2000 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  const t0 = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - t0 < maxMs)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), runs: times.length };
}

// Steps/s and images/s from a training record; when the cap left no timed
// step, the warm-up steps are all there is, and the record says so.
function trainingRate(r) {
  const fromWarmup = r.steps === 0;
  const steps = fromWarmup ? r.warmupSteps : r.steps;
  const ms = fromWarmup ? r.warmupMs : r.ms;
  if (!steps) return null;
  const stepsPerSec = steps / (ms / 1000);
  return { stepsPerSec, imagesPerSec: stepsPerSec * BATCH, fromWarmup };
}

// Runs step() for warm-up (warmupSteps steps, or fewer once warmupMs has
// passed; at least one), then times steps until measureMs has passed. No step
// starts when the last step's duration would carry training past capMs.
// report(record) gets the record every reportMs, so a caller that has to
// stop the work can still use what completed.
function measureTraining(step, { warmupSteps, warmupMs, measureMs, capMs, reportMs = 250 }, report) {
  const r = { warmupSteps: 0, warmupMs: 0, steps: 0, ms: 0 };
  const start = performance.now();
  let last = 0, lastReport = start;
  const fits = () => performance.now() - start + last <= capMs;
  const tick = (t) => {
    last = performance.now() - t;
    if (performance.now() - lastReport >= reportMs) {
      report({ ...r });
      lastReport = performance.now();
    }
  };
  do {
    const t = performance.now();
    step();
    r.warmupSteps++;
    r.warmupMs = performance.now() - start;
    tick(t);
  } while (r.warmupSteps < warmupSteps && r.warmupMs < warmupMs && fits());
  const t1 = performance.now();
  while (r.ms < measureMs && fits()) {
    const t = performance.now();
    step();
    r.steps++;
    r.ms = performance.now() - t1;
    tick(t);
  }
  report({ ...r });
  return { ...r, ...trainingRate(r) };
}

// The message of an error, without Emscripten's build hints.
function errorText(e) {
  return String((e && e.message) || e).replace(/\s*Build with -s ASSERTIONS=1.*$/s, '');
}

// A worker's message loop: run(task, result) fills result, and the worker
// answers with it once, whether run finished or threw.
function answerTasks(run) {
  self.onmessage = async (e) => {
    const result = {};
    try {
      await run(e.data, result);
    } catch (err) {
      result.error = errorText(err);
    }
    self.postMessage({ type: 'done', result });
  };
}
