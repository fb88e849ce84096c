// End-to-end test of the playground page in headless Chromium (Debian's,
// never a downloaded one). Serves build/ with scripts/serve.js so the page
// runs under a sub-path (/site/), trains, pauses, steps, and takes
// screenshots to build/screenshots/.
// usage: node tests/e2e/page.test.mjs   (after make site; plain node: unlike
// the wasm tests, playwright-core needs node's fetch, so no --no-experimental-fetch)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = path.join(ROOT, 'build');
const SHOTS = path.join(BUILD, 'screenshots');
const TRAIN_MS = 4000;
const t0 = Date.now();

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
}

// Starts scripts/serve.js on a free port; resolves to { child, url }.
function startServer(dir) {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/serve.js'), dir], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('serve.js printed no URL within 5 s')), 5000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[0] });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve.js exited with ${code}`)));
  });
}

// A plain HTTP request (global fetch may be disabled by --no-experimental-fetch).
function request(url, method = 'GET') {
  return new Promise((resolve, reject) => {
    http.request(url, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    }).on('error', reject).end();
  });
}

const state = (page) => page.evaluate(() => ({ ...window.ganplay.state }));

async function waitFor(page, fn, arg, what, timeout = 20000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 50 });
    return true;
  } catch {
    check(false, what, `timed out after ${timeout} ms; state ${JSON.stringify(await state(page))}`);
    return false;
  }
}

// Luminance spread of a canvas: [standard deviation, distinct values].
function canvasStats(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sum2 = 0, colored = 0;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) {
      const v = (d[i] + d[i + 1] + d[i + 2]) / 3;
      sum += v;
      sum2 += v * v;
      seen.add(v);
      if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) colored++;
    }
    const n = d.length / 4;
    return { std: Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)), distinct: seen.size, colored };
  }, id);
}

// Loads the page, checks it trains, and watches console and network.
async function runPage(context, url, label, full) {
  const page = await context.newPage();
  const errors = [], foreign = [], requests = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    requests.push(r.url());
    if (new URL(r.url()).hostname !== '127.0.0.1') foreign.push(r.url());
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));

  await page.goto(url);
  if (!(await waitFor(page, () => window.ganplay.state.ready || window.ganplay.state.errors.length, null, `${label}: ready`)))
    return page;
  let s = await state(page);
  check(s.errors.length === 0, `${label}: no errors shown in the page`, s.errors.join('; '));
  check(s.build === (label === 'portable' ? 'portable' : 'simd'), `${label}: build in use is ${s.build}`);
  check(s.grids >= 1, `${label}: untrained samples drawn before Start`);

  const gridsBefore = s.grids;
  await page.click('#start');
  await page.waitForTimeout(full ? TRAIN_MS : 1000);
  // a slow machine gets some grace before the step count is judged
  const minSteps = full ? 10 : 3;
  await waitFor(page, (n) => window.ganplay.state.step > n, minSteps, `${label}: passes ${minSteps} steps`, 15000);
  s = await state(page);
  check(s.step > minSteps, `${label}: trains (step ${s.step} > ${minSteps}, ${s.stepsPerSec.toFixed(1)} steps/s)`);
  check([s.dLoss, s.gLoss, s.dReal, s.dFake].every(Number.isFinite), `${label}: losses finite`,
    `D ${s.dLoss}, G ${s.gLoss}, D(x) ${s.dReal}, D(G(z)) ${s.dFake}`);
  check(s.running, `${label}: running`);
  const grid = await canvasStats(page, 'grid');
  check(grid.std > 10 && grid.distinct > 20, `${label}: sample grid holds images`, `std ${grid.std.toFixed(1)}, ${grid.distinct} gray levels`);
  check(s.grids > gridsBefore, `${label}: sample grid redrawn while training`, `${s.grids - gridsBefore} draws`);

  if (full) {
    const chart = await canvasStats(page, 'chart');
    check(s.chartDraws > 0 && chart.colored > 100, 'loss chart drawn', `${s.chartDraws} draws, ${chart.colored} line pixels`);
    check(await page.evaluate(() => document.activeElement?.id === 'pause'), 'keyboard focus moves to Pause after Start');

    await page.click('#pause');
    await waitFor(page, () => !window.ganplay.state.running, null, 'Pause: stops');
    const paused = (await state(page)).step;
    await page.waitForTimeout(700);
    const later = (await state(page)).step;
    check(later === paused, 'Pause: the step counter stays', `${paused} then ${later}`);
    check(await page.isEnabled('#step'), 'Step: enabled while paused');

    await page.click('#step');
    await waitFor(page, (n) => window.ganplay.state.step >= n, paused + 1, 'Step: advances');
    await page.waitForTimeout(500);
    const stepped = (await state(page)).step;
    check(stepped === paused + 1, 'Step: advances by exactly one', `${paused} -> ${stepped}`);
    const shown = await page.textContent('#r-step');
    check(shown === String(stepped), 'Step readout shows the step', shown);
  }

  const local = requests.filter((u) => u.startsWith(url.replace(/[?#].*/, '').replace(/[^/]*$/, '')));
  const want = ['worker.js', label === 'portable' ? 'ganplay.wasm' : 'ganplay-simd.wasm', 'data/mnist.bin'];
  check(want.every((w) => local.some((u) => u.includes('/site/' + w))), `${label}: requests go under the sub-path /site/`);
  check(foreign.length === 0, `${label}: every request went to 127.0.0.1`, foreign.join(', '));
  check(errors.length === 0, `${label}: no console errors`, errors.join(' | '));
  return page;
}

async function main() {
  for (const f of ['site/index.html', 'site/ganplay-simd.wasm', 'site/ganplay.wasm', 'site/data/mnist.bin'])
    if (!fs.existsSync(path.join(BUILD, f))) throw new Error(`build/${f} is missing: run make site first`);
  fs.mkdirSync(SHOTS, { recursive: true });

  const { child, url } = await startServer(BUILD); // the site is then at /site/
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ganplay-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic'],
      viewport: { width: 1280, height: 900 },
    });
    for (const p of context.pages()) await p.close();

    const page = await runPage(context, url + 'site/', 'simd', true);
    await page.screenshot({ path: path.join(SHOTS, 'page.png'), fullPage: true });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(300);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    check(sw <= 360, 'no horizontal overflow at 360 px', `scrollWidth ${sw}`);
    await page.screenshot({ path: path.join(SHOTS, 'page-360.png'), fullPage: true });
    await page.close();

    const portable = await runPage(context, url + 'site/?build=portable', 'portable', false);
    await portable.close();

    // The bare folder URL without a slash must redirect, or relative URLs break.
    const res = await request(url + 'site');
    check(res.statusCode === 301 && res.headers.location === '/site/', 'serve.js: /site redirects to /site/');
    const wasm = await request(url + 'site/ganplay.wasm', 'HEAD');
    check(wasm.headers['content-type'] === 'application/wasm', 'serve.js: .wasm is application/wasm');
    const escape = await request(url + '..%2fMakefile'); // build/../Makefile exists
    check(escape.statusCode === 404 || escape.statusCode === 400, 'serve.js: no path traversal', `HTTP ${escape.statusCode}`);
  } finally {
    if (context) await context.close();
    child.kill();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${failures ? `${failures} check(s) failed` : 'all checks passed'} in ${((Date.now() - t0) / 1000).toFixed(1)} s;` +
    ` screenshots in ${path.relative(ROOT, SHOTS)}/`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(`FAIL ${e.stack || e}`);
  process.exit(1);
});
