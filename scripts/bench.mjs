// Runs the benchmark builds one after another on this machine and prints one
// table: GEMM GFLOP/s per product and the GANs' training and sampling speed
// (W1 the seed GAN, W2 the DCGAN on 28x28 grey, W3 the conditional DCGAN on
// 32x32 colour images of 9 classes),
// natively and in wasm under node (SIMD, SIMD with fused multiply-add, and
// portable), on one thread and on two, and the scaling from the second.
// Figures are printed, not asserted.
// usage: node scripts/bench.mjs   (after make build/bench build/node/bench-*.js)
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

const results = {};
for (const [name, cmd, args, threads] of runs) {
  process.stderr.write(`running ${name} ...\n`);
  results[name] = JSON.parse(execFileSync(cmd, [...args, '--json', '--threads', String(threads), data], { encoding: 'utf8' }));
}

fs.writeFileSync('build/bench-native.json', JSON.stringify(results, null, 2) + '\n'); // for bench-summary.mjs
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
