// Shared pieces of the end-to-end tests: the site under test, the static
// server, Debian's headless Chromium (never a downloaded one), checks, and
// page helpers. Every page and context opened here records its requests,
// so the runner can assert that none left 127.0.0.1.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServerProcess } from '../../scripts/serve.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = path.join(ROOT, 'build');
export const SHOTS = path.join(BUILD, 'screenshots');
export const E2E = path.join(BUILD, 'e2e'); // served; the site is at /site/ under it

export const results = { passed: 0, failed: 0, failures: [] };
export const requests = []; // every request of every page: {url, where}
export const foreign = [];

export function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  if (ok) results.passed++;
  else {
    results.failed++;
    results.failures.push(what);
  }
  return ok;
}

// build/site copied to build/e2e/site, with the shipped models.
export function prepareSite() {
  const site = path.join(BUILD, 'site');
  for (const f of ['index.html', 'ganplay-simd.wasm', 'ganplay.wasm', 'data/mnist.bin.gz'])
    if (!fs.existsSync(path.join(site, f))) throw new Error(`build/site/${f} is missing: run make site first`);
  fs.rmSync(E2E, { recursive: true, force: true });
  fs.mkdirSync(E2E, { recursive: true });
  fs.cpSync(site, path.join(E2E, 'site'), { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build_site.js'), path.join(E2E, 'site'),
    path.join(ROOT, 'models')], { stdio: 'pipe' });
  const manifest = JSON.parse(fs.readFileSync(path.join(E2E, 'site/models.json'), 'utf8'));
  if (!manifest.models.length) throw new Error('no model for the page: models/ holds no generator');
  return manifest;
}

// Starts scripts/serve.js on a free port; resolves to { child, url }.
export function startServer(dir = E2E) {
  return startServerProcess(dir);
}

export function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill();
  });
}

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-features=Translate,OptimizationHints'],
  });
}

function record(url, where) {
  requests.push({ url, where });
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' && !['blob:', 'data:', 'file:'].includes(u.protocol)) foreign.push(url);
}

// A context: service workers blocked unless asked for (most tests want the
// network as it is); downloads accepted.
export async function newContext(browser, { width = 1280, height = 900, serviceWorkers = 'block' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, serviceWorkers });
  context.on('request', (r) => record(r.url(), 'context'));
  return context;
}

// A page that collects console errors and failed requests in page.errors;
// with longTasks, it records long tasks and layout shifts from the start.
export async function newPage(context, { longTasks = false } = {}) {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => m.type() === 'error' && page.errors.push(m.text()));
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('request', (r) => record(r.url(), 'page'));
  page.on('requestfailed', (r) => page.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText || ''}`));
  if (longTasks) {
    await page.addInitScript(() => {
      window.__longTasks = [];
      window.__shifts = [];
      try {
        new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longTasks.push({ start: e.startTime, duration: e.duration })))
          .observe({ type: 'longtask', buffered: true });
        new PerformanceObserver((l) => l.getEntries().forEach((e) => !e.hadRecentInput && window.__shifts.push({ start: e.startTime, value: e.value })))
          .observe({ type: 'layout-shift', buffered: true });
      } catch {
        window.__noObserver = true;
      }
    });
  }
  return page;
}

export const state = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.ganplay.state)));

export async function waitFor(page, fn, arg, what, timeout = 20000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 50 });
    return true;
  } catch {
    let s = '';
    try {
      s = JSON.stringify(await state(page)).slice(0, 800);
    } catch {}
    check(false, what, `timed out after ${timeout} ms; state ${s}`);
    return false;
  }
}

// Waits for the page to be ready (or to show an error).
export async function waitReady(page, what = 'page ready') {
  return waitFor(page, () => window.ganplay && (window.ganplay.state.ready || window.ganplay.state.errors.length), null, what);
}

// A new context and page on the site, once the first samples are drawn.
export async function openPage(browser, site) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitFor(page, () => window.ganplay.state.firstGridAt !== null, null, 'first samples drawn');
  return { context, page };
}

// Waits until the dataset is loaded (training needs it).
export async function waitDataset(page, id = 'mnist') {
  return waitFor(page, (id) => window.ganplay.state.dataset && window.ganplay.state.dataset.id === id, id, `dataset ${id} loaded`);
}

// A hash of a canvas's pixels, and their spread (std of gray, distinct levels).
export function canvasInfo(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261, sum = 0, sum2 = 0, colored = 0;
    const seen = new Set();
    for (let i = 0; i < d.length; i++) {
      h = Math.imul(h ^ d[i], 16777619) >>> 0;
      if (i % 4 === 0) {
        const v = (d[i] + d[i + 1] + d[i + 2]) / 3;
        sum += v;
        sum2 += v * v;
        seen.add(v);
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) colored++;
      }
    }
    const n = d.length / 4;
    return { hash: h, mean: sum / n, std: Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)), distinct: seen.size, colored, w: c.width, h: c.height };
  }, id);
}

// Explore's views once a drawing answers every redraw asked for, some asked
// after `before` (the count read before the action): not a drawing already
// under way when the action came.
export const asked = (page) => page.evaluate(() => window.ganplay.state.exploreAsked);
export function redrawn(page, before, what) {
  return waitFor(page, (n) => {
    const s = window.ganplay.state;
    return s.exploreAsked > n && s.exploreAnswered === s.exploreAsked;
  }, before, what);
}

// Trains until the step counter reaches `step` (however long that takes on
// this machine), then pauses; returns the state after the pause.
export async function trainUntil(page, step) {
  await page.click('#start');
  await waitFor(page, () => window.ganplay.state.running, null, 'training starts');
  await waitFor(page, (n) => window.ganplay.state.step >= n, step, `training reaches step ${step}`, 180000);
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running, null, 'training pauses');
  return state(page);
}

// Waits until the page has drawn what it draws by itself after a load (the
// samples, the data, Explore's views, the loss and D charts, the fonts),
// then for two frames of the browser's rendering: for screenshots and
// layout checks.
export async function waitDrawn(page, what = 'the page drawn') {
  const ok = await waitFor(page, () => {
    const s = window.ganplay.state, c = window.ganplay.charts;
    return s.ready && s.firstGridAt !== null && s.dataset && s.exploreDraws > 0 && document.fonts.status === 'loaded' &&
      [c.lossChart, c.dChart].every((x) => x.draws > 0 && !x.queued);
  }, null, what);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return ok;
}

// Answers the page's "replace the training on show?" question, which must
// come: 'yes' replaces, 'no' cancels. Resolves to the question's text.
export async function answerReplace(page, answer = 'yes') {
  await page.waitForSelector('#confirm[open]', { timeout: 20000 });
  const text = await page.textContent('#confirm-text');
  await page.click(answer === 'yes' ? '#confirm-yes' : '#confirm-no');
  await page.waitForFunction(() => !document.getElementById('confirm').open);
  return text;
}
