// Train and watch: a short run changes the grid, the charts, the timeline
// and D's verdicts; nothing moves on the page while it trains (how long the
// page's own tasks take is a figure of make bench, scripts/bench-page.mjs);
// an invalid setting is refused while training goes on; "One D step" and
// "One G step" change only their network; NaN stops training cleanly and
// the last good state comes back; the portable build trains too.
import path from 'node:path';
import { SHOTS, canvasInfo, check, newContext, newPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

// steps trained before the checks (more for README screenshots): at least
// two snapshot intervals past the settings' change
const TRAIN_STEPS = Number(process.env.E2E_TRAIN_STEPS) || 0;

export async function run({ browser, site }) {
  const context = await newContext(browser);
  const page = await newPage(context, { longTasks: true });
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  const pretrained = await canvasInfo(page, 'grid');
  const chartBefore = await canvasInfo(page, 'chart-loss');

  // training, watched for layout shifts
  const fdOn = await page.evaluate(() => window.ganplay.state.classifier);
  check(fdOn, 'the shipped classifier is loaded for the digit FD');
  if (fdOn) await waitFor(page, () => window.ganplay.state.dataset.fd, null, 'the classifier is loaded');
  if (fdOn) await page.evaluate(() => window.ganplay.debug.setFdEvery(20)); // often enough to see in a short run
  await page.click('#settings-box > summary');
  await page.click('#start');
  await waitFor(page, () => window.ganplay.state.running && window.ganplay.state.model.hasD && window.ganplay.state.step > 0, null, 'training starts');
  const t0 = await page.evaluate(() => performance.now());
  // every change of a section's size from here on, as it happens (the CLS
  // entries alone miss a section that grows at the bottom of the page)
  await page.evaluate(() => {
    window.__resized = [];
    const seen = new Map();
    const ro = new ResizeObserver((entries) => {
      for (const e of entries) {
        const size = `${Math.round(e.borderBoxSize[0].inlineSize)}x${Math.round(e.borderBoxSize[0].blockSize)}`;
        const was = seen.get(e.target.id);
        if (was !== undefined && was !== size) window.__resized.push(`#${e.target.id} ${was} -> ${size}`);
        seen.set(e.target.id, size);
      }
    });
    for (const id of ['samples', 'train', 'watch', 'explore', 'keep']) ro.observe(document.getElementById(id));
  });
  const layoutBefore = await page.evaluate(() => ['samples', 'train', 'watch', 'explore', 'keep']
    .map((id) => document.getElementById(id).getBoundingClientRect()).map((r) => [r.x, r.y + window.scrollY, r.width, r.height].map(Math.round).join(',')));

  // an invalid value while training: refused next to the field, the model untouched
  const stepAtEdit = (await state(page)).step;
  await page.fill('#f-lr_g', '-1');
  await page.press('#f-lr_g', 'Enter');
  await waitFor(page, () => document.getElementById('f-lr_g-msg').dataset.kind === 'error', null, 'lr_g message shown');
  const msg = await page.textContent('#f-lr_g-msg');
  check(/^Learning rate of G: .*got -1/.test(msg) && /refused/.test(msg) && (await page.getAttribute('#f-lr_g', 'aria-invalid')) === 'true' &&
    (await page.inputValue('#f-lr_g')) === '0.001',
  'an invalid learning rate is refused next to its field by its label, and the field shows the value in use', msg);
  await page.fill('#f-lr_d', '0.0003');
  await page.press('#f-lr_d', 'Enter');
  await waitFor(page, () => document.getElementById('f-lr_d-msg').dataset.kind === 'note', null, 'lr_d accepted');
  const live = await page.evaluate(() => window.ganplay.debug.modelInfo());
  check(Math.abs(live.config.lr_g - 1e-3) < 1e-9 && live.config.ema === 0.99 && Math.abs(live.config.lr_d - 3e-4) < 1e-9,
    'the running model kept its lr_g and took the valid lr_d at once', `lr_g ${live.config.lr_g}, lr_d ${live.config.lr_d}`);
  await waitFor(page, () => window.ganplay.charts.lossChart.markers.length > 0, null, 'change marked');
  const marks = await page.evaluate(() => window.ganplay.charts.lossChart.markers);
  check(marks.length === 1 && marks[0].label === 'lr_d 0.0003' && marks[0].x > 0,
    'the charts mark where the learning rate changed during the run', JSON.stringify(marks));

  // until the run has made progress enough for the checks below (two
  // timeline snapshots, a digit FD where it is measured), however slow the machine
  await waitFor(page, ([n, fd, more]) => window.ganplay.state.step > n + Math.max(10, more) && window.ganplay.state.snapshots >= 2 &&
    (!fd || window.ganplay.state.fd.length > 0), [stepAtEdit, fdOn, TRAIN_STEPS], 'training passes two snapshot intervals', 180000);
  // the rates as the page shows them: the readouts and the state at one moment
  const rates = await page.evaluate(() => ({ ...JSON.parse(JSON.stringify(window.ganplay.state)),
    rateText: document.getElementById('r-rate').textContent, imagesText: document.getElementById('r-images').textContent }));
  let s = rates;
  check(s.running && s.step > stepAtEdit + 10, 'training went on after the refusal', `step ${stepAtEdit} -> ${s.step}`);
  check(s.stepsPerSec > 0 && rates.rateText === s.stepsPerSec.toFixed(1) && Math.abs(s.imagesPerSec - s.stepsPerSec * live.config.batch) <= 1e-6 * s.imagesPerSec &&
    rates.imagesText === String(Math.round(s.imagesPerSec)), 'steps/s and images/s (a batch each step) are shown',
  `${s.stepsPerSec.toFixed(1)} steps/s, ${Math.round(s.imagesPerSec)} images/s; readouts ${rates.rateText}, ${rates.imagesText}`);
  const t1 = await page.evaluate(() => performance.now());
  const perf = await page.evaluate(([a, b]) => ({
    tasks: window.__longTasks.filter((e) => e.start >= a && e.start <= b), shifts: window.__shifts.filter((e) => e.start >= a && e.start <= b),
    observer: !window.__noObserver,
  }), [t0, t1]);
  const longest = Math.max(0, ...perf.tasks.map((e) => e.duration));
  console.log(`     ${perf.tasks.length} long task(s) over 50 ms on the main thread during ${((t1 - t0) / 1000).toFixed(1)} s of training, ` +
    `longest ${longest.toFixed(0)} ms (printed, not asserted; make bench measures them)`);
  const shift = perf.shifts.reduce((a, e) => a + e.value, 0);
  const layoutAfter = await page.evaluate(() => ['samples', 'train', 'watch', 'explore', 'keep']
    .map((id) => document.getElementById(id).getBoundingClientRect()).map((r) => [r.x, r.y + window.scrollY, r.width, r.height].map(Math.round).join(',')));
  const resized = await page.evaluate(() => window.__resized);
  check(perf.observer && shift < 0.001 && JSON.stringify(layoutBefore) === JSON.stringify(layoutAfter) && resized.length === 0,
    'no layout shift while training: no section changes size or place',
    `layout shift ${shift.toFixed(4)}; resized ${resized.join(', ') || 'none'}; sections ${JSON.stringify(layoutBefore)} -> ${JSON.stringify(layoutAfter)}`);

  const grid = await canvasInfo(page, 'grid');
  check(grid.hash !== pretrained.hash && grid.std > 5, 'training replaced the grid with the new model\'s samples', `std ${grid.std.toFixed(1)}`);
  const chart = await canvasInfo(page, 'chart-loss'), dchart = await canvasInfo(page, 'chart-d');
  check(chart.hash !== chartBefore.hash && chart.colored > 100 && dchart.colored > 100, 'the loss and D(x) charts draw the run',
    `${chart.colored} and ${dchart.colored} line pixels`);
  check(s.realScores && s.fakeScores && s.realScores.length === 8 && [...s.realScores, ...s.fakeScores].every((p) => p > 0 && p < 1),
    'real and generated images are shown with D\'s scores', `real ${s.realScores?.map((p) => p.toFixed(2))}, fake ${s.fakeScores?.map((p) => p.toFixed(2))}`);
  const badges = await page.$$eval('#real-badges .badge', (b) => b.map((x) => x.textContent));
  check(badges.every((t) => /^0\.\d\d|1\.00$/.test(t)), 'each real image has its score badge', badges.join(' '));

  // pause; then the timeline scrubs back
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running, null, 'pause');
  await waitFor(page, () => window.ganplay.state.snapshots >= 2, null, 'at least two snapshots');
  s = await state(page);
  await page.locator('#watch').screenshot({ path: path.join(SHOTS, 'watch.png') });
  const latest = await canvasInfo(page, 'timeline-grid');
  await page.$eval('#timeline', (el) => {
    el.value = '0';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const first = await canvasInfo(page, 'timeline-grid');
  const label = await page.textContent('#timeline-label');
  check(s.snapshots >= 2 && first.hash !== latest.hash && /Step \d+/.test(label), 'the timeline slider scrubs back to earlier snapshots',
    `${s.snapshots} snapshots; first: ${label}`);
  await page.screenshot({ path: path.join(SHOTS, 'page-training.png'), fullPage: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, 'desktop.png') });

  // one D step, one G step: only the named network changes
  const sums = () => page.evaluate(() => window.ganplay.debug.checksum());
  let a = await sums();
  const before = await state(page);
  await page.click('#d-step');
  await waitFor(page, (n) => window.ganplay.state.dStep > n, before.dStep, 'D step');
  let b = await sums();
  check(b.d_hash !== a.d_hash && b.d_sum !== a.d_sum && b.g_hash === a.g_hash && b.g_sum === a.g_sum,
    '"One D step" changes D\'s weights and not G\'s', `G ${a.g_hash} -> ${b.g_hash}, D ${a.d_hash} -> ${b.d_hash}`);
  a = b;
  await page.click('#g-step');
  await waitFor(page, (n) => window.ganplay.state.step > n, before.step, 'G step');
  b = await sums();
  check(b.g_hash !== a.g_hash && b.d_hash === a.d_hash && b.d_buffers === a.d_buffers, '"One G step" changes G\'s weights and not D\'s',
    `G ${a.g_hash} -> ${b.g_hash}, D ${a.d_hash} -> ${b.d_hash}`);
  s = await state(page);
  check(s.step === before.step + 1 && s.dStep === before.dStep + 1, 'the step counters count one D step and one G step',
    `${before.step}/${before.dStep} -> ${s.step}/${s.dStep}`);

  // NaN: training stops with a message, and the last good state comes back
  await page.evaluate(() => window.ganplay.debug.saveNow());
  const good = await sums();
  const goodStep = (await state(page)).step;
  await page.evaluate(() => window.ganplay.debug.poison());
  await page.click('#start');
  await waitFor(page, () => window.ganplay.state.halted, null, 'NaN halts training');
  s = await state(page);
  const errText = await page.textContent('#error');
  check(s.halted && !s.running && /NaN|nan/.test(errText) && await page.isVisible('#restore-good') && await page.isDisabled('#start'),
    'a NaN loss stops training with a message in words and offers the last good state', errText.slice(0, 160));
  await page.click('#restore-good');
  await waitFor(page, () => !window.ganplay.state.halted, null, 'restored');
  const back = await sums();
  s = await state(page);
  check(s.step === goodStep && ['g_sum', 'g_hash', 'd_sum', 'd_hash'].every((k) => back[k] === good[k]) && await page.isHidden('#error'),
    'returning to the last good state restores its step and weights', `step ${s.step}`);
  await page.click('#step');
  await waitFor(page, (n) => window.ganplay.state.step > n, goodStep, 'trains after restore');
  s = await state(page);
  check(Number.isFinite(s.dLoss) && Number.isFinite(s.gLoss), 'training works again after the return', `D ${s.dLoss}, G ${s.gLoss}`);

  // speed: one step per second, slow enough for a class to follow: the
  // readout says so, and the engine trains at most one step a turn, the step
  // count moving one at a time, however fast the machine (the pacing by the
  // clock is tested in C with a fake clock, tests/test_run.c; make bench
  // prints the rate reached)
  await page.evaluate(() => {
    window.__turns = [];
    window.ganplay.engine.on('turn', (m) => m.running && window.__turns.push({ steps: m.steps, step: m.step }));
  });
  await page.$eval('#speed', (el) => {
    el.value = '1';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const slowFrom = (await state(page)).step;
  await page.click('#start');
  await waitFor(page, (n) => window.ganplay.state.step >= n + 3, slowFrom, 'three steps at one step per second');
  s = await state(page);
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running, null, 'paused after the slow steps');
  const turns = await page.evaluate(() => window.__turns);
  const stepped = turns.filter((t) => t.steps > 0);
  check((await page.textContent('#speed-value')) === '1 step per second' && stepped.length >= 3 && turns.every((t) => t.steps <= 1) &&
    turns.every((t, i) => t.step === (i ? turns[i - 1].step : slowFrom) + t.steps),
  'the speed slider slows training to one step per second: one step at a time', `${turns.length} turns, ` +
    `${stepped.length} with a step; steps per turn ${[...new Set(turns.map((t) => t.steps))].join(', ')}; ` +
    `${s.stepsPerSec.toFixed(2)} steps/s (printed, not asserted)`);
  await page.$eval('#speed', (el) => {
    el.value = '7';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });

  // digit FD, where the engine and the site have the classifier
  if (fdOn) {
    const fdChart = await canvasInfo(page, 'chart-fd');
    check(s.fd.length > 0 && s.fd.every(([, v]) => Number.isFinite(v) && v > 0) && fdChart.colored > 20 && await page.isVisible('#fd-figure'),
      'the digit FD is measured while training and charted', s.fd.map(([st, v]) => `${st}: ${v.toFixed(1)}`).join(', '));
    check(/Digit FD/.test(await page.textContent('#model-caption')), 'the caption gives the latest digit FD');
  }
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  await context.close();

  // the portable build (for browsers without wasm SIMD)
  const pctx = await newContext(browser);
  const portable = await newPage(pctx);
  await portable.goto(site + '?build=portable');
  await waitReady(portable, 'portable: ready');
  await waitDataset(portable);
  await portable.click('#start');
  await waitFor(portable, () => window.ganplay.state.model.hasD && window.ganplay.state.step >= 3, null, 'portable: 3 steps', 30000);
  s = await state(portable);
  await portable.click('#pause');
  check(s.build === 'portable' && s.step >= 3 && Number.isFinite(s.dLoss), 'the portable build trains', `step ${s.step}`);
  check(portable.errors.length === 0, 'portable: no console errors', portable.errors.join(' | '));
  await pctx.close();
}
