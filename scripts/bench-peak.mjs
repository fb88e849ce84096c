// The machine's limit, measured by probes of our own: one core's 128-bit
// wasm SIMD peak under node (tests/bench/peak.c: 12 independent f32x4
// chains, mul+add and relaxed madd, 96 FLOPs per loop step) and the native
// build's own (tests/bench/peak_native.c: SSE 128-bit mul+add, and AVX2 /
// AVX-512 FMA where the CPU has them). Each figure is the best of several
// timings, since a shared machine only ever slows a probe down.
// Writes build/bench-peak.json for bench-summary.mjs and prints the figures.
// usage: node --experimental-wasm-relaxed-simd scripts/bench-peak.mjs
//        (after make build/peak/peak.wasm build/peak/peak-native)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.join(ROOT, 'build');
const FLOPS_PER_STEP = 12 * 4 * 2; // chains x lanes x (multiply + add)

// GFLOP/s of one export: calls of n steps for about 0.1 s each, best of `rounds`
function best(fn, rounds = 7) {
  const n = 2_000_000;
  fn(1000, 0.999999, 1e-3); // compile and warm up
  let top = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t;
    do {
      fn(n, 0.999999, 1e-3);
      calls++;
      t = performance.now() - t0;
    } while (t < 100);
    top = Math.max(top, (FLOPS_PER_STEP * n * calls) / (t * 1e6));
  }
  return top;
}

export async function measurePeak() {
  const out = { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.cpus().length, peak128_gflops: null,
    peak128_relaxed_gflops: null, native_peaks: null };
  const wasm = path.join(BUILD, 'peak/peak.wasm');
  if (fs.existsSync(wasm)) {
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasm));
    out.peak128_gflops = +best(instance.exports.peak_muladd).toFixed(1);
    try {
      out.peak128_relaxed_gflops = +best(instance.exports.peak_madd).toFixed(1);
    } catch (e) {
      out.peak128_relaxed_gflops = null; // a node without relaxed SIMD
    }
  } else console.log(`bench-peak: ${path.relative(ROOT, wasm)} is missing (make build/peak/peak.wasm)`);
  const native = path.join(BUILD, 'peak/peak-native');
  if (fs.existsSync(native)) out.native_peaks = JSON.parse(execFileSync(native, { encoding: 'utf8' }));
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const peak = await measurePeak();
  fs.writeFileSync(path.join(BUILD, 'bench-peak.json'), JSON.stringify(peak, null, 2) + '\n');
  const f = (v) => (v === null || v === undefined ? '-' : v.toFixed(1));
  console.log(`the machine's limit, one thread (${peak.cpu}): wasm 128-bit SIMD ${f(peak.peak128_gflops)} GFLOP/s ` +
    `(mul+add), ${f(peak.peak128_relaxed_gflops)} (relaxed madd); natively ` +
    (peak.native_peaks ? Object.entries(peak.native_peaks).map(([k, v]) => `${k} ${f(v)}`).join(', ') : '-'));
}
