// Offline after the first load: with the service worker allowed, a first
// visit downloads and keeps only what its first view needs (the page, one
// engine build, the first model, MNIST and its classifier); what is used
// later is kept when it is used. The page then loads, shows samples,
// trains, opens the models and data used online, and the 2-D mode, with
// the server stopped.
import { answerReplace, check, E2E, newContext, newPage, startServer, state, stopServer, waitFor, waitReady } from './helpers.mjs';

export async function run({ browser }) {
  const { child, url } = await startServer(E2E);
  const site = url + 'site/';
  const context = await newContext(browser, { serviceWorkers: 'allow' });
  try {
    // what the first visit downloads (the page's and the service worker's requests)
    const got = [];
    const onResponse = async (r) => {
      const size = Number(r.headers()['content-length'] || 0);
      got.push({ file: new URL(r.url()).pathname.replace(/^.*\/site\//, ''), size });
    };
    context.on('response', onResponse);
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
    await waitFor(page, () => window.ganplay.state.offlineReady, null, 'the engine build kept', 60000);
    const cached = async () => page.evaluate(async () => {
      const cache = await caches.open((await caches.keys())[0]);
      return (await cache.keys()).map((r) => new URL(r.url).pathname.replace(/^.*\/site\//, ''));
    });
    let files = await cached();
    context.off('response', onResponse);
    // each file once: the service worker's second fetch of what the page fetched is revalidated (304), not sent again
    const sizes = new Map(got.map((r) => [r.file, r.size]));
    const bytes = [...sizes.values()].reduce((a, n) => a + n, 0);
    const engines = new Set(got.filter((r) => /^ganplay.*\.wasm$/.test(r.file)).map((r) => r.file));
    check(!got.some((r) => /fashion|mnist-dcgan|emoji/.test(r.file)) && engines.size === 1 && bytes < 6e6,
      'the first visit downloads what the first view needs: one engine build, the first model, MNIST and its classifier',
      `${sizes.size} files, ${(bytes / 1e6).toFixed(1)} MB; engines ${[...engines].join(', ')}`);
    check(files.includes('ganplay-threads-relaxed.wasm') && files.includes('ganplay-threads-relaxed.worker.js') &&
      files.includes('data/mnist.bin.gz') && !files.some((f) => /fashion|emoji/.test(f)) && !files.includes('ganplay-simd.wasm'),
    'the service worker keeps the first view\'s files and the engine build this browser runs, not the rest',
    files.filter((f) => !f.startsWith('js/')).join(', '));
    // the other models and Fashion-MNIST, used once online, are kept as they are used
    for (const i of [1, 2]) {
      const before = (await state(page)).model.name;
      await page.selectOption('#model-pick', String(i));
      await waitFor(page, (b) => window.ganplay.state.model.name !== b && !window.ganplay.state.model.hasD, before, `online: model ${i}`);
    }
    await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'fashion' &&
      window.ganplay.state.dataset.fd, null, 'online: fashion data and classifier', 60000);
    await waitFor(page, async () => {
      const cache = await caches.open((await caches.keys())[0]);
      return (await cache.keys()).filter((r) => /fashion|mnist-dcgan/.test(r.url)).length >= 4;
    }, null, 'online: what was used is kept', 60000);
    files = await cached();
    check(['data/fashion.bin.gz', 'models/fashion-cdcgan.gpm', 'models/mnist-dcgan.gpm', 'models/fashion-classifier.gpc']
      .every((f) => files.includes(f)), 'the models and data used are kept once used', files.filter((f) => !f.startsWith('js/')).join(', '));
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
