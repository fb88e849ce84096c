// worker-engine.js: which build of the engine this browser runs, loading
// it, and the few helpers that call it (part of the engine's worker, loaded
// first by worker.js).
//
// The builds, best first: threads (every core the browser offers, up to 8)
// where the page is cross-origin isolated (SharedArrayBuffer); fused
// multiply-add where WebAssembly.validate accepts relaxed SIMD; else
// 128-bit SIMD; else portable. ?build=NAME asks for one (it still needs
// what it needs). A build that fails to load gives way to the next.
'use strict';

let M = null; // the Emscripten module
let s = 0; // the gp_session pointer

// The smallest module using a v128 instruction (i32.const 0; i8x16.splat):
// it validates only where wasm SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
]);

// The smallest module using f32x4.relaxed_madd (three v128.const zeros, then
// 0xfd 0x85 0x02): it validates only where wasm relaxed SIMD is supported.
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
]);

const BUILDS = {
  'threads-relaxed': { file: 'ganplay-threads-relaxed.js', name: 'SIMD with fused multiply-add, threaded', threads: true, relaxed: true },
  threads: { file: 'ganplay-threads.js', name: 'SIMD, threaded', threads: true },
  relaxed: { file: 'ganplay-relaxed.js', name: 'SIMD with fused multiply-add', relaxed: true },
  simd: { file: 'ganplay-simd.js', name: 'SIMD', simd: true },
  portable: { file: 'ganplay.js', name: 'portable' },
};

function pickBuild(asked) {
  const simd = WebAssembly.validate(SIMD_PROBE);
  const relaxed = simd && WebAssembly.validate(RELAXED_PROBE);
  const cores = Math.max(1, Math.min(8, Number(self.navigator && navigator.hardwareConcurrency) || 1));
  const shared = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  const runs = (b) => b === 'portable' || (simd && (!BUILDS[b].relaxed || relaxed) && (!BUILDS[b].threads || shared));
  const names = Object.keys(BUILDS);
  const wanted = BUILDS[asked] && runs(asked) ? [asked] : names;
  // one core: the threaded builds would only add their overhead
  const usable = (b) => runs(b) && (!BUILDS[b].threads || cores > 1 || asked === b);
  const build = wanted.find(usable) || 'portable';
  // if it fails to load, the next builds this browser runs, down to portable
  const order = [build, ...names.filter((b) => b !== build && usable(b) && names.indexOf(b) > names.indexOf(build))];
  return { build, order, threadsOf: (b) => (BUILDS[b].threads ? Math.max(2, cores) : 1), cores, shared, relaxed };
}

// Loads the best build that loads: {M, name, failures, pick}; throws if none does.
async function loadEngine(asked) {
  const pick = pickBuild(asked);
  const failures = [];
  for (const name of pick.order) {
    try {
      const file = BUILDS[name].file;
      importScripts(file);
      // the threaded builds start their pool of workers with the module; they load the same script
      const M = await createGanplay({ print: () => {}, printErr: () => {}, gpPoolSize: pick.threadsOf(name) - 1,
        mainScriptUrlOrBlob: new URL(file, self.location.href).href });
      return { M, name, failures, pick };
    } catch (e) {
      failures.push(`the ${BUILDS[name].name} build: ${String((e && e.message) || e).replace(/\s*Build with -s ASSERTIONS=1.*$/, '')}`);
    }
  }
  throw new Error(`The WebAssembly engine failed to load (${failures.join('; ')}). ` +
    'Reload the page; if that does not help, try another up-to-date browser.');
}

// ---- calling the engine ------------------------------------------------------

const errorText = () => M.UTF8ToString(M._gpw_error(s));

// Throws the session's message if a gpw call returned a nonzero status.
function check(rc, what) {
  if (rc === 0) return;
  if (tables && rc === tables.statuses.nomem)
    throw new Error(`${what}: the browser would not give the engine more memory (${errorText()}). ` +
      'Close other tabs or pick a smaller batch size, then reload the page.');
  throw new Error(`${what}: ${errorText()}`);
}

// An answer of the engine as an object; a call that could not answer (0)
// throws its message.
function answer(p, what) {
  if (!p) throw new Error(`${what}: ${errorText()}`);
  return JSON.parse(M.UTF8ToString(p));
}
const json = (p) => answer(p, 'The engine');

function withString(str, fn) {
  const n = M.lengthBytesUTF8(str) + 1;
  const p = M._malloc(n);
  if (!p) throw new Error('Out of memory.');
  try {
    M.stringToUTF8(str, p, n);
    return fn(p);
  } finally {
    M._free(p);
  }
}

// Copies bytes into wasm memory for the call, then frees them.
function withBytes(bytes, fn) {
  const p = M._gpw_alloc(Math.max(1, bytes.length));
  if (!p) throw new Error(`Out of memory for ${bytes.length} bytes. Close other tabs and reload.`);
  try {
    M.HEAPU8.set(bytes, p);
    return fn(p, bytes.length);
  } finally {
    M._gpw_free(p);
  }
}

// The last render as transferable RGBA.
function takeRgba() {
  const wd = M._gpw_rgba_width(s), ht = M._gpw_rgba_height(s), p = M._gpw_rgba(s);
  const pixels = M.HEAPU8.slice(p, p + wd * ht * 4);
  return { width: wd, height: ht, pixels: pixels.buffer };
}

function probs(n) {
  const p = M._gpw_probs(s) >> 2;
  return Array.from(M.HEAPF32.subarray(p, p + n));
}

