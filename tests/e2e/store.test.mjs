// The page's saved runs (IndexedDB, written by the engine's worker): a
// storage that is full is said where it is seen, with the reason and a
// download; a reload resumes within the autosave's promise; a run open in
// two tabs has one writer; own drawings come back with their run; a bad
// model file is refused before any question. Names after the file run
// parts alone: GP_STORE=quota,reload node tests/e2e/run.mjs store
import { answerReplace, check, newContext, newPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

// Every put into IndexedDB, in the page and in its workers, throws what a full storage throws.
const FULL = "IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', " +
  "'QuotaExceededError'); };\n";

async function quota({ browser, site }) {
  const context = await newContext(browser);
  await context.route(/\/worker\.js$/, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: FULL + (await res.text()) });
  });
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  await page.click('#step');
  await waitFor(page, () => window.ganplay.state.step >= 1, null, 'quota: one step');
  await page.evaluate(() => window.ganplay.debug.saveNow());
  await waitFor(page, () => !document.getElementById('error').hidden, null, 'quota: the failed autosave is said', 30000);
  const text = await page.textContent('#error-list');
  check(/Autosave failed: the browser's storage is full \(QuotaExceededError\)/.test(text) && /Download/.test(text),
    'a full storage is said where it is seen, with the reason and what to do', text);
  check(await page.isVisible('#error-download'), 'with a button that downloads the training');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#error-download')]);
  check(/-training\.gpm$/.test(download.suggestedFilename()), 'which downloads the training state', download.suggestedFilename());
  await context.close();
}

const PARTS = { quota };

export async function run(ctx) {
  const only = (process.env.GP_STORE || '').split(',').filter(Boolean);
  for (const [name, fn] of Object.entries(PARTS)) {
    if (only.length && !only.includes(name)) continue;
    console.log(`-- ${name}`);
    await fn(ctx);
  }
}
