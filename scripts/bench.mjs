// Runs the benchmark builds one after another on this machine and prints one
// table: GEMM GFLOP/s per product and the GANs' training and sampling speed
// (W1 the seed GAN, W2 the DCGAN on 28x28 grey, W3 the conditional DCGAN on
// 32x32 colour images of 9 classes),
// natively and in wasm under node (SIMD, SIMD with fused multiply-add, and
// portable), on one thread and on two, and the scaling from the second; the
// FLOPs of a step, the effective GFLOP/s and its share of the machine's
// 128-bit peak (build/bench-peak.json, from scripts/bench-peak.mjs), and the
// DCGAN step layer by layer.
// Figures are printed, not asserted.
// usage: node scripts/bench.mjs [--print]   (after make build/bench build/node/bench-*.js)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const data = 'build/data/mnist.bin';
const NODE = ['--no-experimental-fetch'];
const RELAXED = [...NODE, '--experimental-wasm-relaxed-simd'];
// [name, command, args, threads]; the names are what bench-summary.mjs reads
const runs = [
  ['native', 'build/bench', [], 1],
  ['native 2t', 'build/bench', [], 2],
  ['wasm SIMD', 'node', [...NODE, 'build/node/bench-threads.js'], 1],
  ['wasm SIMD 2t', 'node', [...NODE, 'build/node/bench-threads.js'], 2],
  ['wasm FMA', 'node', [...RELAXED, 'build/node/bench-threads-relaxed.js'], 1],
  ['wasm FMA 2t', 'node', [...RELAXED, 'build/node/bench-threads-relaxed.js'], 2],
  ['wasm portable', 'node', [...NODE, 'build/node/bench-portable.js'], 1],
];

// --print: the tables of the last run again (build/bench-native.json), without running
const reprint = process.argv.includes('--print');
const results = reprint ? JSON.parse(fs.readFileSync('build/bench-native.json', 'utf8')) : {};
for (const [name, cmd, args, threads] of reprint ? [] : runs) {
  process.stderr.write(`running ${name} ...\n`);
  results[name] = JSON.parse(execFileSync(cmd, [...args, '--json', '--threads', String(threads), data], { encoding: 'utf8' }));
}

if (!reprint) fs.writeFileSync('build/bench-native.json', JSON.stringify(results, null, 2) + '\n'); // for bench-summary.mjs
const names = runs.map((r) => r[0]);
const pad = (s, n) => String(s).padStart(n);
const row = (cells) => '| ' + cells.join(' | ') + ' |';
console.log('\nGEMM GFLOP/s (fwd: X W^T, dx: dY W, dw: dY^T X; M x K x N)\n');
console.log(row(['product'.padEnd(19), ...names.map((n) => pad(n, 13)), pad('SIMD / portable', 15)]));
console.log(row(['-'.repeat(19), ...names.map(() => '-'.repeat(13)), '-'.repeat(15)]));
results.native.gemm.forEach((g, i) => {
  const v = names.map((n) => results[n].gemm[i].gflops);
  console.log(row([g.shape.padEnd(19), ...v.map((x) => pad(x.toFixed(1), 13)), pad((v[2] / v[6]).toFixed(2) + 'x', 15)]));
});
console.log('\nTraining (batch 64) and sampling\n');
console.log(row(['measure'.padEnd(24), ...names.map((n) => pad(n, 13))]));
console.log(row(['-'.repeat(24), ...names.map(() => '-'.repeat(13))]));
const m = (label, key, digits) =>
  console.log(row([label.padEnd(24), ...names.map((n) => pad(results[n][key].toFixed(digits), 13))]));
m('seed GAN steps/s', 'mlp_steps_per_s', 1);
m('seed GAN images/s', 'mlp_images_per_s', 0);
m('seed GAN 64 samples (ms)', 'mlp_sample64_ms', 2);
m('DCGAN steps/s', 'dcgan_steps_per_s', 2);
m('DCGAN images/s', 'dcgan_images_per_s', 0);
m('DCGAN 64 samples (ms)', 'dcgan_sample64_ms', 2);
m('colour cDCGAN steps/s', 'cdcgan32_steps_per_s', 2);
m('colour cDCGAN images/s', 'cdcgan32_images_per_s', 0);
m('colour cDCGAN 64 s. (ms)', 'cdcgan32_sample64_ms', 2);
m('2-D GAN rounds/s', 'rounds_per_s_2d', 0);
m('2-D frame, engine (ms)', 'frame_ms_2d', 2);
// FLOPs per step (the products of both nets' passes, from the layer shapes:
// the same for every engine) and what each engine makes of them
const peak = fs.existsSync('build/bench-peak.json') ? JSON.parse(fs.readFileSync('build/bench-peak.json', 'utf8')) : null;
// a run's limit per thread: the native build's own for the GEMM tile it ran (256-bit AVX2 FMA for
// the avx2-fma and avx512vl-fma tiles, which are 256-bit; SSE 128-bit mul + add for sse2) or wasm's 128-bit peak
const nativeLimit = (k) => (/fma/.test(k ?? '') ? peak?.native_peaks?.avx2_fma_gflops : peak?.native_peaks?.sse128_muladd_gflops);
const limit = (n) => (n.startsWith('native') ? nativeLimit(results[n]?.kernels) : peak?.peak128_gflops);
console.log('\nEffective GFLOP/s (FLOPs per step x steps/s, the FLOPs of both nets\' products counted from the layer shapes)' +
  (peak?.peak128_gflops ? `, and their share of one core's measured peak times the threads: wasm 128-bit SIMD ` +
  `${peak.peak128_gflops} GFLOP/s, natively (tile ${results.native?.kernels ?? '-'}) ` +
  `${nativeLimit(results.native?.kernels) ?? '-'} GFLOP/s\n` : '\n'));
console.log(row(['measure'.padEnd(24), ...names.map((n) => pad(n, 13))]));
console.log(row(['-'.repeat(24), ...names.map(() => '-'.repeat(13))]));
for (const [label, w] of [['W1 seed GAN', 'mlp'], ['W2 DCGAN', 'dcgan'], ['W3 cDCGAN', 'cdcgan32']]) {
  const cell = (n, key, f) => pad(Number.isFinite(results[n][`${w}_${key}`]) ? f(results[n][`${w}_${key}`], n) : '-', 13);
  console.log(row([`${label} GFLOP/step`.padEnd(24), ...names.map((n) => cell(n, 'flops_per_step', (v) => (v / 1e9).toFixed(3)))]));
  console.log(row([`${label} GFLOP/s`.padEnd(24), ...names.map((n) => cell(n, 'gflops', (v) => v.toFixed(1)))]));
  if (peak?.peak128_gflops)
    console.log(row([`${label} % of peak`.padEnd(24), ...names.map((n) => cell(n, 'gflops', (v, n) =>
      (limit(n) ? (100 * v / (limit(n) * results[n].threads)).toFixed(0) + '%' : '-')))]));
  console.log(row([`${label} 64 s. GF/s`.padEnd(24), ...names.map((n) => cell(n, 'sample64_gflops', (v) => v.toFixed(1)))]));
}
// where W2's step goes, layer by layer (one thread: natively and in wasm with FMA)
const prof = (n) => results[n]?.dcgan_profile;
const shown = ['native', 'wasm FMA'].filter((n) => prof(n));
if (shown.length) {
  console.log(`\nDCGAN step by layer and pass, ms per step and share of the step (${shown.join(', ')}; one thread)\n`);
  console.log(row(['net layer'.padEnd(26), 'in -> out'.padEnd(20), ...shown.flatMap((n) => [pad(`${n} fwd`, 13), pad('bwd', 8),
    pad('share', 6), pad('GFLOP/s', 8)])]));
  console.log(row(['-'.repeat(26), '-'.repeat(20), ...shown.flatMap(() => ['-'.repeat(13), '-'.repeat(8), '-'.repeat(6), '-'.repeat(8)])]));
  const base = prof(shown[0]);
  base.layers.forEach((l, i) => {
    const cells = shown.flatMap((n) => {
      const p = prof(n), r = p.layers[i], ms = r.fwd_ms + r.bwd_ms;
      return [pad(r.fwd_ms.toFixed(2), 13), pad(r.bwd_ms.toFixed(2), 8), pad((100 * ms / p.step_ms).toFixed(1) + '%', 6),
        pad(ms > 0 && r.fwd_flops + r.bwd_flops > 0 ? ((r.fwd_flops + r.bwd_flops) / ms / 1e6).toFixed(1) : '', 8)];
    });
    console.log(row([`${l.net} ${String(l.layer).padStart(2)} ${l.kind}`.padEnd(26), `${l.in.join('x')} -> ${l.out.join('x')}`.padEnd(20), ...cells]));
  });
  console.log(row(['rest (losses, Adam, data)'.padEnd(26), ''.padEnd(20), ...shown.flatMap((n) => {
    const p = prof(n), rest = p.step_ms - p.layers.reduce((a, r) => a + r.fwd_ms + r.bwd_ms, 0);
    return [pad(rest.toFixed(2), 13), pad('', 8), pad((100 * rest / p.step_ms).toFixed(1) + '%', 6), pad('', 8)];
  })]));
}
// what the second thread adds (steps/s ratio; for sampling, time ratio)
console.log('\nScaling from the second thread\n');
console.log(row(['measure'.padEnd(24), ...['native', 'wasm SIMD', 'wasm FMA'].map((n) => pad(n, 13))]));
console.log(row(['-'.repeat(24), ...[0, 1, 2].map(() => '-'.repeat(13))]));
for (const [label, key, faster] of [['seed GAN steps/s', 'mlp_steps_per_s', (a, b) => b / a],
  ['seed GAN 64 samples', 'mlp_sample64_ms', (a, b) => a / b], ['DCGAN steps/s', 'dcgan_steps_per_s', (a, b) => b / a],
  ['DCGAN 64 samples', 'dcgan_sample64_ms', (a, b) => a / b], ['colour cDCGAN steps/s', 'cdcgan32_steps_per_s', (a, b) => b / a],
  ['colour cDCGAN 64 samples', 'cdcgan32_sample64_ms', (a, b) => a / b]])
  console.log(row([label.padEnd(24), ...['native', 'wasm SIMD', 'wasm FMA'].map((n) =>
    pad(faster(results[n][key], results[`${n} 2t`][key]).toFixed(2) + 'x', 13))]));
