// How fast the page's own training draws digits: opens the built site in
// headless Chromium (Debian's), presses Start with the first-visit settings,
// and prints the digit FD of 1,000 samples (the page's classifier) at 60 s
// and at 180 s, with the steps reached. Figures are printed, not asserted.
// usage: node scripts/bench-page.mjs [SITE]   (default build/site, after make site)
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServerProcess } from './serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SITE = path.resolve(process.argv[2] || path.join(ROOT, 'build/site'));
const MARKS = (process.env.MARKS || '60,180').split(',').map(Number); // seconds after Start

const { child, url } = await startServerProcess(SITE);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.ganplay && window.ganplay.state.ready && window.ganplay.state.dataset &&
    window.ganplay.state.dataset.fd, null, { timeout: 60000 });
  await page.click('#start');
  const t0 = Date.now();
  const rows = [];
  for (const mark of MARKS) {
    await page.waitForTimeout(Math.max(0, t0 + mark * 1000 - Date.now()));
    const step = await page.evaluate(() => window.ganplay.state.step);
    const score = await page.evaluate(() => window.ganplay.debug.scoreClass(-1, 1000));
    rows.push({ seconds: mark, step, fd: score.fd, entropy: score.entropy });
  }
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
    `sample grid ${pct('grid')}, D's view ${pct('realfake')}, FD ${pct('fd')}, autosave ${pct('save')}, between turns ${pct('idle')}`);
} finally {
  await browser.close();
  child.kill();
}
