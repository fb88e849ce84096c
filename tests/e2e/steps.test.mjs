// Step mode, as a teacher uses it: on a fresh model, five D steps then five
// G steps. Each readout says which step computed it, a D step changes only
// D's values and a G step only G's, and the charts' x axis (network updates)
// moves for both while each series gets points only from the steps that
// computed it.
import { answerReplace, check, newContext, newPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

const text = (page, id) => page.textContent(`#${id}`);

export async function run({ browser, site }) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  // a first D step on the pretrained generator starts a new model, and says so
  await page.click('#d-step');
  await waitFor(page, () => window.ganplay.state.model.hasD && window.ganplay.state.dStep === 1, null, 'a new model from a D step');
  const note = await page.textContent('#train-note');
  check(/Training a new .* model from the settings/.test(note) && /stays in the Model list/.test(note),
    'stepping a pretrained generator says a new model trains, and where the pretrained one is', note);
  const bars = await state(page);
  check(bars.classHist === null && bars.fd.length === 0 && /appear here/.test(await page.textContent('#fd-latest')),
    'the new model shows no class bars or FD of the pretrained one until it is measured', await page.textContent('#fd-latest'));
  await page.click('#reset');
  await answerReplace(page);
  await waitFor(page, () => window.ganplay.state.model.hasD && window.ganplay.state.step === 0 && window.ganplay.state.dStep === 0,
    null, 'a fresh model');
  for (let i = 1; i <= 5; i++) {
    await page.click('#d-step');
    await waitFor(page, (n) => window.ganplay.state.dStep >= n, i, `D step ${i}`);
  }
  let s = await state(page);
  const afterD = { dLoss: await text(page, 'r-dloss'), dFake: await text(page, 'r-dfake'), dReal: await text(page, 'r-dreal') };
  check(s.dStep === 5 && s.step === 0 && (await text(page, 'r-gloss')) === '–' && (await text(page, 'r-gfake')) === '–' &&
    (await text(page, 'at-dloss')) === 'D step 5' && (await text(page, 'at-gloss')) === 'no G step yet',
  'after five D steps: D\'s values from D step 5, no G value yet', JSON.stringify(afterD));
  let chart = await page.evaluate(() => {
    const c = window.ganplay.charts.lossChart;
    return Array.from(c.data.subarray(0, c.n * c.width));
  });
  const xs = (d) => d.filter((_, i) => i % 5 === 0), col = (d, k) => d.filter((_, i) => i % 5 === k);
  check(JSON.stringify(xs(chart)) === '[1,2,3,4,5]' && col(chart, 2).every((v) => Number.isNaN(v)) && col(chart, 1).every(Number.isFinite),
    'D steps move the x axis and plot D\'s loss only (no G loss of 0)', JSON.stringify(chart.slice(0, 10)));

  for (let i = 1; i <= 5; i++) {
    await page.click('#g-step');
    await waitFor(page, (n) => window.ganplay.state.step >= n, i, `G step ${i}`);
  }
  s = await state(page);
  const afterG = { dLoss: await text(page, 'r-dloss'), dFake: await text(page, 'r-dfake'), dReal: await text(page, 'r-dreal') };
  check(JSON.stringify(afterG) === JSON.stringify(afterD) && (await text(page, 'at-dfake')) === 'D step 5',
    'G steps leave D\'s readouts as D step 5 computed them, and say so', JSON.stringify(afterG));
  const gLoss = Number(await text(page, 'r-gloss')), gFake = Number(await text(page, 'r-gfake'));
  check(s.step === 5 && s.dStep === 5 && (await text(page, 'at-gloss')) === 'G step 5' && (await text(page, 'at-gfake')) === 'G step 5' &&
    Number.isFinite(gLoss) && gFake > 0 && gFake < 1 && Math.abs(gLoss - s.gLoss) < 5e-4 && Math.abs(gFake - s.gFake) < 5e-4,
  'after five G steps: G\'s loss and D(G(z)) as G saw it, from G step 5', `G loss ${gLoss}, D(G(z)) seen by G ${gFake}`);
  chart = await page.evaluate(() => {
    const c = window.ganplay.charts.lossChart;
    return Array.from(c.data.subarray(0, c.n * c.width));
  });
  const dchart = await page.evaluate(() => {
    const c = window.ganplay.charts.dChart;
    return Array.from(c.data.subarray(0, c.n * c.width));
  });
  check(JSON.stringify(xs(chart)) === '[1,2,3,4,5,6,7,8,9,10]' && col(chart, 1).slice(5).every((v) => Number.isNaN(v)) &&
    col(chart, 2).slice(5).every(Number.isFinite) && col(dchart, 3).slice(5).every((v) => Number.isNaN(v)) &&
    col(dchart, 4).slice(5).every(Number.isFinite),
  'G steps move the x axis on and plot G\'s values only', JSON.stringify(chart.slice(25, 35)));
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  await context.close();
}
