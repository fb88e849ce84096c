// How fast the page's own training draws digits: opens the built site in
// headless Chromium (Debian's), presses Start with the first-visit settings,
// and prints the digit FD of 1,000 samples (the page's classifier) at 60 s
// and at 180 s, with the steps reached, and the long tasks on the page's
// main thread meanwhile; then the rate reached at one step per second, and
// the 2-D mode's rounds/s, frames/s and long tasks. Figures are printed, not
// asserted (the e2e tests check what does not depend on the machine's speed).
// usage: node scripts/bench-page.mjs [SITE]   (default build/site, after make site)
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServerProcess } from './serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SITE = path.resolve(process.argv[2] || path.join(ROOT, 'build/site'));
const MARKS = (process.env.MARKS || '60,180').split(',').map(Number); // seconds after Start
const SLOW_SECONDS = Number(process.env.SLOW_SECONDS) || 15; // at one step per second
const TOY_SECONDS = Number(process.env.TOY_SECONDS) || 15; // the 2-D mode playing

// Long tasks (over 50 ms) on the page's main thread, recorded from the start.
const watchLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longTasks.push({ start: e.startTime, duration: e.duration })))
    .observe({ type: 'longtask', buffered: true });
};
const longTasksSince = (page, t0) => page.evaluate((t) => window.__longTasks.filter((e) => e.start >= t), t0);
const describeTasks = (tasks) => `${tasks.length} long task(s) over 50 ms on the main thread, longest ` +
  `${Math.max(0, ...tasks.map((e) => e.duration)).toFixed(0)} ms`;

const { child, url } = await startServerProcess(SITE);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(watchLongTasks);
  await page.goto(url);
  await page.waitForFunction(() => window.ganplay && window.ganplay.state.ready && window.ganplay.state.dataset &&
    window.ganplay.state.dataset.fd, null, { timeout: 60000 });
  await page.click('#start');
  const t0 = Date.now(), pageT0 = await page.evaluate(() => performance.now());
  const rows = [];
  for (const mark of MARKS) {
    await page.waitForTimeout(Math.max(0, t0 + mark * 1000 - Date.now()));
    const step = await page.evaluate(() => window.ganplay.state.step);
    const score = await page.evaluate(() => window.ganplay.debug.scoreClass(-1, 1000));
    rows.push({ seconds: mark, step, fd: score.fd, entropy: score.entropy });
  }
  const tasks = await longTasksSince(page, pageT0);
  const spent = await page.evaluate(() => window.ganplay.debug.timing());
  const info = await page.evaluate(() => window.ganplay.debug.modelInfo());
  console.log(`page training with the first-visit settings (${info.config.preset}, lr_g ${info.config.lr_g}, lr_d ` +
    `${info.config.lr_d}, ema ${info.config.ema}), headless Chromium, load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores:`);
  for (const r of rows)
    console.log(`  ${r.seconds} s after Start: step ${r.step}, digit FD ${r.fd.toFixed(1)} (n = 1,000), class entropy ${r.entropy.toFixed(2)}`);
  // where the worker's time went: the engine's steps against what the page adds
  const pct = (k) => `${((100 * spent[k]) / spent.wall).toFixed(1)}%`;
  console.log(`  worker time over ${(spent.wall / 1000).toFixed(0)} s: training steps ${pct('train')} ` +
    `(${((1000 * spent.steps) / spent.train).toFixed(1)} steps/s while stepping, ${((1000 * spent.steps) / spent.wall).toFixed(1)} overall), ` +
    `timeline snapshots ${pct('snapshot')}, FD ${pct('measure')}, last good states ${pct('keep')}, sample grid ${pct('grid')}, ` +
    `D's view ${pct('realfake')}, autosave ${pct('save')}, between turns ${pct('idle')}`);
  console.log(`  the page while it trained: ${describeTasks(tasks)}`);

  // the slowest speeds but one: one step per second
  await page.click('#pause');
  await page.waitForFunction(() => !window.ganplay.state.running);
  await page.$eval('#speed', (el) => {
    el.value = '1';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const slow0 = await page.evaluate(() => window.ganplay.state.step);
  await page.click('#start');
  const slowT = Date.now();
  await page.waitForTimeout(SLOW_SECONDS * 1000);
  const slow = await page.evaluate(() => ({ step: window.ganplay.state.step, rate: window.ganplay.state.stepsPerSec,
    readout: document.getElementById('r-rate').textContent }));
  const slowSeconds = (Date.now() - slowT) / 1000;
  console.log(`  at "${await page.textContent('#speed-value')}": ${slow.step - slow0} steps in ${slowSeconds.toFixed(1)} s ` +
    `(${((slow.step - slow0) / slowSeconds).toFixed(2)} steps/s; the page's readout ${slow.readout}, its rate ${slow.rate.toFixed(2)})`);
  await page.click('#pause');
  await page.close();

  // the 2-D mode: the healthy lesson playing
  const toy = await context.newPage();
  await toy.addInitScript(watchLongTasks);
  await toy.goto(url + '#lesson=healthy');
  await toy.waitForFunction(() => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame, null,
    { timeout: 60000 });
  await toy.click('#play-btn-2d');
  await toy.waitForFunction(() => window.ganplay.mode2d.run && window.ganplay.mode2d.run.rounds > 0, null, { timeout: 60000 });
  const before = await toy.evaluate(() => ({ rounds: window.ganplay.mode2d.run.rounds, frames: window.ganplay.mode2d.frames, t: performance.now() }));
  await toy.waitForTimeout(TOY_SECONDS * 1000);
  const after = await toy.evaluate(() => ({ rounds: window.ganplay.mode2d.run.rounds, frames: window.ganplay.mode2d.frames, t: performance.now(),
    rate: window.ganplay.mode2d.rate, cfg: window.ganplay.mode2d.config }));
  const toyTasks = await longTasksSince(toy, before.t);
  const secs = (after.t - before.t) / 1000;
  console.log(`  the 2-D mode (healthy lesson, batch ${after.cfg.batch}, G ${after.cfg.g_layers} x ${after.cfg.g_width}, D ${after.cfg.d_layers} x ${after.cfg.d_width}): ${((after.rounds - before.rounds) / secs).toFixed(0)} rounds/s ` +
    `over ${secs.toFixed(0)} s (the page's readout ${Math.round(after.rate)}), ${((after.frames - before.frames) / secs).toFixed(0)} frames/s; ` +
    describeTasks(toyTasks));
  await toy.click('#play-btn-2d');
} finally {
  await browser.close();
  child.kill();
}
