// Upscaling and colourising by projection, as a visitor uses them in the
// Edit section: a held-out digit made 7x7 is upscaled by the shipped
// conditional generator; the engine's comparison says the projection is
// nearer the original than bicubic interpolation and the classifier reads it
// as the original digit, and the page shows exactly those numbers beside the
// small input, the bicubic image, the result and the original; 14x14 works
// the same way; a drawing has no original to compare with; Cancel stops an
// upscaling with nothing changed; the emoji generator colourises a held-out
// emoji's gray (G's image in colour, its gray near the picture's, the
// comparison with the original said); the section fits 360 px.
import path from 'node:path';
import { SHOTS, canvasInfo, check, newContext, newPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

const compared = (page, n, what, timeout = 90000) => waitFor(page, (k) => window.ganplay.state.edit.projections > k &&
  !document.getElementById('edit-project').disabled && window.ganplay.state.edit.compare !== null, n, what, timeout);

async function upscaled(page, what, timeout) {
  const n = (await state(page)).edit.projections;
  await page.click('#edit-project');
  await compared(page, n, what, timeout);
  return (await state(page)).edit;
}

// Whether the pad shows blocks of side px pad pixels, each of one colour (a small picture shown large).
const blocky = (page, px) => page.evaluate((px) => {
  const c = document.getElementById('edit-pad'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let bad = 0, lit = 0;
  for (let y = 0; y < c.height; y++)
    for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 4, j = (Math.floor(y / px) * px * c.width + Math.floor(x / px) * px) * 4;
      if (d[i] !== d[j]) bad++;
      if (d[i] > 40) lit++;
    }
  return { bad, lit };
}, px);

const colourPixels = (page, id) => page.evaluate((id) => {
  const c = document.getElementById(id), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[i + 1]) > 8 || Math.abs(d[i + 1] - d[i + 2]) > 8) n++;
  return n;
}, id);

export async function run({ browser, site, manifest }) {
  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.fd, null, 'MNIST and its classifier');
  const ops = await page.$$eval('#edit-op option', (o) => o.map((x) => x.value));
  check(ops.join(' ') === '0:1 1:4 1:2', 'a gray model offers matching and upscaling from 7x7 and 14x14, not colourising', ops.join(' '));

  // a held-out digit made 7x7 by the engine, on the pad as 7x7 blocks
  await page.selectOption('#edit-op', '1:4');
  check((await page.textContent('#edit-real')) === 'A held-out digit, 7x7' && await page.isHidden('#edit-noise-row'),
    'upscaling: the button takes a 7x7 held-out digit; no noise to add');
  await page.click('#edit-real');
  await waitFor(page, () => /made 7x7/.test(window.ganplay.state.edit.status), null, 'a 7x7 held-out digit on the pad');
  const blocks = await blocky(page, 28);
  check(blocks.bad === 0 && blocks.lit > 1000, 'the pad shows the digit as 7x7 blocks', JSON.stringify(blocks));
  let e = await upscaled(page, 'upscaled from 7x7');
  let c = e.compare, s = await state(page);
  const names = s.model.classNames, text = await page.textContent('#edit-compare-text');
  const row = await canvasInfo(page, 'edit-compare');
  check(c.op === 'upscale' && c.factor === 4 && c.real === 0 && c.images === 4 && row.w === 4 * 30 + 2 && row.std > 20,
    'the comparison row: the 7x7 input, bicubic, the projection and the original', JSON.stringify(c));
  check(c.mse_result < c.mse_baseline && c.class_result === c.original_class && c.original_class >= 0,
    'upscaled from 7x7, the projection is nearer the original than bicubic and is read as the original digit', JSON.stringify(c));
  check(text.includes(`the projection ${c.mse_result.toFixed(4)}`) && text.includes(`bicubic interpolation ${c.mse_baseline.toFixed(4)}`) &&
    text.includes(`reads the projection as ${names[c.class_result]}`) && text.includes(`the original is ${names[c.original_class]}`),
  'the page says the engine\'s numbers and classes', text);
  const status = await page.textContent('#edit-status');
  check(status.includes(e.loss.toFixed(4)) && /made 7x7 against the picture/.test(status) &&
    (await canvasInfo(page, 'edit-strip')).w === 12 * 30 + 2, 'the status says the error of the 7x7 match; the path is drawn', status);

  // 14x14
  await page.selectOption('#edit-op', '1:2');
  await page.click('#edit-real');
  await waitFor(page, () => /made 14x14/.test(window.ganplay.state.edit.status), null, 'a 14x14 held-out digit on the pad');
  check((await blocky(page, 14)).bad === 0, 'the pad shows the digit as 14x14 blocks');
  e = await upscaled(page, 'upscaled from 14x14');
  c = e.compare;
  check(c.factor === 2 && c.real === 1 && Number.isFinite(c.mse_result) && Number.isFinite(c.mse_baseline) &&
    (await page.textContent('#edit-compare-text')).includes(c.mse_result.toFixed(4)), 'upscaled from 14x14, compared with the original', JSON.stringify(c));

  // a drawing: nothing to compare with
  await page.click('#edit-clear');
  const box = await page.locator('#edit-pad').boundingBox();
  await page.check('input[name="edit-brush"][value="ink"]');
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
  await page.mouse.up();
  e = await upscaled(page, 'a drawing upscaled');
  check(e.compare.real === -1 && e.compare.mse_result === null && e.compare.images === 3 &&
    /Take a held-out image/.test(await page.textContent('#edit-compare-text')), 'a drawing is upscaled with no original to compare', JSON.stringify(e.compare));

  // Cancel: the upscaling stops, the last comparison stays
  const before = await state(page);
  await page.click('#edit-project');
  await waitFor(page, () => window.ganplay.state.edit.progress && window.ganplay.state.edit.progress.step >= 4, null, 'an upscaling under way');
  await page.click('#edit-cancel');
  await waitFor(page, (k) => window.ganplay.state.edit.cancels > k && !document.getElementById('edit-project').disabled,
    before.edit.cancels, 'the upscaling cancelled');
  s = await state(page);
  check(s.edit.projections === before.edit.projections && /cancelled at step/.test(s.edit.status) &&
    JSON.stringify(s.edit.compare) === JSON.stringify(before.edit.compare), 'Cancel stops an upscaling with nothing changed', s.edit.status);

  // colourising with the emoji generator
  const i = manifest.models.findIndex((m) => m.dataset === 'emoji');
  if (check(i >= 0, 'the emoji generator is in the Model list')) {
    await page.selectOption('#model-pick', String(i));
    await waitFor(page, (name) => window.ganplay.state.model.name === name && window.ganplay.state.dataset &&
      window.ganplay.state.dataset.id === 'emoji', manifest.models[i].name, 'the emoji model and data', 90000);
    const colourOps = await page.$$eval('#edit-op option', (o) => o.map((x) => x.value));
    check(colourOps.includes('2:1') && colourOps.includes('1:4'), 'a colour model offers colourising', colourOps.join(' '));
    await page.selectOption('#edit-op', '2:1');
    await page.click('#edit-real');
    await waitFor(page, () => /in gray/.test(window.ganplay.state.edit.status), null, 'a gray held-out emoji on the pad');
    check(await colourPixels(page, 'edit-pad') === 0, 'the pad shows the emoji in gray');
    e = await upscaled(page, 'an emoji colourised', 180000);
    c = e.compare;
    const ctext = await page.textContent('#edit-compare-text');
    // the emoji generator draws its own emoji, not this one: its gray matches roughly, its colours are its guess
    check(c.op === 'colourise' && c.factor === 1 && c.real >= 0 && c.images === 4 && e.loss < 0.1 && Number.isFinite(c.mse_result) &&
      ctext.includes(`the projection ${c.mse_result.toFixed(4)}`) && ctext.includes(`the gray picture ${c.mse_baseline.toFixed(4)}`) &&
      await colourPixels(page, 'edit-result') > 100 && await colourPixels(page, 'edit-compare') > 300,
    'a gray emoji colourised: G\'s image in colour, its gray near the picture\'s, the comparison said',
    `loss ${e.loss} | ${JSON.stringify(c)} | ${ctext}`);
    await (await page.$('#edit')).screenshot({ path: path.join(SHOTS, 'upscale-colourise.png') });
  }
  await context.close();

  // 360 px: upscaling works and the section fits
  const narrow = await newContext(browser, { width: 360, height: 900 });
  const p2 = await newPage(narrow);
  await p2.goto(site);
  await waitReady(p2);
  await waitDataset(p2);
  await p2.selectOption('#edit-op', '1:4');
  await p2.click('#edit-real');
  await waitFor(p2, () => /made 7x7/.test(window.ganplay.state.edit.status), null, '360: a 7x7 held-out digit');
  e = await upscaled(p2, '360: upscaled');
  const over = await p2.evaluate(() => document.documentElement.scrollWidth);
  check(e.compare && e.compare.images === 4 && over <= 360, 'at 360 px the Edit section upscales and fits', `scrollWidth ${over}`);
  await (await p2.$('#edit')).screenshot({ path: path.join(SHOTS, 'upscale-360.png') });
  await narrow.close();
}
