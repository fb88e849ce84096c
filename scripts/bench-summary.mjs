// The benchmark's summary: PyTorch's CPU backend (Debian's python3-torch, an
// optional dev-only peer: skipped with a message when absent) on the same
// two workloads with one thread and with every core, next to ganplay
// natively, in wasm under node and in headless Chromium, and TF.js; prints
// the ratios to PyTorch and writes build/bench-summary.json, a list of rows
// {engine, where, threads, workload, steps_per_s, sample64_ms} (null for
// what failed). Figures are printed, not asserted.
// usage: node scripts/bench-summary.mjs   (after scripts/bench.mjs and
// scripts/bench-browser.mjs, which write build/bench-native.json and
// build/bench-browser.json)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.join(ROOT, 'build');
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-torch lives
const read = (f) => (fs.existsSync(path.join(BUILD, f)) ? JSON.parse(fs.readFileSync(path.join(BUILD, f), 'utf8')) : null);
const rows = [];
const num = (v) => (Number.isFinite(v) ? v : null);

// ganplay natively and under node (one thread: no threaded build yet)
const native = read('bench-native.json');
if (native) {
  for (const [name, engine, where] of [['native', 'ganplay-simd', 'native'], ['wasm SIMD', 'ganplay-simd', 'node'],
    ['wasm portable', 'ganplay-portable', 'node']]) {
    const r = native[name];
    for (const w of ['mlp', 'dcgan'])
      rows.push({ engine, where, threads: 1, workload: w, steps_per_s: num(r?.[`${w}_steps_per_s`]), sample64_ms: num(r?.[`${w}_sample64_ms`]) });
  }
} else console.log('bench-summary: build/bench-native.json is missing (run scripts/bench.mjs first)');

// in headless Chromium: ganplay and TF.js
const browser = read('bench-browser.json');
if (browser) {
  const ENGINES = { 'ganplay:simd': 'ganplay-simd', 'ganplay:portable': 'ganplay-portable', 'tfjs:wasm': 'tfjs-wasm', 'tfjs:cpu': 'tfjs-cpu' };
  for (const r of browser.results) {
    const engine = ENGINES[`${r.engine}:${r.variant}`];
    if (!engine) continue;
    const ok = !r.error && r.available !== false;
    rows.push({ engine, where: 'chromium', threads: 1, workload: r.model, steps_per_s: ok ? num(r.train?.stepsPerSec) : null,
      sample64_ms: ok ? num(r.sample?.ms) : null });
  }
} else console.log('bench-summary: build/bench-browser.json is missing (run scripts/bench-browser.mjs first)');

// PyTorch, one thread and every core, each in its own process
let torchInfo = null;
try {
  execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  for (const threads of [...new Set([1, os.cpus().length])]) {
    process.stderr.write(`running PyTorch with ${threads} thread(s) ...\n`);
    const out = JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'scripts/bench_torch.py'), String(threads)], { encoding: 'utf8' }));
    rows.push(...out.rows);
    torchInfo = { torch: out.torch, blas: out.blas, gemm1: threads === 1 ? out.gemm_gflops : torchInfo?.gemm1 };
  }
} catch (e) {
  console.log(`bench-summary: PyTorch skipped (${PYTHON} has no torch: apt-get install python3-torch libopenblas0-pthread): ` +
    `${String(e.message).split('\n')[0]}`);
}

fs.writeFileSync(path.join(BUILD, 'bench-summary.json'), JSON.stringify(rows, null, 2) + '\n');

// ganplay against PyTorch: > 1 means ganplay is faster
const get = (engine, where, threads, w) => rows.find((r) => r.engine === engine && r.where === where && r.threads === threads && r.workload === w);
const cores = os.cpus().length;
const f = (v, d = 2) => (v === null || v === undefined ? '-' : v.toFixed(d));
console.log(`\nganplay against PyTorch ${torchInfo ? `${torchInfo.torch} (${torchInfo.blas}, GEMM ${torchInfo.gemm1} GFLOP/s ` +
  'on one thread)' : '(not available)'}, ${os.cpus()[0].model.trim()}, load ${os.loadavg()[0].toFixed(1)} on ${cores} cores\n`);
console.log('| measure | ganplay native | ganplay node | ganplay Chromium | PyTorch 1 thread | PyTorch ' + cores + ' threads | ' +
  'Chromium / PyTorch 1 | Chromium / PyTorch ' + cores + ' |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [label, w] of [['seed GAN', 'mlp'], ['DCGAN', 'dcgan']]) {
  for (const [what, key, higher] of [['steps/s', 'steps_per_s', true], ['64 samples (ms)', 'sample64_ms', false]]) {
    const v = [get('ganplay-simd', 'native', 1, w), get('ganplay-simd', 'node', 1, w), get('ganplay-simd', 'chromium', 1, w),
      get('pytorch', 'native', 1, w), get('pytorch', 'native', cores, w)].map((r) => (r ? r[key] : null));
    const ratio = (a, b) => (a && b ? `${(higher ? a / b : b / a).toFixed(2)}x` : '-');
    console.log(`| ${label} ${what} | ${v.slice(0, 5).map((x) => f(x)).join(' | ')} | ${ratio(v[2], v[3])} | ${ratio(v[2], v[4])} |`);
  }
}
console.log(`\n${rows.length} rows in ${path.relative(ROOT, path.join(BUILD, 'bench-summary.json'))}`);
