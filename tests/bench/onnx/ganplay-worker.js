// ganplay-worker.js: ganplay's page engine (a threaded build) samples 64
// images of a model file, timed with timing.js. Task {variant: 'threads' |
// 'threads-relaxed', threads, model (URL of a .gpm)}; answers {ms, info} or {error}.
'use strict';
importScripts('timing.js');

self.onmessage = async (e) => {
  const { variant, threads, model } = e.data;
  try {
    if (threads > 1 && !self.crossOriginIsolated) throw new Error('the page is not cross-origin isolated: no threads');
    const file = `ganplay-${variant}.js`;
    importScripts(file);
    const M = await createGanplay({ gpPoolSize: Math.max(1, threads - 1), mainScriptUrlOrBlob: new URL(file, self.location.href).href });
    const s = M._gpw_new();
    const check = (rc, what) => {
      if (rc !== 0) throw new Error(`${what}: ${M.UTF8ToString(M._gpw_error(s))} (status ${rc})`);
    };
    const got = M._gpw_set_threads(s, threads);
    const res = await fetch(model);
    if (!res.ok) throw new Error(`${model}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const p = M._gpw_alloc(bytes.length);
    M.HEAPU8.set(bytes, p);
    check(M._gpw_load_model(s, p, bytes.length), `loading ${model}`);
    M._gpw_free(p);
    const n = 64 * M._gpw_image_size(s);
    const out = M._gpw_alloc(n * 4);
    const ms = await sample64Ms(() => check(M._gpw_sample(s, 7, 64, out, n), 'sampling'));
    self.postMessage({ ms, info: { kernels: M._gpw_simd() ? 'simd128' : 'portable', threads: got } });
  } catch (err) {
    self.postMessage({ error: String((err && err.message) || err) });
  }
};
