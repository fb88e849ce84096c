#!/usr/bin/env node
// What a visitor sees after training emoji in the page for a few minutes:
// opens the built site in headless Chromium, picks Emoji, starts a new model
// and trains it for MINUTES (default 5) of wall time; prints the steps, the
// steps per second and the emoji FD the page shows, and writes a screenshot
// of the sample grid and the charts.
// usage: make site && node scripts/emoji-minutes.mjs [MINUTES] [SHOT.png]
import path from 'node:path';
import { launch, newContext, newPage, prepareSite, startServer, stopServer, waitReady, BUILD } from '../tests/e2e/helpers.mjs';

const minutes = Number(process.argv[2] || 5);
const shot = process.argv[3] || path.join(BUILD, 'screenshots', 'emoji-minutes.png');
if (!(minutes > 0 && minutes <= 120)) throw new Error(`minutes must be in (0, 120], got ${process.argv[2]}`);

prepareSite();
const { child, url } = await startServer();
const browser = await launch();
try {
  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  await page.goto(`${url}/site/`);
  await waitReady(page);
  await page.selectOption('#dataset', 'emoji');
  await page.waitForFunction(() => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'emoji', null, { timeout: 120000 });
  await page.waitForFunction(() => window.ganplay.state.emojiRecipe === true, null, { timeout: 60000 });
  await page.click('#start');
  await page.waitForFunction(() => window.ganplay.state.running && window.ganplay.state.model.channels === 3, null, { timeout: 60000 });
  const t0 = Date.now();
  await page.waitForTimeout(minutes * 60000); // a measurement of wall time, not a test
  await page.click('#pause');
  await page.waitForFunction(() => !window.ganplay.state.running, null, { timeout: 60000 });
  const seconds = (Date.now() - t0) / 1000;
  const s = await page.evaluate(() => window.ganplay.state);
  const fd = await page.evaluate(() => (document.getElementById('fd-value') || {}).textContent || '');
  await (await page.$('#samples')).screenshot({ path: shot });
  console.log(`emoji in the page: ${s.step} steps in ${seconds.toFixed(0)} s (${(s.step / seconds).toFixed(2)} steps/s)` +
    `${fd ? `, FD shown: ${fd}` : ''}; screenshot ${shot}`);
  await context.close();
} finally {
  await browser.close();
  await stopServer(child);
}
