// Editing with the generator, as a visitor uses it: a held-out digit, a drawing
// projected onto the shipped conditional generator comes back close (the
// number said is the engine's), with the target, the path and the result;
// noise reaches the target; a painted mask is counted; the result moves
// along a direction and redraws as another class; the nearest training
// images come nearest first, in pixels and in features, for the result and
// for Explore's kept sample; a picture file (dark ink on paper) projects
// too; D's saliency lays heat over the real/fake view of a model in
// training. Screenshots at 1280 and 360 px.
import path from 'node:path';
import { SHOTS, answerReplace, canvasInfo, check, newContext, newPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

const projections = (page) => page.evaluate(() => window.ganplay.state.edit.projections);

async function project(page, what) {
  const n = await projections(page);
  await page.click('#edit-project');
  return waitFor(page, (k) => window.ganplay.state.edit.projections > k && window.ganplay.state.edit.nearest &&
    !document.getElementById('edit-project').disabled, n, what, 60000);
}

// the first cell of the strip (what G was given)
const firstCell = (page) => page.evaluate(() => {
  const c = document.getElementById('edit-strip');
  return Array.from(c.getContext('2d').getImageData(2, 2, 28, 28).data.filter((_, i) => i % 4 === 0));
});

export async function run({ browser, site }) {
  for (const width of [1280, 360]) {
    const context = await newContext(browser, { width, height: 900 });
    const page = await newPage(context);
    await page.goto(site);
    await waitReady(page);
    await waitDataset(page);
    if (width === 360) {
      await page.click('#edit-real');
      await waitFor(page, () => /held-out/.test(window.ganplay.state.edit.status), null, '360: a held-out digit');
      await project(page, '360: projected');
      const over = await page.evaluate(() => document.documentElement.scrollWidth);
      check(over <= 360, 'the edit panel fits 360 px', `scrollWidth ${over}`);
      await (await page.$('#edit')).screenshot({ path: path.join(SHOTS, 'edit-360.png') });
      await context.close();
      continue;
    }
    // a held-out digit, projected
    await page.click('#edit-real');
    await waitFor(page, () => /held-out/.test(window.ganplay.state.edit.status), null, 'a held-out digit on the pad');
    const pad = await canvasInfo(page, 'edit-pad');
    await project(page, 'projected');
    let s = await state(page);
    const e = s.edit;
    const status = await page.textContent('#edit-status');
    check(e.projections === 1 && e.loss < 0.05 && e.traced === 11 && status.includes(e.loss.toFixed(4)) &&
      s.model.classes > 0 && e.class >= 0 && status.includes(`as a ${s.model.classNames[e.class]}`),
    'a held-out digit projects onto the conditional generator: the error and class said are the engine\'s',
    `${status} | ${JSON.stringify({ loss: e.loss, class: e.class, traced: e.traced })}`);
    const strip = await canvasInfo(page, 'edit-strip'), result = await canvasInfo(page, 'edit-result');
    check(pad.std > 20 && strip.w === 12 * 30 + 2 && strip.std > 20 && result.std > 20,
      'the strip shows the target, ten points of the path and the result; the result is drawn', `${strip.w}x${strip.h}`);
    const near = e.nearest;
    const ascending = (d) => d.every((x, i) => i === 0 || x >= d[i - 1]);
    check(near && near.source === 'result' && near.pixels.indices.length === 6 && ascending(near.pixels.distances) &&
      near.features && near.features.indices.length === 6 && ascending(near.features.distances) &&
      (await page.textContent('#edit-near-pixels-text')).includes(near.pixels.distances[0].toFixed(1)),
    'the nearest training images of the result, nearest first, in pixels and in features, with their distances said',
    JSON.stringify(near).slice(0, 300));
    // noise reaches the target
    const clean = await firstCell(page);
    await page.fill('#edit-noise', '0.5');
    await page.dispatchEvent('#edit-noise', 'input');
    await project(page, 'projected with noise');
    const noisy = await firstCell(page);
    s = await state(page);
    check(s.edit.noise === 0.5 && noisy.some((v, i) => Math.abs(v - clean[i]) > 25) &&
      (await page.textContent('#edit-noise-value')) === '0.50', 'noise is added to what G is given (denoising)');
    await page.fill('#edit-noise', '0');
    await page.dispatchEvent('#edit-noise', 'input');
    // a mask painted over the bottom half: G fills it in
    await page.check('input[name="edit-brush"][value="mask"]');
    const box = await page.locator('#edit-pad').boundingBox();
    await page.mouse.move(box.x + 10, box.y + box.height * 0.75);
    await page.mouse.down();
    for (let x = 10; x <= box.width - 10; x += 8) await page.mouse.move(box.x + x, box.y + box.height * 0.75);
    await page.mouse.up();
    await project(page, 'projected with a mask');
    s = await state(page);
    const said = await page.textContent('#edit-status');
    // a stroke 24 pad pixels wide across the pad: three to four rows of the 28 x 28 image
    const masked = 784 - s.edit.counted;
    check(s.edit.masked && masked >= 56 && masked <= 140 && said.includes(`over the ${s.edit.counted} unmasked pixels`),
      'a painted mask is counted: the error is over the unmasked pixels only, as many as the engine counted',
      `${masked} masked; ${said}`);
    await page.click('#edit-clear-mask');
    // moving the result (along the first direction Explore found)
    await waitFor(page, () => window.ganplay.state.directionsFound > 0 && !document.querySelector('#edit-dir').disabled, null,
      'the directions found', 120000);
    const before = (await canvasInfo(page, 'edit-result')).hash;
    await page.fill('#edit-amount', '2.5');
    await page.dispatchEvent('#edit-amount', 'input');
    await waitFor(page, () => window.ganplay.state.edit.amount === 2.5, null, 'moved along a direction');
    const moved = (await canvasInfo(page, 'edit-result')).hash;
    const other = String((s.edit.class + 1) % 10);
    await page.selectOption('#edit-as', other);
    await waitFor(page, (k) => window.ganplay.state.edit.asClass === Number(k), other, 'redrawn as another class');
    const asOther = (await canvasInfo(page, 'edit-result')).hash;
    check(moved !== before && asOther !== moved, 'the result moves along a direction and redraws as another class');
    await (await page.$('#edit')).screenshot({ path: path.join(SHOTS, 'edit.png') });
    // the kept sample's nearest training images
    await page.click('#edit-near-kept');
    await waitFor(page, () => window.ganplay.state.edit.nearest.source === 'kept', null, 'the kept sample checked');
    s = await state(page);
    check(s.edit.nearest.pixels.indices.length === 6 && ascending(s.edit.nearest.pixels.distances) &&
      /of the kept sample/.test(await page.textContent('#edit-near-pixels-text')), 'and the kept sample\'s, for any generated sample');
    // a picture file: dark ink on paper
    const png = Buffer.from(await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = c.height = 140;
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 140, 140);
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 14;
      ctx.beginPath();
      ctx.moveTo(70, 20);
      ctx.lineTo(70, 120);
      ctx.stroke();
      return c.toDataURL('image/png').split(',')[1];
    }), 'base64');
    await page.setInputFiles('#edit-file', [{ name: 'one.png', mimeType: 'image/png', buffer: png }]);
    await waitFor(page, () => /one\.png is on the pad/.test(window.ganplay.state.edit.status), null, 'the picture on the pad');
    await page.selectOption('#edit-as', '-1');
    await project(page, 'the picture projected');
    const target = await firstCell(page);
    const middle = target[14 * 28 + 14], corner = target[0];
    check(middle > 150 && corner < 60, 'a dark-on-light picture is inverted to light ink on black before projecting',
      `middle ${middle}, corner ${corner}`);

    // a drawing: one ink stroke down the middle of a cleared pad
    await page.click('#edit-clear');
    await page.check('input[name="edit-brush"][value="ink"]');
    await page.mouse.move(box.x + box.width / 2, box.y + 20);
    await page.mouse.down();
    for (let y = 20; y <= box.height - 20; y += 8) await page.mouse.move(box.x + box.width / 2, box.y + y);
    await page.mouse.up();
    await project(page, 'the drawing projected');
    const drawn = await firstCell(page);
    check(drawn[14 * 28 + 14] > 150 && drawn[14 * 28 + 3] < 40 && (await state(page)).edit.loss < 0.2,
      'a drawing on the pad is what G is given, and projects', `middle ${drawn[14 * 28 + 14]}, side ${drawn[14 * 28 + 3]}`);

    // D's saliency needs D: a training model
    await page.click('#step');
    if (await page.isVisible('#confirm[open]')) await answerReplace(page);
    await waitFor(page, () => window.ganplay.state.model.hasD && window.ganplay.state.step >= 1, null, 'a model in training');
    const plain = await canvasInfo(page, 'real');
    const n = (await state(page)).realFakes || 0;
    await page.check('#rf-saliency');
    await waitFor(page, (k) => window.ganplay.state.realFakes > k && window.ganplay.state.realFakeSaliency, n, 'saliency shown');
    const heat = await canvasInfo(page, 'real');
    check(plain.colored < 10 && heat.colored > 50, 'D\'s saliency lays orange heat over the real images', `${plain.colored} -> ${heat.colored}`);
    check(page.errors.length === 0, 'no console errors while editing', page.errors.join(' | '));
    await context.close();
  }
}
