// Threads on every host: under make serve (COOP/COEP sent) the page runs
// the threaded engine (see first.test); on a host that sends no isolation
// headers the service worker adds them, the page reloads once by itself
// and then runs threaded, online and offline; where isolation is
// impossible (no service worker, no headers) it runs one thread and says
// why. The threaded page trains the same weights as the one-thread page.
import fs from 'node:fs';
import path from 'node:path';
import { E2E, check, newContext, newPage, startServer, state, stopServer, waitFor, waitReady } from './helpers.mjs';

// The page's state once it is ready and has the fields of `want` (a value,
// or SET for any value but null), taken in the document where it had them,
// across the reload the page may do by itself (the wait goes on in the new
// document).
const SET = '(set)';
async function settledState(page, want, what) {
  try {
    const handle = await page.waitForFunction(([want, set]) => {
      const s = window.ganplay && window.ganplay.state.ready && JSON.parse(JSON.stringify({ ...window.ganplay.state,
        isolated: self.crossOriginIsolated, engineText: document.getElementById('r-build').textContent }));
      const has = s && Object.entries(want).every(([k, v]) => (v === set ? s[k] !== null && s[k] !== undefined : s[k] === v));
      return has ? JSON.stringify(s) : false;
    }, [want, SET], { timeout: 60000, polling: 50 });
    return JSON.parse(await handle.jsonValue());
  } catch (e) {
    check(false, what, `the page never got there: ${e.message.split('\n')[0]}`);
    return null;
  }
}

// n single steps (D then G) of a new model from the link's settings; the weights' checksums
async function stepped(page, n) {
  await waitFor(page, () => window.ganplay.state.dataset, null, 'dataset loaded');
  for (let i = 0; i < n; i++) {
    const before = (await state(page)).step;
    await page.click('#step');
    await waitFor(page, (b) => window.ganplay.state.step > b && !window.ganplay.state.running, before, `step ${i + 1}`);
  }
  return page.evaluate(() => window.ganplay.debug.checksum());
}

export async function run({ browser }) {
  // the same site on a host that sends no isolation headers
  const plain = path.join(E2E, 'plain');
  fs.cpSync(path.join(E2E, 'site'), plain, { recursive: true });
  const headers = fs.readFileSync(path.join(plain, '_headers'), 'utf8');
  fs.writeFileSync(path.join(plain, '_headers'), headers.replace(/^\s*Cross-Origin-(Opener|Embedder)-Policy:.*\n/gm, ''));
  const { child, url } = await startServer(E2E);
  const site = url + 'plain/';
  const context = await newContext(browser, { serviceWorkers: 'allow' });
  try {
    const page = await newPage(context);
    const navigations = []; // documents loaded in this tab
    page.on('domcontentloaded', () => navigations.push(page.url()));
    await page.goto(site + '#seed=5&noise=3');
    await waitReady(page);
    const first = await settledState(page, {}, 'first visit: page ready');
    check(first && !first.isolated && first.build === 'relaxed' && first.threads === 1 && /not cross-origin isolated/.test(first.engineText),
      'first visit on a host without isolation headers: one thread, and the page says why', first && first.engineText);
    // the service worker takes over and the page reloads once, by itself
    const s = await settledState(page, { build: 'threads-relaxed' }, 'the page reloads into the threaded engine');
    check(s && s.isolated && s.threads >= 2 && s.engineText.includes(`${s.threads} threads`) && navigations.length === 2,
      'once the service worker adds the headers, the page reloads once and runs threaded',
      s && `${s.engineText}; ${navigations.length} navigations`);
    check(page.errors.length === 0, 'no errors across the reload', page.errors.join(' | '));
    const url1 = navigations[navigations.length - 1];
    check(/[#&]seed=5(&|$)/.test(url1) && /[#&]noise=3(&|$)/.test(url1), 'the reload keeps the address (settings in the link)', url1);

    // the same steps on one thread and on the pool: the same weights, for the
    // fused builds and for the strict ones
    const sums = { 'threads-relaxed': await stepped(page, 3) };
    for (const build of ['relaxed', 'threads', 'simd']) {
      const other = await newPage(context);
      await other.goto(`${site}?build=${build}#seed=5&noise=3`);
      const o = await settledState(other, { build }, `?build=${build}`);
      check(o && o.isolated && o.threads === (build.startsWith('threads') ? s.threads : 1), `?build=${build} runs it in an isolated page`,
        o && o.engineText);
      sums[build] = await stepped(other, 3);
      await other.close();
    }
    const same = (a, b) => JSON.stringify(sums[a]) === JSON.stringify(sums[b]) && sums[a].g_hash !== undefined;
    check(same('threads-relaxed', 'relaxed') && same('threads', 'simd') && !same('threads', 'relaxed'),
      'three steps on the threaded engines give the same weights as on one thread (fused and strict builds apart)',
      JSON.stringify(sums));

    // offline: still isolated by the service worker, still threaded
    await waitFor(page, () => window.ganplay.state.offlineReady, null, 'the other files kept for offline', 60000);
    await stopServer(child);
    const off = await newPage(context);
    await off.goto(site);
    const o = await settledState(off, { firstGridAt: SET }, 'offline: page ready');
    check(o && o.isolated && o.build === 'threads-relaxed' && o.errors.length === 0, 'offline, the service worker still isolates the page: threaded',
      o && `${o.engineText}; ${o.errors.join('; ')}`);
    await off.close();
  } finally {
    await stopServer(child);
    await context.close();
  }

  // where isolation is impossible (no headers and no service worker): one thread, and why
  const again = await startServer(E2E);
  const blocked = await newContext(browser, { serviceWorkers: 'block' });
  try {
    const page = await newPage(blocked);
    await page.goto(again.url + 'plain/');
    const s = await settledState(page, {}, 'no service worker: page ready');
    check(s && !s.isolated && s.build === 'relaxed' && s.threads === 1 && /not cross-origin isolated/.test(s.engineText) &&
      s.errors.length === 0, 'without headers or a service worker, the page runs one thread and says why', s && s.engineText);
  } finally {
    await blocked.close();
    await stopServer(again.child);
  }
}
