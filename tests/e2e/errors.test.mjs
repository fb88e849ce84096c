// Errors in words: an engine that fails to load says so, and what to do; a
// page opened from disk says at once how to serve it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { E2E, check, newContext, newPage, state, waitReady } from './helpers.mjs';

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
  check(!s.ready && /WebAssembly engine failed to load/.test(text) && /Reload/.test(text) && /build=portable/.test(text),
    'an engine that fails to load is reported in words, with what to do', text.trim().slice(0, 200));
  check(await page.isVisible('#error') && (await page.textContent('#status')) === 'Could not start.' && await page.isDisabled('#start'),
    'the page says it could not start and offers no training');

  // from disk: no hang on "Starting…", but the command that serves it
  const disk = await newPage(context);
  await disk.goto(pathToFileURL(path.join(E2E, 'site', 'index.html')).href);
  await disk.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 20000 }).catch(() => {});
  const said = await disk.textContent('#error');
  check(await disk.isVisible('#error') && /served over http/.test(said) && /python3 -m http\.server/.test(said) &&
    /Not started/.test(await disk.textContent('#status')),
  'a page opened from disk says at once how to serve it', said.trim().slice(0, 160));
  await context.close();
}
