// First impression: samples of a shipped generator appear at once; "New
// samples" and the noise seed; settings from the address; keyboard labels;
// the page at 360 px (no horizontal overflow) and on a desktop.
import os from 'node:os';
import path from 'node:path';
import { SHOTS, canvasInfo, check, newContext, newPage, openPage, state, waitDrawn, waitFor, waitReady } from './helpers.mjs';

export async function run({ browser, site, manifest }) {
  const { context, page } = await openPage(browser, site);
  let s = await state(page);
  check(s.errors.length === 0, 'no errors shown in the page', s.errors.join('; '));
  // make serve sends COOP/COEP: the page is cross-origin isolated and runs the threaded build on every core
  const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
  const engineText = await page.textContent('#r-build');
  // (and Chromium has relaxed SIMD: fused multiply-add)
  check(s.build === 'threads-relaxed' && s.threads === cores && cores >= 2 && engineText.includes(`${cores} threads`) &&
    /fused multiply-add/.test(engineText),
    `the threaded relaxed-SIMD build runs one thread per core, and the page says so (${s.build}, ${s.threads} of ${cores}: "${engineText}")`);
  // timing is a figure, printed, not asserted (wall-clock thresholds fail on a
  // busy machine and say nothing about the page): fresh loads in the running
  // browser, whose own start-up is not the page's
  const times = [s.firstGridAt];
  const policies = {};
  for (let i = 0; i < 3; i++) {
    const c = await newContext(browser);
    const p = await newPage(c);
    // the server sends the site's _headers: the page and its worker run under the Content-Security-Policy
    if (i === 0) {
      c.on('response', (r) => {
        const name = new URL(r.url()).pathname.replace(/^.*\/site\//, '');
        if (name === '' || name === 'worker.js') {
          policies[name || 'page'] = r.headers()['content-security-policy'] || '';
          policies[`${name || 'page'} isolation`] = `${r.headers()['cross-origin-opener-policy']} ${r.headers()['cross-origin-embedder-policy']}`;
        }
      });
    }
    await p.goto(site);
    await p.waitForFunction(() => window.ganplay && window.ganplay.state.firstGridAt !== null, null, { timeout: 20000 });
    times.push(await p.evaluate(() => window.ganplay.state.firstGridAt));
    await c.close();
  }
  check(times.every((t) => Number.isFinite(t) && t > 0), 'the first 64 samples appear on every fresh load without training');
  check(['page', 'worker.js'].every((k) => /default-src 'self'/.test(policies[k] || '') && /wasm-unsafe-eval/.test(policies[k])),
    'the page and the engine\'s worker are served with the Content-Security-Policy (and the engine runs under it)',
    JSON.stringify(Object.keys(policies)));
  check(policies['page isolation'] === 'same-origin require-corp' && policies['worker.js isolation'] === 'same-origin require-corp',
    'and with the cross-origin isolation headers (COOP same-origin, COEP require-corp)', JSON.stringify(policies));
  console.log(`     first samples on screen after ${times.map((t) => t.toFixed(0)).join(', ')} ms ` +
    `(best ${Math.min(...times).toFixed(0)} ms; load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  check(s.model && s.model.name === manifest.models[0].name && !s.model.hasD, 'they come from the first pretrained model of models.json',
    s.model && s.model.name);
  const grid = await canvasInfo(page, 'grid');
  check(grid.w === 242 && grid.h === 242 && grid.std > 20 && grid.distinct > 20, 'the grid holds 8x8 real images',
    `${grid.w}x${grid.h}, std ${grid.std.toFixed(1)}, ${grid.distinct} gray levels`);

  // new samples: another seed, another grid; the same seed, the same grid
  const before = grid.hash;
  await page.click('#new-samples');
  await waitFor(page, (n) => window.ganplay.state.grids > n, s.grids, 'new samples drawn');
  const seed = Number(await page.inputValue('#noise-seed'));
  const other = await canvasInfo(page, 'grid');
  check(other.hash !== before && seed !== 1, '"New samples" draws a different grid and shows its seed', `seed ${seed}`);
  s = await state(page);
  await page.fill('#noise-seed', '1');
  await page.press('#noise-seed', 'Enter');
  await waitFor(page, (n) => window.ganplay.state.grids > n, s.grids, 'seed 1 drawn');
  check((await canvasInfo(page, 'grid')).hash === before, 'noise seed 1 gives the first grid again');
  await page.fill('#noise-seed', '-3');
  await page.press('#noise-seed', 'Enter');
  const seedMsg = await page.textContent('#noise-seed-msg');
  check(/refused/.test(seedMsg) && (await page.getAttribute('#noise-seed', 'aria-invalid')) === 'true',
    'a negative noise seed is refused next to the field', seedMsg);

  // keyboard: every control has a label, and Start is reachable with Tab
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, button, textarea')]
    .filter((el) => !el.closest('[hidden]'))
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !(el.textContent || '').trim())
    .map((el) => el.id || el.outerHTML.slice(0, 60)));
  check(unlabelled.length === 0, 'every control has a label', unlabelled.join(', '));
  const twice = await page.evaluate(() => {
    const seen = new Map();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  });
  check(twice.length === 0, 'no id is used twice in the page', twice.join(', '));
  let reached = false;
  await page.focus('body');
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'start');
  }
  check(reached, 'Start is reachable with the Tab key');

  await waitDrawn(page, 'the page drawn for its screenshot');
  await page.screenshot({ path: path.join(SHOTS, 'page.png'), fullPage: true });
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  await page.close();

  // the address holds settings: they show in the fields and the model uses them
  const linked = await newPage(context);
  await linked.goto(site + '#preset=mlp&lr_g=0.001&seed=7&beta1=0.4&d_steps=2&loss=minimax&noise=5');
  await waitReady(linked, 'linked page ready');
  await waitFor(linked, () => window.ganplay.state.dataset, null, 'linked page: dataset loaded');
  const fields = await linked.evaluate(() => ['f-preset', 'f-lr_g', 'f-seed', 'f-beta1', 'f-d_steps', 'f-loss', 'noise-seed']
    .map((id) => document.getElementById(id).value));
  check(JSON.stringify(fields) === JSON.stringify(['mlp', '0.001', '7', '0.4', '2', 'minimax', '5']), 'settings from the address show in the fields',
    fields.join(', '));
  await linked.click('#step');
  await waitFor(linked, () => window.ganplay.state.step >= 1, null, 'linked page: one step');
  const info = await linked.evaluate(() => window.ganplay.debug.modelInfo());
  const c = info.config;
  check(c.preset === 'mlp' && Math.abs(c.lr_g - 0.001) < 1e-9 && c.seed === 7 && Math.abs(c.beta1 - 0.4) < 1e-7 && c.d_steps === 2 && c.loss === 'minimax',
    'the model trains with the settings of the address', JSON.stringify(c));
  s = await state(linked);
  check(s.dStep === 2 && s.step === 1, 'd_steps = 2 from the address: one step is two D steps and one G step', `${s.dStep} D, ${s.step} G`);
  const bad = await newPage(context);
  await bad.goto(site + '#lr_g=banana&batch=1&lr=0.0005');
  await waitReady(bad, 'page with bad link ready');
  await waitFor(bad, () => document.getElementById('f-batch-msg').textContent.length > 0, null, 'bad link: messages shown');
  const msgs = await bad.evaluate(() => [document.getElementById('f-lr_g-msg').textContent, document.getElementById('f-batch-msg').textContent]);
  check(/^Learning rate of G: .*number.*banana/.test(msgs[0]) && /^Batch size: .*got 1\b/.test(msgs[1]),
    'refused settings from the address say why next to their fields, by label and with the text given', msgs.join(' | '));
  check((await bad.inputValue('#f-lr_d')) === '0.0005', 'lr= in the address sets the learning rate of a network it does not name');
  await bad.close();
  await linked.close();

  // a phone: 360 px wide, nothing wider than the screen
  const phone = await newContext(browser, { width: 360, height: 780 });
  const small = await newPage(phone);
  await small.goto(site);
  await waitReady(small, '360 px page ready');
  await waitDrawn(small, '360 px: the page drawn');
  const overflow = await small.evaluate(() => ({
    sw: document.documentElement.scrollWidth,
    wide: [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > 361 && el.offsetParent !== null)
      .map((el) => el.id || el.className || el.tagName).slice(0, 5),
  }));
  check(overflow.sw <= 360 && overflow.wide.length === 0, 'no horizontal overflow at 360 px', `scrollWidth ${overflow.sw} ${overflow.wide.join(',')}`);
  await small.screenshot({ path: path.join(SHOTS, 'page-360.png'), fullPage: true });
  await small.screenshot({ path: path.join(SHOTS, 'phone.png') });
  check(small.errors.length === 0, '360 px: no console errors', small.errors.join(' | '));
  await phone.close();
  await context.close();
}
