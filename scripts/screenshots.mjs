#!/usr/bin/env node
// Screenshots of the page for the docs, taken from the built site in
// headless Chromium: the presentation mode of the 2-D game (the collapse
// lesson, 300 rounds trained and paused) at 1920x1080, once per language.
// usage: make site && node scripts/screenshots.mjs [OUT_DIR] [LANG ...]
//   OUT_DIR: default web/screenshots (kept out of the site); LANG: en, zh-CN (default both)
// writes OUT_DIR/present-LANG.png
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launch, newContext, newPage, prepareSite, startServer, stopServer } from '../tests/e2e/helpers.mjs';

const [outArg, ...langArgs] = process.argv.slice(2);
const out = path.resolve(outArg || path.join(ROOT, 'web/screenshots'));
const langs = langArgs.length ? langArgs : ['en', 'zh-CN'];
for (const l of langs) if (!['en', 'zh-CN'].includes(l)) throw new Error(`no language '${l}': en or zh-CN`);
fs.mkdirSync(out, { recursive: true });

const wait = (page, fn, what, timeout = 60000) => page.waitForFunction(fn, null, { timeout, polling: 50 })
  .catch(() => { throw new Error(`timed out: ${what}`); });

prepareSite();
const { child, url } = await startServer();
const browser = await launch();
try {
  for (const lang of langs) {
    const context = await newContext(browser, { width: 1920, height: 1080 });
    const page = await newPage(context);
    await page.goto(`${url}/site/#view=2d&lesson=collapse&present=1&lang=${lang}`);
    await wait(page, () => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame, 'the 2-D mode draws');
    await page.click('#play-btn-2d');
    await wait(page, () => window.ganplay.mode2d.run.rounds >= 300 && window.ganplay.mode2d.measure, '300 rounds');
    await page.click('#play-btn-2d');
    await wait(page, () => !window.ganplay.mode2d.running && window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes,
      'paused, its frame drawn');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const file = path.join(out, `present-${lang}.png`);
    await page.screenshot({ path: file });
    const rounds = await page.evaluate(() => window.ganplay.mode2d.run.rounds);
    console.log(`${file}: presentation mode, ${lang}, 1920x1080, collapse lesson after ${rounds} rounds` +
      `${page.errors.length ? `; console errors: ${page.errors.join(' | ')}` : ''}`);
    await context.close();
  }
} finally {
  await browser.close();
  await stopServer(child);
}
