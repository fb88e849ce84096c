// The long run: the page trains the seed GAN at full speed in headless
// Chromium (Debian's) for SOAK_STEPS steps or SOAK_SECONDS, whichever comes
// first, and samples the engine's wasm memory and the page's JS heap (after
// a garbage collection) every SOAK_EVERY seconds. After the warm-up (the
// first sample past SOAK_WARMUP steps, by when the run's records have
// reached their bounds: 4,096 chart points, 64 snapshots) the wasm memory
// must not grow at all, and the page's heap by no more than what the
// charts' points need (SOAK_HEAP_MB, 4 MB by default). Prints every sample; exits 1 if memory
// grew. Not part of make test: `make soak`.
// usage: node scripts/soak.mjs [SITE]   (default build/site, after make site)
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServerProcess } from './serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SITE = path.resolve(process.argv[2] || path.join(ROOT, 'build/site'));
const env = (k, d) => Number(process.env[k] || d);
const STEPS = env('SOAK_STEPS', 10000), SECONDS = env('SOAK_SECONDS', 420), EVERY = env('SOAK_EVERY', 20);
const WARMUP = env('SOAK_WARMUP', 5000), HEAP_MB = env('SOAK_HEAP_MB', 4);

const { child, url } = await startServerProcess(SITE);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync'],
});
let failed = false;
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const cdp = await page.context().newCDPSession(page);
  await page.goto(url);
  await page.waitForFunction(() => window.ganplay && window.ganplay.state.ready && window.ganplay.state.dataset, null, { timeout: 60000 });
  await page.click('#start');
  const t0 = Date.now();
  const samples = [];
  for (;;) {
    await page.waitForTimeout(EVERY * 1000);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const mem = await page.evaluate(() => window.ganplay.debug.memory());
    const step = await page.evaluate(() => window.ganplay.state.step);
    const t = (Date.now() - t0) / 1000;
    samples.push({ t, step, wasm: mem.wasm, heap, points: mem.points, snapshots: mem.snapshots });
    console.log(`${t.toFixed(0).padStart(5)} s  step ${String(step).padStart(6)}  wasm memory ${(mem.wasm / 2 ** 20).toFixed(1)} MiB  ` +
      `page heap ${(heap / 2 ** 20).toFixed(2)} MiB  (${mem.points} chart points, ${mem.snapshots} snapshots)`);
    if (step >= STEPS || t >= SECONDS) break;
  }
  await page.click('#pause');
  const warm = samples.find((x) => x.step >= WARMUP) || samples[0], last = samples[samples.length - 1];
  const wasmGrowth = last.wasm - warm.wasm, heapGrowth = (last.heap - warm.heap) / 2 ** 20;
  console.log(`soak: ${last.step} steps in ${last.t.toFixed(0)} s (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores); ` +
    `after warm-up (from ${warm.t.toFixed(0)} s, step ${warm.step}): wasm memory ${wasmGrowth >= 0 ? '+' : ''}${wasmGrowth} bytes, ` +
    `page heap ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(2)} MiB`);
  const fail = (what) => {
    console.log(`FAIL ${what}`);
    failed = true;
  };
  if (wasmGrowth > 0) fail('the engine\'s wasm memory grew after warm-up');
  if (heapGrowth > HEAP_MB) fail(`the page's heap grew by more than ${HEAP_MB} MiB after warm-up`);
  if (samples[samples.length - 1].step < WARMUP) fail(`the run ended before the warm-up (${WARMUP} steps)`);
  if (errors.length) fail(`console errors: ${errors.join(' | ')}`);
} finally {
  await browser.close();
  child.kill();
}
process.exit(failed ? 1 : 0);
