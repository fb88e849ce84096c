// Classes and the stability menu: the page opens on a class-conditional
// generator with a class picker; picking a class redraws the grid with that
// class (the classifier agrees) and the address keeps it; every loss trains
// a few steps without a non-finite value; the variant toggles (conditioning,
// EMA, spectral norm, augmentation, R1) reach the model; D's readouts are
// labelled for losses without probabilities.
import path from 'node:path';
import { SHOTS, answerReplace, canvasInfo, check, newPage, openPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

async function setField(page, key, value) {
  const tag = await page.$eval(`#f-${key}`, (el) => el.tagName);
  const before = await page.$eval(`#f-${key}-msg`, (el) => el.textContent);
  if (tag === 'SELECT') await page.selectOption(`#f-${key}`, value);
  else {
    await page.fill(`#f-${key}`, value);
    await page.press(`#f-${key}`, 'Enter');
  }
  await waitFor(page, ([k, b]) => {
    const m = document.getElementById(`f-${k}-msg`);
    return m.dataset.kind && (m.textContent !== b || m.dataset.kind === 'note');
  }, [key, before], `${key} = ${value} answered`);
  return page.$eval(`#f-${key}-msg`, (el) => ({ kind: el.dataset.kind, text: el.textContent }));
}

export async function run({ browser, site, manifest }) {
  const { context, page } = await openPage(browser, site);
  let s = await state(page);
  const first = manifest.models[0];
  check(s.model.name === first.name && s.model.classes === 10 && !(await page.isHidden('#class-row')),
    'the page opens on a class-conditional generator with a class picker', `${s.model.name}: ${s.model.classes} classes`);
  const options = await page.$$eval('#class-pick option', (o) => o.map((x) => x.textContent));
  check(options.length === 11 && options[8] === '7', 'the picker offers all classes and each class by name', options.join(', '));

  // all classes: the classifier finds every class, about equally, in the samples
  await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.fd, null, 'classifier loaded');
  const mixed = await page.evaluate(() => window.ganplay.debug.scoreClass(-1, 500));
  check(mixed.cond_acc > 0.9 && Math.min(...mixed.hist) > 0.05, 'with all classes, samples are spread over the classes and show the class asked for',
    `conditional accuracy ${mixed.cond_acc}, histogram ${mixed.hist.map((h) => h.toFixed(2)).join(' ')}`);

  // the page shows the same numbers: the bars and the conditional accuracy under the FD chart
  await waitFor(page, () => window.ganplay.state.classHist, null, 'class histogram shown');
  s = await state(page);
  const latest = await page.textContent('#fd-latest');
  check(JSON.stringify(s.classHist) === JSON.stringify(mixed.hist) && latest.includes(`right class in ${(100 * mixed.cond_acc).toFixed(1)}%`),
    'the class bars and the conditional accuracy on the page are the classifier\'s view of these samples', latest);

  // one class: the grid is redrawn with it
  const before = await canvasInfo(page, 'grid');
  s = await state(page);
  await page.selectOption('#class-pick', '7');
  await waitFor(page, (n) => window.ganplay.state.grids > n && window.ganplay.state.label === 7, s.grids, 'class 7 drawn');
  const sevens = await canvasInfo(page, 'grid');
  const score = await page.evaluate(() => window.ganplay.debug.scoreClass(7, 200));
  check(sevens.hash !== before.hash && score.hist[7] > 0.9 && score.cond_acc === score.hist[7],
    'picking 7 redraws the grid, and the classifier sees 7s in it', `share of 7s ${score.hist[7].toFixed(3)}`);
  check(/[#&]class=7(&|$)/.test(await page.inputValue('#share-url')), 'the link keeps the class', await page.inputValue('#share-url'));
  await page.locator('#samples').screenshot({ path: path.join(SHOTS, 'class-7.png') });
  // the link opens on the same model and class
  const url = await page.inputValue('#share-url');
  const linked = await newPage(context);
  await linked.goto(url);
  await waitReady(linked);
  await waitFor(linked, () => window.ganplay.state.label === 7 && window.ganplay.state.ready, null, 'linked page shows class 7');
  check((await canvasInfo(linked, 'grid')).hash === sevens.hash, 'a shared link opens on the same samples of the same class');
  await linked.close();

  // the Fashion-MNIST model is scored with the Fashion-MNIST classifier, once its data is on show
  const fashion = manifest.models.findIndex((m) => m.dataset === 'fashion');
  if (check(fashion >= 0, 'a Fashion-MNIST model is shipped')) {
    await page.selectOption('#model-pick', String(fashion));
    await waitFor(page, () => window.ganplay.state.dataset.id === 'fashion' && window.ganplay.state.dataset.fd &&
      window.ganplay.state.modelFd !== null, null, 'Fashion-MNIST model scored', 60000);
    const caption = await page.textContent('#model-caption');
    const own = await page.evaluate(() => window.ganplay.debug.scoreClass(-1, 500));
    s = await state(page);
    check(/Clothes FD/.test(caption) && !/Digit FD/.test(caption) && Math.abs(s.modelFd - own.fd) < 1e-6 && own.fd < 200,
      'the Fashion-MNIST model shows the FD of the Fashion-MNIST classifier', caption);
    await page.selectOption('#model-pick', '0');
    await waitFor(page, () => window.ganplay.state.dataset.id === 'mnist' && window.ganplay.state.dataset.fd, null, 'back to MNIST', 60000);
  }

  // every loss trains: a new DCGAN-free MLP model per loss, three full steps each
  await page.click('#settings-box > summary');
  const losses = await page.$$eval('#f-loss option', (o) => o.map((x) => x.value));
  check(losses.length >= 5 && losses.includes('wgan_gp') && losses.includes('hinge'), 'the loss menu comes from the engine', losses.join(', '));
  await waitDataset(page);
  for (const loss of losses) {
    await setField(page, 'loss', loss);
    await page.click('#reset');
    if (loss !== losses[0]) await answerReplace(page);
    await waitFor(page, () => window.ganplay.state.model.hasD && window.ganplay.state.step === 0, null, `${loss}: new model`);
    for (let i = 1; i <= 3; i++) {
      await page.click('#step');
      await waitFor(page, (n) => window.ganplay.state.step >= n, i, `${loss}: step ${i}`);
    }
    s = await state(page);
    const info = await page.evaluate(() => window.ganplay.debug.modelInfo());
    check(info.loss === loss && [s.dLoss, s.gLoss, s.dReal, s.dFake].every(Number.isFinite) && !s.halted,
      `the ${loss} loss trains three steps with finite losses`, `D ${s.dLoss}, G ${s.gLoss}, D(x) ${s.dReal}`);
    const label = await page.textContent('#d-real-label');
    const probability = loss === 'nonsaturating' || loss === 'minimax';
    check(probability ? label === 'Mean D(x)' : /score/.test(label), `D's readout is labelled for ${loss}`, label);
  }
  await setField(page, 'loss', 'nonsaturating');

  // the variant toggles reach the next model
  for (const [key, value] of [['cond', 'acgan'], ['ema', '0.995'], ['spectral_norm', 'on'], ['augment', 'translate_cutout'], ['r1', '1']]) {
    const m = await setField(page, key, value);
    check(m.kind === 'note', `${key} = ${value} is accepted`, m.text);
  }
  await page.click('#reset');
  await answerReplace(page);
  await waitFor(page, () => window.ganplay.state.model.hasD && window.ganplay.state.step === 0 && window.ganplay.state.model.classes === 10,
    null, 'variant model made');
  for (let i = 1; i <= 2; i++) {
    await page.click('#step');
    await waitFor(page, (n) => window.ganplay.state.step >= n, i, `variant: step ${i}`);
  }
  const info = await page.evaluate(() => window.ganplay.debug.modelInfo());
  s = await state(page);
  check(info.config.cond === 'acgan' && info.classes === 10 && info.config.ema === 0.995 && info.config.spectral_norm === 'on' &&
    info.config.augment === 'translate_cutout' && info.config.r1 === 1 && info.tools.spectral_norm === true,
    'the toggles apply to the new model', JSON.stringify(info.tools));
  check(Number.isFinite(s.dLoss) && Number.isFinite(s.gLoss) && !(await page.isHidden('#class-row')),
    'it trains, and as a conditional model it gets the class picker', `D ${s.dLoss}, G ${s.gLoss}`);
  // your own images have one class: conditioning cannot apply to them
  const bad = await setField(page, 'cond', 'none');
  check(bad.kind === 'note', 'conditioning can be switched off again', bad.text);
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  await context.close();
}
