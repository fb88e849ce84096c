// Errors in words: an engine that fails to load says so, and what to do; a
// page opened from disk says at once how to serve it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { E2E, check, newContext, newPage, state, waitFor, waitReady } from './helpers.mjs';

export async function run({ browser, url }) {
  const broken = path.join(E2E, 'broken');
  fs.cpSync(path.join(E2E, 'site'), broken, { recursive: true });
  for (const f of fs.readdirSync(broken).filter((n) => /^ganplay.*\.wasm$/.test(n))) {
    const file = path.join(broken, f);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 200)); // a truncated download
  }
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(url + 'broken/');
  await waitReady(page, 'broken engine: page settles');
  const s = await state(page);
  const text = await page.textContent('#error');
  check(!s.ready && /WebAssembly engine failed to load/.test(text) && /Reload/.test(text) && /the portable build:/.test(text) &&
    /the SIMD build:/.test(text), 'an engine that fails to load is reported in words (every build tried), with what to do',
    text.trim().slice(0, 300));
  check(await page.isVisible('#error') && (await page.textContent('#status')) === 'Could not start.' && await page.isDisabled('#start'),
    'the page says it could not start and offers no training');

  // the best build broken alone: the page says so and runs the next one
  const fallback = path.join(E2E, 'fallback');
  fs.cpSync(path.join(E2E, 'site'), fallback, { recursive: true });
  const best = path.join(fallback, 'ganplay-threads-relaxed.wasm');
  fs.writeFileSync(best, fs.readFileSync(best).subarray(0, 200));
  const next = await newPage(context);
  await next.goto(url + 'fallback/');
  await waitFor(next, () => window.ganplay && window.ganplay.state.ready, null, 'fallback: page ready');
  const f = await state(next);
  const said = await next.textContent('#error');
  check(f.ready && f.build === 'threads' && f.threads >= 2 && /did not load/.test(said) && /threaded build instead/.test(said),
    'a build that fails to load gives way to the next one, and the page says so', `${f.build}: ${said.trim().slice(0, 200)}`);
  await next.close();

  // from disk: no hang on "Starting…", but the command that serves it
  const disk = await newPage(context);
  await disk.goto(pathToFileURL(path.join(E2E, 'site', 'index.html')).href);
  await disk.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 20000 }).catch(() => {});
  const fromDisk = await disk.textContent('#error');
  check(await disk.isVisible('#error') && /served over http/.test(fromDisk) && /python3 -m http\.server/.test(fromDisk) &&
    /Not started/.test(await disk.textContent('#status')),
  'a page opened from disk says at once how to serve it', fromDisk.trim().slice(0, 160));
  await context.close();
}
