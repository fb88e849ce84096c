// ONNX Runtime as the sampling peer: the shipped DCGAN generators (the
// unconditional MNIST one, W2's network, and the conditional ones), exported
// by scripts/gpm_torch.py onnx, sample 64 images (batch 64, latents of a fixed
// seed, classes i mod classes) in onnxruntime-node (natively, intra-op
// threads 1 and 2) and in onnxruntime-web in headless Chromium (wasm SIMD,
// numThreads 1 and 2 on a cross-origin isolated page), and ganplay samples the
// same models in the same run: natively build/bench-sample, in Chromium the
// page's threaded engines (SIMD, and FMA: relaxed SIMD) in a worker. Prints
// the times and ganplay's time / ONNX Runtime's at equal threads (< 1:
// ganplay is faster) and writes build/bench-onnx.json: {meta, rows: [{engine,
// where, threads, workload, steps_per_s: null, sample64_ms}]} (rows as
// build/bench-summary.json's). Figures are printed, not asserted.
// The export needs Debian's python3-torch: without it the script says so and
// writes no rows. ONNX Runtime comes from tests/bench (npm ci --prefix
// tests/bench --ignore-scripts, which make bench runs).
// usage: node scripts/bench-onnx.mjs   (after make site build/bench-sample)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumVersion, withBenchChromium } from './bench-chromium.mjs';
import { startServerProcess } from './serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.join(ROOT, 'build');
const OUT = path.join(BUILD, 'bench-onnx.json');
const ONNX = path.join(BUILD, 'onnx'); // the exports and latents
const SITE = path.join(BUILD, 'bench-onnx-site');
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-torch lives
const BENCH = path.join(ROOT, 'tests/bench');
const VERSION = '1.30.0';
const THREADS = [1, 2];
const TIMEOUT_MS = 300000;
// shipped model -> workload (the unconditional MNIST DCGAN is W2's generator)
const MODELS = [['mnist-dcgan', 'dcgan'], ['mnist-cdcgan', 'mnist-cdcgan'], ['fashion-cdcgan', 'fashion-cdcgan'],
  ['emoji-cdcgan', 'emoji-cdcgan']];
const t0 = Date.now();

function write(meta, rows) {
  fs.mkdirSync(BUILD, { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify({ meta, rows }, null, 2) + '\n');
}

function version(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(BENCH, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

// Each model to build/onnx/NAME.onnx in one Python process; [{name, latent, classes}].
function exportModels() {
  fs.mkdirSync(ONNX, { recursive: true });
  const code = `import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'scripts'))})
import gpm_torch as gt
out = []
for name in sys.argv[1:]:
    src = ${JSON.stringify(path.join(ROOT, 'models'))} + '/' + name + '.gpm'
    if gt.main(['onnx', src, ${JSON.stringify(ONNX)} + '/' + name + '.onnx']) != 0:
        sys.exit(1)
    m = gt.read_gpm(open(src, 'rb').read())
    out.append({'name': name, 'latent': m['latent'], 'classes': len(m['class_names'])})
print(json.dumps(out))`;
  const out = execFileSync(PYTHON, ['-c', code, ...MODELS.map((m) => m[0])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()).map((m) => ({ ...m, workload: MODELS.find((x) => x[0] === m.name)[1] }));
}

// 64 x latent standard normal floats of a fixed seed (mulberry32, Box-Muller), to build/onnx/NAME.z.bin
function latents(m) {
  let a = 2023;
  const u = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const z = new Float32Array(64 * m.latent);
  for (let i = 0; i < z.length; i++) z[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const file = path.join(ONNX, `${m.name}.z.bin`);
  fs.writeFileSync(file, Buffer.from(z.buffer));
  return { file, z };
}

async function native(models) {
  await import('../tests/bench/onnx/timing.js'); // sets globalThis.sample64Ms
  const ort = createRequire(path.join(BENCH, 'package.json'))('onnxruntime-node');
  const rows = [];
  for (const threads of THREADS) {
    for (const m of models) {
      process.stderr.write(`natively, ${threads} thread(s): ${m.name} ...\n`);
      const g = JSON.parse(execFileSync(path.join(BUILD, 'bench-sample'),
        [path.join(ROOT, 'models', `${m.name}.gpm`), '--threads', String(threads), '--z', m.zFile], { encoding: 'utf8' }));
      rows.push({ engine: 'ganplay-simd', where: 'native', threads, workload: m.workload, steps_per_s: null, sample64_ms: g.sample64_ms });
      const session = await ort.InferenceSession.create(path.join(ONNX, `${m.name}.onnx`),
        { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
      const feeds = { z: new ort.Tensor('float32', m.z, [64, m.latent]) };
      if (m.classes) feeds.onehot = new ort.Tensor('float32', onehot(m.classes), [64, m.classes]);
      const ms = await globalThis.sample64Ms(() => session.run(feeds));
      await session.release();
      rows.push({ engine: 'onnxruntime-node', where: 'native', threads, workload: m.workload, steps_per_s: null, sample64_ms: ms });
    }
  }
  return rows;
}

function onehot(classes) {
  const v = new Float32Array(64 * classes);
  for (let i = 0; i < 64; i++) v[i * classes + (i % classes)] = 1;
  return v;
}

function assemble(models) {
  const from = path.join(BUILD, 'site');
  const engine = fs.existsSync(from) ? fs.readdirSync(from).filter((f) => /^ganplay-threads.*\.(js|wasm)$/.test(f)) : [];
  if (!engine.some((f) => f === 'ganplay-threads-relaxed.wasm') || !engine.some((f) => f === 'ganplay-threads.wasm'))
    throw new Error('build/site has no threaded engines: run make site first');
  const ortDist = path.join(BENCH, 'node_modules/onnxruntime-web/dist');
  const files = [
    ...fs.readdirSync(path.join(BENCH, 'onnx')).map((f) => [path.join(BENCH, 'onnx', f), f]),
    ...engine.map((f) => [path.join(from, f), f]),
    ...['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'].map((f) => [path.join(ortDist, f), 'ort/' + f]),
    ...models.flatMap((m) => [[path.join(ONNX, `${m.name}.onnx`), `onnx/${m.name}.onnx`], [m.zFile, `z/${m.name}.bin`],
      [path.join(ROOT, 'models', `${m.name}.gpm`), `models/${m.name}.gpm`]]),
  ];
  fs.rmSync(SITE, { recursive: true, force: true });
  for (const [src, to] of files) {
    fs.mkdirSync(path.dirname(path.join(SITE, to)), { recursive: true });
    fs.copyFileSync(src, path.join(SITE, to));
  }
  fs.writeFileSync(path.join(SITE, 'models.json'), JSON.stringify(models.map(({ name, workload, latent, classes }) =>
    ({ name, workload, latent, classes }))));
  // cross-origin isolated (SharedArrayBuffer): ONNX Runtime's and ganplay's threads can run
  fs.writeFileSync(path.join(SITE, '_headers'),
    '/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n');
}

// One Chromium session, a page load per thread count; [{threads, rows, info}], requests, foreign, errors.
function browser(url) {
  return withBenchChromium('ganplay-bench-onnx-', async ({ page, requests, foreign, errors }) => {
    const runs = [];
    for (const threads of THREADS) {
      process.stderr.write(`in Chromium, ${threads} thread(s) ...\n`);
      await page.goto(`${url}index.html?threads=${threads}`);
      await page.waitForFunction(() => window.bench && window.bench.done, null, { timeout: TIMEOUT_MS, polling: 500 });
      runs.push({ threads, ...(await page.evaluate(() => window.bench)) });
    }
    return { runs, requests, foreign, errors, chromiumVersion: await chromiumVersion(page) };
  }, (line) => process.stderr.write(`Chromium: ${line}\n`));
}

async function main() {
  const loadBefore = os.loadavg()[0];
  const meta = { date: new Date().toISOString(), cpu: os.cpus()[0]?.model.trim() ?? null, cores: os.cpus().length, batch: 64,
    onnxruntime: { node: version('onnxruntime-node'), web: version('onnxruntime-web') } };
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    const why = `${PYTHON} has no torch (apt-get install python3-torch, or sh scripts/install-deps.sh --torch): ` +
      'the generators cannot be exported to ONNX';
    console.log(`bench-onnx: ONNX Runtime skipped (${why})`);
    write({ ...meta, skipped: why }, []);
    return 0;
  }
  for (const pkg of ['onnxruntime-node', 'onnxruntime-web'])
    if (version(pkg) !== VERSION) throw new Error(`${pkg} ${VERSION} is not installed: run npm ci --prefix tests/bench --ignore-scripts`);
  if (!fs.existsSync(path.join(BUILD, 'bench-sample'))) throw new Error('build/bench-sample is missing: run make build/bench-sample');

  process.stderr.write('exporting the generators to ONNX ...\n');
  const models = exportModels().map((m) => {
    const { file, z } = latents(m);
    return { ...m, zFile: file, z };
  });
  const rows = await native(models);

  assemble(models);
  const { child, url } = await startServerProcess(SITE);
  let run;
  try {
    run = await browser(url);
  } finally {
    child.kill();
  }
  const problems = [];
  for (const r of run.runs) {
    if (r.error) problems.push(`Chromium, ${r.threads} thread(s): ${r.error}`);
    if (r.threads > 1 && !r.info.crossOriginIsolated) problems.push('the page is not cross-origin isolated');
    if (r.info.ganplayThreads !== undefined && r.info.ganplayThreads !== r.threads)
      problems.push(`ganplay's engine runs ${r.info.ganplayThreads} thread(s), not ${r.threads}`);
    for (const x of r.rows) {
      for (const k of ['ortError', 'threadsError', 'threads-relaxedError']) if (x[k]) problems.push(`${x.workload}, ${r.threads} thread(s): ${x[k]}`);
      for (const [engine, key] of [['onnxruntime-web', 'ort'], ['ganplay-simd', 'threads'], ['ganplay-relaxed', 'threads-relaxed']])
        rows.push({ engine, where: 'chromium', threads: r.threads, workload: x.workload, steps_per_s: null, sample64_ms: x[key] ?? null });
    }
  }
  if (run.foreign.length) problems.push(`requests left 127.0.0.1: ${run.foreign.join(', ')}`);
  if (run.errors.length) problems.push(`console errors: ${run.errors.join(' | ')}`);
  Object.assign(meta, { chromium: run.chromiumVersion, seconds: (Date.now() - t0) / 1000, requests: run.requests.length,
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
    pages: run.runs.map((r) => ({ threads: r.threads, ...r.info })),
    ganplayNative: 'build/bench-sample (the native kernels, gcc -O2)', ganplayChromium: "the page's threaded engines in a worker",
    ortWeb: 'wasm SIMD (ort-wasm-simd-threaded), numThreads as the row says' });
  write(meta, rows);

  // ganplay's time / ONNX Runtime's, at equal threads: < 1, ganplay is faster
  const get = (engine, where, threads, w) => rows.find((r) => r.engine === engine && r.where === where && r.threads === threads &&
    r.workload === w)?.sample64_ms ?? null;
  const f = (v) => (v === null ? '-' : v.toFixed(1));
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : '-');
  console.log(`\n64 samples (ms): ganplay against ONNX Runtime ${meta.onnxruntime.node} (node) / ${meta.onnxruntime.web} (web, ` +
    `Chromium ${meta.chromium}), ${meta.cpu}, load ${loadBefore.toFixed(1)} before, ${meta.loadAverage.after.toFixed(1)} after, ` +
    `on ${meta.cores} cores; ratio = ganplay's time / ONNX Runtime's at equal threads (< 1: ganplay is faster)\n`);
  console.log('| model | threads | native ganplay | onnxruntime-node | ratio | Chromium ganplay SIMD | FMA | onnxruntime-web | ' +
    'ratio SIMD | ratio FMA |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const m of models) {
    for (const t of THREADS) {
      const [gn, on, gs, gr, ow] = [get('ganplay-simd', 'native', t, m.workload), get('onnxruntime-node', 'native', t, m.workload),
        get('ganplay-simd', 'chromium', t, m.workload), get('ganplay-relaxed', 'chromium', t, m.workload),
        get('onnxruntime-web', 'chromium', t, m.workload)];
      console.log(`| ${m.name}${m.workload === 'dcgan' ? ' (W2)' : ''} | ${t} | ${f(gn)} | ${f(on)} | ${ratio(gn, on)} | ${f(gs)} | ` +
        `${f(gr)} | ${f(ow)} | ${ratio(gs, ow)} | ${ratio(gr, ow)} |`);
    }
  }
  if (loadBefore > 1 || meta.loadAverage.after > 2)
    console.log('\nThe machine was busy: figures are noisy, ratios from one run; run again when it is idle.');
  console.log(`\n${rows.length} rows in ${path.relative(ROOT, OUT)}; ${meta.seconds.toFixed(0)} s`);
  for (const p of problems) console.error(`FAIL ${p}`);
  return problems.length ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => {
  console.error(`FAIL ${e.stack || e}`);
  process.exit(1);
});
