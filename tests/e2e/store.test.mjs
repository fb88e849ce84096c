// The page's saved runs (IndexedDB, written by the engine's worker): a
// storage that is full is said where it is seen, with the reason and a
// download; a reload resumes within the autosave's promise; a run open in
// two tabs has one writer; own drawings come back with their run; a bad
// model file is refused before any question. Names after the file run
// parts alone: GP_STORE=quota,reload node tests/e2e/run.mjs store
import fs from 'node:fs';
import path from 'node:path';
import { E2E, answerReplace, check, newContext, newPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

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

// A damaged model file is refused before the page asks whether to replace the training on show.
async function corrupt({ browser, site }) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  await page.click('#step');
  await waitFor(page, () => window.ganplay.state.step >= 1 && window.ganplay.state.model.hasD, null, 'corrupt: one step');
  const good = fs.readFileSync(path.join(E2E, 'site/models/mnist-cdcgan.gpm'));
  const bad = Buffer.from(good);
  bad[bad.length >> 1] ^= 0x40;
  await page.evaluate(() => {
    window.__asked = 0;
    const show = HTMLDialogElement.prototype.showModal;
    HTMLDialogElement.prototype.showModal = function () {
      window.__asked++;
      return show.call(this);
    };
  });
  const answers = (await state(page)).loadAnswers;
  await page.setInputFiles('#load-file', { name: 'damaged.gpm', mimeType: 'application/octet-stream', buffer: bad });
  await waitFor(page, (n) => window.ganplay.state.loadAnswers > n || document.getElementById('confirm').open, answers,
    'corrupt: the file is answered');
  const asked = await page.evaluate(() => window.__asked);
  const msg = await page.textContent('#load-msg');
  check(asked === 0 && /damaged\.gpm was refused/.test(msg) && /Nothing changed/.test(msg),
    'a damaged model file is refused without asking to replace the training on show', `asked ${asked} times; ${msg}`);
  const s = await state(page);
  check(s.step >= 1 && s.model.hasD, 'and the training on show stays', `step ${s.step}`);
  // a good one still asks first
  await page.setInputFiles('#load-file', { name: 'good.gpm', mimeType: 'application/octet-stream', buffer: good });
  await answerReplace(page, 'no');
  check(await page.evaluate(() => window.__asked) === 1, 'a good file still asks first');
  await context.close();
}

async function draw(page, k) {
  await page.locator('#pad').scrollIntoViewIfNeeded(); // a stroke off the screen reaches no canvas
  const box = await page.locator('#pad').boundingBox();
  const x0 = box.x + box.width * (0.3 + 0.04 * (k % 5)), y0 = box.y + box.height * 0.2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + box.width * 0.15, y0 + box.height * 0.3, { steps: 4 });
  await page.mouse.move(x0 - box.width * 0.05 * (k % 3), y0 + box.height * 0.6, { steps: 4 });
  await page.mouse.up();
  await page.click('#pad-add');
}

// A run on the user's own drawings, resumed after a reload, brings them back to their panel.
async function own({ browser, site }) {
  const context = await newContext(browser);
  let page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  await page.selectOption('#dataset', 'own');
  for (let k = 0; k < 13; k++) await draw(page, k);
  await page.click('#own-use');
  await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'own', null, 'own: in use');
  await page.click('#step');
  await waitFor(page, () => window.ganplay.state.step >= 1, null, 'own: one step');
  await page.evaluate(() => window.ganplay.debug.saveNow());
  await waitFor(page, () => window.ganplay.state.saved && window.ganplay.state.saved.step >= 1, null, 'own: saved');
  await page.close();
  // MNIST, which the page loads at its start, is held back until after Resume: the
  // offer must not wait on it, and its late arrival must not replace the run's own images
  let release;
  const held = new Promise((r) => (release = r));
  await context.route(/\/data\/mnist\.bin(\.gz)?$/, async (route) => {
    await held;
    await route.continue();
  });
  page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitFor(page, () => !document.getElementById('banner').hidden, null, 'own: resume offered while MNIST still loads');
  await page.click('#resume');
  release();
  await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'own' && window.ganplay.state.step >= 1,
    null, 'own: resumed');
  await waitFor(page, () => /13 images/.test(document.getElementById('own-count').textContent), null, 'own: the panel refilled');
  await waitFor(page, () => window.ganplay.state.startupDone, null, 'own: MNIST arrived after the resume');
  const count = await page.textContent('#own-count');
  const s = await state(page);
  check(/^13 images/.test(count) && s.dataset.count === 13 && await page.isVisible('#own-thumbs'),
    'a resumed run on your own drawings shows them again in their panel', `${count}; dataset ${s.dataset.count}`);
  await context.close();
}

// Two tabs of one browser on the same saved run: the second goes on as a
// copy, said on the page, and the first tab's saves of the run stay its own.
async function tabs({ browser, site }) {
  const context = await newContext(browser);
  const a = await newPage(context);
  await a.goto(site);
  await waitReady(a);
  await waitDataset(a);
  for (let k = 0; k < 3; k++) {
    await a.click('#step');
    await waitFor(a, (n) => window.ganplay.state.step === n, k + 1, `tabs: step ${k + 1}`);
  }
  await a.evaluate(() => window.ganplay.debug.saveNow());
  await waitFor(a, () => window.ganplay.state.saved && window.ganplay.state.saved.step === 3, null, 'tabs: A saved');
  const runA = (await state(a)).saved.id;
  const b = await newPage(context);
  await b.goto(site);
  await waitReady(b);
  await waitFor(b, () => !document.getElementById('banner').hidden, null, 'tabs: B offered the run');
  await b.click('#resume');
  await waitFor(b, () => window.ganplay.state.resumedCopy !== undefined && window.ganplay.state.step === 3, null, 'tabs: B resumed');
  const note = await b.textContent('#error-list');
  check((await state(b)).resumedCopy === true && /open in another tab; continuing as a copy/.test(note) && await b.isVisible('#error'),
    'a run open in another tab is resumed as a copy, and the page says so', note);
  // B trains less and saves; A trains on and saves: neither overwrites the other
  await b.evaluate(() => window.ganplay.debug.saveNow());
  await waitFor(b, () => window.ganplay.state.saved && window.ganplay.state.saved.step === 3, null, 'tabs: B saved');
  const runB = (await state(b)).saved.id;
  for (let k = 3; k < 5; k++) {
    await a.click('#step');
    await waitFor(a, (n) => window.ganplay.state.step === n, k + 1, `tabs: A step ${k + 1}`);
  }
  await a.evaluate(() => window.ganplay.debug.saveNow());
  await waitFor(a, () => window.ganplay.state.saved && window.ganplay.state.saved.step === 5, null, 'tabs: A saved again');
  await b.evaluate(() => window.ganplay.debug.saveNow());
  const list = await b.evaluate(() => window.ganplay.debug.savedInfo().then((i) => i.list));
  const of = (id) => (list.find((r) => r.id === id) || {}).step;
  check(runB !== runA && of(runA) === 5 && of(runB) === 3, 'the first tab keeps writing the run, the copy saves apart',
    `A ${runA} at ${of(runA)}, B ${runB} at ${of(runB)}`);
  const name = (id) => (list.find((r) => r.id === id) || {}).name || '';
  check(name(runB) === `${name(runA)} (copy)` && (await state(b)).model.name === name(runB),
    'the copy is named as the run it copies, with "(copy)", on the page and among the saved runs', `${name(runA)} | ${name(runB)}`);
  await context.close();
}

// A reload in the middle of training resumes from the newest state stored,
// and loses what docs/reliability.md promises: the steps since that state
// was kept, at most keep_ms (2 s, under 5 s) plus the time the browser took
// to store a state (each is about 25 MB for the MLP; on a busy machine
// storing takes seconds, so the bound is measured, not assumed).
const PROMISE_MS = 5000;

async function reload({ browser, site }) {
  const context = await newContext(browser);
  let page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  // the page's own record over time: [now, step, the newest stored step, when it was kept]
  await page.evaluate(() => {
    window.__steps = [];
    setInterval(() => {
      const st = window.ganplay.state;
      window.__steps.push([Date.now(), st.step, st.saved ? st.saved.step : -1, st.saved ? st.saved.savedAt : 0]);
    }, 20);
  });
  await page.click('#start');
  // three saves in, and training on past the last one
  await waitFor(page, () => {
    const s = window.ganplay.state;
    window.__saves = (window.__saves || new Set()).add(s.saved && s.saved.savedAt);
    return window.__saves.size >= 4 && s.step > s.saved.step;
  }, null, 'reload: three saves', 120000);
  const record = await page.evaluate(() => ({ at: Date.now(), steps: window.__steps, keep: window.ganplay.state.keepMs,
    shown: window.ganplay.state.step }));
  await page.reload();
  await waitReady(page);
  await waitFor(page, () => !document.getElementById('banner').hidden, null, 'reload: resume offered');
  await page.click('#resume');
  await waitFor(page, () => window.ganplay.state.model && window.ganplay.state.model.hasD && window.ganplay.state.step > 0, null,
    'reload: resumed');
  const resumed = (await state(page)).step;
  // each store: kept at savedAt, seen by the page at its first row
  const stores = [];
  for (const [t, , step, keptAt] of record.steps) if (step >= 0 && (!stores.length || stores[stores.length - 1].step !== step))
    stores.push({ step, keptAt, seen: t });
  const newest = stores[stores.length - 1], slowest = Math.max(...stores.map((x) => x.seen - x.keptAt));
  const lost = record.at - newest.keptAt, bound = record.keep + slowest + 1000;
  check(resumed >= newest.step && resumed <= record.shown && record.keep < PROMISE_MS && lost <= bound,
    `a reload resumes from the newest state stored, kept ${(lost / 1000).toFixed(1)} s before it (every ${record.keep / 1000} s, ` +
    `stored within ${(slowest / 1000).toFixed(1)} s)`,
    `newest stored step ${newest.step}, ${record.shown} at the reload, resumed at ${resumed}; lost ${lost} ms, at most ${bound}; ` +
    `stores (step: kept, seen, in s before the reload) ${stores.map((x) =>
      `${x.step}: ${((record.at - x.keptAt) / 1000).toFixed(1)}, ${((record.at - x.seen) / 1000).toFixed(1)}`).join('; ')}`);
  await context.close();
}

const PARTS = { quota, corrupt, own, tabs, reload };

export async function run(ctx) {
  const only = (process.env.GP_STORE || '').split(',').filter(Boolean);
  for (const [name, fn] of Object.entries(PARTS)) {
    if (only.length && !only.includes(name)) continue;
    console.log(`-- ${name}`);
    await fn(ctx);
  }
}
