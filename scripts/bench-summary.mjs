// The benchmark's summary: PyTorch's CPU backend (Debian's python3-torch, an
// optional dev-only peer: skipped with a message when absent) on the same
// three workloads (W1 the seed GAN, W2 the DCGAN, W3 the conditional DCGAN
// on 32x32 colour images) with one thread and with every core, next to ganplay
// natively, in wasm under node and in headless Chromium, and TF.js (and the
// peers another script measured, see mergePeerRows); prints the ratios to
// PyTorch, every row's effective GFLOP/s and its share of the machine's
// measured 128-bit peak, and writes build/bench-summary.json:
//   {machine: {cpu, cores, load, peak128_gflops, peak128_relaxed_gflops, native_peaks},
//    torch: {version, blas, blas_file, gemm_gflops, fair, refused} or null,
//    flops: {WORKLOAD: {per_step, sample64}},
//    rows: [{engine, where, threads, workload, steps_per_s, sample64_ms, gflops, peak_share, sample64_gflops}]}
// (null for what failed or is not known; PyTorch's rows also name their BLAS).
// PyTorch's ratios are refused when its products ran on the reference BLAS
// or on one that is as slow (GEMM under MIN_TORCH_GEMM GFLOP/s on one thread).
// Figures are printed, not asserted.
// usage: node scripts/bench-summary.mjs   (after scripts/bench-peak.mjs,
// scripts/bench.mjs and scripts/bench-browser.mjs, which write
// build/bench-peak.json, build/bench-native.json and build/bench-browser.json)
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
// [label, workload]: W1, W2, W3
const WORKLOADS = [['seed GAN', 'mlp'], ['DCGAN', 'dcgan'], ['colour cDCGAN 32x32x3', 'cdcgan32']];
// below this (GFLOP/s of a 512x1024x1024 product on one thread) PyTorch's BLAS
// is not a fair peer: OpenBLAS does ~100 on the machines of docs/benchmarks.md, the reference BLAS ~3
const MIN_TORCH_GEMM = 20;

// the machine's limit (scripts/bench-peak.mjs)
const peak = read('bench-peak.json');
if (!peak) console.log('bench-summary: build/bench-peak.json is missing (run scripts/bench-peak.mjs first): no peak shares');
const machine = { cpu: peak?.cpu ?? os.cpus()[0]?.model.trim(), cores: os.cpus().length, load: +os.loadavg()[0].toFixed(2),
  peak128_gflops: peak?.peak128_gflops ?? null, peak128_relaxed_gflops: peak?.peak128_relaxed_gflops ?? null,
  native_peaks: peak?.native_peaks ?? null };

// ganplay natively and under node, one thread and two
const native = read('bench-native.json');
if (native) {
  for (const [name, engine, where] of [['native', 'ganplay-simd', 'native'], ['native 2t', 'ganplay-simd', 'native'],
    ['wasm SIMD', 'ganplay-simd', 'node'], ['wasm SIMD 2t', 'ganplay-simd', 'node'], ['wasm FMA', 'ganplay-relaxed', 'node'],
    ['wasm FMA 2t', 'ganplay-relaxed', 'node'], ['wasm portable', 'ganplay-portable', 'node']]) {
    const r = native[name];
    for (const w of WORKLOADS.map((x) => x[1]))
      rows.push({ engine, where, threads: r?.threads ?? (name.endsWith('2t') ? 2 : 1), workload: w,
        steps_per_s: num(r?.[`${w}_steps_per_s`]), sample64_ms: num(r?.[`${w}_sample64_ms`]) });
  }
} else console.log('bench-summary: build/bench-native.json is missing (run scripts/bench.mjs first)');
// FLOPs per step and per 64 samples, counted by the core from the layer shapes
// (the same for every engine that runs the same model)
const flops = Object.fromEntries(WORKLOADS.map(([, w]) => [w, { per_step: num(native?.native?.[`${w}_flops_per_step`]),
  sample64: num(native?.native?.[`${w}_sample64_flops`]) }]));

// in headless Chromium: ganplay and TF.js
const browser = read('bench-browser.json');
if (browser) {
  const ENGINES = { 'ganplay:threads-relaxed': 'ganplay-relaxed', 'ganplay:threads': 'ganplay-simd', 'ganplay:relaxed': 'ganplay-relaxed',
    'ganplay:simd': 'ganplay-simd', 'ganplay:portable': 'ganplay-portable', 'tfjs:wasm': 'tfjs-wasm', 'tfjs:cpu': 'tfjs-cpu' };
  const cores = browser.meta?.cores ?? os.cpus().length;
  for (const r of browser.results) {
    const engine = ENGINES[`${r.engine}:${r.variant}`];
    if (!engine) continue;
    const ok = !r.error && r.available !== false;
    // the threaded builds report their threads; TF.js's wasm backend runs its own pool where it can
    const threads = r.info?.threads ?? (r.variant.startsWith('threads') || (r.variant === 'wasm' && browser.meta?.tfjsWasm?.threads) ? cores : 1);
    rows.push({ engine, where: 'chromium', threads, workload: r.model, steps_per_s: ok ? num(r.train?.stepsPerSec) : null,
      sample64_ms: ok ? num(r.sample?.ms) : null });
  }
} else console.log('bench-summary: build/bench-browser.json is missing (run scripts/bench-browser.mjs first)');

// Peers measured by other scripts: rows of the same shape ({engine, where,
// threads, workload, steps_per_s, sample64_ms}, e.g. engine 'onnxruntime-node'
// or 'onnxruntime-web'), as a list or as {rows: [...]}, from these files when
// they exist. A new peer writes its file and joins this list.
const PEER_FILES = ['bench-onnx.json'];
function mergePeerRows(into) {
  for (const file of PEER_FILES) {
    const peer = read(file);
    if (!peer) continue;
    const list = Array.isArray(peer) ? peer : peer.rows;
    if (!Array.isArray(list)) {
      console.log(`bench-summary: build/${file} has no rows: skipped`);
      continue;
    }
    for (const r of list)
      into.push({ engine: String(r.engine), where: String(r.where), threads: r.threads, workload: String(r.workload),
        steps_per_s: num(r.steps_per_s), sample64_ms: num(r.sample64_ms) });
  }
}
mergePeerRows(rows);

// PyTorch, one thread and every core, each in its own process
let torch = null;
try {
  execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  for (const threads of [...new Set([1, os.cpus().length])]) {
    process.stderr.write(`running PyTorch with ${threads} thread(s) ...\n`);
    const out = JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'scripts/bench_torch.py'), String(threads)], { encoding: 'utf8' }));
    rows.push(...out.rows.map((r) => ({ ...r, blas: out.blas })));
    if (threads === 1 || !torch)
      torch = { version: out.torch, blas: out.blas, blas_file: out.blas_file, gemm_gflops: out.gemm_gflops, gemm_threads: threads };
  }
} catch (e) {
  console.log(`bench-summary: PyTorch skipped (${PYTHON} has no torch: sh scripts/install-deps.sh --torch): ` +
    `${String(e.message).split('\n')[0]}`);
}
// a fair peer only: PyTorch's products on OpenBLAS (or a BLAS as fast), not on the reference BLAS
if (torch) {
  torch.fair = torch.blas !== 'reference' && torch.gemm_gflops >= MIN_TORCH_GEMM;
  torch.refused = torch.fair ? null : torch.blas === 'reference'
    ? `PyTorch's products ran on the reference BLAS (${torch.blas_file}), many times slower than OpenBLAS`
    : `PyTorch's BLAS (${torch.blas}, ${torch.blas_file ?? 'file not found'}) ran a 512x1024x1024 product at ` +
      `${torch.gemm_gflops} GFLOP/s on ${torch.gemm_threads} thread(s), under ${MIN_TORCH_GEMM}`;
}

// every row's effective GFLOP/s (FLOPs per step x steps/s) and its share of
// one core's measured 128-bit wasm SIMD peak times its threads
for (const r of rows) {
  const fl = flops[r.workload]?.per_step;
  r.gflops = fl && r.steps_per_s ? +(fl * r.steps_per_s / 1e9).toFixed(2) : null;
  r.peak_share = r.gflops && machine.peak128_gflops && r.threads ? +(r.gflops / (machine.peak128_gflops * r.threads)).toFixed(3) : null;
  const fs64 = flops[r.workload]?.sample64;
  r.sample64_gflops = fs64 && r.sample64_ms ? +(fs64 / r.sample64_ms / 1e6).toFixed(2) : null;
}

fs.writeFileSync(path.join(BUILD, 'bench-summary.json'), JSON.stringify({ machine, torch, flops, rows }, null, 2) + '\n');

// ganplay against PyTorch: > 1 means ganplay is faster
const get = (engine, where, threads, w) => rows.find((r) => r.engine === engine && r.where === where && r.threads === threads && r.workload === w);
const cores = os.cpus().length;
const f = (v, d = 2) => (v === null || v === undefined ? '-' : v.toFixed(d));
const fair = !!torch?.fair;
if (torch && !fair)
  console.log(`\nbench-summary: NO PyTorch ratio is printed: ${torch.refused}, which would make ganplay look several ` +
    'times faster than it is against a real PyTorch install. Fix: `sh scripts/install-deps.sh --torch` (installs ' +
    'libopenblas0-pthread), or point libblas.so.3 at OpenBLAS: `update-alternatives --config libblas.so.3-x86_64-linux-gnu` ' +
    '(the openblas-pthread one; likewise liblapack.so.3). Its rows still go into build/bench-summary.json, with their BLAS named.');
console.log(`\nganplay against PyTorch ${torch ? `${torch.version} (${torch.blas}, GEMM ${torch.gemm_gflops} GFLOP/s ` +
  `on ${torch.gemm_threads} thread(s)${fair ? '' : ': ratios refused'})` : '(not available)'}, ${machine.cpu}, load ` +
  `${os.loadavg()[0].toFixed(1)} on ${cores} cores\n`);
const cols = [['native 1t', 'ganplay-simd', 'native', 1], ['native 2t', 'ganplay-simd', 'native', 2],
  ['node FMA 2t', 'ganplay-relaxed', 'node', 2], ['Chromium SIMD 1t', 'ganplay-simd', 'chromium', 1],
  ['Chromium SIMD 2t', 'ganplay-simd', 'chromium', cores], ['Chromium FMA 1t', 'ganplay-relaxed', 'chromium', 1],
  ['Chromium FMA 2t', 'ganplay-relaxed', 'chromium', cores], ['PyTorch 1t', 'pytorch', 'native', 1],
  ['PyTorch ' + cores + 't', 'pytorch', 'native', cores]];
console.log(`| measure | ${cols.map((c) => c[0]).join(' | ')} | page's engine / PyTorch 1t | / PyTorch ${cores}t | target |`);
console.log(`|---|${cols.map(() => '---:').join('|')}|---:|---:|---|`);
// the targets, against PyTorch (OpenBLAS) on one thread, for the engine the page runs (both cores, FMA)
const TARGETS = { 'mlp steps_per_s': '>= 1.5x', 'dcgan steps_per_s': '>= 1.3x' };
for (const [label, w] of WORKLOADS) {
  for (const [what, key, higher] of [['steps/s', 'steps_per_s', true], ['64 samples (ms)', 'sample64_ms', false]]) {
    const v = cols.map(([, e, where, t]) => get(e, where, t, w)?.[key] ?? null);
    const ratio = (a, b) => (a && b && fair ? `${(higher ? a / b : b / a).toFixed(2)}x` : '-');
    const page = v[6];
    console.log(`| ${label} ${what} | ${v.map((x) => f(x)).join(' | ')} | ${ratio(page, v[7])} | ${ratio(page, v[8])} | ` +
      `${TARGETS[`${w} ${key}`] || ''} |`);
  }
}
// natively and in wasm under node (where every workload runs), at equal threads
if (fair) console.log(`\nsteps/s at equal threads, ganplay / PyTorch (> 1: ganplay is faster):`);
for (const [label, w] of fair ? WORKLOADS : []) {
  const sps = (e, where, t) => get(e, where, t, w)?.steps_per_s;
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : '-');
  console.log(`- ${label}: native ${ratio(sps('ganplay-simd', 'native', 1), sps('pytorch', 'native', 1))} on 1 thread, ` +
    `${ratio(sps('ganplay-simd', 'native', cores), sps('pytorch', 'native', cores))} on ${cores}; wasm under node ` +
    `${ratio(sps('ganplay-simd', 'node', 1), sps('pytorch', 'native', 1))} (SIMD) and ` +
    `${ratio(sps('ganplay-relaxed', 'node', 1), sps('pytorch', 'native', 1))} (FMA) on 1 thread, ` +
    `${ratio(sps('ganplay-relaxed', 'node', cores), sps('pytorch', 'native', cores))} (FMA) on ${cores}`);
}
const scale = (e, where, w) => {
  const one = get(e, where, 1, w)?.steps_per_s, two = get(e, where, cores, w)?.steps_per_s;
  return one && two ? `${(two / one).toFixed(2)}x` : '-';
};
console.log(`\nfrom the second thread (steps/s, ${cores} threads / 1): DCGAN in Chromium ${scale('ganplay-simd', 'chromium', 'dcgan')} ` +
  `(FMA ${scale('ganplay-relaxed', 'chromium', 'dcgan')}; target >= 1.85x), seed GAN ${scale('ganplay-simd', 'chromium', 'mlp')}; ` +
  `natively DCGAN ${scale('ganplay-simd', 'native', 'dcgan')}, under node ${scale('ganplay-simd', 'node', 'dcgan')}; ` +
  `colour cDCGAN in Chromium ${scale('ganplay-relaxed', 'chromium', 'cdcgan32')} (FMA), natively ` +
  `${scale('ganplay-simd', 'native', 'cdcgan32')}`);
// every row against the machine's limit
const fmtPeak = (v) => (v === null || v === undefined ? '-' : `${v} GFLOP/s`);
console.log(`\nEffective GFLOP/s (FLOPs per step x steps/s) and share of the measured 128-bit peak x threads ` +
  `(one core: wasm SIMD ${fmtPeak(machine.peak128_gflops)} mul+add, ${fmtPeak(machine.peak128_relaxed_gflops)} relaxed madd; ` +
  `natively ${machine.native_peaks ? Object.entries(machine.native_peaks).map(([k, v]) => `${k.replace(/_gflops$/, '')} ${fmtPeak(v)}`)
    .join(', ') : '-'})`);
console.log(`FLOPs per step (the products of both nets' passes, counted from the layer shapes): ` +
  WORKLOADS.map(([label, w]) => `${label} ${flops[w].per_step ? (flops[w].per_step / 1e9).toFixed(3) + ' GFLOP' : '-'}`).join(', ') + '\n');
console.log(`| engine | where | threads | ${WORKLOADS.map(([label]) => `${label} GFLOP/s (share)`).join(' | ')} | ` +
  `${WORKLOADS.map(([label]) => `${label} 64 samples GFLOP/s (share)`).join(' | ')} |`);
console.log(`|---|---|---:|${WORKLOADS.map(() => '---:|---:').join('|')}|`);
const share = (g, t) => (g && machine.peak128_gflops && t ? ` (${(100 * g / (machine.peak128_gflops * t)).toFixed(0)}%)` : '');
const engines = [...new Map(rows.map((r) => [`${r.engine}|${r.where}|${r.threads}`, r])).values()];
for (const e of engines) {
  const cells = [...WORKLOADS.map(([, w]) => {
    const r = get(e.engine, e.where, e.threads, w);
    return r?.gflops ? `${r.gflops.toFixed(1)}${share(r.gflops, r.threads)}` : '-';
  }), ...WORKLOADS.map(([, w]) => {
    const r = get(e.engine, e.where, e.threads, w);
    return r?.sample64_gflops ? `${r.sample64_gflops.toFixed(1)}${share(r.sample64_gflops, r.threads)}` : '-';
  })];
  console.log(`| ${e.engine}${e.blas ? ` (${e.blas})` : ''} | ${e.where} | ${e.threads} | ${cells.join(' | ')} |`);
}
const w2 = ['ganplay-relaxed', 'ganplay-simd'].map((e) => get(e, 'chromium', 1, 'dcgan')).filter((r) => r?.peak_share);
if (w2.length)
  console.log(`\nDCGAN in Chromium on one thread: ${w2.map((r) => `${r.engine} ${(100 * r.peak_share).toFixed(0)}%`).join(', ')} ` +
    'of the 128-bit peak (target >= 75%)');

console.log(`\n${rows.length} rows in ${path.relative(ROOT, path.join(BUILD, 'bench-summary.json'))}`);
