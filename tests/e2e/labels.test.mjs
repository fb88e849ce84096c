// Labels that name what is on show: a run on Fashion-MNIST is called so in
// its name, the FD chart, the model's caption, the saved runs and the resume
// banner (the engine's dataset table); chart markers say a loss by its label
// and their labels do not overlap; D's readout labels are whole at 1280, 1920
// and 360 px; a chart with one point has a plain integer x axis; a loss whose
// row recommends settings offers to apply them.
import path from 'node:path';
import { SHOTS, check, newPage, openPage, state, waitDataset, waitDrawn, waitFor, waitReady } from './helpers.mjs';

async function setField(page, key, value) {
  const before = await page.$eval(`#f-${key}-msg`, (el) => el.textContent);
  await page.selectOption(`#f-${key}`, value);
  await waitFor(page, ([k, b]) => {
    const m = document.getElementById(`f-${k}-msg`);
    return m.dataset.kind && (m.textContent !== b || m.dataset.kind === 'note');
  }, [key, before], `${key} = ${value} answered`);
}

// D's readout labels that do not show whole (wider than their box).
const cutLabels = (page) => page.$$eval('.readouts:not(.readouts-2d) dt', (dts) => dts
  .filter((dt) => dt.scrollWidth > dt.clientWidth).map((dt) => `${dt.textContent} (${dt.scrollWidth} > ${dt.clientWidth})`));

export async function run({ browser, site }) {
  const { context, page } = await openPage(browser, site);
  await waitDataset(page);

  // a chart with one point: from 0 to its step, integer ticks
  const one = await page.evaluate(async () => {
    const { LineChart } = await import('./js/charts.js');
    const c = document.createElement('canvas');
    c.style.cssText = 'width: 400px; height: 160px; position: absolute; left: 0; top: 0;';
    document.body.append(c);
    const chart = new LineChart(c, { width: 2, series: [{ color: '--g-color', column: 1 }] });
    chart.append([250, 31.5]);
    chart.draw();
    const r = { range: chart.xRange || [], ticks: chart.xTicks || [] };
    c.remove();
    return r;
  });
  check(one.range[0] === 0 && one.range[1] === 250 && one.ticks.length >= 2 && one.ticks.every((t) => Number.isInteger(t) && t >= 0 && t <= 250) &&
    one.ticks.includes(0), 'a chart with one point at step 250 has an x axis from 0 to 250 with integer ticks', JSON.stringify(one));

  // a new model, then Fashion-MNIST: the model is made again for it
  await page.click('#reset');
  await waitFor(page, () => window.ganplay.state.model && window.ganplay.state.model.hasD, null, 'a new model to train');
  await page.selectOption('#dataset', 'fashion');
  await waitFor(page, () => window.ganplay.state.dataset.id === 'fashion' && window.ganplay.state.dataset.fd &&
    window.ganplay.state.model.dataset === 'fashion', null, 'Fashion-MNIST loaded, the new model made for it', 60000);
  let s = await state(page);
  check(/Fashion-MNIST/.test(s.model.name) && !/MNIST digits/.test(s.model.name), 'the run is named after Fashion-MNIST', s.model.name);

  // a run with the loss changed twice, close together: markers by the loss table's labels, apart
  await page.evaluate(() => window.ganplay.debug.setFdEvery(10));
  await page.click('#settings-box > summary');
  await page.click('#start');
  await waitFor(page, () => window.ganplay.state.running && window.ganplay.state.step > 0, null, 'training starts');
  await setField(page, 'loss', 'hinge');
  await setField(page, 'loss', 'wgan_gp');
  await waitFor(page, () => window.ganplay.charts.lossChart.markers.length >= 2, null, 'both loss changes marked');
  await waitFor(page, () => window.ganplay.state.fd.length > 0, null, 'an FD point', 120000);
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running && window.ganplay.state.saved, null, 'paused and saved');
  await waitFor(page, () => !window.ganplay.charts.lossChart.queued, null, 'the loss chart drawn');
  const losses = await page.evaluate(() => ['hinge', 'wgan_gp'].map((n) => window.ganplay.settings.table.losses.find((l) => l.name === n).label));
  const boxes = await page.evaluate(() => window.ganplay.charts.lossChart.markerBoxes || []);
  const overlap = boxes.some((a, i) => boxes.some((b, j) => i < j && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h));
  check(JSON.stringify(boxes.map((b) => b.label)) === JSON.stringify(losses) && !overlap,
    'the loss markers read the loss table\'s labels and their labels do not overlap', JSON.stringify(boxes));

  // the captions name Fashion-MNIST
  s = await state(page);
  const caption = await page.textContent('#model-caption'), title = await page.textContent('#fd-title');
  check(title === 'Clothes FD' && /Clothes FD/.test(caption) && !/Digit FD/.test(caption), 'the FD chart and the model caption say Clothes FD',
    `${title} | ${caption}`);
  const saved = await page.textContent('#saved-pick');
  check(/Fashion-MNIST/.test(saved) && !/MNIST digits/.test(saved), 'the saved run is listed under Fashion-MNIST', saved);

  // WGAN-GP's help offers its settings; applying sets the fields
  const offer = await page.textContent('#apply-recommended').catch(() => '');
  check(/D steps per round = 5/.test(offer) && /β1 = 0/.test(offer), 'WGAN-GP\'s help offers 5 D steps and β1 = 0', offer);
  if (offer) {
    await page.click('#apply-recommended');
    await waitFor(page, () => !document.getElementById('apply-recommended') && document.getElementById('f-d_steps').value === '5' &&
      Number(document.getElementById('f-beta1').value) === 0, null, 'the recommended settings applied');
    const pending = await page.evaluate(() => window.ganplay.settings.pending);
    check(pending.d_steps === 5 && pending.beta1 === 0, 'applying sets D steps to 5 and β1 to 0', JSON.stringify({ d: pending.d_steps, b: pending.beta1 }));
  }

  // D's readouts under a loss without probabilities: whole at 1280, 1920 and 360 px
  const gFake = await page.textContent('#g-fake-label');
  for (const width of [1280, 1920, 360]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const cut = await cutLabels(page);
    check(gFake === 'D score of fakes seen by G' && cut.length === 0, `D's readout labels are not cut at ${width} px`, cut.join('; '));
    await page.screenshot({ path: path.join(SHOTS, `labels-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // the resume banner names the run's dataset
  const name = (await state(page)).model.name;
  await page.close();
  const again = await newPage(context);
  await again.goto(site);
  await waitReady(again);
  await waitFor(again, () => !document.getElementById('banner').hidden, null, 'resume offered');
  const banner = await again.textContent('#banner-text');
  check(banner.startsWith(`You were training ${name}.`) && /Fashion-MNIST/.test(banner) && !/MNIST digits/.test(banner),
    'the resume banner names Fashion-MNIST', banner);
  await waitDrawn(again);
  check(page.errors.length === 0 && again.errors.length === 0, 'no console errors', [...page.errors, ...again.errors].join(' | '));
  await context.close();
}
