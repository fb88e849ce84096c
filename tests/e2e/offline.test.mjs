// Offline after the first load: with the service worker allowed, a first
// visit keeps the site's files (the other models and data once the page has
// started); the page then loads, shows samples, trains and opens every
// model and dataset it offers, and the 2-D mode, with the server stopped.
import { answerReplace, check, E2E, newContext, newPage, startServer, state, stopServer, waitFor, waitReady } from './helpers.mjs';

export async function run({ browser }) {
  const { child, url } = await startServer(E2E);
  const site = url + 'site/';
  const context = await newContext(browser, { serviceWorkers: 'allow' });
  try {
    let page = await newPage(context);
    await page.goto(site);
    await waitReady(page);
    await waitFor(page, () => window.ganplay.state.dataset, null, 'dataset loaded');
    // the service worker controls the page once it is active, and it is
    // active once its install has kept the first visit's files
    await waitFor(page, () => navigator.serviceWorker.controller, null, 'the service worker controls the page', 60000);
    const kept = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const keys = await caches.keys();
      return keys.length ? (await (await caches.open(keys[0])).keys()).length : 0;
    });
    check(kept >= 15, 'the service worker keeps the site\'s files after the first load', `${kept} files`);
    await waitFor(page, () => window.ganplay.state.offlineReady, null, 'the other models and data kept', 60000);
    const files = await page.evaluate(async () => {
      const cache = await caches.open((await caches.keys())[0]);
      return (await cache.keys()).map((r) => new URL(r.url).pathname.replace(/^.*\/site\//, ''));
    });
    check(files.includes('data/fashion.bin.gz') && files.filter((f) => f.endsWith('.gpm')).length === 3 &&
      !files.includes('ganplay.wasm') && ['ganplay-simd.wasm', 'ganplay-relaxed.wasm', 'ganplay-threads.wasm',
      'ganplay-threads-relaxed.wasm', 'ganplay-threads-relaxed.worker.js'].every((f) => files.includes(f)),
    'then every model and dataset, and only the SIMD engines (threaded or not, fused or not) this browser runs',
    files.filter((f) => !f.startsWith('js/')).join(', '));
    await page.close();
    await stopServer(child);

    page = await newPage(context);
    await page.goto(site);
    await waitReady(page, 'offline: page ready');
    await waitFor(page, () => window.ganplay.state.firstGridAt !== null && window.ganplay.state.dataset, null, 'offline: samples and data');
    let s = await state(page);
    check(s.ready && s.errors.length === 0 && s.grids > 0, 'with the server stopped the page still loads and shows samples', s.errors.join('; '));
    check(s.build === 'threads-relaxed' && s.threads >= 2, 'offline too, the page is isolated and runs the threaded engine', `${s.build}, ${s.threads}`);
    await page.click('#start');
    await waitFor(page, () => window.ganplay.state.model.hasD && window.ganplay.state.step >= 3, null, 'offline: trains');
    await page.click('#pause');
    s = await state(page);
    check(s.step >= 3, 'and trains', `step ${s.step}`);
    // every model the page offers opens offline, the Fashion-MNIST one with its data
    for (const i of [1, 2]) {
      const before = (await state(page)).model.name;
      await page.selectOption('#model-pick', String(i));
      if (i === 1) await answerReplace(page); // the offline training on show
      await waitFor(page, (b) => window.ganplay.state.model.name !== b && !window.ganplay.state.model.hasD, before, `offline: model ${i}`);
    }
    await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'fashion', null, 'offline: fashion data');
    s = await state(page);
    check(s.errors.length === 0 && s.dataset.id === 'fashion' && /Fashion/.test(s.model.name),
      'offline, the other models and Fashion-MNIST open too', `${s.model.name}; errors: ${s.errors.join('; ')}`);
    // the 2-D mode too
    await page.goto(`${site}#lesson=healthy`);
    await waitFor(page, () => window.ganplay && window.ganplay.mode2d.lesson === 'healthy' && window.ganplay.mode2d.lastFrame &&
      window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes, null, 'offline: the 2-D mode draws', 60000);
    await page.click('#round-2d');
    await waitFor(page, () => window.ganplay.mode2d.run.rounds === 1, null, 'offline: a 2-D round');
    check(page.errors.length === 0, 'offline, the 2-D mode opens and trains', page.errors.join(' | '));
  } finally {
    await stopServer(child);
    await context.close();
  }
}
