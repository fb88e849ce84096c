// The in-browser benchmark: ganplay (every engine build: threaded or not,
// with fused multiply-add or not, portable) against
// TensorFlow.js 4.22 (wasm and cpu backends) in one headless Chromium session
// (Debian's, never a downloaded one). Assembles build/bench-site/ from the
// page in tests/bench/browser/, build/site's engine, the MNIST data and the
// TF.js files from tests/bench/node_modules (its own package: npm ci --prefix
// tests/bench, which make bench runs), serves it on 127.0.0.1, prints a markdown table
// and writes build/bench-browser.json. Figures are printed, not asserted;
// it fails if a request leaves 127.0.0.1 or the console shows an error
// other than a TF.js failure the table reports.
// usage: node scripts/bench-browser.mjs [SITE]   (SITE: the built site to
// take the engine and data from, default build/site; after make site and
// npm ci; plain node: playwright-core needs node's fetch)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromiumVersion, withBenchChromium } from './bench-chromium.mjs';
import { failures, find, table, unexpectedErrors } from './bench-browser-report.mjs';
import { startServerProcess } from './serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.join(ROOT, 'build');
const FROM = path.resolve(process.argv[2] || path.join(BUILD, 'site'));
const SITE = path.join(BUILD, 'bench-site');
// the first of these that exists becomes the page's data/mnist.bin
const DATA = [path.join(FROM, 'data/mnist.bin'), path.join(FROM, 'data/mnist.bin.gz'), path.join(BUILD, 'data/mnist.bin')];
const OUT = path.join(BUILD, 'bench-browser.json'); // build/bench is the native benchmark
const TIMEOUT_MS = 240000;
const t0 = Date.now();

// [from, to (inside SITE)]
function siteFiles() {
  const page = path.join(ROOT, 'tests/bench/browser');
  const tfjs = path.join(ROOT, 'tests/bench/node_modules/@tensorflow/tfjs/dist');
  const tfwasm = path.join(ROOT, 'tests/bench/node_modules/@tensorflow/tfjs-backend-wasm/dist');
  return [
    ...fs.readdirSync(page).map((f) => [path.join(page, f), f]),
    ...fs.readdirSync(FROM).filter((f) => /^ganplay.*\.(js|wasm)$/.test(f)).map((f) => [path.join(FROM, f), f]),
    [path.join(tfjs, 'tf.min.js'), 'tfjs/tf.min.js'],
    ...['tf-backend-wasm.min.js', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => [path.join(tfwasm, f), 'tfjs/' + f]),
  ];
}

function tfjsVersion(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/bench/node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function assemble() {
  for (const pkg of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'])
    if (tfjsVersion(pkg) !== '4.22.0') throw new Error(`${pkg} 4.22.0 is not installed: run npm ci --prefix tests/bench`);
  const files = siteFiles();
  const missing = files.filter(([from]) => !fs.existsSync(from)).map(([from]) => path.relative(ROOT, from));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run make site first`);
  const data = DATA.find((f) => fs.existsSync(f));
  if (!data) throw new Error(`no MNIST data (${DATA.map((f) => path.relative(ROOT, f)).join(', ')}): run make site first`);
  fs.rmSync(SITE, { recursive: true, force: true });
  for (const [from, to] of files) {
    fs.mkdirSync(path.dirname(path.join(SITE, to)), { recursive: true });
    fs.copyFileSync(from, path.join(SITE, to));
  }
  // cross-origin isolated, as the playground under make serve: the threaded builds can run
  fs.writeFileSync(path.join(SITE, '_headers'),
    '/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n');
  fs.mkdirSync(path.join(SITE, 'data'));
  const bytes = fs.readFileSync(data);
  fs.writeFileSync(path.join(SITE, 'data/mnist.bin'), data.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes);
}

// Runs the page; returns { results, browser, requests, foreign, errors }.
function runPage(url) {
  return withBenchChromium('ganplay-bench-', async ({ page, requests, foreign, errors }) => {
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(url);
    await page.waitForFunction(() => window.bench && window.bench.done, null, { timeout: TIMEOUT_MS, polling: 500 });
    const results = await page.evaluate(() => window.bench.results);
    return { results, browser: await chromiumVersion(page), requests, foreign, errors };
  });
}

async function main() {
  const loadBefore = os.loadavg()[0];
  assemble();
  const { child, url } = await startServerProcess(SITE);
  let run;
  try {
    run = await runPage(url);
  } finally {
    child.kill();
  }
  const seconds = (Date.now() - t0) / 1000;
  const { results, requests, foreign, errors } = run;
  const info = (e, v) => find(results, e, v, 'mlp')?.info ?? {};
  const meta = {
    date: new Date().toISOString(),
    seconds,
    chromium: run.browser,
    tfjs: info('tfjs', 'wasm').tfjs ?? null,
    tfjsWasm: { simd: info('tfjs', 'wasm').wasmSimd ?? null, threads: info('tfjs', 'wasm').wasmThreads ?? null },
    ganplayKernels: { simd: info('ganplay', 'simd').kernels ?? null, portable: info('ganplay', 'portable').kernels ?? null },
    cores: os.cpus().length,
    batch: 64,
    data: 'data/mnist.bin (real batches for both engines)',
    requests: requests.length,
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify({ meta, results, foreignRequests: foreign, consoleErrors: errors }, null, 2) + '\n');

  console.log(`\nIn-browser benchmark, batch 64, Chromium ${meta.chromium}, TF.js ${meta.tfjs}` +
    ` (wasm backend: SIMD ${meta.tfjsWasm.simd}, threads ${meta.tfjsWasm.threads}); everything in workers\n`);
  console.log(table(results));
  const failed = failures(results);
  if (failed.length) console.log('\nTF.js failures:\n' + failed.map((f) => `- ${f}`).join('\n'));
  if (loadBefore > 1 || meta.loadAverage.after > 2) // the benchmark itself keeps about one core busy
    console.log(`\nThe machine was busy (load average ${loadBefore.toFixed(1)} before, ` +
      `${meta.loadAverage.after.toFixed(1)} after): figures are noisy; run again when it is idle.`);
  console.log(`\n${requests.length} requests, all to 127.0.0.1: ${foreign.length ? 'NO' : 'yes'}; ` +
    `${seconds.toFixed(0)} s; JSON in ${path.relative(ROOT, OUT)}`);

  const problems = [];
  if (foreign.length) problems.push(`requests left 127.0.0.1: ${foreign.join(', ')}`);
  const bad = unexpectedErrors(errors, results);
  if (bad.length) problems.push(`console errors: ${bad.join(' | ')}`);
  for (const r of results.filter((r) => r.engine === 'ganplay'))
    for (const e of [r.error, r.train?.error, r.sample?.error].filter(Boolean))
      problems.push(`ganplay ${r.variant} ${r.model}: ${e}`);
  for (const f of ['ganplay-simd.wasm', 'ganplay.wasm', 'data/mnist.bin', 'tfjs/tf.min.js'])
    if (!requests.some((u) => u === url + f)) problems.push(`no request for ${f} was seen: the request log is incomplete`);
  // TF.js's wasm backend loads its threaded SIMD build where the page is isolated, else the plain SIMD one
  if (!requests.some((u) => /tfjs\/tfjs-backend-wasm-(threaded-)?simd\.wasm$/.test(u)))
    problems.push('no request for TF.js\'s SIMD wasm was seen: the request log is incomplete');
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`FAIL ${e.stack || e}`);
  process.exit(1);
});
