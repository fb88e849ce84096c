// tfjs-worker.js: measures TF.js (one backend, one model) in a worker, with
// the same protocol as ganplay-worker.js. Task: {variant: 'wasm'|'cpu',
// model, train, sample}. Real batches come from data/mnist.bin.
'use strict';
importScripts('measure.js', 'tfjs/tf.min.js', 'tfjs/tf-backend-wasm.min.js', 'tfjs-models.js');

// 'GPDS', u32 version, count, h, w, c, then count*h*w*c uint8 pixels and
// count labels. Returns a function giving a random batch in [-1, 1].
async function loadBatches() {
  const res = await fetch('data/mnist.bin');
  if (!res.ok) throw new Error(`data/mnist.bin: HTTP ${res.status}`);
  const buf = await res.arrayBuffer();
  const [, , count, h, w, c] = new Uint32Array(buf, 0, 6);
  const size = h * w * c;
  if (size !== 784) throw new Error(`data/mnist.bin holds ${h}x${w}x${c} images, not 28x28x1`);
  const pixels = new Uint8Array(buf, 24, count * size);
  const batch = new Float32Array(BATCH * size);
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const from = Math.floor(Math.random() * count) * size;
      for (let j = 0; j < size; j++) batch[i * size + j] = pixels[from + j] / 127.5 - 1;
    }
    return batch;
  };
}

// Runs fn and stores its value under key, or the error that stopped it.
function attempt(result, key, fn) {
  try {
    result[key] = fn();
  } catch (e) {
    result[key] = { error: errorText(e) };
  }
}

async function run(task, result) {
  tf.wasm.setWasmPaths(new URL('tfjs/', self.location.href).href);
  if (!(await tf.setBackend(task.variant))) throw new Error(`TF.js backend '${task.variant}' failed to start`);
  await tf.ready();
  const env = tf.env();
  result.info = { tfjs: tf.version.tfjs, backend: tf.getBackend() };
  if (task.variant === 'wasm') {
    result.info.wasmSimd = await env.getAsync('WASM_HAS_SIMD_SUPPORT');
    result.info.wasmThreads = await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  const realBatch = await loadBatches();
  const gan = MODELS[task.model]();
  result.available = true;

  attempt(result, 'sample', () => measureSampling(sampler(gan), task.sample));

  self.postMessage({ type: 'train-start', result });
  const report = (train) => self.postMessage({ type: 'progress', train });
  let losses = null;
  const step = trainer(gan, realBatch);
  attempt(result, 'train', () => measureTraining(() => (losses = step()), task.train, report));
  if (losses) result.losses = { d: losses[0], g: losses[1] };
}

answerTasks(run);
