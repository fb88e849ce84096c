// page.mjs: 64 samples of each shipped generator in ONNX Runtime Web (wasm
// SIMD, ?threads=N) and in ganplay's threaded engines (in a worker, N
// threads), one after the other; leaves window.bench = {done, rows, info}
// for scripts/bench-onnx.mjs. The same latents (z/NAME.bin, 64 x latent
// float32) and classes (i mod classes) for ONNX Runtime; ganplay samples its
// own latents of seed 7 (the time does not depend on the values).
import * as ort from './ort/ort.wasm.min.mjs';
import './timing.js';

const threads = Number(new URLSearchParams(location.search).get('threads') || 1);
const bench = (window.bench = { done: false, rows: [], info: {} });
const logEl = document.getElementById('log');
const log = (text) => {
  console.log(`bench: ${text}`);
  logEl.textContent += text + '\n';
};

function ganplay(variant, model) {
  return new Promise((resolve) => {
    const w = new Worker('ganplay-worker.js');
    w.onmessage = (e) => {
      w.terminate();
      resolve(e.data);
    };
    w.onerror = (e) => {
      w.terminate();
      resolve({ error: e.message || 'the worker failed' });
    };
    w.postMessage({ variant, threads, model });
  });
}

async function main() {
  const models = await (await fetch('models.json')).json(); // [{name, workload, latent, classes}]
  ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  bench.info = { crossOriginIsolated: self.crossOriginIsolated, threads, ort: ort.env.versions?.web ?? null };
  for (const m of models) {
    const row = { workload: m.workload, threads };
    try {
      const session = await ort.InferenceSession.create(`onnx/${m.name}.onnx`, { executionProviders: ['wasm'] });
      const z = new Float32Array(await (await fetch(`z/${m.name}.bin`)).arrayBuffer());
      const feeds = { z: new ort.Tensor('float32', z, [64, m.latent]) };
      if (m.classes) {
        const onehot = new Float32Array(64 * m.classes);
        for (let i = 0; i < 64; i++) onehot[i * m.classes + (i % m.classes)] = 1;
        feeds.onehot = new ort.Tensor('float32', onehot, [64, m.classes]);
      }
      row.ort = await sample64Ms(() => session.run(feeds));
      await session.release();
    } catch (e) {
      row.ortError = String((e && e.message) || e);
    }
    for (const variant of ['threads', 'threads-relaxed']) {
      const r = await ganplay(variant, `models/${m.name}.gpm`);
      row[variant] = r.ms ?? null;
      if (r.error) row[`${variant}Error`] = r.error;
      else bench.info.ganplayThreads = r.info.threads;
    }
    log(JSON.stringify(row));
    bench.rows.push(row);
  }
  bench.done = true;
}

main().catch((e) => {
  bench.error = String((e && e.stack) || e);
  bench.done = true;
});
